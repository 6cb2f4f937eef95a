"""The compiled backend computes exactly what the reference backend computes.

Differential tests: every expression of every shipped rule file, a hand-written corpus of
the grammar's constructs, and a generated corpus of expressions over the model's fields,
evaluated by both backends on generated initiatives with unknowns. Values must be
identical in type and value (``UNKNOWN``, ``Maybe``, ``Interval`` included), and when one
backend refuses an evaluation (division by zero) the other must refuse it too.
"""

from __future__ import annotations

import dataclasses
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from poletype import load_typology
from poletype._closures import CompilerFallbackWarning
from poletype._compiler import Expression, _Scope, compile_expression
from poletype._interpreter import UNKNOWN, Interval, Maybe, Root, interpret_value
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
            text, _Scope("corpus", None, PARAMS), loc=(), criterion=None, boolean=boolean
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


def _both(expression: Expression, initiative: Initiative, params: dict[str, Any]) -> None:
    try:
        expected: Any = interpret_value(expression, Root(initiative, params, "interpreter"))
    except RuleFileError as exc:
        expected = exc.code
    try:
        got: Any = expression.native.value(initiative, params)
    except RuleFileError as exc:
        got = exc.code
    assert _same(got, expected), f"{expression.text!r}: compiled {got!r}, interpreter {expected!r}"


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


@pytest.mark.parametrize("typology_id", SHIPPED)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


CORPUS_EXPRESSIONS = [_compile(t) for t in [*CORPUS, *EXTRA]]


@pytest.mark.parametrize("expression", CORPUS_EXPRESSIONS, ids=lambda e: e.text)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_corpus_agrees(expression: Expression, data: st.DataObject) -> None:
    """Comparisons, containment, comprehensions, lengths, arithmetic, regular expressions."""
    partial = data.draw(initiatives())
    _both(expression, partial, RUNTIME)
    _both(expression, data.draw(completion(partial)), RUNTIME)


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_expression_text(), data=st.data())
def test_generated_expressions_agree(text: str, data: st.DataObject) -> None:
    """Random expressions over the model's fields: same value from both backends.

    Both backends share the load step, so an expression whose constants cannot be folded
    (`1 / 0`) is refused there, once, with `evaluation-error`.
    """
    try:
        expression = _compile(text)
    except RuleFileError as error:
        if error.code != "evaluation-error":
            raise
        reject()
    partial = data.draw(initiatives())
    _both(expression, partial, RUNTIME)
    _both(expression, data.draw(completion(partial)), RUNTIME)


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
    scope = _Scope("fallback", None, PARAMS)
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
    """Every shipped expression compiles to closures, without rule-engine's help."""
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
