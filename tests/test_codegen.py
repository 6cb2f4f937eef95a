"""The generated functions compute exactly what the reference backend computes.

``Generated.atoms``, ``decide`` and ``run`` are checked against the interpreter backend
atom by atom, criterion by criterion, on generated initiatives with unknowns, for every
shipped crisp typology and for single-atom typologies built from the expression corpora
of the closure tests. A separate test counts the calls to the closures the generated code
falls back on: on the benchmark's workload with unknowns, the three-valued code must
decide every atom itself, which is what makes it fast.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from poletype import load_typology
from poletype._closures import CompilerFallbackWarning
from poletype._codegen import Generated, generate
from poletype._compiler import ConditionNode, Expression, Typology, VerdictTree
from poletype._derive import derive
from poletype._evaluator import decide
from poletype._interpreter import Root, evaluate_atom
from poletype.errors import RuleFileError
from poletype.model import Initiative
from strategies import completion, initiatives
from test_closures import EXTRA, RUNTIME, _compile, _expression_text
from test_interpreter import CORPUS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.workload import generate as workload  # noqa: E402

CRISP = [
    t
    for t in sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))
    if load_typology(t).generated is not None
]


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except RuleFileError as exc:
        return exc.code


def _reference(typology: Typology, initiative: Initiative) -> tuple[Any, Any]:
    """Each atom's value, and the statuses and verdict value, from the interpreter."""
    if typology.reads_derived:
        initiative, _ = derive(initiative)
    root = Root(initiative, typology.params_value, "interpreter")
    atoms = tuple(_outcome(lambda n=n: evaluate_atom(n.atom, root)) for n in typology.atoms)
    return atoms, _outcome(lambda: decide(typology, initiative, backend="interpreter"))


def _check(typology: Typology, initiative: Initiative) -> None:
    generated = typology.generated
    assert generated is not None
    atoms, decided = _reference(typology, initiative)
    if typology.reads_derived:
        initiative, _ = derive(initiative)
    params = typology.params_value
    got_atoms = _outcome(lambda: generated.atoms(initiative, params))
    if any(isinstance(a, str) for a in atoms):
        assert got_atoms == "evaluation-error"
        assert _outcome(lambda: generated.run(initiative, params)) == "evaluation-error"
        return
    assert got_atoms == atoms
    assert all(a is b for a, b in zip(got_atoms, atoms, strict=True))  # bool is not 1
    assert generated.decide(initiative, params) == decided
    assert generated.run(initiative, params) == (atoms, *decided)


def test_every_shipped_crisp_typology_is_tested() -> None:
    """The differential test below covers the four crisp typologies shipped."""
    assert len(CRISP) >= 4
    assert "labo-ess-ptce" in CRISP


@pytest.mark.parametrize("typology_id", CRISP)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_functions_agree_with_the_interpreter(
    typology_id: str, data: st.DataObject
) -> None:
    """Atoms, statuses and verdict, on a partial initiative and on a completion of it."""
    typology = load_typology(typology_id)
    partial = data.draw(initiatives())
    _check(typology, partial)
    _check(typology, data.draw(completion(partial)))


@pytest.mark.parametrize("typology_id", CRISP)
def test_generated_functions_agree_on_the_benchmark_workload(typology_id: str) -> None:
    """The workload's member lists are longer and more varied than Hypothesis draws."""
    typology = load_typology(typology_id)
    for initiative in workload(150, unknown=0.2) + workload(50, seed=3, unknown=0.0):
        _check(typology, initiative)


def _single(expression: Expression) -> Generated:
    """A one-atom typology's generated functions: the atom is its criterion and verdict."""
    atom = ConditionNode("atom", atom=expression)
    return generate(
        [(expression.tree, expression.native.atom)],
        [("c", atom)],
        VerdictTree("criterion", criterion="c"),
    )


def _check_single(expression: Expression, initiative: Initiative) -> None:
    generated = _single(expression)
    expected = _outcome(lambda: evaluate_atom(expression, Root(initiative, RUNTIME, "interpreter")))
    got = _outcome(lambda: generated.atoms(initiative, RUNTIME)[0])
    assert got is expected or got == expected == "evaluation-error", expression.text
    if not isinstance(expected, str):
        assert generated.run(initiative, RUNTIME) == ((expected,), {"c": expected}, expected)


def _compile_quietly(text: str) -> Expression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompilerFallbackWarning)
        return _compile(text)


@pytest.mark.parametrize("text", [*CORPUS, *EXTRA])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_corpus_atoms_agree(text: str, data: st.DataObject) -> None:
    """Every construct of the grammar, generated as one atom."""
    expression = _compile_quietly(text)
    partial = data.draw(initiatives())
    _check_single(expression, partial)
    _check_single(expression, data.draw(completion(partial)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_expression_text(), data=st.data())
def test_generated_expression_atoms_agree(text: str, data: st.DataObject) -> None:
    """Random nestings of logic, comparisons, arithmetic, ternaries and comprehensions."""
    try:
        expression = _compile_quietly(text)
    except RuleFileError as error:
        if error.code != "evaluation-error":
            raise
        reject()
    partial = data.draw(initiatives())
    _check_single(expression, partial)
    _check_single(expression, data.draw(completion(partial)))


MORE = [
    '"sme" in [m.kind for m in members if m.local]',
    "jobs in [m.kind.length for m in members if m.founder]",
    '"x" in [(m.local ? m.kind : "x") for m in members]',
    "[m.kind for m in members if m.founder].is_empty",
    "[m for m in members if m.founder].is_empty",
    "members.is_empty or [m for m in members if not m.local].length <= 1",
    "[m.kind for m in members if m.local].to_set.length == 2",
    "[[n for n in members if n.local].length for m in members].to_set.length < 2",
    "true in [[n for n in members if n.founder].length > 1 for m in members if m.local]",
    "[m for m in members if m.local].length - 1 > 2",
    '[m for m in members if m.local].length != members.length or name == "P"',
    "(strategy.shared ? jobs : sites) / (sites - 2) > 1",
    "(voluntary ? 1 : 0) == 1 and not (evaluation == true)",
    '"social" in innovation and not ("technological" in innovation)',
    "funding_levels.to_set.length >= 2",
    "name + activities.primary_function == name",
]


@pytest.mark.parametrize("text", MORE)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_comprehension_consumers_agree(text: str, data: st.DataObject) -> None:
    """Filters unknown for some elements, nested comprehensions, intervals, arithmetic."""
    expression = _compile_quietly(text)
    partial = data.draw(initiatives())
    _check_single(expression, partial)
    _check_single(expression, data.draw(completion(partial)))


def _counting(typology: Typology) -> tuple[Generated, list[int]]:
    """The typology's functions regenerated with closures that count their calls."""
    calls = [0] * len(typology.atoms)

    def counted(n: int, closure: Callable[[Any, dict[str, Any]], Any]) -> Any:
        def call(initiative: Any, params: dict[str, Any]) -> Any:
            calls[n] += 1
            return closure(initiative, params)

        return call

    assert typology.verdict is not None
    generated = generate(
        [
            (a.atom.tree, counted(n, a.atom.native.atom))
            for n, a in enumerate(typology.atoms)
            if a.atom
        ],
        [(c.id, c.condition) for c in typology.criteria],
        typology.verdict,
    )
    return generated, calls


LABO_MEMBER_ATOMS = {
    "true in [m.kind in params.ess_kinds for m in members]",
    "true in [m.kind in params.partner_kinds for m in members]",
    "[m.kind for m in members].to_set.length >= params.min_kinds",
    "[m for m in members if m.local].length > members.length / 2",
    'true in [m.kind == "local_authority" for m in members]',
}


@pytest.mark.parametrize("typology_id", CRISP)
def test_no_atom_falls_back_on_the_workload_with_unknowns(typology_id: str) -> None:
    """Unknown facts and unknown member attributes are decided by the generated code.

    Before three-valued comprehensions, every Labo atom reading a member attribute went
    to its closure as soon as one member's attribute was unknown.
    """
    typology = load_typology(typology_id)
    generated, calls = _counting(typology)
    initiatives = workload(300, unknown=0.2)
    unknown_members = sum(
        1 for i in initiatives for m in i.members or [] if m.kind is None or m.local is None
    )
    assert unknown_members > 100  # the workload does exercise the unknown paths
    for initiative in initiatives:
        generated.decide(
            derive(initiative)[0] if typology.reads_derived else initiative, typology.params_value
        )
    assert calls == [0] * len(calls)


def test_labo_member_atoms_are_three_valued() -> None:
    """The Labo atoms over members have no two-valued attempt (``_absent``) any more."""
    typology = load_typology("labo-ess-ptce")
    assert typology.generated is not None
    source = typology.generated.source.split("def decide")[0]
    texts = [a.atom.text for a in typology.atoms if a.atom]
    assert set(texts) >= LABO_MEMBER_ATOMS
    assert "_absent" not in source
    assert "_given" not in source
    for n, text in enumerate(texts):
        if text in LABO_MEMBER_ATOMS and "/" not in text:
            assert f"F[{n}]" not in source, text


FOUR = Initiative.model_validate(
    {
        "name": "P",
        "members": [
            {"name": "A", "local": True, "kind": "ess_association"},
            {"name": "B", "kind": "sme"},
            {"name": "C", "local": False, "kind": "chamber"},
            {"name": "D", "local": True, "kind": "local_authority"},
        ],
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"sme" in [m.kind for m in members if m.local]', None),
        ('"chamber" in [m.kind for m in members if m.local]', False),
        ('"local_authority" in [m.kind for m in members if m.local]', True),
        ("[m for m in members if m.local].length > 2", None),
        ("[m for m in members if m.local].length >= 2", True),
        ("3 < [m for m in members if m.local].length", False),
        ("[m for m in members if m.local].length == 3", None),
        ("[m.kind for m in members if m.local].to_set.length >= 3", None),
        ("[m.kind for m in members if m.local].to_set.length < 2", False),
        ("[m for m in members if m.local].is_empty", False),
        ("[m for m in members if m.local and m.founder].is_empty", None),
    ],
)
def test_elements_the_filter_may_keep(text: str, expected: bool | None) -> None:
    """Member B's ``local`` is unknown: it may or may not be in each filtered array."""
    expression = _compile_quietly(text)
    reference = evaluate_atom(expression, Root(FOUR, RUNTIME, "interpreter"))
    assert reference is expected
    assert _single(expression).atoms(FOUR, RUNTIME) == (expected,)
    assert "_absent" not in _single(expression).source
