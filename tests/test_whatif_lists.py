"""What it would take, with format 1.1's lists: partners, counts and partial member lists.

A rule that reads partners gets proposals that add a partner, said as such; a list's
completeness is never changed once stated (a partial list is closed by naming the rest,
which only the applicant can), and a member list's number is asked only of a list that may
hold more than it names. The outcomes asserted hold whether or not the engine reads
partial lists (a list said to be complete, or absent, reads alike either way).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from conftest import EXAMPLES, TEST_RULES
from poletype import Initiative, Typology, classify, load_typology, read_initiative
from poletype._screening.whatif import FIXED_FACTS, FieldChange, apply_changes, what_it_would_take
from poletype._screening.whatif_domain import domain_of
from poletype._screening.whatif_values import completeness, member_counts
from poletype.model import listed
from poletype.rulefile import Text
from strategies import initiatives

CALL = TEST_RULES / "partner-call.yaml"


@cache
def call() -> Typology:
    return load_typology(CALL)


def complete_with(**changes: Any) -> Initiative:
    """The complete example (a PTCE under labo-ess-ptce) with some facts changed."""
    data = read_initiative(EXAMPLES / "pole-exemple-complet.yaml").model_dump(exclude_none=True)
    data.update(changes)
    return Initiative.model_validate({k: v for k, v in data.items() if v is not None})


def assert_verified_and_minimal(initiative: Initiative, typology: Typology, sets: Any) -> None:
    """Each set reaches the target and no set missing one change does."""
    for change_set in sets:
        changed = apply_changes(initiative, change_set.changes)
        assert classify(changed, typology).outcome == change_set.outcome
        for index in range(len(change_set.changes)):
            fewer = change_set.changes[:index] + change_set.changes[index + 1 :]
            outcome = classify(apply_changes(initiative, fewer), typology).outcome
            assert outcome != change_set.outcome


def assert_no_nonsense(initiative: Initiative, sets: Any) -> None:
    """No set closes or reopens a list by saying so, nor shrinks a stated membership."""
    for change_set in sets:
        for change in change_set.changes:
            assert change.path != "members_complete", change.text.en
            if change.path == "partners_complete":
                assert (initiative.partners_complete, change.after) == (None, True)
            if change.path == "member_count":
                # No list (the number is all there is) or one that may hold more.
                assert initiative.members is None or initiative.members_complete is not True
                assert isinstance(change.after, int)
                assert change.after >= max(listed(initiative.members), 0)
                if initiative.member_count is not None:
                    assert change.after > initiative.member_count


def test_a_partner_is_proposed_where_a_rule_reads_partners() -> None:
    """The call wants a local authority as a partner: add one, and say it is a partner."""
    initiative = complete_with()
    assert classify(initiative, call()).outcome == "indeterminate"
    sets = what_it_would_take(initiative, call())
    assert sets
    (change,) = sets[0].changes
    assert (change.path, change.before, change.after) == (
        "partners",
        None,
        {"kind": "local_authority"},
    )
    assert sets[0].criteria == ["P1"]
    assert change.text.fr == (
        "Ajouter un partenaire (Type de partenaire : collectivité locale (local_authority))"
    )
    assert change.text.en == "Add a partner (Partner kind: local authority (local_authority))"
    assert_verified_and_minimal(initiative, call(), sets)
    assert_no_nonsense(initiative, sets)


def test_an_unstated_partner_attribute_is_stated_for_every_partner() -> None:
    initiative = complete_with(partners=[{"name": "Ville"}], partners_complete=True)
    assert classify(initiative, call()).outcome == "indeterminate"
    sets = what_it_would_take(initiative, call())
    changes = [(c.path, c.before, c.after) for s in sets for c in s.changes]
    assert ("partners.kind", None, "local_authority") in changes
    fill = next(c for s in sets for c in s.changes if c.path == "partners.kind")
    assert "pour chaque partenaire où ce n'est pas indiqué" in fill.text.fr
    assert "for every partner where it is not stated" in fill.text.en
    assert fill.text.fr.startswith("Type de partenaire (partners.kind : non renseigné → ")
    assert_verified_and_minimal(initiative, call(), sets)


def test_a_partner_added_now_is_no_founder() -> None:
    assert {"members.founder", "partners.founder"} <= FIXED_FACTS


def test_partners_do_not_count_as_members() -> None:
    """Adding partners never stands in for the members a count of members needs."""
    initiative = complete_with(partners_complete=True)
    strict = load_typology("labo-ess-ptce", {"min_organisations": 10})
    sets = what_it_would_take(initiative, strict)
    assert sets
    assert all(c.path != "partners" for s in sets for c in s.changes)
    assert [c.path for c in sets[0].changes] == ["members"] * 3


_COMPLETE_LIST_CALL = """\
typology: appel-liste
version: "1"
title: {fr: "Appel liste complète", en: "Complete list call"}
extends: labo-ess-ptce
sources:
  - {id: appel, title: "Appel fictif"}
groups:
  call: {fr: "Appel", en: "Call"}
criteria:
  - id: L1
    group: call
    label: {fr: "La liste des membres est complète", en: "The member list is complete"}
    source: {document: appel, section: "1"}
    condition: 'members_complete'
    justification:
      met: {fr: "Oui.", en: "Yes."}
      not_met: {fr: "Non.", en: "No."}
      unknown: {fr: "Inconnu.", en: "Unknown."}
  - id: L2
    group: call
    label: {fr: "La liste des partenaires est complète", en: "The partner list is complete"}
    source: {document: appel, section: "1"}
    condition: 'partners_complete'
    justification:
      met: {fr: "Oui.", en: "Yes."}
      not_met: {fr: "Non.", en: "No."}
      unknown: {fr: "Inconnu.", en: "Unknown."}
require:
  - {all_of: call}
"""


@pytest.fixture
def list_call(tmp_path: Path) -> Typology:
    rules = tmp_path / "appel-liste.yaml"
    rules.write_text(_COMPLETE_LIST_CALL, encoding="utf-8")
    return load_typology(rules)


def test_a_list_said_partial_is_never_said_complete(list_call: Typology) -> None:
    """Whatever the rules ask and whatever is fixed: the rest is named, not denied."""
    initiative = complete_with(members_complete=False, partners_complete=True)
    assert classify(initiative, list_call).criterion("L1").status == "not_met"
    assert what_it_would_take(initiative, list_call) == []
    assert what_it_would_take(initiative, list_call, fixed=()) == []
    initiative = complete_with(members_complete=True, partners_complete=False)
    assert what_it_would_take(initiative, list_call, fixed=()) == []


def test_an_unstated_completeness_a_rule_reads_is_a_question(list_call: Typology) -> None:
    """The funder asks whether the lists are complete, and nobody said: that is asked."""
    initiative = complete_with()
    assert classify(initiative, list_call).outcome == "indeterminate"
    sets = what_it_would_take(initiative, list_call)
    assert [[(c.path, c.before, c.after) for c in s.changes] for s in sets] == [
        [("members_complete", None, True), ("partners_complete", None, True)]
    ]
    assert sets[0].changes[0].text.fr == (
        "Liste des membres complète (members_complete : non renseigné → oui)"
    )
    without_members = complete_with(members=None)
    sets = what_it_would_take(without_members, list_call)
    assert all(c.path != "members_complete" for s in sets for c in s.changes)


def test_completeness_is_asked_of_an_unstated_partner_list_only() -> None:
    def flag(**data: Any) -> list[bool]:
        return completeness(Initiative.model_validate({"name": "P", **data}), "partners_complete")

    assert flag() == [True]
    assert flag(partners=[{"kind": "sme"}]) == [True]
    assert flag(partners_complete=False) == []
    assert flag(partners_complete=True) == []
    members = Initiative.model_validate({"name": "P", "members": [{}]})
    assert completeness(members, "members_complete") == []


@pytest.mark.parametrize(
    ("data", "counts"),
    [
        # labo-ess-ptce compares the number of members with 5 (M2) and of kinds with 2.
        ({"members": [{}, {}, {}], "members_complete": False}, [4, 5, 6]),
        ({"members": [{}, {}, {}], "members_complete": False, "member_count": 5}, [6]),
        ({"members": [{}, {}, {}], "member_count": 4}, [5, 6]),
        ({"members": [{"count": 3}], "members_complete": False}, [4, 5, 6]),
        ({}, [1, 2, 3, 4, 5, 6]),
        ({"members": [{}, {}, {}]}, []),  # read as complete: no other number
        ({"members": [{}, {}, {}], "members_complete": True}, []),
        ({"members": [{"count": 6}], "members_complete": True, "member_count": 6}, []),
    ],
)
def test_the_number_of_members_is_asked_of_a_list_that_may_hold_more(
    data: dict[str, Any], counts: list[int]
) -> None:
    initiative = Initiative.model_validate({"name": "P", **data})
    assert member_counts(domain_of(load_typology("labo-ess-ptce")), initiative) == counts


def test_a_member_added_to_a_counted_membership_grows_its_number() -> None:
    """A member joining is one more organisation: a complete list stays consistent."""
    text = Text(fr="t", en="t")
    initiative = Initiative.model_validate(
        {"name": "P", "members": [{"kind": "sme", "count": 2}], "member_count": 2}
    )
    joins = FieldChange(path="members", after={"kind": "ess_association"}, text=text)
    grown = apply_changes(initiative, [joins])
    assert grown.member_count == 3
    assert grown.members is not None
    assert listed(grown.members) == 3
    partner = FieldChange(path="partners", after={"kind": "local_authority"}, text=text)
    both = apply_changes(initiative, [joins, partner])
    assert both.member_count == 3
    assert both.partners is not None
    assert [p.kind for p in both.partners] == ["local_authority"]
    stated = FieldChange(path="member_count", after=7, text=text)
    assert apply_changes(initiative, [joins, stated]).member_count == 7
    unstated = Initiative.model_validate({"name": "P", "members": [{"kind": "sme"}]})
    assert apply_changes(unstated, [joins]).member_count is None


def test_a_partner_attribute_is_stated_on_listed_partners_only() -> None:
    text = Text(fr="t", en="t")
    initiative = Initiative.model_validate(
        {"name": "P", "partners": [{"name": "Ville"}, {"kind": "sme"}], "members": [{}]}
    )
    changed = apply_changes(
        initiative,
        [
            FieldChange(path="partners", after={"name": "Labo"}, text=text),
            FieldChange(path="partners.kind", after="local_authority", text=text),
        ],
    )
    assert changed.partners is not None
    assert [(p.name, p.kind) for p in changed.partners] == [
        ("Ville", "local_authority"),
        (None, "sme"),
        ("Labo", None),
    ]
    assert changed.members is not None
    assert changed.members[0].kind is None


@settings(max_examples=12)
@given(initiatives())
def test_any_initiative_with_lists_gets_verified_sets_and_no_nonsense(
    initiative: Initiative,
) -> None:
    """Partners, counts and partial lists drawn at random: each set found is verified
    and minimal, none says a list is complete or shrinks a stated membership."""
    for typology in (call(), load_typology("labo-ess-ptce")):
        sets = what_it_would_take(initiative, typology)
        assert_verified_and_minimal(initiative, typology, sets)
        assert_no_nonsense(initiative, sets)
