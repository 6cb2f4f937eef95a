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
from poletype._evaluator import condition_value, evaluate
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
    expected: str
    got: str | None
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
    for example in typology.spec.verdict.examples:
        try:
            variant = with_parameters(typology, example.params)
            verdict = evaluate(variant, _initiative(example, typology, None))
            results.append(ExampleResult(None, example.name, example.expect, verdict.outcome))
        except RuleFileError as exc:
            results.append(ExampleResult(None, example.name, example.expect, None, exc))
    return results
