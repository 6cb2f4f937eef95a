"""A strict JSON reader for initiatives: every way a document can fail is declared.

``json.loads`` accepts what an initiative must not be: a repeated key (the last one wins
silently, so ``{"name": "Good", "name": "Evil"}`` reads as Evil, where YAML refuses it),
``NaN`` and ``Infinity``, integers of any length (converting 4,300 digits raises a bare
`ValueError`), and nesting that its recursive decoder turns into a `RecursionError`.
`load_json` bounds each against `Limits` and raises `InitiativeError` with a code of
its own, so a hostile line or file costs its own result and nothing else.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from poletype._read.limits import DEFAULT_LIMITS, Limits, exceeds_bytes
from poletype.errors import ErrorCode, InitiativeError

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")


@dataclass
class _RefusedError(Exception):
    """Raised from inside a decoder hook, turned into an `InitiativeError` by `load_json`."""

    message: str
    code: ErrorCode


def nests_deeper(text: str, limit: int) -> bool:
    """Whether lists and objects in a JSON text nest more than ``limit`` deep.

    Without recursing, and in C for the most part: strings are cut out (a bracket inside
    one does not nest), then the brackets are read ``limit`` at a time, and only a slice
    with enough openings to pass the limit is counted one by one. On a broken text the
    answer is approximate, which is enough: the decoder reports the syntax error.

    >>> nests_deeper('{"a": [1, {"b": "]]]"}]}', 3), nests_deeper('[[[[]]]]', 3)
    (False, True)
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_ONE_KIND)
    depth = 0
    for start in range(0, len(brackets), limit):
        chunk = brackets[start : start + limit]
        openings = chunk.count("[")
        if depth + openings <= limit:
            depth += 2 * openings - len(chunk)
            continue
        for bracket in chunk:
            depth += 1 if bracket == "[" else -1
            if depth > limit:
                return True
    return False


def load_json(text: str, *, file: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse one JSON document, raising `InitiativeError` on anything but a sound one.

    Checked before decoding: size (``document_bytes``) and nesting (``depth``), as the
    decoder recurses once per level. Checked while decoding: repeated keys, integers
    longer than ``integer_digits`` (before Python converts them), and numbers that are
    not finite (``NaN``, ``Infinity``, ``1e999``).
    """
    code: ErrorCode
    if exceeds_bytes(text, limits.document_bytes):
        code = "document-too-large"
        raise InitiativeError(
            f"document larger than {limits.document_bytes} bytes (limit `document_bytes`)",
            code=code,
            file=file,
        )
    # Only a text with more openings than the limit can nest past it.
    if text.count("[") + text.count("{") > limits.depth and nests_deeper(text, limits.depth):
        code = "too-deep"
        raise InitiativeError(
            f"nested more than {limits.depth} levels deep (limit `depth`)", code=code, file=file
        )

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.integer_digits:
            raise _RefusedError(
                f"an integer of {len(digits.lstrip('-'))} digits; at most"
                f" {limits.integer_digits} (limit `integer_digits`)",
                "integer-too-long",
            )
        return int(digits)

    try:
        return json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=parse_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except _RefusedError as exc:
        raise InitiativeError(exc.message, code=exc.code, file=file) from None
    except json.JSONDecodeError as exc:
        code = "unreadable-input"
        raise InitiativeError(
            f"invalid JSON: {exc.msg}", code=code, file=file, line=exc.lineno
        ) from None
    except RecursionError:  # only if the stack was already deep when called
        code = "too-deep"
        raise InitiativeError("nested too deep for the stack left", code=code, file=file) from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are each written once, as in YAML (the last would win)."""
    result = dict(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RefusedError(f"duplicate key {key!r}", "duplicate-key")
            seen.add(key)
    return result


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedError(f"number {text[:40]} is too large to be finite", "not-finite")
    return value


def _constant(name: str) -> float:
    raise _RefusedError(f"{name} is not a number poletype reads", "not-finite")
