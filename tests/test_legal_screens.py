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


def _eligible_but(members: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    return {**APPLICANT, "members": members, **facts}


ESS_AND_AUTHORITY = [
    {"name": "Scop", "kind": "ess_cooperative"},
    {"name": "Asso", "kind": "ess_association"},
    {"name": "Commune", "kind": "local_authority"},
]


def test_the_decree_counts_members_only() -> None:
    """The PTCE groups the legal persons: a conventional firm that is only a partner is not one."""
    data = _eligible_but(ESS_AND_AUTHORITY, partners=[{"name": "PME", "kind": "sme"}])
    verdict = classify(data, "decret-2015-ptce")
    assert verdict.criterion("E4").status == "not_met"
    assert verdict.outcome == "not_eligible"


def test_a_bank_as_the_only_candidate_non_ess_enterprise_leaves_the_screen_open() -> None:
    """A financial institution may be a cooperative bank: E4 is unknown, never not met."""
    bank = [*ESS_AND_AUTHORITY, {"name": "Banque", "kind": "financial_institution"}]
    verdict = classify(_eligible_but(bank), "decret-2015-ptce")
    assert verdict.criterion("E4").status == "unknown"
    assert verdict.outcome == "indeterminate"
    assert "members.kind" in verdict.missing
    with_firm = [*bank, {"name": "PME", "kind": "sme"}]
    assert classify(_eligible_but(with_firm), "decret-2015-ptce").outcome == "eligible"


def test_a_member_of_kind_other_may_be_a_legal_person() -> None:
    """E2 does not refuse an 'other' member as a legal person: with two known, it is open."""
    two = [{"name": "Scop", "kind": "ess_cooperative"}, {"name": "PME", "kind": "sme"}]
    other = [*two, {"name": "Groupement", "kind": "other"}]
    assert classify(_eligible_but(other), "decret-2015-ptce").criterion("E2").status == "unknown"
    citizens = [*two, {"name": "Habitants", "kind": "citizen_group"}]
    assert classify(_eligible_but(citizens), "decret-2015-ptce").criterion("E2").status == "not_met"


def test_article_9_reads_partners_as_associated_actors() -> None:
    """'s'associent à … en lien avec': an ESS-only membership linked to a partner authority."""
    ess = [{"name": "Scop", "kind": "ess_cooperative"}, {"name": "Asso", "kind": "ess_association"}]
    linked = {**APPLICANT, "members": ess, "partners": [{"kind": "local_authority"}]}
    assert classify(linked, "loi-ess-2014-art9").criterion("L2").status == "met"
    unknown = {**APPLICANT, "members": ess}
    assert classify(unknown, "loi-ess-2014-art9").criterion("L2").status == "unknown"
    alone = {**unknown, "partners_complete": True}
    assert classify(alone, "loi-ess-2014-art9").outcome == "not_ptce_within_the_law"


def test_a_cross_border_cluster_is_not_refused_for_its_scale_alone() -> None:
    """Seed 003 §4.1 kept three cross-border clusters: transnational alone is unknown."""
    cluster = {
        **APPLICANT,
        "scale": "transnational",
        "governance": {"democratic": True},
    }
    verdict = classify(cluster, "geces-2021")
    assert verdict.criterion("G3").status == "met"  # its members are based in its territory
    assert verdict.outcome == "cluster"
    bare = classify({"name": "P", "scale": "transnational"}, "geces-2021")
    assert bare.criterion("G3").status == "unknown"
    assert bare.outcome != "not_cluster"
    distant = [{**m, "local": False} for m in APPLICANT["members"]]
    far = classify({**cluster, "members": distant}, "geces-2021")
    assert far.criterion("G3").status == "not_met"


def test_geces_g2_asks_who_governs_not_whether_it_is_democratic() -> None:
    """A firm member leading without democratic statutes is the members' governance;
    a local authority leading from outside the membership is a third party's."""
    led = {
        **APPLICANT,
        "governance": {"democratic": False, "structure": "centralised", "leadership": "private"},
    }
    assert classify(led, "geces-2021").criterion("G2").status == "met"
    third = {
        **APPLICANT,
        "members": [m for m in APPLICANT["members"] if m["kind"] != "local_authority"],
        "partners": [{"kind": "local_authority"}],
        "governance": {
            "democratic": False,
            "multi_stakeholder": False,
            "structure": "centralised",
            "leadership": "public",
        },
    }
    assert classify(third, "geces-2021").criterion("G2").status == "not_met"
    silent = classify({"name": "P", "governance": {"democratic": False}}, "geces-2021")
    assert silent.criterion("G2").status == "unknown"
