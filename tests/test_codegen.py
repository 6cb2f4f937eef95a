"""The compiled backend computes exactly what the reference backend computes.

Differential tests of `poletype._engine.codegen` against `poletype._engine.interpreter`: every
expression of every shipped rule file, a hand-written corpus of the grammar's constructs,
and generated expressions over the model's fields, evaluated on generated initiatives with
unknowns. Each expression is checked three ways at once: its value (``UNKNOWN``, ``Maybe``
and ``Interval`` included, identical in type), its three-valued truth as an atom, and the
typology-level function of a one-atom typology; when one side refuses an evaluation
(division by zero) the other must refuse it too. The crisp typologies' generated functions
(``Generated.atoms``, ``decide``, ``run``) are checked against the interpreter backend atom
by atom on generated initiatives and on the benchmark's workload. Example counts are
bounded: the constructs are enumerated, the draws only vary the facts.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from benchmarks.workload import generate as workload
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from poletype import load_typology
from poletype._engine.codegen import (
    CompilerFallbackWarning,
    Generated,
    generate,
    together,
)
from poletype._engine.derive import derive, lists_view
from poletype._engine.evaluator import decide
from poletype._engine.expressions import Scope, compile_expression
from poletype._engine.interpreter import (
    UNKNOWN,
    Interval,
    Maybe,
    Root,
    evaluate_atom,
    interpret_atom,
    interpret_value,
)
from poletype._engine.justified import plan
from poletype._engine.paths import Partial
from poletype._engine.typology import (
    ConditionNode,
    CrispTypology,
    Expression,
    Typology,
    VerdictTree,
)
from poletype.errors import RuleFileError
from poletype.model import Initiative
from strategies import completion, initiatives
from test_interpreter import CORPUS

ROOT = Path(__file__).resolve().parents[1]

PARAMS: dict[str, Any] = {"n": 3, "share": 0.5, "kinds": ["ess_association", "ess_cooperative"]}
RUNTIME = {
    "n": Decimal(3),
    "share": Decimal("0.5"),
    "kinds": ("ess_association", "ess_cooperative"),
}

EXTRA = [
    'name =~ "^P"',
    'name =~~ "ô"',
    'name !~ "^Z"',
    'name + " (PTCE)" == "Pôle (PTCE)"',
    'country == "FR" and scale in ["local", "regional"]',
    "name.length > 3",
    "innovation.to_set.length >= 2",
    '"social" in innovation',
    "funding_levels.is_empty or funding_levels.length > 1",
    "jobs % 2 == 0",
    "jobs // 3 >= 1",
    "sites ** 2 < 10",
    "jobs / (sites - sites) > 1",
    "activities.social_utility_share == 0.5",
    "activities.social_utility_share * 100 >= 50",
    "[m.kind for m in members if m.founder] == []",
    "[m.local for m in members] > [true]",
    "[[n.kind for n in members if n.local].length for m in members if m.founder].length > 1",
    "[[k.kind for k in members].length for n in members].length > 1",
    "(strategy.shared ? members.length : jobs) > 2",
    "not (voluntary or evaluation)",
    "[m for m in members if m.kind in params.kinds and m.local].length >= params.n",
    'innovation[0] == "social"',
    "members[0:2].length == 2",
]

FALLBACK = ['innovation[0] == "social"', "members[0:2].length == 2", 'name.as_lower =~ "p"']


def _compile(text: str, *, boolean: bool = True) -> Expression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompilerFallbackWarning)
        return compile_expression(
            text, Scope("corpus", None, PARAMS), loc=(), criterion=None, boolean=boolean
        )


def _same(a: Any, b: Any) -> bool:
    """Equal in value and in kind: a Decimal is not an int, a tuple not a list."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Maybe):
        return _same(a.value, b.value)
    if isinstance(a, Interval):
        return a.lo == b.lo and a.hi == b.hi
    return bool(a is b or a == b)


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except RuleFileError as exc:
        return exc.code


def _both(expression: Expression, initiative: Initiative, params: dict[str, Any]) -> None:
    """Value and atom of the compiled backend equal the reference's."""
    initiative = lists_view(initiative)
    root = Root(initiative, params, "interpreter")
    expected = _outcome(lambda: interpret_value(expression, root))
    got = _outcome(lambda: expression.native.value(initiative, params))
    assert _same(got, expected), f"{expression.text!r}: compiled {got!r}, interpreter {expected!r}"
    if expression.tree.result_type.name == "BOOLEAN":
        truth = _outcome(lambda: interpret_atom(expression, root))
        atom = _outcome(lambda: expression.native.atom(initiative, params))
        assert atom is truth or atom == truth == "evaluation-error", expression.text


def _all_three(expression: Expression, initiative: Initiative) -> None:
    """Value, atom, and the one-atom typology's generated function (booleans only)."""
    _both(expression, initiative, RUNTIME)
    if expression.tree.result_type.name == "BOOLEAN":
        _check_single(expression, initiative)


def _expressions(obj: Any, seen: set[int] | None = None) -> list[Expression]:
    """Every expression reachable from a compiled typology."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, Expression):
        return [obj]
    found: list[Expression] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in ("spec", "source", "file"):
                found += _expressions(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for value in obj.values():
            found += _expressions(value, seen)
    elif isinstance(obj, tuple | list):
        for value in obj:
            found += _expressions(value, seen)
    return found


SHIPPED = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))


SHIPPED = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))


@pytest.mark.parametrize("typology_id", SHIPPED)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_shipped_expression_agrees(typology_id: str, data: st.DataObject) -> None:
    """On partial and completed initiatives, both backends give the same value."""
    typology = load_typology(typology_id)
    expressions = _expressions(typology)
    assert len(expressions) > 5
    partial = data.draw(initiatives())
    for initiative in (partial, data.draw(completion(partial))):
        for expression in expressions:
            _both(expression, initiative, typology.params_value)


@functools.cache
def _together(typology_id: str) -> list[tuple[tuple[Any, ...], Any]]:
    """Each sentence of the typology with several placeholders, and its `together`."""
    groups = [
        sentences.compiled
        for item in plan(load_typology(typology_id)).items
        for sentences in item.sentences.values()
        if len(sentences.compiled) > 1
    ]
    return [(group, together(group)) for group in groups]


@pytest.mark.parametrize("typology_id", SHIPPED)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_sentences_values_together_are_each_ones(typology_id: str, data: st.DataObject) -> None:
    """`together` gives each placeholder's own value, or None where one would not decide.

    Every sentence of the typology with several placeholders, on partial (format 1.1
    lists included) and completed initiatives; None only where an expression's own
    function hands it to the reference (a partial list) or fails.
    """
    typology = load_typology(typology_id)
    written = _together(typology_id)
    for group, function in written:
        # Not written only when one of its expressions is the reference's alone.
        assert function is not None or any(e.source(atom=False) is None for e in group)
    assert any(function is not None for _, function in written)
    params = typology.params_value
    partial = data.draw(initiatives())
    for drawn in (partial, data.draw(completion(partial))):
        initiative = lists_view(drawn)
        lists_partial = any(type(v) is Partial for v in (initiative.members, initiative.partners))
        for group, function in written:
            if function is None:
                continue
            got = function(initiative, params)
            each = [_outcome(lambda e=e, i=initiative: e.value(i, params)) for e in group]
            if got is None:
                assert lists_partial or "evaluation-error" in each
                continue
            for mine, theirs in zip(got, each, strict=True):
                assert _same(mine, theirs)


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


CORPUS_EXPRESSIONS = [_compile(t) for t in dict.fromkeys([*CORPUS, *EXTRA, *MORE])]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_corpus_agrees(data: st.DataObject) -> None:
    """Comparisons, containment, comprehensions and their consumers, lengths, arithmetic,
    regular expressions, filters unknown for some elements, nested comprehensions.

    Every expression of the corpus on each drawn initiative and a completion of it:
    drawing an initiative costs some fifty times more than evaluating one expression,
    so the corpus shares the draws (each expression sees 40 pairs, not 12 of its own).
    """
    partial = data.draw(initiatives())
    known = data.draw(completion(partial))
    for expression in CORPUS_EXPRESSIONS:
        _all_three(expression, partial)
        _all_three(expression, known)


NUMBERS = [
    "jobs",
    "sites",
    "founded",
    "insertion_jobs",
    "members.length",
    "[m for m in members if m.local].length",
    "[m for m in members if m.founder and m.kind in params.kinds].length",
    "activities.social_utility_share",
    "resources.market",
    "params.n",
    "params.share",
    "[m.kind for m in members].to_set.length",
    "innovation.length",
]
BOOLEANS = [
    "voluntary",
    "evaluation",
    "strategy.shared",
    "members.is_empty",
    "governance.democratic",
    '(scale == "local")',
    '("sme" in [m.kind for m in members])',
    '(true in [m.local for m in members if m.kind == "sme"])',
    '("social" in innovation)',
]


def _number(depth: int) -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(["0", "1", "2", "0.5", "10"]))
    if depth == 0:
        return base
    number, boolean = _number(depth - 1), _boolean(depth - 1)
    return st.one_of(
        base,
        st.tuples(number, st.sampled_from(["+", "-", "*", "/"]), number).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(boolean, number, number).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        number.map(lambda n: f"-{n}"),
    )


def _boolean(depth: int) -> st.SearchStrategy[str]:
    base = st.sampled_from(BOOLEANS)
    if depth == 0:
        return base
    number, boolean = _number(depth - 1), _boolean(depth - 1)
    return st.one_of(
        base,
        st.tuples(number, st.sampled_from([">", ">=", "<", "<=", "==", "!="]), number).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(boolean, st.sampled_from(["and", "or"]), boolean).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        boolean.map(lambda b: f"(not {b})"),
        st.tuples(boolean, boolean).map(lambda t: f"({t[0]} == {t[1]})"),
        boolean.map(lambda b: f"(true in [{b} for v{depth} in members])"),
    )


def _expression_text() -> st.SearchStrategy[str]:
    return _boolean(3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_expression_text(), data=st.data())
def test_generated_expressions_agree(text: str, data: st.DataObject) -> None:
    """Random nestings of logic, comparisons, arithmetic, ternaries and comprehensions.

    Both backends share the load step, so an expression whose constants cannot be folded
    (`1 / 0`) is refused there, once, with `evaluation-error`.
    """
    try:
        expression = _compile(text)
    except RuleFileError as error:
        if error.code != "evaluation-error":
            raise
        reject()
    # Nested comprehensions cost the reference evaluator the cube of the members: a
    # stated count of 60 would make one draw take seconds, and prove no more than 12.
    partial = data.draw(initiatives().filter(lambda i: (i.member_count or 0) <= 12))
    _all_three(expression, partial)
    _all_three(expression, data.draw(completion(partial)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_number(2), data=st.data())
def test_generated_numbers_agree(text: str, data: st.DataObject) -> None:
    """Numeric expressions as values: counts, intervals, ternaries, arithmetic."""
    try:
        expression = _compile(text, boolean=False)
    except RuleFileError as error:
        if error.code != "evaluation-error":
            raise
        reject()
    partial = data.draw(initiatives())
    _both(expression, partial, RUNTIME)
    _both(expression, data.draw(completion(partial)), RUNTIME)


SETS = [
    "[m.kind for m in members].to_set",
    "[m.local for m in members].to_set",
    "[p.kind for p in partners].to_set",
    "[m.kind for m in members if m.local].to_set",
]
"""Sets that sentences show ("les types présents sont : …"): the unfiltered ones are
written by the compiled backend, the filtered one is handed to the reference."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sets_shown_in_sentences_agree(data: st.DataObject) -> None:
    """The same set, or unknown, on partial lists, unknown kinds and completed initiatives."""
    expressions = [_compile(text, boolean=False) for text in SETS]
    partial = data.draw(initiatives())
    for initiative in (partial, data.draw(completion(partial))):
        for expression in expressions:
            _both(expression, initiative, RUNTIME)
    written = [e.native._value.__name__ == "f" for e in expressions]  # type: ignore[union-attr]
    assert written == [True, True, True, False]


def test_numbers_follow_decimal_semantics() -> None:
    """A share read as a float equals the decimal literal, as in rule-engine."""
    expression = _compile("activities.social_utility_share == 0.1")
    initiative = Initiative.model_validate(
        {"name": "P", "activities": {"social_utility_share": 0.1}}
    )
    assert expression.native.atom(initiative, RUNTIME) is True
    value = _compile("jobs / 3", boolean=False).native.value(Initiative(name="P", jobs=1), RUNTIME)
    assert value == Decimal(1) / Decimal(3)
    assert isinstance(value, Decimal)


def test_a_boolean_is_not_a_number() -> None:
    """Type-strict equality: true never equals 1."""
    expression = _compile("(strategy.shared ? 1 : 0) == 1 and voluntary != 1")
    initiative = Initiative.model_validate(
        {"name": "P", "strategy": {"shared": True}, "voluntary": True}
    )
    assert expression.native.atom(initiative, RUNTIME) is True
    assert _compile("voluntary == 1").native.atom(initiative, RUNTIME) is False


def test_division_by_zero_is_an_evaluation_error() -> None:
    """Both backends refuse it with the same code; an unknown operand is just unknown."""
    expression = _compile("jobs / (sites - sites) > 1")
    with pytest.raises(RuleFileError) as caught:
        expression.native.atom(Initiative(name="P", jobs=3, sites=2), RUNTIME)
    assert caught.value.code == "evaluation-error"
    assert expression.native.atom(Initiative(name="P", jobs=3), RUNTIME) is None


@pytest.mark.parametrize("text", FALLBACK)
def test_unhandled_constructs_fall_back_once_with_a_warning(text: str) -> None:
    """Item access, slices and other built-in attributes go to rule-engine, said once."""
    scope = Scope("fallback", None, PARAMS)
    with pytest.warns(CompilerFallbackWarning, match="rule-engine"):
        expression = compile_expression(text + " ", scope, loc=(), criterion=None)
    assert expression.native.delegated
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompilerFallbackWarning)
        compile_expression(text + " ", scope, loc=(), criterion=None)
    initiative = Initiative.model_validate(
        {"name": "Pôle", "innovation": ["social"], "members": [{"name": "A"}, {"name": "B"}]}
    )
    _both(expression, initiative, RUNTIME)
    assert expression.native.atom(initiative, RUNTIME) is True
    _both(expression, Initiative(name="P"), RUNTIME)


def test_shipped_rule_files_need_no_fallback() -> None:
    """No shipped expression uses a construct rule-engine must evaluate node by node."""
    for typology_id in SHIPPED:
        for expression in _expressions(load_typology(typology_id)):
            assert expression.native.delegated == (), expression.text


def test_unknown_member_attributes_give_intervals_like_the_interpreter() -> None:
    """Two local members of four, two unknown: the count lies in [2, 4]."""
    expression = _compile("[m for m in members if m.local].length", boolean=False)
    initiative = Initiative.model_validate(
        {
            "name": "P",
            "members": [
                {"name": "A", "local": True},
                {"name": "B", "local": True},
                {"name": "C"},
                {"name": "D", "local": False},
                {"name": "E"},
            ],
        }
    )
    value = expression.native.value(initiative, RUNTIME)
    assert value == Interval(Decimal(2), Decimal(4))
    assert _compile("members.length > 5").native.atom(initiative, RUNTIME) is False
    assert value is not UNKNOWN


def test_a_nested_comprehension_may_not_reuse_its_variable() -> None:
    """rule-engine would read the outer variable; the rule file is refused instead."""
    with pytest.raises(RuleFileError) as caught:
        _compile("true in [true in [m.local for m in members] for m in members]")
    assert caught.value.code == "forbidden-name"
    assert "already bound" in caught.value.message


@pytest.mark.parametrize("text", ["jobs > 1 / 0", "jobs > 0 / 0", "jobs > 2 % 0"])
def test_constant_arithmetic_errors_are_refused_at_load(text: str) -> None:
    """Folding `1 / 0` fails when the file loads, named as arithmetic, not a type mismatch."""
    with pytest.raises(RuleFileError) as caught:
        _compile(text)
    assert caught.value.code == "evaluation-error"
    assert "type mismatch" not in str(caught.value)


CRISP = [
    t
    for t in sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))
    if isinstance(load_typology(t), CrispTypology)
]


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
    # The generated function decides the conditions; unknown_when is applied after it,
    # by the evaluator, for both backends alike.
    decided_here = decide(typology, initiative, backend="compiled")
    assert decided_here == decided
    statuses, outcome = generated.decide(initiative, params)
    if not any(c.unknown_when is not None for c in typology.criteria):
        assert (statuses, outcome) == decided
        assert generated.run(initiative, params) == (atoms, *decided)


def test_every_shipped_crisp_typology_is_tested() -> None:
    """The differential test below covers the four crisp typologies shipped."""
    assert len(CRISP) >= 4
    assert "labo-ess-ptce" in CRISP


@pytest.mark.parametrize("typology_id", CRISP)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    for initiative in workload(60, unknown=0.2) + workload(20, seed=3, unknown=0.0):
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
    initiative = lists_view(initiative)
    generated = _single(expression)
    expected = _outcome(lambda: evaluate_atom(expression, Root(initiative, RUNTIME, "interpreter")))
    got = _outcome(lambda: generated.atoms(initiative, RUNTIME)[0])
    assert got is expected or got == expected == "evaluation-error", expression.text
    if not isinstance(expected, str):
        assert generated.run(initiative, RUNTIME) == ((expected,), {"c": expected}, expected)


def _counting(typology: Typology) -> tuple[Generated, list[int]]:
    """The typology's functions regenerated with atom functions that count their calls."""
    calls = [0] * len(typology.atoms)

    def counted(n: int, own: Callable[[Any, dict[str, Any]], Any]) -> Any:
        def call(initiative: Any, params: dict[str, Any]) -> Any:
            calls[n] += 1
            return own(initiative, params)

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

    An atom the typology's function cannot decide calls its own function (``F[n]``),
    which may hand it to the reference: slow.
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
    """The Labo atoms over members are decided in the typology's function itself."""
    typology = load_typology("labo-ess-ptce")
    assert typology.generated is not None
    source = typology.generated.source.split("def decide")[0]
    texts = [a.atom.text for a in typology.atoms if a.atom]
    assert set(texts) >= LABO_MEMBER_ATOMS
    lines = source.splitlines()
    for n, text in enumerate(texts):
        if text in LABO_MEMBER_ATOMS and "/" not in text:
            # Only a partial list (format 1.1) is handed to the reference.
            handed = [k for k, line in enumerate(lines) if f"F[{n}]" in line]
            assert handed, text
            assert all("is _Partial" in lines[k - 1] for k in handed), text


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
    expression = _compile(text)
    reference = evaluate_atom(expression, Root(FOUR, RUNTIME, "interpreter"))
    assert reference is expected
    assert _single(expression).atoms(FOUR, RUNTIME) == (expected,)
