"""Set-theoretic fit under unknowns: exact bounds, equal to setqca when all is known."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from poletype import (
    PoletypeError,
    classify,
    export_qca,
    necessity,
    necessity_of,
    read_initiative,
    set_memberships,
    sufficiency,
    sufficiency_of,
    truth_table,
)
from poletype._analysis.fit import _candidates, case_ids

setqca_metrics = pytest.importorskip("setqca.metrics")

# Memberships to six decimals, as calibrations give them: a subnormal (2e-308) squared
# underflows to 0 in setqca's floats, and 0/0 then reads 0 where the exact ratio is 1.
unit = st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0]) | st.floats(0.0, 1.0).map(lambda v: round(v, 6))
crisp = st.sampled_from([0.0, 1.0])


@st.composite
def box(draw: st.DrawFn) -> tuple[float, float]:
    a, b = draw(unit), draw(unit)
    return (min(a, b), max(a, b))


def _figures(x: list[float], y: list[float]) -> list[float]:
    s, n = setqca_metrics.sufficiency(x, y), setqca_metrics.necessity(x, y)
    return [s.consistency, s.coverage, s.pri, n.consistency, n.coverage, n.ron]


def _exact(x: list[float], y: list[float]) -> list[float]:
    """The six figures in rational arithmetic (R QCA's formulas, 0/0 = 0).

    Floats would blur the property: at x = 0.2, y = 0.8, ``1 - y`` is a hair below ``x``
    and PRI's 0/0 turns into 1.
    """
    fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]

    def ratio(n: Fraction, d: Fraction) -> float:
        return float(n / d) if d else 0.0

    inter = sum((min(a, b) for a, b in zip(fx, fy, strict=True)), Fraction(0))
    both = sum((min(a, b, 1 - b) for a, b in zip(fx, fy, strict=True)), Fraction(0))
    sx, sy = sum(fx, Fraction(0)), sum(fy, Fraction(0))
    ron_n = sum((1 - a for a in fx), Fraction(0))
    ron_d = sum((1 - min(a, b) for a, b in zip(fx, fy, strict=True)), Fraction(0))
    return [
        ratio(inter, sx),
        ratio(inter, sy),
        ratio(inter - both, sx - both),
        ratio(inter, sy),
        ratio(inter, sx),
        ratio(ron_n, ron_d),
    ]


def _ours(xs: list[tuple[float, float]], ys: list[tuple[float, float]]) -> list[object]:
    s, n = sufficiency(xs, ys), necessity(xs, ys)
    return [s.consistency, s.coverage, s.pri, n.consistency, n.coverage, n.relevance]


@settings(max_examples=80)
@given(st.data())
def test_known_memberships_give_setqca_figures(data: st.DataObject) -> None:
    """Crisp and fuzzy data without unknowns: one value per figure, setqca's to 3 decimals."""
    values = data.draw(st.sampled_from([crisp, unit]))
    size = data.draw(st.integers(1, 12))
    x = data.draw(st.lists(values, min_size=size, max_size=size))
    y = data.draw(st.lists(values, min_size=size, max_size=size))
    for bounds, reference in zip(_ours(x, y), _figures(x, y), strict=True):
        # setqca in floats; both agree with the rational figures (see _exact)
        assert bounds.exact  # type: ignore[attr-defined]
        assert bounds.low == pytest.approx(reference, abs=5e-4)  # type: ignore[attr-defined]


def test_a_hand_worked_case() -> None:
    """One case unknown in X: consistency (1 + x) / (2 + x) runs from 1/2 to 2/3."""
    fit = sufficiency([1, 1, 0, (0, 1)], [1, 0, 1, 1])
    assert (fit.consistency.low, fit.consistency.high) == pytest.approx((1 / 2, 2 / 3))
    assert (fit.coverage.low, fit.coverage.high) == pytest.approx((1 / 3, 2 / 3))
    assert str(fit.consistency) == "[0.500, 0.667]"


@settings(max_examples=60)
@given(st.lists(st.tuples(box(), box()), min_size=1, max_size=6), st.randoms())
def test_every_completion_lies_within_the_bounds(
    boxes: list[tuple[tuple[float, float], tuple[float, float]]], rng: random.Random
) -> None:
    """Random points in the boxes, and their corners, never leave the bounds."""
    xs, ys = [b[0] for b in boxes], [b[1] for b in boxes]
    bounds = _ours(xs, ys)
    completions = [
        ([rng.uniform(*x) for x in xs], [rng.uniform(*y) for y in ys]) for _ in range(30)
    ]
    completions.append(([x[0] for x in xs], [y[1] for y in ys]))
    completions.append(([x[1] for x in xs], [y[0] for y in ys]))
    for x, y in completions:
        for b, value in zip(bounds, _exact(x, y), strict=True):
            assert b.low - 1e-9 <= value <= b.high + 1e-9  # type: ignore[attr-defined]


@settings(max_examples=40)
@given(st.lists(st.tuples(box(), box()), min_size=1, max_size=3))
def test_the_bounds_are_attained(
    boxes: list[tuple[tuple[float, float], tuple[float, float]]],
) -> None:
    """Exact, not only sound: brute force over every case's candidate points finds both ends.

    The candidates are the vertices of the pieces where each figure is linear (the
    docstring's step 2), so the least and greatest value over all their combinations
    are the true extremes, which Dinkelbach's iteration must reach.
    """
    xs, ys = [b[0] for b in boxes], [b[1] for b in boxes]
    bounds = _ours(xs, ys)
    seen: list[list[float]] = [[] for _ in bounds]
    for combo in itertools.product(*(_candidates(x, y) for x, y in boxes)):
        for i, value in enumerate(_exact([p[0] for p in combo], [p[1] for p in combo])):
            seen[i].append(value)
    for b, values in zip(bounds, seen, strict=True):
        assert b.low == pytest.approx(min(values), abs=1e-9)  # type: ignore[attr-defined]
        assert b.high == pytest.approx(max(values), abs=1e-9)  # type: ignore[attr-defined]


def test_a_zero_denominator_completion_counts_as_zero() -> None:
    """X may be empty in every case: consistency can be 0 (setqca's 0/0), up to 1."""
    fit = sufficiency([(0, 0.4), (0, 0.2)], [0.3, 1])
    assert fit.consistency.low == 0
    assert fit.consistency.high == pytest.approx(1)


def test_bad_memberships_are_refused() -> None:
    """Out of [0, 1], reversed, or unequal lengths: unknown-set, not a silent figure."""
    for x, y in (([1.5], [1]), ([(0.8, 0.2)], [1]), ([1, 1], [1])):
        with pytest.raises(PoletypeError) as info:
            sufficiency(x, y)
        assert info.value.code == "unknown-set"


@pytest.fixture(scope="module")
def verdicts() -> tuple[list, list]:  # type: ignore[type-arg]
    cases = [read_initiative(f) for f in sorted(EXAMPLES.glob("*.yaml"))]
    return [classify(c, "matray-poisat") for c in cases], [classify(c) for c in cases]


def test_verdict_sets(verdicts: tuple[list, list]) -> None:  # type: ignore[type-arg]
    """Types, criteria and outcomes are sets; an indeterminate outcome is [0, 1]."""
    graded, crisp_verdicts = verdicts
    social = set_memberships(graded, "social")
    assert social == [(v.membership("social").low, v.membership("social").high) for v in graded]
    ptce = set_memberships(crisp_verdicts, "ptce")
    for v, box_ in zip(crisp_verdicts, ptce, strict=True):
        assert box_ == {"ptce": (1, 1), "not_ptce": (0, 0), "indeterminate": (0, 1)}[v.outcome]
    assert set_memberships(crisp_verdicts, "~ptce")[0] == (1 - ptce[0][1], 1 - ptce[0][0])
    m1 = set_memberships(crisp_verdicts, "M1")
    assert {
        v.criterion("M1").status for v, b in zip(crisp_verdicts, m1, strict=True) if b == (0, 1)
    } <= {"unknown"}
    with pytest.raises(PoletypeError, match="'socail'"):
        set_memberships(graded, "socail")
    fit = sufficiency_of(graded, "social", "ptce", crisp_verdicts)
    assert fit == sufficiency(social, ptce)
    assert necessity_of(graded, "social", "ptce", crisp_verdicts) == necessity(social, ptce)


def test_truth_table_on_known_data_matches_setqca(verdicts: tuple[list, list]) -> None:  # type: ignore[type-arg]
    """Each row of a fully known table: its cases, and its consistency as setqca computes it."""
    _, crisp_verdicts = verdicts
    table = truth_table(crisp_verdicts, ["M1", "M2", "M5"], "ptce")
    ids = case_ids(crisp_verdicts)
    assert sorted(c for r in table.rows for c in r.cases) == sorted(ids)
    assert len(set(ids)) == len(ids)
    # A row's consistency is the sufficiency of its conjunction, over every case.
    row = table.rows[0]
    x = set_memberships(crisp_verdicts, "M1")
    assert row.consistency.low <= row.consistency.high
    assert "consistency" in table.to_text()
    known = [v for v, b in zip(crisp_verdicts, x, strict=True) if b[0] == b[1]]
    assert known


def test_truth_table_rows_of_a_synthetic_crisp_table() -> None:
    """Known crisp rows: n and consistency are counts, as in any csQCA truth table."""
    from poletype._analysis.fit import truth_table as table_of

    class V:  # a verdict-shaped stand-in: only what set_memberships reads
        def __init__(self, i: int, a: str, b: str, out: str) -> None:
            from poletype.rulefile import Text
            from poletype.verdict import CriterionResult, Source

            text = Text(fr="t", en="t")
            src = Source(document="d", title="t", section="s")
            self.memberships = None
            self.initiative_id = f"c{i}"
            self.initiative = f"c{i}"
            self.outcome = out
            self.criteria = [
                CriterionResult(
                    id=k,
                    group="g",
                    status=s,
                    label=text,
                    justification=text,
                    source=src,
                    values={},
                    missing=[],
                )  # type: ignore[arg-type]
                for k, s in (("A", a), ("B", b))
            ]

    rows = [
        ("met", "met", "yes"),
        ("met", "met", "yes"),
        ("met", "met", "no"),
        ("met", "not_met", "no"),
        ("not_met", "met", "yes"),
    ]
    vs = [V(i, *r) for i, r in enumerate(rows)]
    table = table_of(vs, ["A", "B"], "yes")  # type: ignore[arg-type]
    assert table.rows[0].cases == ("c4",)  # consistency 1 sorts first
    by = {r.configuration: r for r in table.rows}
    assert by[("met", "met")].cases == ("c0", "c1", "c2")
    assert by[("met", "met")].consistency.low == pytest.approx(2 / 3)
    assert by[("met", "not_met")].consistency.high == 0


def test_export_qca_is_read_by_pandas_and_setqca(
    verdicts: tuple[list, list],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    """Case ids as row names, one column per set; setqca on the file gives our point figures."""
    pd = pytest.importorskip("pandas")
    graded, _crisp_verdicts = verdicts
    for point in ("low", "mid", "high"):
        path = export_qca(graded, tmp_path / f"{point}.csv", point, conditions=["social"])
        frame = pd.read_csv(path, index_col=0)
        assert list(frame.index) == case_ids(graded)
        assert list(frame.columns) == ["social"]
    path = export_qca(graded, tmp_path / "all.csv", "mid")
    frame = pd.read_csv(path, index_col=0)
    assert {"social", "ess_share"} <= set(frame.columns)
    mids = [(lo + hi) / 2 for lo, hi in set_memberships(graded, "social")]
    assert frame["social"].tolist() == pytest.approx(mids, abs=1e-5)
    ref = setqca_metrics.sufficiency(frame["social"], frame["alternative"])
    ours = sufficiency(frame["social"].tolist(), frame["alternative"].tolist())
    assert ours.consistency.low == pytest.approx(ref.consistency)
    with pytest.raises(PoletypeError) as info:
        export_qca(graded, tmp_path / "missing" / "x.csv")
    assert info.value.code == "unwritable-output"


def test_export_qca_writes_no_formula(tmp_path: Path) -> None:
    """A case id a spreadsheet would run is written as text; a plain one as it is."""
    cases = [
        read_initiative(f).model_copy(update={"id": case_id})
        for f, case_id in zip(
            sorted(EXAMPLES.glob("*.yaml"))[:3], ["=1+1", "@SUM(A1)", "C-3"], strict=True
        )
    ]
    path = export_qca([classify(c, "matray-poisat") for c in cases], tmp_path / "qca.csv")
    rows = [line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows[1:] == ["'=1+1", "'@SUM(A1)", "C-3"]
