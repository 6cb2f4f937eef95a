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

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from poletype._analysis.plots import DPI, SIZE_INCHES, plot_map, save_figure
from poletype._engine.typology import Typology
from poletype.verdict import Verdict

__all__ = ["DPI", "SIZE_INCHES", "draw_map"]


def draw_map(
    series: Sequence[Sequence[Verdict]],
    typology: Typology,
    out: Path,
    lang: Literal["fr", "en"] = "fr",
    **options: object,
) -> Path:
    """Draw one point (or one trajectory) per initiative; the format follows ``out``'s suffix.

    Each element of ``series`` is one initiative's verdicts in date order: a single
    verdict is a point, several are a trajectory. ``options`` go to `plot_map`
    (``labels``, ``colour_by``, ``boxes``, ``title``).
    """
    if out.suffix.lstrip(".").lower() not in ("png", "svg", "pdf"):
        save_figure(None, out)  # type: ignore[arg-type] # raises the format error
    figure = plot_map(series, typology, lang=lang, **options)  # type: ignore[arg-type]
    return save_figure(figure, out)
