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

Lists that name only some of their entries (format 1.1's partial ``members`` and
``partners``, `poletype._engine.paths.Partial`) are read by the reference backend: each
function checks, before an expression reading one, whether the list is partial, and
hands that expression to the reference, so both backends read a partial list the same
way by construction and a complete list (every v1 document) stays on the fast path.

What the writer does not translate is evaluated by the reference backend itself, with
the same result, only slower; an expression using a construct that rule-engine evaluates
node by node (bitwise operators, slices, built-in attributes other than ``length``,
``is_empty`` and ``to_set``) is reported once with `CompilerFallbackWarning`. Where the
statements could raise (arithmetic, a value they cannot hash), they evaluate at least what
the reference evaluates, and an error hands the expression to the reference, which
reports it (``evaluation-error``) or decides it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from poletype._engine.codeparts import Code, Kleene, Loop, Prologue, Untranslatable, kind_of
from poletype._engine.codewriter import TriWriter
from poletype._engine.interpreter import (
    UNKNOWN,
    Interval,
    Root,
    arith_interval,
    compare_interval,
    interpret_atom,
    interpret_value,
)
from poletype._engine.paths import Partial
from poletype._engine.syntax import is_field, nodes, scan
from poletype._engine.syntax import kind as construct

Tri = bool | None


class CompilerFallbackWarning(UserWarning):
    """An expression uses a construct the compiled backend hands to rule-engine."""


class _Refused(Exception):  # noqa: N818 - a signal, not an error
    """A known-input evaluation that rule-engine would refuse (type mismatch, division by zero)."""


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
    if type(value) is int:
        return _DECIMALS[value] if 0 <= value < len(_DECIMALS) else Decimal(value)
    return value


_DECIMALS = tuple(Decimal(n) for n in range(256))
"""The counts a sentence shows, made once: ``Decimal`` is immutable."""


def _counted(low: Any, high: Any) -> Interval:
    """``Interval(Decimal(low), Decimal(high))`` for counts, the small ones made once.

    A sentence shows "between 2 and 5 members" for many initiatives; a frozen
    dataclass costs a microsecond to build, and the same object is found at once in a
    dictionary of sentences already written.
    """
    if type(low) is not int or type(high) is not int:
        return Interval(Decimal(low), Decimal(high))
    key = (low, high)
    found = _INTERVALS.get(key)
    if found is None:
        found = Interval(Decimal(low), Decimal(high))
        if len(_INTERVALS) < 4096:
            _INTERVALS[key] = found
    return found


_INTERVALS: dict[tuple[Any, Any], Interval] = {}


_HELPERS: dict[str, Any] = {
    "_eq": _equal,
    "_dec": _decimal,
    "_Refused": _Refused,
    "Decimal": Decimal,
    "Interval": Interval,
    "_counted": _counted,
    "UNKNOWN": UNKNOWN,
    "_interval": _interval,
    "_interval_arith": _interval_arith,
    "_number_out": _number_out,
    "_Partial": Partial,
}

PARTIAL_LISTS = ("members", "partners")
"""The input lists that may be partial, which generated code hands to the reference."""


def partial_reads(tree: Any) -> tuple[str, ...]:
    """The lists of `PARTIAL_LISTS` that ``tree`` reads, in that order."""
    found: set[str] = set()

    def visit(node: Any, env: dict[str, Any]) -> None:
        if construct(node) == "symbol" and node.name in PARTIAL_LISTS and node.name not in env:
            found.add(node.name)

    scan(tree, visit)
    return tuple(name for name in PARTIAL_LISTS if name in found)


def _partial_test(tree: Any) -> str | None:
    """The condition under which a function hands ``tree`` to the reference, if any."""
    reads = partial_reads(tree)
    if not reads:
        return None
    return " or ".join(f"type(i.{name}) is _Partial" for name in reads)


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


def _atom_block(n: int, tree: Any, constants: list[Any], prologue: Prologue) -> list[str]:
    """Statements setting ``a{n}``; ``F[n]`` (the atom's own function) where not translated."""
    mark, lines_mark, reads = len(constants), len(prologue.lines), dict(prologue.reads)
    writer = TriWriter(constants, prologue, f"a{n}")
    try:
        code = writer.truth(writer.value(tree))
    except Untranslatable:
        del constants[mark:]
        del prologue.lines[lines_mark:]
        prologue.reads = reads
        return [f"a{n} = F[{n}](i, p)"]
    writer.emit(f"a{n} = {code.text}")
    lines = writer.lines
    if not writer.total:
        lines = [
            "try:",
            *(f"    {line}" for line in lines),
            "except (_Refused, ArithmeticError, TypeError):",
            f"    a{n} = F[{n}](i, p)",
        ]
    partial = _partial_test(tree)
    if partial is None:
        return lines
    return [f"if {partial}:", f"    a{n} = F[{n}](i, p)", "else:", *(f"    {x}" for x in lines)]


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
    prologue = Prologue()
    body: list[str] = []
    for n, (tree, _) in enumerate(atoms):
        body += _atom_block(n, tree, constants, prologue)
    body[:0] = prologue.lines
    kleene = Kleene()
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


# Attributes a generated function computes itself; rule-engine's other built-ins
# (``$``-free ones such as ``.ceiling`` or ``.to_ary``) are evaluated by rule-engine.
_NATIVE_ATTRIBUTES = frozenset({"length", "is_empty", "to_set"})
_RETURNED = {"bool", "str"}
Function = Callable[[Any, dict[str, Any]], Any]


def delegated_nodes(every: Iterable[Any]) -> tuple[str, ...]:
    """The node classes among ``every`` node of a tree that rule-engine evaluates, sorted."""
    found: set[str] = set()
    for node in every:
        what = construct(node)
        if what == "other" or (
            what == "attribute" and not is_field(node) and node.name not in _NATIVE_ATTRIBUTES
        ):
            found.add(type(node).__name__)
    return tuple(sorted(found))


class Compiled:
    """One expression's generated functions, written when first called.

    Writing them at load would cost every typology the compile time of expressions few
    runs use (justification placeholders, "what it would take"); a function is written
    once per expression and process. What the writer cannot translate is evaluated by the
    reference backend (`poletype._engine.interpreter`): ``Compiled`` is also what it reads.
    """

    __slots__ = ("_atom", "_value", "delegated", "paths", "rule", "text")

    def __init__(
        self, text: str, rule: Any, paths: tuple[str, ...], every: Iterable[Any] | None = None
    ) -> None:
        self.text = text
        self.rule = rule
        self.paths = paths
        if every is None:
            every = (node for node, _ in nodes(self.tree))
        self.delegated = delegated_nodes(every)
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
        function = self._value
        if function is None:
            function = self.function()
        return function(initiative, params)

    def function(self) -> Function:
        """`value` as the generated function itself: callers evaluating many skip a call."""
        if self._value is None:
            self._value = self._write(atom=False)
        return self._value

    def _reference(self, *, atom: bool) -> Function:
        if atom:
            return lambda i, p: interpret_atom(self, Root(i, p, "interpreter"))
        return lambda i, p: interpret_value(self, Root(i, p, "interpreter"))

    def _write(self, *, atom: bool) -> Function:
        (function,) = _assemble([(self, atom)])
        return function

    def source(self, *, atom: bool) -> tuple[list[str], tuple[Any, ...]] | None:
        """The lines of ``def f(i, p)``, and the constants they read; ``None`` for the reference.

        The constants are read as ``k0``, ``k1``…; the lines call ``R(i, p)``, the
        reference, where the generated code gives up.
        """
        constants: list[Any] = []
        prologue = Prologue()
        writer = TriWriter(constants, prologue, "e")
        try:
            returned = None if atom else _field_set(writer, self.tree)
            if returned is None:
                code = writer.value(self.tree)
                returned = writer.truth(code).text if atom else _returned(writer, code)
        except Untranslatable:
            return None
        body = [*writer.lines, f"return {returned}"]
        partial = _partial_test(self.tree)
        tests = [] if partial is None else [partial]
        lines = _function(
            body, tests, writer.total, otherwise="R(i, p)", constants=constants, prologue=prologue
        )
        return lines, tuple(constants)


def write_together(items: Iterable[tuple[Compiled, bool]]) -> None:
    """Write the functions of ``items`` not written yet, compiled together.

    Each item is an expression and whether it is wanted as an atom (else as a value). A
    graded typology runs every indicator on every initiative: writing the functions one by
    one on first use cost a call to ``compile`` each, most of a first classify.
    """
    pending = {(id(e), atom): (e, atom) for e, atom in items}
    todo = [(e, atom) for e, atom in pending.values() if (e._atom if atom else e._value) is None]
    for (expression, atom), function in zip(todo, _assemble(todo), strict=True):
        if atom:
            expression._atom = function
        else:
            expression._value = function


def _assemble(items: list[tuple[Compiled, bool]]) -> list[Function]:
    """The functions of ``items`` (an expression, and whether as an atom), one ``compile``.

    Each function is built by its own factory, so its constants and its reference are its
    own (closure variables) while the helpers are the module's globals.
    """
    functions: list[Function | None] = []
    factories: list[str] = []
    arguments: list[tuple[tuple[Any, ...], Function]] = []
    for expression, atom in items:
        reference = expression._reference(atom=atom)
        written = expression.source(atom=atom)
        if written is None:
            functions.append(reference)
            continue
        lines, constants = written
        factories += [f"def m{len(arguments)}(K, R):", *(f"    {x}" for x in lines), "    return f"]
        arguments.append((constants, reference))
        functions.append(None)
    if not arguments:
        return [f for f in functions if f is not None]
    namespace: dict[str, Any] = dict(_HELPERS)
    # Generated from checked trees: no text from a rule file is in the source.
    exec(compile("\n".join(factories), "<poletype generated>", "exec"), namespace)
    made = iter(namespace[f"m{n}"](*args) for n, args in enumerate(arguments))
    return [next(made) if f is None else f for f in functions]


def together(expressions: Sequence[Compiled]) -> Function | None:
    """One function giving every expression's value at once, as a tuple, or None.

    A sentence shows several values of the same lists (members counted three ways): one
    call reads each object once and replaces a call per value. The function returns
    None where any expression's own function would go to the reference (a partial list,
    an error); the caller then asks each `Compiled.value`. None when an expression is
    one the writer does not translate.
    """
    constants: list[Any] = []
    prologue = Prologue()
    body: list[str] = []
    returned: list[str] = []
    partial: list[str] = []
    total = True
    for n, expression in enumerate(expressions):
        writer = TriWriter(constants, prologue, f"v{n}")
        try:
            value = _field_set(writer, expression.tree)
            if value is None:
                value = _returned(writer, writer.value(expression.tree))
        except Untranslatable:
            return None
        body += [*writer.lines, f"r{n} = {value}"]
        returned.append(f"r{n}")
        test = _partial_test(expression.tree)
        if test is not None and test not in partial:
            partial.append(test)
        total = total and writer.total
    body.append(f"return ({''.join(r + ', ' for r in returned)})")
    lines = _function(
        body, partial, total, otherwise="None", constants=constants, prologue=prologue
    )
    namespace: dict[str, Any] = {**_HELPERS, "K": tuple(constants)}
    # Generated from checked trees: no text from a rule file is in the source.
    exec(compile("\n".join(lines), "<poletype generated>", "exec"), namespace)
    function: Function = namespace["f"]
    return function


def _function(
    body: list[str],
    partial: list[str],
    total: bool,
    *,
    otherwise: str,
    constants: list[Any],
    prologue: Prologue,
) -> list[str]:
    """``def f(i, p)`` around ``body``, returning ``otherwise`` on a partial list or an error.

    ``partial`` are the tests of the lists the reference reads instead; ``total`` whether
    nothing in ``body`` can raise.
    """
    if partial:
        body = [f"if {' or '.join(partial)}:", f"    return {otherwise}", *body]
    if not total:
        body = [
            "try:",
            *(f"    {line}" for line in body),
            "except (_Refused, ArithmeticError, TypeError):",
            f"    return {otherwise}",
        ]
    lines = [f"k{n} = K[{n}]" for n in range(len(constants))]
    return [*lines, "def f(i, p):", *(f"    {line}" for line in [*prologue.lines, *body])]


def _returned(writer: TriWriter, code: Code) -> str:
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
    raise Untranslatable


def _field_set(writer: TriWriter, tree: Any) -> str | None:
    """``[m.kind for m in members].to_set`` as a value: the kinds shown in a sentence.

    The reference's value is rule-engine's ``set`` of the values when the list and each
    value are known, else ``UNKNOWN`` (a partial list goes to the reference before this
    runs). Only an unfiltered comprehension reading one yes/no or text field of each
    element is written here; None lets the general writer try.
    """
    if construct(tree) != "attribute" or tree.name != "to_set" or is_field(tree):
        return None
    inner = tree.object
    result: Any = getattr(inner, "result", None)
    if (
        construct(inner) != "comprehension"
        or inner.condition is not None
        or construct(result) != "attribute"
        or not is_field(result)
        or construct(result.object) != "symbol"
        or result.object.name != inner.variable
        or kind_of(result.result_type)[0] not in ("str", "bool")
    ):
        return None
    iterable = writer.bind(writer.value(inner.iterable))
    if iterable.kind != "array" or iterable.item != "object":
        raise Untranslatable
    out, variable = writer.temporary(), writer.temporary() + "v"
    writer.emit(f"{out} = None if {iterable.text} is None else set()")
    writer.emit(f"for {variable} in () if {out} is None else {iterable.text}:")
    writer.depth += 1
    mark = len(writer.lines)
    code = Code(variable, "object", known=True, owner=len(writer.loops))
    loop = Loop(inner.variable, code, writer.depth)
    writer.loops.append(loop)
    value = writer.bind(writer.value(result))
    writer.loops.pop()
    writer.lines[mark:mark] = ["    " * writer.depth + line for line in loop.lines]
    writer.emit(f"if {value.text} is None:")
    writer.emit(f"    {out} = None")
    writer.emit("    break")
    writer.emit(f"{out}.add({value.text})")
    writer.depth -= 1
    return f"UNKNOWN if {out} is None else {out}"


_warned: set[str] = set()


def compile_tree(
    text: str, rule: Any, paths: tuple[str, ...], every: Iterable[Any] | None = None
) -> Compiled:
    """The compiled form of one parsed, checked expression; warns once if rule-engine must help.

    ``every`` node of its tree, when the caller has walked it already.
    """
    compiled = Compiled(text, rule, paths, every)
    if compiled.delegated and text not in _warned:
        _warned.add(text)
        warnings.warn(
            f"the compiled backend hands {', '.join(compiled.delegated)} in {text!r} to "
            "rule-engine's interpreter; results are the same, only slower",
            CompilerFallbackWarning,
            stacklevel=2,
        )
    return compiled
