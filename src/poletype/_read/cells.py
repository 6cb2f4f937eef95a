"""Text as a spreadsheet will show it: no control characters, and never a formula.

Every file poletype writes that a spreadsheet may open (the screening CSV, workbook and
mail-merge file, a case table, the QCA export) neutralises a cell that begins like a
formula the way OWASP recommends against CSV injection: a leading ``'``, or in a workbook
the cell's own "text" flag. A plain decimal number (``-3``, ``+1,5``) is kept as it is:
it is read as the number it is, never run. Low in the layers so that every writer,
research exports included, uses the one rule.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters a cell should not hold (tab, line feed and carriage return aside)."""
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (a plain number is not)."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def without_controls(text: str) -> str:
    """``text`` with each control character replaced by U+FFFD, shown as such."""
    return CONTROL.sub("\ufffd", text)


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: no formula, no control character."""
    text = without_controls(text)
    return "'" + text if looks_like_formula(text) else text
