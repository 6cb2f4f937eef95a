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
from poletype.model import Initiative, Member

JOINING: dict[str, Any] = {"founder": False}
"""What a member proposed for addition is, for a member fact about the past: a member
joining now did not found the initiative. Other member paths in ``fixed`` do not
constrain the members added, whose facts are new."""


@dataclass(frozen=True, eq=False)
class Edit:
    """One change as the search handles it, interned by `Search.edit` (identity is equality).

    ``members`` adds a member (``value``: its attribute pairs), ``members.ATTR`` states an
    attribute on the listed members lacking it, any other path is set (a list as a tuple).
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

    Members added by both count once per kind of member, as many as the larger asks.
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
            if edit.path == "members":
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
    sets it returns, so nothing invalid leaves this module.
    """
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    fills: list[Edit] = []
    adds: list[Edit] = []
    for edit in edits:
        if edit.path == "members":
            adds.append(edit)
        elif edit.path.startswith("members."):
            fills.append(edit)
        elif "." in edit.path:
            parent, name = edit.path.split(".", 1)
            nested.setdefault(parent, {})[name] = python_value(edit.value)
        else:
            top[edit.path] = python_value(edit.value)
    for parent, update in nested.items():
        current = getattr(initiative, parent) or _nested_model(parent)()
        top[parent] = current.model_copy(update=update)
    if fills or adds:
        members = list(initiative.members or [])
        for edit in fills:
            attribute = edit.path.split(".", 1)[1]
            update = {attribute: edit.value}
            members = [
                m.model_copy(update=update) if getattr(m, attribute) is None else m for m in members
            ]
        members.extend(_member(edit.value) for edit in adds)
        top["members"] = members
    return initiative.model_copy(update=top)


def python_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def value_before(initiative: Initiative, edit: Edit) -> Any:
    """What an edit changes: nothing for a member added or an attribute stated."""
    if edit.path == "members" or edit.path.startswith("members."):
        return None
    return to_json_value(read_path(initiative, edit.path))
