"""Applicants are read from every input format, one result per row, nothing lost."""

from __future__ import annotations

import csv
import datetime
import json
import time
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from poletype import Initiative, InitiativeError
from poletype._read.limits import Limits
from poletype._screening import tabular
from poletype._screening.cells import CellError, flatten, format_cell, read_cell
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS
from poletype._screening.tabular import Applicant, read_applicants
from poletype.rulefile import Text
from strategies import initiatives

DATA = Path(__file__).resolve().parent / "data" / "screen"


def _write_csv(path: Path, rows: list[list[Any]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _read(path: Path, **kwargs: Any) -> list[Applicant]:
    return list(read_applicants(path, **kwargs))


def _ok(applicant: Applicant) -> Initiative:
    assert applicant.error is None, applicant.error
    assert applicant.initiative is not None
    return applicant.initiative


# Formats -------------------------------------------------------------------------------


def test_french_csv_with_semicolons_bom_and_sibling_members() -> None:
    applicants = _read(DATA / "applicants-fr.csv")
    assert [a.row for a in applicants] == [2, 3, 4, 6, 5]
    one = _ok(applicants[0])
    assert one.stage == "emerging"
    assert one.voluntary is True
    assert one.strategy is not None
    assert one.strategy.shared is True
    assert one.strategy.formalised is False
    assert one.activities is not None
    assert one.activities.social_utility_share == 0.6
    assert one.innovation == ["social", "ecological"]
    assert one.jobs == 12
    assert one.resources is not None
    assert one.resources.market == 0.55
    assert one.members is not None
    assert [m.kind for m in one.members] == ["ess_association", "local_authority"]
    assert one.members[1].work_integration is None
    two = _ok(applicants[1])
    assert two.stage == "consolidated"
    assert two.voluntary is False
    assert two.innovation == ["economic", "social"]
    assert two.members is not None
    assert len(two.members) == 1


def test_empty_cells_are_unknown_and_no_members_stays_unknown() -> None:
    applicants = _read(DATA / "applicants-fr.csv")
    two = _ok(applicants[1])
    assert two.strategy is not None
    assert two.strategy.formalised is None
    assert two.jobs is None
    assert two.resources is None
    four = _ok(applicants[3])
    assert four.voluntary is None
    assert four.strategy is None
    assert four.activities is None
    assert four.members is None
    assert four.innovation == []  # "aucun": a list known to be empty


def test_malformed_row_amid_good_rows_notes_each_bad_cell_and_is_still_read() -> None:
    applicants = _read(DATA / "applicants-fr.csv")
    bad = applicants[2]
    assert bad.error is None
    initiative = _ok(bad)
    assert (initiative.stage, initiative.voluntary, initiative.jobs) == (None, None, None)
    assert initiative.strategy is not None
    assert initiative.strategy.shared is True  # the good cells of the row are read
    notes = {n.field: n for n in bad.notes}
    assert [n.field for n in bad.notes] == [
        "stage",
        "voluntary",
        "activities.social_utility_share",
        "jobs",
    ]
    assert [n.cell for n in bad.notes] == ["C4", "D4", "G4", "I4"]
    assert "did you mean 'emerging'" in notes["stage"].message.en
    assert "vouliez-vous dire « en émergence » ?" in notes["stage"].message.fr
    assert "en émergence (emerging)" in notes["stage"].message.fr
    for field, fragment in (("voluntary", "'peut-être'"), ("jobs", "'12,5'")):
        assert fragment in notes[field].message.en
    assert notes["jobs"].text("fr") == "Emplois (I4) : attendu : un nombre entier ; trouvé « 12,5 »"
    assert bad.label == "A3"


def test_orphan_member_row_becomes_an_error_after_the_applicants() -> None:
    orphan = _read(DATA / "applicants-fr.csv")[-1]
    assert orphan.error is not None
    assert orphan.row == orphan.error.row == 5
    assert orphan.error.column == "applicant_id"
    assert orphan.source.endswith("applicants-fr-membres.csv")
    assert "'ZZ'" in orphan.error.message


def test_english_csv_with_commas() -> None:
    one, two = _read(DATA / "applicants-en.csv")
    first = _ok(one)
    assert first.country == "FR"
    assert first.founded == 2015
    assert first.place is not None
    assert first.place.shared_premises is True
    assert first.activities is not None
    assert first.activities.sectors == ["agriculture, food", "energy"]
    assert first.pooling is not None
    assert first.pooling.resources == ["premises", "staff"]
    second = _ok(two)
    assert second.place is not None
    assert second.place.shared_premises is False
    assert second.local_integration is not None
    assert second.local_integration.local_partnerships == 4
    assert second.country is None


def test_json_lines() -> None:
    applicants = _read(DATA / "applicants.jsonl")
    assert [a.row for a in applicants] == [1, 3, 4, 5, 6]
    assert _ok(applicants[0]).members is not None
    bad_enum, bad_json, good, duplicate = applicants[1:]
    assert bad_enum.error is not None
    assert bad_enum.error.column == "stage"
    assert "'emergent'" in bad_enum.error.message
    assert bad_enum.label == "J2"
    assert bad_json.error is not None
    assert bad_json.error.column is None
    assert "invalid JSON" in bad_json.error.message
    assert bad_json.label == "row 4"
    assert _ok(good).id == "J4"
    assert duplicate.error is not None
    assert duplicate.error.column == "id"
    assert "row 1" in duplicate.error.message


def test_folder_of_yaml_and_json_sorted_by_name() -> None:
    applicants = _read(DATA / "folder")
    assert [Path(a.source).name for a in applicants] == [
        "a-pole.yaml",
        "b-pole.json",
        "c-pole.yaml",
        "e-pole.yml",
    ]
    assert [a.row for a in applicants] == [1, 2, 3, 4]
    assert _ok(applicants[0]).strategy is not None
    assert _ok(applicants[1]).jobs == 4
    bad = applicants[2]
    assert bad.error is not None
    assert bad.error.column == "governance.structure"
    assert bad.error.message.startswith("line 4: ")
    broken = applicants[3]
    assert broken.error is not None
    assert "invalid YAML" in broken.error.message


def test_folder_file_errors_name_the_line_and_keep_going(tmp_path: Path) -> None:
    (tmp_path / "a.JSON").write_text('\ufeff{"name": "Pôle A"}', encoding="utf-8")
    (tmp_path / "b.json").write_text('{"name": "Pôle B",\n  oops}', encoding="utf-8")
    (tmp_path / "c.yaml").write_bytes(b"name: P\xf4le C\n")
    (tmp_path / "d.yaml").write_text("name: Pôle D\nname: again\n", encoding="utf-8")
    a, b, c, d = _read(tmp_path)
    assert _ok(a).name == "Pôle A"
    assert b.error is not None
    assert (
        b.error.message == "line 2: invalid JSON: Expecting property name enclosed in double quotes"
    )
    assert c.error is not None
    assert c.error.message.startswith("cannot read file: 'utf-8' codec can't decode byte 0xf4")
    assert d.error is not None
    assert d.error.message.startswith("line 2: ")


def test_xlsx_with_members_sheet_and_excel_types(tmp_path: Path) -> None:
    path = _write_xlsx(
        tmp_path / "applicants.xlsx",
        {
            "Feuil1": [
                ["id", "name", "jobs", "voluntary", "activities.social_utility_share", "founded"],
                [101, "Pôle Excel", 12.0, True, 0.6, 2012],
                [None, None, None, None, None, None],
                ["X2", "Pôle Deux", None, "Oui", "60%", None],
                ["X3", "Pôle Trois", 3, "non", None, datetime.datetime(2020, 1, 1)],
            ],
            "Membres": [
                ["applicant_id", "Type de membre / Member kind [kind]", "members.founder"],
                [101, "sme", 1],
                ["X2", "ESS_Cooperative", "x"],
                ["X3", "cooperative", None],
                ["X9", "sme", "oui"],
            ],
            "notes": [["anything", "at all"]],
        },
    )
    one, two, three, orphan = _read(path)
    first = _ok(one)
    assert first.id == "101"
    assert first.jobs == 12
    assert first.voluntary is True
    assert first.members is not None
    assert first.members[0].founder is True
    assert two.row == 4
    assert _ok(two).members is not None
    # A date in the year column and a member's words: the date is noted, the words read.
    third = _ok(three)
    assert third.founded is None
    assert third.members is not None
    assert third.members[0].kind == "ess_cooperative"
    (note,) = three.notes
    assert (note.field, note.cell) == ("founded", "F5")
    assert "01/01/2020" in note.message.fr
    assert "datetime" not in note.message.en
    assert orphan.source.endswith("applicants.xlsx:Membres")
    assert orphan.row == 5


def test_member_cell_error_names_the_member_row(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["id", "name"], ["A", "Pôle"], ["B", "Pôle B"]])
    members = _write_csv(
        tmp_path / "people.csv",
        [["applicant_id", "kind", "size"], ["A", "sme", "huge"], ["B", "sme", "small"]],
    )
    bad, good = _read(path, members=members)
    assert _ok(bad).members is not None
    (note,) = bad.notes
    assert (note.field, note.cell) == ("members.size", "people.csv!C2")
    assert "expected one of micro" in note.message.en
    assert _ok(good).members is not None


def test_member_validation_error_names_the_member_row(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["id", "name", "resources.market"], ["A", "P", "0,9"]])
    _write_csv(
        tmp_path / "a-members.csv",
        [["applicant_id", "name"], ["A", "m1"], ["A", "m2"]],
    )
    (applicant,) = _read(path)
    assert _ok(applicant).members is not None
    path = _write_csv(
        tmp_path / "b.csv",
        [["id", "name", "resources.market", "resources.non_market"], ["B", "P", "0,9", "50 %"]],
    )
    (applicant,) = _read(path)
    assert _ok(applicant).resources is None  # facts that contradict each other: unknown
    (note,) = applicant.notes
    assert note.field == "resources"
    assert "sum to at most 1" in note.message.en
    assert "incohérentes" in note.message.fr


def test_duplicate_id_is_an_error_for_the_later_row(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "a.csv", [["id", "name"], ["A", "Un"], ["A", "Deux"], ["B", "Trois"]]
    )
    _write_csv(tmp_path / "a-membres.csv", [["applicant_id", "kind"], ["A", "sme"]])
    first, later, other = _read(path)
    assert _ok(first).members is not None
    assert later.error is not None
    assert later.error.row == 3
    assert later.error.column == "id"
    assert "row 2" in later.error.message
    assert later.label == "A"
    assert _ok(other).members is None


def test_folder_duplicate_id(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"id": "D", "name": "Un"}), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: D\nname: Deux\n", encoding="utf-8")
    first, later = _read(tmp_path)
    assert _ok(first).id == "D"
    assert later.error is not None
    assert "a.json" in later.error.message


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("voluntary", "peut-être", "oui/non"),
        ("stage", "emergent", "expected one of project, emerging, consolidated"),
        ("activities.social_utility_share", "1.5", "a share between 0 and 1"),
        ("activities.social_utility_share", "150 %", "a share between 0 and 1"),
        ("jobs", "douze", "a whole number"),
        ("jobs", "-3", "at least 0"),
        ("country", "France2", "two-letter country code"),
        ("innovation", "social; magic", "found 'magic'"),
    ],
)
def test_one_bad_cell_between_good_rows(
    tmp_path: Path, column: str, cell: str, expected: str
) -> None:
    path = _write_csv(
        tmp_path / "a.csv",
        [["id", "name", column], ["G1", "Bon", ""], ["BAD", "Mauvais", cell], ["G2", "Bon", ""]],
    )
    good, bad, other = _read(path)
    _ok(good)
    _ok(other)
    _ok(bad)
    (note,) = bad.notes
    assert (note.field, note.cell) == (column, "C3")
    assert expected in note.message.en
    assert "Input should" not in note.message.en
    assert bad.label == "BAD"


def test_missing_name_is_an_error_row_not_a_dropped_row(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["id", "name", "jobs"], ["A", "", "3"]])
    (applicant,) = _read(path)
    assert applicant.error is not None
    assert applicant.error.column == "name"
    assert applicant.label == "A"


def test_a_value_under_no_header_is_carried_by_its_letter(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["name", "", "jobs"], ["P", "", "3"], ["Q", "?", ""]])
    notices: list[Text] = []
    good, other = read_applicants(path, notices=notices)
    assert _ok(good).jobs == 3
    assert _ok(other).name == "Q"
    assert other.extra == (("B", "?"),)
    assert any("B (B)" in n.en for n in notices)


# Whole-file errors ---------------------------------------------------------------------


def test_an_unknown_column_is_carried_through_and_listed(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["name", "stratgy.shared"], ["P", "oui"]])
    notices: list[Text] = []
    (applicant,) = read_applicants(path, notices=notices)
    assert _ok(applicant).strategy is None
    assert applicant.extra == (("stratgy.shared", "oui"),)
    assert any("stratgy.shared (B)" in n.fr and "reprises telles quelles" in n.fr for n in notices)


def test_a_file_naming_no_known_column_is_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["nme", "stratgy.shared"], ["P", "oui"]])
    with pytest.raises(InitiativeError) as info:
        read_applicants(path)
    assert info.value.code == "unknown-column"
    assert info.value.suggestion == "name"


def test_bare_french_and_english_labels_are_columns(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "a.csv",
        [
            ["Nom", "Stratégie formalisée", "STAGE", "Year founded"],
            ["P", "Oui.", "consolidé", "2016"],
        ],
    )
    (applicant,) = _read(path)
    initiative = _ok(applicant)
    assert initiative.strategy is not None
    assert initiative.strategy.formalised is True
    assert (initiative.stage, initiative.founded) == ("consolidated", 2016)


def test_member_columns_in_the_applicant_sheet_are_carried_not_read(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["name", "members.kind"], ["P", "sme"]])
    (applicant,) = _read(path)
    assert _ok(applicant).members is None
    assert applicant.extra == (("members.kind", "sme"),)


def test_duplicate_column_is_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["name", "Stade / Stage [stage]", "stage"]])
    with pytest.raises(InitiativeError) as info:
        read_applicants(path)
    assert info.value.code == "duplicate-column"
    assert "columns B and C" in str(info.value)


def test_members_without_applicant_id_are_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", [["id", "name"], ["A", "P"]])
    _write_csv(tmp_path / "a-membres.csv", [["name", "kind"], ["m", "sme"]])
    with pytest.raises(InitiativeError) as info:
        read_applicants(path)
    assert info.value.code == "missing-column"


@pytest.mark.parametrize("name", ["a.ods", "a.xls", "noext"])
def test_unknown_format_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InitiativeError) as info:
        read_applicants(path)
    assert info.value.code == "unreadable-input"


def test_damaged_workbook_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK not really a zip")
    with pytest.raises(InitiativeError) as info:
        read_applicants(path)
    assert info.value.code == "unreadable-input"


def test_members_file_with_json_lines_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InitiativeError):
        read_applicants(DATA / "applicants.jsonl", members=tmp_path / "m.csv")


def test_empty_inputs_give_no_applicant(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _read(empty) == []
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n", encoding="utf-8")
    assert _read(blank) == []
    assert _read(_write_xlsx(tmp_path / "e.xlsx", {"candidatures": []})) == []


def test_windows_1252_csv_from_french_excel(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("name;voluntary\r\nPôle Été;Oui\r\n".encode("cp1252"))
    (applicant,) = _read(path)
    assert _ok(applicant).name == "Pôle Été"


# Cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "oui",
        "OUI",
        " Oui ",
        "vrai",
        "Vrai",
        "yes",
        "true",
        "TRUE",
        "o",
        "y",
        "1",
        "x",
        "X",
        1,
        True,
    ],
)
def test_true_cells(cell: Any) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["voluntary"]) is True


@pytest.mark.parametrize("cell", ["non", "Non", "faux", "FAUX", "no", "false", "n", "0", 0, False])
def test_false_cells(cell: Any) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["voluntary"]) is False


@pytest.mark.parametrize("cell", [None, "", "   ", "\t"])
def test_empty_cells_are_unknown(cell: Any) -> None:
    for doc in [*APPLICANT_FIELDS.values(), *MEMBER_FIELDS.values()]:
        assert read_cell(cell, doc) is None


@pytest.mark.parametrize(
    ("cell", "share"),
    [
        ("0,6", 0.6),
        ("0.6", 0.6),
        ("60 %", 0.6),
        ("60%", 0.6),
        ("55\u00a0%", 0.55),
        (1, 1.0),
        ("0", 0.0),
    ],
)
def test_share_cells(cell: Any, share: float) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["activities.social_utility_share"]) == share


@pytest.mark.parametrize(("cell", "number"), [("12", 12), (12.0, 12), ("1 200", 1200), ("3,0", 3)])
def test_integer_cells(cell: Any, number: int) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["jobs"]) == number


@pytest.mark.parametrize("cell", ["12.5", 12.5, "60 %", True, "douze"])
def test_bad_integer_cells(cell: Any) -> None:
    with pytest.raises(CellError):
        read_cell(cell, APPLICANT_FIELDS["jobs"])


@pytest.mark.parametrize(
    "cell",
    ["social;ecological", "social, ecological", "Social ;\nEcological", "social;;ecological;"],
)
def test_list_cells(cell: str) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["innovation"]) == ["social", "ecological"]


@pytest.mark.parametrize("cell", ["Bottom-up", "BOTTOM_UP", " bottom up "])
def test_choice_cells_ignore_case_and_separators(cell: str) -> None:
    assert read_cell(cell, APPLICANT_FIELDS["approach"]) == "bottom_up"


def test_text_cells_from_excel_numbers() -> None:
    assert read_cell(2012.0, APPLICANT_FIELDS["id"]) == "2012"
    assert read_cell(" Pôle ", APPLICANT_FIELDS["name"]) == "Pôle"


def test_format_cell_is_read_back() -> None:
    assert format_cell(True) == "oui"
    assert format_cell([]) == "aucun"
    assert read_cell(format_cell([]), APPLICANT_FIELDS["pooling.resources"]) == []
    assert read_cell(format_cell(0.1 + 0.2), APPLICANT_FIELDS["resources.market"]) == 0.1 + 0.2


# Round trip ----------------------------------------------------------------------------


def _spreadsheet_shaped(initiative: Initiative) -> Initiative:
    """What a spreadsheet can say: trimmed texts, no history, no empty object, member or
    partner list (no row says a list is empty)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, list):
            items = [clean(v) for v in value]
            return [v for v in items if v is not None]
        if isinstance(value, dict):
            items = {k: clean(v) for k, v in value.items()}
            return {k: v for k, v in items.items() if v is not None} or None
        return value

    raw = initiative.model_dump(exclude={"snapshots"})
    data = clean({k: v for k, v in raw.items() if k not in ("members", "partners")}) or {}
    data.update(id="APP-1", name="Pôle")
    for name in ("members", "partners"):
        # An organisation described by nothing is still a row (its applicant_id).
        if raw[name]:
            data[name] = [clean(m) or {} for m in raw[name]]
    return Initiative.model_validate(data)


def _through_csv(tmp_path: Path, initiative: Initiative, delimiter: str) -> list[Applicant]:
    row, members = flatten(initiative)
    paths = list(APPLICANT_FIELDS)
    _write_csv(
        tmp_path / "round.csv", [paths, [row.get(p, "") for p in paths]], delimiter=delimiter
    )
    keys = list(MEMBER_FIELDS)
    _write_csv(
        tmp_path / "round-members.csv",
        [keys, *([m.get(k, "") for k in keys] for m in members)],
        delimiter=delimiter,
    )
    return _read(tmp_path / "round.csv")


@given(initiatives(), st.sampled_from([";", ","]))
def test_flatten_then_read_is_the_identity(
    tmp_path_factory: Any, drawn: Initiative, sep: str
) -> None:
    initiative = _spreadsheet_shaped(drawn)
    tmp_path = tmp_path_factory.mktemp("round")
    (applicant,) = _through_csv(tmp_path, initiative, sep)
    assert applicant.initiative == initiative, applicant.error


def test_round_trip_keeps_members_and_unknowns(tmp_path: Path) -> None:
    initiative = Initiative.model_validate(
        {
            "id": "R1",
            "name": "Pôle",
            "members": [{"kind": "sme"}, {}, {"name": "Ville", "local": False}],
            "strategy": {"shared": True},
            "pooling": {"resources": []},
        }
    )
    (applicant,) = _through_csv(tmp_path, initiative, ";")
    assert applicant.initiative == initiative


# Hostile and broken input: each costs its own row, or one clear error, within seconds --


def _rezip(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    """A copy of a workbook with some parts replaced (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in parts:
                new.writestr(info.filename, old.read(info.filename))
        for name, data in parts.items():
            new.writestr(name, data)
    return target


def _no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _timed(path: Path, **kwargs: Any) -> tuple[list[Applicant], float]:
    start = time.perf_counter()
    applicants = _read(path, **kwargs)
    return applicants, time.perf_counter() - start


def test_an_unclosed_quote_costs_its_row_and_swallows_nothing(tmp_path: Path) -> None:
    """The quote opened on row 2 runs to the end of the file: row 2 fails, 3 and 4 are read."""
    path = tmp_path / "quote.csv"
    path.write_text('id;name\na1;"Alpha\na2;Beta\na3;Gamma\n', encoding="utf-8")
    applicants, elapsed = _timed(path)
    assert elapsed < 2
    assert [a.row for a in applicants] == [2, 3, 4]
    bad = applicants[0]
    assert bad.error is not None
    assert bad.error.code == "unclosed-quote"
    assert "line 2" in bad.error.message
    assert "never closed" in bad.error.message
    assert (bad.stated_id, bad.stated_name) == ("a1", "Alpha")
    assert [_ok(a).name for a in applicants[1:]] == ["Beta", "Gamma"]


def test_a_quote_closed_mid_cell_costs_its_row_only(tmp_path: Path) -> None:
    """A quote closed before the cell ends is broken quoting, not a silent merge."""
    path = tmp_path / "stray.csv"
    path.write_text('id;name\na1;"Al"pha\na2;"Be\nta"\na3;Gamma\n', encoding="utf-8")
    applicants = _read(path)
    assert [a.row for a in applicants] == [2, 3, 4]
    assert applicants[0].error is not None
    assert applicants[0].error.code == "unclosed-quote"
    # A quoted cell spanning two lines is still one honest cell.
    assert [_ok(a).name for a in applicants[1:]] == ["Be\nta", "Gamma"]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85"])
def test_a_control_character_costs_its_row_only(tmp_path: Path, char: str) -> None:
    path = _write_csv(
        tmp_path / "nul.csv", [["id", "name"], ["a1", f"Al{char}pha"], ["a2", "Beta"]]
    )
    applicants = _read(path)
    bad = applicants[0]
    assert bad.error is not None
    assert bad.error.code == "control-character"
    assert bad.error.column == "name"
    assert f"U+{ord(char):04X}" in bad.error.message
    assert bad.stated_id == "a1"
    assert _ok(applicants[1]).name == "Beta"


def test_a_cell_over_the_limit_costs_its_row_only(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "big.csv", [["id", "name"], ["a1", "x" * 50], ["a2", "Beta"]])
    applicants = _read(path, limits=Limits(cell_bytes=20))
    bad = applicants[0]
    assert bad.error is not None
    assert bad.error.code == "cell-too-large"
    assert (bad.stated_id, _ok(applicants[1]).name) == ("a1", "Beta")


def test_a_cell_past_the_csv_modules_own_limit_costs_its_row_only(tmp_path: Path) -> None:
    """The csv module refuses fields over 128 KiB itself; that too is the row's error."""
    text = 'id;name\na1;"' + "x" * 200_000 + '"\na2;Beta\n'
    (tmp_path / "huge.csv").write_text(text, encoding="utf-8")
    applicants = _read(tmp_path / "huge.csv")
    assert applicants[0].error is not None
    assert applicants[0].error.code == "cell-too-large"
    assert _ok(applicants[-1]).name == "Beta"


def test_ids_are_nfc_normalised_so_members_join(tmp_path: Path) -> None:
    """An id typed with a decomposed accent (macOS) finds members typed with a composed one."""
    decomposed, composed = unicodedata.normalize("NFD", "café"), "café"
    assert decomposed != composed
    path = _write_csv(tmp_path / "c.csv", [["id", "name"], [decomposed, "Café"]])
    _write_csv(tmp_path / "c-membres.csv", [["applicant_id", "name"], [composed, "M1"]])
    (applicant,) = _read(path)
    initiative = _ok(applicant)
    assert initiative.id == composed
    assert [m.name for m in initiative.members or []] == ["M1"]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    for name in ("a.csv", "a.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"x" * 100)
        with pytest.raises(InitiativeError) as info:
            _read(path, limits=Limits(spreadsheet_bytes=99))
        assert info.value.code == "spreadsheet-too-large"


def test_csv_rows_and_cells_are_bounded(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "rows.csv", [["id", "name"], *([f"a{i}", "n"] for i in range(9))])
    with pytest.raises(InitiativeError) as info:
        _read(path, limits=Limits(rows=5))
    assert info.value.code == "too-many-rows"
    with pytest.raises(InitiativeError) as info:
        _read(path, limits=Limits(cells=10))
    assert info.value.code == "too-many-cells"


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    return _write_xlsx(tmp_path / "small.xlsx", {"candidatures": [["id", "name"], ["a1", "Alpha"]]})


def test_an_xlsx_part_over_the_limit_is_refused_before_it_is_inflated(
    tmp_path: Path, small_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared string of 100 MB (0.1 MB zipped): refused from the zip directory, unread."""
    bomb = tmp_path / "bomb.xlsx"
    _rezip(small_book, bomb, {})
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("xl/sharedStrings.xml")
        entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(entry, "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="x"><si><t>')
            block = b"0" * 2**20
            for _ in range(100):
                part.write(block)
            part.write(b"</t></si></sst>")
    assert bomb.stat().st_size < 2 * 2**20
    _no_openpyxl(monkeypatch)
    for limits in (Limits(xlsx_part_bytes=50 * 2**20), Limits()):
        start = time.perf_counter()
        with pytest.raises(InitiativeError) as info:
            _read(bomb, limits=limits)
        assert time.perf_counter() - start < 1
        assert info.value.code == "xlsx-part-too-large"
        assert "xl/sharedStrings.xml" in str(info.value)


def test_a_shared_string_longer_than_a_cell_is_refused_before_openpyxl(
    tmp_path: Path, small_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(chr(ord("a") + i % 26) for i in range(5_000)).encode()
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>" + text + b"</t></si></sst>"
    book = _rezip(small_book, tmp_path / "long.xlsx", {"xl/sharedStrings.xml": strings})
    _no_openpyxl(monkeypatch)
    with pytest.raises(InitiativeError) as info:
        _read(book, limits=Limits(cell_bytes=100))
    assert info.value.code == "cell-too-large"


def _sheet_xml(rows: bytes, *, dimension: bool = True) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        # What LibreOffice writes after formatting whole columns.
        + (b'<dimension ref="A1:AMJ1048576"/>' if dimension else b"")
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Alpha</t></is></c></row>'
        + rows
        + b"</sheetData></worksheet>"
    )


def test_formatted_empty_rows_after_the_data_cost_nothing(
    tmp_path: Path, small_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibreOffice may write a million empty rows after the data; reading stops at the data."""
    from openpyxl.worksheet._reader import WorkSheetParser

    blank = b"".join(b'<row r="%d" ht="12.8" customHeight="false"/>' % i for i in range(3, 600_000))
    sheet = _sheet_xml(blank)
    book = _rezip(small_book, tmp_path / "blank.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    parsed: list[int] = []
    parse_row = WorkSheetParser.parse_row

    def counted(self: Any, element: Any) -> Any:
        parsed.append(1)
        return parse_row(self, element)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counted)
    # Blank rows after the data do not count against the rows limit either.
    applicants, elapsed = _timed(book, limits=Limits(rows=100_000))
    assert [_ok(a).name for a in applicants] == ["Alpha"]
    assert len(parsed) <= 3  # the header, Alpha, and the first empty row that ends the data
    assert elapsed < 5


def test_more_rows_than_the_limit_are_refused_before_they_are_parsed(
    tmp_path: Path, small_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a dimension first, openpyxl parses every row to size the sheet: they count."""
    blank = b"".join(b'<row r="%d"/>' % i for i in range(3, 200_000))
    sheet = _sheet_xml(blank, dimension=False)
    book = _rezip(small_book, tmp_path / "rows.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    _no_openpyxl(monkeypatch)
    start = time.perf_counter()
    with pytest.raises(InitiativeError) as info:
        _read(book, limits=Limits(rows=100_000))
    assert time.perf_counter() - start < 3
    assert info.value.code == "too-many-rows"


def test_a_value_far_below_the_data_is_still_read(tmp_path: Path, small_book: Path) -> None:
    """Stopping at the last value never drops an applicant after a run of blank rows."""
    blank = b"".join(b'<row r="%d"/>' % i for i in range(3, 50_000))
    late = b'<row r="50000"><c r="A50000" t="inlineStr"><is><t>Omega</t></is></c></row>'
    sheet = _sheet_xml(blank + late)
    book = _rezip(small_book, tmp_path / "late.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert [_ok(a).name for a in _read(book)] == ["Alpha", "Omega"]


@pytest.mark.parametrize(
    "sheet",
    [
        b"<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>name",
        b"\x00\xff not xml at all",
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet>&a;</worksheet>',
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row r='x'><c r='??'><v>1</v></c></row></sheetData></worksheet>",
    ],
)
def test_a_broken_sheet_is_one_clear_error(tmp_path: Path, small_book: Path, sheet: bytes) -> None:
    """openpyxl's parse errors (ParseError, ValueError...) become one unreadable-input."""
    book = _rezip(small_book, tmp_path / "broken.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(InitiativeError) as info:
        _read(book)
    assert info.value.code == "unreadable-input"
    assert str(book) in str(info.value)


def test_a_truncated_workbook_is_one_clear_error(tmp_path: Path, small_book: Path) -> None:
    data = small_book.read_bytes()
    for cut in (len(data) // 3, len(data) - 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(data[:cut])
        with pytest.raises(InitiativeError) as info:
            _read(path)
        assert info.value.code == "unreadable-input"


def test_a_document_whose_reader_raises_costs_its_own_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder document whose reader raises anything (RecursionError) is its own error row."""
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(f"id: {name}\nname: {name.upper()}\n")
    real = tabular.read_document

    def read(path: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "b.yaml":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(tabular, "read_document", read)
    applicants = _read(tmp_path)
    assert [a.row for a in applicants] == [1, 2, 3]
    assert applicants[1].error is not None
    assert applicants[1].error.code == "unreadable-input"
    assert "RecursionError" in applicants[1].error.message
    assert [_ok(a).name for a in (applicants[0], applicants[2])] == ["A", "C"]
