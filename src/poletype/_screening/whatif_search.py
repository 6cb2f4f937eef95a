"""The what-if search: which few edits of an initiative would change its outcome.

A bounded search over the edits the rules can tell apart (`whatif_domain`), guided by
the verdict's three-valued plans (`whatif_plans`); `whatif` verifies and words what it
finds.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

from poletype._engine.derive import derive
from poletype._engine.evaluator import condition, decide, verdict_of
from poletype._engine.interpreter import Root, evaluate_atom
from poletype._engine.logic import Tri
from poletype._engine.paths import read_path
from poletype._engine.typology import ConditionNode, CrispTypology, VerdictTree
from poletype._screening.fields import (
    LISTS,
)
from poletype._screening.whatif_domain import (
    domain_of,
    field_doc,
    representatives_of,
)
from poletype._screening.whatif_edits import (
    JOINING,
    Edit,
    Edits,
    apply_edits,
    edits_contain,
    merge_edits,
    python_value,
    sorted_edits,
    value_before,
)
from poletype._screening.whatif_groups import (
    LIST_FACTS,
    independent_atoms,
    independent_edits,
    touches,
)
from poletype._screening.whatif_plans import (
    MISSING,
    atom_leaf,
    literals_for,
    plans_for,
    possible_values,
)
from poletype._screening.whatif_values import (
    completeness,
    list_fact,
    list_values,
    member_counts,
    scalars,
)
from poletype.model import Initiative, listed

_EVALUATIONS = 4000
"""Criterion and atom evaluations one call may spend; the search stops with what it found."""


_FIXES = 8
"""Smallest change sets kept per criterion and wanted status."""


_MOVES = 4
"""Candidate changes combined to settle the atoms of a criterion that share paths."""


_COMBINATIONS = 200
"""Combinations of per-criterion change sets verified per call."""


_MAX_ADDED = 40
"""Members one change set may add."""


_SUBSETS = 1024
"""Subsets enumerated to reduce a set to its smallest part reaching the target."""


_TEMPLATES = 32
"""Kinds of added member tried (combinations of member attribute values)."""


def _root_of(typology: CrispTypology, initiative: Initiative) -> Root:
    """What the rules read, facts derived as `decide` derives them."""
    if typology.reads_derived:
        initiative = derive(initiative)[0]
    return Root(initiative, typology.params_value)


class _BudgetSpentError(Exception):
    """The evaluation budget is spent: the search stops with what it has found."""


class Search:
    """One initiative's search, with every criterion value memoised by the edits it reads."""

    def __init__(
        self,
        typology: CrispTypology,
        initiative: Initiative,
        target: bool,
        fixed: frozenset[str] = frozenset(),
    ) -> None:
        self.typology = typology
        self.fixed = fixed
        self.domain = domain_of(typology)
        self.initiative = initiative
        self.target = target
        self.verdict: VerdictTree = typology.verdict
        self.memo: dict[tuple[str, Edits], Tri] = {}
        self.spent = 0
        self.base_root = _root_of(typology, initiative)
        self.base = decide(typology, initiative)[0]
        self.fixes: dict[tuple[str, bool], list[Edits]] = {}
        self.moves: dict[tuple[str, tuple[str, ...]], list[tuple[str, Edits]]] = {}
        self.atom_memo: dict[tuple[ConditionNode, Edits], Tri] = {}
        self.minimised: dict[Edits, Edits] = {}
        self.touch: dict[Edit, frozenset[str]] = {}
        self.interned: dict[tuple[str, Any], Edit] = {}
        self.splits: dict[Edits, dict[str, Edits]] = {}
        self.cores: list[Edits] = []
        self.member_values: dict[str, list[Any]] = {}
        self.literals = literals_for(self.verdict, self.target)

    # -- evaluation

    def edit(self, path: str, value: Any) -> Edit:
        """The one edit object for a path and value."""
        found = self.interned.get((path, value))
        if found is None:
            plain = dict(value) if path in LISTS else python_value(value)
            key = (path, json.dumps(plain, sort_keys=True))
            found = self.interned[(path, value)] = Edit(path, value, plain, key)
        return found

    def touched(self, edit: Edit) -> frozenset[str]:
        """The verdict's criteria whose value an edit can change."""
        found = self.touch.get(edit)
        if found is None:
            found = self.touch[edit] = frozenset(
                cid
                for cid, inputs in self.domain.inputs.items()
                if inputs is None or any(touches(edit.path, p) for p in inputs)
            )
        return found

    def _split(self, edits: Edits) -> dict[str, Edits]:
        """The edits each criterion reads, the key its value is memoised under."""
        found = self.splits.get(edits)
        if found is None:
            parts: dict[str, list[Edit]] = {}
            for edit in edits:
                for cid in self.touched(edit):
                    parts.setdefault(cid, []).append(edit)
            found = self.splits[edits] = {cid: tuple(p) for cid, p in parts.items()}
        return found

    def status(self, cid: str, edits: Edits, built: list[Root] | None = None) -> Tri:
        """A criterion's status with the edits made, memoised by the edits it reads.

        ``built`` shares one changed initiative between the criteria of one set of edits.
        """
        read = self._split(edits).get(cid)
        if not read:
            return self.base[cid]

        def evaluate() -> Tri:
            if built is None:
                root = self._root(read)
            else:
                if not built:
                    built.append(self._root(edits))
                root = built[0]
            return condition(self.domain.criteria[cid].condition, root, {})

        return self._spend(self.memo, (cid, read), evaluate)

    def _spend(self, memo: dict[Any, Tri], key: Hashable, evaluate: Callable[[], Tri]) -> Tri:
        """A value memoised under ``key``, evaluated if new while the budget lasts."""
        found = memo.get(key, MISSING)
        if found is MISSING:
            if self.spent >= _EVALUATIONS:
                raise _BudgetSpentError
            self.spent += 1
            found = memo[key] = evaluate()
        return bool(found) if found is not None else None

    def _root(self, edits: Edits) -> Root:
        return _root_of(self.typology, apply_edits(self.initiative, edits))

    def statuses(self, edits: Edits) -> dict[str, Tri]:
        """Every verdict criterion's status with the edits made."""
        built: list[Root] = []
        return {cid: self.status(cid, edits, built) for cid in self.domain.order}

    def reached(self, edits: Edits) -> bool:
        """Whether the edits give the verdict the target value."""
        if self.literals is not None:
            built: list[Root] = []
            return all(
                self.status(cid, edits, built) is want for cid, want in self.literals.items()
            )
        return verdict_of(self.verdict, self.statuses(edits)) is self.target

    # -- candidates

    def _templates(self, cid: str, name: str) -> list[tuple[tuple[str, Any], ...]]:
        """The members (or partners: ``name``) a criterion may have added.

        One value per class of each attribute of the list the criterion reads, and the
        first value (``true``, the first class) of the typology's other attributes of the
        list, which `_pare` drops when the target does not need them; a fixed attribute
        takes only the value one joining now has (`JOINING`).
        """
        read = self.domain.criteria[cid].paths
        attributes = self.domain.attributes.get(name, ())
        joining = {a: self._joining_values(name, a) for a in attributes}
        named = [a for a, values in joining.items() if values]
        choices = [joining[a] if f"{name}.{a}" in read else joining[a][:1] for a in named]
        return [
            tuple(sorted(zip(named, combo, strict=True))) for combo in itertools.product(*choices)
        ][:_TEMPLATES]

    def _joining_values(self, name: str, attribute: str) -> list[Any]:
        """The values one added now may have: not a founder, when that is fixed."""
        values = self._member_values(name, attribute)
        if attribute in JOINING and f"{name}.{attribute}" in self.fixed:
            return [v for v in values if v == JOINING[attribute]]
        return values

    def _member_values(self, name: str, attribute: str) -> list[Any]:
        """Candidate values of a member's (partner's) attribute: yes first, one per class."""
        path = f"{name}.{attribute}"
        if path in self.member_values:
            return self.member_values[path]
        doc = field_doc(path)
        values: list[Any] = []
        if doc is not None and doc.kind == "boolean":
            values = [True, False]
        elif doc is not None and doc.kind == "choice":
            present = {getattr(m, attribute) for m in getattr(self.initiative, name) or []}
            values = representatives_of(self.domain, path, doc.allowed, present)
        elif doc is not None:
            values = sorted(set().union(*self.domain.value_sets.get(path, [])))
        self.member_values[path] = values
        return values

    def _moves(self, cid: str, paths: tuple[str, ...]) -> list[tuple[str, Edits]]:
        """Each candidate change of some paths a criterion reads, with the slot it fills.

        A list read (members, partners) may gain an entry, or have an attribute stated on
        the entries lacking it; a partial member list may have its number stated
        (`member_counts`). A list's completeness is stated only where it is a question
        (`completeness`), never changed once stated.
        """
        if (cid, paths) in self.moves:
            return self.moves[(cid, paths)]
        found: list[tuple[str, Edits]] = []
        for path in paths:
            doc = field_doc(path)
            head = path.split(".", 1)[0]
            if path in LISTS:
                found.extend(self._additions(cid, path))
            elif doc is None:
                continue
            elif head in LISTS:
                found.extend(self._fills(path))
            elif path in LIST_FACTS:
                found.extend(self._sets(path, list_fact(self.domain, self.initiative, path)))
            elif path in self.fixed and read_path(self.initiative, path) is not None:
                continue
            elif doc.kind == "choices":
                found.extend(self._sets(path, list_values(self.domain, self.initiative, path, doc)))
            else:
                found.extend(self._sets(path, scalars(self.domain, self.initiative, path, doc)))
        for name in LISTS:
            if name not in paths and any(p.startswith(name + ".") for p in paths):
                found.extend(self._additions(cid, name))
        if cid in self.domain.counts_members and any(touches("members", p) for p in paths):
            found.extend(self._sets("member_count", member_counts(self.domain, self.initiative)))
        for name, flag in (("members", "members_complete"), ("partners", "partners_complete")):
            if flag not in paths and any(touches(name, p) for p in paths):
                found.extend(self._sets(flag, completeness(self.initiative, flag)))
        self.moves[(cid, paths)] = list(dict.fromkeys(found))
        return self.moves[(cid, paths)]

    def _sets(self, path: str, values: list[Any]) -> list[tuple[str, Edits]]:
        """Setting a fact to each of some values: one move each, in the fact's slot."""
        return [(path, (self.edit(path, v),)) for v in values]

    def _additions(self, cid: str, name: str) -> list[tuple[str, Edits]]:
        """Adding one member (or partner) of each kind the criterion may need."""
        return [(f"+{name}{t!r}", (self.edit(name, t),)) for t in self._templates(cid, name)]

    def _fills(self, path: str) -> list[tuple[str, Edits]]:
        """Stating a member's (partner's) attribute for every listed one that lacks it."""
        name, attribute = path.split(".", 1)
        entries = getattr(self.initiative, name) or []
        if not any(getattr(m, attribute) is None for m in entries):
            return []
        return [(path, (self.edit(path, v),)) for v in self._member_values(name, attribute)]

    # -- per-criterion change sets

    def fixes_for(self, cid: str, want: bool) -> list[Edits]:
        """The smallest sets of candidate changes that give one criterion ``want``.

        The criterion's condition says which atoms must change (the smallest sets of
        atom values that give ``want``); atoms that read no common path are settled
        apart, each by the fewest candidate changes of the paths it reads, and their
        changes are then combined and the criterion evaluated whole.
        """
        key = (cid, want)
        if key in self.fixes:
            return self.fixes[key]
        condition = self.domain.criteria[cid].condition
        nodes = condition.leaves()
        rank = {node: i for i, node in enumerate(nodes)}
        values = {node: self.atom(node, ()) for node in nodes}
        found: list[Edits] = []
        for plan in plans_for(condition, atom_leaf, values, want, rank.__getitem__):
            options = [
                self._block_fixes(cid, block, plan) for block in independent_atoms(list(plan), rank)
            ]
            if not all(options):
                continue
            for combination in itertools.islice(itertools.product(*options), 4 * _FIXES):
                merged: Edits | None = ()
                for part in combination:
                    merged = None if merged is None else merge_edits(merged, part)
                if merged is None or any(edits_contain(merged, f) for f in found):
                    continue
                if self.status(cid, merged) is want:
                    found.append(merged)
        found.sort(key=lambda f: (len(f), [e.key for e in f]))
        self.fixes[key] = found[:_FIXES]
        return self.fixes[key]

    def atom(self, node: ConditionNode, edits: Edits) -> Tri:
        """One atom's value with the edits made, memoised by the edits it reads."""
        atom = node.atom
        assert atom is not None
        read = tuple(e for e in edits if any(touches(e.path, p) for p in atom.paths))

        def evaluate() -> Tri:
            return evaluate_atom(atom, self.base_root if not read else self._root(read))

        return self._spend(self.atom_memo, (node, read), evaluate)

    def _block_fixes(
        self, cid: str, block: list[ConditionNode], plan: Mapping[ConditionNode, bool]
    ) -> list[Edits]:
        """The smallest sets of candidate changes that give a block's atoms their values.

        Tried by increasing number (up to one more than the fewest that work), with more
        members added where a count needs them.
        """
        paths = sorted({p for node in block if node.atom for p in node.atom.paths})
        moves = self._moves(cid, tuple(paths))

        def settled(edits: Edits) -> bool:
            return all(self.atom(node, edits) is plan[node] for node in block)

        found: list[Edits] = []
        smallest: int | None = None
        for size in range(1, _MOVES + 1):
            if smallest is not None and size > smallest + 1:
                break
            for chosen in itertools.combinations(moves, size):
                slots = [slot for slot, _ in chosen]
                if len(set(slots)) < len(slots):
                    continue
                edits = sorted_edits(e for _, move in chosen for e in move)
                if any(edits_contain(edits, f) for f in found):
                    continue
                fix = self._settle(cid, settled, edits)
                if fix is not None and not any(edits_contain(fix, f) for f in found):
                    found.append(fix)
                    smallest = size if smallest is None else smallest
        found.sort(key=lambda f: (len(f), [e.key for e in f]))
        return found[:_FIXES]

    def _settle(self, cid: str, settled: Callable[[Edits], bool], edits: Edits) -> Edits | None:
        """``edits`` if they settle, or they with as many more members as a count needs.

        The count is found by bisection, as if more members of one kind never undid what
        fewer did; where that does not hold the count found is larger than needed, and
        `_smallest` brings it down.
        """
        if settled(edits):
            return edits
        added = [e for e in edits if e.path in LISTS]
        if not added or cid not in self.domain.counts_members:
            return None

        def more(extra: int) -> Edits:
            return sorted_edits((*edits, *[added[0]] * extra))

        counts = self.domain.lengths.get(added[0].path, [])
        named = listed(getattr(self.initiative, added[0].path))
        enough = named + 1 + max((math.floor(t) for t in counts), default=0)
        low, high = 0, min(_MAX_ADDED, enough) - len(added)
        if high < 1 or not settled(more(high)):
            return None
        while high - low > 1:
            middle = (low + high) // 2
            if settled(more(middle)):
                high = middle
            else:
                low = middle
        return more(high)

    # -- combining criteria

    def run(self, limit: int) -> list[Edits]:
        """The change sets found, best first (more than ``limit`` when ties are open)."""
        results: dict[Edits, tuple[Any, ...]] = {}
        plans = plans_for(self.verdict, lambda n: n.criterion, self.base, self.target, str)
        try:
            for size, group in itertools.groupby(plans, key=len):
                for plan in group:
                    self._combine(plan, results, limit)
                if sum(1 for r in results.values() if r[0] <= size) >= limit:
                    break
        except _BudgetSpentError:
            pass
        return sorted(results, key=lambda edits: results[edits])

    def _combine(
        self, plan: dict[str, bool], results: dict[Edits, tuple[Any, ...]], limit: int
    ) -> None:
        """Verify combinations of the plan's per-criterion change sets, depth first.

        Criteria are taken in rule order, and one that the changes chosen so far already
        settle needs no change of its own; only its change sets are then never computed.
        """
        order = [cid for cid in self.domain.order if cid in plan]
        found: set[Edits] = set()
        seen: set[Edits] = set()
        for tried, edits in enumerate(self._walk(order, plan, ()), start=1):
            fresh = edits not in seen and not any(edits_contain(edits, c) for c in self.cores)
            seen.add(edits)
            if fresh and self.reached(edits):
                reduced = self._reduce(edits)
                found.add(reduced)
                results.setdefault(reduced, self._rank(reduced))
            if tried >= _COMBINATIONS or len(found) >= 2 * limit:
                return

    def _walk(self, order: list[str], plan: dict[str, bool], partial: Edits) -> Iterator[Edits]:
        """Every merge of one change set per criterion still unsettled, depth first."""
        if not order:
            yield partial
            return
        cid, rest = order[0], order[1:]
        if self.status(cid, partial) is plan[cid]:
            yield from self._walk(rest, plan, partial)
            return
        for fix in self.fixes_for(cid, plan[cid]):
            merged = merge_edits(partial, fix)
            if merged is not None:
                yield from self._walk(rest, plan, merged)

    def _rank(self, edits: Edits) -> tuple[Any, ...]:
        """Fewer criteria changed, then fewer changes, then fewer stated facts changed."""
        after = self.statuses(edits)
        changed = sum(1 for cid in self.domain.order if after[cid] != self.base[cid])
        stated = sum(1 for e in edits if value_before(self.initiative, e) is not None)
        return changed, len(edits), stated, [e.key for e in edits]

    # -- minimality

    def _reduce(self, edits: Edits) -> Edits:
        """A smallest part of ``edits`` reaching the target, its added members pared down."""
        if edits not in self.minimised:
            smallest = self._smallest(edits)
            self.cores.append(smallest)
            for _ in range(3):
                pared = self._pare(smallest)
                if pared == smallest:
                    break
                smallest = self._smallest(pared)
            self.minimised[edits] = smallest
        return self.minimised[edits]

    def _smallest(self, edits: Edits) -> Edits:
        """A part of ``edits`` that reaches the target and that no smaller part of it does.

        Edits that touch disjoint criteria form independent groups. Each group in turn is
        cut to its smallest part that still reaches the target with the other groups as
        they stand, parts tried by increasing size, each abandoned at the first criterion
        that rules the target out. When the verdict is a conjunction of criteria and
        negated criteria (every shipped typology) the groups' parts are independent and
        the result is minimal; otherwise it is minimal group by group. Beyond
        ``_SUBSETS`` parts in a group, edits are dropped one at a time instead.
        """
        counts = Counter(e for e in edits if self.touched(e))
        groups = independent_edits(list(counts), {e: set(self.touched(e)) for e in counts})
        chosen: dict[int, Edits] = {
            index: sorted_edits(e for e in group for _ in range(counts[e]))
            for index, (group, _) in enumerate(groups)
        }
        for index, (group, criteria) in enumerate(groups):
            sizes = [range(counts[e] + 1) for e in group]
            if math.prod(len(s) for s in sizes) > _SUBSETS:
                return self._greedy(sorted_edits(counts.elements()))
            others = tuple(e for i, part in chosen.items() if i != index for e in part)
            statuses = self.statuses(others)
            parts = sorted(itertools.product(*sizes), key=lambda numbers: (sum(numbers), numbers))
            for numbers in parts:
                part = sorted_edits(
                    e for e, n in zip(group, numbers, strict=True) for _ in range(n)
                )
                if self._works(part, criteria, statuses):
                    chosen[index] = part
                    break
        return sorted_edits(e for part in chosen.values() for e in part)

    def _works(self, part: Edits, criteria: list[str], statuses: dict[str, Tri]) -> bool:
        """Whether ``part`` gives its group's criteria statuses that reach the target."""
        if self.literals is not None:
            literals = self.literals
            return all(self.status(cid, part) is literals[cid] for cid in criteria)
        trial = dict(statuses)
        free = set(criteria)
        for cid in criteria:
            free.discard(cid)
            trial[cid] = self.status(cid, part)
            if self.target not in possible_values(self.verdict, trial, frozenset(free)):
                return False
        return True

    def _greedy(self, edits: Edits) -> Edits:
        """Edits dropped one at a time while the rest still reaches the target."""
        current = list(edits)
        changed = True
        while changed:
            changed = False
            for index in reversed(range(len(current))):
                trial = sorted_edits(current[:index] + current[index + 1 :])
                if self.reached(trial):
                    current = list(trial)
                    changed = True
                    break
        return sorted_edits(current)

    def _pare(self, edits: Edits) -> Edits:
        """Added members (partners) without the attributes the target does not need."""
        current = edits
        for member in sorted({e for e in current if e.path in LISTS}, key=lambda e: e.key):
            attributes = dict(member.value)
            for name in sorted(attributes):
                lighter = {k: v for k, v in attributes.items() if k != name}
                trial = sorted_edits(
                    self.edit(member.path, tuple(sorted(lighter.items())))
                    if e.path == member.path and e.value == tuple(sorted(attributes.items()))
                    else e
                    for e in current
                )
                if self.reached(trial):
                    current = trial
                    attributes = lighter
        return current
