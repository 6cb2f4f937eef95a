"""Typology hypotheses as propositions: supports, contradicts, cannot say, out of scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES
from poletype import Initiative, RuleFileError, UsageError, check_hypotheses, read_initiative
from poletype.cli import main

ESS = {"kind": "ess_association"}
OWN = """\
hypotheses: mine
version: "1"
title: {fr: Les miennes, en: Mine}
sources: [{id: me, title: Me}]
parameters:
  min_members:
    default: 3
    doc: {fr: "Seuil.", en: "Threshold."}
propositions:
  - id: BIG
    statement: {fr: "Les pôles sont grands.", en: "Poles are big."}
    source: {document: me, section: "1"}
    scope: 'true in [m.kind == "ess_association" for m in members]'
    claim: 'members.length >= params.min_members'
"""


def _case(name: str, **facts: object) -> Initiative:
    return Initiative.model_validate({"name": name, **facts})


def test_each_case_lands_in_exactly_one_reading(tmp_path: Path) -> None:
    """In scope and known: supports or contradicts; unknown: cannot say; else out of scope."""
    path = tmp_path / "mine.yaml"
    path.write_text(OWN, encoding="utf-8")
    cases = [
        _case("big", members=[ESS, ESS, ESS]),
        _case("small", members=[ESS]),
        _case("unknown kind", members=[{"name": "x"}, {"kind": "sme"}]),
        _case("no ESS", members=[{"kind": "sme"}] * 4),
        _case("nothing"),
    ]
    report = check_hypotheses(cases, path)
    (big,) = report.propositions
    assert big.supports == ["big"]
    assert big.contradicts == ["small"]
    assert big.cannot_say == ["unknown kind", "nothing"]
    assert big.not_applicable == ["no ESS"]
    stricter = check_hypotheses(cases, path, {"min_members": 4}).propositions[0]
    assert stricter.contradicts == ["big", "small"]


def test_a_misspelt_field_in_a_hypotheses_file_names_the_line(tmp_path: Path) -> None:
    """Hypotheses files are checked like rule files."""
    path = tmp_path / "bad.yaml"
    path.write_text(OWN.replace("members.length", "member.length"), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        check_hypotheses([], path)
    assert info.value.code == "unknown-field"
    assert info.value.line == 14
    assert info.value.criterion == "BIG"


def test_shipped_hypotheses_on_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """Gianfaldoni's five hypotheses, each case counted once per proposition."""
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert main(["hypotheses", *map(str, files), "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in report["propositions"]] == ["H1", "H2", "H3", "H4", "H5"]
    names = sorted(i.id or i.name for i in map(read_initiative, files))
    for prop in report["propositions"]:
        buckets = ("supports", "contradicts", "cannot_say", "not_applicable")
        assert sorted(n for b in buckets for n in prop[b]) == names
    complete = check_hypotheses([read_initiative(EXAMPLES / "pole-exemple-complet.yaml")])
    assert complete.propositions[0].supports == ["EXEMPLE-001"]  # keyed by id
    assert main(["hypotheses", str(files[0])]) == 0
    assert "H5" in capsys.readouterr().out


def test_cases_are_keyed_by_id_and_duplicates_stay_distinct(tmp_path: Path) -> None:
    """Two initiatives of one name are two cases; an id is the key when given."""
    path = tmp_path / "mine.yaml"
    path.write_text(OWN, encoding="utf-8")
    cases = [
        _case("twin", members=[ESS] * 3),
        _case("twin", members=[ESS]),
        _case("named", id="ID-9", members=[ESS] * 3),
    ]
    report = check_hypotheses(cases, path)
    assert report.initiatives == ["twin", "twin (2)", "ID-9"]
    assert report.names == ["twin", "twin", "named"]
    (big,) = report.propositions
    assert big.supports == ["twin", "ID-9"]
    assert big.contradicts == ["twin (2)"]
    assert report.rules_hash.startswith("sha256:")
    assert report.poletype_version
    other = check_hypotheses(cases, path, {"min_members": 4})
    assert other.rules_hash != report.rules_hash


def test_summary_rates_per_group_and_what_would_settle(tmp_path: Path) -> None:
    """Rates add up to 1 over the cases in scope; a "cannot say" names its unknown facts."""
    path = tmp_path / "mine.yaml"
    path.write_text(OWN, encoding="utf-8")
    cases = [
        _case("a", country="FR", members=[ESS] * 3),
        _case("b", country="FR", members=[ESS]),
        _case("c", country="BE", members=[{"name": "x"}, ESS]),
        _case("d", country="BE"),
        _case("e", country="BE", members=[{"kind": "sme"}]),
    ]
    report = check_hypotheses(cases, path)
    rows = {r.group: r for r in report.summary(by="initiative.country")}
    assert (rows["FR"].support_rate, rows["FR"].contradiction_rate) == (0.5, 0.5)
    be = rows["BE"]
    assert (be.cases, be.not_applicable, be.contradicts, be.cannot_say) == (3, 1, 1, 1)
    assert (be.contradiction_rate, be.cannot_say_share) == (0.5, 0.5)
    assert report.propositions[0].settle == {"d": ["members"]}
    by_map = report.summary(by={"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"})
    assert [r.group for r in by_map] == ["x", "y"]
    by_call = report.summary(by=lambda i: len(i.members or []) > 1)
    assert {r.group for r in by_call} == {"True", "False"}
    ptce = report.summary()  # by labo-ess-ptce outcome
    assert sum(r.cases for r in ptce) == 5


def test_to_frame_has_one_row_per_case_and_proposition(tmp_path: Path) -> None:
    """The long table a researcher pivots; "cannot say" rows carry the settling facts."""
    pytest.importorskip("pandas")
    path = tmp_path / "mine.yaml"
    path.write_text(OWN, encoding="utf-8")
    report = check_hypotheses([_case("a", members=[ESS] * 3), _case("d")], path)
    frame = report.to_frame()
    assert list(frame["case"]) == ["a", "d"]
    assert list(frame["reading"]) == ["supports", "cannot_say"]
    assert list(frame["settle"]) == ["", "members"]
    assert list(frame["scope"]) == ["in", "in"]


def test_cli_shows_rates(capsys: pytest.CaptureFixture[str]) -> None:
    """The text report ends with the rates per PTCE verdict."""
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert main(["hypotheses", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "rates by labo-ess-ptce" in out
    assert "not_ptce" in out


def _pole(name: str, **facts: object) -> Initiative:
    """A pole that meets every Labo de l'ESS mandatory criterion, unless ``facts`` say not."""
    complete: dict[str, object] = {
        "voluntary": True,
        "members": [
            {"kind": "ess_association", "local": True},
            {"kind": "ess_cooperative", "local": True},
            {"kind": "ess_cooperative", "local": True},
            {"kind": "sme", "local": True, "size": "small"},
            {"kind": "local_authority", "local": True},
        ],
        "strategy": {"shared": True, "formalised": True, "territorial": True},
        "local_integration": {"local_networks": True},
        "activities": {"social_utility_share": 0.7, "primary_function": "production"},
        "commitment": {"long_term": True, "single_project": False},
        "pooling": {"resources": ["premises"]},
    }
    return _case(name, **{**complete, **facts})


def test_the_shipped_scope_is_what_labo_ess_ptce_does_not_rule_out() -> None:
    """An observatory or a one-off creation collective with ESS members confirms nothing."""
    cases = [
        _pole("pole"),
        _pole("observatory", activities={"primary_function": "observation"}),
        _pole("one-off", commitment={"single_project": True}),
    ]
    report = check_hypotheses(cases)
    h1 = report.propositions[0]
    assert h1.supports == ["pole"]
    assert h1.not_applicable == ["observatory", "one-off"]
    assert report.scope.typology == "labo-ess-ptce"
    assert report.scope.out == "not_ptce"
    assert report.scope.outside == ["observatory", "one-off"]
    assert report.scope.undecided == []


def test_an_undecided_case_is_read_in_scope_and_flagged() -> None:
    """labo-ess-ptce indeterminate: the claims are read, and the case is named as such."""
    undecided = _pole("undecided", activities={"primary_function": "production"})
    report = check_hypotheses([undecided, _pole("pole")])
    assert report.scope.undecided == ["undecided"]
    h1 = report.propositions[0]
    assert h1.supports == ["undecided", "pole"]
    assert "undecided" not in h1.not_applicable
    assert "lu dans la portée et signalé (1 cas)" in report.scope.reading.fr
    assert "read in scope and flagged (1 cases)" in report.scope.reading.en


def test_the_scope_is_a_parameter() -> None:
    """``all`` tests every case; another crisp typology draws another line."""
    cases = [_pole("pole"), _pole("observatory", activities={"primary_function": "observation"})]
    everyone = check_hypotheses(cases, params={"scope": "all"})
    assert everyone.scope.typology is None
    assert everyone.scope.reading.en == "Scope: every initiative."
    assert everyone.propositions[0].not_applicable == []
    assert everyone.rules_hash != check_hypotheses(cases).rules_hash
    legal = check_hypotheses(cases, params={"scope": "loi-ess-2014-art9"})
    assert legal.scope.typology == "loi-ess-2014-art9"
    assert legal.scope.out == "not_ptce_within_the_law"


@pytest.mark.parametrize(
    ("scope", "found"),
    [("labo-ess", "no typology"), ("matray-poisat", "graded")],
)
def test_a_scope_that_rules_nothing_out_is_refused(scope: str, found: str) -> None:
    """An unknown typology, or a graded one, cannot decide which cases are in scope."""
    with pytest.raises(UsageError) as info:
        check_hypotheses([_pole("pole")], params={"scope": scope})
    assert info.value.code == "bad-parameter"
    assert found in info.value.message


def test_the_text_report_says_how_undecided_cases_are_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The scope sentence and the flagged cases head the terminal report."""
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert main(["hypotheses", *map(str, files), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Scope: the initiatives labo-ess-ptce does not rule out." in out
    assert "is read in scope and flagged" in out
