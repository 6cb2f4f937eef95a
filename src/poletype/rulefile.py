"""The schema of a rule file: what a typology author may write, and nothing else.

A rule file is data. It declares a typology (id, version, bilingual title, sources),
named parameters with their documentation, the criteria (each with a source citation,
bilingual labels, a condition, justification templates and examples), and how the
verdict follows from the criteria. Unknown keys are refused, as OpenFisca refuses them
in parameter files, so a misspelt key cannot silently switch a feature off.

Conditions are trees of ``all`` / ``any`` / ``not`` whose leaves are expressions in the
``rule-engine`` grammar; the verdict condition is a tree of the same shape whose leaves
name criteria (``M1``) or whole groups (``all_of`` / ``any_of``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from poletype._read.params import shown
from poletype.errors import PoletypeError, RuleFileError

Identifier = str
Status = Literal["met", "not_met", "unknown"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A sentence in French and in English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class SourceDocument(Strict):
    """A document the typology rests on, cited by its ``id`` in criteria."""

    id: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    seed: str | None = None
    url: str | None = None


class Citation(Strict):
    """Where in a source document a criterion or parameter comes from."""

    document: Identifier
    section: str = Field(min_length=1)


class Parameter(Strict):
    """A named value a user may change, documented, and marked when it is our reading."""

    default: bool | int | float | str | list[str]
    doc: Text
    interpretation: bool = False
    source: Citation | None = None


class Justification(Strict):
    """Templates for each status; ``{expression}`` placeholders show values and thresholds."""

    met: Text
    not_met: Text
    unknown: Text


class Example(Strict):
    """A sentence-named input fragment and the status or outcome it must give."""

    name: str = Field(min_length=1)
    input: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)
    expect: str | float = Field(
        description="A status (met, not_met, unknown), an outcome, or a graded "
        "indicator's exact degree."
    )


class Condition(Strict):
    """A node of a condition tree: exactly one of ``all``, ``any``, ``not``."""

    all: list[Condition | str] | None = None
    any: list[Condition | str] | None = None
    not_: Condition | str | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = "a condition node has exactly one of 'all', 'any', 'not'"
            raise ValueError(msg)
        return self


class Criterion(Strict):
    """One criterion of a typology, literate: citation, labels, logic, text and tests."""

    id: Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    group: Identifier
    label: Text
    source: Citation
    interpretation: Text | None = None
    condition: Condition | str
    unknown_when: str | None = None
    """A yes/no expression: where the condition is not met and this holds (or is unknown),
    the criterion is unknown rather than not met. For a fact the format states but cannot
    settle, such as a member of a kind that may or may not satisfy the condition (a bank
    may be a cooperative bank): three-valued logic over known facts stays known, so the
    rule file says where a silence of the format must not read as "no"."""
    justification: Justification
    examples: list[Example] = Field(default_factory=list)


class VerdictNode(Strict):
    """A node of the verdict condition: a combinator or a whole-group reference."""

    all: list[VerdictNode | str] | None = None
    any: list[VerdictNode | str] | None = None
    not_: VerdictNode | str | None = Field(default=None, alias="not")
    all_of: Identifier | None = None
    any_of: Identifier | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> VerdictNode:
        given = [
            k for k in ("all", "any", "not_", "all_of", "any_of") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            msg = "a verdict node has exactly one of 'all', 'any', 'not', 'all_of', 'any_of'"
            raise ValueError(msg)
        return self


class Outcomes(Strict):
    """The outcome name given for each three-valued value of the verdict condition."""

    met: Identifier
    not_met: Identifier
    unknown: Identifier


class VerdictRule(Strict):
    """How the outcome follows from the criteria, in Kleene logic."""

    condition: VerdictNode | str
    outcomes: Outcomes
    labels: dict[Identifier, Text]
    scores: list[Identifier] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _labels_cover_outcomes(self) -> VerdictRule:
        missing = {self.outcomes.met, self.outcomes.not_met, self.outcomes.unknown} - set(
            self.labels
        )
        if missing:
            msg = f"verdict.labels lacks a label for outcome(s) {sorted(missing)}"
            raise ValueError(msg)
        return self


Number = float | Identifier
"""A number, or the name of a parameter that holds one."""


class Calibration(Strict):
    """Three anchors that turn a number into a membership degree, as in fuzzy-set QCA.

    At ``exclusion`` or beyond the degree is 0 (full non-membership), at ``crossover`` it
    is 0.5 and at ``inclusion`` or beyond it is 1. Anchors may run downwards (exclusion
    above inclusion) for an indicator that a larger number weakens. ``linear`` joins the
    anchors with straight lines; ``logistic`` is Ragin's direct method (log-odds of 3 at
    the outer anchors, so the degree there is 0.05 and 0.95).
    """

    exclusion: Number
    crossover: Number
    inclusion: Number
    method: Literal["linear", "logistic"] = "linear"


class Indicator(Strict):
    """A graded fact: a yes/no condition (degree 0 or 1) or a calibrated number."""

    id: Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    dimension: Identifier | None = None
    label: Text
    source: Citation
    interpretation: Text | None = None
    condition: Condition | str | None = None
    value: str | None = None
    calibration: Calibration | None = None
    justification: Justification
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _condition_or_value(self) -> Indicator:
        if (self.condition is None) == (self.value is None):
            msg = "an indicator has exactly one of 'condition' (yes/no) or 'value' (a number)"
            raise ValueError(msg)
        if (self.value is None) != (self.calibration is None):
            msg = "a 'value' indicator needs a 'calibration', and only it may have one"
            raise ValueError(msg)
        return self


class Combination(Strict):
    """A node of a membership formula over indicator degrees.

    Exactly one of ``indicator`` (a leaf), ``mean`` (weighted mean), ``min`` (fuzzy and)
    or ``max`` (fuzzy or). ``weight`` counts only inside a ``mean``; ``negate`` reads the
    node as its complement, 1 − degree, for a fact that weighs against a type.
    """

    indicator: Identifier | None = None
    mean: list[Combination | Identifier] | None = None
    min: list[Combination | Identifier] | None = None
    max: list[Combination | Identifier] | None = None
    weight: Number = 1.0
    negate: bool = False

    @model_validator(mode="after")
    def _one_operator(self) -> Combination:
        given = [k for k in ("indicator", "mean", "min", "max") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = "a combination node has exactly one of 'indicator', 'mean', 'min', 'max'"
            raise ValueError(msg)
        for op in ("mean", "min", "max"):
            terms = getattr(self, op)
            if terms is not None and not terms:
                msg = f"'{op}' needs at least one term"
                raise ValueError(msg)
        return self


class IdealType(Strict):
    """One ideal type: its sourced description and its declared membership formula."""

    id: Identifier = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    description: Text
    source: Citation
    interpretation: Text | None = None
    membership: Combination | Identifier


class Axis(Strict):
    """An interpretive axis for the typology map, computed from indicators."""

    id: Identifier
    label: Text
    low: Text
    high: Text
    interpretation: Text
    value: Combination | Identifier


class Quadrant(Strict):
    """Which type a quadrant of the map stands for."""

    x: Literal["low", "high"]
    y: Literal["low", "high"]
    type: Identifier


class GradedRule(Strict):
    """How a graded verdict reads the memberships: dominance, hybrids and the map."""

    indeterminate: Text
    hybrid_margin: Identifier
    axes: list[Axis] = Field(default_factory=list)
    quadrants: list[Quadrant] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _axes_pair(self) -> GradedRule:
        if self.axes and len(self.axes) != 2:
            msg = "a typology map has exactly two axes (x then y)"
            raise ValueError(msg)
        if self.quadrants and not self.axes:
            msg = "quadrants need two axes"
            raise ValueError(msg)
        return self


class DescriptorCase(Strict):
    """One value a descriptor can take, and when."""

    value: Identifier
    label: Text
    when: Condition | str


class Descriptor(Strict):
    """A descriptive category computed for the record, not a criterion of the outcome.

    Either ``cases`` (the first whose ``when`` holds gives the value; under unknowns the
    value is unknown and ``possible`` lists the values still open) or a ``value``
    expression shown as it is (a count, a list).
    """

    id: Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    label: Text
    source: Citation
    interpretation: Text | None = None
    cases: list[DescriptorCase] | None = None
    value: str | None = None
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cases_or_value(self) -> Descriptor:
        if (self.cases is None) == (self.value is None):
            msg = "a descriptor has exactly one of 'cases' or 'value'"
            raise ValueError(msg)
        if self.cases is not None and not self.cases:
            msg = "'cases' needs at least one case"
            raise ValueError(msg)
        return self


class RuleFile(Strict):
    """A whole rule file: one typology."""

    typology: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: Text
    description: Text | None = None
    sources: list[SourceDocument] = Field(min_length=1)
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict)
    groups: dict[Identifier, Text] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(default_factory=list)
    verdict: VerdictRule | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    types: list[IdealType] = Field(default_factory=list)
    graded: GradedRule | None = None
    dimensions: dict[Identifier, Text] = Field(default_factory=dict)
    descriptors: list[Descriptor] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> RuleFile:
        crisp = bool(self.criteria) or self.verdict is not None
        graded = bool(self.indicators) or bool(self.types) or self.graded is not None
        if crisp == graded:
            msg = (
                "a rule file declares either criteria and a verdict (a crisp typology) "
                "or indicators, types and graded (a graded typology)"
            )
            raise ValueError(msg)
        if crisp and (not self.criteria or self.verdict is None):
            msg = "a crisp typology needs both 'criteria' and 'verdict'"
            raise ValueError(msg)
        if graded and (not self.indicators or len(self.types) < 2 or self.graded is None):
            msg = "a graded typology needs 'indicators', at least two 'types' and 'graded'"
            raise ValueError(msg)
        return self

    @property
    def is_graded(self) -> bool:
        """Whether the typology grades membership in types rather than testing criteria."""
        return self.graded is not None


class ExtensionCriterion(Criterion):
    """A criterion of an extension; ``replaces: true`` lets it take a base criterion's place.

    Reusing a base criterion's id without saying so would silently change the base's
    meaning, so the replacement has to be explicit.
    """

    replaces: bool = False


class Extension(Strict):
    """A rule file that extends another typology instead of copying it.

    A funder's call adds its own eligibility criteria to a published typology, changes a
    threshold or drops a criterion it does not test. The loader resolves the extension
    against its base into one ordinary `RuleFile` before compiling, so nothing downstream
    knows the difference. ``parameters`` maps a base parameter's name to its new value, or
    any name to a full `Parameter` declaration; ``require`` lists verdict nodes (criterion
    ids or ``{all_of: group}``) ANDed into the base verdict's condition; ``examples`` are
    verdict examples of the extended typology (the base's are not inherited).
    """

    typology: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: Text
    description: Text | None = None
    extends: str = Field(min_length=1)
    sources: list[SourceDocument] = Field(default_factory=list)
    parameters: dict[Identifier, Any] = Field(default_factory=dict)
    groups: dict[Identifier, Text] = Field(default_factory=dict)
    criteria: list[ExtensionCriterion] = Field(default_factory=list)
    drop: list[Identifier] = Field(default_factory=list)
    require: list[VerdictNode | str] = Field(default_factory=list)
    verdict: VerdictRule | None = None
    examples: list[Example] = Field(default_factory=list)


def coerce_parameter(
    name: str,
    value: Any,
    default: Any,
    file: str,
    *,
    error: type[PoletypeError] = RuleFileError,
) -> Any:
    """A parameter value given from outside the file, checked against its default's kind.

    A boolean is not a number here, though Python counts it as one: ``true`` for a
    threshold is a slip, not a 1. A number is finite. ``error`` is the class raised:
    `RuleFileError` when the value is written in a rule file (an extension's override),
    `UsageError` when the caller gave it.
    """

    def bad(kind: str) -> PoletypeError:
        return error(
            f"parameter {name!r} takes {kind}",
            code="bad-parameter",
            file=file,
            expected=kind,
            found=shown(value),
        )

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise bad("a finite number")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a text")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("a list of texts")
    return list(value)
