"""Edits of an initiative: a sorted tuple of (path, value) changes, merged and applied.

The search's unit of work; applying one validates the edited initiative, so a plan that
the model refuses is never evaluated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel

from poletype._engine.paths import read_path, to_json_value
from poletype._engine.symbols import model_of, unwrap
from poletype._screening.fields import LISTS
from poletype.model import Initiative, Member, listed

JOINING: dict[str, Any] = {"founder": False}
"""What a member or partner proposed for addition is, for a fact about the past: one
joining now did not found the initiative. Other member paths in ``fixed`` do not
constrain the members added, whose facts are new."""


@dataclass(frozen=True, eq=False)
class Edit:
    """One change as the search handles it, interned by `Search.edit` (identity is equality).

    ``members`` adds a member (``value``: its attribute pairs), ``members.ATTR`` states an
    attribute on the listed members lacking it, and ``partners`` and ``partners.ATTR`` the
    same for partners; any other path is set (a list as a tuple).
    """

    path: str
    value: Any
    plain: Any
    """The value as JSON: a member as a mapping, a list as a list."""
    key: tuple[str, str]
    """A total order on edits, whatever the types of their values."""


Edits = tuple[Edit, ...]


def sorted_edits(edits: Iterable[Edit]) -> Edits:
    return tuple(sorted(edits, key=lambda e: e.key))


def merge_edits(base: Edits, extra: Edits) -> Edits | None:
    """Both sets of edits at once; ``None`` when they set one fact to two values.

    Members (or partners) added by both count once per kind, as many as the larger asks.
    """
    if not extra:
        return base
    if not base:
        return extra
    values: dict[str, Edit] = {}
    added: dict[Edit, int] = {}
    for edits in (base, extra):
        counts: dict[Edit, int] = {}
        for edit in edits:
            if edit.path in LISTS:
                counts[edit] = counts.get(edit, 0) + 1
            elif values.setdefault(edit.path, edit) is not edit:
                return None
        for edit, count in counts.items():
            added[edit] = max(added.get(edit, 0), count)
    merged = [*values.values(), *(e for e, n in added.items() for _ in range(n))]
    return sorted_edits(merged)


def edits_contain(big: Edits, small: Edits) -> bool:
    return not Counter(small) - Counter(big)


@lru_cache(maxsize=256)
def _member(template: tuple[tuple[str, Any], ...]) -> Member:
    return Member.model_validate(dict(template))


@cache
def _nested_model(name: str) -> type[BaseModel]:
    model = model_of(unwrap(Initiative.model_fields[name].annotation)[0])
    assert model is not None
    return model


def apply_edits(initiative: Initiative, edits: Edits) -> Initiative:
    """The initiative with the edits made, without validation: the search's fast path.

    Every value comes from the model's own types, and `what_it_would_take` validates the
    sets it returns, so nothing invalid leaves this module. Members added join the
    membership: a stated ``member_count`` grows by as many (`joined_count`).
    """
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    fills: dict[str, list[Edit]] = {name: [] for name in LISTS}
    adds: dict[str, list[Edit]] = {name: [] for name in LISTS}
    for edit in edits:
        head = edit.path.split(".", 1)[0]
        if edit.path in LISTS:
            adds[edit.path].append(edit)
        elif head in LISTS:
            fills[head].append(edit)
        elif "." in edit.path:
            parent, name = edit.path.split(".", 1)
            nested.setdefault(parent, {})[name] = python_value(edit.value)
        else:
            top[edit.path] = python_value(edit.value)
    for parent, update in nested.items():
        current = getattr(initiative, parent) or _nested_model(parent)()
        top[parent] = current.model_copy(update=update)
    for name in LISTS:
        if not (fills[name] or adds[name]):
            continue
        entries = list(getattr(initiative, name) or [])
        for edit in fills[name]:
            attribute = edit.path.split(".", 1)[1]
            update = {attribute: edit.value}
            entries = [
                m.model_copy(update=update) if getattr(m, attribute) is None else m for m in entries
            ]
        entries.extend(_member(edit.value) for edit in adds[name])
        top[name] = entries
    if "member_count" not in top:
        count = joined_count(initiative, listed([_member(e.value) for e in adds["members"]]))
        if count is not None:
            top["member_count"] = count
    return initiative.model_copy(update=top)


def joined_count(initiative: Initiative, added: int) -> int | None:
    """A stated ``member_count`` grown by ``added`` members; None when there is none to grow.

    A member proposed for addition is an organisation that joins, so the membership grows:
    a list said to be complete stays complete, a partial one keeps its unnamed rest.
    """
    if initiative.member_count is None or not added:
        return None
    return initiative.member_count + added


def python_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def value_before(initiative: Initiative, edit: Edit) -> Any:
    """What an edit changes: nothing for a member added or an attribute stated."""
    if edit.path.split(".", 1)[0] in LISTS:
        return None
    return to_json_value(read_path(initiative, edit.path))
