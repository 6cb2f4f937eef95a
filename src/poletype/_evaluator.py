"""Compiled typology × initiative → verdict, in three-valued logic.

Each criterion's condition is evaluated atom by atom (`poletype._interpreter`), combined
in Kleene logic, and the verdict condition combines the criteria the same way, so a
known failure decides the outcome even when other facts are unknown.

``missing`` is computed, not guessed. A criterion is *relevant* when some way of
settling the unknown criteria makes its value change the outcome; an atom is relevant
when it can change its criterion's status the same way; the facts missing are the
unknown input paths of the relevant atoms of the relevant criteria. Relevance is decided
by trying every assignment of the unknown leaves when there are at most
``_EXACT_LIMIT`` of them, and otherwise by the masking rule that is exact for formulas
that name each leaf once (as shipped typologies do): a leaf is relevant unless a known
sibling already decides one of its ancestors.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from importlib import metadata
from typing import Any, TypeVar

from poletype._compiler import CompiledCriterion, ConditionNode, Typology, VerdictTree
from poletype._interpreter import Root, evaluate_atom
from poletype._justify import render_both
from poletype._logic import Tri, k_and, k_not, k_or, status_of
from poletype._paths import read_path, to_json_value, unknown_parts
from poletype.model import Initiative
from poletype.verdict import CriterionResult, Score, Source, Verdict

_EXACT_LIMIT = 12
K = TypeVar("K", bound=Hashable)


def _version() -> str:
    try:
        return metadata.version("poletype")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


POLETYPE_VERSION = _version()


def evaluate(typology: Typology, initiative: Initiative) -> Verdict:
    """Classify one validated initiative under one compiled typology."""
    root = Root(initiative, typology.params_value)
    results: list[CriterionResult] = []
    statuses: dict[str, Tri] = {}
    relevant_atoms: dict[str, list[str]] = {}
    for criterion in typology.criteria:
        atom_values: dict[int, Tri] = {}
        value = _condition(criterion.condition, root, atom_values)
        statuses[criterion.id] = value
        missing = _criterion_missing(criterion, atom_values, initiative) if value is None else []
        relevant_atoms[criterion.id] = missing
        results.append(_result(typology, criterion, value, root, missing))
    outcome_value = _verdict(typology.verdict, statuses)
    outcome_missing: set[str] = set()
    if outcome_value is None:
        unknown = {cid for cid, v in statuses.items() if v is None}
        for cid in _relevant(
            lambda env: _verdict(typology.verdict, env),
            statuses,
            unknown,
            _verdict_masking(typology.verdict, statuses),
        ):
            outcome_missing.update(relevant_atoms[cid])
    spec = typology.spec
    outcome = getattr(spec.verdict.outcomes, status_of(outcome_value))
    return Verdict(
        typology=typology.id,
        version=typology.version,
        rules_hash=typology.rules_hash,
        poletype_version=POLETYPE_VERSION,
        initiative=initiative.name,
        initiative_id=initiative.id,
        parameters=dict(sorted(typology.parameters.items())),
        outcome=outcome,
        outcome_label=spec.verdict.labels[outcome],
        criteria=results,
        scores=[_score(typology, group, statuses) for group in spec.verdict.scores],
        missing=sorted(outcome_missing),
    )


def _condition(node: ConditionNode, root: Root, atoms: dict[int, Tri]) -> Tri:
    if node.atom is not None:
        value = evaluate_atom(node.atom, root)
        atoms[id(node)] = value
        return value
    values = [_condition(child, root, atoms) for child in node.children]
    return _combine(node.op, values)


def _combine(op: str, values: list[Tri]) -> Tri:
    """Kleene combination of a node's children: ``all``, ``any`` or ``not``."""
    if op == "all":
        return k_and(values)
    if op == "any":
        return k_or(values)
    return k_not(values[0])


def _condition_from(node: ConditionNode, env: Mapping[int, Tri]) -> Tri:
    if node.atom is not None:
        return env[id(node)]
    values = [_condition_from(child, env) for child in node.children]
    return _combine(node.op, values)


def _verdict(node: VerdictTree, statuses: Mapping[str, Tri]) -> Tri:
    if node.criterion is not None:
        return statuses[node.criterion]
    values = [_verdict(child, statuses) for child in node.children]
    return _combine(node.op, values)


def _relevant(
    formula: Callable[[Mapping[K, Tri]], Tri],
    known: Mapping[K, Tri],
    unknown: set[K],
    masking: Callable[[], set[K]],
) -> set[K]:
    """The unknown leaves whose value can change the formula's value."""
    if len(unknown) > _EXACT_LIMIT:
        return masking() & unknown
    order = sorted(unknown, key=str)
    found: set[K] = set()
    env = dict(known)
    for bits in itertools.product((False, True), repeat=len(order)):
        env.update(zip(order, bits, strict=True))
        base = formula(env)
        for leaf in order:
            if leaf in found:
                continue
            env[leaf] = not env[leaf]
            if formula(env) != base:
                found.add(leaf)
            env[leaf] = not env[leaf]
        if len(found) == len(order):
            break
    return found


def _verdict_masking(node: VerdictTree, statuses: Mapping[str, Tri]) -> Callable[[], set[str]]:
    def live(n: VerdictTree) -> set[str]:
        if n.criterion is not None:
            return {n.criterion} if statuses[n.criterion] is None else set()
        values = [_verdict(c, statuses) for c in n.children]
        if (n.op == "all" and False in values) or (n.op == "any" and True in values):
            return set()
        return {leaf for c in n.children for leaf in live(c)}

    return lambda: live(node)


def _condition_masking(node: ConditionNode, env: Mapping[int, Tri]) -> Callable[[], set[int]]:
    def live(n: ConditionNode) -> set[int]:
        if n.atom is not None:
            return {id(n)} if env[id(n)] is None else set()
        values = [_condition_from(c, env) for c in n.children]
        if (n.op == "all" and False in values) or (n.op == "any" and True in values):
            return set()
        return {leaf for c in n.children for leaf in live(c)}

    return lambda: live(node)


def _atom_nodes(node: ConditionNode) -> list[ConditionNode]:
    if node.atom is not None:
        return [node]
    return [a for child in node.children for a in _atom_nodes(child)]


def _criterion_missing(
    criterion: CompiledCriterion, atom_values: dict[int, Tri], initiative: Initiative
) -> list[str]:
    unknown = {key for key, value in atom_values.items() if value is None}
    relevant = _relevant(
        lambda env: _condition_from(criterion.condition, env),
        atom_values,
        unknown,
        _condition_masking(criterion.condition, atom_values),
    )
    facts: set[str] = set()
    for node in _atom_nodes(criterion.condition):
        if id(node) in relevant and node.atom is not None:
            for path in node.atom.paths:
                facts.update(unknown_parts(initiative, path))
    return sorted(facts)


def _result(
    typology: Typology,
    criterion: CompiledCriterion,
    value: Tri,
    root: Root,
    missing: list[str],
) -> CriterionResult:
    spec = criterion.spec
    status = status_of(value)
    document = next(s for s in typology.spec.sources if s.id == spec.source.document)
    shown = [p for p in criterion.paths if not any(q.startswith(p + ".") for q in criterion.paths)]
    values = {path: to_json_value(read_path(root.initiative, path)) for path in shown}
    values.update({f"params.{name}": typology.parameters[name] for name in criterion.parameters})
    return CriterionResult(
        id=spec.id,
        group=spec.group,
        status=status,
        label=spec.label,
        justification=render_both(criterion.templates[status], root),
        source=Source(document=document.id, title=document.title, section=spec.source.section),
        interpretation=spec.interpretation,
        values=dict(sorted(values.items())),
        missing=missing,
    )


def _score(typology: Typology, group: str, statuses: Mapping[str, Tri]) -> Score:
    ids = [c.id for c in typology.criteria if c.group == group]
    values = [statuses[i] for i in ids]
    return Score(
        group=group,
        label=typology.spec.groups[group],
        met=sum(1 for v in values if v is True),
        not_met=sum(1 for v in values if v is False),
        unknown=sum(1 for v in values if v is None),
        total=len(values),
    )


def condition_value(
    criterion: CompiledCriterion, initiative: Initiative, params: dict[str, Any]
) -> Tri:
    """One criterion's three-valued value, for tests and ``poletype test``."""
    return _condition(criterion.condition, Root(initiative, params), {})
