"""Kleene's strong three-valued logic: ``True``, ``False`` and ``None`` for unknown.

Unknown is a value, not an error. A known failure decides a conjunction whatever the
other facts are, and a known success decides a disjunction; only when neither is the
case does unknown remain.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Tri = bool | None
StatusName = Literal["met", "not_met", "unknown"]


def k_and(values: Iterable[Tri]) -> Tri:
    """Conjunction: false if any is false, else unknown if any is unknown, else true.

    >>> k_and([True, None, False])
    False
    >>> k_and([True, None]) is None
    True
    >>> k_and([])
    True
    """
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def k_or(values: Iterable[Tri]) -> Tri:
    """Disjunction: true if any is true, else unknown if any is unknown, else false.

    >>> k_or([False, None, True])
    True
    >>> k_or([False, None]) is None
    True
    >>> k_or([])
    False
    """
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def k_not(value: Tri) -> Tri:
    """Negation: unknown stays unknown.

    >>> k_not(True), k_not(False), k_not(None)
    (False, True, None)
    """
    return None if value is None else not value


def tri_of(status: str) -> Tri:
    """The three-valued result a status name stands for: `status_of` read backwards.

    >>> tri_of("met"), tri_of("not_met"), tri_of("unknown")
    (True, False, None)
    """
    return {"met": True, "not_met": False}.get(status)


def status_of(value: Tri) -> StatusName:
    """The status name of a three-valued result.

    >>> status_of(True), status_of(False), status_of(None)
    ('met', 'not_met', 'unknown')
    """
    if value is None:
        return "unknown"
    return "met" if value else "not_met"
