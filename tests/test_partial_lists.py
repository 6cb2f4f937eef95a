"""Format 1.1's lists: partial member lists, partners, counts, read soundly by both backends.

The reading rules of the spec: "some member is X" is met by a listed X whether the list
is complete or not; "no member is X" is known only on a complete list; a count over
members is an interval (listed entries with their ``count`` give the low end,
``member_count`` or a complete list the high end). Each is checked on one expression in
its three states, by the reference and the compiled backend, with what ``missing`` asks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml

from conftest import ROOT, example_files
from poletype import InitiativeError, Limits, classify, load_typology
from poletype._engine.derive import derive, lists_view, members_known_complete
from poletype._engine.expressions import Scope, compile_expression
from poletype._engine.interpreter import Interval, Root, evaluate_atom, evaluate_value
from poletype._engine.paths import Partial, unknown_facts
from poletype._engine.typology import Expression
from poletype._rules.classify import to_initiative
from poletype.model import Initiative

PARAMS = {"n": 5}


def _expression(text: str, *, boolean: bool = True) -> Expression:
    scope = Scope("partial", None, PARAMS)
    return compile_expression(text, scope, loc=(), criterion=None, boolean=boolean)


def _initiative(**facts: Any) -> Initiative:
    return Initiative.model_validate({"name": "Pôle", **facts})


def _atom(text: str, initiative: Initiative) -> bool | None:
    """The atom's value by both backends, which must agree."""
    expression = _expression(text)
    viewed = lists_view(initiative)
    params = {"n": Decimal(5)}
    reference = evaluate_atom(expression, Root(viewed, params, "interpreter"))
    compiled = evaluate_atom(expression, Root(viewed, params, "compiled"))
    assert compiled is reference, text
    return reference


def _asked(text: str, initiative: Initiative) -> list[str]:
    return unknown_facts(lists_view(initiative), _expression(text).paths)


LA = 'true in [m.kind == "local_authority" for m in members]'
ASSOCIATION = {"kind": "ess_association"}
TOWN = {"kind": "local_authority"}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"members": [ASSOCIATION, TOWN], "members_complete": False}, True),
        ({"members": [ASSOCIATION, TOWN]}, True),
        ({"members": [ASSOCIATION]}, False),
        ({"members": [ASSOCIATION], "members_complete": True}, False),
        ({"members": [ASSOCIATION], "members_complete": False}, None),
        ({"members": [ASSOCIATION], "member_count": 3}, None),
        ({"members": [ASSOCIATION], "member_count": 1}, False),
        ({"member_count": 4}, None),
        ({}, None),
    ],
)
def test_some_member_is_met_by_a_listed_one_and_refuted_only_on_a_complete_list(
    facts: dict[str, Any], expected: bool | None
) -> None:
    assert _atom(LA, _initiative(**facts)) is expected


@pytest.mark.parametrize(
    ("facts", "expected", "asked"),
    [
        ({"members": [ASSOCIATION] * 5}, True, []),
        ({"members": [ASSOCIATION] * 4}, False, []),
        ({"members": [ASSOCIATION] * 4, "members_complete": False}, None, ["member_count"]),
        ({"members": [ASSOCIATION] * 5, "members_complete": False}, True, ["member_count"]),
        ({"members": [ASSOCIATION] * 2, "member_count": 5}, True, ["members"]),
        ({"members": [ASSOCIATION] * 2, "member_count": 4}, False, ["members"]),
        ({"member_count": 7}, True, ["members"]),
        ({"members": [{**ASSOCIATION, "count": 5}]}, True, []),
        ({"members": [{**ASSOCIATION, "count": 2}, TOWN], "members_complete": False}, None, []),
    ],
)
def test_a_count_over_members_is_an_interval(
    facts: dict[str, Any], expected: bool | None, asked: list[str]
) -> None:
    """Listed entries (with their count) are the low end; member_count or a complete list
    the high end; an undecided count asks for the list's size or completeness."""
    initiative = _initiative(**facts)
    assert _atom("members.length >= params.n", initiative) is expected
    for fact in asked:
        assert fact in _asked("members.length >= params.n", initiative)


def test_the_length_of_a_partial_list_reads_as_an_interval() -> None:
    expression = _expression("members.length", boolean=False)
    root = Root(lists_view(_initiative(members=[ASSOCIATION], member_count=3)), {}, "interpreter")
    assert evaluate_value(expression, root) == Decimal(3)
    open_ended = lists_view(_initiative(members=[ASSOCIATION, TOWN], members_complete=False))
    value = evaluate_value(expression, Root(open_ended, {}, "interpreter"))
    assert value == Interval(Decimal(2), Decimal("Infinity"))
    compiled = evaluate_value(expression, Root(open_ended, {}, "compiled"))
    assert compiled == value


def test_distinct_kinds_of_a_partial_list() -> None:
    text = "[m.kind for m in members].to_set.length >= 3"
    assert _atom(text, _initiative(members=[ASSOCIATION, TOWN], members_complete=False)) is None
    assert _atom(text, _initiative(members=[ASSOCIATION, TOWN])) is False
    three = [ASSOCIATION, TOWN, {"kind": "sme"}]
    assert _atom(text, _initiative(members=three, members_complete=False)) is True


def test_a_filtered_count_over_an_unbounded_list_has_no_upper_end() -> None:
    """A majority of local members is never decided false on a list that may grow."""
    text = "[m for m in members if m.local].length > members.length / 2"
    local = {"kind": "sme", "local": True}
    away = {"kind": "sme", "local": False}
    assert _atom(text, _initiative(members=[local, local, away])) is True
    assert _atom(text, _initiative(members=[local, away, away])) is False
    assert _atom(text, _initiative(members=[local, away, away], members_complete=False)) is None
    assert _atom(text, _initiative(members=[local, local, away], member_count=3)) is True


PARTNER_LA = 'true in [p.kind == "local_authority" for p in partners]'


@pytest.mark.parametrize(
    ("facts", "expected", "asked"),
    [
        ({"partners": [TOWN]}, True, ["partners_complete"]),
        ({"partners": [ASSOCIATION]}, None, ["partners_complete"]),
        ({"partners": [ASSOCIATION], "partners_complete": True}, False, []),
        ({}, None, ["partners"]),
        ({"partners_complete": True}, False, []),
    ],
)
def test_partners_absent_are_unknown_and_rarely_complete(
    facts: dict[str, Any], expected: bool | None, asked: list[str]
) -> None:
    """Absent partners are unknown; a given list is not complete unless it says so (the
    path stays unknown even where the atom is decided: a verdict asks only for the facts
    of undecided criteria)."""
    initiative = _initiative(**facts)
    assert _atom(PARTNER_LA, initiative) is expected
    assert _asked(PARTNER_LA, initiative) == asked


def test_completeness_follows_the_v1_reading_unless_a_count_says_otherwise() -> None:
    assert members_known_complete(_initiative(members=[ASSOCIATION]))
    assert not members_known_complete(_initiative(members=[ASSOCIATION], member_count=2))
    assert members_known_complete(_initiative(members=[ASSOCIATION], member_count=1))
    assert not members_known_complete(_initiative(members=[ASSOCIATION], members_complete=False))


def test_the_view_repeats_counted_entries_once_and_is_idempotent() -> None:
    initiative = _initiative(members=[{**ASSOCIATION, "count": 3}, TOWN], members_complete=False)
    viewed = lists_view(initiative)
    assert isinstance(viewed.members, Partial)
    assert len(viewed.members) == 4
    again = lists_view(viewed)
    assert list(again.members or []) == list(viewed.members)
    assert isinstance(again.members, Partial)
    assert (again.members.low, again.members.high) == (0, None)
    assert len(initiative.members or []) == 2


def test_a_v1_document_needs_no_view() -> None:
    initiative = _initiative(members=[ASSOCIATION, TOWN])
    assert lists_view(initiative) is initiative


def test_unnamed_members_leave_the_origin_open() -> None:
    founders = [{"kind": "citizen_group", "founder": True}]
    assert derive(_initiative(members=founders))[0].origin == "citizen"
    assert derive(_initiative(members=founders, members_complete=False))[0].origin is None


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"members": [ASSOCIATION, TOWN], "member_count": 1}, "member_count is 1"),
        (
            {"members": [ASSOCIATION], "member_count": 3, "members_complete": True},
            "complete member list",
        ),
        ({"members": [{**ASSOCIATION, "count": 0}]}, "members.0.count"),
    ],
)
def test_counts_that_contradict_the_list_are_refused(facts: dict[str, Any], message: str) -> None:
    with pytest.raises(InitiativeError, match=message):
        to_initiative({"name": "Pôle", **facts})


def test_counted_entries_are_bounded_like_listed_members() -> None:
    with pytest.raises(InitiativeError) as info:
        to_initiative(
            {"name": "Pôle", "partners": [{"kind": "sme", "count": 50}]}, limits=Limits(members=20)
        )
    assert info.value.code == "too-many-members"
    assert "partners" in str(info.value)


def _v1_documents() -> list[dict[str, Any]]:
    paths = [*example_files(), *sorted((ROOT / "tests" / "data").rglob("*.yaml"))]
    documents = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and not {"members_complete", "member_count", "partners"} & set(
            data
        ):
            documents.append(data)
    return documents


@pytest.mark.parametrize("typology", ["labo-ess-ptce", "decret-2015-ptce", "geces-2021"])
def test_every_v1_document_keeps_its_meaning(typology: str) -> None:
    """A given member list without the 1.1 flags reads as complete, as in v1."""
    loaded = load_typology(typology)
    documents = _v1_documents()
    assert documents
    for data in documents:
        if data.get("members") is None:
            continue
        said = classify({**data, "members_complete": True}, loaded)
        assert classify(data, loaded).to_json() == said.to_json(), data["name"]


def test_the_labo_typology_asks_whether_the_list_is_complete() -> None:
    """A partial list leaves the member criteria open and says what would settle them."""
    data = {
        "name": "Pôle",
        "voluntary": True,
        "members": [{"kind": "ess_association"}, {"kind": "ess_cooperative"}, {"kind": "sme"}],
    }
    closed = classify(data, "labo-ess-ptce")
    opened = classify({**data, "members_complete": False}, "labo-ess-ptce")
    statuses = {c.id: c.status for c in closed.criteria}
    assert statuses["M2"] == "not_met"
    assert {c.id: c.status for c in opened.criteria}["M2"] == "unknown"
    assert {"members_complete", "member_count"} <= set(opened.missing)
    interpreted = classify(
        {**data, "members_complete": False}, "labo-ess-ptce", backend="interpreter"
    )
    assert interpreted.to_json() == opened.to_json()
