"""Rounds: answers merged by id, what changed said, the officer's columns kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import EXAMPLES
from poletype._render.rounds import merged, read_previous
from poletype.cli import main
from poletype.errors import SetupError
from poletype.model import Initiative

CANDIDATURES = EXAMPLES / "screening" / "candidatures.csv"


def test_a_stated_fact_wins_an_absent_one_keeps() -> None:
    before = {"name": "P", "jobs": 3, "strategy": {"shared": True, "formalised": False}}
    after = {"name": "P", "strategy": {"formalised": True}, "members": []}
    assert merged(before, after) == {
        "name": "P",
        "jobs": 3,
        "strategy": {"shared": True, "formalised": True},
    }


def test_a_second_round_merges_answers_and_says_what_changed(tmp_path: Path) -> None:
    first = tmp_path / "r1"
    assert main(["screen", str(CANDIDATURES), "--out", str(first)]) == 0
    book = load_workbook(first / "verdicts.xlsx")
    sheet = book.active
    assert sheet is not None
    sheet.cell(2, sheet.max_column - 1).value = "Retenue"
    sheet.cell(7, sheet.max_column).value = "Relancer en mai"
    book.save(first / "verdicts.xlsx")
    answers = tmp_path / "reponses.csv"
    answers.write_text(
        "id;name;activities.social_utility_share;jobs\n"
        "CAND-02;Coopérative alimentaire du Val d'Orge;0,6;\n"
        "CAND-99;Nouveau pôle;;\n",
        encoding="utf-8",
    )
    second = tmp_path / "r2"
    command = ["screen", str(answers), "--previous", str(first), "--out", str(second)]
    assert main([*command, "--csv-columns", "codes"]) == 0
    text = (second / "verdicts.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    by_id = {r["id"]: r for r in rows}
    assert list(rows[0])[-3:] == ["change", "notes", "error"]
    assert len(rows) == 7  # the six of the first round, one new
    cand02 = by_id["CAND-02"]
    assert cand02["labo-ess-ptce.outcome"] == "ptce"  # 0,3 -> 0,6 and the rest kept
    assert "issue changée : Pas un PTCE → PTCE" in cand02["change"]
    assert "(Part d'utilité sociale)" in cand02["change"]  # the field's label, not its path
    assert "labo-ess-ptce" not in cand02["change"]
    assert by_id["CAND-99"]["change"] == "nouvelle"
    assert by_id["CAND-01"]["change"] == ""
    page = (second / "rapport.html").read_text(encoding="utf-8")
    assert "Changements depuis le tour précédent" in page
    assert "1 candidature(s) dont l&#x27;issue a changé" in page or (
        "1 candidature(s) dont l'issue a changé" in page
    )
    in_words = tmp_path / "r3"
    assert main([*command[:-1], str(in_words)]) == 0
    text = (in_words / "verdicts.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[-3:] == ["changement depuis le tour précédent", "cellules non lues", "erreur"]
    kept = load_workbook(second / "verdicts.xlsx").active
    assert kept is not None
    notes = {
        kept.cell(r, 2).value: (
            kept.cell(r, kept.max_column - 1).value,
            kept.cell(r, kept.max_column).value,
        )
        for r in range(2, kept.max_row + 1)
    }
    assert notes["CAND-01"] == ("Retenue", None)
    assert notes["CAND-06"] == (None, "Relancer en mai")


def test_no_previous_results_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError) as caught:
        read_previous(tmp_path)
    assert caught.value.code == "no-previous-results"


def test_new_members_come_with_their_own_list_facts() -> None:
    """An old member_count does not outlive the list it described (format 1.1)."""
    before = {
        "name": "P",
        "members": [{"kind": "sme"}],
        "member_count": 2,
        "members_complete": False,
    }
    after = {
        "name": "P",
        "members": [{"kind": "sme"}, {"kind": "sme"}, {"kind": "ess_association"}],
    }
    both = merged(before, after)
    assert "member_count" not in both
    assert "members_complete" not in both
    assert Initiative.model_validate(both).members is not None
    kept = merged(before, {"name": "P", "jobs": 3})
    assert kept["member_count"] == 2


def test_a_round_keeps_the_rows_it_cannot_name_and_the_cells_still_unread(tmp_path: Path) -> None:
    """No applicant is lost between rounds, and no problem is forgotten while unanswered.

    A row without an id and a row in error cannot be merged by id: they are carried
    as they were. A cell the first round could not read stays noted on its applicant
    until the answers state that fact; the answers of another applicant do not clear it.
    """
    first_input = tmp_path / "appel.csv"
    first_input.write_text(
        "id;name;founded;jobs\n"
        "A1;Pôle Un;15/03/2016;12,5\n"
        ";Pôle sans identifiant;2010;3\n"
        "A3;;2012;4\n"
        "A4;Pôle Quatre;2011;5\n",
        encoding="utf-8",
    )
    first = tmp_path / "r1"
    assert main(["screen", str(first_input), "--out", str(first)]) == 1
    answers = tmp_path / "reponses.csv"
    answers.write_text("id;name;jobs\nA1;Pôle Un;12\nA4;Pôle Quatre;6\n", encoding="utf-8")
    second = tmp_path / "r2"
    command = ["screen", str(answers), "--previous", str(first), "--out", str(second)]
    assert main(command) == 1  # A3 is still in error
    text = (second / "verdicts.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert sorted(r["nom"] for r in rows) == ["", "Pôle Quatre", "Pôle Un", "Pôle sans identifiant"]
    by_name = {r["nom"]: r for r in rows}
    notes = by_name["Pôle Un"]["cellules non lues"]
    assert "Année de création (C2)" in notes  # founded: still unanswered
    assert "Emplois" not in notes  # jobs: answered in the second round
    assert by_name[""]["identifiant"] == "A3"
    assert by_name[""]["erreur"].startswith("Nom (B4)")
