"""The compiled backend: rule-engine's parsed trees written as Python functions.

rule-engine's interpreter spends its time coercing every value it reads and rebuilding
type objects on each access. The grammar, the parser and the load-time type checks are
worth keeping; the evaluation loop is not. This module writes expressions as Python
statements over the `Initiative` model's attributes, compiled once:

- every expression gets a function computing the reference backend's value
  (`poletype._engine.interpreter`), written when first called (`Compiled`): graded indicators,
  descriptors, justification placeholders, ``missing`` and "what it would take" use it;
- a crisp typology gets one function deciding every atom, criterion and the verdict
  condition in one call (`generate`), written when the rule file loads.

The generated text never contains text from a rule file. Attribute names are the model's
field names, already checked against the model by rule-engine's type checker (and checked
again to be identifiers here); every literal, parameter name and criterion id is passed
in a tuple of constants and referenced by index; comprehension variables are renamed.

Values are three-valued: ``None`` stands for ``UNKNOWN``, and each construct computes what
the reference walker computes, comprehensions with unknown elements or unknown filters
included, so incomplete dossiers (what users classify) are decided without leaving the
generated code. Known values follow rule-engine's semantics: numbers are ``Decimal`` (array
lengths stay ``int``, which Python compares and hashes like the equal ``Decimal``), ``==``
is type-strict, ordered comparison of mismatched types is an error.

What the writer does not translate is evaluated by the reference backend itself, with
the same result, only slower; an expression using a construct that rule-engine evaluates
node by node (bitwise operators, slices, built-in attributes other than ``length``,
``is_empty`` and ``to_set``) is reported once with `CompilerFallbackWarning`. Where the
statements could raise (arithmetic, a value they cannot hash), they evaluate at least what
the reference evaluates, and an error hands the expression to the reference, which
reports it (``evaluation-error``) or decides it.
"""

from __future__ import annotations

import keyword
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from poletype._engine.interpreter import (
    UNKNOWN,
    Interval,
    Root,
    arith_interval,
    compare_interval,
    interpret_atom,
    interpret_value,
)
from poletype._engine.syntax import DataType, constant, is_field, scan
from poletype._engine.syntax import kind as construct

Tri = bool | None


class CompilerFallbackWarning(UserWarning):
    """An expression uses a construct the compiled backend hands to rule-engine."""


class _Refused(Exception):  # noqa: N818 - a signal, not an error
    """A known-input evaluation that rule-engine would refuse (type mismatch, division by zero)."""


class _Untranslatable(Exception):  # noqa: N818 - a signal, not an error
    """A construct the writer leaves to the reference backend."""


def is_params(node: Any, variables: Iterable[str]) -> bool:
    """Whether ``node`` reads the rule file's ``params``, not a comprehension variable."""
    return (
        construct(node) == "symbol"
        and node.name == "params"
        and all(variable != "params" for variable in variables)
    )


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is Decimal or kind is int


def _equal(left: Any, right: Any) -> bool:
    """rule-engine's ``==``: type-strict, but an ``int`` length equals the same ``Decimal``."""
    if type(left) is type(right):
        return bool(left == right)
    return _is_number(left) and _is_number(right) and left == right


def _decimal(value: Any) -> Decimal:
    if type(value) is Decimal:
        return value
    if type(value) is int:
        return Decimal(value)
    raise _Refused("data type mismatch (not a numeric value)")


def _as_interval_side(value: Any) -> Any:
    return Decimal(value) if type(value) is int else value


def _interval(kind: str, left: Any, right: Any) -> Tri:
    """A comparison with an interval side, as the reference decides it."""
    value = compare_interval(kind, _as_interval_side(left), _as_interval_side(right))
    return None if value is UNKNOWN else bool(value)


def _interval_arith(kind: str, left: Any, right: Any) -> Any:
    """Arithmetic with an interval side, as the reference computes it (``None``: unknown)."""
    value = arith_interval(kind, _as_interval_side(left), _as_interval_side(right))
    return None if value is UNKNOWN else value


def _number_out(value: Any) -> Any:
    """A number, count or interval as the reference returns it: ``Decimal`` or ``Interval``."""
    if value is None:
        return UNKNOWN
    return Decimal(value) if type(value) is int else value


_HELPERS: dict[str, Any] = {
    "_eq": _equal,
    "_dec": _decimal,
    "_Refused": _Refused,
    "Decimal": Decimal,
    "Interval": Interval,
    "UNKNOWN": UNKNOWN,
    "_interval": _interval,
    "_interval_arith": _interval_arith,
    "_number_out": _number_out,
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


@dataclass(frozen=True)
class _Code:
    """A translated sub-expression: Python source, what it can hold, whether it may be unknown.

    The value is ``None`` when the reference's value is ``UNKNOWN``, else the reference's
    value (a number may be an ``int`` where the reference has the equal ``Decimal``: they
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
    """Translates one expression to statements computing the reference's value, unknowns included.

    Each construct mirrors the reference walker (`poletype._engine.interpreter`) case by case.
    Where the reference could raise (arithmetic, and what a translated node cannot rule
    out), the statements evaluate at least what it evaluates, so that they raise too and
    the expression goes to the reference; ``total`` records whether anything written can
    raise.
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
        """The code of one node, by its construct (`poletype._engine.syntax.kind`)."""
        write = _WRITE.get(construct(node))
        if write is None:
            raise _Untranslatable
        return write(self, node)

    def _array(self, node: Any) -> _Code:
        if not all(construct(m) == "literal" for m in node.value):
            raise _Untranslatable
        values = tuple(constant(m) for m in node.value)
        if not all(type(v) in (str, bool, Decimal) for v in values):
            raise _Untranslatable
        kinds = {_kind_of_constant(v) for v in values}
        item = kinds.pop() if len(kinds) == 1 else "any"
        return _Code(self.constant(values), "array", known=True, item=item)

    def _literal(self, node: Any) -> _Code:
        value = constant(node)
        if type(value) not in (str, bool, Decimal):
            raise _Untranslatable
        return _Code(self.constant(value), _kind_of_constant(value), known=True)

    def _symbol(self, node: Any) -> _Code:
        for loop in reversed(self.loops):
            if loop.variable == node.name:
                return loop.code
        if node.name == "params":
            raise _Untranslatable
        return self._read(_Code("i", "object", known=True, owner=-1), node.name, node)

    def truth(self, code: _Code) -> _Code:
        """``truth`` of the reference: ``None`` for unknown and intervals, else ``bool``."""
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
        if is_field(node):
            if is_params(node.object, (loop.variable for loop in self.loops)):
                return self._parameter(name, node.result_type)
            return self._read(self.value(node.object), name, node)
        inner = node.object
        if (
            name == "length"
            and construct(inner) == "attribute"
            and inner.name == "to_set"
            and not is_field(inner)
        ):
            if construct(inner.object) == "comprehension":
                return self._comprehension(inner.object, "distinct")
            return self._builtin(self.value(inner.object), "len(set({}))")
        if name not in ("length", "is_empty"):
            raise _Untranslatable
        if construct(inner) == "comprehension":
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
            if code.kind not in (*_SAME, "object", "any", "range"):
                raise _Untranslatable
            kinds.append(code.kind)
            self.emit(f"{target} = {code.text}")
            self.depth -= 1
        same = kinds[0] == kinds[1] and kinds[0] in _SAME
        equal = f"{yes} == {no}" if same else f"_eq({yes}, {no})"
        if "range" in kinds:
            if set(kinds) - {"range", "num"}:
                raise _Untranslatable
            # An interval is not a known value: the branches agree only on numbers.
            equal = f"type({yes}) is not Interval and type({no}) is not Interval and {equal}"
        self.emit(
            f"{result} = {yes} if {condition.text} is True else ({no} if {condition.text} is False "
            f"else ({yes} if {yes} is not None and {no} is not None and {equal} else None))"
        )
        if "range" in kinds:
            return _Code(result, "range")
        return _Code(result, kinds[0] if kinds[0] == kinds[1] else "any")

    # -- comparisons and arithmetic ------------------------------------------------------

    def _operand(self, node: Any) -> _Code:
        """A comparison's operand; a comprehension's count comes with its bounds."""
        if construct(node) == "attribute" and not is_field(node):
            inner = node.object
            if node.name == "length" and construct(inner) == "comprehension":
                return self._comprehension(inner, "length", bounded=True)
            if (
                node.name == "length"
                and construct(inner) == "attribute"
                and inner.name == "to_set"
                and not is_field(inner)
                and construct(inner.object) == "comprehension"
            ):
                return self._comprehension(inner.object, "distinct", bounded=True)
        return self.bind(self.value(node))

    def _unbound(self, code: _Code) -> _Code:
        """A bounded count as the reference has it: a number or an ``Interval``."""
        if code.bounds is None:
            return code
        high, unsure = code.bounds
        t = self.temporary()
        self.emit(
            f"{t} = Interval(Decimal({code.text}), Decimal({high})) if {unsure} else {code.text}"
        )
        return _Code(t, "range")

    def _comparison(self, node: Any) -> _Code:
        op_kind = node.type
        left = self._operand(node.left)
        if op_kind in ("eq", "ne") and construct(node.right) == "literal":
            value = constant(node.right)
            if type(value) in (str, bool):
                return self._against_constant(self._unbound(left), value, op_kind == "ne")
        right = self._operand(node.right)
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        op = "==" if op_kind == "eq" else "!=" if op_kind == "ne" else _ORDER.get(op_kind)
        if (left.bounds is None) != (right.bounds is None) and {left.kind, right.kind} == {
            "range",
            "num",
        }:
            plain = f"{left.text} {op} {right.text}"
            if unknown:
                plain = f"None if {unknown} else {plain}"
            counted, number = (left, right) if left.bounds else (right, left)
            flipped = op_kind if left.bounds else _FLIP[op_kind]
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
            compared = f"_interval({self.constant(op_kind)}, {left.text}, {right.text})"
            return _Code(f"({compared} if {interval} else ({plain}))", "bool")
        if "array" in (left.kind, right.kind) or op is None:
            raise _Untranslatable
        if op_kind in ("eq", "ne"):
            if left.kind == right.kind and left.kind in _SAME:
                test = f"{left.text} {op} {right.text}"
            else:
                test = f"{'' if op_kind == 'eq' else 'not '}_eq({left.text}, {right.text})"
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
        if "range" in (left.kind, right.kind):
            return self._range_arithmetic(node.type, left, right)
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

    def _range_arithmetic(self, op: str, left: _Code, right: _Code) -> _Code:
        """Arithmetic on a count that may be an ``Interval``: interval arithmetic then."""
        if {left.kind, right.kind} - {"range", "num"}:
            raise _Untranslatable
        self.total = False
        interval = " or ".join(
            f"type({c.text}) is Interval" for c in (left, right) if c.kind == "range"
        )
        value = (
            f"_interval_arith({self.constant(op)}, {left.text}, {right.text}) if {interval} "
            f"else _dec({left.text}) {_ARITH[op]} _dec({right.text})"
        )
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        if unknown:
            value = f"None if {unknown} else ({value})"
        return _Code(f"({value})", "range")

    # -- containment and comprehensions ---------------------------------------------------

    def _contains(self, node: Any) -> _Code:
        if construct(node.container) == "comprehension":
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

        The reference builds the whole array, an element of which is ``Maybe`` when the
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
            self.total = False  # an unhashable value: the reference's set raises
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
        """One kept element: an element whose filter is unknown is the reference's ``Maybe``."""
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

    The cases of `poletype._engine.interpreter.compare_interval`, for an interval on the left.
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


def _atom_block(n: int, tree: Any, constants: list[Any], prologue: _Prologue) -> list[str]:
    """Statements setting ``a{n}``; ``F[n]`` (the atom's own function) where not translated."""
    mark, lines_mark, reads = len(constants), len(prologue.lines), dict(prologue.reads)
    writer = _TriWriter(constants, prologue, f"a{n}")
    try:
        code = writer.truth(writer.value(tree))
    except _Untranslatable:
        del constants[mark:]
        del prologue.lines[lines_mark:]
        prologue.reads = reads
        return [f"a{n} = F[{n}](i, p)"]
    writer.emit(f"a{n} = {code.text}")
    if writer.total:
        return writer.lines
    return [
        "try:",
        *(f"    {line}" for line in writer.lines),
        "except (_Refused, ArithmeticError, TypeError):",
        f"    a{n} = F[{n}](i, p)",
    ]


def generate(
    atoms: list[tuple[Any, Callable[[Any, dict[str, Any]], Tri]]],
    criteria: list[tuple[str, Any]],
    verdict: Any,
) -> Generated:
    """Write and compile the typology's functions.

    ``atoms`` pairs each atom's parsed tree with its own function (`Compiled.atom`), which
    decides it where the typology's function does not;
    ``criteria`` pairs each criterion id with its condition tree, whose leaves are the
    atoms in the same order; ``verdict`` is the verdict tree over criterion ids.
    """
    constants: list[Any] = []
    fallbacks = [own for _, own in atoms]
    prologue = _Prologue()
    body: list[str] = []
    for n, (tree, _) in enumerate(atoms):
        body += _atom_block(n, tree, constants, prologue)
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


_WRITE: dict[str, Callable[[_TriWriter, Any], _Code]] = {
    "array": _TriWriter._array,
    "literal": _TriWriter._literal,
    "symbol": _TriWriter._symbol,
    "attribute": _TriWriter._attribute,
    "logic": _TriWriter._logic,
    "unary": _TriWriter._unary,
    "contains": _TriWriter._contains,
    "ternary": _TriWriter._ternary,
    "comparison": _TriWriter._comparison,
    "arithmetic": _TriWriter._arithmetic,
}

# Attributes a generated function computes itself; rule-engine's other built-ins
# (``$``-free ones such as ``.ceiling`` or ``.to_ary``) are evaluated by rule-engine.
_NATIVE_ATTRIBUTES = frozenset({"length", "is_empty", "to_set"})
_RETURNED = {"bool", "str"}
Function = Callable[[Any, dict[str, Any]], Any]


def delegated_nodes(tree: Any) -> tuple[str, ...]:
    """The node classes of ``tree`` that rule-engine evaluates node by node, sorted."""
    found: set[str] = set()

    def visit(node: Any, _env: dict[str, Any]) -> None:
        what = construct(node)
        if what == "other" or (
            what == "attribute" and not is_field(node) and node.name not in _NATIVE_ATTRIBUTES
        ):
            found.add(type(node).__name__)

    scan(tree, visit)
    return tuple(sorted(found))


class Compiled:
    """One expression's generated functions, written when first called.

    Writing them at load would cost every typology the compile time of expressions few
    runs use (justification placeholders, "what it would take"); a function is written
    once per expression and process. What the writer cannot translate is evaluated by the
    reference backend (`poletype._engine.interpreter`): ``Compiled`` is also what it reads.
    """

    __slots__ = ("_atom", "_value", "delegated", "paths", "rule", "text")

    def __init__(self, text: str, rule: Any, paths: tuple[str, ...]) -> None:
        self.text = text
        self.rule = rule
        self.paths = paths
        self.delegated = delegated_nodes(self.tree)
        self._atom: Function | None = None
        self._value: Function | None = None

    @property
    def tree(self) -> Any:
        """The parsed rule-engine tree."""
        return self.rule.statement.expression

    @property
    def native(self) -> Compiled:
        """Itself: what `poletype._engine.interpreter.Evaluable` asks of an expression."""
        return self

    def atom(self, initiative: Any, params: dict[str, Any]) -> Tri:
        """A boolean atom's three-valued result, exactly as the reference computes it."""
        if self._atom is None:
            self._atom = self._write(atom=True)
        result: Tri = self._atom(initiative, params)
        return result

    def value(self, initiative: Any, params: dict[str, Any]) -> Any:
        """The expression's value, exactly as the reference backend computes it."""
        if self._value is None:
            self._value = self._write(atom=False)
        return self._value(initiative, params)

    def _reference(self, *, atom: bool) -> Function:
        if atom:
            return lambda i, p: interpret_atom(self, Root(i, p, "interpreter"))
        return lambda i, p: interpret_value(self, Root(i, p, "interpreter"))

    def _write(self, *, atom: bool) -> Function:
        reference = self._reference(atom=atom)
        constants: list[Any] = []
        prologue = _Prologue()
        writer = _TriWriter(constants, prologue, "e")
        try:
            code = writer.value(self.tree)
            returned = writer.truth(code).text if atom else _returned(writer, code)
        except _Untranslatable:
            return reference
        body = [*writer.lines, f"return {returned}"]
        if not writer.total:
            body = [
                "try:",
                *(f"    {line}" for line in body),
                "except (_Refused, ArithmeticError, TypeError):",
                "    return R(i, p)",
            ]
        lines = [f"k{n} = K[{n}]" for n in range(len(constants))]
        lines += ["def f(i, p):", *(f"    {line}" for line in [*prologue.lines, *body])]
        namespace: dict[str, Any] = {**_HELPERS, "K": tuple(constants), "R": reference}
        # Generated from a checked tree: no text from a rule file is in the source.
        exec(compile("\n".join(lines), "<poletype generated>", "exec"), namespace)
        function: Function = namespace["f"]
        return function


def _returned(writer: _TriWriter, code: _Code) -> str:
    """The expression returning ``code``'s value in the reference's form, or untranslatable."""
    if code.bounds is not None:
        code = writer._unbound(code)
    code = writer.bind(code)
    x = code.text
    if code.kind in ("num", "range"):
        return f"_number_out({x})"
    if code.kind in _RETURNED:
        return x if code.known else f"UNKNOWN if {x} is None else {x}"
    if code.kind == "array" and code.item in _RETURNED:
        return f"tuple({x})" if code.known else f"UNKNOWN if {x} is None else tuple({x})"
    raise _Untranslatable


_warned: set[str] = set()


def compile_tree(text: str, rule: Any, paths: tuple[str, ...]) -> Compiled:
    """The compiled form of one parsed, checked expression; warns once if rule-engine must help."""
    compiled = Compiled(text, rule, paths)
    if compiled.delegated and text not in _warned:
        _warned.add(text)
        warnings.warn(
            f"the compiled backend hands {', '.join(compiled.delegated)} in {text!r} to "
            "rule-engine's interpreter; results are the same, only slower",
            CompilerFallbackWarning,
            stacklevel=2,
        )
    return compiled
