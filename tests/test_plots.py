"""Figures for papers: readable maps at 60 and 500 cases, XY plots, three file formats."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import EXAMPLES
from poletype import classify, plot_map, plot_xy, read_initiative, set_memberships
from poletype._analysis.plots import label_boxes, save_figure
from poletype.cli import main
from poletype.verdict import Verdict

pytest.importorskip("matplotlib")


def _cases(count: int, seed: int = 7) -> list[Verdict]:
    """``count`` verdicts at scattered positions, some with wide intervals, long names."""
    base = classify(read_initiative(EXAMPLES / "pole-exemple-complet.yaml"), "matray-poisat")
    rng = random.Random(seed)
    out = []
    for i in range(count):
        axes = []
        for axis in base.axes or ():
            low = rng.betavariate(2, 2)
            high = min(1.0, low + (rng.random() * 0.3 if rng.random() < 0.3 else 0.0))
            axes.append(axis.model_copy(update={"low": low, "high": high}))
        name = f"Pôle {i} {'de coopération ' * (i % 3)}".strip()
        out.append(base.model_copy(update={"initiative": name, "axes": axes}))
    return out


def _overlaps(boxes: list) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


@pytest.mark.parametrize("count", [60, 500])
def test_no_two_labels_overlap(count: int) -> None:
    """Every drawn label box, as the renderer measures it, is clear of every other."""
    figure = plot_map(_cases(count), colour_by=lambda v: v.initiative[-1] in "02468")
    figure.canvas.draw()
    boxes = label_boxes(figure)
    assert len(boxes) >= min(count, 40)  # most labels at 60, a good share at 500
    assert _overlaps(boxes) == []


def test_labels_can_be_turned_off_and_figures_are_returned() -> None:
    """labels=False draws none; both functions return matplotlib Figures."""
    from matplotlib.figure import Figure

    figure = plot_map(_cases(10), labels=False, boxes=True)
    assert isinstance(figure, Figure)
    assert label_boxes(figure) == []
    xy = plot_xy([0.2, (0.4, 0.9), 1.0], [0.5, 0.6, (0.7, 1.0)], names=["a", "b", "c"])
    assert isinstance(xy, Figure)
    title = xy.axes[0].get_title()
    assert "consistency [" in title
    assert "coverage" in title


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_saved_in_three_formats(tmp_path: Path, suffix: str) -> None:
    """PNG, SVG and PDF files start with their format's signature."""
    out = save_figure(plot_map(_cases(5)), tmp_path / f"map.{suffix}")
    head = out.read_bytes()[:8]
    assert head.startswith({"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[suffix])


def test_cli_map_options_and_fit_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """poletype map takes the new options; poletype fit prints bounds and draws the XY plot."""
    files = [str(f) for f in sorted(EXAMPLES.glob("*.yaml"))]
    out = tmp_path / "map.pdf"
    assert main(["map", *files, "--out", str(out), "--no-labels", "--colour-by", "leaning"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    xy = tmp_path / "xy.svg"
    code = main(
        [
            "fit",
            *files,
            "--condition",
            "social",
            "--outcome",
            "ptce",
            "--outcome-typology",
            "labo-ess-ptce",
            "--xy",
            str(xy),
            "--conditions",
            "ess_share,democratic_governance",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "consistency" in text
    assert "relevance" in text
    assert xy.read_text(encoding="utf-8").startswith("<?xml")


def test_xy_from_verdicts_has_one_point_per_case() -> None:
    """X and Y read from verdicts; the scatter holds one point per case."""
    cases = [read_initiative(f) for f in sorted(EXAMPLES.glob("*.yaml"))]
    graded = [classify(c, "matray-poisat") for c in cases]
    figure = plot_xy(set_memberships(graded, "social"), set_memberships(graded, "alternative"))
    (points,) = figure.axes[0].collections
    assert len(points.get_offsets()) == len(cases)
