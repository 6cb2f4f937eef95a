"""The typology map: initiatives placed on a graded typology's two interpretive axes.

For researchers comparing poles, and for readers of a report who think in pictures. The
axis values come from the rule file's declared axis formulas through the verdict
(`Verdict.axes`); this module only draws them. Each initiative is a point at the middle
of its position, inside a box that spans what the unknown facts allow; a trajectory is a
chain of arrows from state to state. Quadrants carry the labels of the types the rule
file assigns them.

matplotlib is an optional dependency (``pip install 'poletype[map]'``): classification
never needs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from poletype._engine.typology import Typology
from poletype.errors import SetupError, UsageError
from poletype.verdict import Verdict

SIZE_INCHES = 8.0
DPI = 100
FORMATS = ("png", "svg")


def _axes_of(verdict: Verdict) -> tuple[tuple[float, float], tuple[float, float]]:
    assert verdict.axes is not None
    x, y = verdict.axes
    return (x.low, x.high), (y.low, y.high)


def draw_map(
    series: Sequence[Sequence[Verdict]],
    typology: Typology,
    out: Path,
    lang: Literal["fr", "en"] = "fr",
) -> Path:
    """Draw one point (or one trajectory) per initiative; the format follows ``out``'s suffix.

    Each element of ``series`` is one initiative's verdicts in date order: a single
    verdict is a point, several are a trajectory.
    """
    graded = typology.graded
    if graded is None or len(graded.axes) != 2:
        raise UsageError(
            f"typology {typology.id!r} declares no map axes",
            code="map-unavailable",
            file=typology.file,
            expected="a graded typology with two axes under graded.axes",
        )
    kind = out.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise UsageError(
            f"cannot draw a map as {out.name!r}",
            code="bad-output-format",
            expected="a file name ending in .png or .svg",
            found=out.suffix or "no suffix",
        )
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency
        from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: PLC0415
    except ImportError:
        raise SetupError(
            "drawing a map needs matplotlib",
            code="missing-dependency",
            expected="matplotlib, installed with pip install 'poletype[map]'",
        ) from None
    import matplotlib as mpl  # noqa: PLC0415

    x_axis, y_axis = (a.spec for a in graded.axes)
    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI)
    ax: Any = figure.add_subplot()
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    ax.axhline(0.5, color="#888888", linewidth=0.8)
    ax.axvline(0.5, color="#888888", linewidth=0.8)
    ax.set_xlabel(
        f"{getattr(x_axis.label, lang)}: {getattr(x_axis.low, lang)} → {getattr(x_axis.high, lang)}"
    )
    ax.set_ylabel(
        f"{getattr(y_axis.label, lang)}: {getattr(y_axis.low, lang)} → {getattr(y_axis.high, lang)}"
    )
    ax.set_title(getattr(typology.title, lang))
    labels = {t.id: getattr(t.spec.label, lang) for t in graded.types}
    for quadrant in graded.spec.quadrants:
        ax.text(
            0.75 if quadrant.x == "high" else 0.25,
            0.75 if quadrant.y == "high" else 0.25,
            labels[quadrant.type],
            ha="center",
            va="center",
            fontsize=18,
            fontweight="bold",
            color="#999999",
            alpha=0.5,
            zorder=0,
        )
    colours = mpl.colormaps["tab10"]
    for index, verdicts in enumerate(series):
        colour = colours(index % 10)
        centres = []
        for verdict in verdicts:
            (x0, x1), (y0, y1) = _axes_of(verdict)
            ax.add_patch(
                Rectangle(
                    (x0, y0), x1 - x0, y1 - y0, facecolor=colour, alpha=0.15, edgecolor=colour
                )
            )
            centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
        for start, end in itertools.pairwise(centres):
            ax.add_patch(
                FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=colour)
            )
        xs, ys = zip(*centres, strict=True)
        ax.scatter(xs, ys, color=colour, s=30, zorder=3)
        ax.annotate(
            verdicts[-1].initiative,
            centres[-1],
            textcoords="offset points",
            xytext=(5, 5),
            fontsize=8,
            color=colour,
            annotation_clip=False,
        )
    figure.tight_layout()
    metadata: dict[str, Any] = {"Date": None} if kind == "svg" else {"Software": None}
    with mpl.rc_context({"svg.hashsalt": "poletype", "svg.fonttype": "none"}):
        figure.savefig(out, format=kind, dpi=DPI, metadata=metadata)
    return out
