"""The Python source a typology's expressions become: one writer per node kind.

`codegen` asks `TriWriter` for a function's text and compiles it; the writer knows the
three-valued (Kleene) form of every rule-engine construct it translates, and refuses the
rest, which the reference interpreter then evaluates.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from poletype._engine.codeparts import (
    ARITH,
    FLIP,
    ORDER,
    SAME,
    Code,
    Emitter,
    Loop,
    Names,
    Prologue,
    Untranslatable,
    between,
    is_params,
    kind_of,
    kind_of_constant,
)
from poletype._engine.syntax import constant, is_field
from poletype._engine.syntax import kind as construct


class TriWriter(Emitter):
    """Translates one expression to statements computing the reference's value, unknowns included.

    Each construct mirrors the reference walker (`poletype._engine.interpreter`) case by case.
    Where the reference could raise (arithmetic, and what a translated node cannot rule
    out), the statements evaluate at least what it evaluates, so that they raise too and
    the expression goes to the reference; ``total`` records whether anything written can
    raise.
    """

    def __init__(self, constants: list[Any], prologue: Prologue, prefix: str) -> None:
        super().__init__(constants, prefix)
        self.prologue = prologue
        self.lines: list[str] = []
        self.depth = 0
        self.loops: list[Loop] = []
        self.total = True

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def bind(self, code: Code) -> Code:
        """The value in a variable, so that using it twice evaluates it once."""
        if code.text.isidentifier():
            return code
        t = self.temporary()
        self.emit(f"{t} = {code.text}")
        return Code(t, code.kind, code.known, code.item, code.owner)

    # -- values ------------------------------------------------------------------------

    def value(self, node: Any) -> Code:
        """The code of one node, by its construct (`poletype._engine.syntax.kind`)."""
        write = _WRITE.get(construct(node))
        if write is None:
            raise Untranslatable
        return write(self, node)

    def _array(self, node: Any) -> Code:
        if not all(construct(m) == "literal" for m in node.value):
            raise Untranslatable
        values = tuple(constant(m) for m in node.value)
        if not all(type(v) in (str, bool, Decimal) for v in values):
            raise Untranslatable
        kinds = {kind_of_constant(v) for v in values}
        item = kinds.pop() if len(kinds) == 1 else "any"
        return Code(self.constant(values), "array", known=True, item=item)

    def _literal(self, node: Any) -> Code:
        value = constant(node)
        if type(value) not in (str, bool, Decimal):
            raise Untranslatable
        return Code(self.constant(value), kind_of_constant(value), known=True)

    def _symbol(self, node: Any) -> Code:
        for loop in reversed(self.loops):
            if loop.variable == node.name:
                return loop.code
        if node.name == "params":
            raise Untranslatable
        return self._read(Code("i", "object", known=True, owner=-1), node.name, node)

    def truth(self, code: Code) -> Code:
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
        return Code(text, "bool", known=code.known and code.kind != "range")

    def _read(self, owner: Code, name: str, node: Any) -> Code:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise Untranslatable
        if owner.kind != "object" or owner.owner is None:
            raise Untranslatable
        kind, item = kind_of(node.result_type)
        if kind == "array" and item not in ("str", "bool", "object"):
            raise Untranslatable
        place: Prologue | Loop = self.prologue if owner.owner < 0 else self.loops[owner.owner]
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
        code = Code(t, kind, item=item, owner=owner.owner if kind == "object" else None)
        place.reads[key] = code
        return code

    def _attribute(self, node: Any) -> Code:
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
            raise Untranslatable
        if construct(inner) == "comprehension":
            return self._comprehension(inner, name)
        return self._builtin(self.value(inner), "len({})" if name == "length" else "(len({}) == 0)")

    def _parameter(self, name: str, result_type: Any) -> Code:
        key = ("p", name)
        found = self.prologue.reads.get(key)
        if found is None:
            try:
                kind, item = kind_of(result_type)
            except Untranslatable:
                kind, item = "any", "any"
            if kind == "object":
                kind = "any"
            if item not in ("str", "bool"):
                # Parameter arrays are not converted: a number in one is not a Decimal.
                item = "any"
            t = f"_r{len(self.prologue.reads)}"
            self.prologue.lines.append(f"{t} = p[{self.constant(name)}]")
            found = self.prologue.reads[key] = Code(t, kind, known=True, item=item)
        return found

    def _builtin(self, code: Code, pattern: str) -> Code:
        distinct = "set" in pattern
        if code.kind == "array":
            if distinct and code.item not in SAME:
                raise Untranslatable
        elif code.kind != "str" or distinct:
            raise Untranslatable
        code = self.bind(code)
        text = pattern.format(code.text)
        kind = "num" if pattern.startswith("len") else "bool"
        if code.known:
            return Code(text, kind, known=True)
        return Code(f"(None if {code.text} is None else {text})", kind)

    # -- logic -------------------------------------------------------------------------

    def _logic(self, node: Any) -> Code:
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
        return Code(result, "bool")

    def _unary(self, node: Any) -> Code:
        right = self.value(node.right)
        if node.type == "not":
            a = self.bind(self.truth(right))
            if a.known:
                return Code(f"(not {a.text})", "bool", known=True)
            return Code(f"(None if {a.text} is None else not {a.text})", "bool")
        if right.kind != "num":
            raise Untranslatable
        a = self.bind(right)
        if a.known:
            return Code(f"(-_dec({a.text}))", "num", known=True)
        return Code(f"(None if {a.text} is None else -_dec({a.text}))", "num")

    def _ternary(self, node: Any) -> Code:
        condition = self.bind(self.truth(self.value(node.condition)))
        yes, no, result = self.temporary(), self.temporary(), self.temporary()
        kinds = []
        for branch, target, skip in ((node.case_true, yes, "False"), (node.case_false, no, "True")):
            self.emit(f"if {condition.text} is not {skip}:")
            self.depth += 1
            code = self.value(branch)
            if code.kind not in (*SAME, "object", "any", "range"):
                raise Untranslatable
            kinds.append(code.kind)
            self.emit(f"{target} = {code.text}")
            self.depth -= 1
        same = kinds[0] == kinds[1] and kinds[0] in SAME
        equal = f"{yes} == {no}" if same else f"_eq({yes}, {no})"
        if "range" in kinds:
            if set(kinds) - {"range", "num"}:
                raise Untranslatable
            # An interval is not a known value: the branches agree only on numbers.
            equal = f"type({yes}) is not Interval and type({no}) is not Interval and {equal}"
        self.emit(
            f"{result} = {yes} if {condition.text} is True else ({no} if {condition.text} is False "
            f"else ({yes} if {yes} is not None and {no} is not None and {equal} else None))"
        )
        if "range" in kinds:
            return Code(result, "range")
        return Code(result, kinds[0] if kinds[0] == kinds[1] else "any")

    # -- comparisons and arithmetic ------------------------------------------------------

    def _operand(self, node: Any) -> Code:
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

    def _unbound(self, code: Code) -> Code:
        """A bounded count as the reference has it: a number or an ``Interval``."""
        if code.bounds is None:
            return code
        high, unsure = code.bounds
        t = self.temporary()
        self.emit(f"{t} = _counted({code.text}, {high}) if {unsure} else {code.text}")
        return Code(t, "range")

    def _comparison(self, node: Any) -> Code:
        op_kind = node.type
        left = self._operand(node.left)
        if op_kind in ("eq", "ne") and construct(node.right) == "literal":
            value = constant(node.right)
            if type(value) in (str, bool):
                return self._against_constant(self._unbound(left), value, op_kind == "ne")
        right = self._operand(node.right)
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        op = "==" if op_kind == "eq" else "!=" if op_kind == "ne" else ORDER.get(op_kind)
        if (left.bounds is None) != (right.bounds is None) and {left.kind, right.kind} == {
            "range",
            "num",
        }:
            plain = f"{left.text} {op} {right.text}"
            if unknown:
                plain = f"None if {unknown} else {plain}"
            counted, number = (left, right) if left.bounds else (right, left)
            flipped = op_kind if left.bounds else FLIP[op_kind]
            assert counted.bounds is not None
            high, unsure = counted.bounds
            yes, no = between(flipped, counted.text, high, number.text)
            decided = f"True if {yes} else (False if {no} else None)"
            if not number.known:
                decided = f"None if {number.text} is None else ({decided})"
            return Code(f"(({decided}) if {unsure} else ({plain}))", "bool")
        left, right = self._unbound(left), self._unbound(right)
        if "range" in (left.kind, right.kind):
            if {left.kind, right.kind} - {"range", "num"} or op is None:
                raise Untranslatable
            interval = " or ".join(
                f"type({c.text}) is Interval" for c in (left, right) if c.kind == "range"
            )
            plain = f"{left.text} {op} {right.text}"
            if unknown:
                plain = f"None if {unknown} else {plain}"
            compared = f"_interval({self.constant(op_kind)}, {left.text}, {right.text})"
            return Code(f"({compared} if {interval} else ({plain}))", "bool")
        if "array" in (left.kind, right.kind) or op is None:
            raise Untranslatable
        if op_kind in ("eq", "ne"):
            if left.kind == right.kind and left.kind in SAME:
                test = f"{left.text} {op} {right.text}"
            else:
                test = f"{'' if op_kind == 'eq' else 'not '}_eq({left.text}, {right.text})"
        elif left.kind == right.kind and left.kind in SAME:
            test = f"{left.text} {op} {right.text}"
        else:
            raise Untranslatable
        if not unknown:
            return Code(f"({test})", "bool", known=True)
        return Code(f"(None if {unknown} else ({test}))", "bool")

    def _against_constant(self, left: Code, constant: Any, negate: bool) -> Code:
        k = self.constant(constant)
        op = "!=" if negate else "=="
        if left.kind == kind_of_constant(constant):
            test = f"{left.text} {op} {k}"
        elif left.kind in ("bool", "str", "num"):
            test = str(negate)
        elif left.kind in ("object", "any"):
            test = f"(({left.text} {op} {k}) if type({left.text}) is type({k}) else {negate})"
        else:
            raise Untranslatable
        if left.known:
            return Code(f"({test})", "bool", known=True)
        return Code(f"(None if {left.text} is None else ({test}))", "bool")

    def _arithmetic(self, node: Any) -> Code:
        left, right = self.bind(self.value(node.left)), self.bind(self.value(node.right))
        if "range" in (left.kind, right.kind):
            return self._range_arithmetic(node.type, left, right)
        if left.kind == right.kind == "str" and node.type == "add":
            value = f"{left.text} + {right.text}"
        elif left.kind == right.kind == "num":
            self.total = False
            value = f"_dec({left.text}) {ARITH[node.type]} _dec({right.text})"
        else:
            raise Untranslatable
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        if not unknown:
            return Code(f"({value})", left.kind, known=True)
        return Code(f"(None if {unknown} else ({value}))", left.kind)

    def _range_arithmetic(self, op: str, left: Code, right: Code) -> Code:
        """Arithmetic on a count that may be an ``Interval``: interval arithmetic then."""
        if {left.kind, right.kind} - {"range", "num"}:
            raise Untranslatable
        self.total = False
        interval = " or ".join(
            f"type({c.text}) is Interval" for c in (left, right) if c.kind == "range"
        )
        value = (
            f"_interval_arith({self.constant(op)}, {left.text}, {right.text}) if {interval} "
            f"else _dec({left.text}) {ARITH[op]} _dec({right.text})"
        )
        unknown = " or ".join(f"{c.text} is None" for c in (left, right) if not c.known)
        if unknown:
            value = f"None if {unknown} else ({value})"
        return Code(f"({value})", "range")

    # -- containment and comprehensions ---------------------------------------------------

    def _contains(self, node: Any) -> Code:
        if construct(node.container) == "comprehension":
            return self._comprehension(node.container, "in", node.member)
        box = self.bind(self.value(node.container))
        item = self.bind(self.value(node.member))
        if box.kind != "array" or item.kind not in (*SAME, "object", "any"):
            raise Untranslatable
        test = f"False if not {box.text} else " if not item.known else ""
        test += (
            f"{item.text} in {box.text}"
            if item.known
            else (f"(None if {item.text} is None else {item.text} in {box.text})")
        )
        if box.known and item.known:
            return Code(f"({test})", "bool", known=True)
        if box.known:
            return Code(f"({test})", "bool")
        return Code(f"(None if {box.text} is None else ({test}))", "bool")

    def _comprehension(
        self, node: Any, use: str, member: Any = None, *, bounded: bool = False
    ) -> Code:
        """A comprehension consumed in one loop: ``in``, ``length``, ``is_empty``, ``distinct``.

        The reference builds the whole array, an element of which is ``Maybe`` when the
        filter is unknown for it; the loop keeps only what its consumer needs of it, and
        stops at the first match when nothing it skips could raise. ``bounded``: a count
        compared with a number gives its bounds instead of an ``Interval``, the comparison
        deciding from them without building one.
        """
        iterable = self.bind(self.value(node.iterable))
        if iterable.kind != "array" or iterable.item not in (*SAME, "object", "any"):
            raise Untranslatable
        item = None
        if use == "in":
            item = self.bind(self.value(member))
            if item.kind not in (*SAME, "object", "any"):
                raise Untranslatable
        names = Names(*(self.temporary() for _ in range(6)))
        self._start(use, names, iterable, filtered=node.condition is not None, bounded=bounded)
        outer_total, self.total = self.total, True
        variable = self.temporary() + "v"
        head = len(self.lines)
        self.emit(f"for {variable} in {iterable.text}:")
        self.depth += 1
        mark = len(self.lines)
        code = Code(variable, iterable.item, known=True, owner=len(self.loops))
        loop = Loop(node.variable, code, self.depth)
        self.loops.append(loop)
        keep = None
        if node.condition is not None:
            keep = self.bind(self.truth(self.value(node.condition)))
            self.emit(f"if {keep.text} is False: continue")
        lines_mark, reads_mark = len(self.lines), (len(loop.lines), dict(loop.reads))
        keep_total, self.total = self.total, True
        value = self.bind(self.value(node.result))
        if value.kind not in (*SAME, "object", "any", "range"):
            raise Untranslatable
        if use in ("length", "is_empty") and self.total:
            # The count does not need the values, and computing them cannot raise.
            del self.lines[lines_mark:]
            del loop.lines[reads_mark[0] :]
            loop.reads = reads_mark[1]
        if use == "distinct" and value.kind not in SAME:
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
            return Code(names.result, kind, bounds=(names.high, names.unsure))
        return Code(names.result, kind)

    def _start(
        self, use: str, names: Names, iterable: Code, *, filtered: bool, bounded: bool
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
        names: Names,
        *,
        keep: Code | None,
        value: Code,
        item: Code | None,
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

    def _finish(self, use: str, names: Names, *, filtered: bool, bounded: bool) -> str:
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
                    f"{result} = {count} if not {maybe} else _counted({count}, {count} + {maybe})"
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
                    f"_counted({count}, {names.high})"
                )
            return "range"
        self.emit(f"if {result} is False and {maybe}:")
        self.emit(f"    {result} = None")
        return "bool"


_WRITE: dict[str, Callable[[TriWriter, Any], Code]] = {
    "array": TriWriter._array,
    "literal": TriWriter._literal,
    "symbol": TriWriter._symbol,
    "attribute": TriWriter._attribute,
    "logic": TriWriter._logic,
    "unary": TriWriter._unary,
    "contains": TriWriter._contains,
    "ternary": TriWriter._ternary,
    "comparison": TriWriter._comparison,
    "arithmetic": TriWriter._arithmetic,
}
