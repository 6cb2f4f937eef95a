"""Rule expressions translated to operations over columns, three-valued (see `columnar`).

A construct the translation does not cover raises `Unsupported`, and its criterion is
evaluated row by row by the compiled backend instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from poletype._engine import syntax as _ast
from poletype._engine.derive import DERIVED_FIELDS
from poletype._engine.typology import Expression
from poletype._scale.columns import (
    LISTS,
    MEMBERS,
    PARTNERS,
    Bools,
    Columns,
    Const,
    Floats,
    MemberList,
    Num,
    Text,
    Tri,
    Unsupported,
    Value,
    count_name,
    length_name,
    member_domain,
)

# ---------------------------------------------------------------- translation


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


@dataclass(frozen=True)
class ListShape:
    """A list per case, where ``known``: the entries the frame counts, then more.

    ``named`` entries are counted in the frame; ``tail_low`` to ``tail_high`` unnamed
    ones of unknown value follow (`paths.Partial`).
    """

    named: Floats
    tail_low: Floats
    tail_high: Floats
    known: Bools

    @property
    def length(self) -> Num:
        return Num(self.named + self.tail_low, self.named + self.tail_high, self.known)


class Translator:
    """Evaluates one expression tree over the columns; raises `Unsupported` otherwise."""

    def __init__(self, columns: Columns, params: Mapping[str, Any]) -> None:
        self.columns = columns
        self.params = params

    def truth(self, expression: Expression) -> Tri:
        value = self.value(expression.tree)
        if not isinstance(value, Tri):
            raise Unsupported(expression.text)
        return value

    def value(self, node: Any) -> Value:
        kind = _ast.kind(node)
        if kind == "literal":
            return Const(_plain(_ast.constant(node)))
        if kind == "array":
            items = [self.value(c) for c in _ast.children(node)]
            if not all(isinstance(i, Const) for i in items):
                raise Unsupported("array")
            return Const([i.value for i in items if isinstance(i, Const)])
        if kind in ("symbol", "attribute"):
            return self._path(node)
        if kind == "logic":
            left, right = self._tri(node.left), self._tri(node.right)
            return left & right if node.type == "and" else left | right
        if kind == "unary" and node.type == "not":
            return ~self._tri(node.right)
        if kind == "comparison":
            return self._compare(node.type, self.value(node.left), self.value(node.right))
        if kind == "contains":
            return self._contains(self.value(node.member), self.value(node.container))
        if kind == "arithmetic":
            return self._arithmetic(node.type, self.value(node.left), self.value(node.right))
        if (
            kind == "comprehension"
            and _ast.kind(node.iterable) == "symbol"
            and node.iterable.name in LISTS
        ):
            return MemberList(node.result, node.condition, node.variable, node.iterable.name)
        raise Unsupported(kind)

    def _tri(self, node: Any) -> Tri:
        value = self.value(node)
        if not isinstance(value, Tri):
            raise Unsupported("truth of a non-boolean")
        return value

    def _path(self, node: Any) -> Value:
        kind = _ast.kind(node)
        if kind == "attribute" and node.name in ("length", "to_set") and not _ast.is_field(node):
            return self._builtin(node)
        path = _dotted(node)
        if path is None:
            raise Unsupported("path")
        head = path.split(".")[0]
        if head == "params":
            name = path.split(".", 1)[1]
            if name not in self.params:
                raise Unsupported(path)
            return Const(_plain(self.params[name]))
        if head in DERIVED_FIELDS or head in (*LISTS, "snapshots"):
            raise Unsupported(path)
        result = node.result_type
        if result == _ast.DataType.BOOLEAN:
            return self.columns.boolean(path)
        if result == _ast.DataType.FLOAT:
            return self.columns.number(path)
        if result == _ast.DataType.STRING:
            return self.columns.text(path)
        raise Unsupported(path)

    def _builtin(self, node: Any) -> Value:
        inner = node.object
        if node.name == "to_set":
            raise Unsupported("to_set outside .length")
        # x.length
        if _ast.kind(inner) == "symbol" and inner.name in LISTS:
            return self._shape(inner.name).length
        if _ast.kind(inner) == "attribute" and inner.name == "to_set":
            listed = self.value(inner.object)
            if isinstance(listed, MemberList):
                return self._distinct(listed)
            raise Unsupported("to_set")
        comprehension = self.value(inner) if _ast.kind(inner) == "comprehension" else None
        if isinstance(comprehension, MemberList):
            return self._filtered_length(comprehension)
        path = _dotted(inner)
        if path is None or path.split(".")[0] in ("params", *LISTS, *DERIVED_FIELDS):
            raise Unsupported("length")
        return self._list_length(path)

    def _list_length(self, path: str) -> Num:
        """A list field's length: from a ``path.length`` count column, or the list column."""
        if f"{path}.length" in self.columns.names:
            return self.columns.number(f"{path}.length")
        read = self.columns.raw(path)
        if read is None:
            return self.columns.number(f"{path}.length")
        values, known = read
        lengths = np.fromiter(
            (len(v) if ok else 0 for v, ok in zip(values, known, strict=True)),
            np.float64,
            len(values),
        )
        return Num(lengths, lengths, known)

    # -- members and partners

    def _shape(self, listed: str) -> ListShape:
        """How much of a list the frame names, and how many unnamed entries it may hold."""
        key = (listed, "shape")
        cache = self.columns.cache
        if key not in cache:
            cache[key] = self._members_shape() if listed == MEMBERS else self._partners_shape()
        found: ListShape = cache[key]
        return found

    def _members_shape(self) -> ListShape:
        """``members`` as `derive.lists_view` reads it: complete unless format 1.1 says not.

        ``members_complete`` absent keeps the v1 reading (the named members are all of
        them) unless ``member_count`` is larger; a count with no list is that many
        unnamed members.
        """
        named = self.columns.number(length_name(MEMBERS))
        count = self.columns.number("member_count")
        stated = self.columns.boolean("members_complete")
        complete = (
            np.where(stated.known, stated.value, ~count.known | (count.low == named.low))
            & named.known
        )
        exact = count.known & ~complete
        extra = np.where(named.known, count.low - named.low, count.low)
        low = np.where(exact, extra, 0.0)
        high = np.where(exact, extra, np.where(complete | ~named.known, 0.0, np.inf))
        known = named.known | count.known
        return ListShape(np.where(named.known, named.low, 0.0), low, high, known)

    def _partners_shape(self) -> ListShape:
        """``partners``: a named list may hold more unless ``partners_complete`` is true."""
        named = self.columns.number(length_name(PARTNERS))
        stated = self.columns.boolean("partners_complete")
        complete = stated.known & stated.value
        high = np.where(complete | ~named.known, 0.0, np.inf)
        zero = np.zeros(self.columns.rows)
        return ListShape(np.where(named.known, named.low, 0.0), zero, high, named.known | complete)

    def _member_field(self, node: Any, variable: str) -> str:
        """The one member field a comprehension's part reads (``m.f``)."""
        found: set[str] = set()

        def visit(sub: Any, _env: dict[str, Any]) -> bool | None:
            kind = _ast.kind(sub)
            if (
                kind == "attribute"
                and _ast.kind(sub.object) == "symbol"
                and sub.object.name == variable
            ):
                found.add(sub.name)
                return False
            if kind == "symbol" and sub.name == variable:
                raise Unsupported("a member itself")
            if kind == "comprehension":
                raise Unsupported("nested comprehension")
            return None

        _ast.scan(node, visit)
        if len(found) != 1:
            raise Unsupported("a test reading other than one member field")
        return found.pop()

    def _per_value(self, node: Any, variable: str, member_field: str) -> dict[Any, bool | None]:
        """The test's value for each value of the member field, and for an unknown one."""
        out: dict[Any, bool | None] = {}
        for value in (*member_domain(member_field), None):
            result = _scalar(node, variable, member_field, value, self.params)
            if result is not None and not isinstance(result, bool):
                raise Unsupported("a non-boolean member test")
            out[value] = result
        return out

    def _table(self, member_field: str, listed: str) -> tuple[Floats, Floats]:
        """The counts of a member field, one row per value, and their sum per case."""
        key = (f"{listed}.{member_field}", "table")
        cache = self.columns.cache
        if key not in cache:
            table = np.stack(
                [
                    self.columns.count(count_name(member_field, v, listed))
                    for v in member_domain(member_field)
                ]
            )
            cache[key] = (table, table.sum(axis=0))
        found: tuple[Floats, Floats] = cache[key]
        return found

    def _sums(self, member_field: str, listed: str, chosen: Sequence[bool], rest: bool) -> Floats:
        """Named entries whose value of the field is chosen (``rest``: and those not counted)."""
        table, counted = self._table(member_field, listed)
        mask = np.asarray(chosen, dtype=bool)
        total = table[mask].sum(axis=0) if mask.any() else np.zeros(self.columns.rows)
        if rest:
            total = total + (self._shape(listed).named - counted)
        return total

    def _tallies(self, node: Any, variable: str, listed: str) -> tuple[Floats, Floats]:
        """Per case: named entries for which the test holds, and for which it is unknown."""
        member_field = self._member_field(node, variable)
        per_value = self._per_value(node, variable, member_field)
        domain = member_domain(member_field)
        true = self._sums(
            member_field, listed, [per_value[v] is True for v in domain], per_value[None] is True
        )
        unknown = self._sums(
            member_field, listed, [per_value[v] is None for v in domain], per_value[None] is None
        )
        return true, unknown

    def _filtered_length(self, listed: MemberList) -> Num:
        shape = self._shape(listed.listed)
        if listed.condition is None:
            return shape.length
        true, unknown = self._tallies(listed.condition, listed.variable, listed.listed)
        # Unnamed entries may each pass the filter or not.
        return Num(true, true + unknown + shape.tail_high, shape.known)

    def _any(self, listed: MemberList, wanted: Any) -> Tri:
        """``wanted in [result for m in members]``, as the compiled backend scans it."""
        if listed.condition is not None or not isinstance(wanted, bool):
            raise Unsupported("containment in a filtered member list")
        node, variable = listed.result, listed.variable
        member_field = self._member_field(node, variable)
        per_value = self._per_value(node, variable, member_field)
        domain = member_domain(member_field)
        where = listed.listed
        hits = self._sums(
            member_field,
            where,
            [per_value[v] is not None and per_value[v] == wanted for v in domain],
            per_value[None] is not None and per_value[None] == wanted,
        )
        unsure = self._sums(
            member_field, where, [per_value[v] is None for v in domain], per_value[None] is None
        )
        shape = self._shape(where)
        found = shape.known & (hits > 0)
        # An unnamed entry's value is unknown, whatever the test (as the reference reads it).
        settled = shape.known & (unsure == 0) & (shape.tail_high == 0)
        return Tri(found, found | settled)

    def _distinct(self, listed: MemberList) -> Num:
        """``[m.f for m in members].to_set.length``: known values, plus unknown ones at most."""
        if listed.condition is not None or _ast.kind(listed.result) != "attribute":
            raise Unsupported("to_set of a filtered or computed member list")
        member_field = self._member_field(listed.result, listed.variable)
        if _dotted(listed.result) != f"{listed.variable}.{member_field}":
            raise Unsupported("to_set of a computed member value")
        shape = self._shape(listed.listed)
        table, counted = self._table(member_field, listed.listed)
        distinct = np.count_nonzero(table > 0, axis=0).astype(np.float64)
        return Num(distinct, distinct + (shape.named - counted) + shape.tail_high, shape.known)

    # -- operators

    def _compare(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, Const) and isinstance(right, Const):
            return Const(_OPS[op](left.value, right.value))
        if isinstance(left, Const):
            flipped = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}.get(op, op)
            return self._compare(flipped, right, left)
        if isinstance(left, Text) and isinstance(right, Const) and op in ("eq", "ne"):
            if not isinstance(right.value, str):
                raise Unsupported("comparison of text with a non-text")
            equal = left.value == right.value
            return Tri(
                np.asarray(equal if op == "eq" else ~equal, dtype=bool) & left.known, left.known
            )
        low, high, known = self._interval(left)
        rlow, rhigh, rknown = self._interval(right)
        if op in ("eq", "ne"):
            exact = (low == high) & (rlow == rhigh)
            if not exact.all():
                raise Unsupported("equality of an interval")
            equal = low == rlow
            both = known & rknown
            return Tri((equal if op == "eq" else ~equal) & both, both)
        compare = _OPS[op]
        # True when every pair in the intervals satisfies the order, false when none does.
        if op in ("gt", "ge"):
            true, false = compare(low, rhigh), ~compare(high, rlow)
        else:
            true, false = compare(high, rlow), ~compare(low, rhigh)
        both = known & rknown
        return Tri(true & both, (true | false) & both)

    def _interval(self, value: Value) -> tuple[Floats, Floats, Bools]:
        rows = self.columns.rows
        if isinstance(value, Num):
            return value.low, value.high, value.known
        if isinstance(value, Const) and _is_number(value.value):
            number = np.full(rows, float(value.value))
            return number, number, np.ones(rows, dtype=bool)
        raise Unsupported("ordering of a non-number")

    def _contains(self, member: Value, container: Value) -> Value:
        if isinstance(container, MemberList):
            if not isinstance(member, Const):
                raise Unsupported("containment of a column in a member list")
            return self._any(container, member.value)
        if not isinstance(container, Const) or not isinstance(container.value, list):
            raise Unsupported("containment in a column")
        choices = container.value
        if isinstance(member, Text) and all(isinstance(c, str) for c in choices):
            if not choices:
                return Tri(
                    np.zeros(self.columns.rows, dtype=bool), np.ones(self.columns.rows, dtype=bool)
                )
            hit = np.isin(member.value, np.asarray(choices, dtype=object)) & member.known
            return Tri(hit, member.known)
        if isinstance(member, Const):
            return Const(member.value in choices)
        raise Unsupported("containment")

    def _arithmetic(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, Num) and isinstance(right, Const) and _is_number(right.value):
            k = float(right.value)
            if op == "tdiv" and k > 0:
                return Num(left.low / k, left.high / k, left.known)
            if op == "mul" and k == 0:  # as the reference reads it, 0 × ∞ is 0
                zero = np.zeros(self.columns.rows)
                return Num(zero, zero, left.known)
            if op == "mul" and k > 0:
                return Num(left.low * k, left.high * k, left.known)
            if op in ("add", "sub"):
                k = k if op == "add" else -k
                return Num(left.low + k, left.high + k, left.known)
        raise Unsupported("arithmetic")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """A constant as plain Python: Decimals as floats, tuples and sets as lists."""
    if isinstance(value, tuple | list | set | frozenset):
        return [_plain(v) for v in value]
    if _is_number(value) or isinstance(value, bool | str) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Unsupported(type(value).__name__) from None


def _dotted(node: Any) -> str | None:
    """``a.b.c`` for a chain of attributes over a symbol, else ``None``."""
    parts: list[str] = []
    while _ast.kind(node) == "attribute":
        parts.append(node.name)
        node = node.object
    if _ast.kind(node) != "symbol":
        return None
    parts.append(node.name)
    return ".".join(reversed(parts))


def _scalar(
    node: Any, variable: str, member_field: str, value: Any, params: Mapping[str, Any]
) -> Any:
    """A member test's value for one member whose field is ``value`` (``None``: unknown).

    The compiled backend's rules for one member: an unknown operand makes a comparison
    unknown, and membership in an empty list is false whatever the operand.
    """
    kind = _ast.kind(node)
    if kind == "literal":
        return _plain(_ast.constant(node))
    if kind == "array":
        return [_scalar(c, variable, member_field, value, params) for c in _ast.children(node)]
    if kind == "attribute":
        path = _dotted(node)
        if path == f"{variable}.{member_field}":
            return value
        if path is not None and path.startswith("params.") and path[7:] in params:
            return _plain(params[path[7:]])
        raise Unsupported("member test")
    if kind == "contains":
        member = _scalar(node.member, variable, member_field, value, params)
        container = _scalar(node.container, variable, member_field, value, params)
        if not isinstance(container, list):
            raise Unsupported("member test")
        if not container:
            return False
        return None if member is None else member in container
    if kind == "comparison" and node.type in ("eq", "ne"):
        left = _scalar(node.left, variable, member_field, value, params)
        right = _scalar(node.right, variable, member_field, value, params)
        if left is None or right is None:
            return None
        return (left == right) == (node.type == "eq")
    if kind == "unary" and node.type == "not":
        inner = _scalar(node.right, variable, member_field, value, params)
        return None if inner is None else not inner
    if kind == "logic":
        left = _scalar(node.left, variable, member_field, value, params)
        right = _scalar(node.right, variable, member_field, value, params)
        if node.type == "and":
            if left is False or right is False:
                return False
            return None if left is None or right is None else True
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    raise Unsupported("member test")
