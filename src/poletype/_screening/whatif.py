"""What it would take: the smallest changes of an initiative's facts that give it an outcome.

A programme officer wants to tell an applicant that is not (yet) a PTCE what would make
it one. The answer is computed from the rule file, never written per criterion, so a
funder's own criteria and parameter values get the same treatment as the shipped ones.

The search reads the rule file's own expressions, at three levels:

1. The verdict tree says which criteria must take which status: the smallest sets of
   criterion statuses that make the verdict the target (one for an ``all`` of criteria,
   several for an ``any``), tried by increasing size.
2. A criterion's condition says, the same way, which of its atoms must change; atoms
   that read no path in common are settled apart. The candidate changes of an atom are
   read from its parsed tree: the input paths it reads (``Expression.paths``) and the
   constants compared with them. A boolean takes yes or no; an enumeration one value per
   class of values that no atom of the typology tells apart (``primary_function`` =
   ``production`` stands for every function no exclusion names); a number the
   thresholds compared with it and the values just past them (``> 0.5`` on a share:
   ``0.51``; ``>= 10`` on a count: ``10``); a list gains one value per class, or is
   stated empty when unknown; members are added, one per change, stating the member
   attributes the typology reads, as many as a count needs; an attribute no member
   states is stated for all of them. A fact not stated counts as a change too: stating
   it is part of what it would take.
3. The smallest sets of candidate changes that settle each criterion are combined depth
   first across criteria (a change one criterion needs often settles another); each
   combination is verified by evaluating the criteria it touches and the verdict tree,
   every value memoised by the changes it reads. A set that reaches the target is cut
   to a smallest part that still does (so no proper subset of a returned set reaches it
   when the verdict is a conjunction of criteria and negated criteria, as in every
   shipped typology), and attributes of added members the target does not need are
   dropped. The changed initiative is finally rebuilt from the returned changes,
   validated like any input and evaluated afresh.

Sets are ranked by the number of criteria whose status they change, then the number of
changes, then the number of stated facts they change (stating a missing fact is easier
than changing a stated one), then their text, so the order is stable.

Not searched, to keep a screening of hundreds of applicants within seconds: changing the
kind or any stated attribute of a listed member (members are added, or their unstated
attributes stated for all); added members that differ in attributes no atom reads; lists
gaining more than one value by one change (beyond what a length threshold asks);
numbers no atom compares with a constant; free texts no atom compares with a literal;
parameters (they are the funder's reading, not the applicant's facts); combinations
beyond the bounds below, so for very incomplete initiatives the sets returned are the
smallest found rather than the smallest that exist; each is still verified and minimal.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from poletype._engine.compiler import CompiledCriterion, ConditionNode, Typology, VerdictTree
from poletype._engine.derive import DERIVED_FIELDS, derive
from poletype._engine.evaluator import atom_nodes, condition, decide, verdict_of
from poletype._engine.interpreter import Root, evaluate_atom
from poletype._engine.justify import colon, format_value
from poletype._engine.logic import Tri, k_not
from poletype._engine.paths import read_path, to_json_value
from poletype._engine.symbols import PARAMS, initiative_schema, model_of, unwrap
from poletype._engine.syntax import ast, scan
from poletype._rules.classify import to_initiative, typology_of
from poletype._screening.codes import described
from poletype._screening.fields import (
    APPLICANT_FIELDS,
    MEMBER_FIELDS,
    FieldDoc,
    field_bounds,
    field_columns,
)
from poletype._screening.fields import label as field_label
from poletype.errors import PoletypeError, UsageError
from poletype.model import Initiative, Member
from poletype.rulefile import Text

_T = TypeVar("_T")

_EVALUATIONS = 4000
"""Criterion and atom evaluations one call may spend; the search stops with what it found."""
_PLANS = 16
"""Sets of criteria to change tried, smallest first."""
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
_DERIVED = frozenset(DERIVED_FIELDS)
"""Facts `poletype._engine.derive` may fill from others: a criterion reading one reads them all."""


class FieldChange(BaseModel):
    """One change of an input fact: what it is, what it would become, said in words.

    ``path`` is a dotted input path. Two paths have a special reading: ``members`` adds
    one member (``after`` is the member, ``before`` is null), and ``members.ATTR``
    states the attribute for every member listed where it is not stated.
    ``before`` null means the fact is not stated: the change states it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    before: JsonValue = None
    after: JsonValue
    text: Text


class ChangeSet(BaseModel):
    """A smallest set of changes that gives the initiative the target outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    changes: list[FieldChange] = Field(description="Sorted by path.")
    criteria: list[str] = Field(
        description="The verdict's criteria whose status these changes alter, in rule order."
    )
    outcome: str = Field(description="The outcome of the changed initiative (the target).")


FIXED_FACTS: frozenset[str] = frozenset(
    {"founded", "origin", "approach", "prior_state_support", "country", "members.founder"}
)
"""Facts about an initiative's past or its place: once stated, no applicant can change
them to qualify (who founded it, how and when, whether the State supported it before,
which country it is in). `what_it_would_take` may ask for one that is unknown, never
propose to change one that is stated. For a member attribute (``members.founder``), a
member proposed for addition never has it: a member joining now did not found the
initiative; stating it for a listed member where it is unknown is still asked."""


_JOINING: dict[str, Any] = {"founder": False}
"""What a member proposed for addition is, for a member fact about the past: a member
joining now did not found the initiative. Other member paths in ``fixed`` do not
constrain the members added, whose facts are new."""


def what_it_would_take(
    initiative: Initiative | Mapping[str, Any],
    typology: str | Path | Typology = "labo-ess-ptce",
    *,
    params: Mapping[str, Any] | None = None,
    target: str | None = None,
    limit: int = 3,
    fixed: Iterable[str] = FIXED_FACTS,
) -> list[ChangeSet]:
    """Up to ``limit`` smallest sets of input changes that make the outcome ``target``.

    ``target`` defaults to the typology's positive outcome (``ptce`` for labo-ess-ptce).
    An initiative that already has it gets ``[]``, as does one no searched change can
    bring there. Graded typologies have no outcome to reach and are refused. Stated
    facts in ``fixed`` (by default `FIXED_FACTS`, the past) are never changed; a
    researcher asking what the rules alone would take can pass ``fixed=()``.
    """
    compiled = typology_of(typology, params)
    model = to_initiative(initiative)
    if compiled.verdict is None or compiled.spec.verdict is None:
        raise UsageError(
            f"typology {compiled.id!r} is graded: it places initiatives by degree and has "
            "no outcome to reach",
            code="whatif-graded",
            expected="a crisp typology (criteria and a verdict), such as labo-ess-ptce",
            found=compiled.id,
        )
    outcomes = compiled.spec.verdict.outcomes
    goal = outcomes.met if target is None else target
    wanted: dict[str, bool] = {outcomes.met: True, outcomes.not_met: False}
    if goal not in wanted:
        raise UsageError(
            f"typology {compiled.id!r} has no reachable outcome {goal!r}",
            code="unknown-outcome",
            expected=f"{outcomes.met!r} or {outcomes.not_met!r}",
            found=repr(goal),
        )
    search = _Search(compiled, model, wanted[goal], frozenset(fixed))
    if limit < 1 or search.reached(()):
        return []
    found: list[ChangeSet] = []
    for edits in search.run(limit):
        change_set = _verified(search, edits, goal)
        if change_set is not None:
            found.append(change_set)
        if len(found) == limit:
            break
    return found


def apply_changes(initiative: Initiative, changes: Iterable[FieldChange]) -> Initiative:
    """The initiative with the changes made, validated like any input.

    ``members`` changes append their member; ``members.ATTR`` changes state the attribute
    on the members the initiative lists where it is unstated (not on members added).
    """
    data = initiative.model_dump(exclude_none=True)
    listed = len(data.get("members") or [])
    for change in changes:
        if change.path == "members":
            data["members"] = [*(data.get("members") or []), _json_copy(change.after)]
        elif change.path.startswith("members."):
            attribute = change.path.split(".", 1)[1]
            for member in (data.get("members") or [])[:listed]:
                if member.get(attribute) is None:
                    member[attribute] = _json_copy(change.after)
        else:
            *parents, name = change.path.split(".")
            holder = data
            for part in parents:
                if holder.get(part) is None:
                    holder[part] = {}
                holder = holder[part]
            holder[name] = _json_copy(change.after)
    return to_initiative(data)


def _json_copy(value: JsonValue) -> Any:
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------- the model's fields


def _field(path: str) -> FieldDoc | None:
    """The column of an input path whose values are searched: not a date, not a list of members."""
    key = path.removeprefix("members.")
    if key == path:
        doc = APPLICANT_FIELDS.get(path)
    else:
        doc = MEMBER_FIELDS.get(key) if key != "applicant_id" else None
    return None if doc is None or doc.kind == "date" else doc


@cache
def _limits(path: str) -> tuple[Decimal | None, Decimal | None]:
    """A number's ``ge`` and ``le`` bounds: `FieldDoc` says a share's, not a count's."""
    prefix = "members." if path.startswith("members.") else ""
    columns = dict(field_columns(Member if prefix else Initiative, prefix))
    bounds = field_bounds(unwrap(columns[path].annotation)[1])
    low, high = (bounds.get(name) for name in ("ge", "le"))
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


# ---------------------------------------------------------------- what the rules compare


@dataclass
class _Domain:
    """What a typology's atoms compare each input path with, read once per typology."""

    typology: Typology
    order: tuple[str, ...]
    """The verdict's criteria, in rule order."""
    criteria: dict[str, CompiledCriterion]
    inputs: dict[str, frozenset[str] | None]
    """Paths each criterion reads; ``None`` when it reads a derived fact (any change)."""
    value_sets: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    """Per path, each set of texts its values (or items) are compared with."""
    thresholds: dict[str, list[Decimal]] = field(default_factory=dict)
    """Per numeric path, the numbers it is compared with."""
    lengths: dict[str, list[Decimal]] = field(default_factory=dict)
    """Per list path, the numbers its length (or a filtered or distinct count) is compared with."""
    counts_members: set[str] = field(default_factory=set)
    """The criteria that count members, for which more members may be added."""
    member_attributes: tuple[str, ...] = ()
    """The member attributes the verdict's criteria read, ``kind`` first."""


@lru_cache(maxsize=32)
def _domain(typology: Typology) -> _Domain:
    assert typology.verdict is not None
    order_set = set(typology.verdict.criteria())
    order = tuple(c.id for c in typology.criteria if c.id in order_set)
    criteria = {c.id: c for c in typology.criteria if c.id in order_set}
    inputs: dict[str, frozenset[str] | None] = {
        cid: None if _DERIVED & set(c.paths) else frozenset(c.paths) for cid, c in criteria.items()
    }
    domain = _Domain(typology, order, criteria, inputs)
    fields = initiative_schema().fields
    attributes: set[str] = set()
    for cid, criterion in criteria.items():
        for node in atom_nodes(criterion.condition):
            assert node.atom is not None
            scanner = _Scanner(domain, cid, fields)
            scan(node.atom.tree, scanner.visit, bind=scanner.path)
        attributes.update(p.split(".", 1)[1] for p in criterion.paths if p.startswith("members."))
    # The kind first: it is what a reader looks at in an added member.
    domain.member_attributes = tuple(sorted(attributes, key=lambda a: (a != "kind", a)))
    return domain


class _Scanner:
    """Walks one atom's parsed tree for the constants each input path is compared with."""

    def __init__(self, domain: _Domain, criterion: str, fields: Mapping[str, Any]) -> None:
        self.domain = domain
        self.criterion = criterion
        self.fields = fields

    def path(self, node: Any, env: dict[str, Any]) -> str | None:
        if isinstance(node, ast.SymbolExpression) and node.scope is None:
            if node.name in env:
                bound: str | None = env[node.name]
                return bound
            return node.name if node.name in self.fields else None
        if isinstance(node, ast.GetAttributeExpression):
            base = self.path(node.object, env)
            candidate = f"{base}.{node.name}"
            return candidate if base is not None and candidate in self.fields else None
        return None

    def counted(self, node: Any, env: dict[str, str | None]) -> str | None:
        """The list path whose (filtered or distinct) length ``node`` is, if it is one."""
        if not (isinstance(node, ast.GetAttributeExpression) and node.name == "length"):
            return None
        inner = node.object
        if isinstance(inner, ast.GetAttributeExpression) and inner.name == "to_set":
            inner = inner.object
        if isinstance(inner, ast.ComprehensionExpression):
            inner = inner.iterable
        return self.path(inner, env)

    def constant(self, node: Any) -> Any:
        if isinstance(node, ast.FloatExpression):
            return Decimal(str(node.value))
        if isinstance(node, ast.StringExpression | ast.BooleanExpression):
            return node.value
        if isinstance(node, ast.ArrayExpression):
            values = [self.constant(m) for m in node.value]
            return None if any(v is None for v in values) else tuple(values)
        if (
            isinstance(node, ast.GetAttributeExpression)
            and isinstance(node.object, ast.SymbolExpression)
            and node.object.name == PARAMS
            and node.object.scope is None
        ):
            value = self.domain.typology.parameters.get(node.name)
            if isinstance(value, bool | str):
                return value
            if isinstance(value, int | float):
                return Decimal(str(value))
            if isinstance(value, list):
                return tuple(value)
        return None

    def visit(self, node: Any, env: dict[str, Any]) -> None:
        """One node of `poletype._engine.syntax.scan`: record what it compares a path with."""
        counted = self.counted(node, env)
        if counted is not None and counted.startswith("members"):
            self.domain.counts_members.add(self.criterion)
        if isinstance(node, ast.ComparisonExpression | ast.ArithmeticComparisonExpression):
            self.compare(node.left, node.right, env)
            self.compare(node.right, node.left, env)
        elif isinstance(node, ast.ContainsExpression):
            container = self.constant(node.container)
            member = self.path(node.member, env)
            if isinstance(container, tuple) and member is not None:
                self.values(member, {str(v) for v in container})
            item = self.constant(node.member)
            listed = self.path(node.container, env)
            if isinstance(item, str) and listed is not None:
                self.values(listed, {item})

    def compare(self, side: Any, other: Any, env: dict[str, str | None]) -> None:
        value = self.constant(other)
        if value is None or isinstance(value, bool):
            return
        path = self.path(side, env)
        if path is not None:
            if isinstance(value, str):
                self.values(path, {value})
            elif isinstance(value, Decimal):
                self.domain.thresholds.setdefault(path, []).append(value)
        counted = self.counted(side, env)
        if counted is not None and isinstance(value, Decimal):
            self.domain.lengths.setdefault(counted, []).append(value)

    def values(self, path: str, values: set[str]) -> None:
        self.domain.value_sets.setdefault(path, []).append(frozenset(values))


def _classes(domain: _Domain, path: str, allowed: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The allowed values grouped by what the typology's atoms can tell of them."""
    sets = domain.value_sets.get(path, [])
    groups: dict[tuple[bool, ...], list[str]] = {}
    for value in allowed:
        groups.setdefault(tuple(value in s for s in sets), []).append(value)
    return [tuple(g) for g in groups.values()]


def _representatives(
    domain: _Domain, path: str, allowed: tuple[str, ...], present: set[str]
) -> list[str]:
    """One value per class, preferring one not already present (a new distinct kind)."""
    found = []
    for group in _classes(domain, path, allowed):
        fresh = [v for v in group if v not in present]
        found.append(fresh[0] if fresh else group[0])
    return found


def _numbers(domain: _Domain, path: str, integer: bool) -> list[int | float]:
    """The thresholds compared with a number, and the values just past each."""
    found: set[Decimal] = set()
    for threshold in domain.thresholds.get(path, []):
        if integer:
            low, high = math.floor(threshold), math.ceil(threshold)
            found.update(Decimal(n) for n in (low - 1, low, high, high + 1))
        else:
            exponent = threshold.as_tuple().exponent
            step = Decimal(1).scaleb(min(-2, exponent if isinstance(exponent, int) else -2))
            found.update((threshold - step, threshold, threshold + step))
    least, most = _limits(path)
    inside = sorted(
        v for v in found if (least is None or v >= least) and (most is None or v <= most)
    )
    return [int(v) if integer else float(v) for v in inside]


# ---------------------------------------------------------------- edits


@dataclass(frozen=True, eq=False)
class _Edit:
    """One change as the search handles it, interned by `_Search.edit` (identity is equality).

    ``members`` adds a member (``value``: its attribute pairs), ``members.ATTR`` states an
    attribute on the listed members lacking it, any other path is set (a list as a tuple).
    """

    path: str
    value: Any
    plain: Any
    """The value as JSON: a member as a mapping, a list as a list."""
    key: tuple[str, str]
    """A total order on edits, whatever the types of their values."""


Edits = tuple[_Edit, ...]


def _sorted(edits: Iterable[_Edit]) -> Edits:
    return tuple(sorted(edits, key=lambda e: e.key))


def _merge(base: Edits, extra: Edits) -> Edits | None:
    """Both sets of edits at once; ``None`` when they set one fact to two values.

    Members added by both count once per kind of member, as many as the larger asks.
    """
    if not extra:
        return base
    if not base:
        return extra
    values: dict[str, _Edit] = {}
    added: dict[_Edit, int] = {}
    for edits in (base, extra):
        counts: dict[_Edit, int] = {}
        for edit in edits:
            if edit.path == "members":
                counts[edit] = counts.get(edit, 0) + 1
            elif values.setdefault(edit.path, edit) is not edit:
                return None
        for edit, count in counts.items():
            added[edit] = max(added.get(edit, 0), count)
    merged = [*values.values(), *(e for e, n in added.items() for _ in range(n))]
    return _sorted(merged)


def _contains(big: Edits, small: Edits) -> bool:
    return not Counter(small) - Counter(big)


@lru_cache(maxsize=256)
def _member(template: tuple[tuple[str, Any], ...]) -> Member:
    return Member.model_validate(dict(template))


@cache
def _nested_model(name: str) -> type[BaseModel]:
    model = model_of(unwrap(Initiative.model_fields[name].annotation)[0])
    assert model is not None
    return model


def _apply(initiative: Initiative, edits: Edits) -> Initiative:
    """The initiative with the edits made, without validation: the search's fast path.

    Every value comes from the model's own types, and `what_it_would_take` validates the
    sets it returns, so nothing invalid leaves this module.
    """
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    fills: list[_Edit] = []
    adds: list[_Edit] = []
    for edit in edits:
        if edit.path == "members":
            adds.append(edit)
        elif edit.path.startswith("members."):
            fills.append(edit)
        elif "." in edit.path:
            parent, name = edit.path.split(".", 1)
            nested.setdefault(parent, {})[name] = _python(edit.value)
        else:
            top[edit.path] = _python(edit.value)
    for parent, update in nested.items():
        current = getattr(initiative, parent) or _nested_model(parent)()
        top[parent] = current.model_copy(update=update)
    if fills or adds:
        members = list(initiative.members or [])
        for edit in fills:
            attribute = edit.path.split(".", 1)[1]
            update = {attribute: edit.value}
            members = [
                m.model_copy(update=update) if getattr(m, attribute) is None else m for m in members
            ]
        members.extend(_member(edit.value) for edit in adds)
        top["members"] = members
    return initiative.model_copy(update=top)


def _python(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# ---------------------------------------------------------------- three-valued evaluation


_MISSING: Any = object()


def _literals(node: VerdictTree, want: bool) -> dict[str, bool] | None:
    """The status each criterion must have for the tree to be ``want``.

    ``None`` unless the tree is, for that value, a conjunction of criteria and negated
    criteria (then each criterion's status is forced and independent of the others').
    """
    if node.criterion is not None:
        return {node.criterion: want}
    if node.op == "not":
        return _literals(node.children[0], not want)
    if (node.op == "all") != want:
        return None if len(node.children) != 1 else _literals(node.children[0], want)
    found: dict[str, bool] = {}
    for child in node.children:
        part = _literals(child, want)
        if part is None or any(found.get(k, v) != v for k, v in part.items()):
            return None
        found.update(part)
    return found


def _possible(node: VerdictTree, statuses: Mapping[str, Tri], free: frozenset[str]) -> set[Tri]:
    """The values the tree can take when the ``free`` criteria may take any status."""
    if node.criterion is not None:
        return {True, False, None} if node.criterion in free else {statuses[node.criterion]}
    each = [_possible(child, statuses, free) for child in node.children]
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


def _plans(
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
        return _plans(node.children[0], leaf, values, not want, rank)
    each = [_plans(child, leaf, values, want, rank) for child in node.children]
    return _minimal(_join(node.op, want, each), rank)


def _atom_leaf(node: ConditionNode) -> ConditionNode | None:
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
        ][: _PLANS * 4]
    return combined


def _minimal(plans: list[dict[Any, bool]], rank: Callable[[Any], Any]) -> list[dict[Any, bool]]:
    plans = sorted(plans, key=lambda p: (len(p), sorted((rank(k), v) for k, v in p.items())))
    minimal: list[dict[Any, bool]] = []
    for plan in plans:
        if not any(m.items() <= plan.items() for m in minimal):
            minimal.append(plan)
    return minimal[:_PLANS]


# ---------------------------------------------------------------- the search


def _root_of(typology: Typology, initiative: Initiative) -> Root:
    """What the rules read, facts derived as `decide` derives them."""
    if typology.reads_derived:
        initiative = derive(initiative)[0]
    return Root(initiative, typology.params_value)


class _BudgetSpentError(Exception):
    """The evaluation budget is spent: the search stops with what it has found."""


class _Search:
    """One initiative's search, with every criterion value memoised by the edits it reads."""

    def __init__(
        self,
        typology: Typology,
        initiative: Initiative,
        target: bool,
        fixed: frozenset[str] = frozenset(),
    ) -> None:
        self.typology = typology
        self.fixed = fixed
        self.domain = _domain(typology)
        self.initiative = initiative
        self.target = target
        assert typology.verdict is not None
        self.verdict: VerdictTree = typology.verdict
        self.memo: dict[tuple[str, Edits], Tri] = {}
        self.spent = 0
        self.base_root = _root_of(typology, initiative)
        self.base = decide(typology, initiative)[0]
        self.fixes: dict[tuple[str, bool], list[Edits]] = {}
        self.moves: dict[tuple[str, tuple[str, ...]], list[tuple[str, Edits]]] = {}
        self.atom_memo: dict[tuple[ConditionNode, Edits], Tri] = {}
        self.minimised: dict[Edits, Edits] = {}
        self.touch: dict[_Edit, frozenset[str]] = {}
        self.interned: dict[tuple[str, Any], _Edit] = {}
        self.splits: dict[Edits, dict[str, Edits]] = {}
        self.cores: list[Edits] = []
        self.member_values: dict[str, list[Any]] = {}
        self.literals = _literals(self.verdict, self.target)

    # -- evaluation

    def edit(self, path: str, value: Any) -> _Edit:
        """The one edit object for a path and value."""
        found = self.interned.get((path, value))
        if found is None:
            plain = dict(value) if path == "members" else _python(value)
            key = (path, json.dumps(plain, sort_keys=True))
            found = self.interned[(path, value)] = _Edit(path, value, plain, key)
        return found

    def touched(self, edit: _Edit) -> frozenset[str]:
        """The verdict's criteria whose value an edit can change."""
        found = self.touch.get(edit)
        if found is None:
            found = self.touch[edit] = frozenset(
                cid
                for cid, inputs in self.domain.inputs.items()
                if inputs is None or any(_touches(edit.path, p) for p in inputs)
            )
        return found

    def _split(self, edits: Edits) -> dict[str, Edits]:
        """The edits each criterion reads, the key its value is memoised under."""
        found = self.splits.get(edits)
        if found is None:
            parts: dict[str, list[_Edit]] = {}
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
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            if self.spent >= _EVALUATIONS:
                raise _BudgetSpentError
            self.spent += 1
            found = memo[key] = evaluate()
        return bool(found) if found is not None else None

    def _root(self, edits: Edits) -> Root:
        return _root_of(self.typology, _apply(self.initiative, edits))

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

    def _templates(self, cid: str) -> list[tuple[tuple[str, Any], ...]]:
        """The members a criterion may have added.

        One value per class of each member attribute the criterion reads, and the first
        value (``true``, the first class) of the typology's other member attributes, which
        `_pare` drops when the target does not need them; a fixed attribute takes only the
        value a member joining now has (`_JOINING`).
        """
        read = self.domain.criteria[cid].paths
        joining = {a: self._joining_values(a) for a in self.domain.member_attributes}
        named = [a for a, values in joining.items() if values]
        choices = [joining[a] if f"members.{a}" in read else joining[a][:1] for a in named]
        return [
            tuple(sorted(zip(named, combo, strict=True))) for combo in itertools.product(*choices)
        ][:_TEMPLATES]

    def _joining_values(self, attribute: str) -> list[Any]:
        """The values a member added now may have: not a founder, when that is fixed."""
        values = self._member_values(attribute)
        if attribute in _JOINING and f"members.{attribute}" in self.fixed:
            return [v for v in values if v == _JOINING[attribute]]
        return values

    def _member_values(self, attribute: str) -> list[Any]:
        """Candidate values of a member attribute: yes first, one per class of kinds."""
        if attribute in self.member_values:
            return self.member_values[attribute]
        path = f"members.{attribute}"
        doc = _field(path)
        values: list[Any] = []
        if doc is not None and doc.kind == "boolean":
            values = [True, False]
        elif doc is not None and doc.kind == "choice":
            present = {getattr(m, attribute) for m in self.initiative.members or []}
            values = _representatives(self.domain, path, doc.allowed, present)
        elif doc is not None:
            values = sorted(set().union(*self.domain.value_sets.get(path, [])))
        self.member_values[attribute] = values
        return values

    def _moves(self, cid: str, paths: tuple[str, ...]) -> list[tuple[str, Edits]]:
        """Each candidate change of some paths a criterion reads, with the slot it fills."""
        if (cid, paths) in self.moves:
            return self.moves[(cid, paths)]
        found: list[tuple[str, Edits]] = []
        templates = self._templates(cid)
        for path in paths:
            doc = _field(path)
            if path == "members":
                found.extend(("+" + repr(t), (self.edit("members", t),)) for t in templates)
            elif doc is None:
                continue
            elif path.startswith("members."):
                found.extend(self._fills(path))
            elif path in self.fixed and read_path(self.initiative, path) is not None:
                continue
            elif doc.kind == "choices":
                found.extend((path, (self.edit(path, v),)) for v in self._lists(path, doc))
            else:
                found.extend((path, (self.edit(path, v),)) for v in self._scalars(path, doc))
        if any(p.startswith("members.") for p in paths) and "members" not in paths:
            found.extend(("+" + repr(t), (self.edit("members", t),)) for t in templates)
        self.moves[(cid, paths)] = found
        return found

    def _fills(self, path: str) -> list[tuple[str, Edits]]:
        """Stating a member attribute for every listed member that lacks it."""
        attribute = path.split(".", 1)[1]
        members = self.initiative.members or []
        if not any(getattr(m, attribute) is None for m in members):
            return []
        return [(path, (self.edit(path, v),)) for v in self._member_values(attribute)]

    def _scalars(self, path: str, doc: FieldDoc) -> list[Any]:
        """The values a single fact may take, other than its own."""
        current = read_path(self.initiative, path)
        if doc.kind == "boolean":
            values: list[Any] = [True, False]
        elif doc.kind == "choice":
            values = [g[0] for g in _classes(self.domain, path, doc.allowed) if current not in g]
        elif doc.kind in ("integer", "number", "share"):
            values = _numbers(self.domain, path, doc.kind == "integer")
        else:
            values = sorted(set().union(*self.domain.value_sets.get(path, [])))
        return [v for v in values if v != current or current is None]

    def _lists(self, path: str, doc: FieldDoc) -> list[tuple[str, ...]]:
        """A list with one value of each class added or removed, or stated empty."""
        current = read_path(self.initiative, path)
        allowed = doc.allowed or tuple(sorted(set().union(*self.domain.value_sets.get(path, []))))
        groups = _classes(self.domain, path, allowed)
        found: list[tuple[str, ...]] = []
        items: list[str] = list(current) if current is not None else []
        if current is None:
            found.append(())
        for group in groups:
            if any(v in items for v in group):
                found.append(tuple(v for v in items if v not in group))
            else:
                found.append((*items, group[0]))
        for threshold in self.domain.lengths.get(path, []):
            needed = math.floor(threshold) + 1 - len(items)
            fresh = [v for v in allowed if v not in items]
            if 1 < needed <= len(fresh):
                found.append((*items, *fresh[:needed]))
        unique = list(dict.fromkeys(found))
        return [v for v in unique if current is None or list(v) != items]

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
        nodes = atom_nodes(condition)
        rank = {node: i for i, node in enumerate(nodes)}
        values = {node: self.atom(node, ()) for node in nodes}
        found: list[Edits] = []
        for plan in _plans(condition, _atom_leaf, values, want, rank.__getitem__):
            options = [self._block_fixes(cid, block, plan) for block in _blocks(list(plan), rank)]
            if not all(options):
                continue
            for combination in itertools.islice(itertools.product(*options), 4 * _FIXES):
                merged: Edits | None = ()
                for part in combination:
                    merged = None if merged is None else _merge(merged, part)
                if merged is None or any(_contains(merged, f) for f in found):
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
        read = tuple(e for e in edits if any(_touches(e.path, p) for p in atom.paths))

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
                edits = _sorted(e for _, move in chosen for e in move)
                if any(_contains(edits, f) for f in found):
                    continue
                fix = self._settle(cid, settled, edits)
                if fix is not None and not any(_contains(fix, f) for f in found):
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
        added = [e for e in edits if e.path == "members"]
        if not added or cid not in self.domain.counts_members:
            return None

        def more(extra: int) -> Edits:
            return _sorted((*edits, *[added[0]] * extra))

        counts = self.domain.lengths.get("members", [])
        listed = len(self.initiative.members or [])
        enough = listed + 1 + max((math.floor(t) for t in counts), default=0)
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
        plans = _plans(self.verdict, lambda n: n.criterion, self.base, self.target, str)
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
            fresh = edits not in seen and not any(_contains(edits, c) for c in self.cores)
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
            merged = _merge(partial, fix)
            if merged is not None:
                yield from self._walk(rest, plan, merged)

    def _rank(self, edits: Edits) -> tuple[Any, ...]:
        """Fewer criteria changed, then fewer changes, then fewer stated facts changed."""
        after = self.statuses(edits)
        changed = sum(1 for cid in self.domain.order if after[cid] != self.base[cid])
        stated = sum(1 for e in edits if _before(self.initiative, e) is not None)
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
        groups = _groups(list(counts), {e: set(self.touched(e)) for e in counts})
        chosen: dict[int, Edits] = {
            index: _sorted(e for e in group for _ in range(counts[e]))
            for index, (group, _) in enumerate(groups)
        }
        for index, (group, criteria) in enumerate(groups):
            sizes = [range(counts[e] + 1) for e in group]
            if math.prod(len(s) for s in sizes) > _SUBSETS:
                return self._greedy(_sorted(counts.elements()))
            others = tuple(e for i, part in chosen.items() if i != index for e in part)
            statuses = self.statuses(others)
            parts = sorted(itertools.product(*sizes), key=lambda numbers: (sum(numbers), numbers))
            for numbers in parts:
                part = _sorted(e for e, n in zip(group, numbers, strict=True) for _ in range(n))
                if self._works(part, criteria, statuses):
                    chosen[index] = part
                    break
        return _sorted(e for part in chosen.values() for e in part)

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
            if self.target not in _possible(self.verdict, trial, frozenset(free)):
                return False
        return True

    def _greedy(self, edits: Edits) -> Edits:
        """Edits dropped one at a time while the rest still reaches the target."""
        current = list(edits)
        changed = True
        while changed:
            changed = False
            for index in reversed(range(len(current))):
                trial = _sorted(current[:index] + current[index + 1 :])
                if self.reached(trial):
                    current = list(trial)
                    changed = True
                    break
        return _sorted(current)

    def _pare(self, edits: Edits) -> Edits:
        """Added members without the attributes the target does not need."""
        current = edits
        for member in sorted({e for e in current if e.path == "members"}, key=lambda e: e.key):
            attributes = dict(member.value)
            for name in sorted(attributes):
                lighter = {k: v for k, v in attributes.items() if k != name}
                trial = _sorted(
                    self.edit("members", tuple(sorted(lighter.items())))
                    if e.path == "members" and e.value == tuple(sorted(attributes.items()))
                    else e
                    for e in current
                )
                if self.reached(trial):
                    current = trial
                    attributes = lighter
        return current


def _blocks(
    nodes: list[ConditionNode], rank: Mapping[ConditionNode, int]
) -> list[list[ConditionNode]]:
    """Atoms split into groups that read no path in common, in rule order."""

    def shared(one: ConditionNode, other: ConditionNode) -> bool:
        paths = one.atom.paths if one.atom else ()
        return any(_touches(p, q) for q in (other.atom.paths if other.atom else ()) for p in paths)

    blocks = _clusters(nodes, rank.__getitem__, shared)
    return sorted(blocks, key=lambda b: rank[b[0]])


def _touches(edited: str, read: str) -> bool:
    return edited == read or read.startswith(edited + ".") or edited.startswith(read + ".")


def _groups(
    edits: list[_Edit], touched: Mapping[_Edit, set[str]]
) -> list[tuple[list[_Edit], list[str]]]:
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


# ---------------------------------------------------------------- verification and words


def _verified(search: _Search, edits: Edits, goal: str) -> ChangeSet | None:
    """The edits as a `ChangeSet`, if the validated changed initiative gets ``goal``.

    The changed initiative is rebuilt from the `FieldChange` values, validated as any
    input, and its criteria evaluated afresh, so what is returned is what `classify`
    would conclude, whatever shortcut the search took.
    """
    initiative = search.initiative
    changes = [_change(initiative, e) for e in edits]
    changes.sort(key=lambda c: (c.path, json.dumps(c.after, sort_keys=True)))
    try:
        changed = apply_changes(initiative, changes)
    except PoletypeError:
        return None
    after, verdict = decide(search.typology, changed)
    if verdict is not search.target:
        return None
    criteria = [cid for cid in search.domain.order if after[cid] != search.base[cid]]
    return ChangeSet(changes=changes, criteria=criteria, outcome=goal)


def _before(initiative: Initiative, edit: _Edit) -> Any:
    """What an edit changes: nothing for a member added or an attribute stated."""
    if edit.path == "members" or edit.path.startswith("members."):
        return None
    return to_json_value(read_path(initiative, edit.path))


def _change(initiative: Initiative, edit: _Edit) -> FieldChange:
    after = edit.plain
    if edit.path == "members":
        return FieldChange(path="members", before=None, after=after, text=_member_text(after))
    if edit.path.startswith("members."):
        label = field_label(edit.path)
        return FieldChange(
            path=edit.path,
            before=None,
            after=after,
            text=Text(
                fr=f"{label.fr} ({edit.path} : non renseigné → {_show(after, 'fr', edit.path)}, "
                "pour chaque membre où ce n'est pas indiqué)",
                en=f"{label.en} ({edit.path}: not stated → {_show(after, 'en', edit.path)}, "
                "for every member where it is not stated)",
            ),
        )
    before = _before(initiative, edit)
    label = field_label(edit.path)
    return FieldChange(
        path=edit.path,
        before=before,
        after=after,
        text=Text(
            fr=f"{label.fr} ({edit.path} : {_show(before, 'fr', edit.path)} → "
            f"{_show(after, 'fr', edit.path)})",
            en=f"{label.en} ({edit.path}: {_show(before, 'en', edit.path)} → "
            f"{_show(after, 'en', edit.path)})",
        ),
    )


def _member_text(member: Any) -> Text:
    parts = {
        lang: ", ".join(
            f"{getattr(field_label('members.' + k), lang)}{colon(lang)}"
            f"{_show(v, lang, 'members.' + k)}"
            for k, v in sorted(member.items())
        )
        for lang in ("fr", "en")
    }
    return Text(
        fr=f"Ajouter un membre ({parts['fr']})" if parts["fr"] else "Ajouter un membre",
        en=f"Add a member ({parts['en']})" if parts["en"] else "Add a member",
    )


def _show(value: Any, lang: Literal["fr", "en"], path: str) -> str:
    """A value as `format_value` shows it, but for an absent fact, a share's digits and codes.

    A change's ``before`` null means the applicant did not state the fact, which a reader
    must not take for a fact the rules could not read; a share keeps six significant
    digits, where a justification rounds to three; a code comes with its meaning, since
    the programme officer reading the change may not know the format's codes.
    """
    if value is None:
        return "non renseigné" if lang == "fr" else "not stated"
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "fr" else text
    if isinstance(value, str):
        return described(path, value, lang)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(described(path, v, lang) for v in value)
    return format_value(value, lang)
