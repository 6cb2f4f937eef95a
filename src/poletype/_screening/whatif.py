"""What it would take: the smallest changes of an initiative's facts that give it an outcome.

A programme officer wants to tell an applicant that is not (yet) a PTCE what would make
it one. The answer is computed from the rule file, never written per criterion, so a
funder's own criteria and parameter values get the same treatment as the shipped ones.

The search reads the rule file's own expressions, at three levels:

1. The verdict tree says which criteria must take which status: the smallest sets of
   criterion statuses that make the verdict the target (one for an ``all`` of criteria,
   several for an ``any``), tried by increasing size.
2. A criterion's condition says, the same way, which of its atoms must change; atoms
   that read no path in common are settled apart. The candidate changes of an atom are
   read from its parsed tree: the input paths it reads (``Expression.paths``) and the
   constants compared with them. A boolean takes yes or no; an enumeration one value per
   class of values that no atom of the typology tells apart (``primary_function`` =
   ``production`` stands for every function no exclusion names); a number the
   thresholds compared with it and the values just past them (``> 0.5`` on a share:
   ``0.51``; ``>= 10`` on a count: ``10``); a list gains one value per class, or is
   stated empty when unknown; members are added, one per change, stating the member
   attributes the typology reads, as many as a count needs, and partners the same way
   where a rule reads partners ("add a partner"); an attribute no member states is
   stated for all of them. A member list that may hold more than it names may have its
   number stated ("how many members?"); a partner list's completeness may be stated
   where nobody said it, never a list's once said. A fact not stated counts as a change
   too: stating it is part of what it would take.
3. The smallest sets of candidate changes that settle each criterion are combined depth
   first across criteria (a change one criterion needs often settles another); each
   combination is verified by evaluating the criteria it touches and the verdict tree,
   every value memoised by the changes it reads. A set that reaches the target is cut
   to a smallest part that still does (so no proper subset of a returned set reaches it
   when the verdict is a conjunction of criteria and negated criteria, as in every
   shipped typology), and attributes of added members the target does not need are
   dropped. The changed initiative is finally rebuilt from the returned changes,
   validated like any input and evaluated afresh.

Sets are ranked by the number of criteria whose status they change, then the number of
changes, then the number of stated facts they change (stating a missing fact is easier
than changing a stated one), then their text, so the order is stable.

Not searched, to keep a screening of hundreds of applicants within seconds: changing the
kind or any stated attribute of a listed member (members are added, or their unstated
attributes stated for all); added members that differ in attributes no atom reads; lists
gaining more than one value by one change (beyond what a length threshold asks);
numbers no atom compares with a constant; free texts no atom compares with a literal;
parameters (they are the funder's reading, not the applicant's facts); combinations
beyond the bounds of `whatif_search`, so for very incomplete initiatives the sets returned are the
smallest found rather than the smallest that exist; each is still verified and minimal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from poletype._engine.codes import described
from poletype._engine.evaluator import decide
from poletype._engine.justify import colon, format_value
from poletype._engine.typology import CrispTypology, Typology
from poletype._rules.classify import to_initiative, typology_of
from poletype._screening.fields import LISTS, member_path
from poletype._screening.fields import label as field_label
from poletype._screening.whatif_edits import (
    Edit,
    Edits,
    joined_count,
    value_before,
)
from poletype._screening.whatif_search import Search
from poletype.errors import PoletypeError, UsageError
from poletype.model import Initiative, Member, listed
from poletype.rulefile import Text


class FieldChange(BaseModel):
    """One change of an input fact: what it is, what it would become, said in words.

    ``path`` is a dotted input path. Some paths have a special reading: ``members`` adds
    one member (``after`` is the member, ``before`` is null), and ``members.ATTR``
    states the attribute for every member listed where it is not stated; ``partners``
    and ``partners.ATTR`` do the same for partners. A member added joins the membership:
    a stated ``member_count`` grows with it. ``before`` null means the fact is not
    stated: the change states it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    before: JsonValue = None
    after: JsonValue
    text: Text


class ChangeSet(BaseModel):
    """A smallest set of changes that gives the initiative the target outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    changes: list[FieldChange] = Field(description="Sorted by path.")
    criteria: list[str] = Field(
        description="The verdict's criteria whose status these changes alter, in rule order."
    )
    outcome: str = Field(description="The outcome of the changed initiative (the target).")


FIXED_FACTS: frozenset[str] = frozenset(
    {
        "founded",
        "origin",
        "approach",
        "prior_state_support",
        "country",
        "members.founder",
        "partners.founder",
    }
)
"""Facts about an initiative's past or its place: once stated, no applicant can change
them to qualify (who founded it, how and when, whether the State supported it before,
which country it is in). `what_it_would_take` may ask for one that is unknown, never
propose to change one that is stated. For a member attribute (``members.founder``), a
member proposed for addition never has it: a member joining now did not found the
initiative; stating it for a listed member where it is unknown is still asked. Partners
alike. Whatever ``fixed`` says, a list said to be complete or partial is never said
otherwise, and ``members_complete`` is never proposed: a list is completed by naming
the rest, which only the applicant can (`poletype._screening.whatif_values`)."""


def what_it_would_take(
    initiative: Initiative | Mapping[str, Any],
    typology: str | Path | Typology = "labo-ess-ptce",
    *,
    params: Mapping[str, Any] | None = None,
    target: str | None = None,
    limit: int = 3,
    fixed: Iterable[str] = FIXED_FACTS,
) -> list[ChangeSet]:
    """Up to ``limit`` smallest sets of input changes that make the outcome ``target``.

    ``target`` defaults to the typology's positive outcome (``ptce`` for labo-ess-ptce).
    An initiative that already has it gets ``[]``, as does one no searched change can
    bring there. Graded typologies have no outcome to reach and are refused. Stated
    facts in ``fixed`` (by default `FIXED_FACTS`, the past) are never changed; a
    researcher asking what the rules alone would take can pass ``fixed=()``.
    """
    compiled = typology_of(typology, params)
    model = to_initiative(initiative)
    if not isinstance(compiled, CrispTypology):
        raise UsageError(
            f"typology {compiled.id!r} is graded: it places initiatives by degree and has "
            "no outcome to reach",
            code="whatif-graded",
            expected="a crisp typology (criteria and a verdict), such as labo-ess-ptce",
            found=compiled.id,
        )
    outcomes = compiled.verdict_rule.outcomes
    goal = outcomes.met if target is None else target
    wanted: dict[str, bool] = {outcomes.met: True, outcomes.not_met: False}
    if goal not in wanted:
        raise UsageError(
            f"typology {compiled.id!r} has no reachable outcome {goal!r}",
            code="unknown-outcome",
            expected=f"{outcomes.met!r} or {outcomes.not_met!r}",
            found=repr(goal),
        )
    search = Search(compiled, model, wanted[goal], frozenset(fixed))
    if limit < 1 or search.reached(()):
        return []
    found: list[ChangeSet] = []
    for edits in search.run(limit):
        change_set = _verified(search, edits, goal)
        if change_set is not None:
            found.append(change_set)
        if len(found) == limit:
            break
    return found


def apply_changes(initiative: Initiative, changes: Iterable[FieldChange]) -> Initiative:
    """The initiative with the changes made, validated like any input.

    ``members`` changes append their member; ``members.ATTR`` changes state the attribute
    on the members the initiative lists where it is unstated (not on members added);
    ``partners`` alike. A stated ``member_count`` that no change sets grows by the
    members added (`joined_count`).
    """
    data = initiative.model_dump(exclude_none=True)
    entries = {name: len(data.get(name) or []) for name in LISTS}
    joined: list[Member] = []
    counted = False
    for change in changes:
        head = change.path.split(".", 1)[0]
        counted = counted or change.path == "member_count"
        if change.path in LISTS:
            data[head] = [*(data.get(head) or []), _json_copy(change.after)]
            if head == "members":
                joined.append(Member.model_validate(change.after))
        elif head in LISTS:
            attribute = change.path.split(".", 1)[1]
            for member in (data.get(head) or [])[: entries[head]]:
                if member.get(attribute) is None:
                    member[attribute] = _json_copy(change.after)
        else:
            *parents, name = change.path.split(".")
            holder = data
            for part in parents:
                if holder.get(part) is None:
                    holder[part] = {}
                holder = holder[part]
            holder[name] = _json_copy(change.after)
    grown = None if counted else joined_count(initiative, listed(joined))
    if grown is not None:
        data["member_count"] = grown
    return to_initiative(data)


def _json_copy(value: JsonValue) -> Any:
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------- verification and words


def _verified(search: Search, edits: Edits, goal: str) -> ChangeSet | None:
    """The edits as a `ChangeSet`, if the validated changed initiative gets ``goal``.

    The changed initiative is rebuilt from the `FieldChange` values, validated as any
    input, and its criteria evaluated afresh, so what is returned is what `classify`
    would conclude, whatever shortcut the search took.
    """
    initiative = search.initiative
    changes = [_change(initiative, e) for e in edits]
    changes.sort(key=lambda c: (c.path, json.dumps(c.after, sort_keys=True)))
    try:
        changed = apply_changes(initiative, changes)
    except PoletypeError:
        return None
    after, verdict = decide(search.typology, changed)
    if verdict is not search.target:
        return None
    criteria = [cid for cid in search.domain.order if after[cid] != search.base[cid]]
    return ChangeSet(changes=changes, criteria=criteria, outcome=goal)


_ENTRY: dict[str, Text] = {
    "members": Text(fr="membre", en="member"),
    "partners": Text(fr="partenaire", en="partner"),
}
"""What one entry of a list is called in a change's words."""


def _change(initiative: Initiative, edit: Edit) -> FieldChange:
    after = edit.plain
    head = edit.path.split(".", 1)[0]
    if edit.path in LISTS:
        text = _member_text(after, edit.path)
        return FieldChange(path=edit.path, before=None, after=after, text=text)
    if head in LISTS:
        label, entry = field_label(edit.path), _ENTRY[head]
        return FieldChange(
            path=edit.path,
            before=None,
            after=after,
            text=Text(
                fr=f"{label.fr} ({edit.path} : non renseigné → {_show(after, 'fr', edit.path)}, "
                f"pour chaque {entry.fr} où ce n'est pas indiqué)",
                en=f"{label.en} ({edit.path}: not stated → {_show(after, 'en', edit.path)}, "
                f"for every {entry.en} where it is not stated)",
            ),
        )
    before = value_before(initiative, edit)
    label = field_label(edit.path)
    return FieldChange(
        path=edit.path,
        before=before,
        after=after,
        text=Text(
            fr=f"{label.fr} ({edit.path} : {_show(before, 'fr', edit.path)} → "
            f"{_show(after, 'fr', edit.path)})",
            en=f"{label.en} ({edit.path}: {_show(before, 'en', edit.path)} → "
            f"{_show(after, 'en', edit.path)})",
        ),
    )


def _member_text(member: Any, name: str) -> Text:
    """``Ajouter un partenaire (Type de partenaire : collectivité locale (local_authority))``."""
    parts = {
        lang: ", ".join(
            f"{getattr(field_label(f'{name}.{k}'), lang)}{colon(lang)}"
            f"{_show(v, lang, f'{name}.{k}')}"
            for k, v in sorted(member.items())
        )
        for lang in ("fr", "en")
    }
    entry = _ENTRY[name]
    fr, en = f"Ajouter un {entry.fr}", f"Add a {entry.en}"
    return Text(
        fr=f"{fr} ({parts['fr']})" if parts["fr"] else fr,
        en=f"{en} ({parts['en']})" if parts["en"] else en,
    )


def _show(value: Any, lang: Literal["fr", "en"], path: str) -> str:
    """A value as `format_value` shows it, but for an absent fact, a share's digits and codes.

    A change's ``before`` null means the applicant did not state the fact, which a reader
    must not take for a fact the rules could not read; a share keeps six significant
    digits, where a justification rounds to three; a code comes with its meaning, since
    the programme officer reading the change may not know the format's codes.
    """
    if value is None:
        return "non renseigné" if lang == "fr" else "not stated"
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "fr" else text
    if isinstance(value, str):
        return described(member_path(path), value, lang)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(described(member_path(path), v, lang) for v in value)
    return format_value(value, lang)
