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
    names = sorted(read_initiative(f).name for f in files)
    for prop in report["propositions"]:
        buckets = ("supports", "contradicts", "cannot_say", "not_applicable")
        assert sorted(n for b in buckets for n in prop[b]) == names
    complete = check_hypotheses([read_initiative(EXAMPLES / "pole-exemple-complet.yaml")])
    assert complete.propositions[0].supports == ["Pôle Exemple Complet (fictif)"]
    assert main(["hypotheses", str(files[0])]) == 0
    assert "H5" in capsys.readouterr().out
