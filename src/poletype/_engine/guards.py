r"""Bounds on what one rule expression may cost to load and to run.

Rule files come from users, so an expression is hostile until checked. Three costs are
bounded here, before the compiler's checks (which walk the tree recursively) run:

- its length (`Limits.expression_chars`), before anything reads the text;
- the depth of its syntax tree (`Limits.expression_depth`): rule-engine's parser builds
  the tree recursively and fails with `RecursionError` on a thousand nested ``and``s,
  and a tree it did build is measured here without recursion, so that no later walk
  meets one too deep;
- its regular expressions: a pattern that can backtrack exponentially (``(a+)+$`` takes
  minutes on forty characters) is refused, and so is a pattern that is not a constant
  (a text literal or a text parameter), since one read from the initiative could be
  anything.

The regular-expression check reads Python's own parse of the pattern (``re._parser``)
and refuses two shapes, under a quantifier that repeats: another quantifier that
repeats (``(a+)+``, ``(\w+\s?)*``), and a choice whose branches can begin with the same
character or match nothing (``(a|ab)*``, ``(a|)*``). That is conservative: some patterns
refused are safe, and all are easy to write another way; no shape accepted is one of the
known exponential ones.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from poletype._engine.syntax import ast, children
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype.errors import RuleFileError

Fail = Callable[..., RuleFileError]
_PARAMS = "params"
_PROBE = tuple(chr(c) for c in range(0x250))
"""Characters tried to tell whether two branches can begin alike: ASCII and Latin."""


def check_text(text: str, fail: Fail, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an expression longer than the limit, before it is scanned or parsed."""
    if len(text) > limits.expression_chars:
        raise fail(
            f"an expression of {len(text)} characters is too long",
            "expression-too-long",
            expected=f"at most {limits.expression_chars} characters (Limits.expression_chars)",
        )


@contextmanager
def parsing(text: str, fail: Fail, limits: Limits = DEFAULT_LIMITS) -> Iterator[None]:
    """Around rule-engine's parser: a tree too deep for its recursion is a clear error.

    Python warns (`FutureWarning`) about a pattern such as ``[[a]`` whose meaning may
    change in a later version; the parser compiles literal patterns, and a warning there
    is no error of the rule file's (under ``-W error`` it would escape as one).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    except RecursionError:
        raise fail(
            f"the expression {_abridged(text)!r} nests too deeply to be read",
            "expression-too-deep",
            expected=f"at most {limits.expression_depth} levels (Limits.expression_depth)",
        ) from None


def check_tree(
    tree: Any,
    text: str,
    fail: Fail,
    parameters: Mapping[str, Any],
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Refuse a parsed expression too deep to walk, or with an unsafe regular expression.

    The walk keeps its own stack, so it measures any depth the parser could build.
    """
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.expression_depth:
            raise fail(
                f"the expression {_abridged(text)!r} nests more than"
                f" {limits.expression_depth} levels deep",
                "expression-too-deep",
                expected=f"at most {limits.expression_depth} levels (Limits.expression_depth)",
            )
        if isinstance(node, ast.FuzzyComparisonExpression):
            _check_pattern(node.right, text, fail, parameters)
        stack.extend((child, depth + 1) for child in children(node))


def _check_pattern(node: Any, text: str, fail: Fail, parameters: Mapping[str, Any]) -> None:
    if isinstance(node, ast.StringExpression):
        pattern = node.value
    elif (
        isinstance(node, ast.GetAttributeExpression)
        and isinstance(node.object, ast.SymbolExpression)
        and node.object.name == _PARAMS
        and isinstance(parameters.get(node.name), str)
    ):
        pattern = parameters[node.name]
    else:
        raise fail(
            f"the regular expression in {_abridged(text)!r} is not a constant",
            "unsafe-regex",
            expected="a text literal or a text parameter (params.NAME) right of =~, =~~, !~, !~~",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            parsed = sre_parse.parse(pattern)
        why = unsafe_shape(parsed.data)
    except re.error as exc:
        raise fail(
            f"invalid regular expression {_abridged(pattern)!r} in {_abridged(text)!r}: {exc}",
            "expression-syntax",
        ) from None
    except RecursionError:
        why = "groups nested too deeply to be checked"
    if why is not None:
        raise fail(
            f"the regular expression {_abridged(pattern)!r} can take exponential time: {why}",
            "unsafe-regex",
            expected="no repetition inside a repetition, no overlapping choices repeated",
        )


def unsafe_shape(items: list[Any], repeated: bool = False) -> str | None:
    """Why a parsed pattern can backtrack exponentially, or None.

    >>> unsafe_shape(sre_parse.parse("(a+)+$").data)
    'a repetition inside a repetition'
    >>> unsafe_shape(sre_parse.parse("(a|ab)*").data)
    'a repeated choice whose branches can begin alike'
    >>> unsafe_shape(sre_parse.parse("^[A-Z]{2}[0-9]+$").data) is None
    True
    """
    # A pattern's own nesting is bounded by Python's parser, which recurses too.
    for op, av in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            _, high, body = av
            repeats = high == sre.MAXREPEAT or high > 1
            if repeats and repeated and op != sre.POSSESSIVE_REPEAT:
                return "a repetition inside a repetition"
            why = unsafe_shape(list(body), repeated or (repeats and op != sre.POSSESSIVE_REPEAT))
            if why:
                return why
        elif op == sre.BRANCH:
            branches = [list(b) for b in av[1]]
            if repeated and _overlap(branches):
                return "a repeated choice whose branches can begin alike"
            for branch in branches:
                why = unsafe_shape(branch, repeated)
                if why:
                    return why
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.ASSERT, sre.ASSERT_NOT):
            body = av[-1]
            if op != sre.ATOMIC_GROUP:
                why = unsafe_shape(list(body), repeated)
                if why:
                    return why
        elif op == sre.GROUPREF_EXISTS:
            for body in av[1:]:
                why = None if body is None else unsafe_shape(list(body), repeated)
                if why:
                    return why
    return None


def _overlap(branches: list[list[Any]]) -> bool:
    """Whether two branches of a choice can begin with the same character, or one is empty."""
    firsts: list[set[str]] = []
    for branch in branches:
        if not branch:
            return True
        first = _first_characters(branch[0])
        if first is None:
            return True
        if any(first & seen for seen in firsts):
            return True
        firsts.append(first)
    return False


def _first_characters(item: Any) -> set[str] | None:
    """The probe characters one pattern item can begin with; None if it can match nothing."""
    op, av = item
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = av
        if low == 0 or not body:
            return None
        return _first_characters(body[0])
    if op == sre.SUBPATTERN:
        body = av[-1]
        return _first_characters(body[0]) if len(body) else None
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
        matcher = sre_compile.compile(_single(item), re.DOTALL)
        return {c for c in _PROBE if matcher.fullmatch(c)}
    return None


def _single(item: Any) -> Any:
    """A one-item parsed pattern, which ``re._compiler`` compiles as it compiles a text."""
    state = sre_parse.State()
    return sre_parse.SubPattern(state, [item])


def _abridged(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
