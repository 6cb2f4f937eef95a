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
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from poletype._engine.codegen import generate, write_together
from poletype._engine.derive import DERIVED_FIELDS, VIEWED_FIELDS
from poletype._engine.expressions import Scope, cannot_fail, compile_expression
from poletype._engine.fuzzy import Anchors
from poletype._engine.syntax import DataType
from poletype._engine.typology import (
    CombinationTree,
    CompiledAxis,
    CompiledCriterion,
    CompiledDescriptor,
    CompiledIndicator,
    CompiledType,
    ConditionNode,
    CrispTypology,
    Expression,
    Graded,
    GradedTypology,
    Template,
    Typology,
    VerdictTree,
    run_one_by_one,
)
from poletype._read.params import ReadOnlyDict, frozen_parameters
from poletype.rulefile import (
    Calibration,
    Citation,
    Combination,
    Condition,
    Criterion,
    Descriptor,
    GradedRule,
    Indicator,
    RuleFile,
    Text,
    VerdictNode,
    VerdictRule,
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


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
    scope = Scope(file, raw, parameters, spec)
    _check_references(spec, scope)
    kind: type[CrispTypology | GradedTypology]
    if spec.graded is None:
        assert spec.verdict is not None  # a valid RuleFile is of one kind or the other
        kind, parts = CrispTypology, _crisp_parts(spec, spec.verdict, scope)
    else:
        graded = _compile_graded(spec, spec.graded, scope)
        kind, parts = GradedTypology, {"graded": graded}
        parts["justifies_safely"] = _justifies_safely(graded.indicators)
    descriptors = tuple(_compile_descriptor(d, i, scope) for i, d in enumerate(spec.descriptors))
    write_together(run_one_by_one(parts.get("graded"), descriptors))
    params_value = {name: param_runtime(value) for name, value in parameters.items()}
    return kind(
        spec=spec,
        file=file,
        parameters=frozen_parameters(parameters),
        rules_hash=rules_hash(source, parameters),
        source=source,
        params_value=ReadOnlyDict(params_value),
        descriptors=descriptors,
        **parts,
    )


def _crisp_parts(spec: RuleFile, rule: VerdictRule, scope: Scope) -> dict[str, Any]:
    """What a crisp typology holds beyond the common parts: criteria, verdict, backend."""
    criteria = tuple(_compile_criterion(c, i, scope) for i, c in enumerate(spec.criteria))
    groups = {g: tuple(c.id for c in spec.criteria if c.group == g) for g in spec.groups}
    verdict = compile_verdict(rule.condition, groups, _raising(scope), ("verdict", "condition"))
    atoms = tuple(a for c in criteria for a in c.condition.leaves())
    generated = generate(
        [(a.atom.tree, a.atom.native.atom) for a in atoms if a.atom],
        [(c.id, c.condition) for c in criteria],
        verdict,
    )
    read = {p.split(".")[0] for a in atoms if a.atom for p in a.atom.paths}
    return {
        "justifies_safely": _justifies_safely(criteria),
        "criteria": criteria,
        "verdict": verdict,
        "verdict_rule": rule,
        "atoms": atoms,
        "generated": generated,
        "reads_derived": bool(read & {*DERIVED_FIELDS, *VIEWED_FIELDS}),
    }


def _justifies_safely(items: Sequence[CompiledCriterion | CompiledIndicator]) -> bool:
    """Whether no justification placeholder of ``items`` can fail at run time."""
    return all(
        cannot_fail(part)
        for item in items
        for languages in item.templates.values()
        for template in languages.values()
        for part in template.parts
        if isinstance(part, Expression)
    )


def param_runtime(value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return tuple(value)


def _check_references(spec: RuleFile, scope: Scope) -> None:
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
    spec: Criterion | Indicator, scope: Scope, loc: tuple[str | int, ...]
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


def _compile_criterion(criterion: Criterion, index: int, scope: Scope) -> CompiledCriterion:
    loc: tuple[str | int, ...] = ("criteria", index)
    condition = compile_condition(criterion.condition, scope, (*loc, "condition"), criterion.id)
    atoms = condition.expressions()
    templates = _compile_templates(criterion, scope, loc)
    held = None
    if criterion.unknown_when is not None:
        held = compile_expression(
            criterion.unknown_when, scope, loc=(*loc, "unknown_when"), criterion=criterion.id
        )
        atoms.append(held)
    paths = sorted({p for a in atoms for p in a.paths})
    parameters = sorted({p for a in atoms for p in a.parameters})
    return CompiledCriterion(
        spec=criterion,
        condition=condition,
        templates=templates,
        paths=tuple(paths),
        parameters=tuple(parameters),
        unknown_when=held,
    )


def _compile_graded(spec: RuleFile, graded: GradedRule, scope: Scope) -> Graded:
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


def _compile_descriptor(descriptor: Descriptor, index: int, scope: Scope) -> CompiledDescriptor:
    loc: tuple[str | int, ...] = ("descriptors", index)
    assert scope.spec is not None
    _check_citation(scope.spec, descriptor.source, scope, (*loc, "source"), descriptor.id)
    cases = tuple(
        (case, compile_condition(case.when, scope, (*loc, "cases", i, "when"), descriptor.id))
        for i, case in enumerate(descriptor.cases or ())
    )
    value = (
        None
        if descriptor.value is None
        else compile_expression(
            descriptor.value, scope, loc=(*loc, "value"), criterion=descriptor.id, boolean=False
        )
    )
    atoms = [a for _, node in cases for a in node.expressions()] + ([value] if value else [])
    return CompiledDescriptor(
        spec=descriptor,
        cases=cases,
        value=value,
        paths=tuple(sorted({p for a in atoms for p in a.paths})),
    )


def _check_citation(
    spec: RuleFile,
    citation: Citation | None,
    scope: Scope,
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


def _compile_indicator(indicator: Indicator, index: int, scope: Scope) -> CompiledIndicator:
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
        condition = compile_condition(indicator.condition, scope, (*loc, "condition"), indicator.id)
        atoms = condition.expressions()
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


def _number(value: float | str, scope: Scope, loc: tuple[str | int, ...], who: str | None) -> float:
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


def _numeric(scope: Scope) -> list[str]:
    return [
        k
        for k, v in scope.parameters.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


def _anchors(
    calibration: Calibration, scope: Scope, loc: tuple[str | int, ...], who: str
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
    scope: Scope,
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


def compile_condition(
    node: Condition | str, scope: Scope, loc: tuple[str | int, ...], criterion: str
) -> ConditionNode:
    if isinstance(node, str):
        return ConditionNode(
            "atom", atom=compile_expression(node, scope, loc=loc, criterion=criterion)
        )
    if node.all is not None:
        return ConditionNode(
            "all",
            tuple(
                compile_condition(c, scope, (*loc, "all", i), criterion)
                for i, c in enumerate(node.all)
            ),
        )
    if node.any is not None:
        return ConditionNode(
            "any",
            tuple(
                compile_condition(c, scope, (*loc, "any", i), criterion)
                for i, c in enumerate(node.any)
            ),
        )
    assert node.not_ is not None
    return ConditionNode("not", (compile_condition(node.not_, scope, (*loc, "not"), criterion),))


def _compile_template(
    text: str, scope: Scope, loc: tuple[str | int, ...], criterion: str
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


def _raising(scope: Scope) -> VerdictError:
    def refuse(message: str, **details: Any) -> None:
        raise scope.error(message, **details)

    return refuse


def compile_verdict(
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
        return VerdictTree("not", (compile_verdict(node.not_, groups, error, (*loc, "not")),))
    op_name: Literal["all", "any"] = "all" if node.all is not None else "any"
    nodes = node.all if node.all is not None else node.any
    assert nodes is not None
    return VerdictTree(
        op_name,
        tuple(compile_verdict(c, groups, error, (*loc, op_name, i)) for i, c in enumerate(nodes)),
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
