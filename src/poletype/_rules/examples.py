"""Run the examples written inside a rule file, as OpenFisca runs its YAML tests.

Each criterion may carry examples (a sentence naming the case, an input fragment and the
status it must give); the verdict may carry whole-initiative examples with the outcome
they must give. They document the rule for readers and test it for authors:
``poletype test RULEFILE`` runs them, and so does the test suite for shipped files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from pydantic import ValidationError

from poletype._engine.compiler import compile_typology
from poletype._engine.derive import derive
from poletype._engine.dispatch import evaluate
from poletype._engine.evaluator import condition_value, describe
from poletype._engine.fuzzy import is_point, status
from poletype._engine.interpreter import Root
from poletype._engine.logic import status_of
from poletype._engine.membership import indicator_degree
from poletype._engine.typology import CrispTypology, GradedTypology, Typology
from poletype._read.params import checked_values
from poletype._rules.parameters import resolve_parameters
from poletype.errors import PoletypeError, RuleFileError
from poletype.model import Initiative
from poletype.rulefile import Example

T = TypeVar("T", bound=Typology)


@dataclass(frozen=True)
class ExampleResult:
    """The outcome of one inline example."""

    criterion: str | None
    name: str
    expected: str | float
    got: str | float | None
    error: RuleFileError | None = None

    @property
    def passed(self) -> bool:
        """Whether the example gave what it expects."""
        return self.error is None and self.got == self.expected


def with_parameters(
    typology: T,
    overrides: Mapping[str, Any],
    *,
    error: type[PoletypeError] = RuleFileError,
) -> T:
    """The same typology compiled with other parameter values.

    ``error`` is the class of a bad value's error: `RuleFileError` for an example's
    ``params`` (the default), `UsageError` for the caller's.
    """
    values = checked_values(overrides, error=error, file=typology.file)
    if not values:
        return typology
    parameters = resolve_parameters(
        typology.spec, {**typology.parameters, **values}, typology.file, error=error
    )
    variant = compile_typology(
        typology.spec,
        file=typology.file,
        raw=None,
        parameters=parameters,
        source=typology.source,
    )
    assert isinstance(variant, type(typology))  # the same rule file: the same kind
    return variant


def _run(
    typology: T,
    owner: str | None,
    example: Example,
    read: Callable[[T, Initiative], str | float | None],
) -> ExampleResult:
    """One example: ``read`` gets the typology with the example's parameters and its input.

    The input is validated but not derived: a whole verdict derives it itself, and says so.
    """
    try:
        variant = with_parameters(typology, example.params)
        got = read(variant, _initiative(example, typology, owner))
    except RuleFileError as exc:
        return ExampleResult(owner, example.name, example.expect, None, exc)
    return ExampleResult(owner, example.name, example.expect, got)


def _initiative(example: Example, typology: Typology, criterion: str | None) -> Initiative:
    try:
        return Initiative.model_validate({"name": example.name, **example.input})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleFileError(
            f"example {example.name!r} has an invalid input at {where}: {first['msg']}",
            code="example-input",
            file=typology.file,
            criterion=criterion,
        ) from None


def _facts(variant: Typology, initiative: Initiative) -> Root:
    return Root(derive(initiative)[0], variant.params_value)


def run_examples(typology: Typology) -> list[ExampleResult]:
    """Run every criterion and verdict example of a typology."""
    results: list[ExampleResult] = []
    outcome_examples: list[Example] = []
    if isinstance(typology, CrispTypology):
        for criterion in typology.criteria:
            read = partial(_criterion_status, criterion.id)
            results += (_run(typology, criterion.id, e, read) for e in criterion.spec.examples)
        outcome_examples = typology.verdict_rule.examples
    if isinstance(typology, GradedTypology):
        for indicator in typology.graded.indicators:
            results += (
                _run(typology, indicator.id, e, partial(_degree, indicator.id, e.expect))
                for e in indicator.spec.examples
            )
        outcome_examples = typology.graded.spec.examples
    for descriptor in typology.descriptors:
        case = partial(_case, descriptor.id)
        results += (_run(typology, descriptor.id, e, case) for e in descriptor.spec.examples)
    results += (_run(typology, None, e, _outcome) for e in outcome_examples)
    return results


def _criterion_status(cid: str, variant: CrispTypology, initiative: Initiative) -> str:
    return status_of(
        condition_value(variant.criterion(cid), derive(initiative)[0], variant.params_value)
    )


def _degree(
    iid: str, expect: str | float, variant: GradedTypology, initiative: Initiative
) -> str | float:
    """A status (met, not_met, unknown) or an exact degree, as the example expects."""
    degree, _ = indicator_degree(variant.graded.indicator(iid), _facts(variant, initiative))
    if isinstance(expect, float) and is_point(degree):
        return degree[0]
    if isinstance(expect, str):
        return status(degree)
    return f"[{degree[0]:g}, {degree[1]:g}]"


def _case(did: str, variant: Typology, initiative: Initiative) -> str | None:
    """A case value, or ``unknown`` when the facts leave it open."""
    found = next(d for d in describe(variant, _facts(variant, initiative)) or [] if d.id == did)
    is_open = found.value is None and (found.possible or found.missing)
    return "unknown" if is_open else found.value


def _outcome(variant: Typology, initiative: Initiative) -> str:
    return evaluate(variant, initiative).outcome
