"""The compiled backend's fast path: one generated Python function per crisp typology.

Closures (`poletype._closures`) cost a call per node. For the common case, an atom whose
inputs are all stated, this module writes the whole typology's decision as one Python
function, compiled once when the rule file loads: every atom becomes a plain Python
expression over the model's attributes, and criteria and verdict become inline Kleene
combinations of the atoms' values.

The generated text never contains text from a rule file. Attribute names are the model's
field names, already checked against the model by rule-engine's type checker (and checked
again to be identifiers here); every literal and parameter value is passed in a tuple of
constants and referenced by index; comprehension variables are renamed ``_v0``, ``_v1``.

An atom's fast expression reads facts as if they were known. Reading an absent one
raises ``_Absent``, and the atom is then decided by its closure, in three-valued logic.
This is exact: when the fast expression completes, every value it read was known, and
on known values Kleene logic and two-valued logic agree, short-circuits included.
Arithmetic and type errors also go to the closure, which reports them as the reference
backend does. An atom using a construct this module does not translate is always
decided by its closure.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rule_engine import DataType, ast

from poletype._closures import _decimal, _equal, _EvaluationError

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


_HELPERS: dict[str, Any] = {
    "_known": _known,
    "_absent": _absent,
    "_given": _given,
    "_eq": _equal,
    "_dec": _decimal,
    "_Refused": _EvaluationError,
    "_Absent": _Absent,
    "Decimal": Decimal,
}
_ORDER = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ARITH = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**"}


class _Writer:
    """Translates one expression tree to Python source over ``i`` (initiative), ``p``."""

    def __init__(self, constants: list[Any], prefix: str) -> None:
        self.constants = constants
        self.names: list[tuple[str, str]] = []
        self.counter = 0
        self.prefix = prefix
        self.in_iterable = False

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def temporary(self) -> str:
        self.counter += 1
        return f"_{self.prefix}t{self.counter}"

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
            if (
                isinstance(node.object, ast.SymbolExpression)
                and node.object.name == "params"
                and node.object.scope is None
                and all(v != "params" for v, _ in self.names)
            ):
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


def _chain(node: Any, writer: _Writer) -> str | None:
    """A path of plain fields read with unknown propagating as ``None``, or ``None``."""
    if isinstance(node, ast.SymbolExpression) and node.scope is None and node.name != "params":
        if not node.name.isidentifier() or node.name.startswith("_"):
            return None
        return f"i.{node.name}"
    if (
        isinstance(node, ast.GetAttributeExpression)
        and node._object_type is not None
        and node.name.isidentifier()
        and not node.name.startswith("_")
        and not (isinstance(node.object, ast.SymbolExpression) and node.object.name == "params")
    ):
        owner = _chain(node.object, writer)
        if owner is None:
            return None
        t = writer.temporary()
        return f"(None if ({t} := {owner}) is None else {t}.{node.name})"
    return None


def _operand(node: Any, writer: _Writer) -> str | None:
    """A literal or a parameter, as a constant, or ``None``."""
    if isinstance(node, ast.LiteralExpressionBase) and not isinstance(
        node, ast.SetExpression | ast.MappingExpression
    ):
        return writer.constant(node.evaluate(None))
    if isinstance(node, ast.ArrayExpression) and all(
        isinstance(m, ast.LiteralExpressionBase) for m in node.value
    ):
        return writer.constant(tuple(m.evaluate(None) for m in node.value))
    return None


def tri_source(tree: Any, constants: list[Any], prefix: str = "") -> str | None:
    """A three-valued Python expression for the simplest atoms, or ``None``.

    A yes/no field (``strategy.shared``), or a scalar field compared with a literal
    (``activities.primary_function in ["a", "b"]``, ``jobs >= 10``): unknown propagates as
    ``None`` without leaving the fast path.
    """
    mark = len(constants)
    writer = _Writer(constants, prefix + "s")
    result: str | None = None
    if tree.result_type == DataType.BOOLEAN:
        result = _chain(tree, writer)
    if result is None and (
        isinstance(tree, ast.ComparisonExpression | ast.ContainsExpression)
        and not isinstance(tree, ast.FuzzyComparisonExpression)
    ):
        left, right = (
            (tree.member, tree.container)
            if isinstance(tree, ast.ContainsExpression)
            else (tree.left, tree.right)
        )
        field = _chain(left, writer) if left.result_type in _SCALARS else None
        other = None if field is None else _operand(right, writer)
        if field is not None and other is not None:
            t = writer.temporary()
            value = f"_known({t})" if left.result_type == DataType.FLOAT else t
            if isinstance(tree, ast.ContainsExpression):
                test = f"{value} in {other}" if isinstance(right, ast.ArrayExpression) else None
            elif isinstance(tree, ast.ArithmeticComparisonExpression):
                same = right.result_type == left.result_type
                test = f"{value} {_ORDER[tree.type]} {other}" if same else None
            else:
                same = right.result_type == left.result_type
                test = f"{value} {'==' if tree.type == 'eq' else '!='} {other}" if same else None
            if test is not None:
                result = f"(None if ({t} := {field}) is None else ({test}))"
    if result is None:
        del constants[mark:]
    return result


_SCALARS = (DataType.BOOLEAN, DataType.STRING, DataType.FLOAT)


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


@dataclass(frozen=True)
class Generated:
    """A crisp typology's generated functions.

    ``atoms`` gives every atom's value, in the order given; ``decide`` gives the
    criteria's values by id and the verdict condition's value.
    """

    atoms: Atoms
    decide: Decide
    source: str


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
    body: list[str] = []
    for n, (tree, _) in enumerate(atoms):
        simple = tri_source(tree, constants, prefix=f"a{n}")
        if simple is not None:
            body.append(f"a{n} = {simple}")
            continue
        source = atom_source(tree, constants, prefix=f"a{n}")
        if source is None:
            body.append(f"a{n} = F[{n}](i, p)")
            continue
        body += [
            "try:",
            f"    a{n} = {source}",
            "except (_Absent, _Refused, ArithmeticError, TypeError):",
            f"    a{n} = F[{n}](i, p)",
        ]
    atoms_end = len(body)
    kleene = _Kleene()
    leaves = iter(range(len(atoms)))
    names = []
    for n, (_, condition) in enumerate(criteria):
        body.append(f"c{n} = {kleene.condition(condition, leaves, body)}")
        names.append(f"c{n}")
    index = {cid: f"c{n}" for n, (cid, _) in enumerate(criteria)}
    outcome = kleene.verdict(verdict, index, body)
    every_atom = "".join(f"a{n}, " for n in range(len(atoms)))
    lines = [f"{name} = K[{n}]" for n, name in enumerate(f"k{n}" for n in range(len(constants)))]
    lines += ["def atoms(i, p):", *(f"    {line}" for line in body[:atoms_end])]
    lines.append(f"    return ({every_atom})")
    lines += ["def decide(i, p):", *(f"    {line}" for line in body)]
    lines.append(f"    return dict(zip(IDS, ({''.join(c + ', ' for c in names)}))), {outcome}")
    source = "\n".join(lines)
    namespace: dict[str, Any] = {
        **_HELPERS,
        "K": tuple(constants),
        "F": tuple(fallbacks),
        "IDS": tuple(cid for cid, _ in criteria),
    }
    # Generated from checked trees: no text from a rule file is in ``source``.
    exec(compile(source, "<poletype generated>", "exec"), namespace)
    return Generated(atoms=namespace["atoms"], decide=namespace["decide"], source=source)


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
