"""The one reader of rule-engine's parsed trees.

rule-engine's AST is a private structure: node classes, the attributes each keeps its
operands in, and a few private attributes (the typed object an attribute is read from,
a regular expression compiled at parse time). poletype's evaluators and scanners read it
through this module only, so a rule-engine upgrade that reshapes it is one file to read
again (the pin is ``rule-engine>=5.1,<6``).

This module also registers poletype's prebuilt parser tables (`poletype._engine.parsetab`)
under the name PLY imports, before rule-engine is imported: rule-engine would otherwise
build them at every start (about 100 ms).

- `kind` names a node's construct, from one table keyed by node class: every walker
  dispatches on it.
- `children` lists a node's sub-expressions; `scan` walks a tree with a small visitor,
  keeping what each comprehension variable stands for.
- `object_type`, `is_field`, `fixed_pattern`, `constant` read what a node knows.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, Final

from poletype._engine import parsetab as _parsetab

# PLY imports this name; rule-engine must not be imported before it is registered.
sys.modules.setdefault("rule_engine.parser.parsetab", _parsetab)

from rule_engine import DataType, ast  # noqa: E402
from rule_engine import errors as re_errors  # noqa: E402
from rule_engine.ast import Assignment  # noqa: E402
from rule_engine.types import coerce_value  # noqa: E402

__all__ = [
    "Assignment",
    "DataType",
    "ast",
    "children",
    "coerce_value",
    "constant",
    "fixed_pattern",
    "is_field",
    "kind",
    "nodes",
    "object_type",
    "re_errors",
    "scan",
]

# The constructs, most specific class first: the first match names the node's kind.
_KINDS: Final[tuple[tuple[type, str], ...]] = (
    (ast.ArrayExpression, "array"),
    (ast.SetExpression, "other"),
    (ast.MappingExpression, "other"),
    (ast.LiteralExpressionBase, "literal"),
    (ast.ComprehensionExpression, "comprehension"),
    (ast.GetAttributeExpression, "attribute"),
    (ast.LogicExpression, "logic"),
    (ast.UnaryExpression, "unary"),
    (ast.ContainsExpression, "contains"),
    (ast.TernaryExpression, "ternary"),
    (ast.FuzzyComparisonExpression, "regex"),
    (ast.ArithmeticComparisonExpression, "comparison"),
    (ast.ComparisonExpression, "comparison"),
    (ast.AddExpression, "arithmetic"),
    (ast.SubtractExpression, "arithmetic"),
    (ast.ArithmeticExpression, "arithmetic"),
)
_BY_CLASS: dict[type, str] = {}


def kind(node: Any) -> str:
    """The construct ``node`` is: ``literal``, ``array``, ``symbol``, ``attribute``, … or ``other``.

    ``symbol`` is a name of the expression's own scope (a field, ``params`` or a
    comprehension variable); a built-in such as ``$now`` is ``other``.
    """
    cls = type(node)
    if cls is ast.SymbolExpression:
        return "symbol" if node.scope is None else "other"
    found = _BY_CLASS.get(cls)
    if found is None:
        found = next((name for base, name in _KINDS if issubclass(cls, base)), "other")
        _BY_CLASS[cls] = found
    return found


def object_type(node: Any) -> Any:
    """The type of the typed object an attribute is read from; ``None`` for a built-in.

    rule-engine resolves it while type-checking and keeps it private.
    """
    return node._object_type


def is_field(node: Any) -> bool:
    """Whether an attribute node reads a field of a typed object (not ``length`` & co)."""
    return node._object_type is not None


def fixed_pattern(node: Any) -> re.Pattern[str] | None:
    """A regular-expression comparison's pattern, compiled at parse time if it is a literal."""
    pattern: re.Pattern[str] | None = getattr(node, "_right", None)
    return pattern


def constant(node: Any) -> Any:
    """A literal node's value, as rule-engine computes it."""
    return node.evaluate(None)


def children(node: Any) -> list[Any]:
    """The sub-expressions of a node, whatever its class keeps them in, in attribute-name order.

    Which attributes may hold sub-expressions is worked out once per node class and set of
    instance attributes: every scanner calls this on every node, and sorting a node's
    attributes each time was a quarter of the time it takes to load the rule files.
    """
    cls = type(node)
    own = getattr(node, "__dict__", None)
    key = (cls, tuple(own) if own is not None else ())
    names = _NAMES.get(key)
    if names is None:
        names = _NAMES[key] = tuple(sorted(set(key[1]) | set(_slots(cls))))
    found: list[Any] = []
    for name in names:
        child = getattr(node, name, None)
        if isinstance(child, ast.ExpressionBase):
            found.append(child)
        elif isinstance(child, tuple | list):
            found.extend(c for c in child if isinstance(c, ast.ExpressionBase))
    return found


_NAMES: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}


def _slots(cls: type) -> tuple[str, ...]:
    return tuple(
        slot for c in cls.__mro__ for slot in getattr(c, "__slots__", ()) if slot != "context"
    )


Env = dict[str, Any]
Visitor = Callable[[Any, Env], bool | None]


def scan(tree: Any, visit: Visitor, bind: Callable[[Any, Env], Any] | None = None) -> None:
    """Call ``visit(node, env)`` on every node of ``tree``, parents first, left to right.

    ``env`` maps each enclosing comprehension's variable to ``bind(iterable, env)`` (the
    iterable node itself if ``bind`` is ``None``); a comprehension's iterable is visited in
    the enclosing scope, its condition and result in the inner one. ``visit`` returns
    ``False`` to skip a node's sub-expressions. Iterative: a deep tree does not recurse.
    """
    stack: list[tuple[Any, Env]] = [(tree, {})]
    while stack:
        node, env = stack.pop()
        if visit(node, env) is False:
            continue
        if kind(node) == "comprehension":
            bound = node.iterable if bind is None else bind(node.iterable, env)
            inner = {**env, node.variable: bound}
            for part in (node.result, node.condition):
                if part is not None:
                    stack.append((part, inner))
            stack.append((node.iterable, env))
            continue
        stack.extend((child, env) for child in reversed(children(node)))


def nodes(tree: Any, bind: Callable[[Any, Env], Any] | None = None) -> list[tuple[Any, Env]]:
    """Every node of ``tree`` with its ``env``, in `scan`'s order.

    For checks that visit the whole tree: one walk serves them all, where each walk costs
    about as much as a check.
    """
    found: list[tuple[Any, Env]] = []

    def visit(node: Any, env: Env) -> None:
        found.append((node, env))

    scan(tree, visit, bind)
    return found
