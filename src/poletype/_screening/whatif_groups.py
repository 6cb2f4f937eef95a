"""Independent groups: atoms that read no path in common, edits that share no criterion.

The search solves each group alone, so a fix for one criterion is not searched again for
every combination of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from poletype._engine.typology import ConditionNode
from poletype._screening.whatif_edits import (
    Edit,
)

_T = TypeVar("_T")


def independent_atoms(
    nodes: list[ConditionNode], rank: Mapping[ConditionNode, int]
) -> list[list[ConditionNode]]:
    """Atoms split into groups that read no path in common, in rule order."""

    def shared(one: ConditionNode, other: ConditionNode) -> bool:
        paths = one.atom.paths if one.atom else ()
        return any(touches(p, q) for q in (other.atom.paths if other.atom else ()) for p in paths)

    blocks = _clusters(nodes, rank.__getitem__, shared)
    return sorted(blocks, key=lambda b: rank[b[0]])


LIST_FACTS: dict[str, str] = {
    "members_complete": "members",
    "member_count": "members",
    "partners_complete": "partners",
}
"""Facts about a list itself (format 1.1): the rules read them through the list."""


def touches(edited: str, read: str) -> bool:
    """Whether changing the ``edited`` path can change what reading ``read`` gives.

    A list's completeness or size changes how the list reads: ``member_count`` touches
    ``members.kind``, and adding a member touches a rule that reads ``member_count``.
    """
    return any(
        one == other or other.startswith(one + ".") or one.startswith(other + ".")
        for one in (edited, LIST_FACTS.get(edited, edited))
        for other in (read, LIST_FACTS.get(read, read))
    )


def independent_edits(
    edits: list[Edit], touched: Mapping[Edit, set[str]]
) -> list[tuple[list[Edit], list[str]]]:
    """Edits split into groups that share no criterion, each with its criteria."""
    groups = _clusters(
        edits, lambda e: e.key, lambda one, other: bool(touched[one] & touched[other])
    )
    return [(g, sorted(set().union(*(touched[e] for e in g)))) for g in groups]


def _clusters(
    items: list[_T], order: Callable[[_T], Any], linked: Callable[[_T, _T], bool]
) -> list[list[_T]]:
    """Items split into groups no item of which is linked to another group's, each in order.

    Groups are listed in the order they were last joined.
    """
    clusters: list[list[_T]] = []
    for item in sorted(items, key=order):
        joined = [c for c in clusters if any(linked(item, other) for other in c)]
        merged = [item, *(i for c in joined for i in c)]
        clusters = [c for c in clusters if all(c is not j for j in joined)]
        clusters.append(sorted(merged, key=order))
    return clusters
