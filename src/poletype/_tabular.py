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

import csv
import datetime
import difflib
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype._api import is_json, read_document
from poletype._fields import APPLICANT_FIELDS, MEMBER_FIELDS, FieldDoc
from poletype._header import (
    NO_MAPPING,
    CellNote,
    ColumnMapping,
    Header,
    code_of,
    country_of,
    expected_sibling,
    fill_merged,
    find_header,
    member_sibling,
    merged_ranges,
    say,
    says_unknown,
    sep_line,
    shown,
)
from poletype._header import (
    fold as _header_fold,
)
from poletype._json import load_json
from poletype._limits import DEFAULT_LIMITS, Limits
from poletype._yaml import line_of
from poletype.errors import ErrorCode, InitiativeError, PoletypeError
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
_BOOLEAN_HINT = "oui/non (or vrai/faux, yes/no, 1/0, x)"
_MEMBER_SHEETS = frozenset({"members", "membres"})
_APPLICANT_SHEETS = ("candidatures", "applicants", "applications")
_OTHER_SHEETS = frozenset({"notes", "listes", "lists"})
_SPREADSHEETS = (".xlsx", ".xlsm")
_FOLDER_FILES = (".yaml", ".yml", ".json")
_BRACKETED = re.compile(r"\[\s*([^\[\]]*?)\s*\]\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no one types in a cell; tab and line breaks are kept."""
_XLSX_RATIO = 100
"""Deflate ratio past which a large XLSX part is a bomb: real sheets compress 5 to 30 times."""
_XLSX_RATIO_FLOOR = 8 * 2**20
"""Parts smaller than this are not held to `_XLSX_RATIO`: they cost nothing to inflate."""
_XML_BYTES_PER_CHAR = 10
"""The most bytes of XML one character of a cell may take (``&#x10FFFF;``)."""
_CHUNK = 2**20


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
) -> Iterator[Applicant]:
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
    if suffix in _SPREADSHEETS:
        applicants, member_sheet = _read_workbook(path, limits, want_members=members is None)
    elif suffix in (".csv", ".tsv", ".txt"):
        applicants = _read_csv(path, limits)
        sibling = None if members is not None else member_sibling(path)
        member_sheet = None if sibling is None else _read_csv(sibling, limits)
    else:
        raise InitiativeError(
            "cannot tell the format of the applicants file",
            code="unreadable-input",
            file=str(path),
            expected="a .csv, .xlsx or .jsonl file, or a folder of .yaml/.json files",
            found=repr(path.suffix or path.name),
        )
    if members is not None:
        member_sheet = _read_members_file(Path(members), limits)
    found: list[Text] = [] if notices is None else notices
    if member_sheet is None:
        expected = expected_sibling(path) if suffix not in _SPREADSHEETS else "membres"
        found.append(say("no_members", section="notices", expected=expected))
    spreadsheet = _Spreadsheet(applicants, member_sheet, limits, mapping, header_row, found)
    return spreadsheet.applicants()


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
    sheet = _sheet(source, itertools.chain([header], rows), limits)
    member_sheet = None
    if members is not None:
        member_source, member_header, member_rows = members
        member_sheet = _sheet(member_source, itertools.chain([member_header], member_rows), limits)
    return _Spreadsheet(sheet, member_sheet, limits).applicants()


# Sheets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BadRow:
    """A row that could not be split into cells: why, and the cells still seen in it.

    The cells (read leniently from the row's first line) let the error row say the id and
    the name of the applicant it stands for.
    """

    code: ErrorCode
    message: str
    cells: Sequence[Any] = ()


@dataclass
class _Sheet:
    """A sheet's header and its rows, each with the row number a user sees."""

    source: str
    header: list[Any]
    rows: list[tuple[int, Sequence[Any] | _BadRow]]


def _sheet(source: str, rows: Iterator[Sequence[Any] | _BadRow], limits: Limits) -> _Sheet:
    """The rows read, counted against the limits as they come (before they pile up)."""
    header: list[Any] = []
    body: list[tuple[int, Sequence[Any] | _BadRow]] = []
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > limits.rows:
            raise _over(source, "too-many-rows", f"more than {limits.rows} rows", "rows")
        if isinstance(row, _BadRow):
            if number == 1:
                raise InitiativeError(
                    f"the header row is unreadable: {row.message}",
                    code=row.code,
                    file=source,
                    line=1,
                )
            body.append((number, row))
            continue
        cells += len(row)
        if cells > limits.cells:
            raise _over(source, "too-many-cells", f"more than {limits.cells} cells", "cells")
        if number == 1:
            header = list(row)
        elif not all(_blank(cell) for cell in row):
            body.append((number, _trimmed(row)))
    return _Sheet(source, header, body)


def _trimmed(row: Sequence[Any]) -> Sequence[Any]:
    """The row without its trailing blank cells, which say nothing and only cost memory."""
    end = len(row)
    while end and _blank(row[end - 1]):
        end -= 1
    return row[:end]


def _over(source: str, code: ErrorCode, what: str, limit: str) -> InitiativeError:
    return InitiativeError(
        f"the file has {what}, more than poletype reads from one input",
        code=code,
        file=source,
        expected=f"a smaller file, or a larger Limits.{limit} for an honest one",
    )


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _unreadable(path: Path, reason: object) -> InitiativeError:
    return InitiativeError(f"cannot read file: {reason}", code="unreadable-input", file=str(path))


def _check_size(path: Path, limits: Limits) -> None:
    """Refuse a file over ``limits.spreadsheet_bytes`` before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc.strerror or exc) from None
    if size > limits.spreadsheet_bytes:
        raise InitiativeError(
            f"the file is {size} bytes, more than poletype reads from one input",
            code="spreadsheet-too-large",
            file=str(path),
            expected=f"at most {limits.spreadsheet_bytes} bytes (Limits.spreadsheet_bytes)",
        )


def _decode(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    _check_size(path, limits)
    try:
        with path.open("rb") as handle:
            # Bounded even if the file grows, or is a device that stat calls empty.
            data = handle.read(limits.spreadsheet_bytes + 1)
    except OSError as exc:
        raise _unreadable(path, exc.strerror or exc) from None
    if len(data) > limits.spreadsheet_bytes:
        raise InitiativeError(
            "the file is larger than poletype reads from one input",
            code="spreadsheet-too-large",
            file=str(path),
            expected=f"at most {limits.spreadsheet_bytes} bytes (Limits.spreadsheet_bytes)",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _unreadable(path, "the text is neither UTF-8 nor Windows-1252") from None


def _read_csv(path: Path, limits: Limits) -> _Sheet:
    text = _decode(path, limits)
    named = sep_line(text)
    if named is not None:
        # Excel's "sep=;" line names the separator; the line is no row of the sheet.
        delimiter, text = named[0], "\n" + named[1]
        return _sheet(str(path), _csv_records(text, delimiter), limits)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    return _sheet(str(path), _csv_records(text, delimiter), limits)


def _csv_records(text: str, delimiter: str) -> Iterator[list[str] | _BadRow]:
    """Each record of a CSV text; a record the csv module cannot split is a `_BadRow`.

    Strict mode makes the csv module say what it would otherwise paper over: a quote
    never closed runs to the end of the file ("unexpected end of data") and a stray quote
    after a closed one breaks the record. Leniently read, either swallows the rows that
    follow into one cell, and an applicant disappears. The broken record becomes one
    error row, and reading starts again on the line after its first, so that the
    applicants below it are read.
    """
    lines = io.StringIO(text, newline="").readlines()
    position = 0

    def feed() -> Iterator[str]:
        nonlocal position
        while position < len(lines):
            position += 1
            yield lines[position - 1]

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while position < len(lines):
        begin = position
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _broken_record(lines, begin, position, delimiter, exc)
            position = begin + 1
            # A fresh feed: the reader may have run the last one to its end.
            reader = csv.reader(feed(), delimiter=delimiter, strict=True)
            continue
        yield record


def _broken_record(
    lines: list[str], begin: int, end: int, delimiter: str, exc: csv.Error
) -> _BadRow:
    try:
        cells = next(csv.reader([lines[begin]], delimiter=delimiter), [])
    except csv.Error:
        cells = []
    reason = str(exc)
    if "field larger than field limit" in reason:
        return _BadRow("cell-too-large", f"a cell is too large to read ({reason})", cells)
    if reason == "unexpected end of data":
        message = (
            f"a quote opened on line {begin + 1} is never closed: it runs to the end of "
            f"the file, over {end - begin} lines; close it, or double a quote inside a cell"
        )
    else:
        message = (
            f"a quoted cell starting on line {begin + 1} is broken ({reason}); a quote "
            "opened is never closed before the next cell, or a quote inside a cell is "
            "not doubled"
        )
    return _BadRow("unclosed-quote", message, cells)


def _read_members_file(path: Path, limits: Limits) -> _Sheet:
    if path.suffix.lower() in _SPREADSHEETS:
        first, members = _read_workbook(path, limits, want_members=True)
        return members if members is not None else first
    return _read_csv(path, limits)


def _read_workbook(
    path: Path, limits: Limits, *, want_members: bool
) -> tuple[_Sheet, _Sheet | None]:
    """The applicants sheet and the members sheet of a workbook.

    The applicants are the sheet named ``candidatures`` (or ``applicants``), else the
    first sheet that is not a members, notes or lists sheet. The archive is inspected
    first (`_inspect_xlsx`); openpyxl then reads each sheet only up to its last row
    holding a value, so that a million formatted empty rows cost nothing. openpyxl parses
    hostile bytes, and any exception it raises is this file's fault: each becomes one
    ``unreadable-input`` error naming the file.
    """
    last_rows = _inspect_xlsx(path, limits)
    try:
        # Our handle, closed whatever happens: openpyxl leaves its own open when it fails.
        handle = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc.strerror or exc) from None
    with handle:
        return _read_book(path, handle, last_rows, limits, want_members=want_members)


def _read_book(
    path: Path,
    handle: Any,
    last_rows: dict[str, int | None],
    limits: Limits,
    *,
    want_members: bool,
) -> tuple[_Sheet, _Sheet | None]:
    import openpyxl  # noqa: PLC0415 -- only spreadsheet inputs need it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (extensions, styles).
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # the workbook is the unit that fails
        raise _unreadable(path, f"not a readable XLSX workbook ({_why(exc)})") from None
    try:
        names = {name.strip().casefold(): name for name in book.sheetnames}
        applicants_name = next(
            (names[n] for n in _APPLICANT_SHEETS if n in names),
            next(
                (
                    name
                    for name in book.sheetnames
                    if name.strip().casefold() not in _MEMBER_SHEETS | _OTHER_SHEETS
                ),
                book.sheetnames[0],
            ),
        )
        members_name = next((names[n] for n in sorted(_MEMBER_SHEETS) if n in names), None)

        def read(name: str) -> _Sheet:
            sheet = book[name]
            sheet.reset_dimensions()
            part = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
            last = last_rows.get(part)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows = sheet.iter_rows(values_only=True, max_row=max(last, 1) if last else None)
                merged = merged_ranges(path, part) if part else []
                return _sheet(f"{path}:{name}", fill_merged(rows, merged), limits)

        applicants = read(applicants_name)
        member_sheet = read(members_name) if want_members and members_name else None
    except PoletypeError:
        raise
    except Exception as exc:
        raise _unreadable(path, f"not a readable XLSX workbook ({_why(exc)})") from None
    finally:
        book.close()
    return applicants, member_sheet


def _why(exc: BaseException) -> str:
    text = str(exc)[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_ROW_NUMBER = re.compile(rb'<row\b[^>]{0,512}?\sr="(\d{1,12})"')
_DTD = (b"<!DOCTYPE", b"<!ENTITY")


def _inspect_xlsx(path: Path, limits: Limits) -> dict[str, int | None]:
    """Check an XLSX archive before openpyxl inflates it; each sheet's last row with a value.

    From the zip directory: no part may inflate past ``limits.xlsx_part_bytes``, nor a
    large one more than `_XLSX_RATIO` times (zipfile stops at the declared size, so the
    directory's word is a bound). Then the sheets and shared strings are streamed, a
    megabyte at a time: no text may exceed what ``limits.cell_bytes`` characters take,
    no part may declare a DTD (entity expansion), rows and cells are counted, and the
    last row holding a value is noted, so that reading stops there.
    """
    _check_size(path, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                _check_part(path, info, limits)
            return {
                info.filename: _scan_part(path, archive, info, limits)
                for info in infos
                if info.filename.endswith((".xml", ".rels"))
            }
    except PoletypeError:
        raise
    except Exception as exc:
        raise _unreadable(path, f"not a readable XLSX workbook ({_why(exc)})") from None


def _check_part(path: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > limits.xlsx_part_bytes or (size > _XLSX_RATIO_FLOOR and size > _XLSX_RATIO * packed):
        raise InitiativeError(
            f"the part {info.filename!r} of the workbook inflates to {size} bytes "
            f"from {info.compress_size}, more than any real sheet",
            code="xlsx-part-too-large",
            file=str(path),
            expected=f"parts of at most {limits.xlsx_part_bytes} bytes "
            f"(Limits.xlsx_part_bytes), compressed at most {_XLSX_RATIO} times",
        )


def _scan_part(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits
) -> int | None:
    """Stream one XML part; for a sheet, its last row holding a value (None: unknown)."""
    name = info.filename
    sheet = _SheetScan(str(path), limits) if name.startswith("xl/worksheets/") else None
    cells = sheet is not None or name == "xl/sharedStrings.xml"
    bound = limits.cell_bytes * _XML_BYTES_PER_CHAR
    long_text = re.compile(rb"<[^<]{%d}" % bound)
    run = 0
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD):
                raise _unreadable(path, f"the part {name!r} declares a DTD, which no workbook has")
            if cells:
                first = chunk.find(b"<")
                run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
                if (first >= 0 and (run + first > bound or long_text.search(chunk))) or (
                    run > bound
                ):
                    raise InitiativeError(
                        f"a cell of the part {name!r} holds more than "
                        f"{limits.cell_bytes} characters",
                        code="cell-too-large",
                        file=str(path),
                        expected=f"at most {limits.cell_bytes} characters a cell "
                        "(Limits.cell_bytes)",
                    )
            if sheet is not None:
                sheet.feed(window, chunk)
            tail = window[-512:]
    return None if sheet is None else sheet.last_data_row()


@dataclass
class _SheetScan:
    """What the raw XML of a sheet says, counted chunk by chunk without parsing it.

    Blank ``<row>`` elements cost openpyxl a full parse when they come before it knows
    the sheet's size (no ``<dimension>`` first): then they count against
    ``limits.rows``. With a dimension first, formatted empty rows after the data are
    free (reading stops at the last value) and only the rows up to it count.
    """

    source: str
    limits: Limits
    rows: int = 0
    cells: int = 0
    last: int = 0
    current: int | None = 0
    known: bool = True
    dimension: bool = False
    data_seen: bool = False

    def feed(self, window: bytes, chunk: bytes) -> None:
        if not self.data_seen:
            dimension, data = window.find(b"<dimension"), window.find(b"<sheetData")
            self.dimension = self.dimension or (dimension >= 0 and (data < 0 or dimension < data))
            self.data_seen = data >= 0
        self.rows += chunk.count(b"<row ") + chunk.count(b"<row>")
        self.cells += chunk.count(b"<c ") + chunk.count(b"<c>")
        value = max(window.rfind(b"<v>"), window.rfind(b"<v "), window.rfind(b"<is>"))
        if value >= 0:
            start = window.rfind(b"<row", 0, value)
            number = self.current if start < 0 else _row_number(window, start)
            if number is None:
                self.known = False
            else:
                self.last = max(self.last, number)
        start = window.rfind(b"<row")
        if start >= 0:
            self.current = _row_number(window, start)
        self.check()

    def check(self) -> None:
        rows, limits = self.limits.rows, self.limits
        if self.last > rows or (self.rows > rows and (not self.dimension or not self.known)):
            raise _over(self.source, "too-many-rows", f"more than {rows} rows", "rows")
        if self.cells > limits.cells:
            raise _over(self.source, "too-many-cells", f"more than {limits.cells} cells", "cells")

    def last_data_row(self) -> int | None:
        self.check()
        return self.last if self.known else None


def _row_number(window: bytes, start: int) -> int | None:
    match = _ROW_NUMBER.match(window, start)
    return int(match.group(1)) if match else None


# Cells ---------------------------------------------------------------------------------


class _CellError(Exception):
    """A cell that cannot be read, worded in French and English (``data/reading.yaml``)."""

    def __init__(self, key: str, text: Text | None = None, **params: str) -> None:
        self.text = text if text is not None else say(key, **params)
        self.message = self.text.en
        super().__init__(self.message)


CellError = _CellError
"""Raised by `read_cell` for a cell its column cannot read; ``message`` says why."""


def _fold(text: str) -> str:
    """Lower case without accents, blanks or a final stop: ``" Oui. "`` and ``"oui"`` match."""
    return _header_fold(text)


def _shown(cell: Any) -> str:
    return repr(cell.strip() if isinstance(cell, str) else cell)


def read_cell(cell: Any, doc: FieldDoc) -> Any:
    """A cell's value for a column, ``None`` when empty (unknown); `_CellError` if unreadable.

    ``NSP``, ``ne sait pas`` and ``?`` say the fact is not known: an unknown, as empty.
    """
    if _blank(cell) or says_unknown(cell):
        return None
    if doc.path == "country":
        return _country(cell, doc)
    reader = _CELL_READERS[doc.kind]
    return reader(cell, doc)


def _country(cell: Any, doc: FieldDoc) -> str:
    code = country_of(_text(cell, doc))
    if code is None:
        raise _CellError("expected_country", found=shown(cell))
    return code


def _text(cell: Any, doc: FieldDoc) -> str:
    if isinstance(cell, bool):
        raise _CellError("expected_text", found=shown(cell))
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
        raise _CellError(expected, found=shown(cell))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise _CellError(expected, found=f"{cell:g}")
    try:
        number = float(_number_text(str(cell)))
    except ValueError:
        raise _CellError(expected, found=shown(cell)) from None
    if not number.is_integer():
        raise _CellError(expected, found=shown(cell))
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
        raise _CellError("expected_number", found=shown(cell)) from None


def _share(cell: Any, doc: FieldDoc) -> float:
    try:
        value = _float(cell, percent=True)
    except ValueError:
        raise _CellError("expected_share", found=shown(cell)) from None
    if not 0.0 <= value <= 1.0:
        raise _CellError("expected_share", found=shown(cell))
    return value


def _boolean(cell: Any, doc: FieldDoc) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    word = _BOOLEANS.get(_fold(str(cell)))
    if word is None:
        raise _CellError("expected_boolean", found=shown(cell))
    return word


def _code(text: str, doc: FieldDoc) -> str:
    """A code from the code itself or the template's French or English words for it."""
    code = code_of(text, doc)
    if code is not None:
        return code
    folded = re.sub(r"[\s-]+", "_", _fold(text))
    error = say("expected_code", allowed=_allowed_words(doc), found=text.strip())
    close = difflib.get_close_matches(folded, doc.allowed, n=1)
    if close:
        also = say("did_you_mean", close=close[0])
        error = Text(fr=error.fr + also.fr, en=error.en + also.en)
    raise _CellError("expected_code", error)


def _allowed_words(doc: FieldDoc) -> Text:
    """The allowed values as a French reader types them (with the code), and the codes."""
    from poletype._codes import code_label  # noqa: PLC0415

    french = []
    for code in doc.allowed:
        label = code_label(doc.path, code)
        french.append(code if label is None or label.fr == code else f"{label.fr} ({code})")
    return Text(fr=", ".join(french), en=", ".join(doc.allowed))


def _choice(cell: Any, doc: FieldDoc) -> str:
    return _code(_text(cell, doc), doc)


def _choices(cell: Any, doc: FieldDoc) -> list[str]:
    text = _text(cell, doc)
    if _fold(text) in _EMPTY_LIST_WORDS:
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
        except _CellError as exc:
            errors.append(exc.text)
    if errors:
        joined = Text(fr=" ; ".join(e.fr for e in errors), en="; ".join(e.en for e in errors))
        raise _CellError("expected_code", joined)
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
        raise _CellError("expected_date", found=shown(cell)) from None


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


def _unknown_column(
    sheet: _Sheet,
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
    labels = {_fold(d.label.fr): k for k, d in fields.items()}
    labels.update({_fold(d.label.en): k for k, d in fields.items()})
    suggestion = labels.get(_fold(key))
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
    """Each read field's cell reference (``D14``), for a note on a value refused later."""

    def fail(self, column: str | None, code: ErrorCode | None, message: str | Text) -> None:
        self.errors.append((column, message))
        self.code = self.code or code


_IDENTITY = frozenset({"id", "name", "applicant_id"})
"""The cells a row is known by: unreadable, they make the row an error, not a note."""


def _read_row(
    number: int,
    cells: Sequence[Any] | _BadRow,
    keys: list[str | None],
    fields: dict[str, FieldDoc],
    limits: Limits,
    *,
    extra: dict[int, str] | None = None,
    mapping: ColumnMapping = NO_MAPPING,
    sheet: str = "",
) -> _Row:
    """One row's data, errors and notes; a `_BadRow` is an error, with what its cells say.

    Text is NFC-normalised, so that an id typed on a Mac (decomposed accents) and the
    same id typed elsewhere are equal when members join their applicant. A cell over
    ``limits.cell_bytes`` characters or holding a control character (NUL, escape...) is
    never read: an error of its row when it is the id or the name, else a note and an
    unknown fact. ``extra`` names the unread columns whose cells are carried through;
    ``sheet`` prefixes cell references (``membres!C5``).
    """
    if isinstance(cells, _BadRow):
        seen = _read_row(number, cells.cells, keys, fields, limits, mapping=mapping)
        row = _Row(number, errors=[(None, cells.message)], code=cells.code)
        row.data = {k: v for k, v in seen.data.items() if k in ("id", "name", "applicant_id")}
        return row
    row = _Row(number)
    extra = extra or {}
    for index, cell in enumerate(cells):
        key = keys[index] if index < len(keys) else None
        if key is None:
            if index in extra and not _blank(cell):
                row.extra.append((extra[index], shown(cell)))
            continue
        doc = fields[key]
        reference = f"{sheet}{_column_letter(index)}{number}"
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
            except _CellError as exc:
                problem = exc.text
        if problem is not None:
            if key in _IDENTITY:
                row.fail(key, code, problem)
            else:
                row.notes.append(CellNote(doc.path, reference, problem))
            continue
        row.cells[key] = reference
        if value is not None:
            _put(row.data, key.split("."), value)
    return row


def _put(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _row_error(
    row: int,
    source: str,
    errors: Sequence[tuple[str | None, str | Text]],
    code: ErrorCode | None = None,
) -> RowError:
    """One error for a row from its problems: the first, then ``(also …)`` the others."""
    texts = [(c, m if isinstance(m, Text) else Text(fr=m, en=m)) for c, m in errors]
    column, first = texts[0]
    worded: dict[str, str] = {}
    for lang, also_word, separator in (("fr", "aussi", " ; "), ("en", "also", "; ")):
        message = getattr(first, lang)
        if len(texts) > 1:
            also = separator.join(
                f"{c}{colon_of(lang)}{getattr(m, lang)}" if c else getattr(m, lang)
                for c, m in texts[1:]
            )
            message = f"{message} ({also_word} {also})"
        worded[lang] = message
    text = Text(fr=worded["fr"], en=worded["en"])
    return RowError(row=row, column=column, message=text.en, source=source, code=code, text=text)


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


def _worded(error: Any) -> Text:
    """A pydantic error in a programme officer's words, French and English, no Python."""
    kind = str(error["type"])
    found = error.get("input")
    shown_found = "" if isinstance(found, dict | list) or found is None else shown(found)
    context = error.get("ctx") or {}
    field_name = str(error["loc"][-1]) if error["loc"] else ""
    if kind == "missing":
        return say("required")
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


def _validate_forgiving(
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
                loc = tuple(error["loc"])
                path = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
                own = loc and not (len(loc) == 1 and loc[0] in _IDENTITY)
                if own and error["type"] != "missing" and _drop(data, loc):
                    notes.append(CellNote(path, reference(loc), _worded(error)))
                    dropped = True
                else:
                    fatal.append((path, _worded(error)))
            if fatal or not dropped:
                return fatal, notes
    return [(None, say("invalid", found=""))], notes


def _stated(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _sheet_prefix(source: str) -> str:
    """How a cell reference names another sheet: ``membres!`` or ``x-membres.csv!``."""
    name = source.rsplit(":", 1)[1] if re.search(r"\.xls[xm]:", source) else Path(source).name
    return f"{name}!"


@dataclass
class _Spreadsheet:
    """Applicant rows joined with their member rows."""

    sheet: _Sheet
    member_sheet: _Sheet | None
    limits: Limits = DEFAULT_LIMITS
    mapping: ColumnMapping = NO_MAPPING
    header_row: int | None = None
    notices: list[Text] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Headers are checked now, so that a broken file fails before any row is read.
        header = _locate(self.sheet, APPLICANT_FIELDS, self.mapping, self.header_row, self.notices)
        self.keys = header.keys
        self.extra = _extra_columns(self.sheet, header, self.notices)
        self.member_rows: list[tuple[_Row, str | None]] = []
        if self.member_sheet is not None:
            member = _locate(self.member_sheet, MEMBER_FIELDS, self.mapping, None, self.notices)
            keys = _check_members(self.member_sheet, member)
            prefix = _sheet_prefix(self.member_sheet.source)
            for number, cells in self.member_sheet.rows:
                row = _read_row(
                    number,
                    cells,
                    keys,
                    MEMBER_FIELDS,
                    self.limits,
                    mapping=self.mapping,
                    sheet=prefix,
                )
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
                row = _read_row(
                    number,
                    cells,
                    self.keys,
                    APPLICANT_FIELDS,
                    self.limits,
                    extra=self.extra,
                    mapping=self.mapping,
                )
                yield self._applicant(row, members_of, first_row)
            except Exception as exc:
                message = f"the row could not be read ({_why(exc)})"
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
        errors: list[tuple[str | None, str | Text]] = list(row.errors)
        members: list[_Row] = []
        if ident is not None and ident in first_row:
            errors.insert(0, ("id", say("duplicate_id", id=ident, first=first_row[ident])))
        elif ident is not None:
            first_row[ident] = row.number
            members = members_of.get(ident, [])
        member_source = self.member_sheet.source if self.member_sheet else ""
        for member in members:
            errors.extend(
                (
                    f"members.{column}" if column else "members",
                    say("member_row", source=member_source, row=member.number, message=message)
                    if isinstance(message, Text)
                    else f"{member_source} row {member.number}: {message}",
                )
                for column, message in member.errors
            )
        notes = list(row.notes) + [n for m in members for n in m.notes]
        name = row.data.get("name")
        extra = tuple(row.extra)
        if errors:
            code = row.code or next((m.code for m in members if m.code), None)
            error = _row_error(row.number, source, errors, code)
            return Applicant(
                row.number, source, None, error, ident, name, notes=tuple(notes), extra=extra
            )
        data = dict(row.data)
        if members:
            data["members"] = [dict(member.data) for member in members]
        prefix = _sheet_prefix(member_source) if member_source else ""

        def reference(loc: tuple[Any, ...]) -> str | None:
            if len(loc) > 2 and loc[0] == "members" and isinstance(loc[1], int):
                return members[loc[1]].cells.get(str(loc[2])) or (
                    f"{prefix}{members[loc[1]].number}"
                )
            return row.cells.get(".".join(str(p) for p in loc))

        result, refused = _validate_forgiving(data, reference)
        all_notes = (*notes, *refused)
        if isinstance(result, Initiative):
            return Applicant(row.number, source, result, None, notes=all_notes, extra=extra)
        error = _row_error(row.number, source, result)
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
            error = RowError(
                row=row.number,
                column="applicant_id",
                message=message,
                source=source,
                code=row.code,
            )
            yield Applicant(row.number, source, None, error, stated_id=owner)


def _english(message: str | Text) -> str:
    return message.en if isinstance(message, Text) else message


def _locate(
    sheet: _Sheet,
    fields: dict[str, FieldDoc],
    mapping: ColumnMapping,
    header_row: int | None,
    notices: list[Text],
) -> Header:
    """Find the sheet's header (`find_header`), drop the rows above it, say what was done."""
    members = fields is MEMBER_FIELDS
    candidates = [(1, sheet.header)] + [
        (number, cells) for number, cells in sheet.rows if not isinstance(cells, _BadRow)
    ]
    found = find_header(
        candidates, fields, mapping, members=members, header_row=header_row, source=sheet.source
    )
    if found is None:
        if not sheet.rows and not any(not _blank(c) for c in sheet.header):
            return Header(1, None, (), [], [])
        first = next((i for i, c in enumerate(sheet.header) if not _blank(c)), 0)
        cell = sheet.header[first] if sheet.header else ""
        key = _column_key(cell) or ""
        raise _unknown_column(sheet, first, cell, key, fields, members=members)
    header, _ = found
    titles = [n for n in header.skipped if n != 1 or any(not _blank(c) for c in sheet.header)]
    sheet.header = list(dict(candidates)[header.row])
    sheet.rows = [(n, c) for n, c in sheet.rows if n > header.row]
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
            f"columns {' and '.join(_column_letter(i) for i in v)} both name {k!r}"
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


def _extra_columns(sheet: _Sheet, header: Header, notices: list[Text]) -> dict[int, str]:
    """The unread columns carried through, by index: named by header, or by letter.

    A column with a header poletype does not know is carried even when empty (its
    header says it exists); a column without a header, or a merged header cell's copy,
    only when a row holds a value in it.
    """
    used: set[int] = set()
    for _, cells in sheet.rows:
        if not isinstance(cells, _BadRow):
            used.update(i for i, c in enumerate(cells) if not _blank(c))
    width = max([len(header.keys), *(i + 1 for i in used)], default=0)
    names: dict[int, str] = {}
    taken: set[str] = set()
    for index in range(width):
        if index < len(header.keys) and header.keys[index] is not None:
            continue
        named = header.names[index] if index < len(header.names) else ""
        if not (named and index not in header.merged_copies) and index not in used:
            continue
        name = named or _column_letter(index)
        base, count = name, 1
        while name in taken:
            count += 1
            name = f"{base} ({count})"
        taken.add(name)
        names[index] = name
    if names:
        listed = ", ".join(f"{n} ({_column_letter(i)})" for i, n in names.items())
        notices.append(say("unknown_columns", section="notices", columns=listed))
    return names


def _check_members(sheet: _Sheet, header: Header) -> list[str | None]:
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
    for number, line in enumerate(_decode(path).split("\n"), start=1):
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
        message = f"the document could not be read ({_why(exc)})"
        return _Document(index, source, error=message, code="unreadable-input")
    return _Document(index, source, data=data, lines=not is_json(file))


def _documents(documents: list[_Document]) -> Iterator[Applicant]:
    first_row: dict[str, tuple[int, str]] = {}
    for document in documents:
        try:
            yield _document_applicant(document, first_row)
        except Exception as exc:
            # Validation recurses: a deeply nested document may exhaust the stack.
            message = f"the document could not be read ({_why(exc)})"
            error = RowError(document.row, None, message, document.source, "unreadable-input")
            yield Applicant(document.row, document.source, None, error)


def _document_applicant(document: _Document, first_row: dict[str, tuple[int, str]]) -> Applicant:
    row, source, data = document.row, document.source, document.data
    stated_id, stated_name = _stated(data, "id"), _stated(data, "name")
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
        error = _row_error(row, source, result)
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
