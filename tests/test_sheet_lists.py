"""Format 1.1 in a spreadsheet: partners by role, counts, partial lists; a bad cell is a note.

Partners sit in the members sheet with the role ``partner`` (``partenaire``); a row's
``count`` stands for that many organisations; ``members_complete``, ``member_count`` and
``partners_complete`` are columns of the applicants sheet. A cell that cannot say which list
a row is in, or how many it stands for, leaves the lists open (partial), never closed.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from poletype import Initiative
from poletype._screening.cells import flatten, read_cell
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS
from poletype._screening.tabular import Applicant, read_applicants
from poletype.model import listed


def _write(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


def _read(tmp_path: Path, applicants: list[list[Any]], members: list[list[Any]]) -> list[Applicant]:
    path = _write(tmp_path / "a.csv", applicants)
    _write(tmp_path / "a-membres.csv", members)
    return list(read_applicants(path))


def _ok(applicant: Applicant) -> Initiative:
    assert applicant.error is None, applicant.error
    assert applicant.initiative is not None
    return applicant.initiative


_HEAD = ["id", "name", "members_complete", "member_count", "partners_complete"]
_MEMBER_HEAD = ["applicant_id", "name", "kind", "count", "Rôle"]


@pytest.mark.parametrize(
    ("cell", "role"),
    [
        ("", "member"),
        ("membre", "member"),
        ("Membre.", "member"),
        ("member", "member"),
        ("MEMBER", "member"),
        ("partenaire", "partner"),
        (" Partenaire ", "partner"),
        ("partner", "partner"),
        ("partenaire (partner)", "partner"),
    ],
)
def test_role_cells_in_french_english_or_code(cell: str, role: str | None) -> None:
    assert (read_cell(cell, MEMBER_FIELDS["role"]) or "member") == role


@pytest.mark.parametrize(
    ("cell", "value"),
    [("oui", True), ("Non", False), ("NON.", False), ("x", True), ("faux", False), ("", None)],
)
def test_the_completeness_columns_read_as_booleans(cell: str, value: bool | None) -> None:
    for key in ("members_complete", "partners_complete"):
        assert APPLICANT_FIELDS[key].kind == "boolean"
        assert read_cell(cell, APPLICANT_FIELDS[key]) is value


@pytest.mark.parametrize(("cell", "value"), [("12", 12), ("1 200", 1200), (12.0, 12), ("", None)])
def test_the_member_count_column_reads_as_a_whole_number(cell: Any, value: int | None) -> None:
    assert APPLICANT_FIELDS["member_count"].kind == "integer"
    assert MEMBER_FIELDS["count"].kind == "integer"
    assert read_cell(cell, APPLICANT_FIELDS["member_count"]) == value


def test_partners_go_into_partners_and_members_keep_their_order(tmp_path: Path) -> None:
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "non", "10", ""]],
        [
            _MEMBER_HEAD,
            ["A", "Scop", "coopérative", "3", ""],
            ["A", "Ville", "collectivité locale", "", "partenaire"],
            ["A", "Asso", "ess_association", "", "membre"],
            ["A", "Labo", "centre de recherche", "2", "partner"],
        ],
    )
    initiative = _ok(applicant)
    assert applicant.notes == ()
    assert initiative.members is not None
    assert initiative.partners is not None
    assert [(m.name, m.count) for m in initiative.members] == [("Scop", 3), ("Asso", None)]
    assert [(p.name, p.kind, p.count) for p in initiative.partners] == [
        ("Ville", "local_authority", None),
        ("Labo", "research_centre", 2),
    ]
    assert listed(initiative.members) == 4
    assert (initiative.members_complete, initiative.member_count) == (False, 10)
    assert initiative.partners_complete is None  # not stated: a partner list is rarely whole


def test_a_sheet_without_role_column_keeps_its_v1_meaning(tmp_path: Path) -> None:
    """Every row is a member, the list complete as given, no partner said or denied."""
    (applicant,) = _read(
        tmp_path, [["id", "name"], ["A", "Pôle"]], [["applicant_id", "kind"], ["A", "sme"]]
    )
    initiative = _ok(applicant)
    assert initiative.members is not None
    assert len(initiative.members) == 1
    assert (initiative.partners, initiative.members_complete) == (None, None)
    assert initiative.partners_complete is None


def test_partner_rows_alone_leave_the_members_unknown(tmp_path: Path) -> None:
    (applicant,) = _read(
        tmp_path,
        [["id", "name"], ["A", "Pôle"]],
        [["applicant_id", "kind", "role"], ["A", "local_authority", "partenaire"]],
    )
    initiative = _ok(applicant)
    assert initiative.members is None
    assert initiative.partners is not None
    assert [p.kind for p in initiative.partners] == ["local_authority"]


@pytest.mark.parametrize("role", ["partnr", "fournisseur", "NSP", "?", "1"])
def test_an_unreadable_role_sets_its_row_aside_and_opens_both_lists(
    tmp_path: Path, role: str
) -> None:
    """The row is a member or a partner: neither list can be read as complete without it."""
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "oui", "", "oui"]],
        [
            _MEMBER_HEAD,
            ["A", "Scop", "ess_cooperative", "", ""],
            ["A", "Ville", "local_authority", "", role],
            ["A", "Labo", "research_centre", "", "partenaire"],
        ],
    )
    initiative = _ok(applicant)
    assert initiative.members is not None
    assert initiative.partners is not None
    assert [m.name for m in initiative.members] == ["Scop"]
    assert [p.name for p in initiative.partners] == ["Labo"]
    assert (initiative.members_complete, initiative.partners_complete) == (False, False)
    (note,) = applicant.notes
    assert (note.field, note.cell) == ("members.role", "a-membres.csv!E3")
    assert "la ligne n'est pas lue" in note.text("fr")
    assert note.text("fr").startswith("Rôle (a-membres.csv!E3) : ")
    assert "the member and partner lists are read as incomplete" in note.text("en")


def test_a_role_typo_is_told_the_role_it_may_mean(tmp_path: Path) -> None:
    (applicant,) = _read(
        tmp_path,
        [["id", "name"], ["A", "Pôle"]],
        [["applicant_id", "role"], ["A", "partnr"]],
    )
    (note,) = applicant.notes
    assert "membre (member), partenaire (partner)" in note.message.fr
    assert "did you mean 'partner'?" in note.message.en


@pytest.mark.parametrize("count", ["trois", "0", "-2", "2,5", "NSP"])
def test_an_unreadable_count_is_one_organisation_of_a_partial_list(
    tmp_path: Path, count: str
) -> None:
    """At least the row's one organisation exists; how many more is unknown."""
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "oui", "", "oui"]],
        [
            _MEMBER_HEAD,
            ["A", "Scop", "ess_cooperative", count, ""],
            ["A", "Ville", "local_authority", "", "partenaire"],
        ],
    )
    initiative = _ok(applicant)
    assert initiative.members is not None
    assert [(m.name, m.count) for m in initiative.members] == [("Scop", None)]
    assert initiative.members_complete is False
    assert initiative.partners_complete is True  # a member row's count says nothing of them
    (note,) = applicant.notes
    assert (note.field, note.cell) == ("members.count", "a-membres.csv!D2")
    assert "la liste des membres est lue comme incomplète" in note.text("fr")


def test_a_partner_rows_bad_count_opens_the_partner_list_only(tmp_path: Path) -> None:
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "", "", "oui"]],
        [
            _MEMBER_HEAD,
            ["A", "Scop", "ess_cooperative", "", ""],
            ["A", "Ville", "local_authority", "plusieurs", "partenaire"],
        ],
    )
    initiative = _ok(applicant)
    assert (initiative.members_complete, initiative.partners_complete) == (None, False)
    (note,) = applicant.notes
    assert "the partner list is read as incomplete" in note.text("en")


def test_a_partner_rows_bad_cell_names_the_partners_field(tmp_path: Path) -> None:
    (applicant,) = _read(
        tmp_path,
        [["id", "name"], ["A", "Pôle"]],
        [["applicant_id", "kind", "role"], ["A", "voisinage", "partenaire"], ["A", "xx", ""]],
    )
    initiative = _ok(applicant)
    assert initiative.partners is not None
    assert initiative.partners[0].kind is None
    partner, member = applicant.notes
    assert (partner.field, partner.cell) == ("partners.kind", "a-membres.csv!B2")
    assert partner.text("fr").startswith("Type de partenaire (a-membres.csv!B2)")
    assert (member.field, member.cell) == ("members.kind", "a-membres.csv!B3")


def test_a_member_count_below_the_rows_is_a_note_not_an_error(tmp_path: Path) -> None:
    """Two organisations named, one member declared: the number is wrong, the rest read."""
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "", "1", ""]],
        [_MEMBER_HEAD, ["A", "Scop", "ess_cooperative", "", ""], ["A", "PME", "sme", "", ""]],
    )
    initiative = _ok(applicant)
    assert initiative.member_count is None
    assert initiative.members_complete is None
    (note,) = applicant.notes
    assert (note.field, note.cell) == ("member_count", "D2")
    assert "nomme 2 organisations membres, plus que ce nombre (1)" in note.message.fr


def test_a_member_count_against_a_complete_list_leaves_the_list_partial(tmp_path: Path) -> None:
    """Complete, yet twelve for the three named: either may be wrong, so the list is open."""
    (applicant,) = _read(
        tmp_path,
        [_HEAD, ["A", "Pôle", "oui", "12", ""]],
        [_MEMBER_HEAD, ["A", "Scop", "ess_cooperative", "3", ""]],
    )
    initiative = _ok(applicant)
    assert (initiative.member_count, initiative.members_complete) == (None, False)
    (note,) = applicant.notes
    assert note.field == "member_count"
    assert "complete but names 3, not 12" in note.message.en


def test_a_flattened_initiative_with_partners_and_counts_reads_back(tmp_path: Path) -> None:
    """`flatten` writes partners after the members, with the role partner."""
    initiative = Initiative.model_validate(
        {
            "id": "R1",
            "name": "Pôle",
            "members": [{"kind": "sme", "count": 3}, {}, {"name": "Asso", "local": True}],
            "members_complete": False,
            "member_count": 9,
            "partners": [{"name": "Ville", "kind": "local_authority"}, {}],
            "partners_complete": True,
        }
    )
    row, member_rows = flatten(initiative)
    assert row["members_complete"] == "non"
    assert [r.get("role") for r in member_rows] == [None, None, None, "partner", "partner"]
    assert member_rows[0]["count"] == "3"
    paths, keys = list(APPLICANT_FIELDS), list(MEMBER_FIELDS)
    _write(tmp_path / "r.csv", [paths, [row.get(p, "") for p in paths]])
    _write(tmp_path / "r-membres.csv", [keys, *([m.get(k, "") for k in keys] for m in member_rows)])
    (applicant,) = read_applicants(tmp_path / "r.csv")
    assert applicant.initiative == initiative


def test_the_new_columns_are_known_by_their_french_and_english_labels(tmp_path: Path) -> None:
    """A funder's sheet headed in words, not paths: the 1.1 columns are found by label."""
    (applicant,) = _read(
        tmp_path,
        [
            [
                "Identifiant",
                "Nom",
                "Liste des membres complète",
                "Number of members",
                "Liste des partenaires complète",
            ],
            ["A", "Pôle", "NON", "8", "Oui"],
        ],
        [
            ["Identifiant de la candidature", "Type de membre", "Nombre", "Rôle"],
            ["A", "PME hors ESS", "2", "Membre"],
            ["A", "université ou école", "", "Partenaire"],
        ],
    )
    initiative = _ok(applicant)
    assert (initiative.members_complete, initiative.member_count) == (False, 8)
    assert initiative.partners_complete is True
    assert initiative.members is not None
    assert initiative.partners is not None
    assert [(m.kind, m.count) for m in initiative.members] == [("sme", 2)]
    assert [p.kind for p in initiative.partners] == ["higher_education"]
    labels = {k: APPLICANT_FIELDS[k].label for k in ("members_complete", "partners_complete")}
    assert labels["members_complete"].fr == "Liste des membres complète"
    assert (MEMBER_FIELDS["role"].label.fr, MEMBER_FIELDS["count"].label.fr) == ("Rôle", "Nombre")


def test_an_applicant_over_a_limit_keeps_its_stated_name(tmp_path: Path) -> None:
    """A count past the members limit is an error of the applicant, which still names it."""
    path = _write(tmp_path / "a.csv", [["id", "name"], ["A", "Pôle Un"]])
    _write(
        tmp_path / "a-membres.csv",
        [["applicant_id", "kind", "count", "role"], ["A", "sme", "1000000", "partenaire"]],
    )
    (applicant,) = read_applicants(path)
    assert applicant.error is not None
    assert applicant.error.text is not None
    assert "la liste des partenaires compte 1000000 organisations" in applicant.error.text.fr
    assert "the partner list holds 1000000 organisations" in applicant.error.message
    assert (applicant.stated_id, applicant.stated_name) == ("A", "Pôle Un")
