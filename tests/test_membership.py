"""Graded verdicts: indicator degrees, intervals under unknowns, and their laws.

Laws checked on every graded typology (the shipped ones and a small test file):

- containment: each type's membership interval contains that type's membership for
  every completion of the unknown facts (so a decided dominant type is sound);
- monotonicity: raising an indicator that enters a type's formula positively never
  lowers the type, and raising a negated one never raises it;
- ``missing`` never omits a fact that matters: two completions that agree on the listed
  facts give the same dominant type;
- determinism and the JSON round trip.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, TEST_RULES
from poletype import Initiative, Verdict, classify, load_typology
from poletype._engine.membership import combine, live
from poletype._engine.typology import CombinationTree
from strategies import completion, example_inputs, initiatives, random_completion

GRADED = [
    p
    for p in [*sorted((ROOT / "rules").glob("*.yaml")), TEST_RULES / "graded-minimal.yaml"]
    if load_typology(p).spec.is_graded
]
MINIMAL = TEST_RULES / "graded-minimal.yaml"


def _ids(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("path", GRADED, ids=_ids)
@settings(max_examples=30)
@given(data=st.data())
def test_membership_interval_contains_every_completion(path: Path, data: st.DataObject) -> None:
    """No completion of the unknown facts falls outside a type's interval."""
    typology = load_typology(path)
    partial = data.draw(initiatives())
    verdict = classify(partial, typology)
    assert verdict.memberships is not None
    for _ in range(3):
        complete = classify(data.draw(completion(partial)), typology)
        assert complete.memberships is not None
        for interval, point in zip(verdict.memberships, complete.memberships, strict=True):
            assert point.low == point.high
            assert interval.low <= point.low <= interval.high, interval.type
        if verdict.outcome != "indeterminate":
            assert complete.outcome == verdict.outcome


def _polarity(node: CombinationTree, indicator: str, sign: int = 1) -> set[int]:
    sign = -sign if node.negate else sign
    if node.indicator is not None:
        return {sign} if node.indicator == indicator else set()
    return {s for child in node.children for s in _polarity(child, indicator, sign)}


@pytest.mark.parametrize("path", GRADED, ids=_ids)
@given(data=st.data())
def test_raising_an_indicator_moves_its_types_its_way(path: Path, data: st.DataObject) -> None:
    """Monotonicity of every declared formula (types and axes) in each indicator."""
    graded = load_typology(path).graded
    assert graded is not None
    ids = [i.id for i in graded.indicators]
    before = {i: (d := data.draw(st.floats(0, 1)), d) for i in ids}
    raised = data.draw(st.sampled_from(ids))
    after = dict(before)
    up = data.draw(st.floats(before[raised][0], 1))
    after[raised] = (up, up)
    for formula in [t.membership for t in graded.types] + [a.value for a in graded.axes]:
        polarity = _polarity(formula, raised)
        old, new = combine(formula, before)[0], combine(formula, after)[0]
        if polarity == {1}:
            assert new >= old - 1e-12
        elif polarity == {-1}:
            assert new <= old + 1e-12
        elif not polarity:
            assert new == old


def _fill(document: dict[str, Any], source: dict[str, Any], path: str) -> None:
    """Copy the fact at ``path`` (or the members list it lies in) from ``source``.

    A list and the facts about it (format 1.1) are copied together: a list's size or
    completeness describes the list it came with.
    """
    head, _, rest = path.partition(".")
    for group in (
        ("members", "members_complete", "member_count"),
        ("partners", "partners_complete"),
    ):
        if head in group:
            for name in group:
                document[name] = source.get(name)
            return
    if not rest:
        document[head] = source[head]
        return
    document[head] = {**(document.get(head) or {}), rest: source[head][rest]}


@pytest.mark.parametrize("path", GRADED, ids=_ids)
@settings(max_examples=30, derandomize=True)
@given(partial=initiatives())
def test_facts_not_listed_cannot_change_the_dominant_type(path: Path, partial: Initiative) -> None:
    """Fix the listed facts from one completion; any other completion agrees."""
    typology = load_typology(path)
    verdict = classify(partial, typology)
    if verdict.outcome != "indeterminate":
        return
    rng = random.Random(0)
    donors = example_inputs(typology)
    for _ in range(5):
        first = random_completion(partial, rng, donors)
        fixed = partial.model_dump(exclude_none=True, exclude={"snapshots"})
        for fact in verdict.missing:
            _fill(fixed, first, fact)
        other = random_completion(Initiative.model_validate(fixed), rng, donors)
        assert classify(first, typology).outcome == classify(other, typology).outcome


@pytest.mark.parametrize("path", GRADED, ids=_ids)
@settings(max_examples=15)
@given(initiative=initiatives())
def test_graded_json_is_deterministic_and_round_trips(path: Path, initiative: Initiative) -> None:
    """Same input, same bytes; the JSON reads back to an equal verdict."""
    typology = load_typology(path)
    first = classify(initiative, typology).to_json()
    assert classify(initiative, typology).to_json() == first
    assert Verdict.model_validate_json(first).to_json() == first


def test_known_numbers_give_points_and_unknowns_give_intervals() -> None:
    """With everything a formula reads known, low equals high; an unknown widens it."""
    typology = load_typology(MINIMAL)
    known = classify(
        {"name": "P", "resources": {"market": 0.65}, "governance": {"democratic": False}},
        typology,
    )
    market = known.membership("market_type")
    assert (market.low, market.high) == (0.8333, 0.8333)
    assert known.criterion("market").degree is not None
    assert known.criterion("market").status == "met"
    assert known.outcome == "market_type"
    assert known.missing == []
    unsure = classify({"name": "P", "resources": {"market": 0.65}}, typology)
    market = unsure.membership("market_type")
    assert (market.low, market.high) == (0.5, 0.8333)
    assert unsure.criterion("democratic").status == "unknown"
    assert unsure.criterion("democratic").missing == ["governance.democratic"]


def test_each_indicator_in_three_states() -> None:
    """Met, not met and unknown for a yes/no and for a calibrated indicator."""
    typology = load_typology(MINIMAL)
    cases = [
        ({"governance": {"democratic": True}}, "democratic", "met", (1.0, 1.0)),
        ({"governance": {"democratic": False}}, "democratic", "not_met", (0.0, 0.0)),
        ({}, "democratic", "unknown", (0.0, 1.0)),
        ({"resources": {"market": 0.5}}, "market", "met", (0.5, 0.5)),
        ({"resources": {"market": 0.3}}, "market", "not_met", (0.1667, 0.1667)),
        ({}, "market", "unknown", (0.0, 1.0)),
    ]
    for facts, indicator, expected, degree in cases:
        result = classify({"name": "P", **facts}, typology).criterion(indicator)
        assert result.status == expected, (facts, indicator)
        assert result.degree is not None
        assert (result.degree.low, result.degree.high) == degree


def test_partly_known_members_give_a_partial_count() -> None:
    """Three members known local and one unknown: the local count is 3 or 4."""
    typology = load_typology(MINIMAL)
    members = [{"kind": "sme", "local": True}] * 3 + [{"kind": "sme"}]
    result = classify({"name": "P", "members": members}, typology).criterion("local_members")
    assert result.degree is not None
    assert (result.degree.low, result.degree.high) == (0.75, 1.0)
    assert result.status == "met"
    assert result.missing == ["members.local"]


def test_min_masks_an_indicator_that_cannot_matter() -> None:
    """In min(democratic, …), a known non-democratic pole masks the other terms."""
    graded = load_typology(MINIMAL).graded
    assert graded is not None
    civic = next(t for t in graded.types if t.id == "civic").membership
    env = {"democratic": (0.0, 0.0), "local_members": (0.0, 1.0), "market": (0.0, 1.0)}
    assert live(civic, env) == []
    env["democratic"] = (1.0, 1.0)
    assert live(civic, env) == ["local_members", "market"]


def test_hybrid_and_leaning_are_reported() -> None:
    """Two types within the margin make a hybrid; the leaning is the higher midpoint."""
    typology = load_typology(MINIMAL, {"hybrid_margin": 0.5})
    verdict = classify(
        {
            "name": "P",
            "resources": {"market": 0.9},
            "governance": {"democratic": True},
            "members": [{"kind": "sme", "local": True}] * 4,
        },
        typology,
    )
    assert verdict.membership("market_type").low == pytest.approx(0.6667)
    assert verdict.membership("civic").low == 1.0
    assert verdict.leaning == "civic"
    assert verdict.outcome == "civic"
    assert verdict.hybrid is True


def test_crisp_verdicts_carry_no_graded_fields() -> None:
    """The Labo de l'ESS verdict JSON is unchanged by graded typologies."""
    text = classify({"name": "P"}).to_json()
    for key in ('"memberships"', '"leaning"', '"hybrid"', '"axes"', '"degree"'):
        assert key not in text


def test_dimensions_name_the_nearest_type_or_leave_it_open() -> None:
    """Per dimension, each type's degree there, and the nearest type when decided."""
    typology = load_typology(MINIMAL)
    verdict = classify(
        {"name": "P", "resources": {"market": 0.9}, "governance": {"democratic": False}},
        typology,
    )
    assert verdict.dimensions is not None
    economy, governance = verdict.dimensions
    assert economy.dimension == "economy"
    assert {d.type: (d.low, d.high) for d in economy.degrees} == {
        "market_type": (1.0, 1.0),
        "civic": (0.0, 0.0),
    }
    assert economy.nearest == "market_type"
    assert governance.nearest == "market_type"
    unknown = classify({"name": "P"}, typology).dimensions
    assert unknown is not None
    assert unknown[1].nearest is None
