"""The benchmark suite measures what it claims: a fair yardstick and a fixed workload.

The hand-written Labo de l'ESS function is only a yardstick if it decides exactly what
the rule file decides, unknowns included; it is checked here against the interpreter
backend (the reference) on generated initiatives, on every example of the rule file and
on every shipped example. The workload must be the same on every run and every machine,
or two tables could not be compared. No timing is tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.handwritten_labo import labo
from benchmarks.workload import SEED, documents, generate
from hypothesis import given, settings
from pydantic import BaseModel

from conftest import example_files
from poletype import load_typology, read_initiative
from poletype._engine.evaluator import decide
from poletype.model import Initiative
from strategies import initiatives

TYPOLOGY = load_typology("labo-ess-ptce")
STATUS = {"met": True, "not_met": False, "unknown": None}
OUTCOME = {"ptce": True, "not_ptce": False, "indeterminate": None}


def _reference(initiative: Initiative, params: dict[str, Any] | None = None) -> Any:
    typology = load_typology("labo-ess-ptce", params) if params else TYPOLOGY
    return decide(typology, initiative, backend="interpreter")


def _handwritten(initiative: Initiative, params: dict[str, Any] | None = None) -> Any:
    typology = load_typology("labo-ess-ptce", params) if params else TYPOLOGY
    return labo(initiative, typology.params_value)


GENERATED = generate(20, unknown=0.0) + generate(30, seed=7, unknown=0.3)


@pytest.mark.parametrize("initiative", GENERATED, ids=lambda i: i.id)
def test_handwritten_agrees_with_the_interpreter_on_generated_initiatives(
    initiative: Initiative,
) -> None:
    """Same statuses and verdict condition, fully known or with holes."""
    assert _handwritten(initiative) == _reference(initiative)


@pytest.mark.parametrize(
    "params",
    [
        {"min_organisations": 10, "min_kinds": 4, "min_jobs": 7.5},
        {"social_utility_majority": 0.1},
        {"social_utility_majority": 0.3, "ess_kinds": [], "partner_kinds": ["sme"]},
    ],
)
def test_handwritten_agrees_under_other_parameters(params: dict[str, Any]) -> None:
    """Parameters are read, not baked in; 0.1 and 0.3 are not exact binary fractions."""
    shares = [{"activities": {"social_utility_share": s}} for s in (0.1, 0.3, 0.30000000000000004)]
    cases = GENERATED[15:35] + [Initiative.model_validate({"name": "P", **d}) for d in shares]
    for initiative in cases:
        assert _handwritten(initiative, params) == _reference(initiative, params), initiative.name


def _criterion_examples() -> list[Any]:
    return [
        pytest.param(c.id, e, id=f"{c.id}: {e.name}")
        for c in TYPOLOGY.spec.criteria
        for e in c.examples
    ]


@pytest.mark.parametrize(("criterion", "example"), _criterion_examples())
def test_handwritten_gives_each_criterion_example_its_expected_status(
    criterion: str, example: Any
) -> None:
    """The rule file's own examples, parameters included, and the interpreter agrees."""
    initiative = Initiative.model_validate({"name": example.name, **example.input})
    statuses, _ = _handwritten(initiative, example.params)
    assert statuses[criterion] is STATUS[example.expect]
    assert (statuses, _) == _reference(initiative, example.params)


def test_handwritten_gives_each_verdict_example_its_expected_outcome() -> None:
    """Whole-initiative examples: ptce, not_ptce or indeterminate."""
    assert TYPOLOGY.spec.verdict is not None
    for example in TYPOLOGY.spec.verdict.examples:
        initiative = Initiative.model_validate({"name": example.name, **example.input})
        decision = _handwritten(initiative, example.params)
        assert decision[1] is OUTCOME[str(example.expect)], example.name
        assert decision == _reference(initiative, example.params), example.name


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_handwritten_agrees_on_shipped_examples(path: Any) -> None:
    """The case files users start from."""
    initiative = read_initiative(path)
    assert _handwritten(initiative) == _reference(initiative)


@settings(max_examples=40)
@given(initiatives())
def test_handwritten_agrees_on_any_initiative(initiative: Initiative) -> None:
    """Arbitrary initiatives, empty member lists and unknown kinds included."""
    assert _handwritten(initiative) == _reference(initiative)


def test_workload_is_deterministic() -> None:
    """Same arguments, same initiatives; another seed, other initiatives."""
    first = [i.model_dump() for i in generate(40, unknown=0.2)]
    assert first == [i.model_dump() for i in generate(40, unknown=0.2)]
    assert first != [i.model_dump() for i in generate(40, seed=SEED + 1, unknown=0.2)]


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every field of a document with its value, descending into objects and members."""
    if isinstance(value, BaseModel):
        value = {k: getattr(value, k) for k in type(value).model_fields}
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    if isinstance(value, list) and value and isinstance(value[0], BaseModel | dict):
        return [leaf for item in value for leaf in _leaves(item, path)]
    return [(path, value)]


def test_known_workload_states_every_fact() -> None:
    """Fully known means every field but the snapshots, at every depth, is stated.

    Format 1.1's list facts are left to their v1 reading: a given member list is whole.
    """
    lists = {".members_complete", ".member_count", ".partners", ".partners_complete"}
    for initiative in generate(60):
        absent = [
            p
            for p, v in _leaves(initiative)
            if v is None and p != ".snapshots" and p not in lists and not p.endswith(".count")
        ]
        assert absent == [], initiative.id


def test_partial_workload_is_the_known_one_with_holes() -> None:
    """Every stated value is the known workload's, and about a fifth of fields are absent."""
    known, partial = documents(300), documents(300, unknown=0.2)
    dropped = total = 0
    for full, holed in zip(known, partial, strict=True):
        assert holed["name"] == full["name"]
        for key, value in full.items():
            total += 1
            if key not in holed:
                dropped += 1
            elif not isinstance(value, dict | list):
                assert holed[key] == value
        assert len(holed.get("members", full["members"])) == len(full["members"])
    assert 0.17 < dropped / total < 0.23


def test_workload_varies_the_members() -> None:
    """Lists of 0 to 15 members, with the lengths in between drawn."""
    sizes = {len(i.members or []) for i in generate(500)}
    assert {0, 1, 15} <= sizes
    assert sizes <= set(range(16))
