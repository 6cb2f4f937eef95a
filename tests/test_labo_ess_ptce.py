"""The Labo de l'ESS typology: cases written apart from its rule file.

Its inline examples run in ``test_shipped_typologies.py``. The cases below are not in
the rule file: they are the readings of ``DOMAIN.md`` section 1 that the verdict must
honour.
"""

from __future__ import annotations

from typing import Any

from poletype import classify, load_typology

TYPOLOGY = load_typology("labo-ess-ptce")

COMPLETE: dict[str, Any] = {
    "name": "Pôle complet",
    "voluntary": True,
    "members": [
        {"name": "Association", "kind": "ess_association", "local": True},
        {"name": "Scop", "kind": "ess_cooperative", "local": True},
        {"name": "Scic", "kind": "ess_cooperative", "local": True},
        {"name": "PME", "kind": "sme", "local": True},
        {"name": "Ville", "kind": "local_authority", "local": True},
    ],
    "strategy": {"shared": True, "formalised": True, "territorial": True},
    "local_integration": {"local_networks": True},
    "activities": {"social_utility_share": 0.8, "primary_function": "production"},
    "commitment": {"long_term": True, "single_project": False},
    "pooling": {"resources": ["premises", "staff"]},
}


def test_the_typology_has_the_three_lists() -> None:
    """8 mandatory criteria, 6 to test, 5 exclusions."""
    groups = [c.group for c in TYPOLOGY.criteria]
    assert groups.count("mandatory") == 8
    assert groups.count("to_test") == 6
    assert groups.count("exclusion") == 5


def test_min_jobs_is_marked_an_interpretation_and_min_organisations_defaults_to_5() -> None:
    """The source gives no job count; its '5/10' defaults to 5."""
    parameters = TYPOLOGY.spec.parameters
    assert parameters["min_jobs"].interpretation is True
    assert parameters["min_organisations"].default == 5


def test_complete_case_is_a_ptce_with_nothing_missing() -> None:
    """All mandatory criteria met, no exclusion: PTCE."""
    verdict = classify(COMPLETE)
    assert verdict.outcome == "ptce"
    assert verdict.missing == []
    assert verdict.scores[0].group == "to_test"
    assert verdict.scores[0].unknown == 6


def test_known_failure_decides_even_with_other_facts_unknown() -> None:
    """One mandatory criterion known to fail is enough for not_ptce, and nothing is to ask."""
    verdict = classify({"name": "P", "strategy": {"shared": False}})
    assert verdict.outcome == "not_ptce"
    assert verdict.criterion("M3").status == "not_met"
    assert verdict.criterion("M5").status == "unknown"
    assert verdict.missing == []


def test_half_is_not_a_majority() -> None:
    """A social-utility share of exactly 0.5 fails M5; just over it meets it."""
    at_half = classify(
        {**COMPLETE, "activities": {"social_utility_share": 0.5, "primary_function": "production"}}
    )
    assert at_half.criterion("M5").status == "not_met"
    assert at_half.outcome == "not_ptce"
    assert "0,5" in at_half.criterion("M5").justification.fr
    over = classify(
        {**COMPLETE, "activities": {"social_utility_share": 0.51, "primary_function": "production"}}
    )
    assert over.outcome == "ptce"


def test_an_observatory_function_among_others_does_not_exclude() -> None:
    """Observation beside production, with production primary, is not X5."""
    data = {
        **COMPLETE,
        "activities": {
            "social_utility_share": 0.8,
            "primary_function": "production",
            "functions": ["production", "observation", "resource_centre"],
        },
    }
    verdict = classify(data)
    assert verdict.criterion("X5").status == "not_met"
    assert verdict.outcome == "ptce"


def test_an_observatory_as_primary_function_excludes() -> None:
    """What the initiative essentially is decides the exclusion."""
    data = {
        **COMPLETE,
        "activities": {"social_utility_share": 0.8, "primary_function": "observation"},
    }
    verdict = classify(data)
    assert verdict.criterion("X5").status == "met"
    assert verdict.outcome == "not_ptce"


def test_unknown_primary_function_leaves_the_verdict_open_and_asks_for_it() -> None:
    """Everything else known and met: only the primary function is missing."""
    data = {**COMPLETE, "activities": {"social_utility_share": 0.8}}
    verdict = classify(data)
    assert verdict.outcome == "indeterminate"
    assert verdict.missing == ["activities.primary_function"]


def test_missing_lists_what_to_ask_and_only_that() -> None:
    """An applicant who left out two mandatory facts is asked for those two."""
    data = {
        **COMPLETE,
        "strategy": {"shared": True, "territorial": True},
        "activities": {"primary_function": "production"},
    }
    verdict = classify(data)
    assert verdict.outcome == "indeterminate"
    assert verdict.missing == ["activities.social_utility_share", "strategy.formalised"]
    assert verdict.criterion("M3").missing == ["strategy.formalised"]


def test_criteria_to_test_never_change_the_outcome() -> None:
    """T1–T6 are reported and scored, not required."""
    data = {**COMPLETE, "governance": {"democratic": False}, "evaluation": False, "jobs": 0}
    verdict = classify(data)
    assert verdict.outcome == "ptce"
    assert verdict.scores[0].not_met == 3


def test_strict_reading_of_five_ten() -> None:
    """min_organisations=10 turns a five-member pole away, and says so."""
    verdict = classify(COMPLETE, params={"min_organisations": 10})
    assert verdict.outcome == "not_ptce"
    assert verdict.criterion("M2").status == "not_met"
    assert "10" in verdict.criterion("M2").justification.fr
    assert verdict.parameters["min_organisations"] == 10


def test_members_of_unknown_kind_do_not_hide_a_known_local_authority() -> None:
    """M8 is met by one known local authority whatever the others are."""
    data = {**COMPLETE, "members": [*COMPLETE["members"], {"name": "Inconnu"}]}
    verdict = classify(data)
    assert verdict.criterion("M8").status == "met"
    assert verdict.criterion("M1").status == "met"
    assert verdict.outcome == "ptce"


def test_every_criterion_names_its_source_and_speaks_both_languages() -> None:
    """Each criterion result has a source section and French and English sentences."""
    verdict = classify(COMPLETE)
    assert len(verdict.criteria) == 19
    for result in verdict.criteria:
        assert result.source.document == "labo-ess-2012"
        assert result.source.section
        assert result.justification.fr
        assert result.justification.en
        assert "{" not in result.justification.fr


WITHOUT_LOCAL_AUTHORITY = [m for m in COMPLETE["members"] if m["kind"] != "local_authority"] + [
    {"name": "Association d'insertion", "kind": "ess_association", "local": True}
]


def test_a_local_authority_partner_meets_m8_without_being_a_member() -> None:
    """Domb'Innov's case (seed 004 §2.2): the public partner acts from outside."""
    data = {
        **COMPLETE,
        "members": WITHOUT_LOCAL_AUTHORITY,
        "public_role": "facilitator",
        "partners": [{"name": "Communauté de communes", "kind": "local_authority"}],
    }
    verdict = classify(data)
    assert verdict.criterion("M8").status == "met"
    assert verdict.outcome == "ptce"


def test_a_facilitating_public_role_with_no_authority_named_is_not_a_refusal() -> None:
    """No local authority among complete members, partners unknown: indeterminate, and asked."""
    data = {**COMPLETE, "members": WITHOUT_LOCAL_AUTHORITY, "public_role": "facilitator"}
    verdict = classify(data)
    assert verdict.outcome == "indeterminate"
    m8 = verdict.criterion("M8")
    assert m8.status == "unknown"
    assert "partners" in verdict.missing
    assert "une collectivité partenaire est probable" in m8.justification.fr
    assert "a partner local authority is likely" in m8.justification.en


def test_no_local_authority_is_known_only_on_complete_lists() -> None:
    """Members complete and partners said complete, none a local authority: not a PTCE."""
    data = {**COMPLETE, "members": WITHOUT_LOCAL_AUTHORITY, "partners_complete": True}
    verdict = classify(data)
    assert verdict.criterion("M8").status == "not_met"
    assert verdict.outcome == "not_ptce"
    partial = {**data, "members_complete": False}
    assert classify(partial).criterion("M8").status == "unknown"


def test_a_stakeholder_among_the_partners_meets_m1() -> None:
    """ESS members associated with a research centre that is only a partner."""
    ess_only = [
        {"name": "Association", "kind": "ess_association", "local": True},
        {"name": "Scop", "kind": "ess_cooperative", "local": True},
    ]
    data = {"name": "P", "members": ess_only, "partners": [{"kind": "research_centre"}]}
    assert classify(data).criterion("M1").status == "met"
    closed = {"name": "P", "members": ess_only, "partners_complete": True}
    assert classify(closed).criterion("M1").status == "not_met"
    assert classify({"name": "P", "members": ess_only}).criterion("M1").status == "unknown"


def test_formal_local_partnerships_meet_m4() -> None:
    """The criterion names networks and partnerships: one formal local partnership is enough."""
    data = {**COMPLETE, "local_integration": {"local_networks": False, "local_partnerships": 1}}
    data["members"] = [{**m, "local": False} for m in COMPLETE["members"]]
    assert classify(data).criterion("M4").status == "met"
    none = {**data, "local_integration": {"local_networks": False, "local_partnerships": 0}}
    assert classify(none).criterion("M4").status == "not_met"


def test_m2_counts_a_partial_list_as_an_interval() -> None:
    """Three named members of twelve are enough; three named of an unknown total are not yet."""
    named = COMPLETE["members"][:3]
    twelve = {"name": "P", "voluntary": True, "members": named, "member_count": 12}
    assert classify(twelve).criterion("M2").status == "met"
    open_ended = {"name": "P", "voluntary": True, "members": named, "members_complete": False}
    m2 = classify(open_ended).criterion("M2")
    assert m2.status == "unknown"
    assert "au moins 3" in m2.justification.fr
    four = {"name": "P", "voluntary": True, "members": named[:2], "member_count": 4}
    assert classify(four).criterion("M2").status == "not_met"
