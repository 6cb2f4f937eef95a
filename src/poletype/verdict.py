"""The verdict: what poletype concludes about one initiative under one typology, and why.

A verdict is evidence a funder may have to defend and a researcher may have to
reproduce, so it names the typology, its version and a hash of the rule file and
parameter values, and it serialises to the same bytes every time for the same input.
Every criterion carries its status, the values it read, its source and a sentence in
French and English; ``missing`` lists the unknown facts whose knowledge could change the
outcome, and only those.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from poletype.rulefile import Text

Status = Literal["met", "not_met", "unknown"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where a criterion comes from: the document and the section."""

    document: str
    title: str
    section: str


def _absent(value: Any) -> bool:
    return value is None


class Degree(_Frozen):
    """A membership degree in [0, 1], as an interval: ``low == high`` when all is known."""

    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class CriterionResult(_Frozen):
    """One criterion's (or graded indicator's) status for one initiative, with its evidence.

    A graded indicator also carries its ``degree``; its status reads the degree against
    the crossover: met when at least 0.5 whatever the unknowns, not met when below.
    """

    id: str
    group: str
    status: Status
    label: Text
    justification: Text
    source: Source
    interpretation: Text | None = None
    values: dict[str, Any] = Field(
        description="Each input path the criterion reads, with the value found (null: unknown)."
    )
    missing: list[str] = Field(
        description="Unknown input paths whose knowledge could change this criterion's status."
    )
    degree: Degree | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded indicators only: the membership degree, an interval under unknowns.",
    )


class Score(_Frozen):
    """A count of criteria by status within a group (e.g. the criteria to test)."""

    group: str
    label: Text
    met: int
    not_met: int
    unknown: int
    total: int


class DescriptorResult(_Frozen):
    """A descriptive category's value for one initiative (not part of the outcome)."""

    id: str
    label: Text
    value: Any = Field(description="The value, or null when the unknown facts leave it open.")
    value_label: Text | None = None
    possible: list[str] = Field(
        description="When the value is open: the values the unknown facts still allow."
    )
    source: Source
    interpretation: Text | None = None
    missing: list[str]


class TypeDegree(_Frozen):
    """A type's degree within one dimension."""

    type: str
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class DimensionReading(_Frozen):
    """Which type an initiative resembles on one dimension of a graded typology."""

    dimension: str
    label: Text
    degrees: list[TypeDegree]
    nearest: str | None = Field(
        description="The type whose degree beats every other on this dimension whatever "
        "the unknowns; null when they leave it open."
    )
    leaning: str


class Membership(_Frozen):
    """An initiative's graded membership in one ideal type."""

    type: str
    label: Text
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)
    indicators: list[str] = Field(description="The indicators the type's formula reads.")


class AxisPosition(_Frozen):
    """Where an initiative sits on one interpretive axis of the typology map."""

    axis: str
    label: Text
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class Verdict(_Frozen):
    """The typed, justified result of classifying one initiative under one typology."""

    typology: str
    version: str
    rules_hash: str = Field(description="sha256 of the rule file bytes and the parameter values.")
    poletype_version: str
    initiative: str = Field(description="The initiative's name.")
    initiative_id: str | None = None
    parameters: dict[str, Any]
    outcome: str
    outcome_label: Text
    criteria: list[CriterionResult]
    scores: list[Score] = Field(default_factory=list)
    missing: list[str] = Field(
        description="Unknown input paths whose knowledge could change the outcome, and only those."
    )
    derived: list[str] = Field(
        default_factory=list,
        exclude_if=lambda value: not value,
        description="Facts the user did not state that poletype derived (origin from the "
        "founders), listed so a reader can tell them from stated facts.",
    )
    memberships: list[Membership] | None = Field(
        default=None, exclude_if=_absent, description="Graded typologies: membership per type."
    )
    leaning: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies: the type with the highest midpoint, always given.",
    )
    hybrid: bool | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies: whether the top two memberships are within the "
        "hybrid margin (absent when the unknowns allow both).",
    )
    axes: list[AxisPosition] | None = Field(
        default=None, exclude_if=_absent, description="Graded typologies: map position."
    )
    dimensions: list[DimensionReading] | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies with dimensions: the nearest type on each.",
    )
    descriptors: list[DescriptorResult] | None = Field(
        default=None,
        exclude_if=_absent,
        description="Descriptive categories the typology computes beside its outcome.",
    )

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON: the same verdict always gives the same bytes."""
        return self.model_dump_json(indent=indent)

    def membership(self, type_id: str) -> Membership:
        """The membership in one ideal type, by id."""
        for membership in self.memberships or ():
            if membership.type == type_id:
                return membership
        raise KeyError(type_id)

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result for one criterion, by id."""
        for result in self.criteria:
            if result.id == criterion_id:
                return result
        raise KeyError(criterion_id)
