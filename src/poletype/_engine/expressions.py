"""One expression of a rule file: parsed, vetted against the sandbox, typed, compiled.

Every expression goes through `compile_expression`, with the `Scope` of names it may
read; `compiler` calls it for each criterion, indicator, descriptor and template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import rule_engine

from poletype._engine.codegen import compile_tree
from poletype._engine.guards import check_text, check_tree, parsing
from poletype._engine.interpreter import resolve_symbol
from poletype._engine.symbols import PARAMS, initiative_schema, params_object
from poletype._engine.syntax import DataType, ast, is_field, kind, nodes, re_errors, scan
from poletype._engine.typology import (
    Expression,
)
from poletype._read.yaml import line_of
from poletype.errors import ErrorCode, RuleFileError
from poletype.rulefile import (
    RuleFile,
)

ALLOWED_BUILTINS = frozenset({"e", "pi"})


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


_UNDERSCORE_NAME = re.compile(r"(?<![\w$])_\w*|\.\s*(_\w*)")


_BUILTIN = re.compile(r"\$(\w+)")


_CALL = re.compile(r"([\w$]+|[)\]])\s*\(")


_KEYWORDS = frozenset({"and", "or", "not", "in", "if", "for", "true", "false", "null"})


Fail = Callable[..., RuleFileError]


class Scope:
    """What compiling one rule file needs: the file, its raw document and a typed context."""

    def __init__(
        self, file: str, raw: Any, parameters: dict[str, Any], spec: RuleFile | None = None
    ) -> None:
        self.spec = spec
        self.file = file
        self.raw = raw
        self.parameters = parameters
        schema = initiative_schema()
        types = dict(schema.root)
        types[PARAMS] = params_object(parameters)
        self.context = rule_engine.Context(
            type_resolver=types,
            resolver=resolve_symbol,
            mapping_attribute_lookup=False,
            default_timezone="utc",
        )
        self.fields = schema.fields
        self.compiled: dict[tuple[str, bool], Expression] = {}
        params = parameters.items()
        self.signature = json.dumps(
            {k: v if isinstance(v, str | list) else type(v).__name__ for k, v in params},
            sort_keys=True,
            default=repr,
        )
        """What compiling a text that reads ``params`` depends on: the parameters' types,
        and the values of text parameters (checked against enumerated fields)."""

    def error(
        self,
        message: str,
        *,
        code: ErrorCode,
        loc: tuple[str | int, ...],
        criterion: str | None = None,
        **kwargs: str | None,
    ) -> RuleFileError:
        return RuleFileError(
            message,
            code=code,
            file=self.file,
            line=line_of(self.raw, loc),
            criterion=criterion,
            **kwargs,
        )


def compile_expression(
    text: str,
    scope: Scope,
    *,
    loc: tuple[str | int, ...],
    criterion: str | None,
    boolean: bool = True,
) -> Expression:
    """Parse, type-check and vet one expression; raise `RuleFileError` on any fault.

    An expression met again in the same file (a placeholder in both languages' sentences)
    is compiled once and shared.
    """
    key = (text, boolean)
    if key not in scope.compiled:
        shared = (text, boolean, scope.signature if PARAMS in text else "")
        expression = _SHARED.get(shared)
        if expression is None:
            expression = _compile_expression(
                text, scope, loc=loc, criterion=criterion, boolean=boolean
            )
            if len(_SHARED) >= _SHARED_LIMIT:
                _SHARED.clear()
            _SHARED[shared] = expression
        scope.compiled[key] = expression
    return scope.compiled[key]


_SHARED: dict[tuple[str, bool, str], Expression] = {}
"""Expressions compiled in this process, shared between rule files and parameter sets.

The same text means the same checked expression when it does not read ``params``, or
when the parameters have the same `Scope.signature`. Rule
files repeat many expressions (a third of the shipped ones), and a parameter sweep
reloads a typology many times.
"""


_SHARED_LIMIT = 4096


def _compile_expression(
    text: str,
    scope: Scope,
    *,
    loc: tuple[str | int, ...],
    criterion: str | None,
    boolean: bool,
) -> Expression:

    def fail(message: str, code: ErrorCode, **kwargs: str | None) -> RuleFileError:
        return scope.error(message, code=code, loc=loc, criterion=criterion, **kwargs)

    check_text(text, fail)
    _prescan(text, fail)
    try:
        with parsing(text, fail):
            rule = rule_engine.Rule(text, context=scope.context)
    except re_errors.RuleSyntaxError as exc:
        token = getattr(exc, "token", None)
        where = "end of expression" if token is None else repr(getattr(token, "value", token))
        raise fail(
            f"syntax error in {text!r} at {where}",
            "expression-syntax",
            expected="an expression in the rule-engine grammar",
        ) from None
    except re_errors.SymbolResolutionError as exc:
        dotted = _dotted(text, exc.symbol_name)
        suggestion = exc.suggestion
        rest = dotted.split(".", 1)[1:]
        if suggestion and rest and f"{suggestion}.{rest[0]}" in scope.fields:
            suggestion = f"{suggestion}.{rest[0]}"
        raise fail(
            f"unknown field {dotted!r} in {text!r}",
            "unknown-field",
            expected="a field of the initiative model or params.NAME",
            suggestion=suggestion,
        ) from None
    except re_errors.AttributeResolutionError as exc:
        raise _attribute_error(text, exc, scope, fail) from None
    except re_errors.SyntaxError as exc:
        raise fail(f"syntax error in {text!r}: {exc.message}", "expression-syntax") from None
    except re_errors.ArithmeticError as exc:
        raise fail(
            f"{text!r} cannot be evaluated: {exc.message}",
            "evaluation-error",
            expected="arithmetic defined on its constants (no division by zero, no overflow)",
        ) from None
    except re_errors.EvaluationError as exc:
        raise fail(
            f"type mismatch in {text!r}: {exc.message}",
            "type-mismatch",
            expected="operands of compatible types (numbers with numbers, text with text)",
        ) from None
    except re_errors.EngineError as exc:
        raise fail(
            f"{text!r} cannot be evaluated: {exc}",
            "evaluation-error",
            expected="an expression rule-engine can evaluate",
        ) from None
    tree = rule.statement.expression
    check_tree(tree, text, fail, scope.parameters)
    every = nodes(tree, bind=_path_of)
    _vet(every, text, fail)
    if boolean and tree.result_type not in (DataType.BOOLEAN, DataType.UNDEFINED):
        raise fail(
            f"the condition {text!r} is not a yes/no test",
            "not-boolean",
            expected="a boolean expression",
            found=tree.result_type.name,
        )
    paths, parameters = _reads(tree)
    _check_enum_literals(every, text, scope, fail)
    read = tuple(sorted(paths))
    native = compile_tree(text, rule, read, (node for node, _ in every))
    return Expression(
        text=text,
        rule=rule,
        paths=read,
        parameters=tuple(sorted(parameters)),
        native=native,
        safe=not native.delegated and all(_safe(node) for node, _ in every),
    )


def _prescan(text: str, fail: Fail) -> None:
    code = _STRING.sub('""', text)
    match = _UNDERSCORE_NAME.search(code)
    if match:
        name = (match.group(1) or match.group(0)).strip(". ")
        raise fail(
            f"names starting with '_' are not allowed: {name!r} in {text!r}",
            "forbidden-name",
            expected="a field of the initiative model or params.NAME",
        )
    for match in _CALL.finditer(code):
        if match.group(1) not in _KEYWORDS:
            raise fail(
                f"function calls are not allowed: {text!r}",
                "forbidden-call",
                expected="fields, parameters, operators and comprehensions only",
            )
    for builtin in _BUILTIN.findall(code):
        if builtin not in ALLOWED_BUILTINS:
            raise fail(
                f"built-in '${builtin}' is not allowed in {text!r}",
                "forbidden-builtin",
                expected=f"no built-ins but {sorted('$' + b for b in ALLOWED_BUILTINS)}; "
                "a verdict must not depend on when or where it runs (use a parameter such "
                "as as_of for a date)",
            )
    if "??" in code or "&." in code or "&[" in code or re.search(r"\bnull\b", code):
        raise fail(
            f"{text!r} handles absent values itself",
            "forbidden-null-handling",
            expected="an expression written as if every fact were known: poletype treats "
            "absent facts as unknown, and '??', '&.' or null would turn unknown into a value",
        )


def _vet(every: list[tuple[Any, dict[str, Any]]], text: str, fail: Fail) -> None:
    """Refuse, on the parsed tree, what the prescan could have missed.

    A comprehension variable may not reuse the name of an enclosing one: rule-engine 5.1
    resolves such a name to the *outer* variable, against every reader's expectation.
    """

    def visit(node: Any, bound: dict[str, Any]) -> None:
        if kind(node) == "comprehension":
            if node.variable in bound:
                raise fail(
                    f"the variable {node.variable!r} is already bound by an enclosing "
                    f"comprehension in {text!r}",
                    "forbidden-name",
                    expected="a new name for each nested comprehension's variable",
                )
            if node.variable.startswith("_"):
                raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")
            return
        if isinstance(node, ast.FunctionCallExpression):
            raise fail(f"function calls are not allowed: {text!r}", "forbidden-call")
        if isinstance(node, ast.CoalesceExpression | ast.NullExpression) or getattr(
            node, "safe", False
        ):
            raise fail(f"{text!r} handles absent values itself", "forbidden-null-handling")
        if isinstance(node, ast.SymbolExpression):
            if node.scope is not None and node.name not in ALLOWED_BUILTINS:
                raise fail(
                    f"built-in '${node.name}' is not allowed in {text!r}", "forbidden-builtin"
                )
            if node.name.startswith("_"):
                raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")
        if kind(node) == "attribute" and node.name.startswith("_"):
            raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")

    for node, env in every:
        visit(node, env)


def _dotted(text: str, name: str) -> str:
    match = re.search(rf"(?<![\w.]){re.escape(name)}(?:\.\w+)*", _STRING.sub('""', text))
    return match.group(0) if match else name


def _attribute_error(text: str, exc: Any, scope: Scope, fail: Fail) -> RuleFileError:
    name = exc.attribute_name if hasattr(exc, "attribute_name") else exc.args[0]
    code_text = _STRING.sub('""', text)
    match = re.search(rf"([\w.]*)\.\s*{re.escape(str(name))}\b", code_text)
    prefix = match.group(1) if match else ""
    suggestion = exc.suggestion
    if prefix == PARAMS or prefix.endswith("." + PARAMS):
        return fail(
            f"unknown parameter {name!r} in {text!r}",
            "unknown-parameter",
            expected=f"one of {sorted(scope.parameters)} (declared under 'parameters')",
            suggestion=f"{PARAMS}.{suggestion}" if suggestion else None,
        )
    full = f"{prefix}.{name}" if prefix else str(name)
    if full in scope.fields and "." in full:
        item = prefix.rsplit(".", 1)[-1][:1] or "x"
        return fail(
            f"{prefix!r} is a list, so {full!r} needs a comprehension in {text!r}",
            "type-mismatch",
            expected=f"[{item}.{name} for {item} in {prefix}]",
        )
    return fail(
        f"unknown field {full!r} in {text!r}",
        "unknown-field",
        expected="a field of the initiative model or a built-in attribute such as length",
        suggestion=f"{prefix}.{suggestion}" if suggestion and prefix else suggestion,
    )


def _path_of(node: Any, env: dict[str, Any]) -> str | None:
    """The dotted path a node reads (a comprehension variable stands for its iterable's)."""
    what = kind(node)
    if what == "symbol":
        path: str | None = env.get(node.name, node.name)
        return path
    if what == "attribute":
        base = _path_of(node.object, env)
        return None if base is None else f"{base}.{node.name}"
    return None


def _reads(tree: Any) -> tuple[set[str], set[str]]:
    """Input paths and parameters an expression reads, from its tree.

    Comprehension variables stand for their iterable's path, so ``m.kind`` in
    ``[m.kind for m in members]`` reads ``members.kind``.
    """
    paths: set[str] = set()
    parameters: set[str] = set()
    fields = initiative_schema().fields

    def path_of(node: Any, env: dict[str, Any]) -> str | None:
        if kind(node) == "attribute":
            base = path_of(node.object, env)
            if base is None:
                return None
            candidate = f"{base}.{node.name}"
            return candidate if base == PARAMS or candidate in fields else None
        return _path_of(node, env)

    def visit(node: Any, env: dict[str, Any]) -> bool | None:
        path = path_of(node, env)
        if path is not None:
            if path.startswith(PARAMS + "."):
                parameters.add(path.split(".", 1)[1])
            elif path != PARAMS:
                paths.add(path)
            return False
        return False if kind(node) == "symbol" and node.name in env else None

    scan(tree, visit, bind=path_of)
    return paths, parameters


def _check_enum_literals(
    every: list[tuple[Any, dict[str, Any]]], text: str, scope: Scope, fail: Fail
) -> None:
    """A string compared with an enumerated field must be one of its values."""

    def strings(node: Any) -> list[str]:
        if isinstance(node, ast.StringExpression):
            return [node.value]
        if isinstance(node, ast.ArrayExpression):
            return [s for m in node.value for s in strings(m)]
        path = _path_of(node, {})
        if path is not None and path.startswith(PARAMS + "."):
            value = scope.parameters.get(path.split(".", 1)[1])
            if isinstance(value, str):
                return [value]
            if isinstance(value, list):
                return [str(v) for v in value]
        return []

    def check(field_node: Any, other: Any, env: dict[str, Any]) -> None:
        path = _path_of(field_node, env)
        info = scope.fields.get(path) if path else None
        if info is None or info.allowed is None:
            return
        for value in strings(other):
            if value not in info.allowed:
                raise fail(
                    f"{value!r} is not a value of {path!r} in {text!r}",
                    "unknown-value",
                    expected=f"one of {list(info.allowed)}",
                )

    def visit(node: Any, env: dict[str, Any]) -> None:
        if isinstance(node, ast.ComparisonExpression) and node.type in ("eq", "ne"):
            check(node.left, node.right, env)
            check(node.right, node.left, env)
        if kind(node) == "contains":
            check(node.member, node.container, env)
            check(node.container, node.member, env)

    for node, env in every:
        visit(node, env)


_SAFE_NODES = (
    ast.SymbolExpression,
    ast.LiteralExpressionBase,
    ast.ArrayExpression,
    ast.ComprehensionExpression,
    ast.LogicExpression,
    ast.TernaryExpression,
)


def cannot_fail(expression: Expression) -> bool:
    """Whether evaluating ``expression`` on any initiative can only give a value.

    Conservative: reads, literals, comprehensions, logic, equality, ``in`` over an
    array and the attributes of typed objects and arrays; anything else (arithmetic,
    ordering, regular expressions, rule-engine fall-backs) might raise.
    """
    return expression.safe


def _safe(node: Any) -> bool:
    """Whether one node, its operands known, can only give a value."""
    if isinstance(node, ast.FuzzyComparisonExpression | ast.ArithmeticComparisonExpression):
        return False
    if isinstance(node, ast.ComparisonExpression):
        return True
    what = kind(node)
    if what == "contains":
        return bool(DataType.is_type(node.container.result_type, DataType.ARRAY))
    if what == "unary":
        return bool(node.type == "not")
    if what == "attribute":
        return is_field(node) or _safe_builtin(node.name, node.object.result_type)
    return isinstance(node, _SAFE_NODES)


def _safe_builtin(name: str, of: Any) -> bool:
    """``.length`` and ``.is_empty`` of a collection; ``.to_set`` of scalars (hashable)."""
    if name in ("length", "is_empty"):
        return any(DataType.is_type(of, t) for t in (DataType.ARRAY, DataType.SET))
    return (
        name == "to_set"
        and DataType.is_type(of, DataType.ARRAY)
        and getattr(of, "value_type", None) in (DataType.STRING, DataType.FLOAT, DataType.BOOLEAN)
    )
