"""A reproducible workload of synthetic initiatives for the benchmark suite.

Timings mean something only on inputs that look like the ones users classify: member
lists of varied length and kinds, most facts stated, a mix of PTCE, non-PTCE and
undecided cases. So every initiative is drawn from ``random.Random(seed)`` with every
field of the interchange format set (``snapshots`` aside), about half of them shaped like
a cooperation pole and half like something else (an observatory, a one-off project, a
business network...).

With ``unknown > 0`` the same initiatives are drawn, then every field, at every level
(top-level, inside nested objects, inside each member) is left absent independently with
that probability, from a second generator: the partial workload is the known one with
holes, so the two rows of a table compare the same cases. A nested fact is therefore
absent when its object or itself is dropped (36 % of nested facts at ``unknown=0.2``).
``name`` is required by the format and is never dropped.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, get_args

from poletype.model import (
    Function,
    FundingLevel,
    Initiative,
    Innovation,
    JointInvestment,
    MemberKind,
    PooledResource,
)

SEED = 20261123

_KIND_WEIGHTS: dict[str, int] = {
    "ess_association": 25,
    "ess_cooperative": 15,
    "ess_mutual": 3,
    "ess_foundation": 3,
    "ess_company": 4,
    "ess_network": 4,
    "sme": 12,
    "large_company": 3,
    "local_authority": 10,
    "state_body": 2,
    "research_centre": 3,
    "higher_education": 3,
    "training_body": 4,
    "citizen_group": 3,
    "social_partner": 1,
    "chamber": 2,
    "development_agency": 1,
    "financial_institution": 2,
    "other": 2,
}
assert set(_KIND_WEIGHTS) == set(get_args(MemberKind))
_KINDS = tuple(_KIND_WEIGHTS)
_KIND_NAMES = {
    "ess_association": "Association",
    "ess_cooperative": "Scop",
    "ess_mutual": "Mutuelle",
    "ess_foundation": "Fondation",
    "ess_company": "Entreprise de l'ESS",
    "ess_network": "Réseau ESS",
    "sme": "PME",
    "large_company": "Groupe",
    "local_authority": "Commune",
    "state_body": "Service de l'État",
    "research_centre": "Laboratoire",
    "higher_education": "Université",
    "training_body": "Organisme de formation",
    "citizen_group": "Collectif citoyen",
    "social_partner": "Syndicat",
    "chamber": "Chambre consulaire",
    "development_agency": "Agence de développement",
    "financial_institution": "Banque",
    "other": "Partenaire",
}
_KIND_CUMULATIVE = tuple(itertools.accumulate(_KIND_WEIGHTS.values()))

_FUNCTIONS: tuple[str, ...] = get_args(Function)
_POLE_FUNCTIONS = (
    "production",
    "services_to_people",
    "hosting",
    "pooling",
    "distribution",
    "incubation",
    "training",
)
_SECTORS = (
    "bâtiment",
    "alimentation",
    "énergie",
    "culture",
    "numérique",
    "mobilité",
    "recyclage",
    "textile",
    "services à la personne",
    "tourisme",
    "agriculture",
)
_PLACES = (
    "Arc-en-Barrois",
    "Bordeaux",
    "Clermont",
    "Dunkerque",
    "Évry",
    "Figeac",
    "Grenoble",
    "Lille",
    "Lyon",
    "Marseille",
    "Nantes",
    "Ramonville",
    "Roubaix",
    "Saint-Brieuc",
    "Tours",
)
_LEGAL_FORMS = ("association", "SCIC", "SCOP", "GIE", "SAS", "GIP", "groupement")


def _sample(rng: random.Random, values: tuple[str, ...], low: int, high: int) -> list[str]:
    return rng.sample(values, rng.randint(low, min(high, len(values))))


def _shares(rng: random.Random) -> dict[str, float]:
    """Three income shares summing to at most 1, floored to the percent."""
    weights = [rng.random() for _ in range(3)]
    total = sum(weights) or 1.0
    scale = rng.uniform(0.8, 1.0) / total
    market, non_market, non_monetary = (math.floor(w * scale * 100) / 100 for w in weights)
    return {"market": market, "non_market": non_market, "non_monetary": non_monetary}


def _member(rng: random.Random, index: int, pole: bool) -> dict[str, Any]:
    kind = rng.choices(_KINDS, cum_weights=_KIND_CUMULATIVE)[0]
    return {
        "name": f"{_KIND_NAMES[kind]} {index + 1}",
        "kind": kind,
        "size": rng.choice(("micro", "small", "small", "medium", "large")),
        "founder": rng.random() < 0.4,
        "local": rng.random() < (0.8 if pole else 0.5),
        "work_integration": rng.random() < 0.2,
    }


def _initiative(rng: random.Random, index: int) -> dict[str, Any]:
    """One complete initiative document: a pole-like case or another kind of initiative."""
    pole = rng.random() < 0.5
    yes = 0.93 if pole else 0.6

    def fact() -> bool:
        return rng.random() < yes

    size = 0 if rng.random() < 0.04 else min(15, int(rng.triangular(1, 16, 6)))
    members = [_member(rng, j, pole) for j in range(size)]
    if pole and members and rng.random() < 0.8:
        j = rng.randrange(len(members))
        members[j].update(kind="local_authority", name=f"{_KIND_NAMES['local_authority']} {j + 1}")
    primary = rng.choice(_POLE_FUNCTIONS if pole else _FUNCTIONS)
    functions = sorted({primary, *_sample(rng, _FUNCTIONS, 0, 4)})
    sectors = _sample(rng, _SECTORS, 1, 4)
    share = 0.5 if rng.random() < 0.05 else round(rng.uniform(0.3 if pole else 0.0, 1.0), 2)
    jobs = int(rng.lognormvariate(3.0 if pole else 2.0, 1.2))
    place = rng.choice(_PLACES)
    return {
        "name": f"{'Pôle' if pole else 'Initiative'} {place} {index + 1}",
        "id": f"BENCH-{index + 1:05d}",
        "country": "FR" if rng.random() < 0.9 else rng.choice(("BE", "LU", "ES", "CA")),
        "founded": rng.randint(1995, 2025),
        "stage": rng.choice(("project", "emerging", "consolidated")),
        "scale": rng.choice(("local", "local", "regional", "national", "transnational")),
        "sites": rng.randint(1, 6),
        "voluntary": fact(),
        "members": members,
        "strategy": {"shared": fact(), "formalised": fact(), "territorial": fact()},
        "commitment": {"long_term": fact(), "single_project": not fact()},
        "local_integration": {"local_networks": fact(), "local_partnerships": rng.randint(0, 12)},
        "activities": {
            "social_utility_share": share,
            "sectors": sectors,
            "multisectoral": len(sectors) > 1,
            "functions": functions,
            "primary_function": primary,
        },
        "pooling": {
            "resources": _sample(rng, get_args(PooledResource), 1, 4) if fact() else [],
            "joint_investments": (
                _sample(rng, get_args(JointInvestment), 1, 2) if rng.random() < 0.4 else []
            ),
        },
        "place": {
            "shared_premises": fact(),
            "activity_zone": rng.random() < 0.3,
            "formal_network": rng.random() < 0.5,
        },
        "research": {
            "programme": rng.random() < 0.4,
            "incubator": rng.random() < 0.2,
            "research_partners": rng.random() < 0.4,
            "intensity": rng.choice(("none", "low", "high")),
        },
        "governance": {
            "democratic": fact(),
            "structure": rng.choice(("centralised", "decentralised")),
            "leadership": rng.choice(("public", "private", "mixed")),
            "multi_stakeholder": fact(),
            "volunteer_board": rng.random() < 0.5,
            "user_involvement": rng.random() < 0.5,
            "legal_form": rng.choice(_LEGAL_FORMS),
        },
        "ess_policy": {"in_local_policy": fact(), "in_local_ess_networks": fact()},
        "evaluation": rng.random() < 0.5,
        "jobs": jobs,
        "insertion_jobs": rng.randint(0, jobs),
        "origin": rng.choice(("entrepreneurial", "citizen", "local_authority", "ess_network")),
        "public_role": rng.choice(("none", "marginal", "facilitator", "service_delegator")),
        "approach": rng.choice(("bottom_up", "top_down")),
        "finality": rng.choice(
            ("growth", "sustainable_local_development", "social_needs", "employment")
        ),
        "market_reach": rng.choice(("local", "national", "export")),
        "industrial": rng.random() < 0.2,
        "profitable_activities": rng.random() < 0.5,
        "innovation": _sample(rng, get_args(Innovation), 0, 3),
        "resources": _shares(rng),
        "funding_levels": _sample(rng, get_args(FundingLevel), 0, 4),
        "legal_entity": rng.choice(("private_law", "public_law", "none")),
        "territory_defined": fact(),
        "prior_state_support": rng.random() < 0.3,
    }


def _drop(data: dict[str, Any], rng: random.Random, p: float) -> dict[str, Any]:
    """A copy of ``data`` where each field, at every depth, is absent with probability p."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if rng.random() < p:
            continue
        if isinstance(value, dict):
            kept[key] = _drop(value, rng, p)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            kept[key] = [_drop(item, rng, p) for item in value]
        else:
            kept[key] = value
    return kept


def documents(n: int = 10_000, seed: int = SEED, unknown: float = 0.0) -> list[dict[str, Any]]:
    """The workload as interchange-format documents (what `generate` validates)."""
    rng = random.Random(seed)
    docs = [_initiative(rng, i) for i in range(n)]
    if unknown <= 0.0:
        return docs
    holes = random.Random(f"{seed}/unknown")
    out = []
    for doc in docs:
        name = doc.pop("name")
        out.append({"name": name, **_drop(doc, holes, unknown)})
    return out


def generate(n: int = 10_000, seed: int = SEED, unknown: float = 0.0) -> list[Initiative]:
    """``n`` validated initiatives, the same for the same arguments on every machine."""
    return [Initiative.model_validate(doc) for doc in documents(n, seed, unknown)]
