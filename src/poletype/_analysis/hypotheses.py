"""Typology hypotheses as checkable propositions over a set of initiatives.

For researchers: Gianfaldoni states five hypotheses about how PTCE relate to localised
production systems; a researcher has case data and wants to know, for each hypothesis,
which cases support it, which contradict it and which cannot say. A hypotheses file is
YAML data like a rule file (sources, parameters, expressions in the same sandboxed
grammar, checked when the file loads) with ``propositions`` instead of criteria:

.. code-block:: yaml

    hypotheses: gianfaldoni-2016
    version: "1.0"
    title: {fr: …, en: …}
    sources: [{id: gianfaldoni, title: …}]
    propositions:
      - id: H3
        statement: {fr: …, en: …}
        source: {document: gianfaldoni, section: "1.2"}
        interpretation: {fr: …, en: …}
        scope: 'true in [m.kind in params.ess_kinds for m in members]'   # optional
        claim: 'approach == "bottom_up"'

For each initiative, a proposition is ``not_applicable`` when its scope is known not to
hold, ``cannot_say`` when the scope or the claim is unknown, and otherwise ``supports``
or ``contradicts`` as the claim holds or fails: three-valued, like every verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from poletype._engine.compiler import compile_condition, param_runtime
from poletype._engine.derive import derive
from poletype._engine.evaluator import condition
from poletype._engine.expressions import Scope
from poletype._engine.interpreter import Root
from poletype._engine.typology import ConditionNode
from poletype._rules.loader import read_bytes, read_yaml, schema_errors
from poletype._rules.parameters import resolve_declared
from poletype._rules.parsed import rules_package
from poletype.model import Initiative
from poletype.rulefile import Citation, Condition, Parameter, SourceDocument, Strict, Text

Reading = Literal["supports", "contradicts", "cannot_say", "not_applicable"]
SHIPPED = "gianfaldoni-2016"


class Proposition(Strict):
    """One hypothesis: a claim, where it applies, and where it comes from."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    statement: Text
    source: Citation
    interpretation: Text | None = None
    scope: Condition | str | None = None
    claim: Condition | str


class HypothesisFile(Strict):
    """A whole hypotheses file."""

    hypotheses: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: Text
    description: Text | None = None
    sources: list[SourceDocument] = Field(min_length=1)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    propositions: list[Proposition] = Field(min_length=1)


class PropositionResult(Strict):
    """How a set of initiatives bears on one proposition."""

    id: str
    statement: Text
    source: Citation
    interpretation: Text | None = None
    supports: list[str]
    contradicts: list[str]
    cannot_say: list[str]
    not_applicable: list[str]


class HypothesesReport(Strict):
    """Every proposition of a hypotheses file, tested on a set of initiatives."""

    hypotheses: str
    version: str
    title: Text
    parameters: dict[str, Any]
    initiatives: list[str]
    propositions: list[PropositionResult]

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON."""
        return self.model_dump_json(indent=indent)


class _Compiled(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    spec: HypothesisFile
    parameters: dict[str, Any]
    params_value: dict[str, Any]
    nodes: list[tuple[ConditionNode | None, ConditionNode]]


def _load(source: str | Path, params: Mapping[str, Any]) -> _Compiled:
    if str(source) == SHIPPED:
        file = f"rules/hypotheses/{SHIPPED}.yaml"
        data = rules_package().joinpath("hypotheses", f"{SHIPPED}.yaml").read_bytes()
    else:
        file = str(source)
        data = read_bytes(Path(source), "hypotheses file")
    raw = read_yaml(file, data)
    try:
        spec = HypothesisFile.model_validate(raw)
    except ValidationError as exc:
        raise schema_errors(file, raw, exc)[0] from None
    defaults = {name: p.default for name, p in spec.parameters.items()}
    parameters = resolve_declared(defaults, dict(params), file, owner=f"{spec.hypotheses!r}")
    scope = Scope(file, raw, parameters)
    nodes = []
    for i, prop in enumerate(spec.propositions):
        where = (
            None
            if prop.scope is None
            else compile_condition(prop.scope, scope, ("propositions", i, "scope"), prop.id)
        )
        claim = compile_condition(prop.claim, scope, ("propositions", i, "claim"), prop.id)
        nodes.append((where, claim))
    return _Compiled(
        spec=spec,
        parameters=parameters,
        params_value={k: param_runtime(v) for k, v in parameters.items()},
        nodes=nodes,
    )


def _reading(where: ConditionNode | None, claim: ConditionNode, root: Root) -> Reading:
    applies = True if where is None else condition(where, root, {})
    if applies is False:
        return "not_applicable"
    holds = condition(claim, root, {})
    if applies is None or holds is None:
        return "cannot_say"
    return "supports" if holds else "contradicts"


def check_hypotheses(
    initiatives: Iterable[Initiative],
    hypotheses: str | Path = SHIPPED,
    params: Mapping[str, Any] | None = None,
) -> HypothesesReport:
    """Which initiatives support, contradict or cannot say for each proposition."""
    compiled = _load(hypotheses, dict(params or {}))
    cases = [derive(i)[0] for i in initiatives]
    results = []
    for prop, (where, claim) in zip(compiled.spec.propositions, compiled.nodes, strict=True):
        buckets: dict[Reading, list[str]] = {
            "supports": [],
            "contradicts": [],
            "cannot_say": [],
            "not_applicable": [],
        }
        for case in cases:
            buckets[_reading(where, claim, Root(case, compiled.params_value))].append(case.name)
        results.append(
            PropositionResult(
                id=prop.id,
                statement=prop.statement,
                source=prop.source,
                interpretation=prop.interpretation,
                **buckets,
            )
        )
    spec = compiled.spec
    return HypothesesReport(
        hypotheses=spec.hypotheses,
        version=spec.version,
        title=spec.title,
        parameters=dict(sorted(compiled.parameters.items())),
        initiatives=[c.name for c in cases],
        propositions=results,
    )
