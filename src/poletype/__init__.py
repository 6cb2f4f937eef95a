"""poletype: classify social-economy cooperation clusters against published typologies.

The front door. Everything a user calls is re-exported here; the modules behind it are
private and may change.

>>> from poletype import classify
>>> classify({"name": "Pôle", "activities": {"social_utility_share": 0.5}}).outcome
'not_ptce'
"""

from poletype._api import (
    check_typology,
    classify,
    load_typology,
    read_initiative,
    trajectory,
    typologies,
)
from poletype._compiler import Typology
from poletype._hypotheses import HypothesesReport, check_hypotheses
from poletype._trajectory import Change, Trajectory, TrajectoryPoint
from poletype.errors import InitiativeError, PoletypeError, RuleFileError
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

__all__ = [
    "AxisPosition",
    "Change",
    "CriterionResult",
    "Degree",
    "HypothesesReport",
    "Initiative",
    "InitiativeError",
    "Member",
    "Membership",
    "PoletypeError",
    "RuleFileError",
    "Score",
    "Source",
    "Status",
    "Trajectory",
    "TrajectoryPoint",
    "Typology",
    "Verdict",
    "check_hypotheses",
    "check_typology",
    "classify",
    "load_typology",
    "read_initiative",
    "trajectory",
    "typologies",
]
