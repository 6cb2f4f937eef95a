"""The Matray–Poisat ideal types: cases written apart from the rule file.

Its inline examples run in ``test_shipped_typologies.py``.

The four clear-cut cases below are the type descriptions of ``DOMAIN.md`` section 2 read
as initiatives; they are not copied from the rule file's examples, so they test its
formulas rather than restate them.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import EXAMPLES
from poletype import classify, load_typology, read_initiative
from poletype.cli import main

TYPOLOGY = load_typology("matray-poisat")
assert TYPOLOGY.graded is not None
GRADED = TYPOLOGY.graded


def _member(kind: str, **facts: Any) -> dict[str, Any]:
    return {"name": kind, "kind": kind, "local": True, **facts}


CITIZEN_SOCIAL: dict[str, Any] = {
    "name": "Collectif d'habitants",
    "origin": "citizen",
    "finality": "social_needs",
    "approach": "bottom_up",
    "public_role": "facilitator",
    "members": [
        _member("citizen_group", founder=True),
        _member("ess_association", founder=True),
        _member("ess_association"),
        _member("local_authority"),
    ],
    "resources": {"market": 0.15, "non_market": 0.45, "non_monetary": 0.4},
    "governance": {
        "democratic": True,
        "leadership": "private",
        "volunteer_board": True,
        "user_involvement": True,
        "structure": "decentralised",
    },
    "profitable_activities": False,
    "industrial": False,
    "market_reach": "local",
}

ENTREPRENEURIAL: dict[str, Any] = {
    "name": "Pôle industriel inclusif",
    "origin": "entrepreneurial",
    "finality": "growth",
    "approach": "top_down",
    "industrial": True,
    "profitable_activities": True,
    "market_reach": "national",
    "members": [
        _member("sme", founder=True),
        _member("sme", founder=True),
        _member("large_company"),
        _member("ess_association", work_integration=True),
        _member("ess_cooperative", work_integration=True),
    ],
    "jobs": 120,
    "insertion_jobs": 35,
    "resources": {"market": 0.85, "non_market": 0.15, "non_monetary": 0.0},
    "governance": {"democratic": False, "leadership": "private", "structure": "centralised"},
    "public_role": "marginal",
}

INSTITUTIONALISED: dict[str, Any] = {
    "name": "Réseau territorial de l'ESS",
    "origin": "ess_network",
    "finality": "employment",
    "approach": "top_down",
    "members": [
        _member("ess_network", founder=True),
        _member("ess_association"),
        _member("ess_cooperative"),
        _member("ess_mutual"),
        _member("ess_association"),
        _member("local_authority"),
    ],
    "activities": {
        "functions": ["production", "pooling", "representation", "awareness"],
        "primary_function": "pooling",
    },
    "governance": {"leadership": "mixed", "democratic": True, "structure": "centralised"},
    "public_role": "project_holder",
    "resources": {"market": 0.3, "non_market": 0.6, "non_monetary": 0.1},
    "profitable_activities": False,
    "industrial": False,
    "ess_policy": {"in_local_policy": True, "in_local_ess_networks": True},
}

ALTERNATIVE: dict[str, Any] = {
    "name": "Coopérative rentable et démocratique",
    "origin": "mixed",
    "finality": "sustainable_local_development",
    "profitable_activities": True,
    "market_reach": "national",
    "members": [
        _member("ess_cooperative", founder=True),
        _member("sme", founder=True),
        _member("sme"),
        _member("ess_company"),
    ],
    "resources": {"market": 0.9, "non_market": 0.05, "non_monetary": 0.05},
    "governance": {
        "democratic": True,
        "leadership": "private",
        "user_involvement": True,
        "volunteer_board": True,
        "structure": "decentralised",
    },
    "public_role": "none",
    "industrial": False,
}


def test_the_four_types_and_two_axes() -> None:
    """Four ideal types with the source's names; a map with the two interpretive axes."""
    assert [t.id for t in GRADED.types] == [
        "institutionalised",
        "entrepreneurial",
        "social",
        "alternative",
    ]
    assert len(GRADED.axes) == 2
    assert {(q.x, q.y, q.type) for q in GRADED.spec.quadrants} == {
        ("high", "high", "entrepreneurial"),
        ("low", "high", "institutionalised"),
        ("low", "low", "social"),
        ("high", "low", "alternative"),
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (CITIZEN_SOCIAL, "social"),
        (ENTREPRENEURIAL, "entrepreneurial"),
        (INSTITUTIONALISED, "institutionalised"),
        (ALTERNATIVE, "alternative"),
    ],
    ids=["citizen-social", "entrepreneurial", "institutionalised", "alternative"],
)
def test_clear_cut_cases_have_the_right_dominant_type(case: dict[str, Any], expected: str) -> None:
    """The descriptions' clear cases dominate their type, with everything they need known."""
    verdict = classify(case, TYPOLOGY)
    assert verdict.outcome == expected, [(m.type, m.low, m.high) for m in verdict.memberships or []]
    assert verdict.leaning == expected
    assert verdict.missing == []


@pytest.mark.parametrize(
    ("case", "quadrant"),
    [
        (CITIZEN_SOCIAL, ("low", "low")),
        (ENTREPRENEURIAL, ("high", "high")),
        (INSTITUTIONALISED, ("low", "high")),
        (ALTERNATIVE, ("high", "low")),
    ],
    ids=["social", "entrepreneurial", "institutionalised", "alternative"],
)
def test_clear_cut_cases_sit_in_their_quadrant(
    case: dict[str, Any], quadrant: tuple[str, str]
) -> None:
    """The map axes, computed from the rule file, put each clear case in its quadrant."""
    verdict = classify(case, TYPOLOGY)
    assert verdict.axes is not None
    side = tuple("high" if (a.low + a.high) / 2 > 0.5 else "low" for a in verdict.axes)
    assert side == quadrant


def test_unknowns_give_honest_intervals() -> None:
    """Dropping the governance facts widens the alternative type and may undecide it."""
    known = classify(ALTERNATIVE, TYPOLOGY).membership("alternative")
    partial = dict(ALTERNATIVE)
    del partial["governance"]
    verdict = classify(partial, TYPOLOGY)
    widened = verdict.membership("alternative")
    assert widened.low <= known.low <= known.high <= widened.high
    assert widened.low < widened.high
    if verdict.outcome == "indeterminate":
        assert any(p.startswith("governance.") for p in verdict.missing)


def test_nothing_known_is_indeterminate_with_every_type_open() -> None:
    """An initiative with only a name spans a wide interval for each type."""
    verdict = classify({"name": "Inconnu"}, TYPOLOGY)
    assert verdict.outcome == "indeterminate"
    assert verdict.hybrid is None
    assert verdict.memberships is not None
    assert all(m.low < m.high for m in verdict.memberships)
    assert verdict.missing


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_example_has_memberships(path: Any) -> None:
    """Each example gets an interval per type and a leaning."""
    verdict = classify(read_initiative(path), TYPOLOGY)
    assert verdict.memberships is not None
    assert len(verdict.memberships) == 4
    assert verdict.leaning in {"institutionalised", "entrepreneurial", "social", "alternative"}


def test_explain_shows_every_indicator_with_source_and_reading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`poletype explain matray-poisat` lists each indicator, its source and our reading."""
    assert main(["explain", "matray-poisat"]) == 0
    out = capsys.readouterr().out
    for indicator in GRADED.indicators:
        spec = indicator.spec
        assert f"  {spec.id}  {spec.label.fr}" in out
        assert f"[{spec.source.document}] {spec.source.section}" in out
        assert spec.interpretation is not None, spec.id
        assert spec.interpretation.fr in out
    for ideal in GRADED.types:
        assert ideal.spec.description.fr in out


WORKER_COOPERATIVES: dict[str, Any] = {
    "name": "Scop industrielles",
    "industrial": True,
    "profitable_activities": True,
    "governance": {"democratic": True},
    "members": [_member("ess_cooperative", founder=True) for _ in range(4)],
}


def test_worker_cooperatives_with_profitable_industry_lean_alternative() -> None:
    """Profitable industrial activity under democratic governance: the alternative type's
    two traits, whatever else is unknown; not entrepreneurial."""
    verdict = classify(WORKER_COOPERATIVES, TYPOLOGY)
    assert verdict.membership("alternative").low == 1
    assert verdict.leaning == "alternative"
    assert verdict.membership("entrepreneurial").high < 1
    fuller = {
        **WORKER_COOPERATIVES,
        "origin": "mixed",
        "finality": "employment",
        "activities": {"functions": ["production"]},
        "governance": {"democratic": True, "leadership": "private"},
    }
    assert classify(fuller, TYPOLOGY).outcome == "alternative"


def test_the_alternative_type_is_its_two_traits_only() -> None:
    """No users, volunteers or public drive enter it: a public-led democratic and profitable
    pole without user involvement is still fully alternative."""
    alternative = next(t for t in GRADED.types if t.id == "alternative")
    assert sorted(alternative.membership.indicators()) == [
        "democratic_governance",
        "profitable_conventional_activities",
    ]
    public = {
        "name": "P",
        "profitable_activities": True,
        "governance": {"democratic": True, "leadership": "public", "user_involvement": False},
        "public_role": "project_holder",
    }
    assert classify(public, TYPOLOGY).membership("alternative").low == 1


def test_a_market_share_does_not_override_stated_unprofitable_activities() -> None:
    """profitable_activities false: no alternative membership, however high the sales."""
    stated = {
        "name": "P",
        "profitable_activities": False,
        "governance": {"democratic": True},
        "resources": {"market": 0.95},
    }
    degree = classify(stated, TYPOLOGY).membership("alternative")
    assert (degree.low, degree.high) == (0, 0)
    unstated = {k: v for k, v in stated.items() if k != "profitable_activities"}
    open_ = classify(unstated, TYPOLOGY)
    assert (open_.membership("alternative").low, open_.membership("alternative").high) == (0, 1)
    assert "profitable_activities" in open_.missing
