"""The verdict: what poletype concludes about one initiative under one typology, and why.

A verdict is evidence a funder may have to defend and a researcher may have to
reproduce, so it names the typology, its version and a hash of the rule file and
parameter values, and it serialises to the same bytes every time for the same input.
Every criterion carries its status, the values it read, its source and a sentence in
French and English; ``missing`` lists the unknown facts whose knowledge could change the
outcome, and only those.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from poletype._construct import constructed, private
from poletype.rulefile import Text

Status = Literal["met", "not_met", "unknown"]

VERDICT_FORMAT: Final = "poletype-verdict/1"
"""The verdict's format tag, the first key of its JSON: raised when a key is renamed or
removed or a value changes meaning (a key added keeps it), so a program reading stored
verdicts can tell which ``schemas/verdict-N.json`` describes them."""


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


class GradedParts(_Frozen):
    """What only a graded typology's verdict says: where the initiative stands among the types.

    Its own model so that a verdict is graded or not in one place (`Verdict.graded`);
    its fields are written at the top level of the verdict's JSON, as they always were.
    """

    memberships: list[Membership] = Field(description="Graded typologies: membership per type.")
    leaning: str = Field(
        description="Graded typologies: the type with the highest midpoint, always given."
    )
    hybrid: bool | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies: whether the top two memberships are within the "
        "hybrid margin (absent when the unknowns allow both).",
    )
    axes: list[AxisPosition] = Field(description="Graded typologies: map position.")
    dimensions: list[DimensionReading] | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies with dimensions: the nearest type on each.",
    )


_GRADED_KEYS: Final = frozenset(GradedParts.model_fields)


class Pending(Protocol):
    """The engine's side of a deferred verdict: the fields it still owes, and their JSON."""

    def early(self, name: str) -> tuple[bool, Any]:
        """A field computed alone, if it can be: ``(True, value)``, else ``(False, None)``.

        ``missing`` without any sentence; other fields need the whole justification.
        """

    def fields(self) -> Mapping[str, Any]:
        """Every field still owed, the early ones given before included (same objects)."""

    def json(self, indent: int | None) -> str | None:
        """The complete verdict's canonical JSON, or None to let pydantic write it."""


_LOCKS: Final = tuple(threading.RLock() for _ in range(64))


class _Justification:
    """What a deferred verdict still has to say, computed once, on first use.

    Holds the decided fields and the engine's `Pending`, and builds the complete
    verdict from both with ``model_construct`` (the engine's values are of the fields'
    types already; the interpreter backend, which builds verdicts eagerly, validates
    them, and the tests compare the two): a deferred verdict settles to exactly the
    eager one, field order and fields set included. The deferred verdict itself is
    never modified: every reading of a pending field is answered by the complete
    verdict built here, or, for a field the engine computes alone (``missing``), by the
    value it gave, which the complete verdict then holds too.

    Its lock is one of a fixed set, chosen by the object's address: a lock of its own
    was one more object per verdict for the garbage collector to walk, in a sweep that
    keeps thousands, for a lock taken only when the verdict is read.
    """

    __slots__ = ("_complete", "_early", "_fields_set", "_pending", "_settled")

    def __init__(self, settled: dict[str, Any], fields_set: set[str], pending: Pending) -> None:
        self._settled: dict[str, Any] | None = settled
        self._fields_set = fields_set
        self._pending: Pending | None = pending
        self._early: dict[str, Any] = {}
        self._complete: Verdict | None = None

    @property
    def _lock(self) -> threading.RLock:
        return _LOCKS[(id(self) >> 4) % len(_LOCKS)]

    @property
    def pending(self) -> bool:
        """Whether the complete verdict has not been built yet."""
        return self._complete is None

    def early(self, name: str) -> tuple[bool, Any]:
        """A pending field the engine gives without the whole justification, if it can."""
        with self._lock:
            if name in self._early:
                return True, self._early[name]
            if self._pending is None:
                return False, None
            given, value = self._pending.early(name)
            if given:
                self._early[name] = value
            return given, value

    def json(self, indent: int | None) -> str | None:
        """The engine's JSON of the complete verdict, while it has not been built."""
        with self._lock:
            return None if self._pending is None else self._pending.json(indent)

    def complete(self) -> Verdict:
        """The complete verdict; threads asking at once build it once."""
        complete = self._complete
        if complete is not None:
            return complete
        with self._lock:
            if self._complete is None:
                assert self._settled is not None
                assert self._pending is not None
                self._complete = Verdict.model_construct(
                    self._fields_set, **self._settled, **self._pending.fields()
                )
                # Let the typology and the initiative the rendering reads go.
                self._settled = self._pending = None
                self._early = {}
            return self._complete


class Verdict(_Frozen):
    """The typed, justified result of classifying one initiative under one typology."""

    format: Literal["poletype-verdict/1"] = Field(
        default=VERDICT_FORMAT,
        description="The verdict format and its major version, first so that a reader "
        "can tell which schema to read the rest with (schemas/verdict-1.json).",
    )
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
    graded: GradedParts | None = Field(
        default=None,
        exclude_if=_absent,
        description="Graded typologies: memberships, leaning, hybrid, axes, dimensions.",
    )
    descriptors: list[DescriptorResult] | None = Field(
        default=None,
        exclude_if=_absent,
        description="Descriptive categories the typology computes beside its outcome.",
    )

    _justification: _Justification | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _nest_graded(cls, data: Any) -> Any:
        """A verdict read back (or built) with its graded parts at the top level, as written."""
        if isinstance(data, dict) and "graded" not in data and not _GRADED_KEYS.isdisjoint(data):
            data = dict(data)
            data["graded"] = {k: data.pop(k) for k in GradedParts.model_fields if k in data}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema of the JSON as written: the graded parts as optional top-level keys."""
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema)["properties"]
        nested = handler.resolve_ref_schema(properties.pop("graded")["anyOf"][0])
        for name, nested_part in nested["properties"].items():
            part = dict(nested_part)
            words = {"description": part.pop("description"), "title": part.pop("title")}
            part.pop("default", None)
            either = part if "anyOf" in part else {"anyOf": [part, {"type": "null"}]}
            properties[name] = {**either, "default": None, **words}
        return schema

    @classmethod
    def deferred(cls, settled: dict[str, Any], fields_set: set[str], pending: Pending) -> Verdict:
        """A verdict whose remaining fields ``pending`` computes on first use.

        Why: a parameter sweep or a screening run reads the outcome of thousands of
        verdicts and the justifications of few; rendering every criterion's sentences
        in two languages is most of a verdict's cost. The verdict returned holds the
        ``settled`` fields (``model_construct``: trusted values, not validated again).
        Reading a field the engine gives alone (``missing``) computes that field only;
        the first reading of any other field, and any reading of the whole
        (serialisation, equality, repr, copy, pickling), builds the complete verdict
        from ``settled`` and ``pending`` and answers from it, so every reader sees the
        same fields and bytes as an eagerly built verdict; `to_json` asks the engine
        to write those bytes without building it. Only ``vars(verdict)`` shows the
        difference. ``fields_set`` is the set of fields given once complete
        (``model_fields_set``). ``pending`` must not be able to fail: the evaluator
        defers only typologies whose justifications cannot.
        """
        justification = _Justification(settled, fields_set, pending)
        return constructed(cls, fields_set, settled, {"_justification": justification})

    def _complete(self) -> Verdict:
        """The verdict itself if built whole, else the complete verdict it stands for."""
        justification = private(self, "_justification")
        return self if justification is None else justification.complete()

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            if name in _FIELDS:
                justification = private(self, "_justification")
                if justification is not None and justification.pending:
                    given, value = justification.early(name)
                    if given:
                        return value
                complete = self._complete()
                if complete is not self:
                    return getattr(complete, name)
            return super().__getattr__(name)

    # No return annotation: pydantic would take it as the serialised schema.
    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        out = handler(self._complete())
        if "graded" not in out:
            return out
        # The graded parts in the graded part's place, at the top level: the verdict
        # format kept its keys when they moved into their own model.
        return {
            key: value
            for name, part in out.items()
            for key, value in (part.items() if name == "graded" else ((name, part),))
        }

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied, the graded parts named as the JSON names them.

        ``update={"axes": ...}`` changes ``graded.axes``, as it changed the top-level
        field before the graded parts had their own model.
        """
        if update and not _GRADED_KEYS.isdisjoint(update):
            update = dict(update)
            parts = {k: update.pop(k) for k in GradedParts.model_fields if k in update}
            graded = update.get("graded", self.graded)
            update["graded"] = (
                GradedParts(**parts) if graded is None else graded.model_copy(update=parts)
            )
        return super().model_copy(update=update, deep=deep)

    @property
    def memberships(self) -> list[Membership] | None:
        """Graded typologies: membership per type (``graded.memberships``)."""
        return None if self.graded is None else self.graded.memberships

    @property
    def leaning(self) -> str | None:
        """Graded typologies: the type with the highest midpoint (``graded.leaning``)."""
        return None if self.graded is None else self.graded.leaning

    @property
    def hybrid(self) -> bool | None:
        """Graded typologies: whether the top two memberships are within the hybrid margin."""
        return None if self.graded is None else self.graded.hybrid

    @property
    def axes(self) -> list[AxisPosition] | None:
        """Graded typologies: map position (``graded.axes``)."""
        return None if self.graded is None else self.graded.axes

    @property
    def dimensions(self) -> list[DimensionReading] | None:
        """Graded typologies with dimensions: the nearest type on each."""
        return None if self.graded is None else self.graded.dimensions

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Verdict):
            other = other._complete()
        complete = self._complete()
        return BaseModel.__eq__(complete, other)

    __hash__ = None  # type: ignore[assignment]  # holds dicts and lists, as it always did

    def __iter__(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        return BaseModel.__iter__(self._complete())

    def __repr_args__(self) -> Any:
        return BaseModel.__repr_args__(self._complete())

    def __copy__(self) -> Verdict:
        return BaseModel.__copy__(self._complete())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Verdict:
        return BaseModel.__deepcopy__(self._complete(), memo)

    def __getstate__(self) -> dict[Any, Any]:
        return BaseModel.__getstate__(self._complete())

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON: the same verdict always gives the same bytes.

        A deferred verdict has the engine write them from what it computed, without
        building the complete verdict's objects: the same bytes as pydantic's, faster.
        """
        justification: _Justification | None = private(self, "_justification")
        if justification is not None and justification.pending:
            text = justification.json(indent)
            if text is not None:
                return text
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

    def _repr_markdown_(self) -> str:
        """A Markdown table for notebooks: outcome, memberships, criteria (text escaped)."""
        return _markdown(self)

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter: outcome, memberships, criteria; all text escaped."""
        return _html(self)


_FIELDS = frozenset(Verdict.model_fields)
"""The field names, for the attribute hook (a set lookup, not a class property)."""


def _md(text: object) -> str:
    """Markdown-safe: HTML escaped, table pipes and emphasis marks neutralised."""
    out = html.escape(str(text))
    for mark in ("\\", "|", "*", "_", "`", "[", "]"):
        out = out.replace(mark, "\\" + mark) if mark != "\\" else out.replace("\\", "\\\\")
    return out.replace("\n", " ")


def _span(low: float, high: float) -> str:
    return f"{low:.2f}" if low == high else f"[{low:.2f}, {high:.2f}]"


def _markdown(v: Verdict) -> str:
    lines = [
        f"**{_md(v.initiative)}**: {_md(v.outcome_label.en)} (`{_md(v.outcome)}`), "
        f"{_md(v.typology)} {_md(v.version)}",
        "",
    ]
    if v.memberships:
        lines += ["| type | membership |", "|---|---|"]
        lines += [f"| {_md(m.label.en)} | {_span(m.low, m.high)} |" for m in v.memberships]
        lines.append("")
    lines += ["| criterion | status | why |", "|---|---|---|"]
    lines += [
        f"| {_md(c.id)} {_md(c.label.en)} | {_md(c.status)} | {_md(c.justification.en)} |"
        for c in v.criteria
    ]
    if v.missing:
        lines += ["", "Missing: " + ", ".join(_md(m) for m in v.missing)]
    return "\n".join(lines) + "\n"


def _html(v: Verdict) -> str:
    e = html.escape
    parts = [
        f"<div class='poletype-verdict'><p><strong>{e(v.initiative)}</strong>: "
        f"{e(v.outcome_label.en)} (<code>{e(v.outcome)}</code>), {e(v.typology)} "
        f"{e(v.version)}</p>"
    ]
    if v.memberships:
        parts.append("<table><tr><th>type</th><th>membership</th></tr>")
        parts += [
            f"<tr><td>{e(m.label.en)}</td><td>{_span(m.low, m.high)}</td></tr>"
            for m in v.memberships
        ]
        parts.append("</table>")
    parts.append("<table><tr><th>criterion</th><th>status</th><th>why</th></tr>")
    parts += [
        f"<tr><td>{e(c.id)} {e(c.label.en)}</td><td>{e(c.status)}</td>"
        f"<td>{e(c.justification.en)}</td></tr>"
        for c in v.criteria
    ]
    parts.append("</table>")
    if v.missing:
        parts.append("<p>Missing: " + ", ".join(e(m) for m in v.missing) + "</p>")
    parts.append("</div>")
    return "".join(parts)
