"""The values a what-if search tries for one fact: a scalar, a list of codes, a list's size.

Read off what the typology's atoms compare each path with (`whatif_domain`), so one value
per class that the rules can tell apart is tried. Format 1.1's facts about the lists of
organisations are not free facts: a list's completeness is stated only where it is a
question, and a member list's size only where the list may hold more than it names.
"""

from __future__ import annotations

import math
from typing import Any

from poletype._engine.paths import read_path
from poletype._screening.fields import FieldDoc
from poletype._screening.whatif_domain import Domain, numbers_to_try, value_classes
from poletype.model import Initiative, listed


def scalars(domain: Domain, initiative: Initiative, path: str, doc: FieldDoc) -> list[Any]:
    """The values a single fact may take, other than its own."""
    current = read_path(initiative, path)
    if doc.kind == "boolean":
        values: list[Any] = [True, False]
    elif doc.kind == "choice":
        values = [g[0] for g in value_classes(domain, path, doc.allowed) if current not in g]
    elif doc.kind in ("integer", "number", "share"):
        values = numbers_to_try(domain, path, doc.kind == "integer")
    else:
        values = sorted(set().union(*domain.value_sets.get(path, [])))
    return [v for v in values if v != current or current is None]


def list_values(
    domain: Domain, initiative: Initiative, path: str, doc: FieldDoc
) -> list[tuple[str, ...]]:
    """A list with one value of each class added or removed, or stated empty."""
    current = read_path(initiative, path)
    allowed = doc.allowed or tuple(sorted(set().union(*domain.value_sets.get(path, []))))
    groups = value_classes(domain, path, allowed)
    found: list[tuple[str, ...]] = []
    items: list[str] = list(current) if current is not None else []
    if current is None:
        found.append(())
    for group in groups:
        if any(v in items for v in group):
            found.append(tuple(v for v in items if v not in group))
        else:
            found.append((*items, group[0]))
    for threshold in domain.lengths.get(path, []):
        needed = math.floor(threshold) + 1 - len(items)
        fresh = [v for v in allowed if v not in items]
        if 1 < needed <= len(fresh):
            found.append((*items, *fresh[:needed]))
    unique = list(dict.fromkeys(found))
    return [v for v in unique if current is None or list(v) != items]


def list_fact(domain: Domain, initiative: Initiative, path: str) -> list[Any]:
    """The values tried for a list's completeness or size when a rule reads it itself.

    A rule that asks whether the member list is complete makes an unstated flag a
    question, for a list that is given; a stated one is still never changed.
    """
    if path == "member_count":
        return member_counts(domain, initiative)
    if path == "members_complete":
        unstated = initiative.members is not None and initiative.members_complete is None
        return [True] if unstated else []
    return completeness(initiative, path)


def completeness(initiative: Initiative, flag: str) -> list[bool]:
    """Saying a list is complete, for rules that read the list: where it is a question.

    A list said to be partial and then said whole would have lost the rest it was said
    to have: only the applicant can close it, by naming that rest, so a stated flag is
    never changed. ``members_complete`` unstated is no question either: a member list
    given is then read as complete (unless ``member_count`` says more, and the number
    answers it), and without a list it says nothing. ``partners_complete`` unstated is
    one: is there any partner other than those named?
    """
    if flag == "members_complete" or read_path(initiative, flag) is not None:
        return []
    return [True]


def member_counts(domain: Domain, initiative: Initiative) -> list[int]:
    """Totals of members to state, for a member list that may hold more than it names.

    "How many members?": the values past each threshold the number of members is
    compared with (directly or as the list's length), no fewer than the list names and
    at least one more when it is said to be partial (the same number would say it is
    whole). A stated number only grows, as members are added and never removed. A list
    read as complete has no other total.
    """
    named = listed(initiative.members)
    stated = initiative.members_complete
    if initiative.members is not None and (
        stated is True or (stated is None and initiative.member_count in (None, named))
    ):
        return []
    least = named + 1 if stated is False else named
    if initiative.member_count is not None:
        least = max(least, initiative.member_count + 1)
    values = {
        *numbers_to_try(domain, "member_count", True),
        *numbers_to_try(domain, "member_count", True, lengths="members"),
    }
    return sorted(int(v) for v in values if v >= least)
