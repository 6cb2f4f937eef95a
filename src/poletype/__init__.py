"""poletype: classify social-economy cooperation clusters against published typologies.

The front door. Everything a user calls is re-exported here; the modules behind it are
private and may change.

>>> from poletype import classify
>>> classify({"name": "Pôle", "activities": {"social_utility_share": 0.5}}).outcome
'not_ptce'
"""

import importlib
import typing

import poletype._ast  # noqa: F401 - first: registers rule-engine's prebuilt parser tables
from poletype._api import (
    check_typology,
    classify,
    classify_many,
    load_typology,
    read_initiative,
    trajectory,
    typologies,
)
from poletype._codegen import CompilerFallbackWarning
from poletype._compiler import Typology
from poletype._hypotheses import HypothesesReport, check_hypotheses
from poletype._limits import Limits
from poletype._trajectory import Change, Trajectory, TrajectoryPoint
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
    from poletype._columnar import decide_frame
    from poletype._dask import classify_dask
    from poletype._outputs import write_screening
    from poletype._screen import Finding, ScreenedRow, Screening, screen, screening_typologies
    from poletype._tabular import Applicant, RowError, read_applicants
    from poletype._template import write_template
    from poletype._whatif import FIXED_FACTS, ChangeSet, FieldChange, what_it_would_take

_LAZY = {
    "Applicant": "poletype._tabular",
    "ChangeSet": "poletype._whatif",
    "FIXED_FACTS": "poletype._whatif",
    "FieldChange": "poletype._whatif",
    "Finding": "poletype._screen",
    "RowError": "poletype._tabular",
    "ScreenedRow": "poletype._screen",
    "Screening": "poletype._screen",
    "classify_dask": "poletype._dask",
    "decide_frame": "poletype._columnar",
    "read_applicants": "poletype._tabular",
    "screen": "poletype._screen",
    "screening_typologies": "poletype._screen",
    "what_it_would_take": "poletype._whatif",
    "write_screening": "poletype._outputs",
    "write_template": "poletype._template",
}
"""Names of the screening side and of the optional extras, imported on first use.

Screening (spreadsheets, the what-if search, the HTML report) is a fraction of what
``poletype`` does and costs tens of milliseconds to import, so a command or a
program that only classifies does not pay for it; `decide_frame` needs numpy (the
``columnar`` extra) and `classify_dask` Dask (the ``dask`` extra), which ``import
poletype`` must not require.
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
    "classify_dask",
    "classify_many",
    "decide_frame",
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
