"""The reference backend: rule-engine's interpreter, made three-valued.

An atom whose inputs are all known is evaluated by rule-engine itself, so the grammar's
semantics (decimal numbers, type-strict equality, regular expressions, built-in
attributes) are rule-engine's, not a copy. Only when an atom reads an unknown value does
this module walk the parsed tree in Kleene logic, and even then every node whose inputs
turn out known is handed back to rule-engine.

Under unknowns the walker knows three more kinds of value:

- ``UNKNOWN``: the value is not known;
- ``Maybe(v)``: an array element that may or may not be there (a comprehension filter
  whose condition is unknown for it);
- ``Interval(lo, hi)``: a number known to lie in a range, such as the length of an array
  with ``Maybe`` elements, so that ``[m for m in members if m.local].length > 3`` is
  decided when enough members are known to be local.

Everything it cannot decide is ``UNKNOWN``: the walker may be less precise than the
truth, never wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal, Protocol

from poletype._engine.logic import Tri, k_and, k_or
from poletype._engine.paths import Partial, is_known
from poletype._engine.syntax import (
    Assignment,
    ast,
    children,
    coerce_value,
    kind,
    object_type,
    re_errors,
)
from poletype.errors import RuleFileError


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


@dataclass(frozen=True, slots=True)
class Maybe:
    """An array element whose presence is unknown."""

    value: Any


@dataclass(frozen=True, slots=True)
class Interval:
    """A number known only to lie in ``[lo, hi]``."""

    lo: Decimal
    hi: Decimal


@dataclass(frozen=True, slots=True)
class Tail:
    """``lo`` to ``hi`` more array elements, unnamed and of unknown value."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def of(cls, partial: Partial) -> Tail:
        high = Decimal("Infinity") if partial.high is None else Decimal(partial.high)
        return cls(Decimal(partial.low), high)


Backend = Literal["compiled", "interpreter"]


@dataclass(frozen=True, slots=True)
class Root:
    """What an expression is evaluated against: the initiative, the parameters, the backend."""

    initiative: Any
    params: dict[str, Any]
    backend: Backend = "compiled"


def resolve_symbol(root: Root, name: str) -> Any:
    """rule-engine resolver: ``params`` is the parameter set, any other name a field."""
    if name == "params":
        return root.params
    return getattr(root.initiative, name)


def leaf(value: Any) -> Any:
    """A value read from the input, as rule-engine would see it, or ``UNKNOWN``."""
    if value is None:
        return UNKNOWN
    if isinstance(value, Partial):
        named = coerce_value(list(value), verify_type=False)
        return (*named, Tail.of(value)) if value.high != 0 else named
    return coerce_value(value, verify_type=False)


def is_uncertain(value: Any) -> bool:
    """Whether a value is, or contains, anything not fully known."""
    if value is UNKNOWN or isinstance(value, Maybe | Interval | Tail):
        return True
    if isinstance(value, tuple):
        return any(is_uncertain(v) for v in value)
    return False


def truth(value: Any) -> Tri:
    """A value's truth in Kleene logic."""
    if value is UNKNOWN or isinstance(value, Interval):
        return None
    return bool(value)


def _delegate(node: Any, root: Root, env: dict[str, Any]) -> Any:
    with node.context.assignments(*(Assignment(k, value=v) for k, v in env.items())):
        return node.evaluate(root)


def _apply(node: Any, root: Root, env: dict[str, Any], *values: Any) -> Any:
    """rule-engine's operator applied to values the walker already has.

    Re-evaluating the node itself would also re-evaluate its operands, and so read again
    the unknown facts that a short-circuit (``x ? a : b``, ``a and b``) let the walker
    skip; rule-engine would then fail on them.
    """
    try:
        operands = [ast.LiteralExpressionBase.from_value(node.context, v) for v in values]
    except (TypeError, re_errors.EngineError):
        return _delegate(node, root, env)
    if isinstance(node, ast.UnaryExpression):
        rebuilt = type(node)(node.context, node.type, *operands)
    elif isinstance(node, ast.ContainsExpression):
        rebuilt = type(node)(node.context, *operands)
    else:
        rebuilt = type(node)(node.context, node.type, *operands)
    return rebuilt.evaluate(None)


def _ev(node: Any, root: Root, env: dict[str, Any]) -> Any:
    return _WALK.get(kind(node), _other)(node, root, env)


def _array(node: Any, root: Root, env: dict[str, Any]) -> Any:
    return tuple(_ev(m, root, env) for m in node.value)


def _literal(node: Any, root: Root, env: dict[str, Any]) -> Any:
    return node.evaluate(None)


def _symbol(node: Any, root: Root, env: dict[str, Any]) -> Any:
    if node.name in env:
        return env[node.name]
    return leaf(resolve_symbol(root, node.name))


def _logic(node: Any, root: Root, env: dict[str, Any]) -> Any:
    left = truth(_ev(node.left, root, env))
    if node.type == "and":
        return False if left is False else _tri(k_and([left, truth(_ev(node.right, root, env))]))
    return True if left is True else _tri(k_or([left, truth(_ev(node.right, root, env))]))


def _unary(node: Any, root: Root, env: dict[str, Any]) -> Any:
    value = _ev(node.right, root, env)
    if node.type == "not":
        return UNKNOWN if truth(value) is None else not value
    if isinstance(value, Interval):
        return Interval(-value.hi, -value.lo)
    return UNKNOWN if is_uncertain(value) else _apply(node, root, env, value)


def _ternary(node: Any, root: Root, env: dict[str, Any]) -> Any:
    condition = truth(_ev(node.condition, root, env))
    if condition is not None:
        return _ev(node.case_true if condition else node.case_false, root, env)
    a, b = _ev(node.case_true, root, env), _ev(node.case_false, root, env)
    if not is_uncertain(a) and type(a) is type(b) and a == b:
        return a
    return UNKNOWN


def _comparison(node: Any, root: Root, env: dict[str, Any]) -> Any:
    left, right = _ev(node.left, root, env), _ev(node.right, root, env)
    if isinstance(left, Interval) or isinstance(right, Interval):
        return compare_interval(node.type, left, right)
    if is_uncertain(left) or is_uncertain(right):
        return UNKNOWN
    return _apply(node, root, env, left, right)


def _arithmetic(node: Any, root: Root, env: dict[str, Any]) -> Any:
    left, right = _ev(node.left, root, env), _ev(node.right, root, env)
    if isinstance(left, Interval) or isinstance(right, Interval):
        return arith_interval(node.type, left, right)
    if is_uncertain(left) or is_uncertain(right):
        return UNKNOWN
    return _apply(node, root, env, left, right)


def _other(node: Any, root: Root, env: dict[str, Any]) -> Any:
    """Any other node: decided by rule-engine when every input it reads is known."""
    if any(is_uncertain(_ev(child, root, env)) for child in children(node)):
        return UNKNOWN
    return _delegate(node, root, env)


def _tri(value: Tri) -> Any:
    return UNKNOWN if value is None else value


def _attribute(node: Any, root: Root, env: dict[str, Any]) -> Any:
    if node.name == "length" and _is_to_set(node.object):
        distinct = _distinct_count(_ev(node.object.object, root, env))
        if distinct is not None:
            return distinct
    obj = _ev(node.object, root, env)
    if obj is UNKNOWN:
        return UNKNOWN
    object_type_ = object_type(node)
    if object_type_ is not None:
        return leaf(object_type_.accessor(obj, node.name))
    if isinstance(obj, tuple) and is_uncertain(obj):
        return _size(node.name, obj)
    if is_uncertain(obj):
        return UNKNOWN
    return node.context.resolve_attribute(None, obj, node.name)


def _size(name: str, array: tuple[Any, ...]) -> Any:
    """``length`` or ``is_empty`` of an array with ``Maybe`` elements or a ``Tail``."""
    has_tail = bool(array) and isinstance(array[-1], Tail)
    tail = array[-1] if has_tail else Tail(Decimal(0), Decimal(0))
    named = array[:-1] if has_tail else array
    certain = sum(1 for v in named if not isinstance(v, Maybe))
    if name == "length":
        low, high = certain + tail.lo, len(named) + tail.hi
        return low if low == high else Interval(low, high)
    if name == "is_empty":
        if certain or tail.lo:
            return False
        return UNKNOWN if named or tail.hi else True
    return UNKNOWN


def _is_to_set(node: Any) -> bool:
    return isinstance(node, ast.GetAttributeExpression) and node.name == "to_set"


def _distinct_count(values: Any) -> Any:
    """How many distinct values an array with unknowns holds: a number or an interval.

    ``None`` when the array is fully known (rule-engine then decides) or not an array.
    """
    if not isinstance(values, tuple) or not is_uncertain(values):
        return UNKNOWN if values is UNKNOWN else None
    certain: set[Any] = set()
    possible: set[Any] = set()
    open_slots = Decimal(0)
    for v in values:
        if isinstance(v, Tail):
            open_slots += v.hi
            continue
        inner = v.value if isinstance(v, Maybe) else v
        if is_uncertain(inner):
            open_slots += 1
            continue
        possible.add(inner)
        if not isinstance(v, Maybe):
            certain.add(inner)
    low, high = Decimal(len(certain)), Decimal(len(possible) + open_slots)
    return low if low == high else Interval(low, high)


def _contains(node: Any, root: Root, env: dict[str, Any]) -> Any:
    container = _ev(node.container, root, env)
    member = _ev(node.member, root, env)
    if container is UNKNOWN:
        return UNKNOWN
    if not isinstance(container, tuple):
        return UNKNOWN if is_uncertain(member) else _apply(node, root, env, container, member)
    if container == ():
        return False
    if is_uncertain(member):
        return UNKNOWN
    undecided = False
    for element in container:
        if isinstance(element, Tail):
            undecided = undecided or element.hi > 0
        elif isinstance(element, Maybe):
            if is_uncertain(element.value) or element.value == member:
                undecided = True
        elif is_uncertain(element):
            undecided = True
        elif element == member:
            return True
    return UNKNOWN if undecided else False


def _comprehension(node: Any, root: Root, env: dict[str, Any]) -> Any:
    iterable = _ev(node.iterable, root, env)
    if iterable is UNKNOWN:
        return UNKNOWN
    if not isinstance(iterable, tuple):
        iterable = tuple(iterable)
    output: list[Any] = []
    for element in iterable:
        if isinstance(element, Tail):
            # Unnamed elements: whatever the filter, each may be kept or not.
            unfiltered = node.condition is None
            output.append(Tail(element.lo if unfiltered else Decimal(0), element.hi))
            continue
        certain = not isinstance(element, Maybe)
        value = element.value if isinstance(element, Maybe) else element
        scope = {**env, node.variable: value}
        if node.condition is not None:
            keep = truth(_ev(node.condition, root, scope))
            if keep is False:
                continue
            if keep is None:
                certain = False
        result = _ev(node.result, root, scope)
        output.append(result if certain else Maybe(result))
    return tuple(output)


def _bounds(value: Any) -> tuple[Decimal, Decimal] | None:
    if isinstance(value, Interval):
        return value.lo, value.hi
    if isinstance(value, Decimal):
        return value, value
    return None


def compare_interval(op: str, left: Any, right: Any) -> Any:
    lb, rb = _bounds(left), _bounds(right)
    if lb is None or rb is None:
        return UNKNOWN
    (llo, lhi), (rlo, rhi) = lb, rb
    decided: dict[str, tuple[bool, bool]] = {
        # op: (certainly true, certainly false)
        "gt": (llo > rhi, lhi <= rlo),
        "ge": (llo >= rhi, lhi < rlo),
        "lt": (lhi < rlo, llo >= rhi),
        "le": (lhi <= rlo, llo > rhi),
        "eq": (llo == lhi == rlo == rhi, lhi < rlo or llo > rhi),
        "ne": (lhi < rlo or llo > rhi, llo == lhi == rlo == rhi),
    }
    if op not in decided:
        return UNKNOWN
    yes, no = decided[op]
    if yes:
        return True
    return False if no else UNKNOWN


def arith_interval(op: str, left: Any, right: Any) -> Any:
    lb, rb = _bounds(left), _bounds(right)
    if lb is None or rb is None:
        return UNKNOWN
    (llo, lhi), (rlo, rhi) = lb, rb
    if op == "add":
        return Interval(llo + rlo, lhi + rhi)
    if op == "sub":
        return Interval(llo - rhi, lhi - rlo)
    if op == "mul":
        products = [_times(a, b) for a in (llo, lhi) for b in (rlo, rhi)]
        return Interval(min(products), max(products))
    if op == "tdiv" and (rlo > 0 or rhi < 0) and rlo.is_finite() and rhi.is_finite():
        quotients = (llo / rlo, llo / rhi, lhi / rlo, lhi / rhi)
        return Interval(min(quotients), max(quotients))
    return UNKNOWN


def _times(a: Decimal, b: Decimal) -> Decimal:
    """A product of bounds, where zero times an infinite bound (an unbounded count) is zero."""
    return Decimal(0) if not a or not b else a * b


Walker = Callable[[Any, Root, dict[str, Any]], Any]
# One handler per construct of `poletype._engine.syntax.kind`
# (a regular expression is ``_comparison``).
_WALK: dict[str, Walker] = {
    "array": _array,
    "literal": _literal,
    "symbol": _symbol,
    "attribute": _attribute,
    "logic": _logic,
    "unary": _unary,
    "contains": _contains,
    "comprehension": _comprehension,
    "ternary": _ternary,
    "regex": _comparison,
    "comparison": _comparison,
    "arithmetic": _arithmetic,
}


class Evaluable(Protocol):
    """What the interpreter needs of a compiled expression."""

    @property
    def paths(self) -> tuple[str, ...]: ...

    @property
    def rule(self) -> Any: ...

    @property
    def tree(self) -> Any: ...

    @property
    def native(self) -> Any: ...


def _all_known(expression: Evaluable, root: Root) -> bool:
    return all(is_known(root.initiative, path) for path in expression.paths)


def evaluate_value(expression: Evaluable, root: Root) -> Any:
    """An expression's value, from the backend ``root`` names."""
    if root.backend == "compiled":
        return expression.native.value(root.initiative, root.params)
    return interpret_value(expression, root)


def evaluate_atom(expression: Evaluable, root: Root) -> Tri:
    """A boolean atom's three-valued result, from the backend ``root`` names."""
    if root.backend == "compiled":
        result: Tri = expression.native.atom(root.initiative, root.params)
        return result
    return interpret_atom(expression, root)


def interpret_value(expression: Evaluable, root: Root) -> Any:
    """An expression's value: rule-engine's when its inputs are known, else the walker's."""
    if _all_known(expression, root):
        return _guarded(expression, root)
    return _walk(expression, root)


def interpret_atom(expression: Evaluable, root: Root) -> Tri:
    """A boolean atom's three-valued result, by the reference backend."""
    if _all_known(expression, root):
        return bool(_guarded(expression, root))
    return truth(_walk(expression, root))


def _walk(expression: Evaluable, root: Root) -> Any:
    try:
        return _ev(expression.tree, root, {})
    except (re_errors.EngineError, ArithmeticError) as exc:
        raise _failure(expression, exc) from None


def _failure(expression: Evaluable, exc: Exception) -> RuleFileError:
    return RuleFileError(
        f"evaluating {expression.rule.text!r} failed: {exc}",
        code="evaluation-error",
        expected="an expression defined for every known input",
    )


def _guarded(expression: Evaluable, root: Root) -> Any:
    try:
        return expression.rule.evaluate(root)
    except (re_errors.EngineError, ArithmeticError) as exc:
        raise _failure(expression, exc) from None
