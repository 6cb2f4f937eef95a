"""The three-valued interpreter agrees with rule-engine when facts are known, and is sound.

Two laws, over a corpus of expressions covering the grammar's constructs and over
generated initiatives:

- on a fully known initiative, the Kleene walker gives exactly rule-engine's value;
- on a partial initiative, whenever the walker decides (true or false), every completion
  of the unknown facts gives that same value under rule-engine.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_engine import errors as re_errors

from poletype._engine.derive import lists_view
from poletype._engine.expressions import Scope, compile_expression
from poletype._engine.interpreter import UNKNOWN, Interval, Maybe, Root, _ev, evaluate_atom, truth
from poletype._engine.typology import Expression
from poletype.model import Initiative
from strategies import completion, initiatives

PARAMS: dict[str, Any] = {"n": 3, "share": 0.5, "kinds": ["ess_association", "ess_cooperative"]}

CORPUS = [
    "activities.social_utility_share > params.share",
    "activities.social_utility_share >= 0.5 and strategy.shared",
    "strategy.shared or strategy.formalised",
    "not commitment.single_project",
    "commitment.long_term and not commitment.single_project",
    "members.length >= params.n",
    "members.length >= params.n and [m.kind for m in members].to_set.length >= 2",
    'true in [m.kind == "local_authority" for m in members]',
    "true in [m.kind in params.kinds for m in members]",
    '"local_authority" in [m.kind for m in members]',
    "[m for m in members if m.local].length > members.length / 2",
    "[m for m in members if m.local and m.founder].length >= 1",
    "[m.kind for m in members if m.local].length < 2",
    "pooling.resources.length > 0 or pooling.joint_investments.length > 0",
    '"premises" in pooling.resources',
    'activities.primary_function in ["observation", "resource_centre"]',
    'activities.primary_function == "production" or activities.functions.is_empty',
    "jobs >= 10",
    "jobs - insertion_jobs > 5",
    "jobs * 2 > sites + 3",
    "-jobs < -4",
    "(jobs > 3 ? strategy.shared : strategy.formalised)",
    "resources.market + resources.non_market > 0.6",
    "governance.legal_form =~ 'SCIC.*'",
    "[m.name for m in members if m.work_integration].length == 0",
    "place.shared_premises or place.activity_zone or place.formal_network",
    "members.is_empty",
    '[m for m in members if m.size == "large"].length != 1',
    # format 1.1: partners, and lists that may name only some of their entries
    'true in [p.kind == "local_authority" for p in partners]',
    "partners.length + members.length >= 4",
    "[p for p in partners if p.local].length * 2 >= members.length",
    "not partners.is_empty or members.length > 2",
    "[m.kind for m in members].to_set.length <= [p.kind for p in partners].to_set.length",
]


def _compile(text: str) -> Expression:
    scope = Scope("corpus", None, PARAMS)
    return compile_expression(text, scope, loc=(), criterion=None)


COMPILED = [_compile(text) for text in CORPUS]
RUNTIME_PARAMS = {"n": 3, "share": 0.5, "kinds": ("ess_association", "ess_cooperative")}


def _root(initiative: Initiative) -> Root:
    from decimal import Decimal

    params = {
        k: Decimal(str(v)) if isinstance(v, float | int) else v for k, v in RUNTIME_PARAMS.items()
    }
    return Root(lists_view(initiative), params, backend="interpreter")


def _rule_engine(expression: Expression, initiative: Initiative) -> bool | None:
    """rule-engine's own value, or None when it cannot evaluate (e.g. division by zero)."""
    try:
        return bool(expression.rule.evaluate(_root(initiative)))
    except (re_errors.EngineError, ArithmeticError):
        return None


def _walker(expression: Expression, initiative: Initiative) -> bool | None:
    """The walker's truth, or None when it refuses as rule-engine does."""
    try:
        return truth(_ev(expression.tree, _root(initiative), {}))
    except (re_errors.EngineError, ArithmeticError):
        return None


# Each law checks the whole corpus on every drawn initiative: drawing one costs far more
# than evaluating an expression, so the corpus shares the draws (each expression sees 60
# initiatives, not 20 of its own).


@settings(max_examples=60)
@given(data=st.data())
def test_walker_equals_rule_engine_on_known_facts(data: st.DataObject) -> None:
    """With every fact known, the walker gives rule-engine's value, or refuses when it does.

    A fully known initiative never leaves the walker undecided, so ``None`` on both sides
    means both refused (division by zero, a type mismatch).
    """
    partial = data.draw(initiatives())
    known = data.draw(completion(partial))
    for expression in COMPILED:
        assert _walker(expression, known) is _rule_engine(expression, known), expression.text


@settings(max_examples=60)
@given(data=st.data())
def test_decided_atoms_hold_for_every_completion(data: st.DataObject) -> None:
    """Soundness: a decided atom keeps its value whatever the unknown facts turn out to be."""
    partial = data.draw(initiatives())
    decided = {e: evaluate_atom(e, _root(partial)) for e in COMPILED}
    for _ in range(3):
        known = data.draw(completion(partial))
        for expression, value in decided.items():
            if value is None:
                continue
            found = _rule_engine(expression, known)
            if found is not None:
                assert found is value, expression.text


def test_unknown_inputs_make_an_atom_unknown() -> None:
    """An atom reading an absent fact is unknown."""
    expression = _compile("activities.social_utility_share > params.share")
    assert evaluate_atom(expression, _root(Initiative(name="P"))) is None


def test_known_failure_inside_an_atom_decides_it() -> None:
    """'a and b' is false when a is known false, whatever b is."""
    expression = _compile("activities.social_utility_share >= 0.5 and strategy.shared")
    initiative = Initiative.model_validate(
        {"name": "P", "activities": {"social_utility_share": 0.2}}
    )
    assert evaluate_atom(expression, _root(initiative)) is False


def test_one_known_member_decides_an_existential() -> None:
    """A known local authority among members of unknown kind is enough."""
    expression = _compile('true in [m.kind == "local_authority" for m in members]')
    initiative = Initiative.model_validate(
        {"name": "P", "members": [{"name": "A"}, {"name": "B", "kind": "local_authority"}]}
    )
    assert evaluate_atom(expression, _root(initiative)) is True
    initiative = Initiative.model_validate(
        {"name": "P", "members": [{"name": "A"}, {"name": "B", "kind": "sme"}]}
    )
    assert evaluate_atom(expression, _root(initiative)) is None


def test_interval_decides_a_majority() -> None:
    """Four of five members known local is a majority whatever the fifth is."""
    expression = _compile("[m for m in members if m.local].length > members.length / 2")
    members = [{"local": True}] * 4 + [{}]
    initiative = Initiative.model_validate({"name": "P", "members": members})
    assert evaluate_atom(expression, _root(initiative)) is True
    members = [{"local": True}] * 2 + [{}, {}, {"local": False}]
    initiative = Initiative.model_validate({"name": "P", "members": members})
    assert evaluate_atom(expression, _root(initiative)) is None


def test_uncertain_values_are_represented() -> None:
    """Comprehensions with unknown filters give Maybe elements and interval lengths."""
    expression = _compile("[m for m in members if m.local].length > 0")
    initiative = Initiative.model_validate({"name": "P", "members": [{"local": True}, {}]})
    comprehension = expression.tree.left.object
    value = _ev(comprehension, _root(initiative), {})
    assert isinstance(value[1], Maybe)
    assert isinstance(_ev(expression.tree.left, _root(initiative), {}), Interval)
    assert repr(UNKNOWN) == "UNKNOWN"


def test_distinct_count_is_an_interval_under_unknowns() -> None:
    """Three known distinct kinds and one unknown: between 3 and 4 distinct kinds."""
    expression = _compile("[m.kind for m in members].to_set.length >= 2")
    kinds = ["sme", "local_authority", "ess_association", None]
    initiative = Initiative.model_validate(
        {"name": "P", "members": [{"kind": k} if k else {} for k in kinds]}
    )
    assert evaluate_atom(expression, _root(initiative)) is True
    value = _ev(expression.tree.left, _root(initiative), {})
    assert value == Interval(3, 4)
    expression = _compile("[m.kind for m in members].to_set.length >= 5")
    assert evaluate_atom(expression, _root(initiative)) is False
