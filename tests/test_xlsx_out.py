"""verdicts.xlsx: the workbook an officer works in, one line per row, safe to open."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from poletype._read.data import load
from poletype._render.html import outcome_class
from poletype._render.outputs import write_screening
from poletype._render.workbook import read_decisions, row_key, write_xlsx
from poletype._screening.header import CellNote
from poletype._screening.screen import Screening, screen, screening_typologies
from poletype.rulefile import Text


@pytest.fixture(scope="module")
def screening(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """Four applicants: one named like a formula, one without a name, one PTCE-like, one empty."""
    source = tmp_path_factory.mktemp("call") / "appel.csv"
    source.write_text(
        "id;name;stage;voluntary;activities.social_utility_share;strategy.shared\n"
        "A1;=SUM(A1:A9)*2;emerging;oui;0,6;oui\n"
        "A2;;mature;oui;0,6;\n"
        "A3;Pôle Trois;project;non;0,3;non\n"
        "A4;@Pôle Quatre;;;;\n",
        encoding="utf-8",
    )
    return screen(source, screening_typologies(["labo-ess-ptce"]))


def _sheet(path: Path) -> Any:
    return load_workbook(path).active


def _write(screening: Screening, path: Path, **options: Any) -> Any:
    write_xlsx(screening, path, "fr", outcome_class=outcome_class, **options)
    return _sheet(path)


def test_one_line_per_row_french_headers_frozen_filtered(
    screening: Screening, tmp_path: Path
) -> None:
    sheet = _write(screening, tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    assert head[:3] == ["Ligne", "Identifiant", "Nom"]
    assert "Issue — Caractérisation des PTCE selon le Labo de l'ESS" in head
    assert "Score de solidité" in head
    assert "M5 Une majorité d'activités d'utilité sociale reconnue" in head
    assert head[-4:] == ["Cellules non lues", "Erreur", "Décision", "Notes"]
    assert sheet.max_row == 1 + len(screening.rows)
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == [
        row.row for row in screening.rows
    ]
    assert sheet.freeze_panes == "D2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(head)).column_letter}5"
    assert any("Retenue" in (v.formula1 or "") for v in sheet.data_validations.dataValidation)
    error = next(i for i, row in enumerate(screening.rows, start=2) if row.failed)
    assert sheet.cell(error, head.index("Erreur") + 1).value == "Nom (B3) : obligatoire, mais vide"
    for r in range(2, sheet.max_row + 1):  # the officer's columns start empty
        assert sheet.cell(r, len(head)).value is None
        assert sheet.cell(r, len(head) - 1).value is None


def test_outcomes_coloured_and_score_a_number(screening: Screening, tmp_path: Path) -> None:
    sheet = _write(screening, tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    outcome = head.index("Issue — Caractérisation des PTCE selon le Labo de l'ESS") + 1
    score = head.index("Score de solidité") + 1
    fills = {}
    for r, row in enumerate(screening.rows, start=2):
        cell = sheet.cell(r, outcome)
        fills[cell.value] = cell.fill.start_color.rgb[-6:]
        if not row.failed:
            assert cell.value == row.findings[0].verdict.outcome_label.fr
            assert sheet.cell(r, score).value == row.findings[0].verdict.scores[0].met
            assert isinstance(sheet.cell(r, score).value, int)
    assert fills["Pas un PTCE"] == "FBE9E7"
    assert fills["Indéterminé"] == "FDF1D8"
    assert fills["Erreur"] == "E9EBEE"


def test_formula_like_text_stays_text(screening: Screening, tmp_path: Path) -> None:
    """A name starting with = or @ is a string cell with Excel's quote prefix, as typed."""
    sheet = _write(screening, tmp_path / "v.xlsx")
    names = {sheet.cell(r, 3).value: sheet.cell(r, 3) for r in range(2, sheet.max_row + 1)}
    formula = names["=SUM(A1:A9)*2"]
    assert formula.data_type == "s"
    assert formula.quotePrefix
    assert names["@Pôle Quatre"].data_type == "s"
    assert names["@Pôle Quatre"].quotePrefix
    assert not names["Pôle Trois"].quotePrefix


def test_carried_columns_follow_the_name(tmp_path: Path) -> None:
    """The funder's columns reading carries through keep their headers, after the name."""
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;Courriel;stage;Référent\n"
        "A1;Pôle Un;=1+1;emerging;Mme A\n"
        "A2;Pôle Deux;;project;\n"
        "A3;Pôle Trois;c@example.org;project;\n",
        encoding="utf-8",
    )
    screening = screen(source, screening_typologies(["labo-ess-ptce"]))
    assert screening.extra_columns == ["Courriel", "Référent"]
    sheet = _write(screening, tmp_path / "v.xlsx")
    assert [c.value for c in sheet[1]][3:6] == [
        "Courriel",
        "Référent",
        "Issue — Caractérisation des PTCE selon le Labo de l'ESS",
    ]
    assert sheet.cell(2, 4).value == "=1+1"
    assert sheet.cell(2, 4).data_type == "s"
    assert sheet.cell(2, 5).value == "Mme A"
    assert sheet.cell(4, 4).value == "c@example.org"
    assert sheet.cell(3, 4).value is None


def test_decisions_are_read_back_by_id(screening: Screening, tmp_path: Path) -> None:
    """What an officer wrote in Décision and Notes is found again, in either language."""
    path = tmp_path / "v.xlsx"
    sheet = _write(screening, path)
    width = sheet.max_column
    sheet.cell(2, width - 1).value = "Retenue"
    sheet.cell(4, width).value = "Appeler la présidente"
    sheet.parent.save(path)
    decisions = read_decisions(path)
    assert decisions == {
        row_key(screening.rows[0]): ("Retenue", ""),
        row_key(screening.rows[2]): ("", "Appeler la présidente"),
    }
    english = tmp_path / "en.xlsx"
    write_xlsx(screening, english, "en", outcome_class=outcome_class, decisions=decisions)
    again = _sheet(english)
    assert [c.value for c in again[1]][-2:] == ["Decision", "Notes"]
    assert again.cell(2, again.max_column - 1).value == "Retenue"
    assert read_decisions(english) == decisions
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    assert read_decisions(tmp_path / "broken.xlsx") == {}


def test_written_beside_the_csv(screening: Screening, tmp_path: Path) -> None:
    paths = write_screening(screening, tmp_path / "out", "fr")
    assert [p.name for p in paths] == [
        "rapport.html",
        "verdicts.csv",
        "verdicts.jsonl",
        "verdicts.xlsx",
    ]


@pytest.fixture(scope="module")
def noted(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """Three applicants: two bad cells on the first, one on the third, none on the second."""
    source = tmp_path_factory.mktemp("noted") / "appel.csv"
    source.write_text(
        "id;name;stage;founded;voluntary\n"
        "A1;Pôle Un;mûr;15/03/2016;oui\n"
        "A2;Pôle Deux;emerging;2016;oui\n"
        "A3;Pôle Trois;emerging;2016;peut-être\n",
        encoding="utf-8",
    )
    return screen(source, screening_typologies(["labo-ess-ptce"]))


def _column(sheet: Any, header: str) -> list[Any]:
    head = [c.value for c in sheet[1]]
    index = head.index(header) + 1
    return [sheet.cell(r, index).value for r in range(2, sheet.max_row + 1)]


def test_cell_notes_say_the_field_the_cell_what_was_read_and_why(
    noted: Screening, tmp_path: Path
) -> None:
    """One line per unread cell, in the workbook's language; empty for a clean row."""
    french = _column(_write(noted, tmp_path / "fr.xlsx"), "Cellules non lues")
    first, second, third = french
    stage, founded = first.split("\n")
    assert stage.startswith("Stade (C2) : attendu : ")
    assert stage.endswith("trouvé « mûr »")
    assert founded == "Année de création (D2) : attendu : une année (2016) ; trouvé « 15/03/2016 »"
    assert second is None
    assert third.startswith("Regroupement volontaire (E4) : attendu : oui ou non")
    assert "« peut-être »" in third
    write_xlsx(noted, tmp_path / "en.xlsx", "en", outcome_class=outcome_class)
    english = _column(_sheet(tmp_path / "en.xlsx"), "Cells not read")
    assert english[0].split("\n")[1] == (
        "Year founded (D2): expected a year (2016), found '15/03/2016'"
    )


def test_a_cell_note_that_reads_like_a_formula_stays_text(noted: Screening, tmp_path: Path) -> None:
    """A note is written as text with Excel's quote prefix when it starts like a formula."""
    hostile = CellNote(None, None, Text(fr="=HYPERLINK(1)", en="=HYPERLINK(1)"))
    rows = (dataclasses.replace(noted.rows[1], notes=(hostile,)), *noted.rows[1:])
    sheet = _write(dataclasses.replace(noted, rows=rows), tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    cell = sheet.cell(2, head.index("Cellules non lues") + 1)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_the_officers_columns_survive_a_round_beside_the_cell_notes(
    noted: Screening, tmp_path: Path
) -> None:
    """Décision and Notes are found by header: the notes column before them moves nothing,
    and a workbook written before that column existed is read back the same."""
    path = tmp_path / "r1.xlsx"
    sheet = _write(noted, path)
    width = sheet.max_column
    sheet.cell(2, width - 1).value = "À compléter"
    sheet.cell(2, width).value = "Demander la date de création"
    sheet.cell(4, width).value = "Relancer"
    sheet.parent.save(path)
    decisions = read_decisions(path)
    assert decisions == {
        "id:A1": ("À compléter", "Demander la date de création"),
        "id:A3": ("", "Relancer"),
    }
    again = _write(noted, tmp_path / "r2.xlsx", decisions=decisions)
    assert _column(again, "Décision") == ["À compléter", None, None]
    assert _column(again, "Notes") == ["Demander la date de création", None, "Relancer"]
    assert _column(again, "Cellules non lues")[0].startswith("Stade (C2)")
    older = tmp_path / "older.xlsx"
    sheet = _write(noted, older, decisions=decisions)
    head = [c.value for c in sheet[1]]
    sheet.delete_cols(head.index("Cellules non lues") + 1)
    sheet.parent.save(older)
    assert "Cellules non lues" not in [c.value for c in _sheet(older)[1]]
    assert read_decisions(older) == decisions


def test_exclusions_read_apply_or_not_never_unmet(tmp_path: Path) -> None:
    """An exclusion that does not apply is good news: "Ne s'applique pas", as in the CSV.

    "Non satisfait" under X1…X5 read as a failed criterion to an officer filtering the
    column; the statuses of the other criteria keep their words.
    """
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;activities.primary_function;commitment.single_project;"
        "activities.social_utility_share\n"
        "A1;Pôle Un;production;non;0,6\n",
        encoding="utf-8",
    )
    sheet = _write(screen(source, screening_typologies(["labo-ess-ptce"])), tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    cells = {h: sheet.cell(2, i + 1).value for i, h in enumerate(head)}
    exclusions = [h for h in head if h and h[:1] == "X" and h[1:2].isdigit()]
    assert exclusions
    assert {cells[h] for h in exclusions} == {"Ne s'applique pas"}
    assert cells["M5 Une majorité d'activités d'utilité sociale reconnue"] == "Satisfait"


def test_what_keeps_it_out_is_spelt_out_and_statuses_are_the_reports_words(
    screening: Screening, tmp_path: Path
) -> None:
    """The column "Ce qui écarte" names each criterion with its label, as the report's list does
    (``M5 Une majorité…``), not a bare code; statuses are the report's own words."""
    sheet = _write(screening, tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    lacking = head.index("Ce qui écarte") + 1
    kept_out = next(
        r
        for r, row in enumerate(screening.rows, start=2)
        if row.findings and row.findings[0].lacking
    )
    cell = sheet.cell(kept_out, lacking).value
    codes = screening.rows[kept_out - 2].findings[0].lacking
    assert cell.split(" ; ")[0].startswith(f"{codes[0]} ")
    assert len(cell.split(" ; ")[0]) > len(codes[0]) + 5
    words = load("words")["screening"]
    statuses = {
        sheet.cell(r, c).value for r in range(2, sheet.max_row + 1) for c in range(1, len(head) + 1)
    }
    assert words["met"]["fr"] in statuses
    assert words["not_met"]["fr"] in statuses


def test_several_grids_headers_start_with_each_grids_title(tmp_path: Path) -> None:
    """With two grids, their columns are told apart by the grids' titles, not their ids."""
    source = tmp_path / "appel.csv"
    source.write_text("id;name\nA1;Pôle Un\n", encoding="utf-8")
    chosen = screening_typologies(["labo-ess-ptce", "loi-ess-2014-art9"])
    sheet = _write(screen(source, chosen), tmp_path / "v.xlsx")
    head = [c.value for c in sheet[1]]
    assert "Définition légale du PTCE — Questions à poser" in head
    assert "Caractérisation des PTCE selon le Labo de l'ESS — Questions à poser" in head
    assert not any(h.startswith(("labo-ess-ptce", "loi-ess-2014-art9")) for h in head)
