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
    typologies,
)
from poletype._compiler import Typology
from poletype.errors import InitiativeError, PoletypeError, RuleFileError
from poletype.model import Initiative, Member
from poletype.verdict import CriterionResult, Score, Source, Status, Verdict

__all__ = [
    "CriterionResult",
    "Initiative",
    "InitiativeError",
    "Member",
    "PoletypeError",
    "RuleFileError",
    "Score",
    "Source",
    "Status",
    "Typology",
    "Verdict",
    "check_typology",
    "classify",
    "load_typology",
    "read_initiative",
    "typologies",
]
