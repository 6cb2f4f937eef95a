"""Load-time checking: every malformed rule file fails with file, line, criterion and code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from poletype import RuleFileError, UsageError, load_typology

BAD = sorted((Path(__file__).parent / "bad_rules").glob("*.yaml"))


def _header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"# (code|line|criterion|contains): ?(.*)$", line)
        if not match:
            break
        fields[match.group(1)] = match.group(2)
    return fields


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_rule_file_fails_with_documented_error(path: Path) -> None:
    """Each file in tests/bad_rules declares the error it must raise."""
    expected = _header(path)
    with pytest.raises(RuleFileError) as info:
        load_typology(path)
    error = info.value
    assert error.code == expected["code"]
    assert error.file == str(path)
    assert error.line == int(expected["line"])
    assert (error.criterion or "") == expected["criterion"]
    assert expected["contains"] in str(error)
    assert str(error).startswith(f"{path}:{expected['line']}: ")


def test_sandbox_refusals_are_all_covered() -> None:
    """The sandbox's refusals each have a bad rule file."""
    codes = {_header(p)["code"] for p in BAD}
    assert {
        "forbidden-name",
        "forbidden-call",
        "forbidden-builtin",
        "forbidden-null-handling",
    } <= codes


def test_reads_are_listed_from_the_tree(minimal_rules: Path) -> None:
    """Comprehension variables map to their iterable's path; parameters are apart."""
    typology = load_typology(minimal_rules)
    share, local = typology.criteria
    assert share.paths == ("activities.social_utility_share",)
    assert share.parameters == ("threshold",)
    assert local.paths == ("local_integration.local_networks", "members", "members.local")
    assert local.parameters == ()


def test_reads_do_not_accumulate_across_rules(minimal_rules: Path) -> None:
    """Each expression lists its own reads, not the context's running set of symbols."""
    typology = load_typology(minimal_rules)
    atom = typology.criteria[0].condition.atom
    assert atom is not None
    assert "members" not in atom.paths


def test_loading_twice_gives_the_same_compiled_typology(minimal_rules: Path) -> None:
    """Loading is cached per file contents and parameters."""
    assert load_typology(minimal_rules) is load_typology(minimal_rules)
    assert load_typology(minimal_rules) is not load_typology(minimal_rules, {"threshold": 0.6})


def test_parameter_override_changes_hash_and_result(minimal_rules: Path) -> None:
    """The rules hash covers the parameter values."""
    default = load_typology(minimal_rules)
    strict = load_typology(minimal_rules, {"threshold": 0.8})
    assert default.rules_hash != strict.rules_hash
    assert strict.parameters["threshold"] == 0.8


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"treshold": 1}, "has no parameter 'treshold'"),
        ({"threshold": "high"}, "takes a number"),
        ({"threshold": True}, "takes a number"),
    ],
)
def test_bad_parameter_overrides(
    minimal_rules: Path, params: dict[str, object], fragment: str
) -> None:
    """Unknown parameters and wrong types are the caller's, refused with the expected kind."""
    with pytest.raises(UsageError) as info:
        load_typology(minimal_rules, params)
    assert info.value.code == "bad-parameter"
    assert fragment in str(info.value)


def test_unknown_typology_id_lists_shipped_ones() -> None:
    """A typo in a typology id says which ids exist; the caller has to act."""
    with pytest.raises(UsageError) as info:
        load_typology("labo-ess")
    assert info.value.code == "typology-not-found"
    assert "labo-ess-ptce" in str(info.value)


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_rule_files_are_sound(path: Path) -> None:
    """check_typology finds nothing wrong in a shipped rule file."""
    from poletype import check_typology

    assert check_typology(path) == []


def test_rules_hash_depends_on_rules_and_values_not_on_the_path_taken(minimal_rules: Path) -> None:
    """Re-parameterising a loaded typology gives the hash of loading with those values."""
    from poletype import classify

    loaded = load_typology(minimal_rules, {"threshold": 0.7})
    via_object = classify({"name": "P"}, load_typology(minimal_rules), params={"threshold": 0.7})
    assert via_object.rules_hash == loaded.rules_hash
    assert via_object.parameters == {"threshold": 0.7}


def _atoms_by_text(typology_id: str, **params: object) -> dict[str, object]:
    typology = load_typology(typology_id, params=params)
    return {atom.atom.text: atom.atom for atom in typology.atoms if atom.atom is not None}


def test_expressions_are_compiled_once_per_process_and_shared() -> None:
    """A parameter sweep reloads a typology many times: its expressions are not re-parsed."""
    first = _atoms_by_text("labo-ess-ptce", min_organisations=3)
    second = _atoms_by_text("labo-ess-ptce", min_organisations=4)
    assert any("params" in text for text in first)
    for text, expression in first.items():
        assert second[text] is expression, text


def test_a_text_parameter_still_gets_checked_on_every_load() -> None:
    """Text parameter values are part of what an expression's checks read."""
    load_typology("labo-ess-ptce")
    with pytest.raises(RuleFileError) as caught:
        load_typology("labo-ess-ptce", params={"ess_kinds": ["not_a_kind"]})
    assert caught.value.code == "unknown-value"
    assert caught.value.criterion == "M1"
    assert caught.value.line is not None
