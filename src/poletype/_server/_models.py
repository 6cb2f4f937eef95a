"""The shapes of requests and responses, from which the OpenAPI document is generated.

Requests embed the library's own `Initiative` and answers its own `Verdict`,
`ChangeSet` and `HypothesesReport`, so the HTTP schema and the library cannot drift.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from poletype import ChangeSet, Initiative, Verdict
from poletype._server._problems import Problem

DEFAULT_TYPOLOGY = "labo-ess-ptce"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Typed(_Request):
    typology: str = Field(
        default=DEFAULT_TYPOLOGY,
        description="A shipped typology id (GET /typologies); ignored when `rules` is given.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Parameter values by name (see GET /typologies/{id})."
    )
    rules: str | None = Field(
        default=None,
        description="A rule file's YAML text, used instead of `typology`; refused (403 "
        "rule-files-disabled) unless the service runs with --allow-rule-files.",
    )


class ClassifyRequest(_Typed):
    """One initiative to classify under one typology."""

    initiative: Initiative


class BatchRequest(_Typed):
    """Several initiatives to classify; each gets its verdict or its error, in order."""

    model_config = ConfigDict(title="BatchRequest")

    initiatives: list[Initiative]


class BatchItems(_Typed):
    """`BatchRequest` as read: items stay raw so that each is validated on its own."""

    initiatives: list[Any]


class WhatItWouldTakeRequest(_Typed):
    """An initiative, and the outcome to reach (default: the typology's positive one)."""

    initiative: Initiative
    target: str | None = None
    limit: int = Field(default=3, ge=1, le=10, description="At most this many change sets.")


class HypothesesRequest(_Request):
    """Cases to test a hypotheses file's propositions on."""

    initiatives: list[Initiative]
    hypotheses: str = Field(
        default="gianfaldoni-2016", description="A shipped hypotheses file's name."
    )
    file: str | None = Field(
        default=None,
        description="A hypotheses file's YAML text, used instead of `hypotheses`; needs "
        "--allow-rule-files.",
    )
    params: dict[str, Any] = Field(default_factory=dict)


class ItemError(BaseModel):
    """The error standing in a batch in place of an item's verdict."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="The item's position in the request, from 0.")
    error: Problem


class BatchResponse(BaseModel):
    """One result per item, in the order of the request."""

    results: list[Verdict | ItemError]


class WhatItWouldTakeResponse(BaseModel):
    """The smallest sets of changes found that make the outcome the target."""

    typology: str
    outcome: str = Field(description="The initiative's outcome as it stands.")
    target: str
    change_sets: list[ChangeSet]


class ScreenResponse(BaseModel):
    """The outputs `poletype screen` writes, as texts, keyed by file name."""

    summary: str
    rows: int
    errors: int = Field(description="Rows that could not be read or classified.")
    files: dict[str, str] = Field(
        description="report.html, verdicts.csv and verdicts.jsonl, each file's whole text."
    )


class TypologySummary(BaseModel):
    """One shipped typology."""

    id: str
    version: str
    title_fr: str
    title_en: str
    graded: bool


class TypologyDetail(TypologySummary):
    """A typology's criteria, sources and parameters: its rule file, as parsed."""

    parameters: dict[str, Any] = Field(description="The values in force by default.")
    rulefile: dict[str, Any] = Field(description="The rule file (schema: GET /schemas/rulefile).")


class Health(BaseModel):
    """The service answers."""

    status: Literal["ok"]


class VersionInfo(BaseModel):
    """What this service runs: poletype, the formats it speaks, the typologies it ships."""

    poletype: str
    verdict_format: str
    schemas: dict[str, str] = Field(description="Version of each published schema, by name.")
    typologies: dict[str, str] = Field(description="Version of each shipped typology, by id.")


REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    ClassifyRequest,
    BatchRequest,
    WhatItWouldTakeRequest,
    HypothesesRequest,
)
