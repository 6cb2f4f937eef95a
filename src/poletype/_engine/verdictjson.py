"""A verdict's canonical JSON, written from shapes made once per typology.

pydantic walks a verdict's twenty models and every value's type each time it writes
one; a batch that writes every verdict (``poletype classify``, ``screen``, a sweep's JSON
out) paid more for that than for the classification. Most of a verdict's bytes are the
same for every initiative under one typology: labels, sources, interpretations, the
parameters. A `Shape` is the JSON pydantic writes for a model whose varying values are
replaced by numbered markers, cut at the markers into a format string: writing a verdict
is then filling the holes with the JSON of the values that vary, written here for the
plain values they are (strings, numbers, lists, dicts) and by pydantic for anything
else. Same bytes as pydantic's by construction: the constant text is pydantic's own
output, strings are escaped by the standard library's encoder (identical on every code
point but lone surrogates), and the differential and golden tests compare the two on
every shipped typology, indented and compact.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel, ConfigDict

_TOKEN = secrets.token_hex(8)
_MARK = re.compile(r'"\\u0000' + _TOKEN + r":(\d+)\\u0000\"")


def slot(number: int) -> str:
    """The marker that stands for hole ``number`` in a model given to `Shape`."""
    return f"\x00{_TOKEN}:{number}\x00"


class Unshapely(Exception):  # noqa: N818 - a signal: write with pydantic instead
    """A model whose JSON does not show each marker exactly once."""


class Shape:
    """One model's JSON with holes: its constant pieces, and the nesting level of each hole.

    ``level`` is the depth the model's JSON starts at inside the document (for indented
    output); each hole's level is the depth of the value written into it; ``names``
    what the holes stand for, if the maker wants to remember it. Filling joins the
    pieces and the values (a format string of a few kilobytes costs more to parse each
    time than the join).
    """

    __slots__ = ("head", "levels", "names", "pairs")

    def __init__(
        self,
        model: BaseModel,
        holes: int,
        indent: int | None,
        level: int,
        names: Sequence[str] = (),
    ) -> None:
        text = model.model_dump_json(indent=indent, warnings=False)
        if indent:
            text = text.replace("\n", "\n" + " " * (indent * level))
        pieces = _MARK.split(text)
        numbers = [int(n) for n in pieces[1::2]]
        if sorted(numbers) != list(range(holes)):
            raise Unshapely
        constant = pieces[::2]
        levels = [0] * holes
        written = ""
        for number, piece in zip(numbers, constant, strict=False):
            written += piece
            line = written[written.rfind("\n") + 1 :]
            levels[number] = (len(line) - len(line.lstrip(" "))) // indent if indent else 0
        self.head = constant[0]
        self.pairs = tuple(zip(numbers, constant[1:], strict=True))
        self.levels = tuple(levels)
        self.names = tuple(names)

    def fill(self, values: Sequence[str | list[str]]) -> str:
        """The JSON with hole ``n`` holding ``values[n]``: JSON text, or its pieces.

        A value given as pieces (`pieces`) is joined with the rest: a verdict's JSON is
        some 24 kB, mostly its criteria, and each join of it is a copy.
        """
        return "".join(self.pieces(values))

    def pieces(self, values: Sequence[str | list[str]]) -> list[str]:
        """`fill`'s pieces, not joined yet: a criterion's go into its verdict's join."""
        out = [self.head]
        for number, piece in self.pairs:
            value = values[number]
            if type(value) is list:
                out += value
            else:
                out.append(value)
            out.append(piece)
        return out


class _Box(BaseModel):
    """One value of any type, written as pydantic writes a field typed ``Any`` of a verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Any


def _boxed(value: Any, level: int, indent: int | None) -> str:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=indent)
        return text.replace("\n", "\n" + " " * (indent * level)) if indent else text
    text = _Box.model_construct(value=value).model_dump_json(indent=indent)
    if not indent:
        return text[len('{"value":') : -1]
    inner = text[len('{\n"value": ') + indent : -2]
    return inner.replace("\n" + " " * indent, "\n" + " " * (indent * level))


def dump(value: Any, level: int, indent: int | None) -> str:
    """``value`` as pydantic writes it at depth ``level`` in a field typed ``Any``."""
    kind = type(value)
    scalar = _SCALAR.get(kind)
    if scalar is not None:
        return scalar(value)
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        texts: list[str] | None = None
        if type(value[0]) is str:
            try:  # a list of strings (codes, paths), escaped in one pass
                texts = list(map(encode_basestring, value))
            except TypeError:
                texts = None
        if texts is None:
            inner = level + 1
            texts = [
                _SCALAR[type(v)](v) if type(v) in _SCALAR else dump(v, inner, indent) for v in value
            ]
        return items(texts, level, indent)
    if kind is dict and all(type(k) is str for k in value):
        if not value:
            return "{}"
        colon = ":" if indent is None else ": "
        pairs = [
            encode_basestring(k) + colon + dump(v, level + 1, indent) for k, v in value.items()
        ]
        return items(pairs, level, indent, "{}")
    return _boxed(value, level, indent)


_SCALAR: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
    int: str,
}
"""How `dump` writes the scalars lists hold."""


def items(written: list[str], level: int, indent: int | None, pair: str = "[]") -> str:
    """A JSON array (or, with ``pair`` ``{}``, object) of items written already."""
    if not written:
        return pair
    opening, separator, closing = brackets(level, indent, pair)
    return opening + separator.join(written) + closing


def brackets(level: int, indent: int | None, pair: str = "[]") -> tuple[str, str, str]:
    """An array's (or object's) opening, separator and closing at depth ``level``."""
    if indent is None:
        return pair[0], ",", pair[1]
    inner = "\n" + " " * (indent * (level + 1))
    return pair[0] + inner, "," + inner, "\n" + " " * (indent * level) + pair[1]


_UNMADE: Any = object()


class Shapes:
    """Shapes and the JSON of shared values, for one typology, made when first needed.

    Kept on the typology (``memo``), so they go when it goes. ``shared`` holds the JSON of
    models many verdicts hold the same instance of (outcome labels, scores), each with
    the instance, so that its id cannot be reused while its entry lives.
    """

    __slots__ = ("_made", "_shared")

    def __init__(self) -> None:
        self._made: dict[Any, Shape | None] = {}
        self._shared: dict[tuple[int, int | None, int], tuple[Any, str]] = {}

    def get(self, key: Any, make: Callable[[], Shape]) -> Shape | None:
        """The shape under ``key``, made once; None when the model has none."""
        found = self._made.get(key, _UNMADE)
        if found is _UNMADE:
            try:
                found = make()
            except Unshapely:
                found = None
            self._made[key] = found
        return found  # type: ignore[no-any-return]

    def shared(self, value: Any, level: int, indent: int | None) -> str:
        """``dump`` of a value many verdicts share, written once."""
        key = (id(value), indent, level)
        found = self._shared.get(key)
        if found is not None and found[0] is value:
            return found[1]
        text = dump(value, level, indent)
        self._shared[key] = (value, text)
        return text


def excluded(field: Any, value: Any) -> bool:
    """Whether pydantic leaves ``value`` out of the JSON (the field's ``exclude_if``)."""
    test = getattr(field, "exclude_if", None)
    return bool(test is not None and test(value))


def holed(
    fields: Mapping[str, Any],
    values: Mapping[str, Any],
    fixed: frozenset[str],
    nested: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[str]]:
    """A model's field values with a marker for each one that varies, and their names.

    ``fields`` is the model's ``model_fields``; ``values`` every field's value; the
    names in ``fixed``, and those left out of the JSON, keep their value. A field named
    in ``nested`` that holds a model gets that model with a marker for each of its own
    fields (named ``field.subfield``): the verdict writes its graded parts flat.
    """
    out: dict[str, Any] = {}
    holes: list[str] = []
    for name, field in fields.items():
        value = values[name]
        if name in fixed or excluded(field, value):
            out[name] = value
        elif name in nested and isinstance(value, BaseModel):
            inner, names = holed(type(value).model_fields, dict(value), frozenset())
            renumbered: dict[str, Any] = {}
            for key, part in inner.items():
                if key in names:
                    renumbered[key] = slot(len(holes))
                    holes.append(f"{name}.{key}")
                else:
                    renumbered[key] = part
            out[name] = type(value).model_construct(**renumbered)
        else:
            out[name] = slot(len(holes))
            holes.append(name)
    return out, holes
