"""Three-valued plans: which criteria, set which way, would give the outcome wanted.

Read off the verdict tree: a plan is a set of literals that, once true, decide the
verdict whatever the unknown rest; the search looks for edits that realise one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from poletype._engine.logic import Tri, k_not
from poletype._engine.typology import ConditionNode, VerdictTree

PLANS = 16
"""Sets of criteria to change tried, smallest first."""

MISSING: Any = object()


def literals_for(node: VerdictTree, want: bool) -> dict[str, bool] | None:
    """The status each criterion must have for the tree to be ``want``.

    ``None`` unless the tree is, for that value, a conjunction of criteria and negated
    criteria (then each criterion's status is forced and independent of the others').
    """
    if node.criterion is not None:
        return {node.criterion: want}
    if node.op == "not":
        return literals_for(node.children[0], not want)
    if (node.op == "all") != want:
        return None if len(node.children) != 1 else literals_for(node.children[0], want)
    found: dict[str, bool] = {}
    for child in node.children:
        part = literals_for(child, want)
        if part is None or any(found.get(k, v) != v for k, v in part.items()):
            return None
        found.update(part)
    return found


def possible_values(
    node: VerdictTree, statuses: Mapping[str, Tri], free: frozenset[str]
) -> set[Tri]:
    """The values the tree can take when the ``free`` criteria may take any status."""
    if node.criterion is not None:
        return {True, False, None} if node.criterion in free else {statuses[node.criterion]}
    each = [possible_values(child, statuses, free) for child in node.children]
    if node.op == "not":
        return {k_not(v) for v in each[0]}
    strong = node.op == "any"  # the value that decides the node alone
    weak = not strong
    found: set[Tri] = set()
    if any(strong in values for values in each):
        found.add(strong)
    if all(values & {weak, None} for values in each) and any(None in v for v in each):
        found.add(None)
    if all(weak in values for values in each):
        found.add(weak)
    return found


def plans_for(
    node: Any,
    leaf: Callable[[Any], Hashable | None],
    values: Mapping[Any, Tri],
    want: bool,
    rank: Callable[[Any], Any],
) -> list[dict[Any, bool]]:
    """The smallest sets of leaf values that make a verdict tree or a condition ``want``.

    ``leaf`` names the leaf a node is (a criterion, an atom), ``None`` for an operator.
    """
    key = leaf(node)
    if key is not None:
        return [{}] if values[key] is want else [{key: want}]
    if node.op == "not":
        return plans_for(node.children[0], leaf, values, not want, rank)
    each = [plans_for(child, leaf, values, want, rank) for child in node.children]
    return _minimal(_join(node.op, want, each), rank)


def atom_leaf(node: ConditionNode) -> ConditionNode | None:
    return node if node.atom is not None else None


def _join(op: str, want: bool, each: list[list[dict[Any, bool]]]) -> list[dict[Any, bool]]:
    """The plans of a node from its children's: all of them, or any one."""
    if (op == "all") != want:
        return [p for options in each for p in options]
    combined: list[dict[Any, bool]] = [{}]
    for options in each:
        combined = [
            {**a, **b}
            for a in combined
            for b in options
            if all(a.get(k, v) == v for k, v in b.items())
        ][: PLANS * 4]
    return combined


def _minimal(plans: list[dict[Any, bool]], rank: Callable[[Any], Any]) -> list[dict[Any, bool]]:
    plans = sorted(plans, key=lambda p: (len(p), sorted((rank(k), v) for k, v in p.items())))
    minimal: list[dict[Any, bool]] = []
    for plan in plans:
        if not any(m.items() <= plan.items() for m in minimal):
            minimal.append(plan)
    return minimal[:PLANS]
