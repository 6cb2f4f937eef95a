"""check_typology collects every error; shipped rule files are found as package data."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from conftest import ROOT, TEST_RULES
from poletype import RuleFileError, check_typology, load_typology, typologies


def test_shipped_typologies_are_found_by_id() -> None:
    """Every YAML file in rules/ is a typology id."""
    ids = {p.stem for p in (ROOT / "rules").glob("*.yaml")}
    assert set(typologies()) == ids
    assert "labo-ess-ptce" in ids


def test_check_collects_errors_from_several_criteria(tmp_path: Path, minimal_rules: Path) -> None:
    """Two bad criteria give two errors, in file order."""
    text = minimal_rules.read_text(encoding="utf-8")
    text = text.replace("> params.threshold", "> params.treshold")
    text = text.replace("local_integration.local_networks", "local_integration.local_network")
    bad = tmp_path / "two.yaml"
    bad.write_text(text, encoding="utf-8")
    errors = check_typology(bad)
    assert [e.code for e in errors] == ["unknown-parameter", "unknown-field"]
    assert [e.criterion for e in errors] == ["SHARE", "LOCAL"]
    assert errors[0].line is not None
    assert errors[1].line is not None
    assert errors[0].line < errors[1].line


def test_check_collects_all_schema_errors(tmp_path: Path, minimal_rules: Path) -> None:
    """Schema errors are all reported, each with its line."""
    text = minimal_rules.read_text(encoding="utf-8").replace("label:", "lable:")
    bad = tmp_path / "labels.yaml"
    bad.write_text(text, encoding="utf-8")
    errors = check_typology(bad)
    unknown = [e for e in errors if "unknown key 'lable'" in str(e)]
    assert len(unknown) == 2
    assert all(e.line is not None for e in errors)


def test_check_leaves_expectations_to_poletype_test(tmp_path: Path, minimal_rules: Path) -> None:
    """A wrong expectation is a failing test (poletype test), not a malformed file."""
    text = minimal_rules.read_text(encoding="utf-8").replace(
        "input: {activities: {social_utility_share: 0.5}}, expect: not_met",
        "input: {activities: {social_utility_share: 0.5}}, expect: met",
    )
    bad = tmp_path / "example.yaml"
    bad.write_text(text, encoding="utf-8")
    assert check_typology(bad) == []


def test_check_reports_invalid_example_inputs(tmp_path: Path, minimal_rules: Path) -> None:
    """An example whose input is not a valid initiative fragment is an error of the file."""
    text = minimal_rules.read_text(encoding="utf-8").replace(
        "input: {activities: {social_utility_share: 0.5}}", "input: {activities: {share: 0.5}}"
    )
    bad = tmp_path / "example.yaml"
    bad.write_text(text, encoding="utf-8")
    errors = check_typology(bad)
    assert [e.code for e in errors] == ["example-input"]
    assert errors[0].criterion == "SHARE"
    assert "activities.share" in str(errors[0])


def test_sound_file_has_no_errors(minimal_rules: Path) -> None:
    """The minimal rule file is sound."""
    assert check_typology(minimal_rules) == []


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(enabled: bool, tmp_path: Path) -> None:
    """The collector is paused while a typology compiles, even one that fails."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (TEST_RULES / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "activities.social_utility_share > params.threshold",
            "activities.social_utility_shar > params.threshold",
        ),
        encoding="utf-8",
    )
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        load_typology(TEST_RULES / "minimal.yaml", params={"threshold": 0.25})
        assert gc.isenabled() is enabled
        with pytest.raises(RuleFileError):
            load_typology(broken)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# ---------------------------------------------------------------- pickling


def test_a_compiled_typology_pickles_and_classifies_identically(tmp_path: Path) -> None:
    import pickle

    from poletype import classify
    from poletype._rules.parsed import rules_package

    case = {"name": "p", "voluntary": True, "activities": {"social_utility_share": 0.7}}
    rule = tmp_path / "mine.yaml"
    rule.write_bytes((rules_package() / "labo-ess-ptce.yaml").read_bytes())
    for typology in (
        load_typology("labo-ess-ptce"),
        load_typology("labo-ess-ptce", {"min_kinds": 3}),
        load_typology(rule, {"min_organisations": 10}),
        load_typology("matray-poisat"),
    ):
        data = pickle.dumps(typology)
        assert len(data) < 100_000
        again = pickle.loads(data)
        assert type(again) is type(typology)
        assert again.rules_hash == typology.rules_hash
        assert again.parameters == typology.parameters
        assert classify(case, again).to_json() == classify(case, typology).to_json()
    # A user's file travels as its bytes: the worker needs no copy, a change cannot slip in.
    data = pickle.dumps(load_typology(rule))
    rule.write_text("not: a typology", encoding="utf-8")
    assert pickle.loads(data).id == "labo-ess-ptce"


def test_unpickling_refuses_other_rules() -> None:
    from poletype._rules.loader import restore
    from poletype.errors import UsageError

    with pytest.raises(UsageError, match="differs"):
        restore("labo-ess-ptce", (), "sha256:other")
