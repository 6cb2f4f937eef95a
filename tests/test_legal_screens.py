"""The legal screens: ESS law article 9, decree 2015-431, GECES inclusion criteria."""

from __future__ import annotations

from typing import Any

import pytest

from poletype import classify

APPLICANT: dict[str, Any] = {
    "name": "Candidat éligible",
    "legal_entity": "private_law",
    "members": [
        {"name": "Scop", "kind": "ess_cooperative", "local": True},
        {"name": "PME", "kind": "sme", "local": True},
        {"name": "Commune", "kind": "local_authority", "local": True},
        {"name": "Université", "kind": "higher_education", "local": True},
    ],
    "innovation": ["social"],
    "territory_defined": True,
    "prior_state_support": False,
    "strategy": {"shared": True, "formalised": True, "territorial": True},
    "commitment": {"long_term": True, "single_project": False},
    "pooling": {"resources": ["premises", "staff"]},
    "finality": "sustainable_local_development",
    "local_integration": {"local_networks": True},
}


def test_the_state_call_screen_accepts_a_complete_applicant() -> None:
    """Every eligibility condition met: eligible, nothing to ask."""
    verdict = classify(APPLICANT, "decret-2015-ptce")
    assert verdict.outcome == "eligible"
    assert verdict.missing == []


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"prior_state_support": True}, "E8"),
        ({"legal_entity": "none"}, "E1"),
        (
            {
                "members": [
                    {"name": "Scop", "kind": "ess_cooperative"},
                    {"name": "Asso", "kind": "ess_association"},
                    {"name": "Commune", "kind": "local_authority"},
                ]
            },
            "E4",
        ),
        ({"innovation": ["economic"]}, "E6"),
    ],
    ids=["prior-support", "no-legal-person", "no-non-ess-enterprise", "not-innovative"],
)
def test_the_state_call_screen_rejects_with_the_reason(
    change: dict[str, Any], criterion: str
) -> None:
    """An ineligible applicant is not_eligible, and the failing condition says why."""
    verdict = classify({**APPLICANT, **change}, "decret-2015-ptce")
    assert verdict.outcome == "not_eligible"
    failed = [c.id for c in verdict.criteria if c.status == "not_met"]
    assert failed == [criterion]
    reason = verdict.criterion(criterion).justification
    assert reason.fr
    assert reason.en


def test_an_incomplete_application_is_indeterminate_and_asks() -> None:
    """Unknown prior support leaves the screen open and asks for exactly that."""
    partial = {k: v for k, v in APPLICANT.items() if k != "prior_state_support"}
    verdict = classify(partial, "decret-2015-ptce")
    assert verdict.outcome == "indeterminate"
    assert verdict.missing == ["prior_state_support"]


def test_article_9_legal_definition() -> None:
    """The complete applicant is a PTCE within the law; without ESS members it is not."""
    assert classify(APPLICANT, "loi-ess-2014-art9").outcome == "ptce_within_the_law"
    no_ess = {**APPLICANT, "members": [{"name": "PME", "kind": "sme"}] * 3}
    assert classify(no_ess, "loi-ess-2014-art9").outcome == "not_ptce_within_the_law"


def test_geces_inclusion_and_descriptors() -> None:
    """A national-scale pole in a large country is not a GECES cluster; size is described."""
    national = classify({"name": "P", "scale": "national", "country": "FR"}, "geces-2021")
    assert national.outcome == "not_cluster"
    verdict = classify(APPLICANT, "geces-2021")
    assert verdict.descriptors is not None
    size = next(d for d in verdict.descriptors if d.id == "size_class")
    assert size.value == "small"
