"""The compiled typology: what the compiler builds and the evaluator reads, all immutable.

The shapes only; `compiler` builds them from a `RuleFile`, and every backend, report and
search reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from poletype._engine.codegen import Compiled, Generated
from poletype._engine.fuzzy import Anchors
from poletype.rulefile import (
    Axis,
    Criterion,
    Descriptor,
    DescriptorCase,
    GradedRule,
    IdealType,
    Indicator,
    RuleFile,
    Text,
    VerdictRule,
)


@dataclass(frozen=True, eq=False)
class Expression:
    """One parsed, checked expression and what it reads."""

    text: str
    rule: Any
    paths: tuple[str, ...]
    parameters: tuple[str, ...]
    native: Compiled = field(repr=False)
    safe: bool = False
    """Whether evaluating it on any initiative can only give a value (`cannot_fail`), worked
    out once when it compiles: every justification placeholder is asked at every load."""

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

    def leaves(self) -> list[ConditionNode]:
        """The atom nodes of this condition, left to right."""
        if self.atom is not None:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]

    def expressions(self) -> list[Expression]:
        """The atoms' expressions, left to right."""
        return [leaf.atom for leaf in self.leaves() if leaf.atom is not None]


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
    unknown_when: Expression | None = None
    """Where the condition is not met and this is not false, the criterion is unknown."""

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


@dataclass(frozen=True, eq=False, kw_only=True)
class Typology:
    """A compiled typology: what ``classify`` evaluates. Immutable.

    Every typology is one of two kinds, and its class says which: a `CrispTypology`
    tests criteria and decides an outcome in three-valued logic, a `GradedTypology`
    grades membership in ideal types. This base holds what both have; code that treats
    the kinds differently asks ``isinstance`` rather than testing for absent parts.
    """

    spec: RuleFile
    file: str
    parameters: Mapping[str, Any]
    """The values computed with, read-only: verdicts state them under `rules_hash`."""
    rules_hash: str
    source: bytes = field(repr=False)
    params_value: dict[str, Any] = field(repr=False)
    descriptors: tuple[CompiledDescriptor, ...] = ()
    justifies_safely: bool = False
    """No justification placeholder can fail at run time (no arithmetic, ordering or
    regex): verdicts may then be justified on first read without moving an error."""
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    """Values derived from this typology alone (shared scores, sources), cached with it
    so that they go when it goes."""
    origin: tuple[Callable[..., Typology], tuple[Any, ...]] | None = field(default=None, repr=False)
    """How the loader can build this typology again elsewhere (``loader.restore`` and its
    arguments, set by the loader); ``None`` for one compiled otherwise, which then does not
    pickle. The loader hands its own function, so this layer need not import the one above."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as how to rebuild it: compiled code and closures do not pickle.

        So a typology can be sent to worker processes and a cluster's workers.
        """
        if self.origin is None:
            raise TypeError(
                f"typology {self.id!r} was not loaded by id or path and cannot be pickled; "
                "send its id or path and parameters instead"
            )
        return self.origin

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

    def outcomes(self) -> list[tuple[str, Text]]:
        """The outcomes a verdict can take, with their labels, positive first, indeterminate last.

        The order every report lists them in: the explanation, the screening's summary
        table and its counts.
        """
        raise NotImplementedError

    def reported(self) -> tuple[CompiledCriterion | CompiledIndicator, ...]:
        """What a verdict's ``criteria`` list reports on, in its order.

        A crisp typology's criteria, a graded one's indicators: the rows of every
        verdict's table, so a report can list them without asking which kind it has.
        """
        raise NotImplementedError


@dataclass(frozen=True, eq=False, kw_only=True)
class CrispTypology(Typology):
    """A typology of criteria and a verdict condition over them, in three-valued logic.

    The outcome is one of three (met, not met, unknown, under the names the rule file
    gives them: ``ptce``, ``not_ptce``, ``indeterminate``).
    """

    criteria: tuple[CompiledCriterion, ...]
    verdict: VerdictTree
    """The verdict condition over criterion ids, groups expanded."""
    verdict_rule: VerdictRule = field(repr=False)
    """The rule file's ``verdict`` section: outcome names, labels, score groups, examples."""
    atoms: tuple[ConditionNode, ...] = field(repr=False)
    """Every criterion's atoms, in the order the generated function returns their values."""
    generated: Generated = field(repr=False)
    reads_derived: bool = True

    def outcomes(self) -> list[tuple[str, Text]]:
        """The outcomes met, not met, unknown (``ptce``, ``not_ptce``, ``indeterminate``)."""
        rule = self.verdict_rule
        order = (rule.outcomes.met, rule.outcomes.not_met, rule.outcomes.unknown)
        return [(o, rule.labels[o]) for o in order]

    def reported(self) -> tuple[CompiledCriterion, ...]:
        """The criteria."""
        return self.criteria

    def criterion(self, criterion_id: str) -> CompiledCriterion:
        """The compiled criterion with this id."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


@dataclass(frozen=True, eq=False, kw_only=True)
class GradedTypology(Typology):
    """A typology of ideal types, each an initiative belongs to by degree.

    The outcome is the dominant type, or ``indeterminate`` when none dominates whatever
    the unknown facts.
    """

    graded: Graded
    """Its indicators, types, axes and how to read the memberships."""

    def outcomes(self) -> list[tuple[str, Text]]:
        """Each type, then ``indeterminate``."""
        types = [(t.spec.id, t.spec.label) for t in self.graded.types]
        return [*types, ("indeterminate", self.graded.spec.indeterminate)]

    def reported(self) -> tuple[CompiledIndicator, ...]:
        """The indicators."""
        return self.graded.indicators


def run_one_by_one(
    graded: Graded | None, descriptors: tuple[CompiledDescriptor, ...]
) -> list[tuple[Compiled, bool]]:
    """The expressions every classify evaluates one by one, and whether each is an atom.

    A crisp typology's criteria are one generated function already (`generate`).
    """
    conditions = [d for descriptor in descriptors for _, d in descriptor.cases]
    values = [d.value for d in descriptors if d.value is not None]
    for indicator in graded.indicators if graded is not None else ():
        if indicator.condition is not None:
            conditions.append(indicator.condition)
        if indicator.value is not None:
            values.append(indicator.value)
    atoms = [(a.native, True) for node in conditions for a in node.expressions()]
    return atoms + [(v.native, False) for v in values]


def against(typology: Typology) -> set[str]:
    """The criteria that weigh against the positive outcome when met (the exclusions).

    A criterion under an odd number of ``not`` in the verdict condition is one an
    applicant should *not* meet: "not met" on an exclusion is not a failure.
    """
    found: set[str] = set()

    def walk(node: VerdictTree, negated: bool) -> None:
        if node.criterion is not None and negated:
            found.add(node.criterion)
        for child in node.children:
            walk(child, negated != (node.op == "not"))

    if isinstance(typology, CrispTypology):
        walk(typology.verdict, negated=False)
    return found
