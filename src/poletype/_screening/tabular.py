"""Applicants in bulk: rows of a spreadsheet, lines of JSON, or a folder of files.

A funder screens every application received, so nothing may be lost on the way in: each
input row gives exactly one `Applicant`, either an `Initiative` or a `RowError` that says
which row and column is wrong and why, and reading goes on. Only a broken file as a whole
(an unknown column, an unreadable workbook) stops the reading, before any row is given.

Spreadsheet cells are read the way people fill them in: an empty cell is an unknown
fact, never "no"; ``oui``/``non`` and their friends are booleans; ``0,6`` and ``60 %``
are shares; lists of codes are separated by ``;``. Members sit in a second sheet (or CSV
file), one row per member, tied to their applicant by ``applicant_id``; partners (format
1.1) sit there too, with the ``role`` partner, and a row's ``count`` makes it stand for that
many organisations of its description.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poletype._read.documents import is_json, read_document
from poletype._read.json import load_json
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._read.yaml import line_of
from poletype._screening.cells import fold_case, is_blank
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS, FieldDoc
from poletype._screening.header import (
    NO_MAPPING,
    SCAN_ROWS,
    CellNote,
    ColumnMapping,
    Header,
    expected_sibling,
    find_header,
    member_sibling,
    say,
)
from poletype._screening.rows import (
    Row,
    RowError,
    column_letter,
    read_row,
    row_error,
    sheet_prefix,
    sort_lists,
    stated,
    validate,
    validate_forgiving,
)
from poletype._screening.sheets import (
    SPREADSHEETS,
    BadRow,
    Sheet,
    make_sheet,
    read_csv,
    read_members_file,
    read_workbook,
    why,
)
from poletype._screening.spill import Counted, MemberIndex
from poletype._screening.text import text_lines
from poletype.errors import ErrorCode, InitiativeError, PoletypeError
from poletype.model import Initiative
from poletype.rulefile import Text

__all__ = ["Applicant", "RowError", "read_applicants", "read_rows"]

_FOLDER_FILES = (".yaml", ".yml", ".json")
_BRACKETED = re.compile(r"\[\s*([^\[\]]*?)\s*\]\s*$")


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
    notes: tuple[CellNote, ...] = ()
    """Cells that could not be read: their facts are unknown, the applicant still screened."""
    extra: tuple[tuple[str, str], ...] = ()
    """The row's cells in columns poletype does not read, by header, carried through."""

    @property
    def label(self) -> str:
        """How a report names the applicant: its id, else its name, else its row."""
        if self.initiative is not None:
            return self.initiative.id or self.initiative.name
        return self.stated_id or self.stated_name or f"row {self.row}"


def read_applicants(
    path: Path,
    *,
    members: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
    mapping: ColumnMapping = NO_MAPPING,
    header_row: int | None = None,
    notices: list[Text] | None = None,
) -> Counted[Applicant]:
    """Every applicant of a CSV, XLSX or JSON Lines file, or of a folder of initiatives.

    Errors of the file as a whole are raised now, as `InitiativeError`; errors of a row
    come out as applicants with a `RowError`, in input order, one per row. ``members``
    is a separate members sheet (CSV or XLSX) for a spreadsheet input; without it a CSV's
    sibling ``STEM-members.csv`` or ``STEM-membres.csv`` is read when it exists.
    ``limits`` bounds what a spreadsheet may cost (bytes, rows, cells, one cell, one
    XLSX part); a file over a bound is refused before the work the bound protects.
    ``mapping`` is a funder's own column names and words, ``header_row`` the sheet row
    of the header when the search should not guess it; what the reading notices about
    the file as a whole (unread columns, no members sheet) is appended to ``notices``.
    Rows are read as they are asked for; the iterator says how many it expects.
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
        records, count = _folder(path) if path.is_dir() else _json_lines(path)
        return Counted(_documents(records), count)
    if suffix in SPREADSHEETS:
        applicants, member_sheet = read_workbook(path, limits, want_members=members is None)
    elif suffix in (".csv", ".tsv", ".txt"):
        applicants = read_csv(path, limits)
        sibling = None if members is not None else member_sibling(path)
        member_sheet = None if sibling is None else read_csv(sibling, limits)
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
    found: list[Text] = [] if notices is None else notices
    if member_sheet is None:
        expected = expected_sibling(path) if suffix not in SPREADSHEETS else "membres"
        found.append(say("no_members", section="notices", expected=expected))
    spreadsheet = _Spreadsheet(applicants, member_sheet, limits, mapping, header_row, found)
    return Counted(spreadsheet.applicants(), len(spreadsheet.sheet.rows))


def read_rows(
    source: str,
    header: Sequence[Any],
    rows: Iterator[Sequence[Any]],
    *,
    members: tuple[str, Sequence[Any], Iterator[Sequence[Any]]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Applicant]:
    """Every applicant of rows already split into cells, read as a spreadsheet is.

    For tables that are not files (a researcher's data frame): the header names fields
    as a sheet's first row does, each row is one applicant, and ``members`` is a second
    table (its source, header and rows) keyed by ``applicant_id``. Cells go through the
    same readers, limits and errors as a screened spreadsheet's; rows are numbered from
    2, as below a header row. A header error (an unknown column) is raised now.
    """
    sheet = make_sheet(source, itertools.chain([header], rows), limits)
    member_sheet = None
    if members is not None:
        member_source, member_header, member_rows = members
        member_sheet = make_sheet(
            member_source, itertools.chain([member_header], member_rows), limits
        )
    return _Spreadsheet(sheet, member_sheet, limits).applicants()


def _column_key(cell: Any) -> str | None:
    text = "" if cell is None else str(cell).strip()
    if not text:
        return None
    bracketed = _BRACKETED.search(text)
    return bracketed.group(1) if bracketed else text


def _unknown_column(
    sheet: Sheet,
    index: int,
    cell: Any,
    key: str,
    fields: dict[str, FieldDoc],
    *,
    members: bool,
) -> InitiativeError:
    message = f"column {column_letter(index)}: unknown column {str(cell).strip()!r}"
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


@dataclass
class _Spreadsheet:
    """Applicant rows joined with their member rows."""

    sheet: Sheet
    member_sheet: Sheet | None
    limits: Limits = DEFAULT_LIMITS
    mapping: ColumnMapping = NO_MAPPING
    header_row: int | None = None
    notices: list[Text] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Headers are checked now, so that a broken file fails before any row is read.
        header = _locate(self.sheet, APPLICANT_FIELDS, self.mapping, self.header_row, self.notices)
        self.keys = header.keys
        self.spans = merged_spans(header)
        self.extra = _extra_columns(self.sheet, header, self.notices)
        self.member_rows: MemberIndex[Row] = MemberIndex()
        if self.member_sheet is not None:
            member = _locate(self.member_sheet, MEMBER_FIELDS, self.mapping, None, self.notices)
            keys = _check_members(self.member_sheet, member)
            member_spans = merged_spans(member)
            prefix = sheet_prefix(self.member_sheet.source)
            for number, cells in self.member_sheet.rows:
                row = read_row(
                    number,
                    cells,
                    keys,
                    MEMBER_FIELDS,
                    self.limits,
                    mapping=self.mapping,
                    sheet=prefix,
                    spans=member_spans,
                )
                owner = row.data.pop("applicant_id", None)
                self.member_rows.append((row, owner))

    def applicants(self) -> Iterator[Applicant]:
        members_of = self.member_rows
        first_row: dict[str, int] = {}
        for number, cells in self.sheet.rows:
            try:
                row = read_row(
                    number,
                    cells,
                    self.keys,
                    APPLICANT_FIELDS,
                    self.limits,
                    extra=self.extra,
                    mapping=self.mapping,
                    spans=self.spans,
                )
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
        self, row: Row, members_of: MemberIndex[Row], first_row: dict[str, int]
    ) -> Applicant:
        source = self.sheet.source
        ident = row.data.get("id")
        errors: list[tuple[str | None, str | Text]] = list(row.errors)
        members: list[Row] = []
        if ident is not None and ident in first_row:
            errors.insert(0, ("id", say("duplicate_id", id=ident, first=first_row[ident])))
        elif ident is not None:
            first_row[ident] = row.number
            members = members_of.get(ident, [])
        member_source = self.member_sheet.source if self.member_sheet else ""
        where = sheet_prefix(member_source).removesuffix("!") if member_source else ""
        for member in members:
            errors.extend(
                (
                    f"members.{column}" if column else "members",
                    say("member_row", source=where, row=member.number, message=message)
                    if isinstance(message, Text)
                    else f"{member_source} row {member.number}: {message}",
                )
                for column, message in member.errors
            )
        lists = sort_lists(members)
        notes = list(row.notes) + lists.notes
        name = row.data.get("name")
        extra = tuple(row.extra)
        if errors:
            code = row.code or next((m.code for m in members if m.code), None)
            error = row_error(row.number, source, errors, code, row.cells)
            return Applicant(
                row.number, source, None, error, ident, name, notes=tuple(notes), extra=extra
            )
        data = dict(row.data)
        for field_name, listed in lists.rows.items():
            if listed:
                data[field_name] = [dict(member.data) for member in listed]
        for field_name in lists.open:
            data[f"{field_name}_complete"] = False
        prefix = sheet_prefix(member_source) if member_source else ""

        def reference(loc: tuple[Any, ...]) -> str | None:
            if len(loc) > 2 and loc[0] in lists.rows and isinstance(loc[1], int):
                entry = lists.rows[loc[0]][loc[1]]
                return entry.cells.get(str(loc[2])) or f"{prefix}{entry.number}"
            return row.cells.get(".".join(str(p) for p in loc))

        result, refused = validate_forgiving(data, reference)
        all_notes = (*notes, *refused)
        if isinstance(result, Initiative):
            return Applicant(row.number, source, result, None, notes=all_notes, extra=extra)
        error = row_error(row.number, source, result, cells=row.cells)
        return Applicant(row.number, source, None, error, ident, name, notes=all_notes, extra=extra)

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
                f"; also {column}: {_english(text)}" if column else f"; also {_english(text)}"
                for column, text in row.errors
            )
            worded = None
            if owner is not None and not row.errors:
                worded = say("no_applicant", id=owner, source=self.sheet.source)
            error = RowError(
                row=row.number,
                column="applicant_id",
                message=message,
                source=source,
                code=row.code,
                text=worded,
                cell=row.cells.get("applicant_id"),
            )
            yield Applicant(row.number, source, None, error, stated_id=owner)


def _english(message: str | Text) -> str:
    return message.en if isinstance(message, Text) else message


def _locate(
    sheet: Sheet,
    fields: dict[str, FieldDoc],
    mapping: ColumnMapping,
    header_row: int | None,
    notices: list[Text],
) -> Header:
    """Find the sheet's header (`find_header`), drop the rows above it, say what was done."""
    members = fields is MEMBER_FIELDS
    readable = ((n, cells) for n, cells in sheet.rows if not isinstance(cells, BadRow))
    candidates = [(1, sheet.header), *itertools.islice(readable, SCAN_ROWS)]
    found = find_header(
        candidates, fields, mapping, members=members, header_row=header_row, source=sheet.source
    )
    if found is None:
        if not sheet.rows and not any(not is_blank(c) for c in sheet.header):
            return Header(1, None, (), [], [])
        first = next((i for i, c in enumerate(sheet.header) if not is_blank(c)), 0)
        cell = sheet.header[first] if sheet.header else ""
        key = _column_key(cell) or ""
        raise _unknown_column(sheet, first, cell, key, fields, members=members)
    header, _ = found
    titles = [n for n in header.skipped if n != 1 or any(not is_blank(c) for c in sheet.header)]
    sheet.header = list(dict(candidates)[header.row])
    sheet.rows = sheet.rows.after(lambda item: item[0] <= header.row)
    where = Path(sheet.source).name
    if header.upper is not None:
        upper = header.upper
        notices.append(
            say("two_row_header", section="notices", source=where, upper=upper, row=header.row)
        )
    elif titles:
        notices.append(say("header_row", section="notices", source=where, row=header.row))
    duplicates: dict[str, list[int]] = {}
    for index, named in enumerate(header.keys):
        if named is not None:
            duplicates.setdefault(named, []).append(index)
    twice = {k: v for k, v in duplicates.items() if len(v) > 1}
    if twice:
        said = "; ".join(
            f"columns {' and '.join(column_letter(i) for i in v)} both name {k!r}"
            for k, v in twice.items()
        )
        raise InitiativeError(
            said,
            code="duplicate-column",
            file=sheet.source,
            line=header.row,
            expected="each field in one column",
        )
    return header


def merged_spans(header: Header) -> dict[int, tuple[int, ...]]:
    """Each header cell merged over a field's columns: its first column, then the others.

    The merged cell names its field for every column under it (each repeats its label),
    so a row's answer may sit in any of them (`poletype._screening.rows.read_row`).
    """
    names = header.names
    copies = {
        i
        for i in header.merged_copies
        if 0 < i < len(names) and names[i] and names[i] == names[i - 1]
    }
    spans: dict[int, list[int]] = {}
    for index in sorted(copies):
        first = index
        while first in copies:
            first -= 1
        if first < len(header.keys) and header.keys[first] is not None:
            spans.setdefault(first, []).append(index)
    return {first: tuple(rest) for first, rest in spans.items()}


def _extra_columns(sheet: Sheet, header: Header, notices: list[Text]) -> dict[int, str]:
    """The unread columns carried through, by index: named by header, or by letter.

    A column with a header poletype does not know is carried even when empty (its
    header says it exists); a column without a header, or a merged header cell's copy,
    only when a row holds a value in it.
    """
    used: set[int] = set()
    for _, cells in sheet.rows:
        if not isinstance(cells, BadRow):
            used.update(i for i, c in enumerate(cells) if not is_blank(c))
    width = max([len(header.keys), *(i + 1 for i in used)], default=0)
    names: dict[int, str] = {}
    taken: set[str] = set()
    spanned = {i for rest in merged_spans(header).values() for i in rest}
    for index in range(width):
        if index < len(header.keys) and header.keys[index] is not None:
            continue
        if index in spanned:
            continue  # read with its field, under the merged header
        named = header.names[index] if index < len(header.names) else ""
        if not (named and index not in header.merged_copies) and index not in used:
            continue
        name = named or column_letter(index)
        base, count = name, 1
        while name in taken:
            count += 1
            name = f"{base} ({count})"
        taken.add(name)
        names[index] = name
    if names:
        listed = ", ".join(f"{n} ({column_letter(i)})" for i, n in names.items())
        notices.append(say("unknown_columns", section="notices", columns=listed))
    return names


def _check_members(sheet: Sheet, header: Header) -> list[str | None]:
    if sheet.rows and "applicant_id" not in header.keys:
        raise InitiativeError(
            "the members sheet has no applicant_id column, so its rows belong to no applicant",
            code="missing-column",
            file=sheet.source,
            line=header.row,
            expected="a column applicant_id holding each member's applicant id",
            found=", ".join(n for n in header.names if n) or "no header",
        )
    return header.keys


@dataclass
class _Document:
    """One parsed document (a JSON line, a file) or why it could not be parsed."""

    row: int
    source: str
    data: Any = None
    error: str | None = None
    lines: bool = False
    code: ErrorCode | None = None


def _json_lines(path: Path) -> tuple[Iterator[_Document], int]:
    """Each line's document as it is read (the file checked now), and about how many."""
    source = str(path)
    # Not splitlines(): a JSON string may hold U+2028, which it counts as a line break.
    lines, count = text_lines(path)

    def documents() -> Iterator[_Document]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield _Document(number, source, data=load_json(line, file=source))
            except InitiativeError as exc:
                yield _Document(number, source, error=exc.message, code=exc.code)

    return documents(), count


def _folder(path: Path) -> tuple[Iterator[_Document], int]:
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_FILES),
        key=lambda p: p.name,
    )
    documents = (_file_document(index, file) for index, file in enumerate(files, start=1))
    return documents, len(files)


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


def _documents(documents: Iterable[_Document]) -> Iterator[Applicant]:
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
    stated_id, stated_name = stated(data, "id"), stated(data, "name")
    if document.error is not None:
        error = RowError(row, None, document.error, source, document.code)
        return Applicant(row, source, None, error)
    if not isinstance(data, dict):
        message = f"expected an object of initiative fields, found {type(data).__name__}"
        return Applicant(row, source, None, RowError(row, None, message, source))

    def where(loc: tuple[Any, ...]) -> str:
        line = line_of(data, loc) if document.lines else None
        return "" if line is None else f"line {line}: "

    result = validate(data, where)
    if not isinstance(result, Initiative):
        error = row_error(row, source, result)
        return Applicant(row, source, None, error, stated_id, stated_name)
    if result.id is not None and result.id in first_row:
        first, first_source = first_row[result.id]
        where_first = f"row {first}" if first_source == source else f"{first_source}"
        error = RowError(
            row, "id", f"duplicate id {result.id!r}, already used at {where_first}", source
        )
        return Applicant(row, source, None, error, stated_id, stated_name)
    if result.id is not None:
        first_row[result.id] = (row, source)
    return Applicant(row, source, result, None)
