"""A rule file that extends a typology: add, override, drop, replace, and every error."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from conftest import EXAMPLES, ROOT, TEST_RULES, example_files
from poletype import RuleFileError, Typology, check_typology, classify, load_typology
from poletype._engine.compiler import rules_hash
from poletype._rules.examples import run_examples
from poletype.cli import main
from poletype.model import Initiative
from strategies import initiatives

CALL = EXAMPLES / "calls" / "appel-ptce-region-2026.yaml"
COMPLETE = EXAMPLES / "pole-exemple-complet.yaml"
BASE = "labo-ess-ptce"

HEAD = """\
typology: ext
version: "1"
title: {fr: Extension, en: Extension}
extends: labo-ess-ptce
"""
SOURCE = """\
sources:
  - {id: call, title: "An example call"}
"""
GROUP = """\
groups:
  regional: {fr: Région, en: Region}
"""
R1 = """\
  - id: R1
    group: regional
    label: {fr: En France, en: In France}
    source: {document: call, section: "2"}
    condition: 'country == "FR"'
    justification:
      met: {fr: "Pays {country}.", en: "Country {country}."}
      not_met: {fr: "Pays {country}.", en: "Country {country}."}
      unknown: {fr: Pays inconnu., en: Country unknown.}
"""
ADD = HEAD + SOURCE + GROUP + "criteria:\n" + R1 + "require: [R1]\n"


def write(folder: Path, text: str, name: str = "ext.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def complete(**changes: Any) -> dict[str, Any]:
    """The shipped complete PTCE example as a dict, with some facts changed."""
    import yaml

    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def statuses(verdict: Any) -> dict[str, str]:
    return {c.id: c.status for c in verdict.criteria}


def raises(path: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_typology(path)
    return info.value


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


# ---------------------------------------------------------------- what each key does


def test_added_criterion_is_mandatory_through_require(tmp_path: Path) -> None:
    """A required new criterion is appended and ANDed into the base verdict."""
    ext = load_typology(write(tmp_path, ADD))
    base = load_typology(BASE)
    assert [c.id for c in ext.criteria] == [*(c.id for c in base.criteria), "R1"]
    assert (ext.id, ext.version) == ("ext", "1")
    french = classify(complete(), ext)
    assert french.outcome == classify(complete(), base).outcome == "ptce"
    assert (french.typology, french.version) == ("ext", "1")
    assert statuses(french)["R1"] == "met"
    belgian = classify(complete(country="BE"), ext)
    assert classify(complete(country="BE"), base).outcome == "ptce"
    assert belgian.outcome == "not_ptce"
    unknown = classify(complete(country=None), ext)
    assert unknown.outcome == "indeterminate"
    assert "country" in unknown.missing


def test_require_accepts_a_group(tmp_path: Path) -> None:
    """`{all_of: group}` requires every criterion of a new group."""
    text = ADD.replace("require: [R1]", "require: [{all_of: regional}]")
    ext = load_typology(write(tmp_path, text))
    assert classify(complete(country="BE"), ext).outcome == "not_ptce"


def test_parameter_value_override(tmp_path: Path) -> None:
    """A plain value overrides the base parameter; the base's declaration stays."""
    ext = load_typology(write(tmp_path, HEAD + "parameters: {min_organisations: 10}\n"))
    base = load_typology(BASE)
    assert ext.parameters["min_organisations"] == 10
    assert (
        ext.spec.parameters["min_organisations"].doc
        == base.spec.parameters["min_organisations"].doc
    )
    seven = complete()
    assert classify(seven, base).outcome == "ptce"
    verdict = classify(seven, ext)
    assert verdict.outcome == "not_ptce"
    assert statuses(verdict)["M2"] == "not_met"
    assert verdict.parameters["min_organisations"] == 10
    assert [c.id for c in ext.criteria] == [c.id for c in base.criteria]


def test_parameter_redeclaration_and_new_parameter(tmp_path: Path) -> None:
    """A mapping re-documents a base parameter or declares a new one."""
    text = (
        HEAD
        + SOURCE
        + GROUP
        + """\
parameters:
  min_organisations:
    default: 6
    doc: {fr: "Six, selon l'appel", en: "Six, per the call"}
    source: {document: call, section: "3"}
  country_code:
    default: FR
    doc: {fr: Pays, en: Country}
criteria:
"""
        + R1.replace("'country == \"FR\"'", "'country == params.country_code'")
        + "require: [R1]\n"
    )
    ext = load_typology(write(tmp_path, text))
    assert ext.parameters["min_organisations"] == 6
    assert ext.spec.parameters["min_organisations"].doc.en == "Six, per the call"
    assert classify(complete(country="LU"), ext).outcome == "not_ptce"
    assert classify(complete(country="LU"), ext, {"country_code": "LU"}).outcome == "ptce"


def test_drop_removes_a_criterion_to_test(tmp_path: Path) -> None:
    """A dropped criterion is gone from the criteria and from the score."""
    ext = load_typology(write(tmp_path, HEAD + "drop: [T2]\n"))
    base = load_typology(BASE)
    assert [c.id for c in ext.criteria] == [c.id for c in base.criteria if c.id != "T2"]
    ours, theirs = classify(complete(), ext), classify(complete(), base)
    assert ours.outcome == theirs.outcome
    assert "T2" not in statuses(ours)
    assert [s.total for s in ours.scores] == [s.total - 1 for s in theirs.scores]


def test_replace_takes_the_base_criterion_place(tmp_path: Path) -> None:
    """`replaces: true` swaps a criterion in place and the verdict reads the new one."""
    text = (
        HEAD
        + SOURCE
        + """\
criteria:
  - id: M8
    replaces: true
    group: mandatory
    label: {fr: Un partenaire public, en: A public partner}
    source: {document: call, section: "4"}
    condition: 'true in [m.kind in ["local_authority", "state_body"] for m in members]'
    justification:
      met: {fr: Oui., en: Yes.}
      not_met: {fr: Non., en: No.}
      unknown: {fr: Inconnu., en: Unknown.}
"""
    )
    ext = load_typology(write(tmp_path, text))
    base = load_typology(BASE)
    assert [c.id for c in ext.criteria] == [c.id for c in base.criteria]
    assert ext.criterion("M8").spec.label.en == "A public partner"
    state = complete()
    state["members"] = [
        {**m, "kind": "state_body"} if m["kind"] == "local_authority" else m
        for m in state["members"]
    ]
    state["partners_complete"] = True  # no partner either: M8 of the base fails
    assert classify(state, base).outcome == "not_ptce"
    verdict = classify(state, ext)
    assert verdict.outcome == "ptce"
    assert statuses(verdict)["M8"] == "met"


def test_new_verdict_allows_dropping_a_mandatory_criterion(tmp_path: Path) -> None:
    """With a whole new verdict, any criterion may be dropped."""
    text = (
        HEAD
        + """\
drop: [M8]
verdict:
  condition: {all: [{all_of: mandatory}, {not: {any_of: exclusion}}]}
  outcomes: {met: eligible, not_met: ineligible, unknown: open}
  labels:
    eligible: {fr: Éligible, en: Eligible}
    ineligible: {fr: Inéligible, en: Ineligible}
    open: {fr: À instruire, en: Open}
  examples:
    - {name: "Sans fait, à instruire", input: {}, expect: open}
"""
    )
    path = write(tmp_path, text)
    ext = load_typology(path)
    state = complete()
    state["members"] = [m for m in state["members"] if m["kind"] != "local_authority"]
    state["partners_complete"] = True  # no partner either: M8 of the base fails
    assert classify(state, BASE).outcome == "not_ptce"
    assert classify(state, ext).outcome == "eligible"
    assert check_typology(path) == []


def test_extension_of_an_extension(tmp_path: Path) -> None:
    """Extensions chain; each level's changes apply, ids and versions are the last one's."""
    first = write(tmp_path, ADD, "first.yaml")
    second = write(
        tmp_path,
        HEAD.replace("typology: ext", "typology: second").replace("labo-ess-ptce", first.name)
        + "parameters: {min_organisations: 10}\ndrop: [T5]\n",
        "second.yaml",
    )
    typology = load_typology(second)
    assert typology.id == "second"
    assert "R1" in [c.id for c in typology.criteria]
    assert "T5" not in [c.id for c in typology.criteria]
    assert classify(complete(), typology).outcome == "not_ptce"
    assert all(r.passed for r in run_examples(typology))


def test_relative_path_is_read_from_the_extending_file(tmp_path: Path) -> None:
    """A path in `extends` starts at the extending file's folder, not the working folder."""
    shutil.copy(TEST_RULES / "minimal.yaml", tmp_path / "base.yaml")
    (tmp_path / "calls").mkdir()
    path = write(
        tmp_path / "calls",
        HEAD.replace("labo-ess-ptce", "../base.yaml") + "parameters: {threshold: 0.8}\n",
    )
    typology = load_typology(path)
    assert typology.parameters == {"threshold": 0.8}
    assert [c.id for c in typology.criteria] == ["SHARE", "LOCAL"]


# ---------------------------------------------------------------- the rules hash


def test_hash_covers_the_extension_and_its_base(tmp_path: Path) -> None:
    """Changing the base or the extension changes the hash; an unchanged pair keeps it."""
    base = tmp_path / "base.yaml"
    shutil.copy(TEST_RULES / "minimal.yaml", base)
    ext = write(tmp_path, HEAD.replace("labo-ess-ptce", "base.yaml"))
    first = load_typology(ext).rules_hash
    assert load_typology(ext).rules_hash == first
    assert first != load_typology(base).rules_hash
    base.write_text(base.read_text().replace("Seuil", "Seuil retenu"), encoding="utf-8")
    second = load_typology(ext).rules_hash
    assert second != first
    ext.write_text(ext.read_text() + "description: {fr: D, en: D}\n", encoding="utf-8")
    assert load_typology(ext).rules_hash not in (first, second)


def test_hash_of_a_typology_given_new_parameters_still_covers_the_base(tmp_path: Path) -> None:
    """Re-parameterising a loaded extension keeps both files in the hash."""
    ext = load_typology(write(tmp_path, HEAD + "drop: [T2]\n"))
    verdict = classify(complete(), ext, {"min_jobs": 50})
    plain = classify(complete(), BASE, {"min_jobs": 50})
    assert verdict.rules_hash != plain.rules_hash
    assert verdict.rules_hash == load_typology(ext.file, {"min_jobs": 50}).rules_hash


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every file read from now on, by resolved path (shipped rule files included)."""
    reads: Counter[str] = Counter()
    read_bytes = Path.read_bytes

    def counting(path: Path) -> bytes:
        reads[str(path.resolve())] += 1
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return reads


def test_each_file_of_a_chain_is_read_once_per_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading or checking an extension reads it and each of its bases exactly once."""
    shutil.copy(TEST_RULES / "minimal.yaml", tmp_path / "base.yaml")
    first = write(tmp_path, HEAD.replace("labo-ess-ptce", "base.yaml"), "first.yaml")
    second = write(tmp_path, HEAD.replace("labo-ess-ptce", first.name), "second.yaml")
    shipped = write(tmp_path, ADD, "shipped.yaml")
    expected = {str(p.resolve()): 1 for p in (tmp_path / "base.yaml", first, second)}
    reads = _count_reads(monkeypatch)
    for run in (lambda: load_typology(second), lambda: check_typology(second)):
        reads.clear()
        run()
        assert dict(reads) == expected
    reads.clear()
    load_typology(shipped)
    assert sorted(reads.values()) == [1, 1]
    assert str(shipped.resolve()) in reads
    assert any(name.endswith(f"{BASE}.yaml") for name in reads)


def test_a_cycle_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file that closes a cycle is not read again to find it is already in the chain."""
    a = write(tmp_path, HEAD.replace("labo-ess-ptce", "b.yaml"), "a.yaml")
    b = write(tmp_path, HEAD.replace("labo-ess-ptce", "a.yaml"), "b.yaml")
    reads = _count_reads(monkeypatch)
    assert raises(a).code == "extends-cycle"
    assert dict(reads) == {str(a.resolve()): 1, str(b.resolve()): 1}


def test_a_base_changed_during_the_load_does_not_mix_two_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typology, its rules hash and its cache entry all come from the bytes read once.

    The base is rewritten just after it is read: the load still builds the typology from
    the version it read and hashes that version, and the next load sees the new one.
    """
    base = tmp_path / "base.yaml"
    shutil.copy(TEST_RULES / "minimal.yaml", base)
    ext = write(tmp_path, HEAD.replace("labo-ess-ptce", "base.yaml"))
    before = base.read_bytes()
    after = before.replace(b"default: 0.5", b"default: 0.7")
    read_bytes = Path.read_bytes

    def rewriting(path: Path) -> bytes:
        data = read_bytes(path)
        if path.resolve() == base.resolve() and data == before:
            base.write_bytes(after)
        return data

    monkeypatch.setattr(Path, "read_bytes", rewriting)
    typology = load_typology(ext)
    source = ext.read_bytes() + b"\0extends\0" + before
    assert typology.parameters == {"threshold": 0.5}
    assert typology.source == source
    assert typology.rules_hash == rules_hash(source, {"threshold": 0.5})
    again = load_typology(ext)
    assert again.parameters == {"threshold": 0.7}
    assert again.source == ext.read_bytes() + b"\0extends\0" + after


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "code", "fragment", "criterion"),
    [
        (HEAD.replace("labo-ess-ptce", "labo-ess-ptec"), "extends-not-found", "extends:", None),
        (HEAD.replace("labo-ess-ptce", "matray-poisat"), "extends-graded", "extends:", None),
        (HEAD + "parameters: {min_organisation: 6}\n", "unknown-override", "parameters:", None),
        (HEAD + "parameters:\n  min_jobs: many\n", "bad-parameter", "min_jobs", None),
        (HEAD + "drop:\n  - T2\n  - T9\n", "unknown-drop", "- T9", "T9"),
        (HEAD + "drop:\n  - M3\n", "dropped-in-verdict", "- M3", "M3"),
        (HEAD + "drop:\n  - X1\n", "dropped-in-verdict", "- X1", "X1"),
        (
            HEAD + SOURCE + GROUP + "criteria:\n" + R1.replace("id: R1", "id: M2"),
            "implicit-replace",
            "id: M2",
            "M2",
        ),
        (HEAD + SOURCE + GROUP + "criteria:\n" + R1, "unused-criterion", "id: R1", "R1"),
        (
            HEAD
            + SOURCE
            + GROUP
            + "criteria:\n"
            + R1.replace("id: R1", "id: R1\n    replaces: true")
            + "require: [R1]\n",
            "bad-extension",
            "replaces: true",
            "R1",
        ),
        (
            HEAD + "sources:\n  - {id: labo-ess-2012, title: again}\n",
            "bad-extension",
            "id: labo-ess-2012",
            None,
        ),
        (HEAD + "groups:\n  mandatory: {fr: M, en: M}\n", "bad-extension", "mandatory:", None),
        (ADD.replace("'country", "'contry"), "unknown-field", "contry", "R1"),
        (ADD.replace("require: [R1]", "require: [R2]"), "unknown-criterion", "require:", None),
        (
            ADD.replace("require: [R1]", "require: [R1, {all_of: nogroup}]"),
            "unknown-group",
            "require:",
            None,
        ),
        (HEAD + "dropp: [T2]\n", "schema", "dropp", None),
    ],
    ids=lambda v: v if isinstance(v, str) and "\n" not in v and len(v) < 20 else "",
)
def test_errors_name_the_extension_file_line_and_criterion(
    tmp_path: Path, text: str, code: str, fragment: str, criterion: str | None
) -> None:
    """Each mistake has its code, the extension's file, the offending line and criterion."""
    path = write(tmp_path, text)
    error = raises(path)
    assert error.code == code
    assert error.file == str(path)
    assert error.line == line_of(path, fragment)
    assert error.criterion == criterion
    assert [e.code for e in check_typology(path)][:1] == [code]


def test_override_suggests_the_parameter_meant(tmp_path: Path) -> None:
    """A misspelt override lists the base's parameters and suggests the nearest."""
    error = raises(write(tmp_path, HEAD + "parameters: {min_organisation: 6}\n"))
    assert error.suggestion == "min_organisations"
    assert "min_jobs" in (error.expected or "")


def test_require_and_verdict_together_is_an_error(tmp_path: Path) -> None:
    """`require` only makes sense over the base verdict."""
    verdict = (
        "verdict:\n  condition: R1\n  outcomes: {met: a, not_met: b, unknown: c}\n"
        "  labels: {a: {fr: A, en: A}, b: {fr: B, en: B}, c: {fr: C, en: C}}\n"
    )
    path = write(tmp_path, ADD + verdict)
    error = raises(path)
    assert (error.code, error.line) == ("bad-extension", line_of(path, "require:"))


@pytest.mark.parametrize("loop", ["self", "pair"])
def test_cycles_are_errors(tmp_path: Path, loop: str) -> None:
    """A file that extends itself, or two that extend each other, fail with the chain."""
    a = tmp_path / "a.yaml"
    if loop == "self":
        write(tmp_path, HEAD.replace("labo-ess-ptce", "a.yaml"), "a.yaml")
        culprit = a
    else:
        write(tmp_path, HEAD.replace("labo-ess-ptce", "b.yaml"), "a.yaml")
        culprit = write(tmp_path, HEAD.replace("labo-ess-ptce", "a.yaml"), "b.yaml")
    error = raises(a)
    assert error.code == "extends-cycle"
    assert error.file == str(culprit)
    assert error.line == line_of(culprit, "extends:")
    assert "a.yaml" in (error.found or "")
    assert [e.code for e in check_typology(a)] == ["extends-cycle"]


def test_error_in_an_inherited_criterion_names_the_base_file(tmp_path: Path) -> None:
    """An override that no longer fits a base criterion is reported where that criterion is."""
    error = raises(write(tmp_path, HEAD + "parameters: {ess_kinds: [cooperative]}\n"))
    assert error.code == "unknown-value"
    assert error.file == "rules/labo-ess-ptce.yaml"
    assert error.criterion == "M1"
    assert error.line == line_of(
        ROOT / "rules" / "labo-ess-ptce.yaml", "- 'true in [m.kind in params.ess_kinds"
    )


def test_check_lists_every_extension_error(tmp_path: Path) -> None:
    """`poletype validate` shows all the extension's mistakes at once, in file order."""
    path = write(tmp_path, HEAD + "parameters: {min_organisation: 6}\ndrop: [T9, M1]\n")
    errors = check_typology(path)
    assert [e.code for e in errors] == ["unknown-override", "dropped-in-verdict", "unknown-drop"]
    assert all(e.file == str(path) for e in errors)


# ---------------------------------------------------------------- examples


def test_inherited_examples_run_with_the_base_values(tmp_path: Path) -> None:
    """Kept criteria's examples run with the base's thresholds; the base verdict's do not run."""
    ext = load_typology(write(tmp_path, HEAD + "parameters: {min_organisations: 10}\n"))
    base = load_typology(BASE)
    m2 = ext.criterion("M2").spec.examples
    assert [e.params for e in m2] == [
        {"min_organisations": 5, **e.params} for e in base.criterion("M2").spec.examples
    ]
    assert all(not e.params for e in ext.criterion("M1").spec.examples)
    results = run_examples(ext)
    assert all(r.passed for r in results)
    assert not [r for r in results if r.criterion is None]
    assert len(results) == len([r for r in run_examples(base) if r.criterion is not None])


def test_inherited_descriptor_examples_run_with_the_base_values(tmp_path: Path) -> None:
    """A descriptor that reads an overridden parameter keeps passing its own examples."""
    text = HEAD.replace("labo-ess-ptce", "geces-2021") + "parameters: {small_countries: [FR]}\n"
    ext = load_typology(write(tmp_path, text))
    results = run_examples(ext)
    assert [r for r in results if r.criterion == "small_country"]
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    initiative = {"name": "P", "country": "FR"}
    described = {d.id: d.value for d in classify(initiative, ext).descriptors or []}
    assert described["small_country"] == "small"


def test_shipped_call_is_sound_and_its_examples_pass() -> None:
    """The example call validates, and its own and inherited examples all pass."""
    assert check_typology(CALL) == []
    typology = load_typology(CALL)
    results = run_examples(typology)
    assert results
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    by = {(r.criterion, r.got) for r in results}
    assert {("R1", "met"), ("R1", "not_met"), ("R1", "unknown")} <= by
    assert {(None, "ptce"), (None, "not_ptce"), (None, "indeterminate")} <= by
    spec = typology.criterion("R1").spec
    assert spec.source.document in {s.id for s in typology.spec.sources}
    assert spec.label.fr
    assert spec.label.en


def test_shipped_call_adds_overrides_drops_and_requires() -> None:
    """The example does what its comments say, relative to the Labo de l'ESS grid."""
    call, base = load_typology(CALL), load_typology(BASE)
    assert [c.id for c in call.criteria] == [
        *(c.id for c in base.criteria if c.id != "T2"),
        "R1",
    ]
    assert call.parameters["min_organisations"] == 6
    assert call.parameters["min_jobs"] == 20
    assert classify(complete(scale="national"), base).outcome == "ptce"
    assert classify(complete(scale="national"), call).outcome == "not_ptce"


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_shipped_call_classifies_every_example(path: Path) -> None:
    """Every shipped initiative classifies under the call, never better than under the base."""
    from poletype import read_initiative

    initiative = read_initiative(path)
    call = classify(initiative, CALL)
    base = classify(initiative, BASE)
    assert call.typology == "appel-ptce-region-2026"
    assert call.outcome in {"ptce", "not_ptce", "indeterminate"}
    if base.outcome == "not_ptce":
        assert call.outcome == "not_ptce"
    if call.outcome == "ptce":
        assert base.outcome == "ptce"


def test_the_example_globs_do_not_see_the_call() -> None:
    """examples/*.yaml are initiatives: the call lives in a subfolder the globs skip."""
    assert CALL not in example_files()
    assert CALL.parent.parent == EXAMPLES


def test_commands_work_on_an_extension(capsys: pytest.CaptureFixture[str]) -> None:
    """validate, test, explain and classify take the call's path."""
    assert main(["validate", str(CALL)]) == 0
    assert "rule file OK" in capsys.readouterr().out
    assert main(["test", str(CALL)]) == 0
    assert "0 failed" in capsys.readouterr().out
    assert main(["explain", str(CALL)]) == 0
    out = capsys.readouterr().out
    assert "R1" in out
    assert "  T2  " not in out
    assert main(["classify", "--typology", str(CALL), str(COMPLETE)]) == 0
    assert "Verdict : PTCE" in capsys.readouterr().out


# ---------------------------------------------------------------- laws

BASE_TYPOLOGY = load_typology(BASE)
NO_CHANGE = Path(__file__).parent / "rules" / "extends-nothing.yaml"
MANDATORY = Path(__file__).parent / "rules" / "extends-mandatory.yaml"


@given(initiatives())
def test_an_extension_that_changes_nothing_changes_no_verdict(initiative: Initiative) -> None:
    """Same outcome, same criteria with the same statuses and missing facts."""
    ours = classify(initiative, load_typology(NO_CHANGE))
    theirs = classify(initiative, BASE_TYPOLOGY)
    assert ours.outcome == theirs.outcome
    assert statuses(ours) == statuses(theirs)
    assert ours.missing == theirs.missing
    assert ours.scores == theirs.scores


@given(initiatives())
def test_mandatory_additions_never_turn_a_rejection_into_a_pass(initiative: Initiative) -> None:
    """Requiring more can only lose the positive outcome, never gain it."""
    ours = classify(initiative, load_typology(MANDATORY))
    theirs = classify(initiative, BASE_TYPOLOGY)
    if theirs.outcome == "not_ptce":
        assert ours.outcome == "not_ptce"
    if ours.outcome == "ptce":
        assert theirs.outcome == "ptce"
    base_statuses = statuses(theirs)
    assert {k: v for k, v in statuses(ours).items() if k in base_statuses} == base_statuses


def test_law_fixtures_are_extensions() -> None:
    """The fixtures the laws use are what their names say."""
    nothing, mandatory = load_typology(NO_CHANGE), load_typology(MANDATORY)
    assert isinstance(nothing, Typology)
    assert [c.id for c in nothing.criteria] == [c.id for c in BASE_TYPOLOGY.criteria]
    added = [c.id for c in mandatory.criteria if c.id not in {c.id for c in BASE_TYPOLOGY.criteria}]
    assert added == ["R1", "R2"]
    assert check_typology(MANDATORY) == []
