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

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = str
Status = Literal["met", "not_met", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A sentence in French and in English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class SourceDocument(_Strict):
    """A document the typology rests on, cited by its ``id`` in criteria."""

    id: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    seed: str | None = None
    url: str | None = None


class Citation(_Strict):
    """Where in a source document a criterion or parameter comes from."""

    document: Identifier
    section: str = Field(min_length=1)


class Parameter(_Strict):
    """A named value a user may change, documented, and marked when it is our reading."""

    default: bool | int | float | str | list[str]
    doc: Text
    interpretation: bool = False
    source: Citation | None = None


class Justification(_Strict):
    """Templates for each status; ``{expression}`` placeholders show values and thresholds."""

    met: Text
    not_met: Text
    unknown: Text


class Example(_Strict):
    """A sentence-named input fragment and the status or outcome it must give."""

    name: str = Field(min_length=1)
    input: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)
    expect: str


class Condition(_Strict):
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


class Criterion(_Strict):
    """One criterion of a typology, literate: citation, labels, logic, text and tests."""

    id: Identifier = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    group: Identifier
    label: Text
    source: Citation
    interpretation: Text | None = None
    condition: Condition | str
    justification: Justification
    examples: list[Example] = Field(default_factory=list)


class VerdictNode(_Strict):
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


class Outcomes(_Strict):
    """The outcome name given for each three-valued value of the verdict condition."""

    met: Identifier
    not_met: Identifier
    unknown: Identifier


class VerdictRule(_Strict):
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


class RuleFile(_Strict):
    """A whole rule file: one typology."""

    typology: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: Text
    description: Text | None = None
    sources: list[SourceDocument] = Field(min_length=1)
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict)
    groups: dict[Identifier, Text]
    criteria: list[Criterion] = Field(min_length=1)
    verdict: VerdictRule
