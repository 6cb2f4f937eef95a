"""One entry to the engine: a crisp typology to the evaluator, a graded one to membership.

Its own module so that `membership`, which builds on the evaluator's pieces, and the
evaluator need not import each other.
"""

from __future__ import annotations

from poletype._engine.derive import derive
from poletype._engine.evaluator import evaluate_crisp
from poletype._engine.interpreter import Backend
from poletype._engine.membership import evaluate_graded
from poletype._engine.typology import CrispTypology, GradedTypology, Typology
from poletype.model import Initiative
from poletype.verdict import Verdict


def evaluate(
    typology: Typology, initiative: Initiative, *, backend: Backend = "compiled"
) -> Verdict:
    """Classify one validated initiative under one compiled typology, by its kind."""
    initiative, derived = derive(initiative)
    if isinstance(typology, CrispTypology):
        return evaluate_crisp(typology, initiative, derived, backend)
    if isinstance(typology, GradedTypology):
        return evaluate_graded(typology, initiative, derived, backend)
    raise TypeError(f"{type(typology).__name__} is neither a crisp nor a graded typology")
