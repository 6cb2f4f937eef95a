"""Dated states of an initiative and its verdict at each: the trajectory.

The Matray–Poisat types are positions poles move between, so researchers need the
series, not one verdict. An initiative's top-level facts are its first known state; each
snapshot, in date order, states the facts that changed at its date. The state at a date
is the first state with every snapshot up to that date applied: a snapshot's field
replaces the earlier value, except that a nested object (``governance``, ``resources``…)
is merged field by field, so ``{date: …, governance: {democratic: true}}`` does not
forget the governance structure stated earlier. Lists (``members``) are replaced whole.
"""

from __future__ import annotations

import datetime
import itertools

from pydantic import BaseModel, ConfigDict, Field

from poletype.model import Initiative, Snapshot
from poletype.verdict import Verdict


class TrajectoryPoint(BaseModel):
    """The verdict on the initiative's state at one date (``None``: the first state)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: datetime.date | None
    verdict: Verdict


class Change(BaseModel):
    """A change of outcome (for graded typologies, of dominant type) between two dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: datetime.date
    before: str
    after: str


class Trajectory(BaseModel):
    """An initiative's verdicts over its dated states, and where the outcome changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    initiative: str
    typology: str
    points: list[TrajectoryPoint]
    changes: list[Change] = Field(description="Each date at which the outcome differs.")

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON, byte-identical for the same input and rules."""
        return self.model_dump_json(indent=indent)


def apply(state: Initiative, snapshot: Snapshot) -> Initiative:
    """The state after one snapshot's changes."""
    facts = state.model_dump(exclude_unset=True, exclude={"snapshots"})
    for name, new in snapshot.model_dump(exclude_unset=True, exclude={"date"}).items():
        old = facts.get(name)
        facts[name] = {**old, **new} if isinstance(old, dict) and isinstance(new, dict) else new
    return Initiative.model_validate(facts)


def states(initiative: Initiative) -> list[tuple[datetime.date | None, Initiative]]:
    """The first state, then the state at each snapshot date, in date order."""
    first = initiative.model_copy(update={"snapshots": None})
    series: list[tuple[datetime.date | None, Initiative]] = [(None, first)]
    state = first
    for snapshot in sorted(initiative.snapshots or [], key=lambda s: s.date):
        state = apply(state, snapshot)
        series.append((snapshot.date, state))
    return series


def changes(points: list[TrajectoryPoint]) -> list[Change]:
    """The dates at which the outcome differs from the previous point's."""
    found: list[Change] = []
    for before, after in itertools.pairwise(points):
        if before.verdict.outcome != after.verdict.outcome:
            assert after.date is not None
            found.append(
                Change(date=after.date, before=before.verdict.outcome, after=after.verdict.outcome)
            )
    return found
