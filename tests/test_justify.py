"""Values are shown as a reader expects them, in French and English."""

from __future__ import annotations

import doctest
from decimal import Decimal

from poletype._engine import justify
from poletype._engine.interpreter import UNKNOWN, Interval, Maybe
from poletype._engine.justify import format_value


def test_doctests() -> None:
    """The docstring examples hold."""
    assert doctest.testmod(justify).failed == 0


def test_unknown_is_said_not_defaulted() -> None:
    """Unknown is shown as unknown, never as no or zero."""
    assert format_value(UNKNOWN, "fr") == "inconnu"
    assert format_value(None, "en") == "unknown"


def test_numbers_lists_and_intervals() -> None:
    """Integers without decimals, French decimal comma, lists joined, intervals spelled out."""
    assert format_value(Decimal(5), "fr") == "5"
    assert format_value(Decimal("0.6666666"), "en") == "0.667"
    assert format_value(("a", "b"), "fr") == "a, b"
    assert format_value(Interval(Decimal(2), Decimal(3)), "fr") == "entre 2 et 3"
    assert format_value((Maybe("x"),), "en") == "x (?)"
