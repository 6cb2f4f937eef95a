"""Set-theoretic fit (QCA) when some memberships are intervals, not numbers.

Why this module: researchers test typology hypotheses with the parameters of fit of
Qualitative Comparative Analysis (Ragin; R ``QCA``, ``SetMethods``; ``setqca`` in Python):
is a condition X sufficient for an outcome Y (consistency, coverage, PRI), or necessary
(consistency, coverage, relevance of necessity)? Those tools need one number per case.
A poletype verdict with unknown facts gives an interval [low, high] instead, and filling
the unknown with a guess would state more than the sources do. So each figure here is
given as a `Bounds`: the least and the greatest value it takes over every *completion*,
every choice of one number inside each case's interval. When nothing is unknown the two
bounds are equal, and equal to ``setqca``'s figure (the tests compare).

The figures, with sums over cases and ``∧`` the minimum (R ``QCA``'s definitions):

==================  ==================================================
sufficiency         consistency ``Σ x∧y / Σ x``, coverage ``Σ x∧y / Σ y``,
                    PRI ``(Σ x∧y − Σ x∧y∧¬y) / (Σ x − Σ x∧y∧¬y)``
necessity           consistency ``Σ x∧y / Σ y``, coverage ``Σ x∧y / Σ x``,
                    RoN ``Σ (1−x) / Σ (1 − x∧y)``
==================  ==================================================

A ratio with a zero denominator is 0, as in ``setqca``.

**Why the bounds are exact (hence sound).** Each figure is ``N/D`` with ``N = Σ nᵢ`` and
``D = Σ dᵢ`` sums of one term per case, each term depending on that case's ``(xᵢ, yᵢ)``
only; every case ranges over its own box ``[aᵢ, bᵢ] × [cᵢ, dᵢ]``. The extremes of a
ratio over a box need not sit at its corners (``Σ x∧y / Σ x`` is smallest, for one case
against the others, where ``x`` crosses ``y``... or at an end: it depends on the
others), so corners alone are not enough. Dinkelbach's parametric argument is:

1. For a number λ, ``F(λ) = min over the boxes of Σ (nᵢ − λ dᵢ)``. Since ``D > 0``,
   ``N/D ≥ λ`` everywhere iff ``F(λ) ≥ 0``; so the least ratio λ* is the root of F.
   F is a sum of independent per-case minima: each case is minimised on its own box.
2. Each ``nᵢ − λ dᵢ`` is piecewise linear in ``(x, y)``: the pieces change only where
   ``x = y``, ``x = 1 − y``, ``y = ½`` or ``x = ½`` (where the minima inside the
   formulas switch argument). On each piece, a convex polygon, a linear function is
   least at a vertex; the vertices are the box's corners, the points where those lines
   cross the box's edges, and ``(½, ½)`` where they cross each other. So each case's
   minimum is found exactly among at most 21 candidate points (`_candidates`).
3. Dinkelbach's iteration: start from the ratio λ₀ of any completion; pick each case's
   candidate minimising ``nᵢ − λ dᵢ``; if the sum is ``≥ 0``, λ is the minimum; else
   the completion picked has a ratio strictly below λ: take it as the next λ. λ strictly
   decreases over a finite set of candidate completions, so it stops, at the exact minimum
   (attained by a completion). The maximum is the same with max for min.

When some completion makes ``D = 0`` (possible only if the lower ends allow it), that
completion's figure is 0 by the convention, and every figure here lies in [0, 1]
(``0 ≤ N ≤ D`` term by term), so the lower bound is 0. The maximum needs no ``D > 0``:
``F(λ) = max Σ (nᵢ − λ dᵢ)`` is ≥ 0 at a zero-denominator completion (there ``N = 0``),
and when it is > 0 the completion picked has ``N > λD ≥ 0``, so ``D ≥ N > 0``: the
iteration runs as before and stops at the supremum, attained.

Each bound is exact for its figure alone; consistency's worst and coverage's worst may
need different completions. Two memberships of one case (X and Y) are taken as free in
their own intervals; when one unknown fact moves both, some of those completions are not
possible and the bounds are sound but may be wider than the truth.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from poletype._read.cells import safe_cell
from poletype.errors import SetupError, UsageError
from poletype.verdict import Status, Verdict

Box = tuple[float, float]
"""A membership's interval (low, high)."""


class HasBounds(Protocol):
    """Anything with a ``low`` and a ``high`` (`Membership`, `Degree`, `Bounds`)."""

    @property
    def low(self) -> float:
        """The least value."""
        ...

    @property
    def high(self) -> float:
        """The greatest value."""
        ...


IntervalLike = float | tuple[float, float] | HasBounds
"""A number (known), a ``(low, high)`` pair, or a `Membership`-like interval."""


@dataclass(frozen=True)
class Bounds:
    """The least and greatest value a figure takes over every completion of the unknowns."""

    low: float
    high: float

    @property
    def exact(self) -> bool:
        """Whether the unknowns leave the figure at one value."""
        return math.isclose(self.low, self.high, abs_tol=1e-12)

    def __str__(self) -> str:
        if self.exact:
            return f"{self.low:.3f}"
        return f"[{self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class SufficiencyFit:
    """Parameters of fit of "X is sufficient for Y" (X ⊆ Y)."""

    consistency: Bounds
    coverage: Bounds
    pri: Bounds
    cases: int


@dataclass(frozen=True)
class NecessityFit:
    """Parameters of fit of "X is necessary for Y" (Y ⊆ X)."""

    consistency: Bounds
    coverage: Bounds
    relevance: Bounds
    cases: int


def box(value: IntervalLike) -> Box:
    if isinstance(value, tuple):
        low, high = float(value[0]), float(value[1])
    elif isinstance(value, int | float):
        low = high = float(value)
    else:
        low, high = float(value.low), float(value.high)
    if not 0.0 <= low <= high <= 1.0:
        raise UsageError(
            "a set membership must be an interval within [0, 1]",
            code="unknown-set",
            expected="0 <= low <= high <= 1",
            found=f"[{low}, {high}]",
        )
    return low, high


Term = Callable[[float, float], float]


def _con(x: float, y: float) -> float:
    return min(x, y)


def _pri_n(x: float, y: float) -> float:
    return min(x, y) - min(x, y, 1.0 - y)


def _pri_d(x: float, y: float) -> float:
    return x - min(x, y, 1.0 - y)


def _x(x: float, _: float) -> float:
    return x


def _y(_: float, y: float) -> float:
    return y


def _ron_n(x: float, _: float) -> float:
    return 1.0 - x


def _ron_d(x: float, y: float) -> float:
    return 1.0 - min(x, y)


def _candidates(xb: Box, yb: Box) -> list[tuple[float, float]]:
    """The vertices of the pieces on which every figure's terms are linear (step 2)."""
    (a, b), (c, d) = xb, yb
    xs = {a, b}
    ys = {c, d}
    points = {(x, y) for x in xs for y in ys}
    for x in (a, b):  # vertical edges cross x = y, x = 1 − y, y = ½
        points.update((x, y) for y in (x, 1.0 - x, 0.5) if c <= y <= d)
    for y in (c, d):  # horizontal edges cross x = y, x = 1 − y, x = ½
        points.update((x, y) for x in (y, 1.0 - y, 0.5) if a <= x <= b)
    if a <= 0.5 <= b and c <= 0.5 <= d:
        points.add((0.5, 0.5))
    return sorted(points)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0.0 else 0.0


def _extreme(
    cases: Sequence[list[tuple[float, float]]], n: Term, d: Term, *, lowest: bool
) -> float:
    """The exact least (or greatest) ``Σn/Σd`` over the cases' candidates (Dinkelbach).

    Stops when the completion picked for λ does not beat λ: then ``F(λ)`` has the sign
    that makes λ the extreme. λ moves strictly, so no float tie can make it cycle.
    """
    sign = 1.0 if lowest else -1.0
    if lowest and sum(min(d(x, y) for x, y in points) for points in cases) <= 0.0:
        return 0.0  # a completion with a zero denominator: its figure is 0, the least
    first = [points[0] for points in cases]
    lam = _ratio(sum(n(*p) for p in first), sum(d(*p) for p in first))
    while True:
        chosen = [min(points, key=lambda p: sign * (n(*p) - lam * d(*p))) for points in cases]
        new = _ratio(sum(n(*p) for p in chosen), sum(d(*p) for p in chosen))
        if not (new < lam if lowest else new > lam):
            return lam
        lam = new


def _bounds(cases: Sequence[list[tuple[float, float]]], n: Term, d: Term) -> Bounds:
    if not cases:
        return Bounds(0.0, 0.0)
    low = _extreme(cases, n, d, lowest=True)
    high = _extreme(cases, n, d, lowest=False)
    return Bounds(min(low, high), max(low, high))


def _prepare(
    x: Sequence[IntervalLike], y: Sequence[IntervalLike]
) -> list[list[tuple[float, float]]]:
    if len(x) != len(y):
        raise UsageError(
            "the condition and the outcome must have one membership per case",
            code="unknown-set",
            expected=f"{len(x)} outcome memberships",
            found=str(len(y)),
        )
    return [_candidates(box(xi), box(yi)) for xi, yi in zip(x, y, strict=True)]


def sufficiency(x: Sequence[IntervalLike], y: Sequence[IntervalLike]) -> SufficiencyFit:
    """Consistency, coverage and PRI of "X is sufficient for Y", each as exact bounds.

    >>> fit = sufficiency([1, 1, 0, (0, 1)], [1, 0, 1, 1])
    >>> fit.consistency.low, fit.consistency.high
    (0.5, 0.6666666666666666)
    """
    cases = _prepare(x, y)
    return SufficiencyFit(
        consistency=_bounds(cases, _con, _x),
        coverage=_bounds(cases, _con, _y),
        pri=_bounds(cases, _pri_n, _pri_d),
        cases=len(cases),
    )


def necessity(x: Sequence[IntervalLike], y: Sequence[IntervalLike]) -> NecessityFit:
    """Consistency, coverage and relevance (RoN) of "X is necessary for Y", as exact bounds."""
    cases = _prepare(x, y)
    return NecessityFit(
        consistency=_bounds(cases, _con, _y),
        coverage=_bounds(cases, _con, _x),
        relevance=_bounds(cases, _ron_n, _ron_d),
        cases=len(cases),
    )


# ---------------------------------------------------------------------------- verdicts


_STATUS_BOX: dict[Status, Box] = {"met": (1.0, 1.0), "not_met": (0.0, 0.0), "unknown": (0.0, 1.0)}


def _undecided(outcome: str) -> bool:
    return outcome == "indeterminate"


def set_membership(verdict: Verdict, name: str) -> Box:
    """One verdict's membership in a named set: a type, a criterion, or an outcome.

    ``name`` is, in this order: an ideal type of a graded verdict (its membership
    interval); a criterion or graded indicator (its degree, or 1 / 0 / [0, 1] for met /
    not met / unknown); an outcome value (1 when the verdict's outcome is it, [0, 1]
    when the outcome is ``indeterminate``, else 0). ``~name`` is the negation
    (``1 − x``), as in QCA notation.
    """
    if name.startswith("~"):
        low, high = set_membership(verdict, name[1:])
        return 1.0 - high, 1.0 - low
    for membership in verdict.memberships or ():
        if membership.type == name:
            return membership.low, membership.high
    for result in verdict.criteria:
        if result.id == name:
            if result.degree is not None:
                return result.degree.low, result.degree.high
            return _STATUS_BOX[result.status]
    if verdict.outcome == name:
        return 1.0, 1.0
    return (0.0, 1.0) if _undecided(verdict.outcome) else (0.0, 0.0)


def set_memberships(verdicts: Sequence[Verdict], name: str) -> list[Box]:
    """Every verdict's membership in a named set (see `set_membership`), in order.

    A name that is neither a type, a criterion nor the outcome of any of the verdicts is
    refused (``unknown-set``) rather than read as "in no case": a misspelt set would
    otherwise give a plausible table of zeros.
    """
    bare = name.removeprefix("~")
    known = {
        *(m.type for v in verdicts for m in v.memberships or ()),
        *(c.id for v in verdicts for c in v.criteria),
        *(v.outcome for v in verdicts),
    }
    if verdicts and bare not in known:
        raise UsageError(
            f"no verdict has a type, criterion or outcome named {bare!r}",
            code="unknown-set",
            expected="one of " + ", ".join(sorted(known)),
            found=bare,
        )
    return [set_membership(v, name) for v in verdicts]


def case_ids(verdicts: Iterable[Verdict]) -> list[str]:
    """One distinct key per verdict: its initiative id, else its name; repeats numbered.

    Two initiatives with one name (or one id) are two cases: the second is ``name (2)``.
    """
    return distinct([v.initiative_id or v.initiative for v in verdicts])


def distinct(keys: Iterable[str]) -> list[str]:
    """The keys, a repeated one suffixed `` (2)``, `` (3)``… so none collide."""
    seen: Counter[str] = Counter()
    taken = set()
    out = []
    for key in keys:
        seen[key] += 1
        candidate = key if seen[key] == 1 else f"{key} ({seen[key]})"
        while candidate in taken:
            seen[key] += 1
            candidate = f"{key} ({seen[key]})"
        taken.add(candidate)
        out.append(candidate)
    return out


def sufficiency_of(
    verdicts: Sequence[Verdict],
    condition: str,
    outcome: str,
    outcome_verdicts: Sequence[Verdict] | None = None,
) -> SufficiencyFit:
    """Sufficiency fit of a named condition for a named outcome over verdicts.

    The outcome is read from ``outcome_verdicts`` when given (one per case, same order:
    e.g. X a matray-poisat type, Y the labo-ess-ptce outcome ``ptce``).
    """
    ys = verdicts if outcome_verdicts is None else outcome_verdicts
    return sufficiency(set_memberships(verdicts, condition), set_memberships(ys, outcome))


def necessity_of(
    verdicts: Sequence[Verdict],
    condition: str,
    outcome: str,
    outcome_verdicts: Sequence[Verdict] | None = None,
) -> NecessityFit:
    """Necessity fit of a named condition for a named outcome over verdicts."""
    ys = verdicts if outcome_verdicts is None else outcome_verdicts
    return necessity(set_memberships(verdicts, condition), set_memberships(ys, outcome))


# ---------------------------------------------------------------------------- truth table


def status_of(box: Box) -> Status:
    low, high = box
    if low > 0.5:
        return "met"
    if high < 0.5:
        return "not_met"
    return "unknown"


@dataclass(frozen=True)
class TruthRow:
    """One configuration of the conditions, the cases in it, and its fit with the outcome.

    ``configuration`` holds, per condition, ``met`` (membership above ½ whatever the
    unknowns), ``not_met`` (below ½) or ``unknown`` (the interval reaches ½, or the
    status is unknown). ``consistency`` and ``pri`` are the sufficiency of the row's
    conjunction (each known condition, negated where ``not_met``; unknown columns left
    out) for the outcome, over all cases, as bounds: for a row without unknowns, the
    figures R ``QCA``'s ``truthTable`` gives.
    """

    configuration: tuple[Status, ...]
    cases: tuple[str, ...]
    consistency: Bounds
    pri: Bounds


@dataclass(frozen=True)
class TruthTable:
    """Observed configurations of some conditions, with their consistency with an outcome."""

    conditions: tuple[str, ...]
    outcome: str
    rows: tuple[TruthRow, ...]

    def to_text(self) -> str:
        """A plain table: one line per row, ``1``/``0``/``?`` per condition."""
        mark = {"met": "1", "not_met": "0", "unknown": "?"}
        width = max((len(c) for c in self.conditions), default=1)
        head = "  ".join(c.rjust(max(width, 1)) for c in self.conditions)
        lines = [f"{head}  {'n':>3}  {'consistency':>14}  {'PRI':>14}  cases"]
        for row in self.rows:
            cells = "  ".join(mark[s].rjust(width) for s in row.configuration)
            lines.append(
                f"{cells}  {len(row.cases):>3}  {row.consistency!s:>14}  {row.pri!s:>14}  "
                + ", ".join(row.cases)
            )
        return "\n".join(lines) + "\n"


_ORDER: dict[Status, int] = {"met": 0, "not_met": 1, "unknown": 2}


def truth_table(
    verdicts: Sequence[Verdict],
    conditions: Sequence[str],
    outcome: str,
    outcome_verdicts: Sequence[Verdict] | None = None,
) -> TruthTable:
    """The truth table of named conditions (criteria, indicators, types) for an outcome.

    Crisp criteria give met / not met / unknown directly; calibrated indicators and type
    memberships are placed by their interval against ½. Rows come most-consistent first
    (by lower bound), then by configuration.
    """
    ids = case_ids(verdicts)
    xs = [set_memberships(verdicts, c) for c in conditions]
    ys = set_memberships(verdicts if outcome_verdicts is None else outcome_verdicts, outcome)
    groups: dict[tuple[Status, ...], list[str]] = {}
    for i, case in enumerate(ids):
        config = tuple(status_of(column[i]) for column in xs)
        groups.setdefault(config, []).append(case)
    rows = []
    for config, cases in groups.items():
        member = []
        for i in range(len(ids)):
            low, high = 1.0, 1.0
            for column, status in zip(xs, config, strict=True):
                if status == "unknown":
                    continue
                a, b = column[i] if status == "met" else (1 - column[i][1], 1 - column[i][0])
                low, high = min(low, a), min(high, b)
            member.append((low, high))
        fit = sufficiency(member, ys)
        rows.append(TruthRow(config, tuple(cases), fit.consistency, fit.pri))
    rows.sort(key=lambda r: (-r.consistency.low, [_ORDER[s] for s in r.configuration]))
    return TruthTable(tuple(conditions), outcome, tuple(rows))


# ---------------------------------------------------------------------------- export


Point = Literal["low", "mid", "high"]


def _default_sets(verdicts: Sequence[Verdict]) -> list[str]:
    names: dict[str, None] = {}
    for verdict in verdicts:
        if verdict.memberships:
            names.update((m.type, None) for m in verdict.memberships)
        names.update((c.id, None) for c in verdict.criteria)
    return list(names)


def export_qca(
    verdicts: Sequence[Verdict],
    path: str | Path,
    point: Point = "low",
    *,
    conditions: Sequence[str] | None = None,
    outcome: str | None = None,
) -> Path:
    """Write a CSV that R ``QCA`` (``read.csv(path, row.names = 1)``) or setqca reads.

    One row per case, named by its initiative id (see `case_ids`); one column per set
    (default: every type membership and criterion of the verdicts), plus ``outcome`` as
    a column when given. An interval is written as its ``low``, ``mid`` or ``high``
    point: QCA tools need one number, and which one is the researcher's choice to state.
    A case id or set name that a spreadsheet would take for a formula is written with a
    leading ``'`` (`poletype._read.cells.safe_cell`), as every CSV poletype writes.
    """
    sets = list(conditions) if conditions is not None else _default_sets(verdicts)
    if outcome is not None:
        sets.append(outcome)
    columns = [set_memberships(verdicts, name) for name in sets]
    pick: dict[Point, Callable[[Box], float]] = {
        "low": lambda b: b[0],
        "mid": lambda b: (b[0] + b[1]) / 2,
        "high": lambda b: b[1],
    }
    chosen = pick[point]
    out = Path(path)
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["", *map(safe_cell, sets)])
            for i, case in enumerate(case_ids(verdicts)):
                writer.writerow([safe_cell(case), *(f"{chosen(col[i]):.6g}" for col in columns)])
    except OSError as exc:
        raise SetupError(
            f"cannot write {out}", code="unwritable-output", found=exc.strerror
        ) from None
    return out
