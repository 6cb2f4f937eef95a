"""Run the examples written inside a rule file, as OpenFisca runs its YAML tests.

Each criterion may carry examples (a sentence naming the case, an input fragment and the
status it must give); the verdict may carry whole-initiative examples with the outcome
they must give. They document the rule for readers and test it for authors:
``poletype test RULEFILE`` runs them, and so does the test suite for shipped files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from poletype._compiler import Typology, compile_typology
from poletype._derive import derive
from poletype._evaluator import condition_value, describe, evaluate
from poletype._fuzzy import is_point, status
from poletype._interpreter import Root
from poletype._loader import resolve_parameters
from poletype._logic import status_of
from poletype.errors import RuleFileError
from poletype.model import Initiative
from poletype.rulefile import Example


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


def with_parameters(typology: Typology, overrides: dict[str, Any]) -> Typology:
    """The same typology compiled with other parameter values."""
    if not overrides:
        return typology
    parameters = resolve_parameters(
        typology.spec, {**typology.parameters, **overrides}, typology.file
    )
    return compile_typology(
        typology.spec,
        file=typology.file,
        raw=None,
        parameters=parameters,
        source=typology.source,
    )


def _initiative(example: Example, typology: Typology, criterion: str | None) -> Initiative:
    try:
        initiative = Initiative.model_validate({"name": example.name, **example.input})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleFileError(
            f"example {example.name!r} has an invalid input at {where}: {first['msg']}",
            code="example-input",
            file=typology.file,
            criterion=criterion,
        ) from None
    return derive(initiative)[0]


def run_examples(typology: Typology) -> list[ExampleResult]:
    """Run every criterion and verdict example of a typology."""
    results: list[ExampleResult] = []
    for criterion in typology.criteria:
        for example in criterion.spec.examples:
            try:
                variant = with_parameters(typology, example.params)
                compiled = variant.criterion(criterion.id)
                value = condition_value(
                    compiled, _initiative(example, typology, criterion.id), variant.params_value
                )
                results.append(
                    ExampleResult(criterion.id, example.name, example.expect, status_of(value))
                )
            except RuleFileError as exc:
                results.append(ExampleResult(criterion.id, example.name, example.expect, None, exc))
    if typology.graded is not None:
        results += _indicator_examples(typology)
    results += _descriptor_examples(typology)
    verdict_examples = (
        typology.graded.spec.examples
        if typology.graded is not None
        else typology.spec.verdict.examples
        if typology.spec.verdict is not None
        else []
    )
    for example in verdict_examples:
        try:
            variant = with_parameters(typology, example.params)
            verdict = evaluate(variant, _initiative(example, typology, None))
            results.append(ExampleResult(None, example.name, example.expect, verdict.outcome))
        except RuleFileError as exc:
            results.append(ExampleResult(None, example.name, example.expect, None, exc))
    return results


def _indicator_examples(typology: Typology) -> list[ExampleResult]:
    """Indicator examples expect a status (met, not_met, unknown) or an exact degree."""
    from poletype._membership import indicator_degree  # noqa: PLC0415 - it imports us

    assert typology.graded is not None
    results: list[ExampleResult] = []
    for indicator in typology.graded.indicators:
        for example in indicator.spec.examples:
            try:
                variant = with_parameters(typology, example.params)
                assert variant.graded is not None
                root = Root(_initiative(example, typology, indicator.id), variant.params_value)
                degree, _ = indicator_degree(variant.graded.indicator(indicator.id), root)
                got: str | float = (
                    degree[0]
                    if isinstance(example.expect, float) and is_point(degree)
                    else status(degree)
                    if isinstance(example.expect, str)
                    else f"[{degree[0]:g}, {degree[1]:g}]"
                )
                results.append(ExampleResult(indicator.id, example.name, example.expect, got))
            except RuleFileError as exc:
                results.append(ExampleResult(indicator.id, example.name, example.expect, None, exc))
    return results


def _descriptor_examples(typology: Typology) -> list[ExampleResult]:
    """Descriptor examples expect a case value, or ``unknown`` when the facts leave it open."""
    results: list[ExampleResult] = []
    for descriptor in typology.descriptors:
        for example in descriptor.spec.examples:
            try:
                variant = with_parameters(typology, example.params)
                root = Root(_initiative(example, typology, descriptor.id), variant.params_value)
                found = next(d for d in describe(variant, root) or [] if d.id == descriptor.id)
                is_open = found.value is None and (found.possible or found.missing)
                got = "unknown" if is_open else found.value
                results.append(ExampleResult(descriptor.id, example.name, example.expect, got))
            except RuleFileError as exc:
                results.append(
                    ExampleResult(descriptor.id, example.name, example.expect, None, exc)
                )
    return results
