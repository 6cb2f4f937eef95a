"""Parameter sweeps and the stability of each case's verdict under them.

A typology's thresholds are readings of a text ("5/10 organisations"), and a researcher
must show that a case's classification does not hang on one reading. `sweep` classifies
every case at every point of a grid of parameter values (a typology compiled once per
point); `stability` says, per case, how much of the grid keeps the outcome the default
parameters give, and how far each membership moves; `plot_stability` draws it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from poletype._analysis.frames import Backend, frame_records, make_frame
from poletype._api import _compiled, to_initiative
from poletype._compiler import Typology
from poletype._evaluator import evaluate
from poletype.errors import InitiativeError, SetupError, UsageError
from poletype.model import Initiative


def _scalar(value: Any) -> Any:
    """A parameter value as a frame cell: a list becomes its JSON text."""
    return value if isinstance(value, str | int | float | bool) else json.dumps(value)


def sweep(
    cases: Iterable[Initiative | Mapping[str, Any]],
    typology: str | Path | Typology,
    grid: Mapping[str, Sequence[Any]],
    *,
    params: Mapping[str, Any] | None = None,
    backend: Backend = "pandas",
) -> Any:
    """Classify every case at every point of ``grid``, one row per case and point.

    ``grid`` maps parameter names to the values to try; the points are every
    combination, in the grid's order. ``params`` fix other parameters for the whole
    sweep (and are the baseline). Columns: ``id``, ``name``, one column per swept
    parameter, ``outcome``, ``default_outcome`` (the outcome under the baseline, which
    `stability` compares with), ``membership.<type>.low``/``.high`` for graded
    typologies, and the point's ``rules_hash`` (which names the parameter values).
    """
    return make_frame(sweep_records(cases, typology, grid, params=params), backend)


def sweep_records(
    cases: Iterable[Initiative | Mapping[str, Any]],
    typology: str | Path | Typology,
    grid: Mapping[str, Sequence[Any]],
    *,
    params: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """`sweep` as plain records (no frame library needed): the command line's sweep."""
    if not grid or any(len(values) == 0 for values in grid.values()):
        raise UsageError(
            "a sweep needs at least one parameter with at least one value",
            code="bad-parameter",
            expected="grid={'name': [value, ...]}",
        )
    base = _compiled(typology, params)
    unknown = sorted(set(grid) - set(base.spec.parameters))
    if unknown:
        raise UsageError(
            f"typology {base.id!r} has no parameter {unknown[0]!r}",
            code="bad-parameter",
            expected=", ".join(sorted(base.spec.parameters)) or "no parameters",
        )
    initiatives = [to_initiative(case) for case in cases]
    defaults = [evaluate(base, i).outcome for i in initiatives]
    names = list(grid)
    records: list[dict[str, Any]] = []
    for point in itertools.product(*(grid[name] for name in names)):
        values = dict(zip(names, point, strict=True))
        compiled = _compiled(base, values)
        for initiative, default in zip(initiatives, defaults, strict=True):
            verdict = evaluate(compiled, initiative)
            record: dict[str, Any] = {"id": initiative.id, "name": initiative.name}
            record.update({name: _scalar(value) for name, value in values.items()})
            record["outcome"] = verdict.outcome
            record["default_outcome"] = default
            for m in verdict.memberships or ():
                record[f"membership.{m.type}.low"] = m.low
                record[f"membership.{m.type}.high"] = m.high
            record["rules_hash"] = verdict.rules_hash
            records.append(record)
    return records


def stability(sweep_frame: Any) -> Any:
    """Per case of a `sweep` frame: how much of the grid keeps its default outcome.

    Columns: ``id``, ``name``, ``default_outcome``, ``points`` (grid points), ``kept``
    (the share of points whose outcome is the default one, 0 to 1), ``outcomes`` (every
    outcome seen, ``; ``-separated), and for graded typologies the range of each
    membership over the grid: ``membership.<type>.low`` (the lowest low) and
    ``.high`` (the highest high). Cases are keyed by ``id``, by ``name`` without one,
    and listed in the sweep's order. The frame is of the sweep frame's kind.
    """
    records, backend = frame_records(sweep_frame)
    return make_frame(stability_records(records), backend)


def stability_records(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`stability` over plain sweep records, as plain records."""
    required = {"id", "name", "outcome", "default_outcome"}
    columns = set(records[0]) if records else required
    if not required <= columns:
        raise UsageError(
            "not a sweep frame",
            code="bad-parameter",
            expected="the frame `sweep` returns (id, name, outcome, default_outcome, …)",
            found=", ".join(sorted(columns)),
        )
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for record in records:
        key = (record["id"], None) if record["id"] is not None else (None, record["name"])
        groups.setdefault(key, []).append(record)
    lows = [
        c
        for c in (records[0] if records else ())
        if c.startswith("membership.") and c.endswith(".low")
    ]
    result = []
    for rows in groups.values():
        first = rows[0]
        outcomes = list(dict.fromkeys(r["outcome"] for r in rows))
        entry: dict[str, Any] = {
            "id": first["id"],
            "name": first["name"],
            "default_outcome": first["default_outcome"],
            "points": len(rows),
            "kept": sum(r["outcome"] == first["default_outcome"] for r in rows) / len(rows),
            "outcomes": "; ".join(outcomes),
        }
        for low in lows:
            high = low.removesuffix(".low") + ".high"
            entry[low] = min(r[low] for r in rows if r[low] is not None)
            entry[high] = max(r[high] for r in rows if r[high] is not None)
        result.append(entry)
    return result


def plot_stability(stability_frame: Any, *, title: str | None = None) -> Any:
    """A matplotlib Figure of a `stability` frame: one bar per case, least stable on top.

    Each bar is the share of the grid that keeps the case's default outcome, coloured
    by that outcome; for graded typologies a second panel shows, per case, the range of
    each membership over the grid (a wide range: a reading the thresholds decide).
    Needs matplotlib (``pip install 'poletype[map]'``).
    """
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise SetupError(
            "a stability plot needs matplotlib",
            code="missing-dependency",
            expected="matplotlib, installed with pip install 'poletype[map]'",
        ) from None
    import matplotlib as mpl  # noqa: PLC0415

    records = (
        [dict(r) for r in stability_frame]
        if isinstance(stability_frame, list)
        else frame_records(stability_frame)[0]
    )
    records.sort(key=lambda r: (r["kept"], str(r["id"] or r["name"])))
    labels = [str(r["id"] or r["name"]) for r in records]
    types = [
        c.removeprefix("membership.").removesuffix(".low")
        for c in (records[0] if records else {})
        if c.startswith("membership.") and c.endswith(".low")
    ]
    height = max(3.0, 0.25 * len(records) + 2.0)
    panels = 2 if types else 1
    figure = Figure(figsize=(6.0 * panels + 1.0, height), dpi=100, layout="constrained")
    axes: list[Any] = [figure.add_subplot(1, panels, i + 1) for i in range(panels)]
    colours = mpl.colormaps["tab10"]
    outcomes = list(dict.fromkeys(r["default_outcome"] for r in records))
    positions = list(range(len(records)))
    bars = axes[0]
    for index, outcome in enumerate(outcomes):
        chosen = [
            p for p, r in zip(positions, records, strict=True) if r["default_outcome"] == outcome
        ]
        bars.barh(
            chosen,
            [records[p]["kept"] for p in chosen],
            color=colours(index % 10),
            label=f"default: {outcome}",
        )
    bars.set_yticks(positions, labels, fontsize=7)
    bars.set_xlim(0, 1)
    bars.set_ylim(-0.6, len(records) - 0.4)
    bars.axvline(1.0, color="#888888", linewidth=0.8)
    bars.set_xlabel("share of the grid keeping the default outcome")
    for position, record in zip(positions, records, strict=True):
        bars.text(
            min(record["kept"], 0.97),
            position,
            f" {record['kept']:.0%} of {record['points']}",
            va="center",
            ha="right" if record["kept"] > 0.75 else "left",
            fontsize=7,
            color="white" if record["kept"] > 0.75 else "black",
        )
    if records:
        bars.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, fontsize=7)
    bars.set_title(title or "Stability of each case under the parameter grid", fontsize=10)
    if types:
        ranges = axes[1]
        step = 0.8 / len(types)
        for index, kind in enumerate(types):
            offset = -0.4 + step * (index + 0.5)
            for position, record in zip(positions, records, strict=True):
                low, high = record[f"membership.{kind}.low"], record[f"membership.{kind}.high"]
                ranges.plot(
                    [low, high],
                    [position + offset] * 2,
                    color=colours(index % 10),
                    linewidth=2,
                    solid_capstyle="butt",
                    label=kind if position == 0 else None,
                )
                ranges.plot([low, high], [position + offset] * 2, "|", color=colours(index % 10))
        ranges.set_yticks(positions, labels, fontsize=7)
        ranges.set_ylim(-0.6, len(records) - 0.4)
        ranges.set_xlim(-0.02, 1.02)
        ranges.axvline(0.5, color="#888888", linewidth=0.8, linestyle="--")
        ranges.set_xlabel("membership over the grid (lowest low to highest high)")
        ranges.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=4, fontsize=7)
        ranges.set_title("Membership ranges", fontsize=10)
    for ax in axes:
        ax.invert_yaxis()
    return figure


def save_figure(figure: Any, out: Path) -> Path:
    """Write a figure as PNG or SVG, by ``out``'s suffix, with no date in the file."""
    kind = out.suffix.lstrip(".").lower()
    if kind not in ("png", "svg"):
        raise InitiativeError(
            f"cannot draw a plot as {out.name!r}",
            code="unreadable-input",
            expected="a file name ending in .png or .svg",
            found=out.suffix or "no suffix",
        )
    import matplotlib as mpl  # noqa: PLC0415 - only once a figure exists

    metadata: dict[str, Any] = {"Date": None} if kind == "svg" else {"Software": None}
    try:
        with mpl.rc_context({"svg.hashsalt": "poletype", "svg.fonttype": "none"}):
            figure.savefig(out, format=kind, metadata=metadata)
    except OSError as exc:
        raise SetupError(
            f"cannot write {out}: {exc.strerror or exc}", code="unwritable-output", file=str(out)
        ) from None
    return out
