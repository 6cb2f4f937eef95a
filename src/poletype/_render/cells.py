"""What every output a spreadsheet opens shares: separators, formula-safe cells, words.

The CSV, the workbook, the mail-merge file and the letters write the same cells; a cell
that begins like a formula is neutralised the way OWASP recommends (CSV injection), and
the texts of a row error and of a change set are worded once, here.

A row error is read by a programme officer, in the report's language: its words come
from the reading when it worded them (``data/reading.yaml``), else from its code
(``data/words.yaml``, ``row_errors``), never from the stored English message, which may
hold a Python value or a library's wording and stays for programs (``verdicts.jsonl``).
"""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from poletype._engine.codes import code_label
from poletype._engine.justify import format_value
from poletype._engine.typology import Typology
from poletype._read.data import Lang, by_language, load
from poletype._screening.fields import APPLICANT_FIELDS, LISTS, MEMBER_FIELDS, member_path
from poletype._screening.fields import label as question_label
from poletype._screening.tabular import RowError
from poletype._screening.whatif import ChangeSet, FieldChange
from poletype.errors import CODE_BRANCH, ERROR_CODES, InitiativeError
from poletype.rulefile import Text

DELIMITERS: dict[Lang, str] = {"fr": ";", "en": ","}
"""The CSV separator per language: what Excel expects in a French or an English locale."""
_SHORT_TITLE = re.compile(r"\s*[(:]")
_BY_CODE: dict[str, Text] = {
    code: Text(fr=w["fr"], en=w["en"]) for code, w in load("words")["row_errors"].items()
}
_CHANGE_WORDS = by_language(load("words")["changes"])
_CASES: dict[str, Text] = {
    key: Text(fr=w["fr"], en=w["en"]) for key, w in load("words")["row_error_cases"].items()
}
ROW_CODES: frozenset[str] = frozenset(
    code for code in ERROR_CODES if InitiativeError in CODE_BRANCH.get(code, ())
) | {"evaluation-error"}
"""The codes an applicant's row can carry: the input's faults, and a typology that fails
on it. Each has its words; any other code, which only a bug could bring, gets general ones."""


def error_field(error: RowError) -> Text | None:
    """The field a row error is about, by its label and its cell (``Identifiant (A14)``).

    None for the row as a whole. A members sheet's row that belongs to no applicant is
    about its own key column.
    """
    if error.column is None:
        return None
    path = "members.applicant_id" if error.column == "applicant_id" else error.column
    named = question_label(path)
    if error.cell is None:
        return named
    return Text(fr=f"{named.fr} ({error.cell})", en=f"{named.en} ({error.cell})")


def error_words(error: RowError) -> Text:
    """Why the row could not be read, in French and English, without its field's label.

    The reading's own words first (they say what was found and what was expected), then
    the words of the error's code; an error with neither is worded by what it is about:
    a member row without its applicant, a value, or the row as a whole.
    """
    if error.text is not None and error.text.fr != error.text.en:
        return error.text
    if error.code is not None:
        return _BY_CODE.get(error.code, _CASES["other"])
    if error.column == "applicant_id":
        return _CASES["orphan_member"]
    return _CASES["value" if error.column is not None else "whole_row"]


def error_text(error: RowError, lang: Lang | None = None) -> str:
    """The error for a person, or as stored for a program.

    With ``lang``, `error_words` after the field's label; without, the stored message
    and its code (the CSV's ``codes`` columns, which a script reads).
    """
    if lang is not None:
        message = getattr(error_words(error), lang)
        field = error_field(error)
        if field is None:
            return sentence(message)
        labelled: str = getattr(_CASES["labelled"], lang)
        return labelled.format(label=getattr(field, lang), message=message)
    text = error.message if error.column is None else f"{error.column}: {error.message}"
    return text if error.code is None else f"{text} [{error.code}]"


def grid_titles(typologies: Sequence[Typology], lang: Lang) -> dict[str, str]:
    """Each grid's title, short enough to start a column header, by typology id.

    A title is cut before its first bracket or colon (``Définition légale du PTCE (loi
    ESS …)`` gives ``Définition légale du PTCE``): what precedes names the grid, what
    follows cites it. Two grids whose short titles meet keep their whole titles, and
    their ids if those meet too, so no two columns read alike.
    """
    full = {t.id: getattr(t.title, lang).strip() for t in typologies}
    short = {
        i: _SHORT_TITLE.split(title, maxsplit=1)[0].strip() or title for i, title in full.items()
    }
    for names in (short, full):
        counts = collections.Counter(names.values())
        if all(counts[n] == 1 for n in names.values()):
            return names
    return {i: f"{title} ({i})" for i, title in full.items()}


def sentence(text: str) -> str:
    """A message shown on its own, its first letter a capital (``Un guillemet …``).

    The words begin in lower case because they usually follow a field's label.
    """
    return text[:1].upper() + text[1:]


def change_lines(change_set: ChangeSet, lang: Lang, *, words: bool = True) -> list[str]:
    """A change set's sentences, a run of identical ones (members added) said once, counted.

    "3 × Ajouter un membre (…)" reads at a glance where three identical lines do not.
    With ``words`` (for a person), each change is `change_words`; without, its stored
    ``text``, which names the path and the codes (the CSV's ``codes`` columns).
    """
    texts = (change_words(c, lang) if words else getattr(c.text, lang) for c in change_set.changes)
    lines: list[str] = []
    for text, run in itertools.groupby(texts):
        count = len(list(run))
        lines.append(text if count == 1 else f"{count} × {text}")
    return lines


def change_words(change: FieldChange, lang: Lang) -> str:
    """One change for an applicant or an officer: the field's label, its values in words.

    ``Part d'utilité sociale : 30 % → 51 %``, ``Ajouter un membre (Type de membre :
    association de l'ESS)``: no dotted path and no code, which `FieldChange.text` keeps
    for a program. A code with no words of its own is shown as it is.
    """
    w = _CHANGE_WORDS[lang]
    head, _, attribute = change.path.partition(".")
    if change.path in LISTS:
        facts = change.after if isinstance(change.after, dict) else {}
        said = ", ".join(
            w["fact"].format(
                label=getattr(question_label(f"{head}.{k}"), lang),
                value=_value_words(v, f"{head}.{k}", lang),
            )
            for k, v in sorted(facts.items())
        )
        if not said:
            return w["add"].format(entry=w[head])
        return w["add_with"].format(entry=w[head], facts=said)
    label = getattr(question_label(change.path), lang)
    after = _value_words(change.after, change.path, lang)
    if head in LISTS and attribute:
        return w["each"].format(label=label, after=after, entry=w[head])
    before = _value_words(change.before, change.path, lang)
    return w["change"].format(label=label, before=before, after=after)


def _value_words(value: Any, path: str, lang: Lang) -> str:
    """A value as a person reads it: a code by its words, a share as a percentage."""
    w = _CHANGE_WORDS[lang]
    if value is None:
        return w["not_stated"]
    code_path = member_path(path)
    if isinstance(value, str):
        named = code_label(code_path, value)
        return value if named is None else getattr(named, lang)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return format_value([_value_words(v, path, lang) for v in value], lang)
    if _kind(path) == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        percent = format_value(Decimal(str(value)) * 100, lang)
        return w["percent"].format(value=percent)
    return format_value(value, lang)


def _kind(path: str) -> str | None:
    """How a field's cell is read (``share``…), for an applicant's or a member's path."""
    head, _, attribute = path.partition(".")
    doc = MEMBER_FIELDS.get(attribute) if head in LISTS else APPLICANT_FIELDS.get(path)
    return None if doc is None else doc.kind
