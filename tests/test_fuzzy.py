"""Calibration anchors, combinations of degrees and the reading of memberships."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poletype._engine.fuzzy import (
    Anchors,
    complement,
    crisp,
    dominance,
    fuzzy_and,
    fuzzy_or,
    rounded,
    status,
    weighted_mean,
)

UP = Anchors(0.2, 0.5, 0.8)
DOWN = Anchors(10.0, 5.0, 0.0)
LOGISTIC = Anchors(0.2, 0.5, 0.8, "logistic")
numbers = st.floats(-5, 15, allow_nan=False)
degrees = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(lambda d: (min(d), max(d)))


@pytest.mark.parametrize(
    ("anchors", "x", "expected"),
    [
        (UP, 0.2, 0.0),
        (UP, 0.1, 0.0),
        (UP, 0.35, 0.25),
        (UP, 0.5, 0.5),
        (UP, 0.65, 0.75),
        (UP, 0.8, 1.0),
        (UP, 0.95, 1.0),
        (DOWN, 10.0, 0.0),
        (DOWN, 12.0, 0.0),
        (DOWN, 5.0, 0.5),
        (DOWN, 2.5, 0.75),
        (DOWN, 0.0, 1.0),
    ],
)
def test_linear_anchors(anchors: Anchors, x: float, expected: float) -> None:
    """Full non-membership, crossover and full membership sit where the anchors say."""
    assert anchors.degree(x) == pytest.approx(expected)


def test_logistic_anchors_follow_the_direct_method() -> None:
    """Ragin's direct method: 0.05 at exclusion, 0.5 at crossover, 0.95 at inclusion."""
    assert LOGISTIC.degree(0.2) == pytest.approx(0.0474, abs=1e-3)
    assert LOGISTIC.degree(0.5) == pytest.approx(0.5)
    assert LOGISTIC.degree(0.8) == pytest.approx(0.9526, abs=1e-3)


@pytest.mark.parametrize("anchors", [UP, LOGISTIC])
@given(a=numbers, b=numbers)
def test_upward_calibration_is_monotone(anchors: Anchors, a: float, b: float) -> None:
    """A larger number never gives a smaller degree (anchors running upwards)."""
    low, high = min(a, b), max(a, b)
    assert anchors.degree(low) <= anchors.degree(high)
    assert 0.0 <= anchors.degree(low) <= 1.0


@given(a=numbers, b=numbers)
def test_downward_calibration_is_antitone(a: float, b: float) -> None:
    """Anchors running downwards: a larger number never gives a larger degree."""
    low, high = min(a, b), max(a, b)
    assert DOWN.degree(low) >= DOWN.degree(high)


@given(a=numbers, b=numbers, x=numbers)
def test_interval_contains_every_inner_degree(a: float, b: float, x: float) -> None:
    """The degree interval of a number range contains the degree of each number in it."""
    low, high = min(a, b), max(a, b)
    inner = min(max(x, low), high)
    d_low, d_high = DOWN.interval(low, high)
    assert d_low <= DOWN.degree(inner) <= d_high


def test_crisp_and_complement() -> None:
    """Yes is 1, no is 0, unknown spans [0, 1]; negation flips the interval."""
    assert crisp(True) == (1.0, 1.0)
    assert crisp(False) == (0.0, 0.0)
    assert crisp(None) == (0.0, 1.0)
    assert complement((0.2, 0.7)) == pytest.approx((0.3, 0.8))


def test_combinations() -> None:
    """Weighted mean, minimum (fuzzy and) and maximum (fuzzy or), on intervals."""
    assert weighted_mean([(2.0, (1.0, 1.0)), (1.0, (0.0, 1.0))]) == pytest.approx((2 / 3, 1.0))
    assert fuzzy_and([(0.2, 0.9), (0.5, 0.6)]) == (0.2, 0.6)
    assert fuzzy_or([(0.2, 0.9), (0.5, 0.6)]) == (0.5, 0.9)


@given(
    terms=st.lists(st.tuples(st.floats(0.1, 5), degrees), min_size=1, max_size=5), data=st.data()
)
def test_combinations_contain_every_completion(
    terms: list[tuple[float, tuple[float, float]]], data: st.DataObject
) -> None:
    """Each combination of intervals contains the combination of any points within them."""
    points = [data.draw(st.floats(d[0], d[1])) for _, d in terms]
    exact = [(w, (p, p)) for (w, _), p in zip(terms, points, strict=True)]
    for combine, args, exact_args in [
        (weighted_mean, terms, exact),
        (fuzzy_and, [d for _, d in terms], [d for _, d in exact]),
        (fuzzy_or, [d for _, d in terms], [d for _, d in exact]),
    ]:
        low, high = combine(args)  # type: ignore[operator]
        value = combine(exact_args)[0]  # type: ignore[operator]
        assert low - 1e-9 <= value <= high + 1e-9


def test_status_reads_the_crossover() -> None:
    """Met when at least 0.5 whatever the unknowns; not met when below; else unknown."""
    assert status((0.5, 0.5)) == "met"
    assert status((0.6, 1.0)) == "met"
    assert status((0.0, 0.49)) == "not_met"
    assert status((0.2, 0.7)) == "unknown"


def test_rounding_is_to_four_places_without_negative_zero() -> None:
    """Reported degrees are rounded the same way every time."""
    assert rounded(2 / 3) == 0.6667
    assert str(rounded(-0.0)) == "0.0"


def test_dominance_decided_leaning_and_hybrid() -> None:
    """A type dominates only when its low end beats every other high end."""
    clear = dominance({"a": (0.8, 0.8), "b": (0.3, 0.5)}, 0.1)
    assert (clear.dominant, clear.leaning, clear.hybrid) == ("a", "a", False)
    open_ = dominance({"a": (0.4, 0.9), "b": (0.5, 0.5), "c": (0.0, 0.1)}, 0.1)
    assert open_.dominant is None
    assert open_.leaning == "a"
    assert open_.hybrid is None
    assert open_.contenders == ("a", "b")
    close = dominance({"a": (0.6, 0.6), "b": (0.55, 0.55)}, 0.1)
    assert (close.dominant, close.hybrid) == ("a", True)
    tie = dominance({"a": (0.5, 0.5), "b": (0.5, 0.5)}, 0.1)
    assert (tie.dominant, tie.leaning, tie.hybrid) == (None, "a", True)


@given(
    memberships=st.dictionaries(st.sampled_from("abcd"), degrees, min_size=2),
    margin=st.floats(0, 0.5),
    data=st.data(),
)
def test_dominance_is_sound_for_every_completion(
    memberships: dict[str, tuple[float, float]], margin: float, data: st.DataObject
) -> None:
    """A decided dominant type and a decided hybrid flag hold for points in the intervals."""
    reading = dominance(memberships, margin)
    points = {t: data.draw(st.floats(d[0], d[1])) for t, d in memberships.items()}
    exact = dominance({t: (p, p) for t, p in points.items()}, margin)
    if reading.dominant is not None:
        assert exact.dominant == reading.dominant
    if reading.hybrid is not None:
        assert exact.hybrid == reading.hybrid
    winner = max(points.values())
    assert any(points[t] == winner for t in reading.contenders)
