"""``origin`` derived from the founders, only where they decide it."""

from __future__ import annotations

from typing import Any

import pytest

from poletype import Initiative, classify
from poletype._engine.derive import derive, derived_origin


def _founders(*kinds: str | None, others: tuple[Any, ...] = ()) -> Initiative:
    members = [{"kind": k, "founder": True} if k else {"founder": True} for k in kinds]
    members += [{"kind": "sme", "founder": f} for f in others]
    return Initiative.model_validate({"name": "P", "members": members})


@pytest.mark.parametrize(
    ("initiative", "expected"),
    [
        (_founders("citizen_group", "ess_association"), "citizen"),
        (_founders("sme", "large_company"), "entrepreneurial"),
        (_founders("local_authority", "state_body"), "local_authority"),
        (_founders("ess_network"), "ess_network"),
        (_founders("citizen_group", "sme"), "mixed"),
        (_founders("citizen_group", "sme", None), "mixed"),
        (_founders("ess_association", "ess_cooperative"), None),
        (_founders("citizen_group", None), None),
        (_founders("citizen_group", others=(None,)), None),
        (_founders("citizen_group", others=(False,)), "citizen"),
        (Initiative(name="P"), None),
    ],
    ids=[
        "citizens",
        "enterprises",
        "public",
        "network",
        "two-origins",
        "mixed-stays-mixed",
        "no-decisive-kind",
        "founder-of-unknown-kind",
        "member-maybe-founder",
        "member-not-founder",
        "no-members",
    ],
)
def test_origin_is_derived_only_when_the_founders_decide(
    initiative: Initiative, expected: str | None
) -> None:
    """One recognisable origin gives it, several give mixed, an open question gives none."""
    assert derived_origin(initiative) == expected


def test_a_stated_origin_is_never_overridden() -> None:
    """The user's statement wins over the founders."""
    initiative = Initiative.model_validate(
        {"name": "P", "origin": "mixed", "members": [{"kind": "sme", "founder": True}]}
    )
    assert derive(initiative) == (initiative, ())


def test_the_verdict_says_what_was_derived() -> None:
    """A derived origin is read by the rules and listed under ``derived``."""
    data = {"name": "P", "members": [{"kind": "citizen_group", "founder": True}]}
    verdict = classify(data, "matray-poisat")
    assert verdict.derived == ["origin"]
    assert verdict.criterion("citizen_origin").values["origin"] == "citizen"
    assert '"derived"' not in classify({"name": "P"}, "matray-poisat").to_json()


def test_public_role_is_derived_only_from_a_public_leadership() -> None:
    """Public leadership makes public authorities the project holder; nothing else decides."""
    public = Initiative.model_validate({"name": "P", "governance": {"leadership": "public"}})
    derived, names = derive(public)
    assert (derived.public_role, names) == ("project_holder", ("public_role",))
    private = Initiative.model_validate({"name": "P", "governance": {"leadership": "private"}})
    assert derive(private) == (private, ())
    stated = Initiative.model_validate(
        {"name": "P", "public_role": "facilitator", "governance": {"leadership": "public"}}
    )
    assert derive(stated) == (stated, ())
