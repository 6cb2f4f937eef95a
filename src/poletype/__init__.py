"""poletype: classify social-economy cooperation clusters against published typologies.

The front door. Everything a user calls is re-exported here; the modules behind it are
private and may change.

>>> from poletype import classify
>>> classify({"name": "Pôle", "activities": {"social_utility_share": 0.5}}).outcome
'not_ptce'
"""

import importlib
import typing

import poletype._engine.syntax  # noqa: F401 - first: registers rule-engine's prebuilt parser tables
from poletype._analysis.hypotheses import HypothesesReport, check_hypotheses
from poletype._analysis.trajectory import Change, Trajectory, TrajectoryPoint
from poletype._api import read_initiative, trajectory
from poletype._engine.codegen import CompilerFallbackWarning
from poletype._engine.typology import Typology
from poletype._read.limits import Limits
from poletype._rules.classify import (
    check_typology,
    classify,
    classify_many,
    load_typology,
    typologies,
)
from poletype.errors import (
    CallerError,
    InitiativeError,
    PoletypeError,
    RuleFileError,
    SetupError,
    UsageError,
)
from poletype.model import Initiative, Member
from poletype.verdict import (
    AxisPosition,
    CriterionResult,
    Degree,
    Membership,
    Score,
    Source,
    Status,
    Verdict,
)

if typing.TYPE_CHECKING:
    from poletype._render.outputs import write_screening
    from poletype._screening.screen import (
        Finding,
        ScreenedRow,
        Screening,
        screen,
        screening_typologies,
    )
    from poletype._screening.tabular import Applicant, RowError, read_applicants
    from poletype._screening.template import write_template
    from poletype._screening.whatif import FIXED_FACTS, ChangeSet, FieldChange, what_it_would_take

_LAZY = {
    "Applicant": "poletype._screening.tabular",
    "ChangeSet": "poletype._screening.whatif",
    "FIXED_FACTS": "poletype._screening.whatif",
    "FieldChange": "poletype._screening.whatif",
    "Finding": "poletype._screening.screen",
    "RowError": "poletype._screening.tabular",
    "ScreenedRow": "poletype._screening.screen",
    "Screening": "poletype._screening.screen",
    "read_applicants": "poletype._screening.tabular",
    "screen": "poletype._screening.screen",
    "screening_typologies": "poletype._screening.screen",
    "what_it_would_take": "poletype._screening.whatif",
    "write_screening": "poletype._render.outputs",
    "write_template": "poletype._screening.template",
}
"""Names of the screening side, imported on first use.

Screening (spreadsheets, the what-if search, the HTML report) is a fraction of what
``poletype`` does and costs tens of milliseconds to import, so a command or a
program that only classifies does not pay for it.
"""


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "FIXED_FACTS",
    "Applicant",
    "AxisPosition",
    "CallerError",
    "Change",
    "ChangeSet",
    "CompilerFallbackWarning",
    "CriterionResult",
    "Degree",
    "FieldChange",
    "Finding",
    "HypothesesReport",
    "Initiative",
    "InitiativeError",
    "Limits",
    "Member",
    "Membership",
    "PoletypeError",
    "RowError",
    "RuleFileError",
    "Score",
    "ScreenedRow",
    "Screening",
    "SetupError",
    "Source",
    "Status",
    "Trajectory",
    "TrajectoryPoint",
    "Typology",
    "UsageError",
    "Verdict",
    "check_hypotheses",
    "check_typology",
    "classify",
    "classify_many",
    "load_typology",
    "read_applicants",
    "read_initiative",
    "screen",
    "screening_typologies",
    "trajectory",
    "typologies",
    "what_it_would_take",
    "write_screening",
    "write_template",
]
