"""Figures a researcher would put in a paper: the typology map and the XY plot of a fit.

The map places each initiative on a graded typology's two interpretive axes (the rule
file's axis formulas, read through `Verdict.axes`), the XY plot places each case by its
membership in a condition X and an outcome Y, with the diagonal of sufficiency. Both
show an interval as a box when asked, since a point alone would hide what is unknown.

Labels are the hard part at 60 and at 500 cases: drawn naively they pile into an
unreadable smear. `_place_labels` places them with a deterministic greedy algorithm
rather than adjustText: adjustText moves labels by iterated repulsion, whose result
depends on the number of iterations and on floating-point ties, and it never promises
no overlap; a paper's figure must be reproducible and readable. Here each label, in
order, tries eight positions around its point at two distances, measured by the
renderer (`get_window_extent`), and takes the first that overlaps no label already
placed, no other point and stays inside the axes; a label with no free place is left
out and counted in a note under the plot. The same input always gives the same figure.

matplotlib is an optional dependency (``pip install 'poletype[map]'``), imported only
when a figure is drawn.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from poletype._analysis.fit import IntervalLike, box, set_membership, status_of, sufficiency
from poletype._engine.typology import GradedTypology, Typology
from poletype._rules.classify import load_typology
from poletype.errors import SetupError, UsageError
from poletype.verdict import Verdict

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SIZE_INCHES = 8.0
DPI = 100
FORMATS = ("png", "svg", "pdf")
AUTO_BOXES = 0
"""Up to this many cases the map draws uncertainty boxes unless told otherwise: none.

Boxes are on demand: most real cases have wide intervals, and even outlined boxes of a
few dozen of them cover the quadrants and the labels.
"""

ColourBy = str | Callable[[Verdict], object] | Sequence[object] | None


def _matplotlib() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional dependency
        from matplotlib.figure import Figure  # noqa: PLC0415, F401
    except ImportError:
        raise SetupError(
            "drawing a figure needs matplotlib",
            code="missing-dependency",
            expected="matplotlib, installed with pip install 'poletype[map]'",
        ) from None
    return mpl


def _new_figure() -> tuple[Figure, Any, Any]:
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    return figure, ax, canvas


# ---------------------------------------------------------------------------- labels


class _Grid:
    """Display-space boxes in buckets, so a test for overlap looks at neighbours only."""

    def __init__(self, cell: float = 40.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _keys(self, box: tuple[float, float, float, float]) -> list[tuple[int, int]]:
        x0, y0, x1, y1 = box
        c = self.cell
        return [
            (i, j)
            for i in range(int(x0 // c), int(x1 // c) + 1)
            for j in range(int(y0 // c), int(y1 // c) + 1)
        ]

    def hits(self, box: tuple[float, float, float, float], ignore: object = None) -> bool:
        x0, y0, x1, y1 = box
        for key in self._keys(box):
            for other in self.cells.get(key, ()):
                if other == ignore:
                    continue
                if x0 < other[2] and other[0] < x1 and y0 < other[3] and other[1] < y1:
                    return True
        return False

    def add(self, box: tuple[float, float, float, float]) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)


_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
_HA = {1: "left", 0: "center", -1: "right"}
_VA = {1: "bottom", 0: "center", -1: "top"}


def _place_labels(
    figure: Figure,
    ax: Any,
    canvas: Any,
    *,
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    colours: Sequence[Any],
    fontsize: float,
) -> int:
    """Place each label at the first free spot around its point; the number left out."""
    figure.canvas.draw()  # fixes the layout, so display coordinates are final
    renderer = canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    grid = _Grid()
    centres = ax.transData.transform(points) if points else []
    pad = 2.5
    to_data = ax.transData.inverted()
    for cx, cy in centres:
        grid.add((cx - pad, cy - pad, cx + pad, cy + pad))
    for name in ax.texts:  # the quadrants' type names are not to be written over
        if name.get_gid() == "poletype-quadrant":
            extent = name.get_window_extent(renderer)
            grid.add((extent.x0, extent.y0, extent.x1, extent.y1))
    left_out = 0
    for (cx, cy), text, colour in zip(centres, texts, colours, strict=True):
        own = (cx - pad, cy - pad, cx + pad, cy + pad)
        artist = ax.text(
            0, 0, text, fontsize=fontsize, color=colour, clip_on=False, gid="poletype-label"
        )
        placed = False
        for distance, (dx, dy) in itertools.product((4.0, 11.0), _DIRECTIONS):
            artist.set_position(to_data.transform((cx + dx * distance, cy + dy * distance)))
            artist.set_horizontalalignment(_HA[dx])
            artist.set_verticalalignment(_VA[dy])
            extent = artist.get_window_extent(renderer)
            box = (extent.x0 - 1, extent.y0 - 1, extent.x1 + 1, extent.y1 + 1)
            inside = (box[0] >= frame.x0 and box[2] <= frame.x1 and box[1] >= frame.y0) and box[
                3
            ] <= frame.y1
            if inside and not grid.hits(box, ignore=own):
                grid.add(box)
                placed = True
                break
        if not placed:
            artist.remove()
            left_out += 1
    return left_out


def label_boxes(figure: Figure) -> list[Any]:
    """The display-space boxes of the case labels drawn on a figure (for tests and checks)."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [
        t.get_window_extent(renderer)
        for ax in figure.axes
        for t in ax.texts
        if t.get_gid() == "poletype-label"
    ]


# ---------------------------------------------------------------------------- colours


def _categories(verdicts: Sequence[Verdict], colour_by: ColourBy) -> list[str] | None:
    if colour_by is None:
        return None
    if callable(colour_by):
        return [str(colour_by(v)) for v in verdicts]
    if isinstance(colour_by, str):
        if colour_by in {"outcome", "leaning"}:
            return [str(getattr(v, colour_by)) for v in verdicts]
        return [status_of(set_membership(v, colour_by)) for v in verdicts]
    values = list(colour_by)
    if len(values) != len(verdicts):
        raise UsageError(
            "colour_by must give one value per case",
            code="unknown-set",
            expected=f"{len(verdicts)} values",
            found=str(len(values)),
        )
    return [str(value) for value in values]


def _palette(categories: list[str] | None, count: int) -> tuple[list[Any], dict[str, Any]]:
    mpl = _matplotlib()
    if categories is None:
        return ["#1f4e79"] * count, {}
    colours = mpl.colormaps["tab10"]
    keys = sorted(set(categories))
    mapping = {key: colours(i % 10) for i, key in enumerate(keys)}
    return [mapping[c] for c in categories], mapping


# ---------------------------------------------------------------------------- map


def _axes_of(verdict: Verdict) -> tuple[tuple[float, float], tuple[float, float]]:
    if not verdict.axes or len(verdict.axes) != 2:
        raise UsageError(
            f"the verdict on {verdict.initiative!r} has no map position",
            code="map-unavailable",
            expected="verdicts of a graded typology with two axes (e.g. matray-poisat)",
        )
    x, y = verdict.axes
    return (x.low, x.high), (y.low, y.high)


def _axis_label(axis: Any, lang: Literal["fr", "en"]) -> str:
    """An axis's name over its direction, wrapped to fit beside a square plot."""
    direction = f"{getattr(axis.low, lang)} → {getattr(axis.high, lang)}"
    return "\n".join([getattr(axis.label, lang), *textwrap.wrap(direction, 48)])


def _draw_frame(
    ax: Any, typology: GradedTypology, lang: Literal["fr", "en"], title: str | None
) -> None:
    """Axes, their names, the crossover lines and the quadrants' type names."""
    graded = typology.graded
    x_axis, y_axis = (a.spec for a in graded.axes)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    ax.axhline(0.5, color="#888888", linewidth=0.8)
    ax.axvline(0.5, color="#888888", linewidth=0.8)
    ax.set_xlabel(_axis_label(x_axis, lang))
    ax.set_ylabel(_axis_label(y_axis, lang))
    ax.set_title(title if title is not None else getattr(typology.title, lang))
    names = {t.id: getattr(t.spec.label, lang) for t in graded.types}
    for quadrant in graded.spec.quadrants:  # in the outer corners, clear of the centre
        high_x, high_y = quadrant.x == "high", quadrant.y == "high"
        ax.text(
            1.02 if high_x else -0.02,
            1.02 if high_y else -0.02,
            names[quadrant.type],
            ha="right" if high_x else "left",
            va="top" if high_y else "bottom",
            fontsize=11,
            fontweight="bold",
            color="#777777",
            alpha=0.6,
            zorder=0,
            gid="poletype-quadrant",
        )


def plot_map(
    verdicts: Sequence[Verdict] | Sequence[Sequence[Verdict]],
    typology: Typology | None = None,
    *,
    labels: bool = True,
    colour_by: ColourBy = None,
    boxes: bool | None = None,
    lang: Literal["fr", "en"] = "fr",
    title: str | None = None,
) -> Figure:
    """The typology map of some verdicts, as a matplotlib Figure.

    ``verdicts``: one verdict per initiative, or per initiative a list of verdicts in
    date order (a trajectory, drawn as arrows). ``typology`` gives the axis and quadrant
    names (loaded from the verdicts' typology id when omitted). ``colour_by``: ``outcome``,
    ``leaning``, a set name (type, criterion: coloured met / not met / unknown), a
    callable on the last verdict, or one value per initiative (a column). ``boxes``: draw
    what the unknowns allow as a box (default: when at most 100 initiatives). Labels that
    cannot be placed without overlap are left out and counted under the plot.
    """
    series: list[list[Verdict]] = [
        [item] if isinstance(item, Verdict) else list(item) for item in verdicts
    ]
    series = [s for s in series if s]
    if typology is None:
        first = series[0][-1] if series else None
        typology = load_typology(first.typology if first else "matray-poisat")
    if not isinstance(typology, GradedTypology) or len(typology.graded.axes) != 2:
        raise UsageError(
            f"typology {typology.id!r} declares no map axes",
            code="map-unavailable",
            file=typology.file,
            expected="a graded typology with two axes under graded.axes",
        )
    from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: PLC0415

    figure, ax, canvas = _new_figure()
    lasts = [s[-1] for s in series]
    count = len(series)
    if boxes is None:
        boxes = count <= AUTO_BOXES
    _draw_frame(ax, typology, lang, title)
    categories = _categories(lasts, colour_by)
    colours, legend = _palette(categories, count)
    size = 30 if count <= 60 else 12
    centres_last = []
    for verdicts_of_one, colour in zip(series, colours, strict=True):
        centres = []
        for verdict in verdicts_of_one:
            (x0, x1), (y0, y1) = _axes_of(verdict)
            if boxes:
                ax.add_patch(
                    Rectangle(
                        (x0, y0),
                        x1 - x0,
                        y1 - y0,
                        facecolor="none",
                        edgecolor=colour,
                        alpha=0.45,
                        linewidth=0.7,
                        linestyle="--",
                    )
                )
            centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
        for start, end in itertools.pairwise(centres):
            ax.add_patch(
                FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour)
            )
        xs, ys = zip(*centres, strict=True)
        ax.scatter(xs, ys, color=colour, s=size, zorder=3, alpha=0.9 if count <= 60 else 0.6)
        centres_last.append(centres[-1])
    if legend:
        from matplotlib.lines import Line2D  # noqa: PLC0415

        handles = [
            Line2D([], [], marker="o", linestyle="", color=c, label=k) for k, c in legend.items()
        ]
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
        )
    figure.tight_layout()
    if labels:
        omitted = _place_labels(
            figure,
            ax,
            canvas,
            points=centres_last,
            texts=[v.initiative for v in lasts],
            colours=colours,
            fontsize=7 if count <= 60 else 6,
        )
        if omitted:
            note = (
                f"{omitted} étiquettes omises (chevauchement)"
                if lang == "fr"
                else f"{omitted} labels left out (overlap)"
            )
            figure.text(0.99, 0.005, note, ha="right", va="bottom", fontsize=7, color="#555555")
    return figure


# ---------------------------------------------------------------------------- XY plot


def plot_xy(
    x: Sequence[IntervalLike],
    y: Sequence[IntervalLike],
    *,
    names: Sequence[str] | None = None,
    xlabel: str = "X",
    ylabel: str = "Y",
    boxes: bool = True,
    labels: bool = True,
    title: str | None = None,
) -> Figure:
    """The XY plot of "X is sufficient for Y": cases, diagonal, fit bounds in the title.

    Each case sits at the middle of its X and Y intervals, inside a box spanning them when
    ``boxes``; cases above the diagonal are consistent with sufficiency. The title gives
    consistency and coverage as bounds over the unknowns (`sufficiency`).
    """
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    xb = [box(v) for v in x]
    yb = [box(v) for v in y]
    fit = sufficiency(xb, yb)
    figure, ax, canvas = _new_figure()
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    ax.plot([0, 1], [0, 1], color="#888888", linewidth=0.8)
    ax.axhline(0.5, color="#cccccc", linewidth=0.6)
    ax.axvline(0.5, color="#cccccc", linewidth=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    head = title if title is not None else f"{xlabel} ⇒ {ylabel}"
    ax.set_title(
        f"{head}\nconsistency {fit.consistency}  coverage {fit.coverage}  PRI {fit.pri}"
        f"  (n = {fit.cases})",
        fontsize=10,
    )
    centres = []
    colour = "#1f4e79"
    for (x0, x1), (y0, y1) in zip(xb, yb, strict=True):
        if boxes and (x1 > x0 or y1 > y0):
            ax.add_patch(
                Rectangle(
                    (x0, y0),
                    max(x1 - x0, 0.004),
                    max(y1 - y0, 0.004),
                    facecolor="none",
                    edgecolor=colour,
                    alpha=0.45,
                    linewidth=0.7,
                    linestyle="--",
                )
            )
        centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
    if centres:
        xs, ys = zip(*centres, strict=True)
        ax.scatter(xs, ys, color=colour, s=24 if len(centres) <= 60 else 10, zorder=3)
    figure.tight_layout()
    if labels and names is not None:
        _place_labels(
            figure,
            ax,
            canvas,
            points=centres,
            texts=list(names),
            colours=[colour] * len(centres),
            fontsize=7,
        )
    return figure


def save_figure(figure: Figure, out: str | Path, dpi: int = DPI) -> Path:
    """Write a figure as PNG, SVG or PDF (by suffix), with no date, so bytes are stable."""
    path = Path(out)
    kind = path.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise UsageError(
            f"cannot draw a figure as {path.name!r}",
            code="bad-output-format",
            expected="a file name ending in .png, .svg or .pdf",
            found=path.suffix or "no suffix",
        )
    mpl = _matplotlib()
    metadata: dict[str, Any] = {
        "svg": {"Date": None},
        "pdf": {"CreationDate": None, "ModDate": None},
        "png": {"Software": None},
    }[kind]
    try:
        with mpl.rc_context({"svg.hashsalt": "poletype", "svg.fonttype": "none"}):
            figure.savefig(path, format=kind, dpi=dpi, metadata=metadata)
    except OSError as exc:
        raise SetupError(
            f"cannot write {path}", code="unwritable-output", found=exc.strerror
        ) from None
    return path
