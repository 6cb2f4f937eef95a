"""The template has every column, helps fill it in, and a filled template reads back exactly."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import EXAMPLES
from poletype import Initiative, read_initiative
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS, header
from poletype._screening.tabular import read_applicants
from poletype._screening.template import write_template


def _examples() -> list[Initiative]:
    """Three shipped examples, one full of unknowns; ids given where they have none."""
    names = ("pole-exemple-complet", "pole-exemple-lacunaire", "darwin-eco-systeme")
    out = []
    for name in names:
        initiative = read_initiative(EXAMPLES / f"{name}.yaml")
        if initiative.id is None:
            initiative = initiative.model_copy(update={"id": name})
        out.append(initiative)
    return out


def _cell(value: Any) -> Any:
    """A value as someone fills it in: French yes/no, codes joined by ';', numbers as they are."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return "; ".join(value) if value else "aucun"
    return value


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _key(cell: Any) -> str:
    text = str(cell)
    return text[text.rindex("[") + 1 : -1]


def _rows(initiative: Initiative, keys: list[str]) -> tuple[list[Any], list[list[Any]]]:
    data = initiative.model_dump(exclude_none=True)
    row = [_cell(_get(data, key)) if _get(data, key) is not None else None for key in keys]
    return row, [
        [initiative.id, *(_cell(member.get(k)) for k in list(MEMBER_FIELDS)[1:])]
        for member in data.get("members", [])
    ]


def test_examples_are_complete_enough_to_mean_something() -> None:
    complete, sparse, _ = _examples()
    assert complete.members is not None
    assert complete.resources is not None
    assert sparse.strategy is not None
    assert sparse.strategy.formalised is None
    assert sparse.members is not None
    assert any(m.founder is None for m in sparse.members)
    assert sparse.sites is None


def test_xlsx_round_trip(tmp_path: Path) -> None:
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    applicants, members = book["candidatures"], book["membres"]
    keys = [_key(c.value) for c in applicants[1]]
    assert [_key(c.value) for c in members[1]] == list(MEMBER_FIELDS)
    originals = _examples()
    for initiative in originals:
        row, member_rows = _rows(initiative, keys)
        applicants.append(row)
        for member_row in member_rows:
            members.append(member_row)
    book.save(path)
    read = list(read_applicants(path))
    assert [a.error for a in read] == [None] * len(originals)
    assert [a.initiative for a in read] == originals


def test_csv_round_trip(tmp_path: Path) -> None:
    out, members_path = write_template(tmp_path / "t.csv", "csv")
    assert members_path == tmp_path / "t-membres.csv"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        keys = [_key(c) for c in next(csv.reader(handle, delimiter=";"))]
    originals = _examples()
    with (
        out.open("a", encoding="utf-8", newline="") as applicants,
        members_path.open("a", encoding="utf-8", newline="") as members,
    ):
        for initiative in originals:
            row, member_rows = _rows(initiative, keys)
            # French Excel writes decimal commas.
            cells = [str(v).replace(".", ",") if isinstance(v, float) else v for v in row]
            csv.writer(applicants, delimiter=";").writerow(cells)
            csv.writer(members, delimiter=";").writerows(member_rows)
    read = list(read_applicants(out))
    assert [a.error for a in read] == [None] * len(originals)
    assert [a.initiative for a in read] == originals


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_empty_template_reads_as_no_applicant(tmp_path: Path, fmt: Any) -> None:
    written = write_template(tmp_path / f"t.{fmt}", fmt)
    assert all(p.is_file() for p in written)
    assert list(read_applicants(written[0])) == []


def test_xlsx_headers_layout_and_validations(tmp_path: Path) -> None:
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["candidatures", "membres", "notes"]
    applicants = book["candidatures"]
    expected = [header(k, d) for k, d in APPLICANT_FIELDS.items()]
    assert [c.value for c in applicants[1]] == expected
    assert expected[0].endswith("[id]")
    assert expected[1].endswith("[name]")
    assert applicants.freeze_panes == "C2"
    assert book["membres"].freeze_panes == "B2"
    lists = book["listes"]
    assert lists.sheet_state == "hidden"

    def listed(sheet: Any) -> dict[str, list[str]]:
        out = {}
        for validation in sheet.data_validations.dataValidation:
            assert validation.type == "list"
            (area,) = str(validation.sqref).split()
            column = area.split(":")[0].rstrip("0123456789")
            ref = validation.formula1.split("!")[1].replace("$", "")
            out[_key(sheet[f"{column}1"].value)] = [c.value for row in lists[ref] for c in row]
        return out

    by_key = listed(applicants)
    assert by_key["strategy.shared"] == ["oui", "non"]
    assert by_key["members_complete"] == ["oui", "non"]
    assert by_key["stage"] == ["en projet", "en émergence", "consolidé"]
    assert "innovation" not in by_key  # several codes in one cell: no drop-down
    assert "name" not in by_key
    singles = {k for k, d in APPLICANT_FIELDS.items() if d.kind in ("boolean", "choice")}
    assert set(by_key) == singles
    member_lists = listed(book["membres"])
    assert member_lists["kind"][:2] == ["association de l'ESS", "coopérative"]
    assert "collectivité locale" in member_lists["kind"]
    assert len(member_lists["kind"]) == len(MEMBER_FIELDS["kind"].allowed)
    assert member_lists["role"] == ["membre", "partenaire"]
    assert set(member_lists) == {"kind", "size", "founder", "local", "work_integration", "role"}
    for sheet in (applicants, book["membres"]):
        for validation in sheet.data_validations.dataValidation:
            # A typed code is read as well as the words listed: Excel warns, never refuses.
            assert validation.errorStyle == "warning"
            assert len(validation.error) <= 225
    widths = [applicants.column_dimensions[c].width for c in ("A", "B", "C")]
    assert all(12 <= w <= 41 for w in widths)


def test_notes_explain_every_column(tmp_path: Path) -> None:
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    notes = openpyxl.load_workbook(path)["notes"]
    rows = list(notes.iter_rows(values_only=True))
    described = {(r[0], r[1]): r for r in rows[1:] if r[1]}
    for sheet, fields in (("candidatures", APPLICANT_FIELDS), ("membres", MEMBER_FIELDS)):
        for key, doc in fields.items():
            row = described[(sheet, key)]
            assert row[2:6] == (doc.label.fr, doc.label.en, doc.help.fr, doc.help.en)
            assert row[6]
            assert row[7]
    innovation = described[("candidatures", "innovation")]
    assert "« ; »" in innovation[6]
    assert "ecological (écologique)" in innovation[6]
    assert "ecological (ecological)" not in innovation[7]  # a code that is its own word
    kind = described[("membres", "kind")]
    assert "ess_association (association de l'ESS)" in kind[6]
    assert "sme (SME outside the ESS)" in kind[7]
    assert "oui ou non" in described[("candidatures", "voluntary")][6]
    role = described[("membres", "role")]
    assert role[2:4] == ("Rôle", "Role")
    assert "partner (partenaire)" in role[6]
    assert "vide = membre" in role[6]
    assert "empty = member" in role[7]
    count = described[("membres", "count")]
    assert "au moins 1" in count[6]
    assert "empty = one organisation" in count[7]
    for key in ("members_complete", "member_count", "partners_complete"):
        assert described[("candidatures", key)][2] == APPLICANT_FIELDS[key].label.fr
    general = " ".join(str(r[0]) for r in rows if r[0] and not r[1])
    assert "partenaire" in general
    assert "partner" in general


def test_csv_template_opens_right_in_french_excel(tmp_path: Path) -> None:
    out, members = write_template(tmp_path / "t.csv", "csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    first = data.decode("utf-8-sig").splitlines()[0]
    assert first.split(";")[0] == header("id", APPLICANT_FIELDS["id"])
    assert len(first.split(";")) == len(APPLICANT_FIELDS)
    assert members.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_same_template_same_bytes(tmp_path: Path, fmt: Any) -> None:
    first = write_template(tmp_path / f"a.{fmt}", fmt)
    second = write_template(tmp_path / f"b.{fmt}", fmt)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_xlsx_carries_no_clock_reading(tmp_path: Path) -> None:
    """Two runs a second apart must match too: no entry date, no modification time."""
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:modified" in core
    assert core.count("2024-01-01T00:00:00Z") == 2


def test_unwritable_template_is_an_error(tmp_path: Path) -> None:
    from poletype.errors import PoletypeError

    with pytest.raises(PoletypeError) as info:
        write_template(tmp_path / "missing" / "t.csv", "csv")
    assert info.value.code == "unwritable-output"


# Format 1.1: partners, counts, partial lists; French words in the drop-downs ------------


def _offered(book: Any, sheet: Any) -> dict[str, list[str]]:
    """Each drop-down column's key and the values its list offers, as Excel shows them."""
    lists = book["listes"]
    out = {}
    for validation in sheet.data_validations.dataValidation:
        (area,) = str(validation.sqref).split()
        column = area.split(":")[0].rstrip("0123456789")
        ref = validation.formula1.split("!")[1].replace("$", "")
        out[_key(sheet[f"{column}1"].value)] = [c.value for row in lists[ref] for c in row]
    return out


def test_every_value_a_drop_down_offers_reads_back_as_its_code(tmp_path: Path) -> None:
    """Whatever an applicant picks from a list is read, as the code at the same place."""
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    applicants, members = book["candidatures"], book["membres"]
    keys = [_key(c.value) for c in applicants[1]]
    member_keys = [_key(c.value) for c in members[1]]
    offered, member_offered = _offered(book, applicants), _offered(book, members)
    assert "stage" in offered
    assert member_offered["role"] == ["membre", "partenaire"]
    rows = max(len(v) for v in [*offered.values(), *member_offered.values()])
    for index in range(rows):
        values = {k: v[index % len(v)] for k, v in offered.items()}
        values.update(id=f"A{index}", name=f"Pôle {index}")
        applicants.append([values.get(k) for k in keys])
        member = {k: v[index % len(v)] for k, v in member_offered.items()}
        member["applicant_id"] = f"A{index}"
        members.append([member.get(k) for k in member_keys])
    book.save(path)
    read = list(read_applicants(path))
    assert [a.error for a in read] == [None] * rows
    assert [a.notes for a in read] == [()] * rows

    def code(doc: Any, index: int) -> Any:
        if doc.kind == "boolean":
            return index % 2 == 0
        return doc.allowed[index % len(doc.allowed)]

    for index, applicant in enumerate(read):
        initiative = applicant.initiative
        assert initiative is not None
        data = initiative.model_dump(exclude_none=True)
        for key in offered:
            assert _get(data, key) == code(APPLICANT_FIELDS[key], index), key
        role = code(MEMBER_FIELDS["role"], index)
        (entry,) = data["members" if role == "member" else "partners"]
        assert "partners" not in data or "members" not in data
        for key in member_offered:
            if key != "role":
                assert entry[key] == code(MEMBER_FIELDS[key], index), key


def _fill(sheet: Any, rows: list[dict[str, Any]]) -> None:
    keys = [_key(c.value) for c in sheet[1]]
    for row in rows:
        assert set(row) <= set(keys)
        sheet.append([row.get(k) for k in keys])


_APPLICANT_11: dict[str, Any] = {
    "id": "P1",
    "name": "Pôle Onze",
    "stage": "en émergence",
    "members_complete": "Non",
    "member_count": "12",
    "partners_complete": "oui",
}
_MEMBERS_11: list[dict[str, Any]] = [
    {"applicant_id": "P1", "name": "Scop BTP", "kind": "coopérative", "count": 3},
    {"applicant_id": "P1", "name": "Régie", "kind": "association de l'ESS", "role": "Membre"},
    {"applicant_id": "P1", "name": "Ville", "kind": "collectivité locale", "role": "partenaire"},
    {"applicant_id": "P1", "name": "Labo", "kind": "research_centre", "role": "partner"},
]


def _assert_format_11(applicants: list[Any]) -> None:
    from poletype.model import listed

    (applicant,) = applicants
    assert applicant.error is None
    assert applicant.notes == ()
    initiative = applicant.initiative
    assert initiative.stage == "emerging"
    assert initiative.members_complete is False
    assert initiative.member_count == 12
    assert initiative.partners_complete is True
    assert [(m.name, m.kind, m.count) for m in initiative.members] == [
        ("Scop BTP", "ess_cooperative", 3),
        ("Régie", "ess_association", None),
    ]
    assert listed(initiative.members) == 4  # the row of three counts three times
    assert [(p.name, p.kind) for p in initiative.partners] == [
        ("Ville", "local_authority"),
        ("Labo", "research_centre"),
    ]


def test_a_filled_xlsx_template_says_partners_counts_and_a_partial_list(tmp_path: Path) -> None:
    (path,) = write_template(tmp_path / "t.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    _fill(book["candidatures"], [_APPLICANT_11])
    _fill(book["membres"], _MEMBERS_11)
    book.save(path)
    _assert_format_11(list(read_applicants(path)))


def test_a_filled_csv_template_says_partners_counts_and_a_partial_list(tmp_path: Path) -> None:
    out, members_path = write_template(tmp_path / "t.csv", "csv")
    for file, rows in ((out, [_APPLICANT_11]), (members_path, _MEMBERS_11)):
        with file.open(encoding="utf-8-sig", newline="") as handle:
            keys = [_key(c) for c in next(csv.reader(handle, delimiter=";"))]
        with file.open("a", encoding="utf-8", newline="") as handle:
            cells = [[r.get(k, "") for k in keys] for r in rows]
            csv.writer(handle, delimiter=";").writerows(cells)
    _assert_format_11(list(read_applicants(out)))
