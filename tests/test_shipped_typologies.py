"""Every shipped typology: its inline examples pass and cover the three states.

Typology-specific cases written apart from the rule files live in one module per
typology (``test_labo_ess_ptce.py``, ``test_matray_poisat.py``, ``test_slpi_ptce.py``,
``test_legal_screens.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from poletype import (
    CrispTypology,
    GradedTypology,
    classify,
    load_typology,
    read_initiative,
    typologies,
)
from poletype._engine.fuzzy import status
from poletype._rules.examples import ExampleResult, run_examples

RESULTS: list[tuple[str, ExampleResult]] = [
    (t, r) for t in typologies() for r in run_examples(load_typology(t))
]

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("typology", "result"),
    RESULTS,
    ids=[f"{t}/{r.criterion or 'verdict'}: {r.name}" for t, r in RESULTS],
)
def test_inline_example(typology: str, result: ExampleResult) -> None:
    """Each example in a shipped rule file gives what it expects."""
    assert result.error is None, str(result.error)
    assert result.got == result.expected


def _statuses(examples: list[Any]) -> set[str]:
    return {
        e.expect if isinstance(e.expect, str) else status((e.expect, e.expect)) for e in examples
    }


@pytest.mark.parametrize("typology_id", typologies())
def test_every_criterion_and_indicator_is_exemplified_in_three_states(typology_id: str) -> None:
    """Met, not met and unknown, for each criterion or indicator of each typology."""
    typology = load_typology(typology_id)
    items = [x.spec for x in typology.reported()]
    assert items
    for item in items:
        assert _statuses(item.examples) >= {"met", "not_met", "unknown"}, item.id
    for descriptor in typology.descriptors:
        assert descriptor.spec.examples, descriptor.id


def test_the_shipped_typologies() -> None:
    """The typologies the library promises."""
    assert set(typologies()) >= {
        "labo-ess-ptce",
        "matray-poisat",
        "slpi-ptce",
        "loi-ess-2014-art9",
        "decret-2015-ptce",
        "geces-2021",
    }


@pytest.mark.parametrize("typology_id", typologies())
def test_the_class_says_which_kind(typology_id: str) -> None:
    """A typology's class says its kind, and its outcomes and rows follow from the kind."""
    typology = load_typology(typology_id)
    if typology.spec.graded is None:
        assert isinstance(typology, CrispTypology)
        assert not isinstance(typology, GradedTypology)
        names = typology.verdict_rule.outcomes
        assert [o for o, _ in typology.outcomes()] == [names.met, names.not_met, names.unknown]
        assert [x.id for x in typology.reported()] == [c.id for c in typology.spec.criteria]
    else:
        assert isinstance(typology, GradedTypology)
        assert not isinstance(typology, CrispTypology)
        types = [t.id for t in typology.spec.types]
        assert [o for o, _ in typology.outcomes()] == [*types, "indeterminate"]
        assert [x.id for x in typology.reported()] == [i.id for i in typology.spec.indicators]
    outcomes = {o for o, _ in typology.outcomes()}
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        assert classify(read_initiative(example), typology).outcome in outcomes, example.name
