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
from poletype._analysis.hypotheses import GroupRates, HypothesesReport, check_hypotheses
from poletype._analysis.trajectory import Change, Trajectory, TrajectoryPoint
from poletype._api import read_initiative, trajectory
from poletype._engine.codegen import CompilerFallbackWarning
from poletype._engine.typology import CrispTypology, GradedTypology, Typology
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
    from poletype._analysis.fit import (
        Bounds,
        NecessityFit,
        SufficiencyFit,
        TruthRow,
        TruthTable,
        export_qca,
        necessity,
        necessity_of,
        set_memberships,
        sufficiency,
        sufficiency_of,
        truth_table,
    )
    from poletype._analysis.frames import CaseTable, classify_frame, from_frame, to_frame
    from poletype._analysis.manifest import manifest
    from poletype._analysis.plots import plot_map, plot_xy
    from poletype._analysis.sweep import plot_stability, stability, sweep
    from poletype._render.outputs import ScreeningWriter, write_screening
    from poletype._scale.cluster import classify_dask
    from poletype._scale.columnar import decide_frame
    from poletype._screening.screen import (
        Finding,
        ScreenedRow,
        Screening,
        ScreeningRun,
        Tally,
        open_screening,
        screen,
        screening_typologies,
    )
    from poletype._screening.tabular import Applicant, RowError, read_applicants
    from poletype._screening.template import write_template
    from poletype._screening.whatif import FIXED_FACTS, ChangeSet, FieldChange, what_it_would_take

_LAZY = {
    "Applicant": "poletype._screening.tabular",
    "Bounds": "poletype._analysis.fit",
    "CaseTable": "poletype._analysis.frames",
    "classify_frame": "poletype._analysis.frames",
    "from_frame": "poletype._analysis.frames",
    "manifest": "poletype._analysis.manifest",
    "plot_stability": "poletype._analysis.sweep",
    "stability": "poletype._analysis.sweep",
    "sweep": "poletype._analysis.sweep",
    "to_frame": "poletype._analysis.frames",
    "ChangeSet": "poletype._screening.whatif",
    "FIXED_FACTS": "poletype._screening.whatif",
    "FieldChange": "poletype._screening.whatif",
    "Finding": "poletype._screening.screen",
    "NecessityFit": "poletype._analysis.fit",
    "RowError": "poletype._screening.tabular",
    "ScreenedRow": "poletype._screening.screen",
    "Screening": "poletype._screening.screen",
    "ScreeningRun": "poletype._screening.screen",
    "ScreeningWriter": "poletype._render.outputs",
    "SufficiencyFit": "poletype._analysis.fit",
    "TruthRow": "poletype._analysis.fit",
    "TruthTable": "poletype._analysis.fit",
    "export_qca": "poletype._analysis.fit",
    "necessity": "poletype._analysis.fit",
    "necessity_of": "poletype._analysis.fit",
    "plot_map": "poletype._analysis.plots",
    "plot_xy": "poletype._analysis.plots",
    "classify_dask": "poletype._scale.cluster",
    "decide_frame": "poletype._scale.columnar",
    "read_applicants": "poletype._screening.tabular",
    "screen": "poletype._screening.screen",
    "screening_typologies": "poletype._screening.screen",
    "set_memberships": "poletype._analysis.fit",
    "sufficiency": "poletype._analysis.fit",
    "sufficiency_of": "poletype._analysis.fit",
    "Tally": "poletype._screening.screen",
    "open_screening": "poletype._screening.screen",
    "truth_table": "poletype._analysis.fit",
    "what_it_would_take": "poletype._screening.whatif",
    "write_screening": "poletype._render.outputs",
    "write_template": "poletype._screening.template",
}
"""Names of the screening and research sides, imported on first use.

Screening (spreadsheets, the what-if search, the HTML report) is a fraction of what
``poletype`` does and costs tens of milliseconds to import, so a command or a
program that only classifies does not pay for it. The research tools (frames, sweeps,
manifests) likewise; pandas, polars and matplotlib load only inside the functions that
use them; `decide_frame` needs numpy (the ``columnar`` extra) and `classify_dask` Dask
(the ``dask`` extra), which ``import poletype`` must not require.
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
    "Bounds",
    "CallerError",
    "CaseTable",
    "Change",
    "ChangeSet",
    "CompilerFallbackWarning",
    "CrispTypology",
    "CriterionResult",
    "Degree",
    "FieldChange",
    "Finding",
    "GradedTypology",
    "GroupRates",
    "HypothesesReport",
    "Initiative",
    "InitiativeError",
    "Limits",
    "Member",
    "Membership",
    "NecessityFit",
    "PoletypeError",
    "RowError",
    "RuleFileError",
    "Score",
    "ScreenedRow",
    "Screening",
    "ScreeningRun",
    "ScreeningWriter",
    "SetupError",
    "Source",
    "Status",
    "SufficiencyFit",
    "Tally",
    "Trajectory",
    "TrajectoryPoint",
    "TruthRow",
    "TruthTable",
    "Typology",
    "UsageError",
    "Verdict",
    "check_hypotheses",
    "check_typology",
    "classify",
    "classify_dask",
    "classify_frame",
    "classify_many",
    "decide_frame",
    "export_qca",
    "from_frame",
    "load_typology",
    "manifest",
    "necessity",
    "necessity_of",
    "open_screening",
    "plot_map",
    "plot_stability",
    "plot_xy",
    "read_applicants",
    "read_initiative",
    "screen",
    "screening_typologies",
    "set_memberships",
    "stability",
    "sufficiency",
    "sufficiency_of",
    "sweep",
    "to_frame",
    "trajectory",
    "truth_table",
    "typologies",
    "what_it_would_take",
    "write_screening",
    "write_template",
]
