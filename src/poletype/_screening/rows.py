"""One spreadsheet row read into an initiative's data, its notes and its errors.

A cell that cannot be read is a note on its applicant (the fact is unknown) unless it is
the row's id or name; a value the model refuses is set aside the same way. Below
`tabular`, which joins applicant rows with their member rows.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype._read.limits import Limits
from poletype._screening.cells import CellError, is_blank, read_cell
from poletype._screening.fields import LIST_OF_ROLE, LISTS, ROLE, FieldDoc, label
from poletype._screening.header import NO_MAPPING, CellNote, ColumnMapping, say, shown
from poletype._screening.sheets import BadRow
from poletype.errors import ErrorCode
from poletype.model import Initiative
from poletype.rulefile import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class RowError:
    """Why one input row could not be read, and where it is."""

    row: int
    column: str | None
    message: str
    source: str
    code: ErrorCode | None = None
    """The error code when the row failed on a limit or a broken file, not on a cell's value."""
    text: Text | None = None
    """The message in French and English for a report, when poletype worded it."""
    cell: str | None = None
    """Where the cell at fault is, as a spreadsheet names it (``B14``, ``membres!A5``)."""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class Row:
    """One sheet row read cell by cell: its data, its errors, its notes, its unread cells.

    An error stops the row (a bad id or name, a broken record); a note sets one fact
    aside as unknown and the row is still screened.
    """

    number: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str | None, str | Text]] = field(default_factory=list)
    code: ErrorCode | None = None
    """The code of the first error that is not about a value (a limit, the file)."""
    notes: list[CellNote] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    """Each field's cell reference (``D14``), for a note on a value refused later, or the
    row's error when the id or the name cannot be read."""

    def fail(self, column: str | None, code: ErrorCode | None, message: str | Text) -> None:
        self.errors.append((column, message))
        self.code = self.code or code


IDENTITY = frozenset({"id", "name", "applicant_id"})
"""The cells a row is known by: unreadable, they make the row an error, not a note."""


def read_row(
    number: int,
    cells: Sequence[Any] | BadRow,
    keys: list[str | None],
    fields: dict[str, FieldDoc],
    limits: Limits,
    *,
    extra: dict[int, str] | None = None,
    mapping: ColumnMapping = NO_MAPPING,
    sheet: str = "",
    spans: Mapping[int, tuple[int, ...]] | None = None,
) -> Row:
    """One row's data, errors and notes; a `BadRow` is an error, with what its cells say.

    Text is NFC-normalised, so that an id typed on a Mac (decomposed accents) and the
    same id typed elsewhere are equal when members join their applicant. A cell over
    ``limits.cell_bytes`` characters or holding a control character (NUL, escape...) is
    never read: an error of its row when it is the id or the name, else a note and an
    unknown fact. ``extra`` names the unread columns whose cells are carried through;
    ``sheet`` prefixes cell references (``membres!C5``). ``spans`` are merged header
    cells over a field's columns (`Header.spans`): see `_read_spans`.
    """
    if isinstance(cells, BadRow):
        seen = read_row(number, cells.cells, keys, fields, limits, mapping=mapping)
        row = Row(number, errors=[(None, cells.message)], code=cells.code)
        row.data = {k: v for k, v in seen.data.items() if k in ("id", "name", "applicant_id")}
        return row
    row = Row(number)
    extra = extra or {}
    if spans:
        cells = _read_spans(cells, spans, keys, row, lambda i: f"{sheet}{column_letter(i)}{number}")
    for index, cell in enumerate(cells):
        key = keys[index] if index < len(keys) else None
        if key is None:
            if index in extra and not is_blank(cell):
                row.extra.append((extra[index], shown(cell)))
            continue
        doc = fields[key]
        reference = f"{sheet}{column_letter(index)}{number}"
        problem: Text | None = None
        code: ErrorCode | None = None
        if isinstance(cell, str):
            control = _CONTROL.search(cell)
            if len(cell) > limits.cell_bytes:
                problem = say("cell_too_large", length=len(cell), limit=limits.cell_bytes)
                code = "cell-too-large"
            elif control is not None:
                point, position = f"{ord(control.group()):04X}", control.start() + 1
                problem = say("control_character", point=point, position=position)
                code = "control-character"
            else:
                cell = unicodedata.normalize("NFC", cell)  # noqa: PLW2901 -- the cell as read
        if problem is None:
            try:
                value = read_cell(mapping.value(doc.path, cell), doc)
            except CellError as exc:
                problem = exc.text
        if problem is not None:
            if key in IDENTITY:
                row.cells[key] = reference
                row.fail(key, code, problem)
            else:
                row.notes.append(CellNote(doc.path, reference, problem))
            continue
        row.cells[key] = reference
        if value is not None:
            _put(row.data, key.split("."), value)
    return row


@dataclass
class Lists:
    """An applicant's members-sheet rows sorted by role into ``members`` and ``partners``.

    The rows are copies, without their ``role``; the notes are every row's, amended.

    ``open`` names the lists that may hold more than their rows say: a row whose role
    cannot be read belongs to either list, and a row whose count cannot be read stands
    for at least one organisation. Such a list is read as partial, never as complete.
    """

    rows: dict[str, list[Row]]
    open: set[str]
    notes: list[CellNote]


def sort_lists(rows: Sequence[Row]) -> Lists:
    """Each row into the list its ``role`` says (``member`` when empty); notes amended.

    An unreadable role sets its row aside (its note says so) and opens both lists; an
    unreadable count, or one below 1, is read as one organisation and opens the row's
    list. A partner row's other notes name the partner's field (``partners.kind``).
    """
    role_field, count_field = f"members.{ROLE}", "members.count"
    lists: dict[str, list[Row]] = {name: [] for name in LISTS}
    opened: set[str] = set()
    notes: list[CellNote] = []
    for read in rows:
        row = dataclasses.replace(read, data=dict(read.data), notes=list(read.notes))
        name = LIST_OF_ROLE[row.data.pop(ROLE, "member")]
        count = row.data.get("count")
        if isinstance(count, int) and count < 1:
            del row.data["count"]
            problem = say("too_small", bound=1, found=count)
            row.notes.append(CellNote(count_field, row.cells.get("count"), problem))
        fields = {n.field for n in row.notes}
        if role_field in fields:
            bad, why = {role_field, count_field}, say("role_unread")
            opened.update(LISTS)
        elif count_field in fields:
            bad, why = {count_field}, say(f"count_unread_{name}")
            opened.add(name)
        else:
            bad, why = set(), None
        for note in row.notes:
            field = note.field or ""
            if why is not None and field in bad:
                fr, en = f"{note.message.fr} ; {why.fr}", f"{note.message.en}; {why.en}"
                note = CellNote(note.field, note.cell, Text(fr=fr, en=en))  # noqa: PLW2901
            elif name == "partners" and role_field not in fields and field.startswith("members."):
                partner = "partners." + field.removeprefix("members.")
                note = CellNote(partner, note.cell, note.message)  # noqa: PLW2901
            notes.append(note)
        if role_field not in fields:
            lists[name].append(row)
    return Lists(lists, opened, notes)


def _put(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def row_error(
    row: int,
    source: str,
    errors: Sequence[tuple[str | None, str | Text]],
    code: ErrorCode | None = None,
    cells: Mapping[str, str] | None = None,
) -> RowError:
    """One error for a row from its problems: the first, then ``(also …)`` the others.

    ``cells`` gives each field's cell reference, so the error names the first one's.
    """
    texts = [(c, m if isinstance(m, Text) else Text(fr=m, en=m)) for c, m in errors]
    column, first = texts[0]
    worded: dict[str, str] = {}
    for lang, also_word, separator in (("fr", "aussi", " ; "), ("en", "also", "; ")):
        message = getattr(first, lang)
        if len(texts) > 1:
            also = separator.join(
                f"{getattr(label(c), lang)}{colon_of(lang)}{getattr(m, lang)}"
                if c
                else getattr(m, lang)
                for c, m in texts[1:]
            )
            message = f"{message} ({also_word} {also})"
        worded[lang] = message
    text = Text(fr=worded["fr"], en=worded["en"])
    cell = (cells or {}).get(column) if column is not None else None
    return RowError(
        row=row, column=column, message=text.en, source=source, code=code, text=text, cell=cell
    )


def _read_spans(
    cells: Sequence[Any],
    spans: Mapping[int, tuple[int, ...]],
    keys: list[str | None],
    row: Row,
    where: Callable[[int], str],
) -> list[Any]:
    """A row's cells with each merged header's columns read as the field's one cell.

    A merged header cell names its field for every column under it, so the applicant's
    answer may be in any of them: the one filled cell is the field's value, wherever it
    is. Two cells filled alike are one answer. Two cells filled differently contradict
    each other: the fact is unknown, and a note names both cells and values, for the
    officer to settle. The other columns of the span are never carried through.
    """
    cells = list(cells)
    for first, rest in spans.items():
        filled = [
            (i, cells[i]) for i in (first, *rest) if i < len(cells) and not is_blank(cells[i])
        ]
        for i in rest:
            if i < len(cells):
                cells[i] = None
        if first >= len(cells):
            continue
        values = {shown(value) for _, value in filled}
        if len(values) <= 1:
            cells[first] = filled[0][1] if filled else None
            continue
        cells[first] = None
        listed = {
            lang: ", ".join(
                f"« {shown(v)} » ({where(i)})" if lang == "fr" else f"'{shown(v)}' ({where(i)})"
                for i, v in filled
            )
            for lang in ("fr", "en")
        }
        message = say("merged_conflict", values=Text(fr=listed["fr"], en=listed["en"]))
        row.notes.append(CellNote(keys[first], where(first), message))
    return cells


def colon_of(lang: str) -> str:
    """A label's colon: French typography puts a space before it."""
    return " : " if lang == "fr" else ": "


def _plain(error: Any) -> str:
    """A pydantic error as a sentence: what was expected, what was found."""
    if error["type"] == "missing":
        return "required, but absent"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    found = error.get("input")
    if isinstance(found, dict | list):
        return message
    return f"{message}, found {found!r}"


_LIST_WORDS = {
    "members": Text(fr="membres", en="member"),
    "partners": Text(fr="partenaires", en="partner"),
}


def _worded(error: Any) -> Text:
    """A pydantic error in a programme officer's words, French and English, no Python."""
    kind = str(error["type"])
    found = error.get("input")
    shown_found = "" if isinstance(found, dict | list) or found is None else shown(found)
    context = error.get("ctx") or {}
    field_name = str(error["loc"][-1]) if error["loc"] else ""
    if kind == "missing":
        return say("required")
    if kind == "too_many_members":
        named = _LIST_WORDS.get(str(context.get("field")), _LIST_WORDS["members"])
        return say(
            "too_many_members",
            list=named,
            count=context.get("count", ""),
            limit=context.get("limit", ""),
        )
    if kind == "extra_forbidden":
        return say("unknown_field")
    if field_name == "country":
        return say("expected_country", found=shown_found)
    if kind in ("greater_than_equal", "greater_than"):
        return say("too_small", bound=context.get("ge", context.get("gt")), found=shown_found)
    if kind in ("less_than_equal", "less_than"):
        return say("too_large", bound=context.get("le", context.get("lt")), found=shown_found)
    generic = say("invalid", found=shown_found)
    if kind == "value_error":
        # A rule of the model across fields: its own English sentence says which.
        own = str(error["msg"]).removeprefix("Value error, ")
        return say("inconsistent", own=own)
    return generic


def validate(
    data: dict[str, Any], where: Callable[[tuple[Any, ...]], str]
) -> Initiative | list[tuple[str | None, str]]:
    """The initiative, or each field at fault as (dotted column, message)."""
    try:
        return Initiative.model_validate(data)
    except ValidationError as exc:
        errors: list[tuple[str | None, str]] = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            column = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
            errors.append((column, where(loc) + _plain(error)))
        return errors


def _drop(data: Any, loc: tuple[Any, ...]) -> bool:
    """Remove the value at ``loc`` from nested data; whether there was one to remove."""
    for part in loc[:-1]:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        ):
            data = data[part]
        else:
            return False
    if isinstance(data, dict) and loc and loc[-1] in data:
        del data[loc[-1]]
        return True
    return False


def validate_forgiving(
    data: dict[str, Any], reference: Callable[[tuple[Any, ...]], str | None]
) -> tuple[Initiative | list[tuple[str | None, Text]], list[CellNote]]:
    """The initiative with each refused fact set aside as unknown, and a note for each.

    A value the model refuses (``country`` ``France2``, a year out of range) is removed
    and validation runs again; only a problem of the id, the name or the row as a whole
    (a rule across fields, a required fact absent) is an error of the row.
    """
    notes: list[CellNote] = []
    for _ in range(64):
        try:
            return Initiative.model_validate(data), notes
        except ValidationError as exc:
            fatal: list[tuple[str | None, Text]] = []
            dropped = False
            for error in exc.errors():
                if _count_set_aside(data, error, reference, notes):
                    dropped = True
                    continue
                loc = tuple(error["loc"])
                path = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
                own = loc and not (len(loc) == 1 and loc[0] in IDENTITY)
                if own and error["type"] != "missing" and _drop(data, loc):
                    notes.append(CellNote(path, reference(loc), _worded(error)))
                    dropped = True
                else:
                    fatal.append((path, _worded(error)))
            if fatal or not dropped:
                return fatal, notes
    return [(None, say("invalid", found=""))], notes


_COUNT_ERRORS = frozenset({"member_count_below_list", "member_count_contradicts_list"})


def _count_set_aside(
    data: dict[str, Any],
    error: Any,
    reference: Callable[[tuple[Any, ...]], str | None],
    notes: list[CellNote],
) -> bool:
    """A ``member_count`` at odds with the members sheet set aside, and a note; whether it was.

    Below what the sheet names, the number is wrong. Against a list said to be complete,
    either may be: the number is set aside and the list read as partial, which holds
    whichever of the two is right.
    """
    kind = str(error["type"])
    if kind not in _COUNT_ERRORS or "member_count" not in data:
        return False
    context = error.get("ctx") or {}
    del data["member_count"]
    if kind == "member_count_contradicts_list":
        data["members_complete"] = False
    message = say(kind, count=context.get("count", ""), named=context.get("named", ""))
    notes.append(CellNote("member_count", reference(("member_count",)), message))
    return True


def stated(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def sheet_prefix(source: str) -> str:
    """How a cell reference names another sheet: ``membres!`` or ``x-membres.csv!``."""
    name = source.rsplit(":", 1)[1] if re.search(r"\.xls[xm]:", source) else Path(source).name
    return f"{name}!"
