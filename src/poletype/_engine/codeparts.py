"""The pieces generated code is assembled from: code fragments, loops, names, Kleene joins.

Below `codewriter`, which walks an expression's tree and joins these pieces into the
text of one Python function.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from poletype._engine.syntax import DataType
from poletype._engine.syntax import kind as construct


class Untranslatable(Exception):  # noqa: N818 - a signal, not an error
    """A construct the writer leaves to the reference backend."""


def is_params(node: Any, variables: Iterable[str]) -> bool:
    """Whether ``node`` reads the rule file's ``params``, not a comprehension variable."""
    return (
        construct(node) == "symbol"
        and node.name == "params"
        and all(variable != "params" for variable in variables)
    )


ORDER = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


ARITH = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**"}


class Emitter:
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
class Code:
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


KINDS = {DataType.BOOLEAN: "bool", DataType.STRING: "str", DataType.FLOAT: "num"}


SAME = ("bool", "str", "num")


def kind_of(result_type: Any) -> tuple[str, str]:
    """The kind of a value read from the model or the parameters, and of its elements."""
    if result_type in KINDS:
        return KINDS[result_type], "any"
    if DataType.is_type(result_type, DataType.ARRAY):
        item = getattr(result_type, "value_type", None)
        if item in KINDS:
            return "array", KINDS[item]
        if item is not None and DataType.is_type(item, DataType.OBJECT):
            return "array", "object"
        return "array", "any"
    if DataType.is_type(result_type, DataType.OBJECT):
        return "object", "any"
    raise Untranslatable


class Prologue:
    """Reads of the initiative and the parameters, done once per call for every atom.

    Reading an attribute cannot fail and has no effect, so a read some short-circuit would
    have skipped costs a few nanoseconds and changes nothing.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.reads: dict[tuple[str, str], Code] = {}


class Loop:
    """A comprehension being written: its variable, and the reads of it hoisted to its top."""

    def __init__(self, variable: str, code: Code, depth: int) -> None:
        self.variable = variable
        self.code = code
        self.lines: list[str] = []
        self.reads: dict[tuple[str, str], Code] = {}
        self.depth = depth


@dataclass(frozen=True)
class Names:
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


FLIP = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


def between(kind: str, low: str, high: str, number: str) -> tuple[str, str]:
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


def kind_of_constant(value: Any) -> str:
    if type(value) is bool:
        return "bool"
    if type(value) is str:
        return "str"
    return "num"


class Kleene:
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
