"""SLPI versus PTCE: cases written apart from the rule file (DOMAIN.md section 3)."""

from __future__ import annotations

from typing import Any

import pytest

from poletype import classify, load_typology

TYPOLOGY = load_typology("slpi-ptce")


def _m(kind: str, size: str | None = None, **facts: Any) -> dict[str, Any]:
    member: dict[str, Any] = {"name": f"{kind} {size}", "kind": kind, "local": True, **facts}
    if size:
        member["size"] = size
    return member


TECHNO_CLUSTER: dict[str, Any] = {
    "name": "Pôle de compétitivité technologique",
    "members": [
        _m("large_company", "large"),
        _m("large_company", "large"),
        _m("sme", "medium"),
        _m("research_centre"),
        _m("higher_education"),
        _m("state_body"),
    ],
    "approach": "top_down",
    "finality": "growth",
    "market_reach": "export",
    "industrial": True,
    "innovation": ["technological"],
    "research": {"programme": True, "research_partners": True, "intensity": "high"},
    "resources": {"market": 0.6, "non_market": 0.4, "non_monetary": 0.0},
    "funding_levels": ["national", "regional"],
    "activities": {"multisectoral": False, "sectors": ["aéronautique"]},
    "governance": {
        "structure": "centralised",
        "democratic": False,
        "leadership": "mixed",
        "multi_stakeholder": False,
        "volunteer_board": False,
        "user_involvement": False,
    },
    "strategy": {"territorial": False},
    "sites": 4,
    "scale": "national",
}

DISTRICT: dict[str, Any] = {
    "name": "Système productif local de la coutellerie",
    "members": [_m("sme", "small"), _m("sme", "micro"), _m("sme", "small"), _m("sme", "micro")],
    "approach": "bottom_up",
    "finality": "growth",
    "market_reach": "national",
    "industrial": True,
    "innovation": ["organisational"],
    "research": {"intensity": "low", "research_partners": False},
    "resources": {"market": 0.9, "non_market": 0.1, "non_monetary": 0.0},
    "funding_levels": ["local", "regional"],
    "activities": {"multisectoral": False, "sectors": ["coutellerie"]},
    "governance": {
        "structure": "decentralised",
        "democratic": False,
        "leadership": "private",
        "multi_stakeholder": False,
        "volunteer_board": False,
        "user_involvement": False,
    },
    "strategy": {"territorial": True},
    "territory_defined": True,
    "sites": 1,
    "scale": "local",
}

ESS_POLE: dict[str, Any] = {
    "name": "Pôle coopératif multi-acteurs",
    "members": [
        _m("ess_cooperative", "small"),
        _m("ess_association", "small"),
        _m("ess_association", "micro"),
        _m("sme", "small"),
        _m("local_authority", "medium"),
        _m("research_centre", "small"),
        _m("citizen_group", "micro"),
    ],
    "approach": "bottom_up",
    "finality": "sustainable_local_development",
    "market_reach": "local",
    "industrial": False,
    "innovation": ["social", "organisational"],
    "research": {"intensity": "low", "research_partners": True},
    "resources": {"market": 0.4, "non_market": 0.35, "non_monetary": 0.25},
    "funding_levels": ["local", "regional"],
    "activities": {"multisectoral": True, "sectors": ["alimentation", "réemploi", "mobilité"]},
    "governance": {
        "structure": "decentralised",
        "democratic": True,
        "leadership": "private",
        "multi_stakeholder": True,
        "volunteer_board": True,
        "user_involvement": True,
    },
    "strategy": {"territorial": True},
    "territory_defined": True,
    "sites": 1,
    "scale": "local",
}


@pytest.mark.parametrize(
    ("case", "form"),
    [(TECHNO_CLUSTER, "cluster"), (DISTRICT, "district"), (ESS_POLE, "ptce")],
    ids=["technology-cluster", "small-firm-district", "ess-multi-stakeholder"],
)
def test_clear_cases_are_nearest_their_form(case: dict[str, Any], form: str) -> None:
    """The three forms of DOMAIN.md section 3, read as initiatives, come out nearest."""
    verdict = classify(case, TYPOLOGY)
    assert verdict.outcome == form, [(m.type, m.low, m.high) for m in verdict.memberships or []]
    assert verdict.leaning == form
    assert verdict.dimensions is not None
    nearest = [d.nearest for d in verdict.dimensions]
    assert nearest.count(form) >= len(nearest) / 2, nearest


def test_every_dimension_of_the_source_is_read_for_every_form() -> None:
    """Each dimension has an indicator for each of the three forms, with a source."""
    graded = TYPOLOGY.graded
    assert graded is not None
    assert [t.id for t in graded.types] == ["cluster", "district", "ptce"]
    assert set(TYPOLOGY.spec.dimensions) >= {
        "coordination",
        "units",
        "innovation",
        "growth_model",
        "method",
        "resources",
        "sector",
        "proximity",
        "governance_logic",
        "territory_relation",
        "funding",
    }
    verdict = classify(ESS_POLE, TYPOLOGY)
    assert verdict.dimensions is not None
    for reading in verdict.dimensions:
        assert {d.type for d in reading.degrees} == {"cluster", "district", "ptce"}, (
            reading.dimension
        )


def test_unknowns_leave_the_nearest_form_open_with_intervals() -> None:
    """With governance and resources unknown, memberships widen."""
    partial = {k: v for k, v in ESS_POLE.items() if k not in ("governance", "resources")}
    verdict = classify(partial, TYPOLOGY)
    known = classify(ESS_POLE, TYPOLOGY)
    assert verdict.memberships is not None
    assert known.memberships is not None
    for wide, point in zip(verdict.memberships, known.memberships, strict=True):
        assert wide.low <= point.low <= point.high <= wide.high
    if verdict.outcome == "indeterminate":
        assert verdict.missing


def test_descriptors_for_a_ptce() -> None:
    """Governance leaning, public role and the ESS-affiliation reading are reported."""
    verdict = classify({**ESS_POLE, "public_role": "facilitator"}, TYPOLOGY)
    assert verdict.descriptors is not None
    values = {d.id: d.value for d in verdict.descriptors}
    assert values["public_role"] == "facilitator"
    assert values["ptce_governance_leaning"] == "district_like"
    assert values["ess_affiliation"] == "reciprocity"
