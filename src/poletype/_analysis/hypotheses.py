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

Cases are keyed by their initiative ``id`` (else their name; a repeated key is numbered,
so two poles of one name stay two cases). The report records the file's hash and the
poletype version, like a verdict, so a table in a paper can be reproduced;
`HypothesesReport.summary` gives rates per group, e.g. PTCE against not PTCE, which is
what Gianfaldoni's hypotheses compare.

Hypotheses about PTCE apply to PTCE, and which initiatives are PTCE is a typology's
verdict, not a condition an expression can restate. So a file may declare a text
parameter named ``scope``: a crisp typology (a shipped id or a rule-file path) whose
negative outcome puts a case out of every proposition's scope, or ``all``. A case the
typology leaves undecided is read **in** scope and flagged (`CaseScope.undecided`): the
propositions speak of initiatives that may be PTCE, and leaving the undecided out would
make the rates depend on how complete the data are, not on what the cases are. A
proposition's own ``scope`` expression, if any, narrows this further.

For each initiative, a proposition is ``not_applicable`` when its scope is known not to
hold, ``cannot_say`` when the scope expression or the claim is unknown, and otherwise
``supports`` or ``contradicts`` as the claim holds or fails: three-valued, like every
verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from poletype._analysis.fit import distinct
from poletype._engine.compiler import compile_condition, param_runtime, rules_hash
from poletype._engine.derive import derive
from poletype._engine.evaluator import POLETYPE_VERSION, condition
from poletype._engine.expressions import Scope
from poletype._engine.interpreter import Root
from poletype._engine.paths import read_path, unknown_facts
from poletype._engine.typology import ConditionNode, GradedTypology, Typology
from poletype._read.data import load
from poletype._rules.classify import classify, load_typology
from poletype._rules.loader import read_bytes, read_yaml, schema_errors
from poletype._rules.parameters import resolve_declared
from poletype._rules.parsed import rules_package
from poletype.errors import PoletypeError, SetupError, UsageError
from poletype.model import Initiative
from poletype.rulefile import Citation, Condition, Parameter, SourceDocument, Strict, Text

Reading = Literal["supports", "contradicts", "cannot_say", "not_applicable"]
SHIPPED = "gianfaldoni-2016"
SCOPE_PARAMETER = "scope"
EVERY_CASE = "all"


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
    settle: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For each case that cannot say: the unknown facts the proposition "
        "reads, whose knowledge would settle it.",
    )

    def reading(self, case: str) -> Reading:
        """How one case (by key) bears on this proposition."""
        for key in ("supports", "contradicts", "cannot_say", "not_applicable"):
            if case in getattr(self, key):
                return key
        raise KeyError(case)


class GroupRates(Strict):
    """One proposition's readings within one group of cases, as counts and rates.

    Rates are over the cases the proposition may apply to (all but ``not_applicable``):
    support rate + contradiction rate + "cannot say" share = 1 (0 each when none apply).
    """

    proposition: str
    group: str
    cases: int
    supports: int
    contradicts: int
    cannot_say: int
    not_applicable: int
    support_rate: float
    contradiction_rate: float
    cannot_say_share: float


Grouping = str | Callable[[Initiative], object] | Mapping[str, object]


class CaseScope(Strict):
    """Which initiatives the propositions apply to, and how an undecided case is read.

    ``typology`` is ``None`` when every initiative is in scope.
    """

    typology: str | None = Field(description="The typology that decides the scope, if any.")
    version: str | None = None
    rules_hash: str | None = None
    out: str | None = Field(
        default=None, description="The outcome that puts a case outside the scope."
    )
    outside: list[str] = Field(
        default_factory=list, description="Cases the typology rules out: not applicable."
    )
    undecided: list[str] = Field(
        default_factory=list,
        description="Cases the typology leaves undecided: read in scope, and flagged.",
    )
    reading: Text = Field(description="How the scope is read, in words.")


class HypothesesReport(Strict):
    """Every proposition of a hypotheses file, tested on a set of initiatives."""

    hypotheses: str
    version: str
    rules_hash: str = Field(description="sha256 of the hypotheses file and parameter values.")
    poletype_version: str
    title: Text
    parameters: dict[str, Any]
    scope: CaseScope
    initiatives: list[str] = Field(description="Case keys: id, else name, repeats numbered.")
    names: list[str] = Field(description="The initiatives' names, in the same order.")
    propositions: list[PropositionResult]

    _cases: list[Initiative] = PrivateAttr(default_factory=list)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON."""
        return self.model_dump_json(indent=indent)

    def _groups(self, by: Grouping) -> list[str]:
        if isinstance(by, Mapping):
            return [str(by[key]) for key in self.initiatives]
        if callable(by):
            return [str(by(case)) for case in self._cases]
        if by.startswith("initiative."):
            return [str(read_path(case, by.removeprefix("initiative."))) for case in self._cases]

        typology = load_typology(by)
        return [classify(case, typology).outcome for case in self._cases]

    def summary(self, by: Grouping = "labo-ess-ptce") -> list[GroupRates]:
        """Support, contradiction and "cannot say" rates per proposition and group.

        ``by``: a typology id (the group is the case's verdict outcome: by default PTCE,
        not PTCE or indeterminate under labo-ess-ptce), ``initiative.<path>`` (a fact,
        e.g. ``initiative.country``), a callable on the `Initiative`, or a mapping from
        case key to group (a column of the researcher's own table).
        """
        groups = self._groups(by)
        rows = []
        for prop in self.propositions:
            for group in sorted(set(groups)):
                keys = [k for k, g in zip(self.initiatives, groups, strict=True) if g == group]
                counts = {
                    name: sum(k in getattr(prop, name) for k in keys)
                    for name in ("supports", "contradicts", "cannot_say", "not_applicable")
                }
                applicable = len(keys) - counts["not_applicable"]

                def rate(n: int, applicable: int = applicable) -> float:
                    return n / applicable if applicable else 0.0

                rows.append(
                    GroupRates(
                        proposition=prop.id,
                        group=group,
                        cases=len(keys),
                        **counts,
                        support_rate=rate(counts["supports"]),
                        contradiction_rate=rate(counts["contradicts"]),
                        cannot_say_share=rate(counts["cannot_say"]),
                    )
                )
        return rows

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per case and proposition (needs pandas).

        Columns: ``case`` (key), ``name``, ``proposition``, ``reading``, ``settle`` (the
        facts that would settle a "cannot say", joined by ``; ``), ``scope`` (``in``,
        ``undecided``: read in scope though the scope typology left it undecided, or
        ``out``).
        """
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
        except ImportError:
            raise SetupError(
                "a data frame needs pandas",
                code="missing-dependency",
                expected="pandas, installed with pip install 'poletype[frames]'",
            ) from None
        outside, undecided = set(self.scope.outside), set(self.scope.undecided)
        rows = [
            {
                "case": key,
                "name": name,
                "proposition": prop.id,
                "reading": prop.reading(key),
                "settle": "; ".join(prop.settle.get(key, [])),
                "scope": "out" if key in outside else "undecided" if key in undecided else "in",
            }
            for prop in self.propositions
            for key, name in zip(self.initiatives, self.names, strict=True)
        ]
        columns = ["case", "name", "proposition", "reading", "settle", "scope"]
        return pd.DataFrame(rows, columns=columns)


class _Compiled(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    spec: HypothesisFile
    parameters: dict[str, Any]
    params_value: dict[str, Any]
    nodes: list[tuple[ConditionNode | None, ConditionNode]]
    rules_hash: str


def load_compiled(source: str | Path, params: Mapping[str, Any]) -> _Compiled:
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
        rules_hash=rules_hash(data, parameters),
    )


def scope_typology(parameters: Mapping[str, Any], file: str) -> Typology | None:
    """The crisp typology the ``scope`` parameter names, or ``None`` for every case."""
    named = parameters.get(SCOPE_PARAMETER)
    if named is None or named == EVERY_CASE:
        return None
    expected = f"a crisp typology id or rule-file path, or {EVERY_CASE!r}"
    try:
        typology = load_typology(named)
    except PoletypeError as exc:
        raise UsageError(
            f"parameter 'scope' names no typology that can be loaded: {exc.message}",
            code="bad-parameter",
            file=file,
            expected=expected,
            found=repr(named),
        ) from None
    if isinstance(typology, GradedTypology):
        raise UsageError(
            "parameter 'scope' names a graded typology, which rules no case out",
            code="bad-parameter",
            file=file,
            expected=expected,
            found=repr(named),
        )
    return typology


def _scope(typology: Typology | None, keys: list[str], cases: list[Initiative]) -> CaseScope:
    """Each case's place in the scope, and the words that say how it is read."""
    words = load("words")["report"]
    if typology is None:
        return CaseScope(typology=None, reading=Text(**words["h_scope_all"]))
    rule = typology.spec.verdict
    assert rule is not None
    outcomes = [classify(case, typology).outcome for case in cases]
    out, undecided = rule.outcomes.not_met, rule.outcomes.unknown
    counted = sum(o == undecided for o in outcomes)
    reading = {
        lang: words["h_scope"][lang].format(
            typology=typology.id,
            out=getattr(rule.labels[out], lang),
            undecided=getattr(rule.labels[undecided], lang),
            count=counted,
        )
        for lang in ("fr", "en")
    }
    return CaseScope(
        typology=typology.id,
        version=typology.version,
        rules_hash=typology.rules_hash,
        out=out,
        outside=[k for k, o in zip(keys, outcomes, strict=True) if o == out],
        undecided=[k for k, o in zip(keys, outcomes, strict=True) if o == undecided],
        reading=Text(**reading),
    )


def _reading(
    where: ConditionNode | None, claim: ConditionNode, root: Root, outside: bool
) -> Reading:
    if outside:
        return "not_applicable"
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
    """Which initiatives support, contradict or cannot say for each proposition.

    A case the ``scope`` typology rules out is not applicable to any proposition; one it
    leaves undecided is read in scope and listed in the report's ``scope.undecided``.
    """
    compiled = load_compiled(hypotheses, dict(params or {}))
    given = list(initiatives)
    cases = [derive(i)[0] for i in given]
    keys = distinct([c.id or c.name for c in given])
    scope = _scope(scope_typology(compiled.parameters, str(hypotheses)), keys, given)
    outside = set(scope.outside)
    results = []
    for prop, (where, claim) in zip(compiled.spec.propositions, compiled.nodes, strict=True):
        buckets: dict[Reading, list[str]] = {
            "supports": [],
            "contradicts": [],
            "cannot_say": [],
            "not_applicable": [],
        }
        settle: dict[str, list[str]] = {}
        paths = [p for node in (where, claim) if node for p in _paths(node)]
        for key, case in zip(keys, cases, strict=True):
            reading = _reading(where, claim, Root(case, compiled.params_value), key in outside)
            buckets[reading].append(key)
            if reading == "cannot_say":
                settle[key] = unknown_facts(case, paths)
        results.append(
            PropositionResult(
                id=prop.id,
                statement=prop.statement,
                source=prop.source,
                interpretation=prop.interpretation,
                **buckets,
                settle=settle,
            )
        )
    spec = compiled.spec
    report = HypothesesReport(
        hypotheses=spec.hypotheses,
        version=spec.version,
        rules_hash=compiled.rules_hash,
        poletype_version=POLETYPE_VERSION,
        title=spec.title,
        parameters=dict(sorted(compiled.parameters.items())),
        scope=scope,
        initiatives=keys,
        names=[c.name for c in given],
        propositions=results,
    )
    report._cases = given
    return report


def _paths(node: ConditionNode) -> list[str]:
    if node.atom is not None:
        return list(node.atom.paths)
    return [p for child in node.children for p in _paths(child)]
