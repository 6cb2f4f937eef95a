"""Rule file → compiled typology: every expression parsed, type-checked and vetted once.

This is the seam between rule files and evaluation backends. Whatever evaluates a typology
sees only what this module produces (expressions with their parsed tree, the input paths
they read and the parameters they use), so a faster backend can replace the interpreter
without touching rule files or callers.

Rule files come from users, so expressions are sandboxed here, at load time: names
starting with ``_``, every function call, every ``$`` built-in but the mathematical
constants, and the null-handling operators (``??``, ``&.``, ``null``) are refused, and
every symbol must be a field of the model or a declared parameter, with its type. A
verdict therefore cannot depend on when it ran, and an expression cannot reach Python.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import rule_engine

from poletype._ast import DataType, ast, is_field, kind, re_errors, scan
from poletype._codegen import Compiled, Generated, compile_tree, generate
from poletype._derive import DERIVED_FIELDS
from poletype._fuzzy import Anchors
from poletype._guards import check_text, check_tree, parsing
from poletype._interpreter import resolve_symbol
from poletype._params import ReadOnlyDict, frozen_parameters
from poletype._symbols import PARAMS, initiative_schema, params_object
from poletype._yaml import line_of
from poletype.errors import ErrorCode, RuleFileError
from poletype.rulefile import (
    Axis,
    Calibration,
    Citation,
    Combination,
    Condition,
    Criterion,
    Descriptor,
    DescriptorCase,
    GradedRule,
    IdealType,
    Indicator,
    RuleFile,
    Text,
    VerdictNode,
)

ALLOWED_BUILTINS = frozenset({"e", "pi"})
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_UNDERSCORE_NAME = re.compile(r"(?<![\w$])_\w*|\.\s*(_\w*)")
_BUILTIN = re.compile(r"\$(\w+)")
_CALL = re.compile(r"([\w$]+|[)\]])\s*\(")
_KEYWORDS = frozenset({"and", "or", "not", "in", "if", "for", "true", "false", "null"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
Fail = Callable[..., RuleFileError]


@dataclass(frozen=True, eq=False)
class Expression:
    """One parsed, checked expression and what it reads."""

    text: str
    rule: Any
    paths: tuple[str, ...]
    parameters: tuple[str, ...]
    native: Compiled = field(repr=False)

    @property
    def tree(self) -> Any:
        """The parsed rule-engine tree, for backends."""
        return self.rule.statement.expression


@dataclass(frozen=True, eq=False)
class ConditionNode:
    """A compiled condition: ``all`` / ``any`` / ``not`` over children, or one atom."""

    op: Literal["all", "any", "not", "atom"]
    children: tuple[ConditionNode, ...] = ()
    atom: Expression | None = None


@dataclass(frozen=True, eq=False)
class Template:
    """A justification text split into literal parts and expressions to show."""

    parts: tuple[str | Expression, ...]


@dataclass(frozen=True, eq=False)
class CompiledCriterion:
    """A criterion ready to evaluate, with its templates per status and language."""

    spec: Criterion
    condition: ConditionNode
    templates: dict[str, dict[str, Template]]
    paths: tuple[str, ...]
    parameters: tuple[str, ...]

    @property
    def id(self) -> str:
        """The criterion's identifier."""
        return self.spec.id

    @property
    def group(self) -> str:
        """The criterion's group."""
        return self.spec.group


@dataclass(frozen=True, eq=False)
class VerdictTree:
    """The verdict condition over criterion ids, expanded from group references."""

    op: Literal["all", "any", "not", "criterion"]
    children: tuple[VerdictTree, ...] = ()
    criterion: str | None = None

    def criteria(self) -> Iterator[str]:
        """The criterion ids at the leaves, in the order the condition names them."""
        if self.criterion is not None:
            yield self.criterion
        for child in self.children:
            yield from child.criteria()


@dataclass(frozen=True, eq=False)
class CompiledIndicator:
    """A graded indicator: a yes/no condition, or a number and its calibration."""

    spec: Indicator
    condition: ConditionNode | None
    value: Expression | None
    anchors: Anchors | None
    templates: dict[str, dict[str, Template]]
    paths: tuple[str, ...]
    parameters: tuple[str, ...]

    @property
    def id(self) -> str:
        """The indicator's identifier."""
        return self.spec.id


@dataclass(frozen=True, eq=False)
class CombinationTree:
    """A membership formula with weights resolved: ``mean``, ``min``, ``max`` or a leaf."""

    op: Literal["indicator", "mean", "min", "max"]
    children: tuple[CombinationTree, ...] = ()
    indicator: str | None = None
    weight: float = 1.0
    negate: bool = False

    def indicators(self) -> list[str]:
        """The indicator ids the formula reads, in order, without repeats."""
        if self.indicator is not None:
            return [self.indicator]
        seen: dict[str, None] = {}
        for child in self.children:
            seen.update(dict.fromkeys(child.indicators()))
        return list(seen)


@dataclass(frozen=True, eq=False)
class CompiledType:
    """An ideal type and its membership formula."""

    spec: IdealType
    membership: CombinationTree

    @property
    def id(self) -> str:
        """The type's identifier."""
        return self.spec.id


@dataclass(frozen=True, eq=False)
class CompiledAxis:
    """A map axis and the formula that places an initiative on it."""

    spec: Axis
    value: CombinationTree


@dataclass(frozen=True, eq=False)
class Graded:
    """What a graded typology evaluates: indicators, types, and how to read them."""

    spec: GradedRule
    indicators: tuple[CompiledIndicator, ...]
    types: tuple[CompiledType, ...]
    axes: tuple[CompiledAxis, ...]
    hybrid_margin: float

    def indicator(self, indicator_id: str) -> CompiledIndicator:
        """The compiled indicator with this id."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


@dataclass(frozen=True, eq=False)
class CompiledDescriptor:
    """A descriptive category: ordered cases with compiled conditions, or a value."""

    spec: Descriptor
    cases: tuple[tuple[DescriptorCase, ConditionNode], ...]
    value: Expression | None
    paths: tuple[str, ...]

    @property
    def id(self) -> str:
        """The descriptor's identifier."""
        return self.spec.id


@dataclass(frozen=True, eq=False)
class Typology:
    """A compiled typology: what ``classify`` evaluates. Immutable.

    A crisp typology has ``criteria`` and a ``verdict`` tree; a graded one has ``graded``.
    """

    spec: RuleFile
    file: str
    parameters: Mapping[str, Any]
    """The values computed with, read-only: verdicts state them under `rules_hash`."""
    rules_hash: str
    source: bytes = field(repr=False)
    criteria: tuple[CompiledCriterion, ...]
    verdict: VerdictTree | None
    params_value: dict[str, Any] = field(repr=False)
    graded: Graded | None = None
    descriptors: tuple[CompiledDescriptor, ...] = ()
    atoms: tuple[ConditionNode, ...] = field(default=(), repr=False)
    generated: Generated | None = field(default=None, repr=False)
    reads_derived: bool = True
    justifies_safely: bool = False
    """No justification placeholder can fail at run time (no arithmetic, ordering or
    regex): verdicts may then be justified on first read without moving an error."""
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    """Values derived from this typology alone (shared scores, sources), cached with it
    so that they go when it goes."""
    origin: tuple[Any, ...] | None = field(default=None, repr=False)
    """How the loader can build this typology again elsewhere (``_loader.restore``'s
    arguments); ``None`` for one compiled otherwise, which then does not pickle."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as how to rebuild it: compiled code and closures do not pickle.

        So a typology can be sent to worker processes and a cluster's workers.
        """
        if self.origin is None:
            raise TypeError(
                f"typology {self.id!r} was not loaded by id or path and cannot be pickled; "
                "send its id or path and parameters instead"
            )
        from poletype._loader import restore  # noqa: PLC0415 - the loader imports this module

        return (restore, self.origin)

    def __dask_tokenize__(self) -> tuple[str, str]:
        """Dask's name for this typology in a task graph: its rules hash says it all."""
        return ("poletype.Typology", self.rules_hash)

    @property
    def id(self) -> str:
        """The typology identifier, e.g. ``labo-ess-ptce``."""
        return self.spec.typology

    @property
    def version(self) -> str:
        """The rule file's declared version."""
        return self.spec.version

    @property
    def title(self) -> Text:
        """The typology's title in French and English."""
        return self.spec.title

    def criterion(self, criterion_id: str) -> CompiledCriterion:
        """The compiled criterion with this id."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


class _Scope:
    """What compiling one rule file needs: the file, its raw document and a typed context."""

    def __init__(
        self, file: str, raw: Any, parameters: dict[str, Any], spec: RuleFile | None = None
    ) -> None:
        self.spec = spec
        self.file = file
        self.raw = raw
        self.parameters = parameters
        schema = initiative_schema()
        types = dict(schema.root)
        types[PARAMS] = params_object(parameters)
        self.context = rule_engine.Context(
            type_resolver=types,
            resolver=resolve_symbol,
            mapping_attribute_lookup=False,
            default_timezone="utc",
        )
        self.fields = schema.fields
        self.compiled: dict[tuple[str, bool], Expression] = {}
        params = parameters.items()
        self.signature = json.dumps(
            {k: v if isinstance(v, str | list) else type(v).__name__ for k, v in params},
            sort_keys=True,
            default=repr,
        )
        """What compiling a text that reads ``params`` depends on: the parameters' types,
        and the values of text parameters (checked against enumerated fields)."""

    def error(
        self,
        message: str,
        *,
        code: ErrorCode,
        loc: tuple[str | int, ...],
        criterion: str | None = None,
        **kwargs: str | None,
    ) -> RuleFileError:
        return RuleFileError(
            message,
            code=code,
            file=self.file,
            line=line_of(self.raw, loc),
            criterion=criterion,
            **kwargs,
        )


def rules_hash(source: bytes, parameters: dict[str, Any]) -> str:
    """sha256 of the rule file's bytes and the canonical JSON of the parameter values."""
    digest = hashlib.sha256(source)
    digest.update(b"\0")
    digest.update(json.dumps(parameters, sort_keys=True, separators=(",", ":")).encode())
    return "sha256:" + digest.hexdigest()


def parameter_values(spec: RuleFile) -> dict[str, Any]:
    """Each parameter's default value."""
    return {name: p.default for name, p in spec.parameters.items()}


def compile_typology(
    spec: RuleFile,
    *,
    file: str,
    raw: Any,
    parameters: dict[str, Any],
    source: bytes,
) -> Typology:
    """Check and compile a validated rule file with the given parameter values."""
    scope = _Scope(file, raw, parameters, spec)
    _check_references(spec, scope)
    criteria = tuple(_compile_criterion(c, i, scope) for i, c in enumerate(spec.criteria))
    groups = {g: tuple(c.id for c in spec.criteria if c.group == g) for g in spec.groups}
    verdict = (
        None
        if spec.verdict is None
        else _compile_verdict(
            spec.verdict.condition, groups, _raising(scope), ("verdict", "condition")
        )
    )
    graded = None if spec.graded is None else _compile_graded(spec, spec.graded, scope)
    descriptors = tuple(_compile_descriptor(d, i, scope) for i, d in enumerate(spec.descriptors))
    params_value = {name: _param_runtime(value) for name, value in parameters.items()}
    atoms = tuple(a for c in criteria for a in _atom_nodes(c.condition))
    generated = (
        None
        if verdict is None
        else generate(
            [(a.atom.tree, a.atom.native.atom) for a in atoms if a.atom],
            [(c.id, c.condition) for c in criteria],
            verdict,
        )
    )
    read = {p.split(".")[0] for a in atoms if a.atom for p in a.atom.paths}
    justified: list[CompiledCriterion | CompiledIndicator] = [*criteria]
    justified += [] if graded is None else graded.indicators
    return Typology(
        justifies_safely=all(
            _cannot_fail(part)
            for item in justified
            for languages in item.templates.values()
            for template in languages.values()
            for part in template.parts
            if isinstance(part, Expression)
        ),
        atoms=atoms,
        generated=generated,
        reads_derived=bool(read & set(DERIVED_FIELDS)),
        spec=spec,
        file=file,
        parameters=frozen_parameters(parameters),
        rules_hash=rules_hash(source, parameters),
        source=source,
        criteria=criteria,
        verdict=verdict,
        params_value=ReadOnlyDict(params_value),
        graded=graded,
        descriptors=descriptors,
    )


def _atom_nodes(node: ConditionNode) -> list[ConditionNode]:
    if node.atom is not None:
        return [node]
    return [a for child in node.children for a in _atom_nodes(child)]


def _param_runtime(value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return tuple(value)


def _check_references(spec: RuleFile, scope: _Scope) -> None:
    for name, parameter in spec.parameters.items():
        _check_citation(spec, parameter.source, scope, ("parameters", name, "source"), None)
    seen: set[str] = set()
    for i, criterion in enumerate(spec.criteria):
        if criterion.id in seen:
            raise scope.error(
                f"criterion id {criterion.id!r} is used twice",
                code="duplicate-criterion",
                loc=("criteria", i, "id"),
                criterion=criterion.id,
            )
        seen.add(criterion.id)
        if criterion.group not in spec.groups:
            raise scope.error(
                f"unknown group {criterion.group!r}",
                code="unknown-group",
                loc=("criteria", i, "group"),
                criterion=criterion.id,
                expected=f"one of {sorted(spec.groups)}",
            )
        _check_citation(spec, criterion.source, scope, ("criteria", i, "source"), criterion.id)
    for group in spec.verdict.scores if spec.verdict is not None else ():
        if group not in spec.groups:
            raise scope.error(
                f"unknown group {group!r} in verdict.scores",
                code="unknown-group",
                loc=("verdict", "scores"),
                expected=f"one of {sorted(spec.groups)}",
            )


def _compile_templates(
    spec: Criterion | Indicator, scope: _Scope, loc: tuple[str | int, ...]
) -> dict[str, dict[str, Template]]:
    templates: dict[str, dict[str, Template]] = {}
    for status in ("met", "not_met", "unknown"):
        texts: Text = getattr(spec.justification, status)
        templates[status] = {
            lang: _compile_template(
                getattr(texts, lang), scope, (*loc, "justification", status, lang), spec.id
            )
            for lang in ("fr", "en")
        }
    return templates


def _compile_criterion(criterion: Criterion, index: int, scope: _Scope) -> CompiledCriterion:
    loc: tuple[str | int, ...] = ("criteria", index)
    condition = _compile_condition(criterion.condition, scope, (*loc, "condition"), criterion.id)
    atoms = list(_atoms(condition))
    templates = _compile_templates(criterion, scope, loc)
    paths = sorted({p for a in atoms for p in a.paths})
    parameters = sorted({p for a in atoms for p in a.parameters})
    return CompiledCriterion(
        spec=criterion,
        condition=condition,
        templates=templates,
        paths=tuple(paths),
        parameters=tuple(parameters),
    )


def _compile_graded(spec: RuleFile, graded: GradedRule, scope: _Scope) -> Graded:
    indicators = tuple(_compile_indicator(x, i, scope) for i, x in enumerate(spec.indicators))
    known = [x.id for x in indicators]
    duplicates = sorted({i for i in known if known.count(i) > 1})
    if duplicates:
        raise scope.error(
            f"indicator id {duplicates[0]!r} is used twice",
            code="duplicate-criterion",
            loc=("indicators", known.index(duplicates[0]), "id"),
            criterion=duplicates[0],
        )
    types: list[CompiledType] = []
    for i, ideal in enumerate(spec.types):
        if any(t.spec.id == ideal.id for t in types):
            raise scope.error(
                f"type id {ideal.id!r} is used twice",
                code="duplicate-criterion",
                loc=("types", i, "id"),
                criterion=ideal.id,
            )
        _check_citation(spec, ideal.source, scope, ("types", i, "source"), ideal.id)
        formula = _compile_combination(
            ideal.membership, scope, ("types", i, "membership"), known, who=ideal.id
        )
        types.append(CompiledType(spec=ideal, membership=formula))
    axes = tuple(
        CompiledAxis(
            axis,
            _compile_combination(
                axis.value, scope, ("graded", "axes", i, "value"), known, who=axis.id
            ),
        )
        for i, axis in enumerate(graded.axes)
    )
    type_ids = [t.id for t in types]
    for i, quadrant in enumerate(graded.quadrants):
        if quadrant.type not in type_ids:
            raise scope.error(
                f"quadrant names unknown type {quadrant.type!r}",
                code="unknown-criterion",
                loc=("graded", "quadrants", i, "type"),
                expected=f"one of {type_ids}",
            )
    margin = _number(graded.hybrid_margin, scope, ("graded", "hybrid_margin"), None)
    return Graded(
        spec=graded,
        indicators=indicators,
        types=tuple(types),
        axes=axes,
        hybrid_margin=margin,
    )


def _compile_descriptor(descriptor: Descriptor, index: int, scope: _Scope) -> CompiledDescriptor:
    loc: tuple[str | int, ...] = ("descriptors", index)
    assert scope.spec is not None
    _check_citation(scope.spec, descriptor.source, scope, (*loc, "source"), descriptor.id)
    cases = tuple(
        (case, _compile_condition(case.when, scope, (*loc, "cases", i, "when"), descriptor.id))
        for i, case in enumerate(descriptor.cases or ())
    )
    value = (
        None
        if descriptor.value is None
        else compile_expression(
            descriptor.value, scope, loc=(*loc, "value"), criterion=descriptor.id, boolean=False
        )
    )
    atoms = [a for _, node in cases for a in _atoms(node)] + ([value] if value else [])
    return CompiledDescriptor(
        spec=descriptor,
        cases=cases,
        value=value,
        paths=tuple(sorted({p for a in atoms for p in a.paths})),
    )


def _check_citation(
    spec: RuleFile,
    citation: Citation | None,
    scope: _Scope,
    loc: tuple[str | int, ...],
    who: str | None,
) -> None:
    """A citation must name one of the file's declared source documents."""
    documents = sorted(s.id for s in spec.sources)
    if citation is not None and citation.document not in documents:
        raise scope.error(
            f"unknown source document {citation.document!r}",
            code="unknown-source",
            loc=(*loc, "document"),
            criterion=who,
            expected=f"one of {documents}",
        )


def _compile_indicator(indicator: Indicator, index: int, scope: _Scope) -> CompiledIndicator:
    loc: tuple[str | int, ...] = ("indicators", index)
    assert scope.spec is not None
    if indicator.dimension is not None and indicator.dimension not in scope.spec.dimensions:
        raise scope.error(
            f"unknown dimension {indicator.dimension!r}",
            code="unknown-group",
            loc=(*loc, "dimension"),
            criterion=indicator.id,
            expected=f"one of {sorted(scope.spec.dimensions)} (declared under 'dimensions')",
        )
    _check_citation(scope.spec, indicator.source, scope, (*loc, "source"), indicator.id)
    condition = value = anchors = None
    if indicator.condition is not None:
        condition = _compile_condition(
            indicator.condition, scope, (*loc, "condition"), indicator.id
        )
        atoms = list(_atoms(condition))
    else:
        assert indicator.value is not None
        assert indicator.calibration is not None
        value = compile_expression(
            indicator.value, scope, loc=(*loc, "value"), criterion=indicator.id, boolean=False
        )
        if value.tree.result_type not in (DataType.FLOAT, DataType.UNDEFINED):
            raise scope.error(
                f"the value {indicator.value!r} is not a number",
                code="not-numeric",
                loc=(*loc, "value"),
                criterion=indicator.id,
                expected="a numeric expression, to be calibrated",
                found=value.tree.result_type.name,
            )
        anchors = _anchors(indicator.calibration, scope, (*loc, "calibration"), indicator.id)
        atoms = [value]
    return CompiledIndicator(
        spec=indicator,
        condition=condition,
        value=value,
        anchors=anchors,
        templates=_compile_templates(indicator, scope, loc),
        paths=tuple(sorted({p for a in atoms for p in a.paths})),
        parameters=tuple(sorted({p for a in atoms for p in a.parameters})),
    )


def _number(
    value: float | str, scope: _Scope, loc: tuple[str | int, ...], who: str | None
) -> float:
    """A literal number, or the value of the parameter it names."""
    if not isinstance(value, str):
        return float(value)
    found = scope.parameters.get(value)
    if found is None or isinstance(found, bool) or not isinstance(found, int | float):
        raise scope.error(
            f"{value!r} is not a numeric parameter",
            code="unknown-parameter",
            loc=loc,
            criterion=who,
            expected=f"a number or one of the numeric parameters {sorted(_numeric(scope))}",
        )
    return float(found)


def _numeric(scope: _Scope) -> list[str]:
    return [
        k
        for k, v in scope.parameters.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


def _anchors(
    calibration: Calibration, scope: _Scope, loc: tuple[str | int, ...], who: str
) -> Anchors:
    exclusion, crossover, inclusion = (
        _number(getattr(calibration, k), scope, (*loc, k), who)
        for k in ("exclusion", "crossover", "inclusion")
    )
    if not (exclusion < crossover < inclusion or exclusion > crossover > inclusion):
        raise scope.error(
            "calibration anchors are not in order",
            code="bad-calibration",
            loc=loc,
            criterion=who,
            expected="crossover strictly between exclusion and inclusion",
            found=f"exclusion {exclusion:g}, crossover {crossover:g}, inclusion {inclusion:g}",
        )
    return Anchors(exclusion, crossover, inclusion, calibration.method)


def _compile_combination(
    node: Combination | str,
    scope: _Scope,
    loc: tuple[str | int, ...],
    known: list[str],
    *,
    who: str,
    in_mean: bool = False,
) -> CombinationTree:
    if isinstance(node, str):
        node = Combination(indicator=node)
    weight = _number(node.weight, scope, (*loc, "weight"), who)
    if weight <= 0 or (not in_mean and weight != 1):
        raise scope.error(
            f"weight {weight:g} is not allowed here",
            code="bad-combination",
            loc=(*loc, "weight"),
            criterion=who,
            expected="a positive weight, and only on a term of a 'mean'"
            " (use 'negate: true' for a fact that weighs against a type)",
        )
    if node.indicator is not None:
        if node.indicator not in known:
            raise scope.error(
                f"the formula names unknown indicator {node.indicator!r}",
                code="unknown-criterion",
                criterion=who,
                loc=(*loc, "indicator") if len(loc) else loc,
                expected=f"one of {known}",
                suggestion=closest(node.indicator, known),
            )
        return CombinationTree(
            "indicator", indicator=node.indicator, weight=weight, negate=node.negate
        )
    op: Literal["mean", "min", "max"] = (
        "mean" if node.mean is not None else "min" if node.min is not None else "max"
    )
    terms = getattr(node, op)
    return CombinationTree(
        op,
        tuple(
            _compile_combination(t, scope, (*loc, op, i), known, who=who, in_mean=op == "mean")
            for i, t in enumerate(terms)
        ),
        weight=weight,
        negate=node.negate,
    )


def closest(name: str, known: Sequence[str]) -> str | None:
    """The known name ``name`` most likely misspells, for an error's suggestion."""
    matches = difflib.get_close_matches(name, known, n=1)
    return matches[0] if matches else None


def _atoms(node: ConditionNode) -> list[Expression]:
    if node.atom is not None:
        return [node.atom]
    return [a for child in node.children for a in _atoms(child)]


def _compile_condition(
    node: Condition | str, scope: _Scope, loc: tuple[str | int, ...], criterion: str
) -> ConditionNode:
    if isinstance(node, str):
        return ConditionNode(
            "atom", atom=compile_expression(node, scope, loc=loc, criterion=criterion)
        )
    if node.all is not None:
        return ConditionNode(
            "all",
            tuple(
                _compile_condition(c, scope, (*loc, "all", i), criterion)
                for i, c in enumerate(node.all)
            ),
        )
    if node.any is not None:
        return ConditionNode(
            "any",
            tuple(
                _compile_condition(c, scope, (*loc, "any", i), criterion)
                for i, c in enumerate(node.any)
            ),
        )
    assert node.not_ is not None
    return ConditionNode("not", (_compile_condition(node.not_, scope, (*loc, "not"), criterion),))


def _compile_template(
    text: str, scope: _Scope, loc: tuple[str | int, ...], criterion: str
) -> Template:
    parts: list[str | Expression] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position : match.start()])
        parts.append(
            compile_expression(
                match.group(1).strip(), scope, loc=loc, criterion=criterion, boolean=False
            )
        )
        position = match.end()
    rest = text[position:]
    if "{" in rest or "}" in rest:
        raise scope.error(
            "unbalanced brace in justification template",
            code="bad-template",
            loc=loc,
            criterion=criterion,
            expected="placeholders of the form {expression}",
            found=repr(text),
        )
    parts.append(rest)
    return Template(tuple(p for p in parts if p != ""))


VerdictError = Callable[..., None]
"""Told of an unknown criterion or group a verdict names (``message``, ``code``, ``loc``,
``expected``): raises to refuse it, or returns to read the rest of the verdict."""


def _raising(scope: _Scope) -> VerdictError:
    def refuse(message: str, **details: Any) -> None:
        raise scope.error(message, **details)

    return refuse


def _compile_verdict(
    node: VerdictNode | str,
    groups: Mapping[str, Sequence[str]],
    error: VerdictError,
    loc: tuple[str | int, ...],
) -> VerdictTree:
    """The verdict expanded from group references; ``error`` is told of unknown names.

    An unknown criterion is kept as a leaf and an unknown group read as empty, for a
    caller whose ``error`` returns.
    """
    known = {c for ids in groups.values() for c in ids}
    if isinstance(node, str):
        if node not in known:
            error(
                f"the verdict names unknown criterion {node!r}",
                code="unknown-criterion",
                loc=loc,
                expected=f"one of {sorted(known)}",
            )
        return VerdictTree("criterion", criterion=node)
    for op in ("all_of", "any_of"):
        group = getattr(node, op)
        if group is not None:
            if group not in groups:
                error(
                    f"the verdict names unknown group {group!r}",
                    code="unknown-group",
                    loc=(*loc, op),
                    expected=f"one of {sorted(groups)}",
                )
            leaves = tuple(VerdictTree("criterion", criterion=c) for c in groups.get(group, ()))
            return VerdictTree("all" if op == "all_of" else "any", leaves)
    if node.not_ is not None:
        return VerdictTree("not", (_compile_verdict(node.not_, groups, error, (*loc, "not")),))
    op_name: Literal["all", "any"] = "all" if node.all is not None else "any"
    nodes = node.all if node.all is not None else node.any
    assert nodes is not None
    return VerdictTree(
        op_name,
        tuple(_compile_verdict(c, groups, error, (*loc, op_name, i)) for i, c in enumerate(nodes)),
    )


def compile_expression(
    text: str,
    scope: _Scope,
    *,
    loc: tuple[str | int, ...],
    criterion: str | None,
    boolean: bool = True,
) -> Expression:
    """Parse, type-check and vet one expression; raise `RuleFileError` on any fault.

    An expression met again in the same file (a placeholder in both languages' sentences)
    is compiled once and shared.
    """
    key = (text, boolean)
    if key not in scope.compiled:
        shared = (text, boolean, scope.signature if PARAMS in text else "")
        expression = _SHARED.get(shared)
        if expression is None:
            expression = _compile_expression(
                text, scope, loc=loc, criterion=criterion, boolean=boolean
            )
            if len(_SHARED) >= _SHARED_LIMIT:
                _SHARED.clear()
            _SHARED[shared] = expression
        scope.compiled[key] = expression
    return scope.compiled[key]


_SHARED: dict[tuple[str, bool, str], Expression] = {}
"""Expressions compiled in this process, shared between rule files and parameter sets.

The same text means the same checked expression when it does not read ``params``, or
when the parameters have the same `_Scope.signature`. Rule
files repeat many expressions (a third of the shipped ones), and a parameter sweep
reloads a typology many times.
"""
_SHARED_LIMIT = 4096


def _compile_expression(
    text: str,
    scope: _Scope,
    *,
    loc: tuple[str | int, ...],
    criterion: str | None,
    boolean: bool,
) -> Expression:

    def fail(message: str, code: ErrorCode, **kwargs: str | None) -> RuleFileError:
        return scope.error(message, code=code, loc=loc, criterion=criterion, **kwargs)

    check_text(text, fail)
    _prescan(text, fail)
    try:
        with parsing(text, fail):
            rule = rule_engine.Rule(text, context=scope.context)
    except re_errors.RuleSyntaxError as exc:
        token = getattr(exc, "token", None)
        where = "end of expression" if token is None else repr(getattr(token, "value", token))
        raise fail(
            f"syntax error in {text!r} at {where}",
            "expression-syntax",
            expected="an expression in the rule-engine grammar",
        ) from None
    except re_errors.SymbolResolutionError as exc:
        dotted = _dotted(text, exc.symbol_name)
        suggestion = exc.suggestion
        rest = dotted.split(".", 1)[1:]
        if suggestion and rest and f"{suggestion}.{rest[0]}" in scope.fields:
            suggestion = f"{suggestion}.{rest[0]}"
        raise fail(
            f"unknown field {dotted!r} in {text!r}",
            "unknown-field",
            expected="a field of the initiative model or params.NAME",
            suggestion=suggestion,
        ) from None
    except re_errors.AttributeResolutionError as exc:
        raise _attribute_error(text, exc, scope, fail) from None
    except re_errors.SyntaxError as exc:
        raise fail(f"syntax error in {text!r}: {exc.message}", "expression-syntax") from None
    except re_errors.ArithmeticError as exc:
        raise fail(
            f"{text!r} cannot be evaluated: {exc.message}",
            "evaluation-error",
            expected="arithmetic defined on its constants (no division by zero, no overflow)",
        ) from None
    except re_errors.EvaluationError as exc:
        raise fail(
            f"type mismatch in {text!r}: {exc.message}",
            "type-mismatch",
            expected="operands of compatible types (numbers with numbers, text with text)",
        ) from None
    except re_errors.EngineError as exc:
        raise fail(
            f"{text!r} cannot be evaluated: {exc}",
            "evaluation-error",
            expected="an expression rule-engine can evaluate",
        ) from None
    tree = rule.statement.expression
    check_tree(tree, text, fail, scope.parameters)
    _vet(tree, text, fail)
    if boolean and tree.result_type not in (DataType.BOOLEAN, DataType.UNDEFINED):
        raise fail(
            f"the condition {text!r} is not a yes/no test",
            "not-boolean",
            expected="a boolean expression",
            found=tree.result_type.name,
        )
    paths, parameters = _reads(tree)
    _check_enum_literals(tree, text, scope, fail)
    read = tuple(sorted(paths))
    return Expression(
        text=text,
        rule=rule,
        paths=read,
        parameters=tuple(sorted(parameters)),
        native=compile_tree(text, rule, read),
    )


def _prescan(text: str, fail: Fail) -> None:
    code = _STRING.sub('""', text)
    match = _UNDERSCORE_NAME.search(code)
    if match:
        name = (match.group(1) or match.group(0)).strip(". ")
        raise fail(
            f"names starting with '_' are not allowed: {name!r} in {text!r}",
            "forbidden-name",
            expected="a field of the initiative model or params.NAME",
        )
    for match in _CALL.finditer(code):
        if match.group(1) not in _KEYWORDS:
            raise fail(
                f"function calls are not allowed: {text!r}",
                "forbidden-call",
                expected="fields, parameters, operators and comprehensions only",
            )
    for builtin in _BUILTIN.findall(code):
        if builtin not in ALLOWED_BUILTINS:
            raise fail(
                f"built-in '${builtin}' is not allowed in {text!r}",
                "forbidden-builtin",
                expected=f"no built-ins but {sorted('$' + b for b in ALLOWED_BUILTINS)}; "
                "a verdict must not depend on when or where it runs (use a parameter such "
                "as as_of for a date)",
            )
    if "??" in code or "&." in code or "&[" in code or re.search(r"\bnull\b", code):
        raise fail(
            f"{text!r} handles absent values itself",
            "forbidden-null-handling",
            expected="an expression written as if every fact were known: poletype treats "
            "absent facts as unknown, and '??', '&.' or null would turn unknown into a value",
        )


def _vet(tree: Any, text: str, fail: Fail) -> None:
    """Refuse, on the parsed tree, what the prescan could have missed.

    A comprehension variable may not reuse the name of an enclosing one: rule-engine 5.1
    resolves such a name to the *outer* variable, against every reader's expectation.
    """

    def visit(node: Any, bound: dict[str, Any]) -> None:
        if kind(node) == "comprehension":
            if node.variable in bound:
                raise fail(
                    f"the variable {node.variable!r} is already bound by an enclosing "
                    f"comprehension in {text!r}",
                    "forbidden-name",
                    expected="a new name for each nested comprehension's variable",
                )
            if node.variable.startswith("_"):
                raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")
            return
        if isinstance(node, ast.FunctionCallExpression):
            raise fail(f"function calls are not allowed: {text!r}", "forbidden-call")
        if isinstance(node, ast.CoalesceExpression | ast.NullExpression) or getattr(
            node, "safe", False
        ):
            raise fail(f"{text!r} handles absent values itself", "forbidden-null-handling")
        if isinstance(node, ast.SymbolExpression):
            if node.scope is not None and node.name not in ALLOWED_BUILTINS:
                raise fail(
                    f"built-in '${node.name}' is not allowed in {text!r}", "forbidden-builtin"
                )
            if node.name.startswith("_"):
                raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")
        if kind(node) == "attribute" and node.name.startswith("_"):
            raise fail(f"names starting with '_' are not allowed in {text!r}", "forbidden-name")

    scan(tree, visit)


def _dotted(text: str, name: str) -> str:
    match = re.search(rf"(?<![\w.]){re.escape(name)}(?:\.\w+)*", _STRING.sub('""', text))
    return match.group(0) if match else name


def _attribute_error(text: str, exc: Any, scope: _Scope, fail: Fail) -> RuleFileError:
    name = exc.attribute_name if hasattr(exc, "attribute_name") else exc.args[0]
    code_text = _STRING.sub('""', text)
    match = re.search(rf"([\w.]*)\.\s*{re.escape(str(name))}\b", code_text)
    prefix = match.group(1) if match else ""
    suggestion = exc.suggestion
    if prefix == PARAMS or prefix.endswith("." + PARAMS):
        return fail(
            f"unknown parameter {name!r} in {text!r}",
            "unknown-parameter",
            expected=f"one of {sorted(scope.parameters)} (declared under 'parameters')",
            suggestion=f"{PARAMS}.{suggestion}" if suggestion else None,
        )
    full = f"{prefix}.{name}" if prefix else str(name)
    if full in scope.fields and "." in full:
        item = prefix.rsplit(".", 1)[-1][:1] or "x"
        return fail(
            f"{prefix!r} is a list, so {full!r} needs a comprehension in {text!r}",
            "type-mismatch",
            expected=f"[{item}.{name} for {item} in {prefix}]",
        )
    return fail(
        f"unknown field {full!r} in {text!r}",
        "unknown-field",
        expected="a field of the initiative model or a built-in attribute such as length",
        suggestion=f"{prefix}.{suggestion}" if suggestion and prefix else suggestion,
    )


def _path_of(node: Any, env: dict[str, Any]) -> str | None:
    """The dotted path a node reads (a comprehension variable stands for its iterable's)."""
    what = kind(node)
    if what == "symbol":
        path: str | None = env.get(node.name, node.name)
        return path
    if what == "attribute":
        base = _path_of(node.object, env)
        return None if base is None else f"{base}.{node.name}"
    return None


def _reads(tree: Any) -> tuple[set[str], set[str]]:
    """Input paths and parameters an expression reads, from its tree.

    Comprehension variables stand for their iterable's path, so ``m.kind`` in
    ``[m.kind for m in members]`` reads ``members.kind``.
    """
    paths: set[str] = set()
    parameters: set[str] = set()
    fields = initiative_schema().fields

    def path_of(node: Any, env: dict[str, Any]) -> str | None:
        if kind(node) == "attribute":
            base = path_of(node.object, env)
            if base is None:
                return None
            candidate = f"{base}.{node.name}"
            return candidate if base == PARAMS or candidate in fields else None
        return _path_of(node, env)

    def visit(node: Any, env: dict[str, Any]) -> bool | None:
        path = path_of(node, env)
        if path is not None:
            if path.startswith(PARAMS + "."):
                parameters.add(path.split(".", 1)[1])
            elif path != PARAMS:
                paths.add(path)
            return False
        return False if kind(node) == "symbol" and node.name in env else None

    scan(tree, visit, bind=path_of)
    return paths, parameters


def _check_enum_literals(tree: Any, text: str, scope: _Scope, fail: Fail) -> None:
    """A string compared with an enumerated field must be one of its values."""

    def strings(node: Any) -> list[str]:
        if isinstance(node, ast.StringExpression):
            return [node.value]
        if isinstance(node, ast.ArrayExpression):
            return [s for m in node.value for s in strings(m)]
        path = _path_of(node, {})
        if path is not None and path.startswith(PARAMS + "."):
            value = scope.parameters.get(path.split(".", 1)[1])
            if isinstance(value, str):
                return [value]
            if isinstance(value, list):
                return [str(v) for v in value]
        return []

    def check(field_node: Any, other: Any, env: dict[str, Any]) -> None:
        path = _path_of(field_node, env)
        info = scope.fields.get(path) if path else None
        if info is None or info.allowed is None:
            return
        for value in strings(other):
            if value not in info.allowed:
                raise fail(
                    f"{value!r} is not a value of {path!r} in {text!r}",
                    "unknown-value",
                    expected=f"one of {list(info.allowed)}",
                )

    def visit(node: Any, env: dict[str, Any]) -> None:
        if isinstance(node, ast.ComparisonExpression) and node.type in ("eq", "ne"):
            check(node.left, node.right, env)
            check(node.right, node.left, env)
        if kind(node) == "contains":
            check(node.member, node.container, env)
            check(node.container, node.member, env)

    scan(tree, visit, bind=_path_of)


_SAFE_NODES = (
    ast.SymbolExpression,
    ast.LiteralExpressionBase,
    ast.ArrayExpression,
    ast.ComprehensionExpression,
    ast.LogicExpression,
    ast.TernaryExpression,
)


def _cannot_fail(expression: Expression) -> bool:
    """Whether evaluating ``expression`` on any initiative can only give a value.

    Conservative: reads, literals, comprehensions, logic, equality, ``in`` over an
    array and the attributes of typed objects and arrays; anything else (arithmetic,
    ordering, regular expressions, rule-engine fall-backs) might raise.
    """
    if expression.native.delegated:
        return False
    unsafe: list[Any] = []

    def visit(node: Any, _env: dict[str, Any]) -> bool | None:
        if _safe(node):
            return None
        unsafe.append(node)
        return False

    scan(expression.tree, visit)
    return not unsafe


def _safe(node: Any) -> bool:
    """Whether one node, its operands known, can only give a value."""
    if isinstance(node, ast.FuzzyComparisonExpression | ast.ArithmeticComparisonExpression):
        return False
    if isinstance(node, ast.ComparisonExpression):
        return True
    what = kind(node)
    if what == "contains":
        return bool(DataType.is_type(node.container.result_type, DataType.ARRAY))
    if what == "unary":
        return bool(node.type == "not")
    if what == "attribute":
        return is_field(node) or _safe_builtin(node.name, node.object.result_type)
    return isinstance(node, _SAFE_NODES)


def _safe_builtin(name: str, of: Any) -> bool:
    """``.length`` and ``.is_empty`` of a collection; ``.to_set`` of scalars (hashable)."""
    if name in ("length", "is_empty"):
        return any(DataType.is_type(of, t) for t in (DataType.ARRAY, DataType.SET))
    return (
        name == "to_set"
        and DataType.is_type(of, DataType.ARRAY)
        and getattr(of, "value_type", None) in (DataType.STRING, DataType.FLOAT, DataType.BOOLEAN)
    )


__all__ = [
    "CombinationTree",
    "CompiledAxis",
    "CompiledCriterion",
    "CompiledDescriptor",
    "CompiledIndicator",
    "CompiledType",
    "ConditionNode",
    "Expression",
    "Graded",
    "Template",
    "Typology",
    "VerdictTree",
    "compile_expression",
    "compile_typology",
    "parameter_values",
]
