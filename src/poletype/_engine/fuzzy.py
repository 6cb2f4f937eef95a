"""Fuzzy-set arithmetic on membership degrees, and on intervals of them.

Ideal types are graded: an initiative belongs to a type to a degree in [0, 1]. A degree
whose inputs are not all known is an interval ``(low, high)`` that contains the degree of
every way of filling in the unknowns. Every operation here is monotone in each argument
(or antitone, for a negated term), so computing it on the interval ends is exact for one
indicator and sound for several: the result contains every completion's degree.

Degrees are rounded to ``PLACES`` decimals where they are reported, with round-half-even,
which is monotone, so rounding keeps both containment and monotonicity, and the verdict's
decisions are taken on the numbers the reader sees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

PLACES = 4
UNKNOWN_DEGREE: tuple[float, float] = (0.0, 1.0)
_LOG_ODDS = 3.0

Degree = tuple[float, float]


def rounded(value: float) -> float:
    """A degree as reported: ``PLACES`` decimals, ``-0.0`` folded to ``0.0``."""
    return round(value, PLACES) + 0.0


@dataclass(frozen=True, slots=True)
class Anchors:
    """Calibration anchors with their parameters resolved to numbers."""

    exclusion: float
    crossover: float
    inclusion: float
    method: Literal["linear", "logistic"] = "linear"

    def degree(self, x: float) -> float:
        """The membership degree of the number ``x``.

        >>> Anchors(0.2, 0.5, 0.8).degree(0.65)
        0.75
        >>> Anchors(10, 5, 0).degree(2.5)     # downward anchors: fewer is more
        0.75
        >>> round(Anchors(0.2, 0.5, 0.8, "logistic").degree(0.8), 2)
        0.95
        """
        if self.method == "logistic":
            scale = (
                self.inclusion - self.crossover
                if self._above(x)
                else self.crossover - self.exclusion
            )
            log_odds = _LOG_ODDS * (x - self.crossover) / scale
            return 1.0 / (1.0 + math.exp(-log_odds))
        if self._beyond(x, self.inclusion, self.exclusion):
            return 1.0
        if self._beyond(x, self.exclusion, self.inclusion):
            return 0.0
        if self._above(x):
            return 0.5 + 0.5 * (x - self.crossover) / (self.inclusion - self.crossover)
        return 0.5 * (x - self.exclusion) / (self.crossover - self.exclusion)

    def interval(self, low: float, high: float) -> Degree:
        """The degrees of every number in ``[low, high]``: the image of the ends."""
        a, b = self.degree(low), self.degree(high)
        return (min(a, b), max(a, b))

    def _above(self, x: float) -> bool:
        upward = self.inclusion > self.exclusion
        return x >= self.crossover if upward else x <= self.crossover

    @staticmethod
    def _beyond(x: float, anchor: float, other: float) -> bool:
        return x >= anchor if anchor > other else x <= anchor


def crisp(value: bool | None) -> Degree:
    """A yes/no indicator's degree: 1, 0, or anything between when unknown."""
    if value is None:
        return UNKNOWN_DEGREE
    return (1.0, 1.0) if value else (0.0, 0.0)


def complement(degree: Degree) -> Degree:
    """Fuzzy negation, 1 − degree, on an interval (ends swap)."""
    return (1.0 - degree[1], 1.0 - degree[0])


def weighted_mean(terms: list[tuple[float, Degree]]) -> Degree:
    """The weighted mean of degrees; weights are positive."""
    total = math.fsum(w for w, _ in terms)
    low = math.fsum(w * d[0] for w, d in terms) / total
    high = math.fsum(w * d[1] for w, d in terms) / total
    return (low, high)


def fuzzy_and(degrees: list[Degree]) -> Degree:
    """Minimum: the type needs every term."""
    return (min(d[0] for d in degrees), min(d[1] for d in degrees))


def fuzzy_or(degrees: list[Degree]) -> Degree:
    """Maximum: any term suffices."""
    return (max(d[0] for d in degrees), max(d[1] for d in degrees))


def is_point(degree: Degree) -> bool:
    """Whether the degree is known exactly."""
    return degree[0] == degree[1]


def status(degree: Degree) -> Literal["met", "not_met", "unknown"]:
    """The three-valued reading of a degree: at least the crossover (0.5) or below it."""
    if degree[0] >= 0.5:
        return "met"
    if degree[1] < 0.5:
        return "not_met"
    return "unknown"


@dataclass(frozen=True, slots=True)
class Dominance:
    """What a set of membership intervals decides."""

    dominant: str | None
    leaning: str
    hybrid: bool | None
    contenders: tuple[str, ...]


def dominance(memberships: Mapping[str, Degree], margin: float) -> Dominance:
    """Dominant type, leaning, hybrid flag and the types still in contention.

    A type dominates when its low end exceeds every other type's high end, so it is the
    strict maximum in every completion. The leaning is the highest midpoint (first
    declared on ties). Hybrid is true when the top two are within ``margin`` in every
    completion, false when in none, and unknown otherwise. A type is in contention when it
    can be the maximum in some completion, so only its indicators can change the outcome.

    >>> dominance({"a": (0.8, 0.8), "b": (0.3, 0.5)}, 0.1)
    Dominance(dominant='a', leaning='a', hybrid=False, contenders=('a',))
    >>> dominance({"a": (0.4, 0.9), "b": (0.5, 0.5)}, 0.1).dominant is None
    True
    """
    names = list(memberships)
    dominant = next(
        (t for t in names if all(memberships[t][0] > memberships[s][1] for s in names if s != t)),
        None,
    )
    leaning = max(names, key=lambda t: (sum(memberships[t]), -names.index(t)))
    highs = sorted((memberships[t][1] for t in names), reverse=True)
    lows = sorted((memberships[t][0] for t in names), reverse=True)
    widest_gap = highs[0] - lows[1]
    certainly_apart = any(
        memberships[t][0] - max(memberships[s][1] for s in names if s != t) > margin for t in names
    )
    hybrid: bool | None
    if widest_gap <= margin:
        hybrid = True
    elif certainly_apart:
        hybrid = False
    else:
        hybrid = None
    contenders = tuple(
        t for t in names if memberships[t][1] >= max(memberships[s][0] for s in names if s != t)
    )
    return Dominance(dominant, leaning, hybrid, contenders)
