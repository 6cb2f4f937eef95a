"""What every output a spreadsheet opens shares: separators, formula-safe cells, words.

The CSV, the workbook, the mail-merge file and the letters write the same cells; a cell
that begins like a formula is neutralised the way OWASP recommends (CSV injection), and
the texts of a row error and of a change set are worded once, here.
"""

from __future__ import annotations

import itertools
import re

from poletype._read.data import Lang
from poletype._screening.fields import label as question_label
from poletype._screening.tabular import RowError
from poletype._screening.whatif import ChangeSet

DELIMITERS: dict[Lang, str] = {"fr": ";", "en": ","}
"""The CSV separator per language: what Excel expects in a French or an English locale."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: no formula, no control character.

    A plain decimal number is kept as it is (see the module's docstring).
    """
    text = _CONTROL.sub("\ufffd", text)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def error_text(error: RowError, lang: Lang | None = None) -> str:
    """The error for the CSV: with ``lang``, in its words (no code); else as stored."""
    if lang is not None:
        message = error.message if error.text is None else getattr(error.text, lang)
        if error.column is None:
            return message
        colon = " : " if lang == "fr" else ": "
        return f"{getattr(question_label(error.column), lang)}{colon}{message}"
    text = error.message if error.column is None else f"{error.column}: {error.message}"
    return text if error.code is None else f"{text} [{error.code}]"


def change_lines(change_set: ChangeSet, lang: Lang) -> list[str]:
    """A change set's sentences, a run of identical ones (members added) said once, counted.

    "3 × Ajouter un membre (…)" reads at a glance where three identical lines do not.
    """
    lines: list[str] = []
    for text, run in itertools.groupby(getattr(c.text, lang) for c in change_set.changes):
        count = len(list(run))
        lines.append(text if count == 1 else f"{count} × {text}")
    return lines
