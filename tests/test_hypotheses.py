"""Typology hypotheses as propositions: supports, contradicts, cannot say, out of scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES
from poletype import Initiative, RuleFileError, check_hypotheses, read_initiative
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


def test_cli_shows_rates(capsys: pytest.CaptureFixture[str]) -> None:
    """The text report ends with the rates per PTCE verdict."""
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert main(["hypotheses", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "rates by labo-ess-ptce" in out
    assert "not_ptce" in out
