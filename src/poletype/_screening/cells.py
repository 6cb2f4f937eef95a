"""One spreadsheet cell read into a field's value, or written back from one.

Each field's kind (`FieldDoc.kind`) has its reader: a share accepts ``0,6`` or ``60 %``,
a boolean ``oui``/``non``, a code one of its allowed values (the closest one is suggested).
`tabular` calls them per column; `flatten` writes an initiative back as cells, the
inverse of reading them.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from poletype._screening.fields import APPLICANT_FIELDS, FieldDoc
from poletype.model import Initiative

EMPTY_LIST = "aucun"
"""The cell text for a list known to be empty; an empty cell is an unknown list."""


_EMPTY_LIST_WORDS = frozenset({"aucun", "aucune", "none", "-"})


_BOOLEANS = {
    "oui": True,
    "non": False,
    "o": True,
    "n": False,
    "vrai": True,
    "faux": False,
    "yes": True,
    "no": False,
    "y": True,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "x": True,
}


_BOOLEAN_HINT = "oui/non (or vrai/faux, yes/no, 1/0, x)"


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class CellError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def fold_case(text: str) -> str:
    """Lower case without accents or surrounding blanks: ``" Vrai "`` and ``"vrai"`` match."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def shown_value(cell: Any) -> str:
    return repr(cell.strip() if isinstance(cell, str) else cell)


def read_cell(cell: Any, doc: FieldDoc) -> Any:
    """A cell's value for a column, ``None`` when empty (unknown); `CellError` if unreadable."""
    if is_blank(cell):
        return None
    reader = _CELL_READERS[doc.kind]
    return reader(cell, doc)


def _text(cell: Any, doc: FieldDoc) -> str:
    if isinstance(cell, bool):
        raise CellError(f"expected text, found the yes/no value {cell}")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def _number_text(cell: str) -> str:
    text = cell.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return text


def _integer(cell: Any, doc: FieldDoc) -> int:
    if isinstance(cell, bool | datetime.date | datetime.time):
        raise CellError(f"expected a whole number, found {shown_value(cell)}")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError(f"expected a whole number, found {cell:g}")
    try:
        number = float(_number_text(str(cell)))
    except ValueError:
        raise CellError(f"expected a whole number, found {shown_value(cell)}") from None
    if not number.is_integer():
        raise CellError(f"expected a whole number, found {shown_value(cell)}")
    return int(number)


def _float(cell: Any, *, percent: bool) -> float:
    """A number; with ``percent``, text ending in ``%`` is divided by 100."""
    if isinstance(cell, bool | datetime.date | datetime.time):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        return float(cell)
    text = _number_text(str(cell))
    if percent and text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def _number(cell: Any, doc: FieldDoc) -> float:
    try:
        return _float(cell, percent=False)
    except ValueError:
        raise CellError(f"expected a number, found {shown_value(cell)}") from None


def _share(cell: Any, doc: FieldDoc) -> float:
    expected = "a share between 0 and 1 (0,6) or a percentage (60 %)"
    try:
        value = _float(cell, percent=True)
    except ValueError:
        raise CellError(f"expected {expected}, found {shown_value(cell)}") from None
    if not 0.0 <= value <= 1.0:
        raise CellError(f"expected {expected}, found {shown_value(cell)}")
    return value


def _boolean(cell: Any, doc: FieldDoc) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    word = _BOOLEANS.get(fold_case(str(cell)))
    if word is None:
        raise CellError(f"expected {_BOOLEAN_HINT}, found {shown_value(cell)}")
    return word


def _code(text: str, doc: FieldDoc) -> str:
    folded = re.sub(r"[\s-]+", "_", fold_case(text))
    if folded in doc.allowed:
        return folded
    message = f"expected one of {', '.join(doc.allowed)}, found {text.strip()!r}"
    close = difflib.get_close_matches(folded, doc.allowed, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    raise CellError(message)


def _choice(cell: Any, doc: FieldDoc) -> str:
    return _code(_text(cell, doc), doc)


def _choices(cell: Any, doc: FieldDoc) -> list[str]:
    text = _text(cell, doc)
    if fold_case(text) in _EMPTY_LIST_WORDS:
        return []
    # Free texts (sectors) may hold commas; codes never do.
    separators = r"[;,\n]" if doc.allowed else r"[;\n]"
    items = [item.strip() for item in re.split(separators, text) if item.strip()]
    if not doc.allowed:
        return items
    values, errors = [], []
    for item in items:
        try:
            values.append(_code(item, doc))
        except CellError as exc:
            errors.append(exc.message)
    if errors:
        raise CellError("; ".join(errors))
    return values


def _date(cell: Any, doc: FieldDoc) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    try:
        return datetime.date.fromisoformat(str(cell).strip())
    except ValueError:
        raise CellError(f"expected a date YYYY-MM-DD, found {shown_value(cell)}") from None


_CELL_READERS: dict[str, Callable[[Any, FieldDoc], Any]] = {
    "text": _text,
    "integer": _integer,
    "number": _number,
    "share": _share,
    "boolean": _boolean,
    "choice": _choice,
    "choices": _choices,
    "date": _date,
}


def format_cell(value: Any) -> str:
    """A field's value as the cell text `read_cell` reads back to the same value."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return "; ".join(format_cell(v) for v in value) if value else EMPTY_LIST
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def flatten(initiative: Initiative) -> tuple[dict[str, str], list[dict[str, str]]]:
    """An initiative as one applicant row and its member rows, keyed by column.

    Absent facts have no cell. ``snapshots`` are not flattened: a spreadsheet has no
    place for history. Member rows carry the initiative's ``id`` as ``applicant_id``.
    """
    data = initiative.model_dump()
    row: dict[str, str] = {}
    for path in APPLICANT_FIELDS:
        value: Any = data
        for part in path.split("."):
            value = None if value is None else value.get(part)
        if value is not None:
            row[path] = format_cell(value)
    member_rows = []
    for member in data.get("members") or []:
        cells = {"applicant_id": initiative.id or ""}
        cells.update({k: format_cell(v) for k, v in member.items() if v is not None})
        member_rows.append(cells)
    return row, member_rows
