"""The compiled backend's fast path: one generated Python function per crisp typology.

Closures (`poletype._closures`) cost a call per node. This module writes the whole
typology's decision as Python functions, compiled once when the rule file loads: every
atom becomes statements over the model's attributes, and criteria and verdict become
inline Kleene combinations of the atoms' values. ``atoms``, ``decide`` and ``run`` share
the same statements.

The generated text never contains text from a rule file. Attribute names are the model's
field names, already checked against the model by rule-engine's type checker (and checked
again to be identifiers here); every literal, parameter name and criterion id is passed
in a tuple of constants and referenced by index; comprehension variables are renamed.

Most atoms are written three-valued (`_TriWriter`): ``None`` stands for ``UNKNOWN``, and
each construct mirrors its closure case by case, comprehensions with unknown elements or
unknown filters included, so unknown facts are decided without leaving the generated
code. Users classify incomplete dossiers: this is the case that has to be fast. Where a
closure could raise (arithmetic, a value it cannot hash), the statements evaluate at
least what it evaluates, and an error sends the atom to its closure, which reports it as
the reference backend does.

An atom the three-valued writer cannot translate gets a two-valued fast expression
(`_Writer`) that reads facts as if they were known. Reading an absent one raises
``_Absent``, and the atom is then decided by its closure. This is exact: when the fast
expression completes, every value it read was known, and on known values Kleene logic
and two-valued logic agree, short-circuits included. An atom using a construct neither
writer translates is always decided by its closure.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rule_engine import DataType, ast

from poletype._closures import (
    _as_interval_side,
    _decimal,
    _equal,
    _EvaluationError,
    is_params,
)
from poletype._interpreter import UNKNOWN, Interval, _compare_interval

Tri = bool | None


class _Absent(Exception):  # noqa: N818 - a signal, not an error
    """A fast expression read an unstated fact."""


class _Untranslatable(Exception):  # noqa: N818 - a signal, not an error
    """A construct the generator leaves to the closures."""


def _known(value: Any) -> Any:
    if value is None:
        raise _Absent
    if type(value) is float:
        return Decimal(repr(value))
    return value


def _absent() -> Any:
    raise _Absent


def _given(value: Any) -> Any:
    if value is None:
        raise _Absent
    return value


def _interval(kind: str, left: Any, right: Any) -> Tri:
    """A comparison with an interval side, as the closures decide it."""
    value = _compare_interval(kind, _as_interval_side(left), _as_interval_side(right))
    return None if value is UNKNOWN else bool(value)


_HELPERS: dict[str, Any] = {
    "_known": _known,
    "_absent": _absent,
    "_given": _given,
    "_eq": _equal,
    "_dec": _decimal,
    "_Refused": _EvaluationError,
    "_Absent": _Absent,
    "Decimal": Decimal,
    "Interval": Interval,
    "_interval": _interval,
}
_ORDER = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ARITH = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**"}


class _Emitter:
    """Where a writer puts literals (constants ``k{n}``) and its temporaries' names."""

    def __init__(self, constants: list[Any], prefix: str) -> None:
        self.constants = constants
        self.prefix = prefix
        self.counter = 0

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def temporary(self) -> str:
        self.counter += 1
        return f"_{self.prefix}t{self.counter}"


class _Writer(_Emitter):
    """Translates one expression tree to Python source over ``i`` (initiative), ``p``."""

    def __init__(self, constants: list[Any], prefix: str) -> None:
        super().__init__(constants, prefix)
        self.names: list[tuple[str, str]] = []
        self.in_iterable = False

    def write(self, node: Any, *, listed: bool = False) -> str:
        """Python source for ``node``; ``listed``: a list will do where a tuple is due."""
        if isinstance(node, ast.ComprehensionExpression):
            return self._comprehension(node, listed=listed)
        if isinstance(node, ast.LiteralExpressionBase):
            if isinstance(node, ast.SetExpression | ast.MappingExpression):
                raise _Untranslatable
            return self.constant(node.evaluate(None))
        if isinstance(node, ast.ArrayExpression):
            return "(" + "".join(self.write(m) + ", " for m in node.value) + ")"
        if isinstance(node, ast.SymbolExpression) and node.scope is None:
            for variable, renamed in reversed(self.names):
                if variable == node.name:
                    return renamed
            if node.name == "params":
                return "p"
            return self._read("i", node.name, node.result_type)
        if isinstance(node, ast.GetAttributeExpression):
            return self._attribute(node)
        if isinstance(node, ast.LogicExpression):
            op = "and" if node.type == "and" else "or"
            return f"(bool({self.write(node.left)}) {op} bool({self.write(node.right)}))"
        if isinstance(node, ast.UnaryExpression):
            if node.type == "not":
                return f"(not {self.write(node.right)})"
            return f"(-_dec({self.write(node.right)}))"
        if isinstance(node, ast.ContainsExpression):
            container_type = node.container.result_type
            if not DataType.is_type(container_type, DataType.ARRAY):
                raise _Untranslatable
            return f"({self.write(node.member)} in {self.write(node.container, listed=True)})"
        if isinstance(node, ast.TernaryExpression):
            return (
                f"({self.write(node.case_true)} if {self.write(node.condition)} "
                f"else {self.write(node.case_false)})"
            )
        if isinstance(node, ast.FuzzyComparisonExpression):
            raise _Untranslatable
        if isinstance(node, ast.ArithmeticComparisonExpression):
            if _same_scalar(node.left.result_type, node.right.result_type):
                left, right = self.write(node.left), self.write(node.right)
                return f"({left} {_ORDER[node.type]} {right})"
            raise _Untranslatable
        if isinstance(node, ast.ComparisonExpression):
            left, right = self.write(node.left), self.write(node.right)
            if _same_scalar(node.left.result_type, node.right.result_type):
                return f"({left} {'==' if node.type == 'eq' else '!='} {right})"
            return f"({'' if node.type == 'eq' else 'not '}_eq({left}, {right}))"
        if isinstance(node, ast.AddExpression | ast.SubtractExpression | ast.ArithmeticExpression):
            if node.left.result_type != DataType.FLOAT or node.right.result_type != DataType.FLOAT:
                raise _Untranslatable
            left, right = self.write(node.left), self.write(node.right)
            return f"(_dec({left}) {_ARITH[node.type]} _dec({right}))"
        raise _Untranslatable

    def _read(self, owner: str, name: str, result_type: Any) -> str:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise _Untranslatable
        if DataType.is_type(result_type, DataType.ARRAY):
            item = getattr(result_type, "value_type", None)
            if item == DataType.FLOAT or item is None:
                raise _Untranslatable
            return self._stated(f"{owner}.{name}")
        if result_type == DataType.FLOAT:
            return f"_known({owner}.{name})"
        if result_type in (DataType.BOOLEAN, DataType.STRING) or DataType.is_type(
            result_type, DataType.OBJECT
        ):
            return self._stated(f"{owner}.{name}")
        raise _Untranslatable

    def _stated(self, read: str) -> str:
        if self.in_iterable:
            return f"_given({read})"
        t = self.temporary()
        return f"({t} if ({t} := {read}) is not None else _absent())"

    def _attribute(self, node: Any) -> str:
        name = node.name
        if node._object_type is not None:
            if is_params(node.object, (v for v, _ in self.names)):
                return f"p[{self.constant(name)}]"
            return self._read(self.write(node.object), name, node.result_type)
        inner = node.object
        if (
            name == "length"
            and isinstance(inner, ast.GetAttributeExpression)
            and inner.name == "to_set"
            and inner._object_type is None
            and DataType.is_type(inner.object.result_type, DataType.ARRAY)
        ):
            return f"len(set({self.write(inner.object, listed=True)}))"
        if not DataType.is_type(inner.result_type, DataType.ARRAY):
            raise _Untranslatable
        if name == "length":
            return f"len({self.write(inner, listed=True)})"
        if name == "is_empty":
            return f"(len({self.write(inner, listed=True)}) == 0)"
        raise _Untranslatable

    def _comprehension(self, node: Any, *, listed: bool) -> str:
        outer, self.in_iterable = self.in_iterable, True
        iterable = self.write(node.iterable, listed=True)
        self.in_iterable = outer
        renamed = self.temporary() + "v"
        self.names.append((node.variable, renamed))
        result = self.write(node.result)
        condition = "" if node.condition is None else f" if {self.write(node.condition)}"
        self.names.pop()
        listing = f"[{result} for {renamed} in {iterable}{condition}]"
        return listing if listed else f"tuple({listing})"


def _same_scalar(left: Any, right: Any) -> bool:
    return left == right and left in (DataType.BOOLEAN, DataType.STRING, DataType.FLOAT)


@dataclass(frozen=True)
class _Code:
    """A translated sub-expression: Python source, what it can hold, whether it may be unknown.

    The value is ``None`` when the closure's value is ``UNKNOWN``, else the closure's value
    (a number may be an ``int`` where the closure has the equal ``Decimal``: the closures
    compare, hash and convert them alike). ``kind`` says which: ``bool``, ``str``, ``num``,
    ``array`` (a list or tuple of known elements, of kind ``item``), ``object`` (a model
    instance), ``range`` (a ``num`` that may also be an ``Interval``) or ``any`` (known, of
    a type not tracked). ``owner`` marks an object whose attributes are read into
    temporaries of comprehension scope ``owner`` (-1: the function's prologue).
    """

    text: str
    kind: str
    known: bool = False
    item: str = "any"
    owner: int | None = None
    bounds: tuple[str, str] | None = None


_KINDS = {DataType.BOOLEAN: "bool", DataType.STRING: "str", DataType.FLOAT: "num"}
_SAME = ("bool", "str", "num")


def _kind_of(result_type: Any) -> tuple[str, str]:
    """The kind of a value read from the model or the parameters, and of its elements."""
    if result_type in _KINDS:
        return _KINDS[result_type], "any"
    if DataType.is_type(result_type, DataType.ARRAY):
        item = getattr(result_type, "value_type", None)
        if item in _KINDS:
            return "array", _KINDS[item]
        if item is not None and DataType.is_type(item, DataType.OBJECT):
            return "array", "object"
        return "array", "any"
    if DataType.is_type(result_type, DataType.OBJECT):
        return "object", "any"
    raise _Untranslatable


class _Prologue:
    """Reads of the initiative and the parameters, done once per call for every atom.

    Reading an attribute cannot fail and has no effect, so a read some short-circuit would
    have skipped costs a few nanoseconds and changes nothing.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.reads: dict[tuple[str, str], _Code] = {}


class _Loop:
    """A comprehension being written: its variable, and the reads of it hoisted to its top."""

    def __init__(self, variable: str, code: _Code, depth: int) -> None:
        self.variable = variable
        self.code = code
        self.lines: list[str] = []
        self.reads: dict[tuple[str, str], _Code] = {}
        self.depth = depth


class _TriWriter(_Emitter):
    """Translates one atom to statements computing its closure's value, unknowns included.

    Each construct mirrors its closure in `poletype._closures` case by case. Where a
    closure could raise (arithmetic, and what a translated node cannot rule out), the
    statements evaluate at least what the closure evaluates, so that they raise too and
    the atom goes to its closure; ``total`` records whether anything written can raise.
    """

    def __init__(self, constants: list[Any], prologue: _Prologue, prefix: str) -> None:
        super().__init__(constants, prefix)
        self.prologue = prologue
        self.lines: list[str] = []
        self.depth = 0
        self.loops: list[_Loop] = []
        self.total = True

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def bind(self, code: _Code) -> _Code:
        """The value in a variable, so that using it twice evaluates it once."""
        if code.text.isidentifier():
            return code
        t = self.temporary()
        self.emit(f"{t} = {code.text}")
        return _Code(t, code.kind, code.known, code.item, code.owner)

    # -- values ------------------------------------------------------------------------

    def value(self, node: Any) -> _Code:
        if isinstance(node, ast.ArrayExpression):
            if not all(isinstance(m, ast.LiteralExpressionBase) for m in node.value):
                raise _Untranslatable
            values = tuple(m.evaluate(None) for m in node.value)
            if not all(type(v) in (str, bool, Decimal) for v in values):
                raise _Untranslatable
            kinds = {_kind_of_constant(v) for v in values}
            item = kinds.pop() if len(kinds) == 1 else "any"
            return _Code(self.constant(values), "array", known=True, item=item)
        if isinstance(node, ast.LiteralExpressionBase):
            if isinstance(node, ast.SetExpression | ast.MappingExpression):
                raise _Untranslatable
            value = node.evaluate(None)
            if type(value) not in (str, bool, Decimal):
                raise _Untranslatable
            return _Code(self.constant(value), _kind_of_constant(value), known=True)
        if isinstance(node, ast.SymbolExpression) and node.scope is None:
            for loop in reversed(self.loops):
                if loop.variable == node.name:
                    return loop.code
            if node.name == "params":
                raise _Untranslatable
            return self._read(_Code("i", "object", known=True, owner=-1), node.name, node)
        if isinstance(node, ast.GetAttributeExpression):
            return self._attribute(node)
        if isinstance(node, ast.LogicExpression):
            return self._logic(node)
        if isinstance(node, ast.UnaryExpression):
            return self._unary(node)
        if isinstance(node, ast.ContainsExpression):
            return self._contains(node)
        if isinstance(node, ast.TernaryExpression):
            return self._ternary(node)
        if isinstance(node, ast.FuzzyComparisonExpression):
            raise _Untranslatable
        if isinstance(node, ast.ArithmeticComparisonExpression | ast.ComparisonExpression):
            return self._comparison(node)
        if isinstance(node, ast.AddExpression | ast.SubtractExpression | ast.ArithmeticExpression):
            return self._arithmetic(node)
        raise _Untranslatable

    def truth(self, code: _Code) -> _Code:
        """``truth`` of the closures: ``None`` for unknown and intervals, else ``bool``."""
        if code.kind == "bool":
            return code
        code = self.bind(self._unbound(code))
        if code.kind == "range":
            x = code.text
            text = f"(None if {x} is None or type({x}) is Interval else bool({x}))"
        elif code.known:
            text = f"bool({code.text})"
        else:
            text = f"(None if {code.text} is None else bool({code.text}))"
        return _Code(text, "bool", known=code.known and code.kind != "range")

    def _read(self, owner: _Code, name: str, node: Any) -> _Code:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise _Untranslatable
        if owner.kind != "object" or owner.owner is None:
            raise _Untranslatable
        kind, item = _kind_of(node.result_type)
        if kind == "array" and item not in ("str", "bool", "object"):
            raise _Untranslatable
        place: _Prologue | _Loop = self.prologue if owner.owner < 0 else self.loops[owner.owner]
        key = (owner.text, name)
        found = place.reads.get(key)
        if found is not None:
            return found
        t = f"_r{len(self.prologue.reads)}" if owner.owner < 0 else self.temporary()
        read = f"{owner.text}.{name}"
        place.lines.append(
            f"{t} = {read}" if owner.known else f"{t} = None if {owner.text} is None else {read}"
        )
        if kind == "num":
            place.lines.append(f"if type({t}) is float: {t} = Decimal(repr({t}))")
        code = _Code(t, kind, item=item, owner=owner.owner if kind == "object" else None)
        place.reads[key] = code
        return code

    def _attribute(self, node: Any) -> _Code:
        name = node.name
        if node._object_type is not None:
            if is_params(node.object, (loop.variable for loop in self.loops)):
                return self._parameter(name, node.result_type)
            return self._read(self.value(node.object), name, node)
        inner = node.object
        if (
            name == "length"
            and isinstance(inner, ast.GetAttributeExpression)
            and inner.name == "to_set"
            and inner._object_type is None
        ):
            if isinstance(inner.object, ast.ComprehensionExpression):
                return self._comprehension(inner.object, "distinct")
            return self._builtin(self.value(inner.object), "len(set({}))")
        if name not in ("length", "is_empty"):
            raise _Untranslatable
        if isinstance(inner, ast.ComprehensionExpression):
            return self._comprehension(inner, name)
        return self._builtin(self.value(inner), "len({})" if name == "length" else "(len({}) == 0)")

    def _parameter(self, name: str, result_type: Any) -> _Code:
        key = ("p", name)
        found = self.prologue.reads.get(key)
        if found is None:
            try:
                kind, item = _kind_of(result_type)
            except _Untranslatable:
                kind, item = "any", "any"
            if kind == "object":
                kind = "any"
            if item not in ("str", "bool"):
                # Parameter arrays are not converted: a number in one is not a Decimal.
                item = "any"
            t = f"_r{len(self.prologue.reads)}"
            self.prologue.lines.append(f"{t} = p[{self.constant(name)}]")
            found = self.prologue.reads[key] = _Code(t, kind, known=True, item=item)
        return found

    def _builtin(self, code: _Code, pattern: str) -> _Code:
        distinct = "set" in pattern
        if code.kind == "array":
            if distinct and code.item not in _SAME:
                raise _Untranslatable
        elif code.kind != "str" or distinct:
            raise _Untranslatable
        code = self.bind(code)
        text = pattern.format(code.text)
        kind = "num" if pattern.startswith("len") else "bool"
        if code.known:
            return _Code(text, kind, known=True)
        return _Code(f"(None if {code.text} is None else {text})", kind)

    # -- logic -------------------------------------------------------------------------

    def _logic(self, node: Any) -> _Code:
        a = self.bind(self.truth(self.value(node.left)))
        result = self.temporary()
        conjunction = node.type == "and"
        self.emit(f"if {a.text} is {'False' if conjunction else 'True'}:")
        self.emit(f"    {result} = {'False' if conjunction else 'True'}")
        self.emit("else:")
        self.depth += 1
        b = self.bind(self.truth(self.value(node.right)))
        if conjunction:
            self.emit(
                f"{result} = {b.text} if {a.text} is True else "
                f"(False if {b.text} is False else None)"
            )
        else:
            self.emit(
                f"{result} = {b.text} if {a.text} is False else "
                f"(True if {b.text} is True else None)"
            )
        self.depth -= 1
        return _Code(result, "bool")

    def _unary(self, node: Any) -> _Code:
        right = self.value(node.right)
        if node.type == "not":
            a = self.bind(self.truth(right))
            if a.known:
                return _Code(f"(not {a.text})", "bool", known=True)
            return _Code(f"(None if {a.text} is None else not {a.text})", "bool")
        if right.kind != "num":
            raise _Untranslatable
        a = self.bind(right)
        if a.known:
            return _Code(f"(-_dec({a.text}))", "num", known=True)
        return _Code(f"(None if {a.text} is None else -_dec({a.text}))", "num")

    def _ternary(self, node: Any) -> _Code:
        condition = self.bind(self.truth(self.value(node.condition)))
        yes, no, result = self.temporary(), self.temporary(), self.temporary()
        kinds = []
        for branch, target, skip in ((node.case_true, yes, "False"), (node.case_false, no, "True")):
            self.emit(f"if {condition.text} is not {skip}:")
            self.depth += 1
            code = self.value(branch)
            if code.kind not in (*_SAME, "object", "any"):
                raise _Untranslatable
            kinds.append(code.kind)
            self.emit(f"{target} = {code.text}")
            self.depth -= 1
        same = kinds[0] == kinds[1] and kinds[0] in _SAME
        equal = f"{yes} == {no}" if same else f"_eq({yes}, {no})"
        self.emit(
            f"{result} = {yes} if {condition.text} is True else ({no} if {condition.text} is False "
            f"else ({yes} if {yes} is not None and {no} is not None and {equal} else None))"
        )
        return _Code(result, kinds[0] if kinds[0] == kinds[1] else "any")

    # -- comparisons and arithmetic ------------------------------------------------------

    def _operand(self, node: Any) -> _Code:
        """A comparison's operand; a comprehension's count comes with its bounds."""
        if isinstance(node, ast.GetAttributeExpression) and node._object_type is None:
            inner = node.object
            if node.name == "length" and isinstance(inner, ast.ComprehensionExpression):
                return self._comprehension(inner, "length", bounded=True)
            if (
                node.name == "length"
                and isinstance(inner, ast.GetAttributeExpression)
                and inner.name == "to_set"
                and inner._object_type is None
                and isinstance(inner.object, ast.ComprehensionExpression)
            ):
                return self._comprehension(inner.object, "distinct", bounded=True)
        return self.bind(self.value(node))

    def _unbound(self, code: _Code) -> _Code:
        """A bounded count as the closures have it: a number or an ``Interval``."""
        if code.bounds is None:
            return code
        high, unsure = code.bounds
        t = self.temporary()
        self.emit(
            f"{t} = Interval(Decimal({code.text}), Decimal({high})) if {unsure} else {code.text}"
        )
        return _Code(t, "range")

    def _comparison(self, node: Any) -> _Code:
        kind = node.type
        left = self._operand(node.left)
        if kind in ("eq", "ne") and isinstance(node.right, ast.LiteralExpressionBase):
            constant = node.right.evaluate(None)
            if type(constant) in (str, bool):
                return self._against_constant(self._unbound(left), constant, kind == "ne")
        right = self._operand(node.right)
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        op = "==" if kind == "eq" else "!=" if kind == "ne" else _ORDER.get(kind)
        if (left.bounds is None) != (right.bounds is None) and {left.kind, right.kind} == {
            "range",
            "num",
        }:
            plain = f"{left.text} {op} {right.text}"
            if unknown:
                plain = f"None if {unknown} else {plain}"
            counted, number = (left, right) if left.bounds else (right, left)
            flipped = kind if left.bounds else _FLIP[kind]
            assert counted.bounds is not None
            high, unsure = counted.bounds
            yes, no = _between(flipped, counted.text, high, number.text)
            decided = f"True if {yes} else (False if {no} else None)"
            if not number.known:
                decided = f"None if {number.text} is None else ({decided})"
            return _Code(f"(({decided}) if {unsure} else ({plain}))", "bool")
        left, right = self._unbound(left), self._unbound(right)
        if "range" in (left.kind, right.kind):
            if {left.kind, right.kind} - {"range", "num"} or op is None:
                raise _Untranslatable
            interval = " or ".join(
                f"type({c.text}) is Interval" for c in (left, right) if c.kind == "range"
            )
            plain = f"{left.text} {op} {right.text}"
            if unknown:
                plain = f"None if {unknown} else {plain}"
            compared = f"_interval({self.constant(kind)}, {left.text}, {right.text})"
            return _Code(f"({compared} if {interval} else ({plain}))", "bool")
        if "array" in (left.kind, right.kind) or op is None:
            raise _Untranslatable
        if kind in ("eq", "ne"):
            if left.kind == right.kind and left.kind in _SAME:
                test = f"{left.text} {op} {right.text}"
            else:
                test = f"{'' if kind == 'eq' else 'not '}_eq({left.text}, {right.text})"
        elif left.kind == right.kind and left.kind in _SAME:
            test = f"{left.text} {op} {right.text}"
        else:
            raise _Untranslatable
        if not unknown:
            return _Code(f"({test})", "bool", known=True)
        return _Code(f"(None if {unknown} else ({test}))", "bool")

    def _against_constant(self, left: _Code, constant: Any, negate: bool) -> _Code:
        k = self.constant(constant)
        op = "!=" if negate else "=="
        if left.kind == _kind_of_constant(constant):
            test = f"{left.text} {op} {k}"
        elif left.kind in ("bool", "str", "num"):
            test = str(negate)
        elif left.kind in ("object", "any"):
            test = f"(({left.text} {op} {k}) if type({left.text}) is type({k}) else {negate})"
        else:
            raise _Untranslatable
        if left.known:
            return _Code(f"({test})", "bool", known=True)
        return _Code(f"(None if {left.text} is None else ({test}))", "bool")

    def _arithmetic(self, node: Any) -> _Code:
        left, right = self.bind(self.value(node.left)), self.bind(self.value(node.right))
        if left.kind == right.kind == "str" and node.type == "add":
            value = f"{left.text} + {right.text}"
        elif left.kind == right.kind == "num":
            self.total = False
            value = f"_dec({left.text}) {_ARITH[node.type]} _dec({right.text})"
        else:
            raise _Untranslatable
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        if not unknown:
            return _Code(f"({value})", left.kind, known=True)
        return _Code(f"(None if {unknown} else ({value}))", left.kind)

    # -- containment and comprehensions ---------------------------------------------------

    def _contains(self, node: Any) -> _Code:
        if isinstance(node.container, ast.ComprehensionExpression):
            return self._comprehension(node.container, "in", node.member)
        box = self.bind(self.value(node.container))
        item = self.bind(self.value(node.member))
        if box.kind != "array" or item.kind not in (*_SAME, "object", "any"):
            raise _Untranslatable
        test = f"False if not {box.text} else " if not item.known else ""
        test += (
            f"{item.text} in {box.text}"
            if item.known
            else (f"(None if {item.text} is None else {item.text} in {box.text})")
        )
        if box.known and item.known:
            return _Code(f"({test})", "bool", known=True)
        if box.known:
            return _Code(f"({test})", "bool")
        return _Code(f"(None if {box.text} is None else ({test}))", "bool")

    def _comprehension(
        self, node: Any, use: str, member: Any = None, *, bounded: bool = False
    ) -> _Code:
        """A comprehension consumed in one loop: ``in``, ``length``, ``is_empty``, ``distinct``.

        The closure builds the whole array, an element of which is ``Maybe`` when the
        filter is unknown for it; the loop keeps only what its consumer needs of it, and
        stops at the first match when nothing it skips could raise. ``bounded``: a count
        compared with a number gives its bounds instead of an ``Interval``, the comparison
        deciding from them without building one.
        """
        iterable = self.bind(self.value(node.iterable))
        if iterable.kind != "array" or iterable.item not in (*_SAME, "object", "any"):
            raise _Untranslatable
        item = None
        if use == "in":
            item = self.bind(self.value(member))
            if item.kind not in (*_SAME, "object", "any"):
                raise _Untranslatable
        names = _Names(*(self.temporary() for _ in range(6)))
        self._start(use, names, iterable, filtered=node.condition is not None, bounded=bounded)
        outer_total, self.total = self.total, True
        variable = self.temporary() + "v"
        head = len(self.lines)
        self.emit(f"for {variable} in {iterable.text}:")
        self.depth += 1
        mark = len(self.lines)
        code = _Code(variable, iterable.item, known=True, owner=len(self.loops))
        loop = _Loop(node.variable, code, self.depth)
        self.loops.append(loop)
        keep = None
        if node.condition is not None:
            keep = self.bind(self.truth(self.value(node.condition)))
            self.emit(f"if {keep.text} is False: continue")
        lines_mark, reads_mark = len(self.lines), (len(loop.lines), dict(loop.reads))
        keep_total, self.total = self.total, True
        value = self.bind(self.value(node.result))
        if value.kind not in (*_SAME, "object", "any", "range"):
            raise _Untranslatable
        if use in ("length", "is_empty") and self.total:
            # The count does not need the values, and computing them cannot raise.
            del self.lines[lines_mark:]
            del loop.lines[reads_mark[0] :]
            loop.reads = reads_mark[1]
        if use == "distinct" and value.kind not in _SAME:
            self.total = False  # an unhashable value: the closure's set raises
        total = self.total = keep_total and self.total
        self._step(use, names, keep=keep, value=value, item=item, total=total)
        self.loops.pop()
        self.lines[mark:mark] = ["    " * self.depth + line for line in loop.lines]
        self.depth -= 1
        if self.lines[head + 1 :] == ["    " * (self.depth + 1) + f"{names.count} += 1"]:
            # Nothing to compute per element: the length is the iterable's.
            del self.lines[head:]
            self.emit(f"{names.count} = len({iterable.text})")
        kind = self._finish(use, names, filtered=keep is not None, bounded=bounded)
        if not iterable.known:
            self.depth -= 1
        self.total = outer_total and total
        if bounded and kind == "range":
            return _Code(names.result, kind, bounds=(names.high, names.unsure))
        return _Code(names.result, kind)

    def _start(
        self, use: str, names: _Names, iterable: _Code, *, filtered: bool, bounded: bool
    ) -> None:
        """An unknown array's comprehension is unknown; else the consumer's starting values."""
        if not iterable.known:
            self.emit(f"if {iterable.text} is None:")
            self.emit(f"    {names.result} = None")
            if bounded:
                self.emit(f"    {names.high} = {names.unsure} = 0")
            self.emit("else:")
            self.depth += 1
        if use in ("length", "is_empty"):
            self.emit(f"{names.count} = 0")
            if filtered:
                self.emit(f"{names.maybe} = 0")
        elif use == "distinct":
            self.emit(f"{names.certain} = set()")
            if filtered:
                self.emit(f"{names.possible} = set()")
            self.emit(f"{names.maybe} = 0")
        else:
            self.emit(f"{names.result} = False")
            self.emit(f"{names.maybe} = False")

    def _step(
        self,
        use: str,
        names: _Names,
        *,
        keep: _Code | None,
        value: _Code,
        item: _Code | None,
        total: bool,
    ) -> None:
        """One kept element: an element whose filter is unknown is the closure's ``Maybe``."""
        uncertain = f"{value.text} is None"
        if value.known:
            uncertain = "False"
        elif value.kind == "range":
            uncertain = f"({value.text} is None or type({value.text}) is Interval)"
        if use in ("length", "is_empty"):
            if keep is None:
                self.emit(f"{names.count} += 1")
            else:
                self.emit(f"if {keep.text} is True:")
                self.emit(f"    {names.count} += 1")
                self.emit("else:")
                self.emit(f"    {names.maybe} += 1")
        elif use == "distinct":
            self.emit(f"if {uncertain}:")
            self.emit(f"    {names.maybe} += 1")
            self.emit("else:")
            if keep is None:
                self.emit(f"    {names.certain}.add({value.text})")
            else:
                self.emit(f"    {names.possible}.add({value.text})")
                self.emit(f"    if {keep.text} is True:")
                self.emit(f"        {names.certain}.add({value.text})")
        else:
            assert item is not None
            if not item.known:
                # An unknown item is not in an empty array, and unknown to be in another.
                self.emit(f"if {item.text} is None:")
                self.emit(f"    {names.result} = None")
                self.emit("    break" if total else "    continue")
            found = f"{names.result} = True; break" if total else f"{names.result} = True"
            if keep is not None:
                self.emit(f"if {keep.text} is None:")
                self.emit(f"    if {uncertain} or {value.text} == {item.text}:")
                self.emit(f"        {names.maybe} = True")
                self.emit(f"elif {uncertain}:")
            else:
                self.emit(f"if {uncertain}:")
            self.emit(f"    {names.maybe} = True")
            self.emit(f"elif {value.text} == {item.text}:")
            self.emit(f"    {found}")

    def _finish(self, use: str, names: _Names, *, filtered: bool, bounded: bool) -> str:
        """The consumer's value from what the loop kept; returns its kind."""
        result, count, maybe = names.result, names.count, names.maybe
        if use == "length" and not filtered:
            self.emit(f"{result} = {count}")
            if bounded:
                self.emit(f"{names.high} = {names.unsure} = 0")
            return "num"
        if use == "length":
            if bounded:
                self.emit(f"{result} = {count}")
                self.emit(f"{names.high} = {count} + {maybe}")
                self.emit(f"{names.unsure} = {maybe}")
            else:
                self.emit(
                    f"{result} = {count} if not {maybe} else "
                    f"Interval(Decimal({count}), Decimal({count} + {maybe}))"
                )
            return "range"
        if use == "is_empty":
            tail = f"(None if {maybe} else True)" if filtered else "True"
            self.emit(f"{result} = False if {count} else {tail}")
            return "bool"
        if use == "distinct":
            self.emit(f"{count} = len({names.certain})")
            self.emit(
                f"{names.high} = len({names.possible if filtered else names.certain}) + {maybe}"
            )
            if bounded:
                self.emit(f"{result} = {count}")
                self.emit(f"{names.unsure} = {count} != {names.high}")
            else:
                self.emit(
                    f"{result} = {count} if {count} == {names.high} else "
                    f"Interval(Decimal({count}), Decimal({names.high}))"
                )
            return "range"
        self.emit(f"if {result} is False and {maybe}:")
        self.emit(f"    {result} = None")
        return "bool"


@dataclass(frozen=True)
class _Names:
    """A comprehension loop's variables: its value and what it counts or collects."""

    result: str
    count: str
    maybe: str
    certain: str
    possible: str
    high: str

    @property
    def unsure(self) -> str:
        return self.high + "u"


_FLIP = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


def _between(kind: str, low: str, high: str, number: str) -> tuple[str, str]:
    """When ``[low, high] <kind> number`` is certainly true, and certainly false.

    The cases of `poletype._interpreter._compare_interval`, for an interval on the left.
    """
    outside = f"({high} < {number} or {low} > {number})"
    single = f"{low} == {high} == {number}"
    return {
        "gt": (f"{low} > {number}", f"{high} <= {number}"),
        "ge": (f"{low} >= {number}", f"{high} < {number}"),
        "lt": (f"{high} < {number}", f"{low} >= {number}"),
        "le": (f"{high} <= {number}", f"{low} > {number}"),
        "eq": (single, outside),
        "ne": (outside, single),
    }[kind]


def _kind_of_constant(value: Any) -> str:
    if type(value) is bool:
        return "bool"
    if type(value) is str:
        return "str"
    return "num"


def atom_source(tree: Any, constants: list[Any], prefix: str = "") -> str | None:
    """The fast Python expression of one boolean atom, or ``None`` if it stays a closure."""
    mark = len(constants)
    try:
        source = _Writer(constants, prefix).write(tree)
    except _Untranslatable:
        del constants[mark:]
        return None
    return source if tree.result_type == DataType.BOOLEAN else f"bool({source})"


Atoms = Callable[[Any, dict[str, Any]], tuple[Tri, ...]]
Decide = Callable[[Any, dict[str, Any]], tuple[dict[str, Tri], Tri]]
Run = Callable[[Any, dict[str, Any]], tuple[tuple[Tri, ...], dict[str, Tri], Tri]]


@dataclass(frozen=True)
class Generated:
    """A crisp typology's generated functions.

    ``atoms`` gives every atom's value, in the order given; ``decide`` gives the
    criteria's values by id and the verdict condition's value; ``run`` gives all three
    at once, for a caller that would otherwise pay for the atoms twice.
    """

    atoms: Atoms
    decide: Decide
    run: Run
    source: str


def _atom_block(
    n: int, tree: Any, constants: list[Any], prologue: _Prologue
) -> tuple[list[str], bool]:
    """Statements setting ``a{n}``; whether they are three-valued, with no ``_Absent`` path."""
    mark, lines_mark, reads = len(constants), len(prologue.lines), dict(prologue.reads)
    writer = _TriWriter(constants, prologue, f"a{n}")
    try:
        code = writer.truth(writer.value(tree))
    except _Untranslatable:
        del constants[mark:]
        del prologue.lines[lines_mark:]
        prologue.reads = reads
    else:
        writer.emit(f"a{n} = {code.text}")
        if writer.total:
            return writer.lines, True
        return [
            "try:",
            *(f"    {line}" for line in writer.lines),
            "except (_Refused, ArithmeticError, TypeError):",
            f"    a{n} = F[{n}](i, p)",
        ], True
    source = atom_source(tree, constants, prefix=f"a{n}")
    if source is None:
        return [f"a{n} = F[{n}](i, p)"], False
    return [
        "try:",
        f"    a{n} = {source}",
        "except (_Absent, _Refused, ArithmeticError, TypeError):",
        f"    a{n} = F[{n}](i, p)",
    ], False


def generate(
    atoms: list[tuple[Any, Callable[[Any, dict[str, Any]], Tri]]],
    criteria: list[tuple[str, Any]],
    verdict: Any,
) -> Generated:
    """Write and compile the typology's functions.

    ``atoms`` pairs each atom's parsed tree with its closure (the three-valued fallback);
    ``criteria`` pairs each criterion id with its condition tree, whose leaves are the
    atoms in the same order; ``verdict`` is the verdict tree over criterion ids.
    """
    constants: list[Any] = []
    fallbacks = [closure for _, closure in atoms]
    prologue = _Prologue()
    body: list[str] = []
    for n, (tree, _) in enumerate(atoms):
        body += _atom_block(n, tree, constants, prologue)[0]
    body[:0] = prologue.lines
    kleene = _Kleene()
    leaves = iter(range(len(atoms)))
    names = []
    for n, (_, condition) in enumerate(criteria):
        body.append(f"c{n} = {kleene.condition(condition, leaves, body)}")
        names.append(f"c{n}")
    outcome = kleene.verdict(verdict, {cid: f"c{n}" for n, (cid, _) in enumerate(criteria)}, body)
    every_atom = "(" + "".join(f"a{n}, " for n in range(len(atoms))) + ")"
    # The ids are rule-file text: the dictionary's keys are names bound to them, ``I{n}``.
    statuses = "{" + ", ".join(f"I{n}: {c}" for n, c in enumerate(names)) + "}"
    lines = [f"k{n} = K[{n}]" for n in range(len(constants))]
    lines += [f"I{n} = IDS[{n}]" for n in range(len(criteria))]
    # One body, compiled once (a third of the load time of a typology's generated code):
    # ``atoms`` and ``decide`` take their part of what ``run`` returns.
    lines += ["def run(i, p):", *(f"    {line}" for line in body)]
    lines.append(f"    return {every_atom}, {statuses}, {outcome}")
    lines += ["def atoms(i, p):", "    return run(i, p)[0]"]
    lines += [
        "def decide(i, p):",
        "    _, statuses, outcome = run(i, p)",
        "    return statuses, outcome",
    ]
    source = "\n".join(lines)
    namespace: dict[str, Any] = {
        **_HELPERS,
        "K": tuple(constants),
        "F": tuple(fallbacks),
        "IDS": tuple(cid for cid, _ in criteria),
    }
    # Generated from checked trees: no text from a rule file is in ``source``.
    exec(compile(source, "<poletype generated>", "exec"), namespace)
    return Generated(
        atoms=namespace["atoms"], decide=namespace["decide"], run=namespace["run"], source=source
    )


class _Kleene:
    """Statements combining three-valued values, each node into a fresh variable."""

    def __init__(self) -> None:
        self.count = 0

    def _combine(self, op: str, values: list[str], body: list[str]) -> str:
        self.count += 1
        name = f"_k{self.count}"
        if op == "not":
            (value,) = values
            body.append(f"{name} = None if {value} is None else not {value}")
        elif op == "all":
            false = " or ".join(f"{v} is False" for v in values) or "False"
            true = " and ".join(f"{v} is True" for v in values) or "True"
            body.append(f"{name} = False if ({false}) else (True if ({true}) else None)")
        else:
            true = " or ".join(f"{v} is True" for v in values) or "False"
            false = " and ".join(f"{v} is False" for v in values) or "True"
            body.append(f"{name} = True if ({true}) else (False if ({false}) else None)")
        return name

    def condition(self, node: Any, leaves: Iterator[int], body: list[str]) -> str:
        if node.atom is not None:
            return f"a{next(leaves)}"
        values = [self.condition(child, leaves, body) for child in node.children]
        return self._combine(node.op, values, body)

    def verdict(self, node: Any, index: dict[str, str], body: list[str]) -> str:
        if node.criterion is not None:
            return index[node.criterion]
        values = [self.verdict(child, index, body) for child in node.children]
        return self._combine(node.op, values, body)
