"""The Labo de l'ESS criteria written by hand in plain Python: the benchmark's yardstick.

The compiled backend is meant to run rule files about as fast as a programmer's own code,
so this is what a careful programmer would write without poletype: one pass over the
members, attribute reads, three-valued results with ``None`` for unknown. It reads the
same `Initiative` objects and the same parameter values (``Typology.params_value``) as
``rules/labo-ess-ptce.yaml`` and gives the same statuses as the interpreter backend,
including how far it decides under unknowns:

- a member whose ``kind`` is unknown could be of any kind (M1, M8), and adds one to the
  highest possible count of distinct kinds (M2: ``to_set.length``);
- a member whose ``local`` flag is unknown may or may not count towards the local
  majority (M4): the majority holds when the members known to be local already exceed
  half, and fails when even counting every unknown one they do not;
- numbers compare as the rule engine's decimals do: a share is compared with the
  threshold as floats, which orders them as their decimal spellings do.

It returns no `Verdict` (no justifications, no ``missing``): it is the evaluation alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from poletype.model import Initiative

Tri = bool | None


def _and(*values: Tri) -> Tri:
    if False in values:
        return False
    if None in values:
        return None
    return True


def _or(*values: Tri) -> Tri:
    if True in values:
        return True
    if None in values:
        return None
    return False


def _exists(found: bool, open_: bool) -> Tri:
    """ "Some entry is X": met by a named X; unknown while an entry could still be one."""
    return True if found else (None if open_ else False)


def _unnamed(initiative: Initiative, named: int) -> tuple[float, float]:
    """How many members the list may hold beyond those it names (format 1.1)."""
    count_given = initiative.member_count
    if initiative.members is None:
        complete = count_given == 0  # nothing named: member_count unnamed members
    elif initiative.members_complete is not None:
        complete = initiative.members_complete
    else:
        complete = count_given is None or count_given == named
    if complete:
        return 0.0, 0.0
    if count_given is not None:
        return float(count_given - named), float(count_given - named)
    return 0.0, math.inf


def _members(
    initiative: Initiative, params: Mapping[str, Any]
) -> tuple[Tri, Tri, Tri, Tri, Tri, Tri]:
    """Has an ESS member, has a partner kind, has a local authority, M2's size and variety
    and M4's local majority: one pass over the members, format 1.1's reading by hand."""
    members = initiative.members or []
    named = sum(1 if m.count is None else m.count for m in members)
    more_low, more_high = _unnamed(initiative, named)
    ess_kinds = params["ess_kinds"]
    partner_kinds = params["partner_kinds"]
    kinds: set[str] = set()
    open_kinds = local = open_local = 0
    for member in members:
        weight = 1 if member.count is None else member.count
        kind = member.kind
        if kind is None:
            open_kinds += weight
        else:
            kinds.add(kind)
        is_local = member.local
        if is_local:
            local += weight
        elif is_local is None:
            open_local += weight
    # An unnamed member is unknown whatever the test; a named one of unknown kind is not
    # in an empty list of kinds.
    tail = more_high > 0
    has_ess = _exists(
        not kinds.isdisjoint(ess_kinds), tail or (bool(open_kinds) and bool(ess_kinds))
    )
    has_partner = _exists(
        not kinds.isdisjoint(partner_kinds), tail or (bool(open_kinds) and bool(partner_kinds))
    )
    has_authority = _exists("local_authority" in kinds, tail or bool(open_kinds))
    low, high = named + more_low, named + more_high
    least = params["min_organisations"]
    large: Tri = True if low >= least else (False if high < least else None)
    min_kinds = params["min_kinds"]
    varied: Tri
    if len(kinds) >= min_kinds:
        varied = True
    elif len(kinds) + open_kinds + more_high < min_kinds:
        varied = False
    else:
        varied = None
    local_majority: Tri
    if local > high / 2:
        local_majority = True
    elif local + open_local + more_high <= low / 2:
        local_majority = False
    else:
        local_majority = None
    return has_ess, has_partner, has_authority, large, varied, local_majority


def _partners(initiative: Initiative, params: Mapping[str, Any]) -> tuple[Tri, Tri]:
    """Has a partner of a partner kind, has a local authority as a partner."""
    partners, complete = initiative.partners, initiative.partners_complete is True
    if partners is None and not complete:
        return None, None
    kinds = {p.kind for p in partners or [] if p.kind is not None}
    unnamed = any(p.kind is None for p in partners or [])
    partner_kinds = params["partner_kinds"]
    return (
        _exists(
            not kinds.isdisjoint(partner_kinds),
            not complete or (unnamed and bool(partner_kinds)),
        ),
        _exists("local_authority" in kinds, not complete or unnamed),
    )


def labo(initiative: Initiative, params: Mapping[str, Any]) -> tuple[dict[str, Tri], Tri]:
    """Each Labo de l'ESS criterion's status and the verdict condition, three-valued."""
    if initiative.members is None and initiative.member_count is None:
        has_ess = has_partner = has_authority = large = varied = local_majority = None
    else:
        has_ess, has_partner, has_authority, large, varied, local_majority = _members(
            initiative, params
        )
    partner_kind, partner_authority = _partners(initiative, params)
    m1 = _and(has_ess, _or(has_partner, partner_kind))
    m8 = _or(has_authority, partner_authority)
    m2 = _and(initiative.voluntary, large, varied)

    strategy = initiative.strategy
    m3 = (
        None
        if strategy is None
        else _and(strategy.shared, strategy.formalised, strategy.territorial)
    )

    integration = initiative.local_integration
    if integration is None:
        networks = partnerships = None
    else:
        networks, formal = integration.local_networks, integration.local_partnerships
        partnerships = None if formal is None else formal >= 1
    m4 = _or(networks, partnerships, local_majority)

    activities = initiative.activities
    if activities is None:
        share = primary = None
    else:
        share, primary = activities.social_utility_share, activities.primary_function
    m5 = None if share is None else share > float(params["social_utility_majority"])

    commitment = initiative.commitment
    if commitment is None:
        long_term = single_project = None
    else:
        long_term, single_project = commitment.long_term, commitment.single_project
    m6 = _and(long_term, None if single_project is None else not single_project)

    pooling = initiative.pooling
    if pooling is None:
        m7 = None
    else:
        resources, investments = pooling.resources, pooling.joint_investments
        m7 = _or(
            None if resources is None else len(resources) > 0,
            None if investments is None else len(investments) > 0,
        )

    if primary is None:
        x1 = True if single_project else None
        x2 = x3 = x4 = x5 = None
    else:
        x1 = True if primary == "enterprise_creation" else single_project
        x2 = primary in ("representation", "awareness")
        x3 = primary in ("development_agency", "chamber_services")
        x4 = primary == "business_support"
        x5 = primary in ("observation", "resource_centre")
    excluded = _or(x1, x2, x3, x4, x5)
    verdict = _and(m1, m2, m3, m4, m5, m6, m7, m8, None if excluded is None else not excluded)

    statuses = {"M1": m1, "M2": m2, "M3": m3, "M4": m4, "M5": m5, "M6": m6, "M7": m7, "M8": m8}
    statuses.update(_to_test(initiative, params))
    statuses.update(X1=x1, X2=x2, X3=x3, X4=x4, X5=x5)
    return statuses, verdict


def _to_test(initiative: Initiative, params: Mapping[str, Any]) -> dict[str, Tri]:
    """T1-T6: they score the pole's strength and do not enter the verdict."""
    place = initiative.place
    research = initiative.research
    governance = initiative.governance
    policy = initiative.ess_policy
    jobs = initiative.jobs
    return {
        "T1": None
        if place is None
        else _or(place.shared_premises, place.activity_zone, place.formal_network),
        "T2": None if research is None else _or(research.programme, research.incubator),
        "T3": None if governance is None else governance.democratic,
        "T4": None
        if policy is None
        else _and(policy.in_local_policy, policy.in_local_ess_networks),
        "T5": initiative.evaluation,
        "T6": None if jobs is None else jobs >= params["min_jobs"],
    }
