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
from collections.abc import Callable
from typing import Any

from poletype._engine.codes import code_label
from poletype._screening.fields import APPLICANT_FIELDS, ROLE, FieldDoc
from poletype._screening.header import code_of, country_of, fold, say, says_unknown, shown
from poletype.model import Initiative
from poletype.rulefile import Text

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


_EMPTY_MEANS = frozenset({f"members.{ROLE}", "members.count"})
"""Columns whose empty cell is a value (member, one organisation), not an unknown."""


_BOOLEAN_HINT = "oui/non (or vrai/faux, yes/no, 1/0, x)"


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class CellError(Exception):
    """A cell that cannot be read, worded in French and English (``data/reading.yaml``)."""

    def __init__(self, key: str, text: Text | None = None, **params: str) -> None:
        self.text = text if text is not None else say(key, **params)
        self.message = self.text.en
        super().__init__(self.message)


def fold_case(text: str) -> str:
    """Lower case without accents, blanks or a final stop: ``" Oui. "`` and ``"oui"`` match."""
    return fold(text)


def read_cell(cell: Any, doc: FieldDoc) -> Any:
    """A cell's value for a column, ``None`` when empty (unknown); `CellError` if unreadable.

    ``NSP``, ``ne sait pas`` and ``?`` say the fact is not known: an unknown, as empty;
    but where an empty cell has a meaning of its own (a members-sheet row's ``role`` is
    then ``member``, its ``count`` one), such a cell cannot be read as empty.
    """
    if is_blank(cell):
        return None
    if says_unknown(cell):
        if doc.path in _EMPTY_MEANS:
            raise CellError("unknown_value", found=shown(cell))
        return None
    if doc.path == "country":
        return _country(cell, doc)
    reader = _CELL_READERS[doc.kind]
    return reader(cell, doc)


def _country(cell: Any, doc: FieldDoc) -> str:
    code = country_of(_text(cell, doc))
    if code is None:
        raise CellError("expected_country", found=shown(cell))
    return code


def _text(cell: Any, doc: FieldDoc) -> str:
    if isinstance(cell, bool):
        raise CellError("expected_text", found=shown(cell))
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
    expected = "expected_year" if doc.path == "founded" else "expected_integer"
    if isinstance(cell, bool | datetime.date | datetime.time):
        raise CellError(expected, found=shown(cell))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError(expected, found=f"{cell:g}")
    try:
        number = float(_number_text(str(cell)))
    except ValueError:
        raise CellError(expected, found=shown(cell)) from None
    if not number.is_integer():
        raise CellError(expected, found=shown(cell))
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
        raise CellError("expected_number", found=shown(cell)) from None


def _share(cell: Any, doc: FieldDoc) -> float:
    try:
        value = _float(cell, percent=True)
    except ValueError:
        raise CellError("expected_share", found=shown(cell)) from None
    if not 0.0 <= value <= 1.0:
        raise CellError("expected_share", found=shown(cell))
    return value


def _boolean(cell: Any, doc: FieldDoc) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    word = _BOOLEANS.get(fold_case(str(cell)))
    if word is None:
        raise CellError("expected_boolean", found=shown(cell))
    return word


def _code(text: str, doc: FieldDoc) -> str:
    """A code from the code itself or the template's French or English words for it."""
    code = code_of(text, doc)
    if code is not None:
        return code
    error = say("expected_code", allowed=_allowed_words(doc), found=text.strip())
    close = _closest(text, doc)
    if close is not None:
        label = code_label(doc.path, close)
        also = say("did_you_mean", close=Text(fr=close if label is None else label.fr, en=close))
        error = Text(fr=error.fr + also.fr, en=error.en + also.en)
    raise CellError("expected_code", error)


def _closest(text: str, doc: FieldDoc) -> str | None:
    """The code whose French words or code a mistyped cell is closest to, if any is close.

    A French reader is offered the words the drop-down shows (``association de l'ESS``),
    not the code, so both are compared.
    """
    options: dict[str, str] = {}
    for code in doc.allowed:
        label = code_label(doc.path, code)
        if label is not None:
            options.setdefault(fold_case(label.fr), code)
        options.setdefault(code, code)
    folded = fold_case(text)
    close = difflib.get_close_matches(folded, options, n=1)
    if not close:
        close = difflib.get_close_matches(re.sub(r"[\s-]+", "_", folded), options, n=1)
    return options[close[0]] if close else None


def _allowed_words(doc: FieldDoc) -> Text:
    """The allowed values as a French reader types them (with the code), and the codes."""
    french = []
    for code in doc.allowed:
        label = code_label(doc.path, code)
        french.append(code if label is None or label.fr == code else f"{label.fr} ({code})")
    return Text(fr=", ".join(french), en=", ".join(doc.allowed))


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
            errors.append(exc.text)
    if errors:
        joined = Text(fr=" ; ".join(e.fr for e in errors), en="; ".join(e.en for e in errors))
        raise CellError("expected_code", joined)
    return values


def _date(cell: Any, doc: FieldDoc) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = str(cell).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # The French way a date is typed: 15/03/2016.
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CellError("expected_date", found=shown(cell)) from None


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
    """An initiative as one applicant row and its members-sheet rows, keyed by column.

    Absent facts have no cell. ``snapshots`` are not flattened: a spreadsheet has no
    place for history. Member rows carry the initiative's ``id`` as ``applicant_id``;
    partners follow the members, with the role ``partner`` (a member's role is left
    empty, as the template's default).
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
    for name, role in (("members", None), ("partners", "partner")):
        for member in data.get(name) or []:
            cells = {"applicant_id": initiative.id or ""}
            cells.update({k: format_cell(v) for k, v in member.items() if v is not None})
            if role is not None:
                cells[ROLE] = role
            member_rows.append(cells)
    return row, member_rows
