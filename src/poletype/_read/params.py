"""Parameter values from outside a rule file: read strictly, checked before any work.

A parameter value reaches poletype from a command line (``--param NAME=VALUE``), from
Python (``params=``) or from a rule file's example. Whatever the route, a value is one
of the shapes a rule file can declare (true or false, a finite number, a text, a list of
texts), or it is refused with ``bad-parameter`` naming the parameter, the shape expected
and the value found. The check comes first: the loader's cache key, the rules hash and
the compiled typology all serialise the value, and a `Decimal`, a set, a date, a NaN or
a list that contains itself would fail there with a traceback, or, worse, hash one value
while computing with another.

The command line does not read values as YAML: a YAML reader turns ``2024-01-01`` into a
date, ``.nan`` into a float that is not a number, ``!tag`` into a constructor call and
``&a [*a, *a]`` into an exponential expansion. `read_value` reads a small grammar
instead: ``true``/``false``, a decimal number, a quoted or bare text, and a flat list of
these in square brackets.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from poletype._read.limits import DEFAULT_LIMITS
from poletype.errors import PoletypeError, UsageError

Scalar = bool | int | float | str

_INTEGER: Final = re.compile(r"[-+]?[0-9]+")
_DECIMAL: Final = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BOOLEANS: Final = {"true": True, "false": False}
_RESERVED: Final = frozenset("!&*{}|>%@`#")
"""YAML indicators a bare text may not start with: they meant a tag, an anchor, an alias,
a mapping or a block there, and a reader of the command line might expect that meaning."""
_SHAPES: Final = "true or false, a finite number, a text, or a list of texts"


def read_value(name: str, text: str) -> Scalar | list[Scalar]:
    """The value of ``--param NAME=TEXT``, read by a grammar much smaller than YAML's.

    >>> read_value("n", "5"), read_value("s", "0.5"), read_value("f", "true")
    (5, 0.5, True)
    >>> read_value("c", "[FR, 'Côte d''Ivoire']")
    ['FR', "Côte d'Ivoire"]
    """
    stripped = text.strip()
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise _bad(name, "a list closed by ']'", f"{text!r} (unclosed '[')")
        inner = stripped[1:-1].strip()
        if not inner:
            return []
        return [_scalar(name, item, text) for item in _split(name, inner, text)]
    return _scalar(name, stripped, text)


def _split(name: str, inner: str, whole: str) -> list[str]:
    """The items of a list's inside, split at commas outside quotes."""
    items: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for char in inner:
        if quote is not None:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ",":
            items.append("".join(current).strip())
            current = []
        elif char in "[]":
            raise _bad(name, "a flat list of texts, numbers or booleans", repr(whole))
        else:
            current.append(char)
    if quote is not None:
        raise _bad(name, f"a text closed by {quote}", f"{whole!r} (unclosed {quote})")
    items.append("".join(current).strip())
    if any(not item for item in items):
        raise _bad(name, "list items separated by single commas", repr(whole))
    return items


def _scalar(name: str, item: str, whole: str) -> Scalar:
    """One number, boolean or text; quotes keep a text that looks like something else."""
    if item[:1] in ("'", '"'):
        quote = item[0]
        if len(item) < 2 or not item.endswith(quote):
            raise _bad(name, f"a text closed by {quote}", f"{whole!r} (unclosed {quote})")
        body = item[1:-1]
        # YAML's and SQL's escape of a quote inside quotes: doubled.
        if quote in body.replace(quote * 2, ""):
            raise _bad(name, f"a quote inside a text doubled ({quote * 2})", repr(whole))
        return body.replace(quote * 2, quote)
    if item.lower() in _BOOLEANS:
        return _BOOLEANS[item.lower()]
    if _INTEGER.fullmatch(item):
        return _integer(name, int(item) if len(item) <= _digits() + 1 else None, item)
    if _DECIMAL.fullmatch(item):
        number = float(item)
        if not math.isfinite(number):
            raise _bad(name, "a finite number", repr(item))
        return number
    if item[:1] in _RESERVED:
        raise _bad(
            name,
            f"{_SHAPES}; quote a text that starts with {item[0]!r} (YAML tags, anchors "
            "and aliases are not read)",
            repr(whole),
        )
    return item


def _digits() -> int:
    return DEFAULT_LIMITS.integer_digits


def _integer(name: str, value: int | None, shown: str) -> int:
    if value is None or len(str(abs(value))) > _digits():
        raise _bad(name, f"a number of at most {_digits()} digits", f"{shown[:20]}…")
    return value


def checked_values(
    params: Mapping[Any, Any], *, error: type[PoletypeError] = UsageError, file: str | None = None
) -> dict[str, Any]:
    """Parameter values in one of the shapes a rule file declares, as plain Python values.

    Every name is a text and every value true or false, a finite number, a text, or a flat
    list (or tuple) of such scalars; subclasses (an `IntEnum`, a `StrEnum`) become their
    plain type, so the provenance of a verdict is plain data. Whether the shape is the
    one the parameter declares is checked next, by `coerce_parameter`, against the rule
    file; this check only has to make that one safe. Raises ``error`` (`UsageError` for
    the caller's values, `RuleFileError` for a rule file's) with ``bad-parameter``.
    """
    if not isinstance(params, Mapping):
        raise error(
            "parameters are a mapping of names to values",
            code="bad-parameter",
            file=file,
            expected="a mapping such as {'min_organisations': 3}",
            found=type(params).__name__,
        )
    values: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(name, str):
            raise error(
                "a parameter's name is a text",
                code="bad-parameter",
                file=file,
                expected="a text",
                found=f"{shown(name)} ({type(name).__name__})",
            )
        values[str(name)] = _plain(name, value, error, file)
    return values


def _plain(name: str, value: Any, error: type[PoletypeError], file: str | None) -> Any:
    if isinstance(value, list | tuple):
        return [_plain_scalar(name, item, error, file, value) for item in value]
    return _plain_scalar(name, value, error, file, value)


def _plain_scalar(
    name: str, value: Any, error: type[PoletypeError], file: str | None, whole: Any
) -> Scalar:
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        if value.bit_length() > _digits() * 4:
            raise _bad(name, f"a number of at most {_digits()} digits", shown(whole), error, file)
        if len(str(abs(int(value)))) > _digits():
            raise _bad(name, f"a number of at most {_digits()} digits", shown(whole), error, file)
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _bad(name, "a finite number", shown(whole), error, file)
        return float(value)
    if isinstance(value, str):
        return str(value)
    kind = type(value).__name__
    expected = _SHAPES if whole is value else "a flat list of texts, numbers or booleans"
    raise _bad(name, expected, f"{shown(whole)} ({kind})", error, file)


def shown(value: Any, limit: int = 60) -> str:
    """A short repr that cannot fail.

    A huge integer is shown by its size (Python refuses to print one of over 4,300
    digits), a long or self-containing list abridged, by `reprlib`.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        text = reprlib.repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bad(
    name: str,
    expected: str,
    found: str,
    error: type[PoletypeError] = UsageError,
    file: str | None = None,
) -> PoletypeError:
    return error(
        f"parameter {name!r} cannot take this value",
        code="bad-parameter",
        file=file,
        expected=expected,
        found=found,
    )


def frozen_parameters(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """Parameter values that cannot be changed after a typology is compiled with them.

    A compiled typology is cached and shared by every caller in the process, and each of
    its verdicts states the parameters it was computed with; a value changed in place
    would then be stated but not used. The mapping is a read-only view and a list a
    `ReadOnlyList`, which stays a list for every reader (reports, verdict values, JSON).
    """
    return MappingProxyType(
        {k: ReadOnlyList(v) if isinstance(v, list) else v for k, v in values.items()}
    )


def _refuse(self: object, *args: Any, **kwargs: Any) -> Any:
    msg = (
        "a compiled typology's parameter values cannot be changed; "
        "load it again with params= instead"
    )
    raise TypeError(msg)


class ReadOnlyList(list[Any]):
    """A list that refuses to change: a list parameter's value in a compiled typology.

    Readers (reports, a verdict's values, its JSON) take it as the list it is; every
    method that changes a list is refused (calling `list.append` on it directly is no
    accident, and is not guarded against). Copies are plain lists; a pickle is read-only.
    """

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadOnlyList, (list(self),))

    def __copy__(self) -> list[Any]:
        return list(self)


class ReadOnlyDict(dict[str, Any]):
    """A dict that refuses to change: the runtime parameter values a typology computes with.

    The backends take these values as a `dict`, so a read-only view would not do; every
    method that changes a dict is refused here instead (what stays possible, calling
    `dict.__setitem__` on it, is no accident). Copies (``dict(x)``, ``copy``) are plain
    dicts; a pickle is read-only again.
    """

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadOnlyDict, (dict(self),))

    def __copy__(self) -> dict[str, Any]:
        return dict(self)
