"""What the rules compare: the values of each field a what-if search needs to try.

A field the rules compare to 0.5 and 0.75 has three classes of values that matter; the
scanner reads them off the compiled typology so the search tries one of each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from poletype._engine.derive import DERIVED_FIELDS
from poletype._engine.symbols import PARAMS, initiative_schema, unwrap
from poletype._engine.syntax import ast, scan
from poletype._engine.typology import CompiledCriterion, CrispTypology
from poletype._screening.fields import (
    APPLICANT_FIELDS,
    LISTS,
    MEMBER_FIELDS,
    ROLE,
    FieldDoc,
    field_bounds,
    field_columns,
)
from poletype.model import Initiative, Member

_DERIVED = frozenset(DERIVED_FIELDS)
"""Facts `poletype._engine.derive` may fill from others: a criterion reading one reads them all."""


def field_doc(path: str) -> FieldDoc | None:
    """The column of an input path whose values are searched: not a date, not a list of members.

    A partner's field is the members sheet's column (``partners.kind`` is ``members.kind``).
    """
    head, _, key = path.partition(".")
    if head not in LISTS or not key:
        doc = APPLICANT_FIELDS.get(path)
    else:
        doc = MEMBER_FIELDS.get(key) if key not in ("applicant_id", ROLE) else None
    return None if doc is None or doc.kind == "date" else doc


@cache
def _limits(path: str) -> tuple[Decimal | None, Decimal | None]:
    """A number's ``ge`` and ``le`` bounds: `FieldDoc` says a share's, not a count's."""
    head, _, key = path.partition(".")
    listed = head in LISTS and bool(key)
    columns = dict(field_columns(Member if listed else Initiative))
    bounds = field_bounds(unwrap(columns[key if listed else path].annotation)[1])
    low, high = (bounds.get(name) for name in ("ge", "le"))
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


@dataclass
class Domain:
    """What a typology's atoms compare each input path with, read once per typology."""

    typology: CrispTypology
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
    """The criteria that count members or partners, for which more may be added."""
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per list (members, partners), the attributes the verdict's criteria read, ``kind``
    first."""


@lru_cache(maxsize=32)
def domain_of(typology: CrispTypology) -> Domain:
    order_set = set(typology.verdict.criteria())
    order = tuple(c.id for c in typology.criteria if c.id in order_set)
    criteria = {c.id: c for c in typology.criteria if c.id in order_set}
    inputs: dict[str, frozenset[str] | None] = {
        cid: None if _DERIVED & set(c.paths) else frozenset(c.paths) for cid, c in criteria.items()
    }
    domain = Domain(typology, order, criteria, inputs)
    fields = initiative_schema().fields
    attributes: dict[str, set[str]] = {name: set() for name in LISTS}
    for cid, criterion in criteria.items():
        for node in criterion.condition.leaves():
            assert node.atom is not None
            scanner = _Scanner(domain, cid, fields)
            scan(node.atom.tree, scanner.visit, bind=scanner.path)
        for path in criterion.paths:
            head, _, key = path.partition(".")
            if head in LISTS and key:
                attributes[head].add(key)
    # The kind first: it is what a reader looks at in an added member.
    domain.attributes = {
        name: tuple(sorted(found, key=lambda a: (a != "kind", a)))
        for name, found in attributes.items()
    }
    return domain


class _Scanner:
    """Walks one atom's parsed tree for the constants each input path is compared with."""

    def __init__(self, domain: Domain, criterion: str, fields: Mapping[str, Any]) -> None:
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
        if counted is not None and counted in LISTS:
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


def value_classes(domain: Domain, path: str, allowed: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The allowed values grouped by what the typology's atoms can tell of them."""
    sets = domain.value_sets.get(path, [])
    groups: dict[tuple[bool, ...], list[str]] = {}
    for value in allowed:
        groups.setdefault(tuple(value in s for s in sets), []).append(value)
    return [tuple(g) for g in groups.values()]


def representatives_of(
    domain: Domain, path: str, allowed: tuple[str, ...], present: set[str]
) -> list[str]:
    """One value per class, preferring one not already present (a new distinct kind)."""
    found = []
    for group in value_classes(domain, path, allowed):
        fresh = [v for v in group if v not in present]
        found.append(fresh[0] if fresh else group[0])
    return found


def numbers_to_try(
    domain: Domain, path: str, integer: bool, *, lengths: str | None = None
) -> list[int | float]:
    """The thresholds compared with a number, and the values just past each.

    ``lengths`` names a list whose counted length thresholds are the number's (the total
    ``member_count`` is compared through ``members.length``).
    """
    found: set[Decimal] = set()
    compared = domain.lengths if lengths is not None else domain.thresholds
    for threshold in compared.get(lengths or path, []):
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
