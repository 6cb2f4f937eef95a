"""Compiled typology × initiative → verdict, in three-valued logic.

Each criterion's condition is evaluated atom by atom (`poletype._engine.interpreter`), combined
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

import functools
import operator
from collections.abc import Callable, Hashable, Mapping
from importlib import metadata
from typing import Any, TypeVar

from poletype._engine.derive import derive
from poletype._engine.facts import unknown_facts
from poletype._engine.interpreter import (
    UNKNOWN,
    Backend,
    Interval,
    Root,
    evaluate_atom,
    evaluate_value,
)
from poletype._engine.justified import CACHE_LIMIT, Justified, finish, memo, source
from poletype._engine.logic import Tri, k_and, k_not, k_or, status_of
from poletype._engine.paths import to_json_value
from poletype._engine.typology import (
    CompiledCriterion,
    ConditionNode,
    CrispTypology,
    Expression,
    Typology,
    VerdictTree,
)
from poletype._read.params import ReadOnlyDict
from poletype.model import Initiative
from poletype.verdict import (
    DescriptorResult,
    Score,
    Status,
    Verdict,
)

_EXACT_LIMIT = 12
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def _version() -> str:
    try:
        return metadata.version("poletype")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


POLETYPE_VERSION = _version()


def evaluate_crisp(
    typology: CrispTypology, initiative: Initiative, derived: tuple[str, ...], backend: Backend
) -> Verdict:
    """Classify one initiative, its facts derived, under a crisp typology."""
    root = Root(initiative, typology.params_value, backend)
    statuses, outcome_value, atom = _decided(typology, root)
    verdict_spec = typology.verdict_rule
    outcome = getattr(verdict_spec.outcomes, status_of(outcome_value))
    settled = {
        **provenance(typology, initiative),
        "outcome": outcome,
        "outcome_label": verdict_spec.labels[outcome],
        "scores": [_score(typology, group, statuses) for group in verdict_spec.scores],
        "derived": list(derived),
        "descriptors": describe(typology, root),
    }
    justified = _Crisp(
        typology, root, settled, statuses=statuses, outcome_value=outcome_value, atom=atom
    )
    return finish(typology, backend, settled, justified, later=("criteria", "missing"))


_STATUS: dict[Tri, Status] = {True: "met", False: "not_met", None: "unknown"}


class _Crisp(Justified):
    """A crisp verdict's justification: criteria decided, their missing facts found on demand.

    ``missing`` needs the facts of the unknown criteria that can still change the
    outcome, and only theirs: each criterion's are computed when first asked for, by
    the verdict's ``missing`` or by its rendering, once.
    """

    __slots__ = ("_atom", "_statuses", "decided", "outcome_value")

    typology: CrispTypology

    def __init__(
        self,
        typology: CrispTypology,
        root: Root,
        settled: dict[str, Any],
        *,
        statuses: dict[str, Tri],
        outcome_value: Tri,
        atom: AtomReader | tuple[Tri, ...],
    ) -> None:
        super().__init__(typology, root, settled)
        self.decided = statuses
        self._statuses: list[Status] | None = None
        self.outcome_value = outcome_value
        self._atom = atom

    @property
    def atom(self) -> AtomReader:
        """How to read an atom's value, by node.

        The generated function's values are indexed only when a justification asks, so
        a verdict kept unread holds just their tuple.
        """
        atom = self._atom
        if isinstance(atom, tuple):
            atom = self._atom = _Generated(self.typology, atom)
        return atom

    def statuses(self) -> list[Status]:
        found = self._statuses
        if found is None:
            # ``decided`` holds the criteria in the typology's order, as the plan does.
            found = self._statuses = [_STATUS[value] for value in self.decided.values()]
        return found

    def compute_missing(self, index: int) -> list[str]:
        criterion = self.typology.criteria[index]
        if self.decided[criterion.id] is not None:
            return []
        item = self.plan.items[index]
        values = tuple(map(self.atom, item.atoms))
        found = item.relevance.get(values)
        if found is None:
            known = dict(zip(map(id, item.atoms), values, strict=True))
            # Not met, yet unknown: held open by its ``unknown_when``, whose facts settle
            # it when restated (a member's kind, known but open).
            held = _condition_from(criterion.condition, known) is False
            paths = relevant_paths(criterion.condition, known) if not held else ()
            found = (held, tuple(_settling(criterion.unknown_when)) if held else paths)
            if len(item.relevance) < CACHE_LIMIT:
                item.relevance[values] = found
        held, paths = found
        return list(paths) if held else unknown_facts(self.root.initiative, paths)

    def outcome_missing(self) -> list[str]:
        if self.outcome_value is not None:
            return []
        verdict_tree = self.typology.verdict
        assert verdict_tree is not None
        statuses = self.decided
        remembered = self.plan.relevance
        key = tuple(statuses.values())
        relevant = remembered.get(key)
        if relevant is None:
            relevant = _relevant(
                lambda bits, full: _verdict_bits(verdict_tree, bits, full),
                statuses,
                {cid for cid, v in statuses.items() if v is None},
                _verdict_masking(verdict_tree, statuses),
            )
            if len(remembered) < CACHE_LIMIT:
                remembered[key] = relevant
        found: set[str] = set()
        for index, criterion in enumerate(self.typology.criteria):
            if criterion.id in relevant:
                found.update(self.item_missing(index))
        return sorted(found)


def decide(
    typology: CrispTypology, initiative: Initiative, *, backend: Backend = "compiled"
) -> tuple[dict[str, Tri], Tri]:
    """Each criterion's value and the verdict condition's, without the justified verdict.

    What a parameter sweep or a "what it would take" search needs thousands of times:
    the decision alone, with the facts derived as `evaluate` derives them.
    """
    if typology.reads_derived:
        initiative, _ = derive(initiative)
    statuses, outcome, _ = _decided(typology, Root(initiative, typology.params_value, backend))
    return statuses, outcome


AtomReader = Callable[[ConditionNode], Tri]


def _decided(
    typology: CrispTypology, root: Root
) -> tuple[dict[str, Tri], Tri, AtomReader | tuple[Tri, ...]]:
    """Each criterion's value, the verdict condition's, and how to read the atoms again.

    The compiled backend decides with one call of the generated function, which also
    gives every atom's value, kept for a justification that needs them; otherwise atoms
    are evaluated one by one, once each. Nothing else is built: `decide` is a sweep's
    hot path.
    """
    if root.backend == "compiled":
        atoms, statuses, outcome = typology.generated.run(root.initiative, root.params)
        if _hold_open(typology, statuses, root):
            outcome = verdict_of(typology.verdict, statuses)
        return statuses, outcome, atoms
    atom = _memoized(_each_atom(root))
    statuses = {c.id: _condition(c.condition, atom, {}) for c in typology.criteria}
    _hold_open(typology, statuses, root)
    return statuses, verdict_of(typology.verdict, statuses), atom


def _hold_open(typology: CrispTypology, statuses: dict[str, Tri], root: Root) -> bool:
    """Criteria not met whose ``unknown_when`` is not false made unknown; whether any was.

    Evaluated only for criteria not met that have one, so a typology without the
    construct pays one pass over its criteria.
    """
    changed = False
    for criterion in typology.criteria:
        if criterion.unknown_when is None or statuses[criterion.id] is not False:
            continue
        if held_open(criterion, root):
            statuses[criterion.id] = None
            changed = True
    return changed


def _settling(held: Expression | None) -> list[str]:
    """The facts an ``unknown_when`` reads, the most precise of each.

    Restating them (a member's kind, known but open) settles the criterion.
    """
    paths = set(held.paths) if held is not None else set()
    return sorted(p for p in paths if not any(q.startswith(f"{p}.") for q in paths))


def held_open(criterion: CompiledCriterion, root: Root) -> bool:
    """Whether a criterion whose condition is not met is unknown by its ``unknown_when``."""
    held = criterion.unknown_when
    return held is not None and evaluate_atom(held, root) is not False


class _Generated:
    """Atom values from the generated function's call, read by node."""

    __slots__ = ("index", "typology", "values")

    def __init__(self, typology: CrispTypology, values: tuple[Tri, ...]) -> None:
        self.typology = typology
        self.values = values
        self.index: dict[int, int] | None = None

    def __call__(self, node: ConditionNode) -> Tri:
        index = self.index
        if index is None:
            typology = self.typology
            index = self.index = memo(
                typology, "atom index", lambda: {id(a): n for n, a in enumerate(typology.atoms)}
            )
        return self.values[index[id(node)]]


def _memoized(atom: AtomReader) -> AtomReader:
    known: dict[int, Tri] = {}

    def read(node: ConditionNode) -> Tri:
        key = id(node)
        if key not in known:
            known[key] = atom(node)
        return known[key]

    return read


def condition(node: ConditionNode, root: Root, atoms: dict[int, Tri]) -> Tri:
    """A condition's Kleene value; records each atom's value in ``atoms`` by node id."""
    return _condition(node, _each_atom(root), atoms)


def _each_atom(root: Root) -> AtomReader:
    return lambda node: evaluate_atom(node.atom, root) if node.atom else None


def provenance(typology: Typology, initiative: Initiative) -> dict[str, Any]:
    """What every verdict records to be reproduced: typology, versions, hash, parameters."""
    fixed: dict[str, Any] = memo(
        typology,
        "provenance",
        lambda: {
            "typology": typology.id,
            "version": typology.version,
            "rules_hash": typology.rules_hash,
            "poletype_version": POLETYPE_VERSION,
            "parameters": ReadOnlyDict(sorted(typology.parameters.items())),
        },
    )
    return {
        "typology": fixed["typology"],
        "version": fixed["version"],
        "rules_hash": fixed["rules_hash"],
        "poletype_version": POLETYPE_VERSION,
        "initiative": initiative.name,
        "initiative_id": initiative.id,
        # Shared by the typology's verdicts, and read-only: the values it computed with.
        "parameters": fixed["parameters"],
    }


def _condition(node: ConditionNode, atom: AtomReader, atoms: dict[int, Tri]) -> Tri:
    if node.atom is not None:
        value = atom(node)
        atoms[id(node)] = value
        return value
    values = [_condition(child, atom, atoms) for child in node.children]
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


def verdict_of(node: VerdictTree, statuses: Mapping[str, Tri]) -> Tri:
    if node.criterion is not None:
        return statuses[node.criterion]
    values = [verdict_of(child, statuses) for child in node.children]
    return _combine(node.op, values)


def _relevant(
    formula: Callable[[Mapping[K, int], int], int],
    known: Mapping[K, Tri],
    unknown: set[K],
    masking: Callable[[], set[K]],
) -> set[K]:
    """The unknown leaves whose value can change the formula's value.

    Exhaustive below ``_EXACT_LIMIT`` leaves, and fast: the formula is evaluated once
    over every assignment at the same time, each leaf a bitset of the assignments in
    which it is true (bit ``k`` of leaf ``i`` is bit ``i`` of ``k``). A leaf matters when
    flipping it changes the result for some assignment, that is when the result differs
    from itself with the halves of each ``2**i`` block swapped.
    """
    if len(unknown) > _EXACT_LIMIT:
        return masking() & unknown
    order = sorted(unknown, key=str)
    size = 1 << len(order)
    full = (1 << size) - 1
    bits: dict[K, int] = {leaf: (full if value else 0) for leaf, value in known.items()}
    for i, leaf in enumerate(order):
        bits[leaf] = _pattern(len(order), i)
    result = formula(bits, full)
    found: set[K] = set()
    for i, leaf in enumerate(order):
        step = 1 << i
        low = full ^ bits[leaf]
        flipped = ((result & low) << step) | ((result >> step) & low)
        if result != flipped:
            found.add(leaf)
    return found


@functools.cache
def _pattern(leaves: int, i: int) -> int:
    """The assignments (as a bitset over ``2**leaves`` of them) in which leaf ``i`` is true."""
    step = 1 << i
    block = ((1 << step) - 1) << step
    pattern = 0
    for start in range(0, 1 << leaves, 2 * step):
        pattern |= block << start
    return pattern


def _bits(op: str, values: list[int], full: int) -> int:
    if op == "all":
        return functools.reduce(operator.and_, values, full)
    if op == "any":
        return functools.reduce(operator.or_, values, 0)
    return full ^ values[0]


def _verdict_bits(node: VerdictTree, bits: Mapping[str, int], full: int) -> int:
    if node.criterion is not None:
        return bits[node.criterion]
    return _bits(node.op, [_verdict_bits(c, bits, full) for c in node.children], full)


def _condition_bits(node: ConditionNode, bits: Mapping[int, int], full: int) -> int:
    if node.atom is not None:
        return bits[id(node)]
    return _bits(node.op, [_condition_bits(c, bits, full) for c in node.children], full)


def _verdict_masking(node: VerdictTree, statuses: Mapping[str, Tri]) -> Callable[[], set[str]]:
    def live(n: VerdictTree) -> set[str]:
        if n.criterion is not None:
            return {n.criterion} if statuses[n.criterion] is None else set()
        values = [verdict_of(c, statuses) for c in n.children]
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


def condition_missing(
    tree: ConditionNode, atom_values: dict[int, Tri], initiative: Initiative
) -> list[str]:
    """The unknown facts that could change an undecided condition's value."""
    return unknown_facts(initiative, relevant_paths(tree, atom_values))


def relevant_paths(tree: ConditionNode, atom_values: dict[int, Tri]) -> tuple[str, ...]:
    """The paths read by the unknown atoms that could change the condition's value.

    A function of the atoms' values alone, so a justification may remember it.
    """
    unknown = {key for key, value in atom_values.items() if value is None}
    relevant = _relevant(
        lambda bits, full: _condition_bits(tree, bits, full),
        atom_values,
        unknown,
        _condition_masking(tree, atom_values),
    )
    return tuple(p for n in tree.leaves() if id(n) in relevant and n.atom for p in n.atom.paths)


def _score(typology: CrispTypology, group: str, statuses: Mapping[str, Tri]) -> Score:
    """A group's score; frozen, so verdicts with the same counts share one."""
    ids = memo(
        typology,
        ("group", group),
        lambda: tuple(c.id for c in typology.criteria if c.group == group),
    )
    values = [statuses[i] for i in ids]
    met, not_met = values.count(True), values.count(False)
    found: Score = memo(
        typology,
        ("score", group, met, not_met),
        lambda: Score(
            group=group,
            label=typology.spec.groups[group],
            met=met,
            not_met=not_met,
            unknown=len(values) - met - not_met,
            total=len(values),
        ),
    )
    return found


def condition_value(
    criterion: CompiledCriterion, initiative: Initiative, params: dict[str, Any]
) -> Tri:
    """One criterion's three-valued value, for tests and ``poletype test``."""
    root = Root(initiative, params)
    value = _condition(criterion.condition, _each_atom(root), {})
    return None if value is False and held_open(criterion, root) else value


def describe(typology: Typology, root: Root) -> list[DescriptorResult] | None:
    """The typology's descriptive categories for one initiative, in three-valued logic.

    Cases are tried in order: the first that holds gives the value, unless an earlier one
    is unknown, in which case the value is open and ``possible`` lists what it can be.
    """
    if not typology.descriptors:
        return None
    results = []
    for descriptor in typology.descriptors:
        value: Any = None
        label = None
        possible: list[str] = []
        open_paths: set[str] = set()
        for case, node in descriptor.cases:
            holds = _condition(node, _each_atom(root), {})
            if holds is None:
                possible.append(case.value)
                open_paths.update(p for a in node.leaves() if a.atom for p in a.atom.paths)
            elif holds:
                if possible:
                    possible.append(case.value)
                else:
                    value, label = case.value, case.label
                break
        if descriptor.value is not None:
            raw = evaluate_value(descriptor.value, root)
            if raw is UNKNOWN or isinstance(raw, Interval):
                open_paths.update(descriptor.value.paths)
            else:
                value = to_json_value(raw)
        missing = unknown_facts(root.initiative, open_paths)
        results.append(
            DescriptorResult(
                id=descriptor.id,
                label=descriptor.spec.label,
                value=value,
                value_label=label,
                possible=possible,
                source=source(typology, descriptor.spec.source),
                interpretation=descriptor.spec.interpretation,
                missing=missing if value is None else [],
            )
        )
    return results
