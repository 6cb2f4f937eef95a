"""Limits on what one input may cost, documented and overridable by the caller.

A hostile or broken document must cost one result, never the run: every reader checks
its input against these bounds before the work that the bound protects (expanding
aliases, recursing, decompressing, allocating), and a document over one of them gets its
own error, with a code naming the limit, while the other documents get their verdicts.
The defaults are far above any real initiative, call or case table; a caller with larger
honest inputs passes its own `Limits` (``dataclasses.replace(DEFAULT_LIMITS, rows=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one document, sheet or rule file; each is checked where it is read."""

    document_bytes: int = 16 * 2**20
    """Bytes of one YAML or JSON document, one JSON line, or one rule file (UTF-8)."""
    aliases: int = 1_000
    """YAML alias references (``*name``) in one document, merges (``<<: *name``) included."""
    alias_nodes: int = 100_000
    """Nodes (scalars, lists, mappings) one YAML document may reach once its aliases are
    expanded; counted only for a document that has aliases."""
    alias_bytes: int = 16 * 2**20
    """Characters of scalars one YAML document may reach once its aliases are expanded:
    as large as a document may be without them, so aliases never make one larger."""
    depth: int = 64
    """Nesting of mappings and lists in a YAML or JSON document (a flat mapping is 1)."""
    integer_digits: int = 40
    """Digits of one integer in a document or a cell (signs and ``_`` not counted)."""
    expression_depth: int = 100
    """Nesting of one rule expression's syntax tree."""
    expression_chars: int = 20_000
    """Characters of one rule expression."""
    members: int = 100_000
    """Entries of one initiative's member (or partner) list, each snapshot's included."""
    spreadsheet_bytes: int = 512 * 2**20
    """Bytes of one CSV, XLSX or JSON Lines file, as stored."""
    rows: int = 1_000_000
    """Rows of one sheet, blank rows included (up to the last row holding a value)."""
    cells: int = 50_000_000
    """Cells of one sheet (rows times the columns read)."""
    cell_bytes: int = 32_767
    """Characters of one cell (Excel's own limit)."""
    xlsx_part_bytes: int = 256 * 2**20
    """Uncompressed bytes of one part (file) inside an XLSX archive.

    openpyxl holds a workbook's shared strings in memory, at several times their size in
    XML: a hundred thousand full applicant rows take well under this.
    """


DEFAULT_LIMITS: Final = Limits()
"""The limits every reader applies unless the caller passes its own."""


def exceeds_bytes(text: str, limit: int) -> bool:
    """Whether ``text`` takes more than ``limit`` bytes in UTF-8.

    Encodes only when the length alone cannot tell (a code point takes one to four
    bytes), so a short document costs no copy.
    """
    if len(text) * 4 <= limit:
        return False
    if len(text) > limit:
        return True
    return len(text.encode("utf-8", "surrogatepass")) > limit
