"""Dotted input paths: read them, tell whether they are known, say what to ask for.

A path such as ``members.kind`` runs through the list of members: its value is the list
of every member's kind. It is known only when the list is known and every member's kind
is. When it is not, the fact to ask for is ``members`` if the list itself is absent, and
``members.kind`` otherwise.

A list that names only some of its entries (format 1.1: ``members_complete: false``, a
``partners`` list not said to be complete) is a `Partial`: the entries it names, and an
unknown tail of ``low`` to ``high`` more of unknown description. Such a list is never
known; what to ask is what the list carries in ``asks`` (``members_complete``,
``member_count``, ``partners_complete``...).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel


class Partial(list[Any]):
    """The named entries of a list that holds ``low`` to ``high`` more, unnamed.

    A ``list`` so that everything reading names (justifications, the derived origin,
    the what-if search) reads the named entries unchanged; the engine's backends read
    the tail. ``high`` is ``None`` when nothing bounds the list.
    """

    __slots__ = ("asks", "high", "low")

    def __init__(
        self, named: Iterable[Any], low: int, high: int | None, asks: tuple[str, ...]
    ) -> None:
        super().__init__(named)
        self.low = low
        self.high = high
        self.asks = asks

    def __repr__(self) -> str:
        return f"Partial({list(self)!r}, low={self.low}, high={self.high})"


def read_path(obj: Any, path: str) -> Any:
    """The value at ``path``: ``None`` when absent, a list when the path runs through a list."""
    return _read(obj, path.split("."))


def _read(obj: Any, parts: list[str]) -> Any:
    if not parts:
        return obj
    if obj is None:
        return None
    if isinstance(obj, list):
        return [_read(item, parts) for item in obj]
    return _read(getattr(obj, parts[0], None), parts[1:])


def unknown_parts(obj: Any, path: str) -> tuple[str, ...]:
    """The facts missing for ``path`` to be known; empty when it is known."""
    parts = path.split(".")
    found: set[str] = set()
    _missing(obj, parts, 0, found)
    return tuple(sorted(found))


def unknown_facts(obj: Any, paths: Iterable[str]) -> list[str]:
    """The facts missing for any of ``paths`` to be known, sorted, each once."""
    return sorted({part for path in paths for part in unknown_parts(obj, path)})


def _missing(obj: Any, parts: list[str], depth: int, found: set[str]) -> None:
    if depth == len(parts):
        return
    value = getattr(obj, parts[depth], None)
    here = ".".join(parts[: depth + 1])
    if value is None:
        # An absent list is asked for whole; an absent object's field by its full path.
        found.add(here if _is_list_field(obj, parts[depth]) else ".".join(parts))
        return
    if isinstance(value, list):
        if isinstance(value, Partial):
            found.update(value.asks)
        for item in value:
            if isinstance(item, BaseModel):
                _missing(item, parts, depth + 1, found)
        return
    if isinstance(value, BaseModel):
        _missing(value, parts, depth + 1, found)


def _is_list_field(obj: Any, name: str) -> bool:
    return name in _list_fields(obj.__class__)


@cache
def _list_fields(model: type) -> frozenset[str]:
    """A model's list fields, read once per model: rendering an annotation is slow."""
    fields = getattr(model, "model_fields", {})
    return frozenset(n for n, f in fields.items() if "list[" in str(f.annotation))


def is_known(obj: Any, path: str) -> bool:
    """Whether every value on ``path`` is stated."""
    return not unknown_parts(obj, path)


def to_json_value(value: Any) -> Any:
    """A read value as plain JSON: members by name, models as dicts without absent keys.

    rule-engine's values are plain too: a ``Decimal`` becomes an int when whole, else a
    float; a tuple becomes a list.
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, BaseModel):
        name = getattr(value, "name", None)
        if name is not None:
            return name
        return value.model_dump(mode="json", exclude_none=True)
    return value
