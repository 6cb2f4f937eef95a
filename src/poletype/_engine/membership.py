"""Graded typology × initiative → verdict: memberships in ideal types, with intervals.

Ideal types are not boxes: a real pole belongs to each of them to some degree and moves
between them. Each indicator gives a degree (a yes/no condition gives 0 or 1, a number
is calibrated by its anchors); each type's declared formula combines the degrees. An
unknown indicator spans [0, 1], so memberships are intervals that contain the membership
of every way of filling in the unknown facts, and the dominant type is named only when
no such way could unseat it.

``missing`` lists the unknown facts read by the indicators that can still move a type in
contention (one that is the maximum in some completion). It never omits a fact whose
knowledge could change the dominant type; it may list one that could not, when
indicators share facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poletype._engine.evaluator import condition, condition_missing, describe, provenance
from poletype._engine.facts import unknown_facts
from poletype._engine.fuzzy import (
    UNKNOWN_DEGREE,
    Degree,
    complement,
    crisp,
    dominance,
    fuzzy_and,
    fuzzy_or,
    is_point,
    rounded,
    status,
    weighted_mean,
)
from poletype._engine.interpreter import UNKNOWN, Backend, Interval, Root, evaluate_value
from poletype._engine.justified import Justified, finish
from poletype._engine.logic import Tri
from poletype._engine.typology import CombinationTree, CompiledIndicator, Graded, GradedTypology
from poletype.model import Initiative
from poletype.rulefile import Text
from poletype.verdict import (
    AxisPosition,
    DimensionReading,
    GradedParts,
    Membership,
    Status,
    TypeDegree,
    Verdict,
)
from poletype.verdict import Degree as DegreeModel

INDETERMINATE = "indeterminate"


def evaluate_graded(
    typology: GradedTypology,
    initiative: Initiative,
    derived: tuple[str, ...] = (),
    backend: Backend = "compiled",
) -> Verdict:
    """Grade one initiative's membership in each ideal type of a graded typology.

    ``initiative`` has its derivable facts filled in already; ``derived`` names them.
    """
    graded = typology.graded
    root = Root(initiative, typology.params_value, backend)
    degrees: dict[str, Degree] = {}
    facts: dict[str, list[str]] = {}
    for indicator in graded.indicators:
        degrees[indicator.id], facts[indicator.id] = indicator_degree(indicator, root)

    memberships = {t.id: _rounded(combine(t.membership, degrees)) for t in graded.types}
    reading = dominance(memberships, graded.hybrid_margin)
    outcome_missing: set[str] = set()
    if reading.dominant is None:
        for t in graded.types:
            if t.id in reading.contenders:
                for indicator_id in live(t.membership, degrees):
                    outcome_missing.update(facts[indicator_id])
    outcome = reading.dominant or INDETERMINATE
    settled: dict[str, Any] = {
        **provenance(typology, initiative),
        "outcome": outcome,
        "outcome_label": _label(graded, outcome),
        "scores": [],
        "missing": sorted(outcome_missing),
        "derived": list(derived),
        "descriptors": describe(typology, root),
        "graded": GradedParts(
            memberships=[
                Membership(
                    type=t.id,
                    label=t.spec.label,
                    low=memberships[t.id][0],
                    high=memberships[t.id][1],
                    indicators=t.membership.indicators(),
                )
                for t in graded.types
            ],
            leaning=reading.leaning,
            hybrid=reading.hybrid,
            axes=[
                AxisPosition(axis=a.spec.id, label=a.spec.label, low=low, high=high)
                for a in graded.axes
                for low, high in [_rounded(combine(a.value, degrees))]
            ],
            dimensions=_dimensions(typology, graded, degrees),
        ),
    }
    justified = _Graded(typology, root, settled, degrees, facts)
    return finish(typology, backend, settled, justified, later=("criteria",))


class _Graded(Justified):
    """A graded verdict's justification: each indicator's degree, status and facts."""

    __slots__ = ("_extras", "_statuses", "degrees", "facts", "ids")

    def __init__(
        self,
        typology: GradedTypology,
        root: Root,
        settled: dict[str, Any],
        degrees: dict[str, Degree],
        facts: dict[str, list[str]],
    ) -> None:
        super().__init__(typology, root, settled)
        self.ids = [indicator.id for indicator in typology.graded.indicators]
        self.degrees = degrees
        self.facts = facts
        self._statuses: list[Status] | None = None
        self._extras: list[Any] | None = None

    def statuses(self) -> list[Status]:
        if self._statuses is None:
            self._statuses = [status(self.degrees[indicator]) for indicator in self.ids]
        return self._statuses

    def compute_missing(self, index: int) -> list[str]:
        return self.facts[self.ids[index]]

    def key_extras(self) -> list[Any]:
        if self._extras is None:
            self._extras = [
                (s, self.degrees[i], *self.facts[i])
                for s, i in zip(self.statuses(), self.ids, strict=True)
            ]
        return self._extras

    def degree(self, index: int) -> DegreeModel:
        low, high = self.degrees[self.ids[index]]
        return DegreeModel(low=low, high=high)


def _label(graded: Graded, outcome: str) -> Text:
    for t in graded.types:
        if t.id == outcome:
            return t.spec.label
    return graded.spec.indeterminate


def _rounded(degree: Degree) -> Degree:
    return (rounded(degree[0]), rounded(degree[1]))


def indicator_degree(indicator: CompiledIndicator, root: Root) -> tuple[Degree, list[str]]:
    """An indicator's degree (rounded) and the unknown facts that could change it."""
    if indicator.condition is not None:
        atoms: dict[int, Tri] = {}
        value = condition(indicator.condition, root, atoms)
        facts = (
            []
            if value is not None
            else condition_missing(indicator.condition, atoms, root.initiative)
        )
        return crisp(value), facts
    assert indicator.value is not None
    assert indicator.anchors is not None
    number = evaluate_value(indicator.value, root)
    if number is UNKNOWN:
        degree = UNKNOWN_DEGREE
    elif isinstance(number, Interval):
        degree = indicator.anchors.interval(float(number.lo), float(number.hi))
    else:
        degree = indicator.anchors.interval(float(number), float(number))
    degree = _rounded(degree)
    missing = [] if is_point(degree) else unknown_facts(root.initiative, indicator.value.paths)
    return degree, missing


def combine(node: CombinationTree, degrees: Mapping[str, Degree]) -> Degree:
    """A formula's degree from its indicators' degrees (intervals in, interval out)."""
    if node.indicator is not None:
        value = degrees[node.indicator]
    elif node.op == "mean":
        value = weighted_mean([(c.weight, combine(c, degrees)) for c in node.children])
    elif node.op == "min":
        value = fuzzy_and([combine(c, degrees) for c in node.children])
    else:
        value = fuzzy_or([combine(c, degrees) for c in node.children])
    return complement(value) if node.negate else value


def live(node: CombinationTree, degrees: Mapping[str, Degree]) -> list[str]:
    """The indicators whose unknown degree can still move the formula's value.

    A term of a ``min`` is masked when another term is certainly below it, and a term of
    a ``max`` when another is certainly above it; a ``mean`` masks nothing.
    """
    if node.indicator is not None:
        return [] if is_point(degrees[node.indicator]) else [node.indicator]
    values = [combine(c, degrees) for c in node.children]
    found: dict[str, None] = {}
    for i, child in enumerate(node.children):
        others = values[:i] + values[i + 1 :]
        if others and node.op == "min" and values[i][0] >= min(o[1] for o in others):
            continue
        if others and node.op == "max" and values[i][1] <= max(o[0] for o in others):
            continue
        found.update(dict.fromkeys(live(child, degrees)))
    return list(found)


def _leaves(node: CombinationTree, negated: bool = False) -> list[tuple[str, bool]]:
    """Each indicator a formula reads, with whether it enters negated."""
    negated = negated != node.negate
    if node.indicator is not None:
        return [(node.indicator, negated)]
    return [leaf for child in node.children for leaf in _leaves(child, negated)]


def _dimensions(
    typology: GradedTypology, graded: Graded, degrees: Mapping[str, Degree]
) -> list[DimensionReading] | None:
    """Per dimension, each type's mean degree over its indicators there, and the nearest.

    A type reads a dimension through the indicators of that dimension in its formula
    (a negated one counts as its complement); a type with none there is left out.
    """
    if not typology.spec.dimensions:
        return None
    dimension_of = {i.id: i.spec.dimension for i in graded.indicators}
    readings = []
    for dimension, label in typology.spec.dimensions.items():
        per_type: dict[str, Degree] = {}
        for ideal in graded.types:
            terms = [
                complement(degrees[i]) if negated else degrees[i]
                for i, negated in _leaves(ideal.membership)
                if dimension_of[i] == dimension
            ]
            if terms:
                per_type[ideal.id] = _rounded(weighted_mean([(1.0, d) for d in terms]))
        if not per_type:
            continue
        reading = dominance(per_type, 0.0) if len(per_type) > 1 else None
        readings.append(
            DimensionReading(
                dimension=dimension,
                label=label,
                degrees=[TypeDegree(type=t, low=d[0], high=d[1]) for t, d in per_type.items()],
                nearest=reading.dominant if reading else next(iter(per_type)),
                leaning=reading.leaning if reading else next(iter(per_type)),
            )
        )
    return readings
