"""The functions users call: load a typology, read an initiative, classify it.

``classify`` accepts an `Initiative` or a plain dict in the interchange format, and a
typology given by id, by path, or already loaded, so an integrating tool can hold one
compiled typology and classify many initiatives without reloading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poletype._analysis.trajectory import Trajectory, TrajectoryPoint, changes, states
from poletype._engine.dispatch import evaluate
from poletype._engine.typology import Typology
from poletype._read.documents import is_json, read_document
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._rules.classify import (
    DEFAULT_TYPOLOGY,
    GRADED_TYPOLOGY,
    check_typology,
    classify,
    classify_many,
    load_typologies,
    load_typology,
    to_initiative,
    typologies,
    typology_of,
)
from poletype.errors import InitiativeError
from poletype.model import Initiative

__all__ = [
    "DEFAULT_TYPOLOGY",
    "GRADED_TYPOLOGY",
    "check_typology",
    "classify",
    "classify_many",
    "is_json",
    "load_typologies",
    "load_typology",
    "read_document",
    "read_initiative",
    "to_initiative",
    "trajectory",
    "typologies",
]


def read_initiative(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Initiative:
    """Read one initiative from a YAML or JSON file in the interchange format.

    Every failure is an `InitiativeError` naming the file, with a code of its own for
    each of ``limits`` (see ``docs/limits.md``).
    """
    file = str(path)
    data = read_document(path, limits=limits)
    if not isinstance(data, dict):
        raise InitiativeError(
            "an initiative is a mapping of fields",
            code="invalid-initiative",
            file=file,
            expected="a YAML or JSON mapping with at least 'name'",
            found=type(data).__name__,
        )
    return to_initiative(data, source=file, limits=limits)


def trajectory(
    initiative: Initiative | Mapping[str, Any],
    typology: str | Path | Typology = GRADED_TYPOLOGY,
    params: Mapping[str, Any] | None = None,
) -> Trajectory:
    """Classify an initiative at its first state and at each snapshot date.

    The series a researcher plots: poles move between ideal types, and ``changes`` names
    the dates at which the outcome (the dominant type) changed.
    """
    compiled = typology_of(typology, params)
    model = to_initiative(initiative)
    points = [
        TrajectoryPoint(date=date, verdict=evaluate(compiled, state))
        for date, state in states(model)
    ]
    return Trajectory(
        initiative=model.name, typology=compiled.id, points=points, changes=changes(points)
    )
