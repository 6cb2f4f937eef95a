"""Funders' files as offices produce them screen as the clean template file does (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from poletype._render.outputs import CSV_NAME, JSONL_NAME, write_screening
from poletype._render.report_app import unpack
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS
from poletype._screening.header import (
    NO_MAPPING,
    code_of,
    column_field,
    country_of,
    find_header,
    load_mapping,
    member_sibling,
)
from poletype._screening.screen import Screening, screen
from poletype.errors import InitiativeError

CLEAN_HEADER = ["id", "name", "country", "founded", "stage", "voluntary", "strategy.shared"]
ROWS = [
    ["A1", "Pôle Un", "FR", "2016", "consolidated", "oui", "oui"],
    ["A2", "Pôle Deux", "FR", "", "emerging", "non", ""],
    ["A3", "Pôle Trois", "", "2012", "project", "", "oui"],
]
MEMBERS = [
    ["applicant_id", "name", "kind", "local"],
    ["A1", "Régie", "ess_association", "oui"],
    ["A1", "Ville", "local_authority", "oui"],
    ["A2", "Scop", "ess_cooperative", ""],
]
FRENCH_HEADER = [
    "Identifiant",
    "Nom",
    "Pays",
    "Année de création",
    "Date de dépôt",
    "Stade",
    "Regroupement volontaire",
    "Stratégie commune",
]
FRENCH_ROWS = [
    ["A1", "Pôle Un", "France", "2016", "12/01/2026", "consolidé", "Oui.", "OUI"],
    ["A2", "Pôle Deux", "france", "15/03/2016", "13/01/2026", "En émergence", "NON", "NSP"],
    ["A3", "Pôle Trois", "", "2012", "14/01/2026", "en projet", "ne sait pas", "x"],
]
FRENCH_MEMBERS = [
    ["Identifiant de la candidature", "Nom du membre", "Type de membre", "Implanté localement"],
    ["A1", "Régie", "Association de l'ESS", "oui"],
    ["A1", "Ville", "collectivité  locale", "Oui"],
    ["A2", "Scop", "coopérative", "?"],
]


def _csv(path: Path, rows: list[list[str]], *, prefix: str = "") -> Path:
    text = prefix + "".join(";".join(row) + "\r\n" for row in rows)
    path.write_bytes(text.encode("cp1252"))
    return path


def _outcomes(screening: Screening) -> list[tuple[str | None, str]]:
    return [(r.id, f.verdict.outcome) for r in screening.rows for f in r.findings]


@pytest.fixture
def clean(tmp_path: Path) -> Screening:
    folder = tmp_path / "clean"
    folder.mkdir()
    _csv(folder / "candidatures-membres.csv", MEMBERS)
    return screen(_csv(folder / "candidatures.csv", [CLEAN_HEADER, *ROWS]))


def test_a_libreoffice_csv_screens_as_the_clean_file(tmp_path: Path, clean: Screening) -> None:
    """sep=;, a title row, cp1252, French labels and words, NSP, a funder's column."""
    _csv(tmp_path / "appel-membres.csv", FRENCH_MEMBERS)
    title = ["Appel à projets PTCE 2026", *[""] * 7]
    source = _csv(
        tmp_path / "appel-candidatures.csv",
        [title, FRENCH_HEADER, *FRENCH_ROWS],
        prefix="sep=;\r\n",
    )
    messy = screen(source)
    assert [r.row for r in messy.rows] == [4, 5, 6]
    assert not any(r.failed for r in messy.rows)
    assert _outcomes(messy) == _outcomes(clean)
    # One note, on the applicant whose date sits in the year column; NSP is no note.
    notes = [(r.id, n.field, n.cell) for r in messy.rows for n in r.notes]
    assert notes == [("A2", "founded", "D5")]
    note = messy.rows[1].notes[0]
    assert note.text("fr") == (
        "Année de création (D5) : attendu : une année (2016) ; trouvé « 15/03/2016 »"
    )
    assert [dict(r.extra) for r in messy.rows] == [
        {"Date de dépôt": d} for d in ("12/01/2026", "13/01/2026", "14/01/2026")
    ]
    assert any("Date de dépôt (E)" in n.fr for n in messy.notices)
    assert not any("Aucune feuille de membres" in n.fr for n in messy.notices)
    out = tmp_path / "out"
    write_screening(messy, out, "fr")
    table = (out / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()
    assert "Date de dépôt" in table[0].split(";")
    assert table[0].split(";")[-2:] == ["cellules non lues", "erreur"]
    assert "12/01/2026" in table[1]
    assert table[2].count("15/03/2016") == 1
    documents = [json.loads(line) for line in (out / JSONL_NAME).read_text("utf-8").splitlines()]
    assert documents[0]["extra"] == {"Date de dépôt": "12/01/2026"}
    assert [len(d["notes"]) for d in documents] == [0, 1, 0]
    assert documents[1]["notes"][0]["cell"] == "D5"
    report = (out / "rapport.html").read_text(encoding="utf-8")
    sheets = "".join(unpack(report)[1])  # the applicants' sheets, packed in the page
    assert sheets.count("« 15/03/2016 »") == 1
    assert "datetime" not in report + sheets
    assert "Date de dépôt" in sheets


def test_an_xlsx_with_merged_title_and_two_row_header(tmp_path: Path, clean: Screening) -> None:
    """A merged title row, a group row merged over its columns, merged member cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "candidatures"
    sheet.append(["Appel à projets PTCE 2026"])
    sheet.merge_cells("A1:I1")
    groups = [
        "Identifiant",
        "Nom",
        "Pays",
        "Année de création",
        "Date de dépôt",
        "Stade",
        "Regroupement volontaire",
        "Stratégie",
        "",
    ]
    sheet.append(groups)
    sheet.append(["", "", "", "", "", "", "", "commune", "Commentaire"])
    for cell in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:G3"):
        sheet.merge_cells(cell)
    sheet.merge_cells("H2:I2")
    for row in FRENCH_ROWS:
        sheet.append([*row, None])
    members = book.create_sheet("membres")
    for row in FRENCH_MEMBERS:
        members.append(row)
    members.merge_cells("A2:A3")  # one applicant id over its two member rows
    path = tmp_path / "appel.xlsx"
    book.save(path)
    messy = screen(path)
    assert [r.row for r in messy.rows] == [4, 5, 6]
    assert _outcomes(messy) == _outcomes(clean)
    assert [(n.field, n.cell) for r in messy.rows for n in r.notes] == [("founded", "D5")]
    assert any("deux lignes" in n.fr for n in messy.notices)
    assert dict(messy.rows[0].extra) == {"Date de dépôt": "12/01/2026"}


def test_no_members_sheet_is_said_loudly(tmp_path: Path) -> None:
    source = _csv(tmp_path / "appel.csv", [CLEAN_HEADER, *ROWS])
    screening = screen(source)
    (notice,) = [n for n in screening.notices if "membres" in n.fr]
    assert "appel-membres.csv" in notice.fr
    assert (
        "Aucune feuille de membres"
        in (_report(screening, tmp_path).split('<section id="guide"')[0])
    )


def _report(screening: Screening, tmp_path: Path) -> str:
    write_screening(screening, tmp_path / "r", "fr")
    return (tmp_path / "r" / "rapport.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("applicants", "members"),
    [
        ("x.csv", "x-membres.csv"),
        ("x.csv", "X_Membres.csv"),
        ("x.csv", "x - membres.csv"),
        ("x.csv", "x (membres).csv"),
        ("x.csv", "x-members.csv"),
        ("appel-candidatures.csv", "appel-membres.csv"),
        ("candidatures.csv", "membres.csv"),
    ],
)
def test_members_files_are_found_by_their_export_names(
    tmp_path: Path, applicants: str, members: str
) -> None:
    (tmp_path / applicants).write_text("name\n", encoding="utf-8")
    (tmp_path / members).write_text("applicant_id\n", encoding="utf-8")
    (tmp_path / "other.csv").write_text("x\n", encoding="utf-8")
    assert member_sibling(tmp_path / applicants) == tmp_path / members


def test_header_row_can_be_named(tmp_path: Path) -> None:
    rows = [("1", ["Nom", "Stade"]), ("2", ["Nom", "Stade"])]
    found = find_header(
        [(int(n), c) for n, c in rows], APPLICANT_FIELDS, members=False, header_row=2
    )
    assert found is not None
    assert found[0].row == 2
    with pytest.raises(InitiativeError):
        find_header([(1, ["x"]), (2, ["y"])], APPLICANT_FIELDS, members=False, header_row=2)


def test_labels_words_and_countries() -> None:
    assert column_field("Stade / Stage [stage]", APPLICANT_FIELDS, NO_MAPPING, members=False) == (
        "stage"
    )
    assert column_field(" STADE ", APPLICANT_FIELDS, NO_MAPPING, members=False) == "stage"
    assert column_field("Type de membre", MEMBER_FIELDS, NO_MAPPING, members=True) == "kind"
    assert column_field("Date de dépôt", APPLICANT_FIELDS, NO_MAPPING, members=False) is None
    kind = MEMBER_FIELDS["kind"]
    assert code_of("Collectivité  Locale", kind) == "local_authority"
    assert code_of("association de l'ESS (ess_association)", kind) == "ess_association"
    assert code_of("consolidé", APPLICANT_FIELDS["stage"]) == "consolidated"
    assert code_of("mature", APPLICANT_FIELDS["stage"]) is None
    assert (country_of("France"), country_of("fr"), country_of("Atlantide")) == ("FR", "FR", None)


def test_words_offices_type_for_a_code_are_read() -> None:
    """A typographic apostrophe (``l’ESS``, as Word and LibreOffice type it) and the words
    an office uses for a member's kind (``Association``, ``Scop``, ``Mairie``) are read."""
    kind = MEMBER_FIELDS["kind"]
    assert code_of("Association de l’ESS", kind) == "ess_association"
    assert code_of("Association", kind) == "ess_association"
    assert code_of("SCOP", kind) == "ess_cooperative"
    assert code_of("Mairie", kind) == "local_authority"
    assert code_of("Communauté de communes", kind) == "local_authority"
    assert column_field("Part d’utilité sociale", APPLICANT_FIELDS, NO_MAPPING, members=False) == (
        "activities.social_utility_share"
    )


def test_a_typo_is_offered_the_words_of_the_drop_down_in_french(tmp_path: Path) -> None:
    """The French message suggests what the drop-down shows, not the code."""
    folder = tmp_path / "call"
    folder.mkdir()
    _csv(folder / "candidatures-membres.csv", [["applicant_id", "kind"], ["A1", "cooperativ"]])
    screening = screen(_csv(folder / "candidatures.csv", [["id", "name"], ["A1", "Pôle Un"]]))
    (note,) = screening.rows[0].notes
    assert note.message.fr.endswith("vouliez-vous dire « coopérative » ?")
    assert note.message.en.endswith("did you mean 'ess_cooperative'?")


def test_a_mapping_file_reads_a_funders_own_form(tmp_path: Path) -> None:
    mapping = tmp_path / "colonnes.yaml"
    mapping.write_text(
        "columns:\n  N° dossier: id\n  Structure porteuse: name\n  Maturité: stage\n"
        "  Suivi interne: null\nvalues:\n  stage:\n    Démarrage: project\n",
        encoding="utf-8",
    )
    source = _csv(
        tmp_path / "form.csv",
        [
            ["N° dossier", "Structure porteuse", "Maturité", "Suivi interne"],
            ["F1", "Pôle F", "Démarrage", "vu"],
        ],
    )
    screening = screen(source, columns=mapping)
    (row,) = screening.rows
    assert row.initiative is not None
    assert (row.id, row.initiative.stage) == ("F1", "project")
    assert row.extra == (("Suivi interne", "vu"),)
    mapping.write_text("columns:\n  A: nowhere\nvalues:\n  stage: {x: mature}\n", encoding="utf-8")
    with pytest.raises(InitiativeError, match=r"nowhere is not a field.*mature is not one"):
        load_mapping(mapping, APPLICANT_FIELDS, MEMBER_FIELDS)


def test_a_merged_header_over_two_columns_reads_whichever_is_filled(tmp_path: Path) -> None:
    """A header "Emplois" merged over C and D names the field for both: a value in either is read;
    the same value in both is one answer; two different values leave the fact unknown,
    with a note naming both cells; the second column is never carried through unread."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Identifiant", "Nom", "Emplois", None])
    sheet.merge_cells("C1:D1")
    sheet.append(["A1", "Pôle Un", 12, None])
    sheet.append(["A2", "Pôle Deux", None, 14])
    sheet.append(["A3", "Pôle Trois", 12, 15])
    sheet.append(["A4", "Pôle Quatre", 7, 7])
    path = tmp_path / "appel.xlsx"
    book.save(path)
    rows = screen(path).rows
    assert [r.initiative.jobs if r.initiative else "error" for r in rows] == [12, 14, None, 7]
    assert [[(n.field, n.cell) for n in r.notes] for r in rows] == [[], [], [("jobs", "C4")], []]
    conflict = rows[2].notes[0].text("fr")
    assert "« 12 » (C4)" in conflict
    assert "« 15 » (D4)" in conflict
    assert "inconnu" in conflict
    assert all(r.extra == () for r in rows)
