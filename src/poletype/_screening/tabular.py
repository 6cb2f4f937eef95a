"""Applicants in bulk: rows of a spreadsheet, lines of JSON, or a folder of files.

A funder screens every application received, so nothing may be lost on the way in: each
input row gives exactly one `Applicant`, either an `Initiative` or a `RowError` that says
which row and column is wrong and why, and reading goes on. Only a broken file as a whole
(an unknown column, an unreadable workbook) stops the reading, before any row is given.

Spreadsheet cells are read the way people fill them in: an empty cell is an unknown
fact, never "no"; ``oui``/``non`` and their friends are booleans; ``0,6`` and ``60 %``
are shares; lists of codes are separated by ``;``. Members sit in a second sheet (or CSV
file), one row per member, tied to their applicant by ``applicant_id``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype._read.documents import is_json, read_document
from poletype._read.json import load_json
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._read.yaml import line_of
from poletype._screening.cells import CellError, fold_case, is_blank, read_cell, shown_value
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS, FieldDoc
from poletype._screening.sheets import (
    SPREADSHEETS,
    BadRow,
    Sheet,
    decode_text,
    read_csv,
    read_members_file,
    read_workbook,
    sibling_members,
    why,
)
from poletype.errors import ErrorCode, InitiativeError, PoletypeError
from poletype.model import Initiative

_FOLDER_FILES = (".yaml", ".yml", ".json")
_BRACKETED = re.compile(r"\[\s*([^\[\]]*?)\s*\]\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no one types in a cell; tab and line breaks are kept."""


@dataclass(frozen=True)
class RowError:
    """Why one input row could not be read, and where it is."""

    row: int
    column: str | None
    message: str
    source: str
    code: ErrorCode | None = None
    """The error code when the row failed on a limit or a broken file, not on a cell's value."""


@dataclass(frozen=True)
class Applicant:
    """One input row: its initiative, or the error that kept it from being read.

    ``stated_id`` and ``stated_name`` keep what an unreadable row says it is, so that a
    report can name it.
    """

    row: int
    source: str
    initiative: Initiative | None
    error: RowError | None
    stated_id: str | None = None
    stated_name: str | None = None

    @property
    def label(self) -> str:
        """How a report names the applicant: its id, else its name, else its row."""
        if self.initiative is not None:
            return self.initiative.id or self.initiative.name
        return self.stated_id or self.stated_name or f"row {self.row}"


def read_applicants(
    path: Path, *, members: Path | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Applicant]:
    """Every applicant of a CSV, XLSX or JSON Lines file, or of a folder of initiatives.

    Errors of the file as a whole are raised now, as `InitiativeError`; errors of a row
    come out as applicants with a `RowError`, in input order, one per row. ``members``
    is a separate members sheet (CSV or XLSX) for a spreadsheet input; without it a CSV's
    sibling ``STEM-members.csv`` or ``STEM-membres.csv`` is read when it exists.
    ``limits`` bounds what a spreadsheet may cost (bytes, rows, cells, one cell, one
    XLSX part); a file over a bound is refused before the work the bound protects.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".jsonl":
        if members is not None:
            raise InitiativeError(
                "a members file goes with a CSV or XLSX applicants file only",
                code="unreadable-input",
                file=str(members),
                found=f"applicants in {'a folder' if path.is_dir() else 'a JSON Lines file'}",
            )
        records = _folder(path) if path.is_dir() else _json_lines(path)
        return _documents(records)
    if suffix in SPREADSHEETS:
        applicants, member_sheet = read_workbook(path, limits, want_members=members is None)
    elif suffix in (".csv", ".tsv", ".txt"):
        applicants = read_csv(path, limits)
        member_sheet = None if members is not None else sibling_members(path, limits)
    else:
        raise InitiativeError(
            "cannot tell the format of the applicants file",
            code="unreadable-input",
            file=str(path),
            expected="a .csv, .xlsx or .jsonl file, or a folder of .yaml/.json files",
            found=repr(path.suffix or path.name),
        )
    if members is not None:
        member_sheet = read_members_file(Path(members), limits)
    return _Spreadsheet(applicants, member_sheet, limits).applicants()


# Headers -------------------------------------------------------------------------------


def _column_key(cell: Any) -> str | None:
    text = "" if cell is None else str(cell).strip()
    if not text:
        return None
    bracketed = _BRACKETED.search(text)
    return bracketed.group(1) if bracketed else text


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _columns(sheet: Sheet, fields: dict[str, FieldDoc], *, members: bool) -> list[str | None]:
    """The field key of each column (``None`` for a column without header), or raise."""
    keys: list[str | None] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(sheet.header):
        key = _column_key(cell)
        if key is not None and members:
            key = key.removeprefix("members.")
        if key is not None and key not in fields:
            raise _unknown_column(sheet, index, cell, key, fields, members=members)
        if key is not None and key in seen:
            raise InitiativeError(
                f"columns {_column_letter(seen[key])} and {_column_letter(index)} "
                f"both name {key!r}",
                code="duplicate-column",
                file=sheet.source,
                line=1,
                expected="each field in one column",
            )
        if key is not None:
            seen[key] = index
        keys.append(key)
    if members and sheet.rows and "applicant_id" not in seen:
        raise InitiativeError(
            "the members sheet has no applicant_id column, so its rows belong to no applicant",
            code="missing-column",
            file=sheet.source,
            line=1,
            expected="a column applicant_id holding each member's applicant id",
            found=", ".join(k for k in keys if k) or "no header",
        )
    return keys


def _unknown_column(
    sheet: Sheet,
    index: int,
    cell: Any,
    key: str,
    fields: dict[str, FieldDoc],
    *,
    members: bool,
) -> InitiativeError:
    message = f"column {_column_letter(index)}: unknown column {str(cell).strip()!r}"
    if not members and (key == "members" or key.startswith("members.")):
        message += (
            "; members go in a second sheet named 'membres' (or a CSV file "
            "NAME-membres.csv), one row per member, keyed by applicant_id"
        )
    labels = {fold_case(d.label.fr): k for k, d in fields.items()}
    labels.update({fold_case(d.label.en): k for k, d in fields.items()})
    suggestion = labels.get(fold_case(key))
    if suggestion is None:
        close = difflib.get_close_matches(key, list(fields), n=1)
        suggestion = close[0] if close else None
    return InitiativeError(
        message,
        code="unknown-column",
        file=sheet.source,
        line=1,
        expected="a field in dotted form (strategy.shared) or a header ending in "
        "[dotted.field], as `poletype template` writes",
        suggestion=suggestion,
    )


# Rows ----------------------------------------------------------------------------------


@dataclass
class _Row:
    """One sheet row read cell by cell: the nested data, and the cells that failed."""

    number: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    code: ErrorCode | None = None
    """The code of the first error that is not about a value (a limit, the file)."""

    def fail(self, column: str | None, code: ErrorCode, message: str) -> None:
        self.errors.append((column, message))
        self.code = self.code or code


def _read_row(
    number: int,
    cells: Sequence[Any] | BadRow,
    keys: list[str | None],
    fields: dict[str, FieldDoc],
    limits: Limits,
) -> _Row:
    """One row's data and errors; a `BadRow` is an error, with what its cells still say.

    Text is NFC-normalised, so that an id typed on a Mac (decomposed accents) and the
    same id typed elsewhere are equal when members join their applicant. A cell over
    ``limits.cell_bytes`` characters or holding a control character (NUL, escape...) is
    an error of its row: nothing a person types, and a hazard for every output.
    """
    if isinstance(cells, BadRow):
        seen = _read_row(number, cells.cells, keys, fields, limits)
        row = _Row(number, errors=[(None, cells.message)], code=cells.code)
        row.data = {k: v for k, v in seen.data.items() if k in ("id", "name", "applicant_id")}
        return row
    row = _Row(number)
    for index, cell in enumerate(cells):
        key = keys[index] if index < len(keys) else None
        if isinstance(cell, str):
            column = key or f"column {_column_letter(index)}"
            if len(cell) > limits.cell_bytes:
                message = f"the cell holds {len(cell)} characters, more than {limits.cell_bytes}"
                row.fail(column, "cell-too-large", message)
                continue
            control = _CONTROL.search(cell)
            if control is not None:
                message = (
                    f"the cell holds the control character U+{ord(control.group()):04X} "
                    f"at character {control.start() + 1}, which no one types; retype the cell"
                )
                row.fail(column, "control-character", message)
                continue
            cell = unicodedata.normalize("NFC", cell)  # noqa: PLW2901 -- the cell as read
        if key is None:
            if not is_blank(cell):
                row.errors.append(
                    (
                        f"column {_column_letter(index)}",
                        f"a value ({shown_value(cell)}) in column {_column_letter(index)}, "
                        "which has no header",
                    )
                )
            continue
        try:
            value = read_cell(cell, fields[key])
        except CellError as exc:
            row.errors.append((key, exc.message))
            continue
        if value is not None:
            _put(row.data, key.split("."), value)
    return row


def _put(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _row_error(
    row: int, source: str, errors: list[tuple[str | None, str]], code: ErrorCode | None = None
) -> RowError:
    column, message = errors[0]
    if len(errors) > 1:
        also = "; ".join(f"{c}: {m}" if c else m for c, m in errors[1:])
        message = f"{message} (also {also})"
    return RowError(row=row, column=column, message=message, source=source, code=code)


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


def _validate(
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


def _stated(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip() or None if isinstance(value, str) else None


@dataclass
class _Spreadsheet:
    """Applicant rows joined with their member rows."""

    sheet: Sheet
    member_sheet: Sheet | None
    limits: Limits = DEFAULT_LIMITS

    def __post_init__(self) -> None:
        # Headers are checked now, so that a broken file fails before any row is read.
        self.keys = _columns(self.sheet, APPLICANT_FIELDS, members=False)
        self.member_rows: list[tuple[_Row, str | None]] = []
        if self.member_sheet is not None:
            keys = _columns(self.member_sheet, MEMBER_FIELDS, members=True)
            for number, cells in self.member_sheet.rows:
                row = _read_row(number, cells, keys, MEMBER_FIELDS, self.limits)
                owner = row.data.pop("applicant_id", None)
                self.member_rows.append((row, owner))

    def applicants(self) -> Iterator[Applicant]:
        members_of: dict[str, list[_Row]] = {}
        for row, owner in self.member_rows:
            if owner is not None:
                members_of.setdefault(owner, []).append(row)
        first_row: dict[str, int] = {}
        for number, cells in self.sheet.rows:
            try:
                row = _read_row(number, cells, self.keys, APPLICANT_FIELDS, self.limits)
                yield self._applicant(row, members_of, first_row)
            except Exception as exc:
                message = f"the row could not be read ({why(exc)})"
                yield Applicant(
                    number,
                    self.sheet.source,
                    None,
                    RowError(number, None, message, self.sheet.source, "unreadable-input"),
                )
        yield from self._orphans(first_row)

    def _applicant(
        self, row: _Row, members_of: dict[str, list[_Row]], first_row: dict[str, int]
    ) -> Applicant:
        source = self.sheet.source
        ident = row.data.get("id")
        errors: list[tuple[str | None, str]] = list(row.errors)
        members: list[_Row] = []
        if ident is not None and ident in first_row:
            errors.insert(
                0, ("id", f"duplicate id {ident!r}, already used at row {first_row[ident]}")
            )
        elif ident is not None:
            first_row[ident] = row.number
            members = members_of.get(ident, [])
        member_source = self.member_sheet.source if self.member_sheet else ""
        for member in members:
            errors.extend(
                (
                    f"members.{column}" if column else "members",
                    f"{member_source} row {member.number}: {message}",
                )
                for column, message in member.errors
            )
        stated = {"stated_id": ident, "stated_name": row.data.get("name")}
        if errors:
            code = row.code or next((m.code for m in members if m.code), None)
            return Applicant(
                row.number, source, None, _row_error(row.number, source, errors, code), **stated
            )
        data = dict(row.data)
        if members:
            data["members"] = [member.data for member in members]

        def where(loc: tuple[Any, ...]) -> str:
            if len(loc) > 1 and loc[0] == "members" and isinstance(loc[1], int):
                return f"{member_source} row {members[loc[1]].number}: "
            return ""

        result = _validate(data, where)
        if isinstance(result, Initiative):
            return Applicant(row.number, source, result, None)
        return Applicant(row.number, source, None, _row_error(row.number, source, result), **stated)

    def _orphans(self, first_row: dict[str, int]) -> Iterator[Applicant]:
        if self.member_sheet is None:
            return
        source = self.member_sheet.source
        for row, owner in self.member_rows:
            if owner is not None and owner in first_row:
                continue
            if owner is None:
                message = "a member row without applicant_id belongs to no applicant"
            else:
                message = f"no applicant has the id {owner!r} (in {self.sheet.source})"
            message += "".join(
                f"; also {column}: {text}" if column else f"; also {text}"
                for column, text in row.errors
            )
            error = RowError(
                row=row.number,
                column="applicant_id",
                message=message,
                source=source,
                code=row.code,
            )
            yield Applicant(row.number, source, None, error, stated_id=owner)


# Documents -----------------------------------------------------------------------------


@dataclass
class _Document:
    """One parsed document (a JSON line, a file) or why it could not be parsed."""

    row: int
    source: str
    data: Any = None
    error: str | None = None
    lines: bool = False
    code: ErrorCode | None = None


def _json_lines(path: Path) -> list[_Document]:
    source = str(path)
    documents = []
    # Not splitlines(): a JSON string may hold U+2028, which it counts as a line break.
    for number, line in enumerate(decode_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_Document(number, source, data=load_json(line, file=source)))
        except InitiativeError as exc:
            documents.append(_Document(number, source, error=exc.message, code=exc.code))
    return documents


def _folder(path: Path) -> list[_Document]:
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_FILES),
        key=lambda p: p.name,
    )
    return [_file_document(index, file) for index, file in enumerate(files, start=1)]


def _file_document(index: int, file: Path) -> _Document:
    source = str(file)
    try:
        data = read_document(file)
    except PoletypeError as exc:
        where = "" if exc.line is None else f"line {exc.line}: "
        return _Document(index, source, error=where + exc.message, code=exc.code)
    except Exception as exc:
        message = f"the document could not be read ({why(exc)})"
        return _Document(index, source, error=message, code="unreadable-input")
    return _Document(index, source, data=data, lines=not is_json(file))


def _documents(documents: list[_Document]) -> Iterator[Applicant]:
    first_row: dict[str, tuple[int, str]] = {}
    for document in documents:
        try:
            yield _document_applicant(document, first_row)
        except Exception as exc:
            # Validation recurses: a deeply nested document may exhaust the stack.
            message = f"the document could not be read ({why(exc)})"
            error = RowError(document.row, None, message, document.source, "unreadable-input")
            yield Applicant(document.row, document.source, None, error)


def _document_applicant(document: _Document, first_row: dict[str, tuple[int, str]]) -> Applicant:
    row, source, data = document.row, document.source, document.data
    stated = {"stated_id": _stated(data, "id"), "stated_name": _stated(data, "name")}
    if document.error is not None:
        error = RowError(row, None, document.error, source, document.code)
        return Applicant(row, source, None, error)
    if not isinstance(data, dict):
        message = f"expected an object of initiative fields, found {type(data).__name__}"
        return Applicant(row, source, None, RowError(row, None, message, source))

    def where(loc: tuple[Any, ...]) -> str:
        line = line_of(data, loc) if document.lines else None
        return "" if line is None else f"line {line}: "

    result = _validate(data, where)
    if not isinstance(result, Initiative):
        return Applicant(row, source, None, _row_error(row, source, result), **stated)
    if result.id is not None and result.id in first_row:
        first, first_source = first_row[result.id]
        where_first = f"row {first}" if first_source == source else f"{first_source}"
        error = RowError(
            row, "id", f"duplicate id {result.id!r}, already used at {where_first}", source
        )
        return Applicant(row, source, None, error, **stated)
    if result.id is not None:
        first_row[result.id] = (row, source)
    return Applicant(row, source, result, None)
