"""The compiled backend: rule-engine's parsed trees turned into Python closures.

rule-engine's interpreter spends its time coercing every value it reads (lists copied to
tuples, numbers to ``Decimal``) and rebuilding type objects on each access. The grammar,
the parser and the load-time type checks are worth keeping; the evaluation loop is not.
This module walks the parsed tree once, when a rule file loads, and builds one closure
per node that reads the `Initiative` model's attributes directly.

The closures compute exactly what the reference backend (`poletype._interpreter`)
computes, unknowns included: the same ``UNKNOWN``, ``Maybe`` and ``Interval`` values and
the same Kleene rules, so the two backends can be compared value for value (the
differential tests do). Known values follow rule-engine's semantics:

- one numeric type: numbers read from the input become ``Decimal`` as rule-engine makes
  them (``Decimal(repr(float))``); array lengths stay ``int``, which Python compares,
  hashes and sets exactly like the equal ``Decimal``; arithmetic is done in ``Decimal``;
- ``==`` is type-strict (a boolean never equals a number) and ordered comparison of
  mismatched types is an error, arrays compare lexicographically;
- regular expressions use the node's own compiled pattern and flags.

A node this module has no closure for (bitwise operators, slices, built-in attributes
other than ``length``, ``is_empty`` and ``to_set`` …) is handed to the node's own
``evaluate`` once its inputs are known, exactly as the reference walker does; the first
time an expression needs that, a `CompilerFallbackWarning` says so.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from rule_engine import ast
from rule_engine import errors as re_errors
from rule_engine.types import coerce_value

from poletype._interpreter import (
    UNKNOWN,
    Interval,
    Maybe,
    Root,
    _arith_interval,
    _compare_interval,
    _delegate,
    _distinct_count,
    children,
    is_uncertain,
    truth,
)
from poletype.errors import RuleFileError

Context = list[Any]
Node = Callable[[Context], Any]

_CERTAIN_SCALARS = frozenset({str, bool, int, Decimal})
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "tdiv": operator.truediv,
    "fdiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
}
_NATIVE_ATTRIBUTES = frozenset({"length", "is_empty", "to_set"})


class CompilerFallbackWarning(UserWarning):
    """An expression uses a construct the compiled backend hands to rule-engine."""


_warned: set[str] = set()


class _EvaluationError(Exception):
    """A known-input evaluation that rule-engine would refuse (type mismatch, division by zero)."""


def _fail(message: str) -> _EvaluationError:
    return _EvaluationError(message)


def is_params(node: Any, variables: Iterable[str]) -> bool:
    """Whether ``node`` reads the rule file's ``params``, not a comprehension variable."""
    return (
        isinstance(node, ast.SymbolExpression)
        and node.scope is None
        and node.name == "params"
        and all(variable != "params" for variable in variables)
    )


def leaf(value: Any) -> Any:
    """A value read from the input, in the form the closures compute with."""
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if value is None:
        return UNKNOWN
    if kind is list:
        return tuple([leaf(v) if type(v) not in _CERTAIN_SCALARS else v for v in value])
    if kind is float:
        return Decimal(repr(value))
    if kind is int:
        return Decimal(value)
    return value


def _uncertain(value: Any) -> bool:
    kind = type(value)
    if kind in _CERTAIN_SCALARS:
        return False
    return is_uncertain(value)


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is Decimal or kind is int


def _equal(left: Any, right: Any) -> bool:
    if type(left) is type(right):
        return bool(left == right)
    return _is_number(left) and _is_number(right) and left == right


def _ordered(op: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if type(left) is tuple and type(right) is tuple:
        for a, b in zip(left, right, strict=False):
            if _ordered(operator.ne, a, b):
                return _ordered(op, a, b)
        if len(left) != len(right):
            return op(len(left), len(right))
        return op in (operator.ge, operator.le)
    if type(left) is not type(right) and not (_is_number(left) and _is_number(right)):
        raise _fail("data type mismatch")
    return op(left, right)


def _decimal(value: Any) -> Decimal:
    if type(value) is Decimal:
        return value
    if type(value) is int:
        return Decimal(value)
    raise _fail("data type mismatch (not a numeric value)")


class _Compiler:
    """Builds the closures of one expression; tracks comprehension variables' slots."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.slots = 2
        self.delegated: list[str] = []
        self.names: list[tuple[str, int]] = []

    def scope_env(self) -> Callable[[Context], dict[str, Any]]:
        names = list(self.names)

        def env(c: Context) -> dict[str, Any]:
            return {name: coerce_value(c[slot], verify_type=False) for name, slot in names}

        return env

    def build(self, node: Any) -> Node:
        if isinstance(node, ast.LiteralExpressionBase):
            if isinstance(node, ast.ArrayExpression):
                members = [self.build(m) for m in node.value]
                return lambda c: tuple([m(c) for m in members])
            if not isinstance(node, ast.SetExpression | ast.MappingExpression):
                constant = node.evaluate(None)
                return lambda c: constant
        if isinstance(node, ast.SymbolExpression) and node.scope is None:
            return self._symbol(node.name)
        if isinstance(node, ast.GetAttributeExpression):
            return self._attribute(node)
        if isinstance(node, ast.LogicExpression):
            return self._logic(node)
        if isinstance(node, ast.UnaryExpression):
            return self._unary(node)
        if isinstance(node, ast.ContainsExpression):
            return self._contains(node)
        if isinstance(node, ast.ComprehensionExpression):
            return self._comprehension(node)
        if isinstance(node, ast.TernaryExpression):
            return self._ternary(node)
        if isinstance(node, ast.FuzzyComparisonExpression):
            return self._regex(node)
        if isinstance(node, ast.ArithmeticComparisonExpression | ast.ComparisonExpression):
            return self._comparison(node)
        if isinstance(node, ast.AddExpression | ast.SubtractExpression | ast.ArithmeticExpression):
            return self._arithmetic(node)
        return self._delegated(node)

    # -- leaves and access -------------------------------------------------------------

    def _symbol(self, name: str) -> Node:
        for variable, slot in reversed(self.names):
            if variable == name:
                return lambda c: c[slot]
        if name == "params":
            return lambda c: c[1]
        return lambda c: leaf(getattr(c[0], name))

    def _attribute(self, node: Any) -> Node:
        name = node.name
        if (
            name == "length"
            and isinstance(node.object, ast.GetAttributeExpression)
            and node.object.name == "to_set"
            and node.object._object_type is None
        ):
            inner = self.build(node.object.object)
            resolve = node.context.resolve_attribute

            def distinct(c: Context) -> Any:
                values = inner(c)
                if type(values) is tuple:
                    return _distinct_count(values) if is_uncertain(values) else len(set(values))
                if values is UNKNOWN:
                    return UNKNOWN
                return len(resolve(None, values, "to_set"))

            return distinct
        obj = self.build(node.object)
        if node._object_type is not None:
            if is_params(node.object, (variable for variable, _ in self.names)):
                return lambda c: obj(c)[name]

            def field(c: Context) -> Any:
                value = obj(c)
                if value is UNKNOWN:
                    return UNKNOWN
                return leaf(getattr(value, name))

            return field
        if name not in _NATIVE_ATTRIBUTES:
            return self._delegated(node)

        def builtin(c: Context) -> Any:
            value = obj(c)
            if value is UNKNOWN:
                return UNKNOWN
            if type(value) is tuple and is_uncertain(value):
                certain = sum(1 for v in value if type(v) is not Maybe)
                if name == "length":
                    if certain == len(value):
                        return len(value)
                    return Interval(Decimal(certain), Decimal(len(value)))
                if name == "is_empty":
                    if certain:
                        return False
                    return UNKNOWN if value else True
                return UNKNOWN
            if _uncertain(value):
                return UNKNOWN
            if name == "length":
                if type(value) is tuple or type(value) is str:
                    return len(value)
                if isinstance(value, frozenset | set):
                    return len(value)
            elif name == "is_empty" and (type(value) is tuple or type(value) is str):
                return len(value) == 0
            elif name == "to_set" and type(value) in (tuple, str, set):
                return set(value)
            return node.context.resolve_attribute(None, value, name)

        return builtin

    # -- logic -------------------------------------------------------------------------

    def _logic(self, node: Any) -> Node:
        left, right = self.build(node.left), self.build(node.right)
        if node.type == "and":

            def conjunction(c: Context) -> Any:
                a = truth(left(c))
                if a is False:
                    return False
                b = truth(right(c))
                if b is False:
                    return False
                return True if a is True and b is True else UNKNOWN

            return conjunction

        def disjunction(c: Context) -> Any:
            a = truth(left(c))
            if a is True:
                return True
            b = truth(right(c))
            if b is True:
                return True
            return False if a is False and b is False else UNKNOWN

        return disjunction

    def _unary(self, node: Any) -> Node:
        right = self.build(node.right)
        if node.type == "not":

            def negation(c: Context) -> Any:
                value = right(c)
                if truth(value) is None:
                    return UNKNOWN
                return not value

            return negation

        def minus(c: Context) -> Any:
            value = right(c)
            if type(value) is Interval:
                return Interval(-value.hi, -value.lo)
            if _uncertain(value):
                return UNKNOWN
            return -_decimal(value)

        return minus

    def _ternary(self, node: Any) -> Node:
        condition = self.build(node.condition)
        yes, no = self.build(node.case_true), self.build(node.case_false)

        def ternary(c: Context) -> Any:
            decided = truth(condition(c))
            if decided is not None:
                return yes(c) if decided else no(c)
            a, b = yes(c), no(c)
            if not _uncertain(a) and not _uncertain(b) and _equal(a, b):
                return a
            return UNKNOWN

        return ternary

    # -- comparisons ---------------------------------------------------------------------

    def _comparison(self, node: Any) -> Node:
        left, right = self.build(node.left), self.build(node.right)
        kind = node.type
        if kind in ("eq", "ne"):
            negate = kind == "ne"
            if isinstance(node.right, ast.LiteralExpressionBase) and type(
                constant := node.right.evaluate(None)
            ) in (str, bool):

                def against_constant(c: Context) -> Any:
                    value = left(c)
                    if type(value) is type(constant):
                        return (value == constant) is not negate
                    if value is UNKNOWN or type(value) is Maybe or type(value) is Interval:
                        return UNKNOWN
                    if type(value) is tuple and is_uncertain(value):
                        return UNKNOWN
                    return negate

                return against_constant

            def equality(c: Context) -> Any:
                a, b = left(c), right(c)
                if type(a) is Interval or type(b) is Interval:
                    return _compare_interval(kind, _as_interval_side(a), _as_interval_side(b))
                if _uncertain(a) or _uncertain(b):
                    return UNKNOWN
                return _equal(a, b) is not negate

            return equality
        op = _ORDER[kind]

        def ordered(c: Context) -> Any:
            a, b = left(c), right(c)
            if type(a) is Interval or type(b) is Interval:
                return _compare_interval(kind, _as_interval_side(a), _as_interval_side(b))
            if _uncertain(a) or _uncertain(b):
                return UNKNOWN
            return _ordered(op, a, b)

        return ordered

    def _regex(self, node: Any) -> Node:
        left, right = self.build(node.left), self.build(node.right)
        kind = node.type
        method = "match" if kind.endswith("fzm") else "search"
        wanted = kind.startswith("eq")
        fixed: re.Pattern[str] | None = getattr(node, "_right", None)
        flags = node.context.regex_flags

        def regex(c: Context) -> Any:
            text, pattern = left(c), right(c)
            if type(text) is Interval or type(pattern) is Interval:
                return UNKNOWN
            if _uncertain(text) or _uncertain(pattern):
                return UNKNOWN
            if type(text) is not str:
                raise _fail("data type mismatch")
            if fixed is not None:
                compiled = fixed
            elif type(pattern) is str:
                try:
                    compiled = re.compile(pattern, flags=flags)
                except re.error as exc:
                    raise _fail(f"invalid regular expression: {exc}") from None
            else:
                raise _fail("data type mismatch")
            return (getattr(compiled, method)(text) is not None) is wanted

        return regex

    def _contains(self, node: Any) -> Node:
        container, member = self.build(node.container), self.build(node.member)

        def contains(c: Context) -> Any:
            box = container(c)
            item = member(c)
            if box is UNKNOWN:
                return UNKNOWN
            if type(box) is not tuple:
                if _uncertain(item):
                    return UNKNOWN
                if type(box) is str:
                    if type(item) is not str:
                        raise _fail("data type mismatch")
                    return item in box
                if isinstance(box, frozenset | set):
                    return item in box
                raise _fail("data type mismatch")
            if box == ():
                return False
            if _uncertain(item):
                return UNKNOWN
            undecided = False
            for element in box:
                kind = type(element)
                if kind is Maybe:
                    if is_uncertain(element.value) or element.value == item:
                        undecided = True
                elif kind not in _CERTAIN_SCALARS and is_uncertain(element):
                    undecided = True
                elif element == item:
                    return True
            return UNKNOWN if undecided else False

        return contains

    def _comprehension(self, node: Any) -> Node:
        iterable = self.build(node.iterable)
        slot = self.slots
        self.slots += 1
        self.names.append((node.variable, slot))
        condition = None if node.condition is None else self.build(node.condition)
        result = self.build(node.result)
        self.names.pop()

        def comprehension(c: Context) -> Any:
            values = iterable(c)
            if values is UNKNOWN:
                return UNKNOWN
            if type(values) is not tuple:
                values = tuple(values)
            output = []
            for element in values:
                certain = type(element) is not Maybe
                c[slot] = element if certain else element.value
                if condition is not None:
                    keep = truth(condition(c))
                    if keep is False:
                        continue
                    if keep is None:
                        certain = False
                value = result(c)
                output.append(value if certain else Maybe(value))
            return tuple(output)

        return comprehension

    # -- arithmetic ----------------------------------------------------------------------

    def _arithmetic(self, node: Any) -> Node:
        left, right = self.build(node.left), self.build(node.right)
        kind = node.type
        op = _ARITH[kind]

        def arithmetic(c: Context) -> Any:
            a, b = left(c), right(c)
            if type(a) is Interval or type(b) is Interval:
                return _arith_interval(kind, _as_interval_side(a), _as_interval_side(b))
            if _uncertain(a) or _uncertain(b):
                return UNKNOWN
            if kind == "add" and type(a) is str and type(b) is str:
                return a + b
            try:
                return op(_decimal(a), _decimal(b))
            except ArithmeticError as exc:
                raise _fail(f"arithmetic error: {exc}") from None

        return arithmetic

    # -- the rest: rule-engine decides once the inputs are known ---------------------------

    def _delegated(self, node: Any) -> Node:
        self.delegated.append(type(node).__name__)
        inputs = [self.build(child) for child in children(node)]
        env = self.scope_env()

        def delegated(c: Context) -> Any:
            if any(_uncertain(f(c)) for f in inputs):
                return UNKNOWN
            try:
                value = _delegate(node, Root(c[0], c[1]), env(c))
            except (re_errors.EngineError, ArithmeticError) as exc:
                raise _fail(str(exc)) from None
            return value

        return delegated


def _as_interval_side(value: Any) -> Any:
    return Decimal(value) if type(value) is int else value


def _normalise(value: Any) -> Any:
    """Numbers as the reference backend returns them: always ``Decimal``."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is tuple:
        return tuple(_normalise(v) for v in value)
    if kind is Maybe:
        return Maybe(_normalise(value.value))
    return value


class Compiled:
    """One expression's closure, with what it needs to run and to explain a failure."""

    __slots__ = ("_body", "_width", "delegated", "text")

    def __init__(self, text: str, body: Node, width: int, delegated: tuple[str, ...]) -> None:
        self.text = text
        self._body = body
        self._width = width
        self.delegated = delegated

    def value(self, initiative: Any, params: dict[str, Any]) -> Any:
        """The expression's value, exactly as the reference backend computes it."""
        return _normalise(self._run(initiative, params))

    def atom(self, initiative: Any, params: dict[str, Any]) -> bool | None:
        """A boolean atom's three-valued result."""
        return truth(self._run(initiative, params))

    def _run(self, initiative: Any, params: dict[str, Any]) -> Any:
        context: Context = [initiative, params]
        if self._width > 2:
            context.extend([None] * (self._width - 2))
        try:
            return self._body(context)
        except _EvaluationError as exc:
            raise RuleFileError(
                f"evaluating {self.text!r} failed: {exc}",
                code="evaluation-error",
                expected="an expression defined for every known input",
            ) from None


def compile_tree(text: str, tree: Any) -> Compiled:
    """Closures for one parsed, checked expression; warns once if rule-engine must help."""
    compiler = _Compiler(text)
    body = compiler.build(tree)
    delegated = tuple(sorted(set(compiler.delegated)))
    if delegated and text not in _warned:
        _warned.add(text)
        warnings.warn(
            f"the compiled backend hands {', '.join(delegated)} in {text!r} to rule-engine's "
            "interpreter; results are the same, only slower",
            CompilerFallbackWarning,
            stacklevel=2,
        )
    return Compiled(text, body, compiler.slots, delegated)
