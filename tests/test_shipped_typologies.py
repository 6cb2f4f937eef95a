"""Every shipped typology: its inline examples pass and cover the three states.

Typology-specific cases written apart from the rule files live in one module per
typology (``test_labo_ess_ptce.py``, ``test_matray_poisat.py``, ``test_slpi_ptce.py``,
``test_legal_screens.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from poletype import load_typology, typologies
from poletype._engine.fuzzy import status
from poletype._rules.examples import ExampleResult, run_examples

RESULTS: list[tuple[str, ExampleResult]] = [
    (t, r) for t in typologies() for r in run_examples(load_typology(t))
]


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
    items = [c.spec for c in typology.criteria]
    if typology.graded is not None:
        items += [i.spec for i in typology.graded.indicators]
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
