"""Spreadsheet files into rows of cells: CSV, .xlsx workbooks and their members sheets.

Bounded before they are parsed: a file's size, an .xlsx's compression ratio and its
XML (no DTD) are checked first, so a hostile file costs little. `tabular` reads the
rows these return into applicants. A file is read as it streams in, a line or a sheet
row at a time, and its rows are kept on disk (`poletype._screening.spill`): a sheet
of a hundred thousand rows costs no more memory than one of ten.
"""

from __future__ import annotations

import csv
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poletype._read.limits import Limits
from poletype._screening.cells import is_blank
from poletype._screening.header import fill_merged, merged_ranges, sep_line
from poletype._screening.spill import Spill
from poletype._screening.text import CHUNK, Lines, check_size, text_encoding, unreadable
from poletype.errors import ErrorCode, InitiativeError, PoletypeError

_MEMBER_SHEETS = frozenset({"members", "membres"})


_APPLICANT_SHEETS = ("candidatures", "applicants", "applications")


_OTHER_SHEETS = frozenset({"notes", "listes", "lists"})


SPREADSHEETS = (".xlsx", ".xlsm")


_XLSX_RATIO = 100
"""Deflate ratio past which a large XLSX part is a bomb: real sheets compress 5 to 30 times."""


_XLSX_RATIO_FLOOR = 8 * 2**20
"""Parts smaller than this are not held to `_XLSX_RATIO`: they cost nothing to inflate."""


_XML_BYTES_PER_CHAR = 10
"""The most bytes of XML one character of a cell may take (``&#x10FFFF;``)."""


@dataclass(frozen=True)
class BadRow:
    """A row that could not be split into cells: why, and the cells still seen in it.

    The cells (read leniently from the row's first line) let the error row say the id and
    the name of the applicant it stands for.
    """

    code: ErrorCode
    message: str
    cells: Sequence[Any] = ()


SheetRows = Spill[tuple[int, Sequence[Any] | BadRow]]
"""A sheet's rows below its first, each with the row number a user sees, kept on disk."""


@dataclass
class Sheet:
    """A sheet's header and its rows, each with the row number a user sees."""

    source: str
    header: list[Any]
    rows: SheetRows


def make_sheet(source: str, rows: Iterator[Sequence[Any] | BadRow], limits: Limits) -> Sheet:
    """The rows read, counted against the limits as they come, and written to disk.

    The whole sheet is read now, so that a file over a limit or with an unreadable
    header fails before any of its rows is screened.
    """
    header: list[Any] = []
    body: SheetRows = Spill()
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > limits.rows:
            raise _over(source, "too-many-rows", f"more than {limits.rows} rows", "rows")
        if isinstance(row, BadRow):
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
        elif not all(is_blank(cell) for cell in row):
            body.append((number, _trimmed(row)))
    return Sheet(source, header, body)


def _trimmed(row: Sequence[Any]) -> Sequence[Any]:
    """The row without its trailing blank cells, which say nothing and only cost memory."""
    end = len(row)
    while end and is_blank(row[end - 1]):
        end -= 1
    return row[:end]


def _over(source: str, code: ErrorCode, what: str, limit: str) -> InitiativeError:
    return InitiativeError(
        f"the file has {what}, more than poletype reads from one input",
        code=code,
        file=source,
        expected=f"a smaller file, or a larger Limits.{limit} for an honest one",
    )


def read_csv(path: Path, limits: Limits) -> Sheet:
    encoding, size, _ = text_encoding(path, limits)
    # The text up to its first line feed (a "sep=;" line?) and its first line not blank.
    opening = ""
    for line in Lines(path, encoding, size):
        opening += line
        if "\n" in opening and any(part.strip() for part in opening.splitlines()):
            break
    named = sep_line(opening)
    if named is not None:
        # Excel's "sep=;" line names the separator; the line is no row of the sheet.
        lines = Lines(path, encoding, size, sep=True)
        return make_sheet(str(path), _csv_records(lines, named[0]), limits)
    first = next((line for line in opening.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    return make_sheet(str(path), _csv_records(Lines(path, encoding, size), delimiter), limits)


def _csv_records(lines: Lines, delimiter: str) -> Iterator[list[str] | BadRow]:
    """Each record of a CSV text; a record the csv module cannot split is a `BadRow`.

    Strict mode makes the csv module say what it would otherwise paper over: a quote
    never closed runs to the end of the file ("unexpected end of data") and a stray quote
    after a closed one breaks the record. Leniently read, either swallows the rows that
    follow into one cell, and an applicant disappears. The broken record becomes one
    error row, and reading starts again on the line after its first, so that the
    applicants below it are read. Only that first line is kept, not the lines a quote
    never closed ran over.
    """
    first: list[str] = []

    def feed(start: int) -> Iterator[str]:
        for line in lines.read_from(start):
            if not first:
                first.append(line)
                lines.mark()
            yield line

    reader = csv.reader(feed(0), delimiter=delimiter, strict=True)
    position = 0
    while True:
        begin = position
        first.clear()
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _broken_record(first[0] if first else "", begin, lines.number, delimiter, exc)
            # A fresh reader from the line after the broken record's first.
            position = begin + 1
            first.clear()
            reader = csv.reader(feed(position), delimiter=delimiter, strict=True)
            continue
        position = lines.number
        yield record


def _broken_record(first: str, begin: int, end: int, delimiter: str, exc: csv.Error) -> BadRow:
    try:
        cells = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        cells = []
    reason = str(exc)
    if "field larger than field limit" in reason:
        return BadRow("cell-too-large", f"a cell is too large to read ({reason})", cells)
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
    return BadRow("unclosed-quote", message, cells)


def read_members_file(path: Path, limits: Limits) -> Sheet:
    if path.suffix.lower() in SPREADSHEETS:
        first, members = read_workbook(path, limits, want_members=True)
        return members if members is not None else first
    return read_csv(path, limits)


def read_workbook(path: Path, limits: Limits, *, want_members: bool) -> tuple[Sheet, Sheet | None]:
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
        raise unreadable(path, exc.strerror or exc) from None
    with handle:
        return _read_book(path, handle, last_rows, limits, want_members=want_members)


def _read_book(
    path: Path,
    handle: Any,
    last_rows: dict[str, int | None],
    limits: Limits,
    *,
    want_members: bool,
) -> tuple[Sheet, Sheet | None]:
    import openpyxl  # noqa: PLC0415 -- only spreadsheet inputs need it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (extensions, styles).
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # the workbook is the unit that fails
        raise unreadable(path, f"not a readable XLSX workbook ({why(exc)})") from None
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

        def read(name: str) -> Sheet:
            sheet = book[name]
            sheet.reset_dimensions()
            part = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
            last = last_rows.get(part)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows = sheet.iter_rows(values_only=True, max_row=max(last, 1) if last else None)
                merged = merged_ranges(path, part) if part else []
                return make_sheet(f"{path}:{name}", fill_merged(rows, merged), limits)

        applicants = read(applicants_name)
        member_sheet = read(members_name) if want_members and members_name else None
    except PoletypeError:
        raise
    except Exception as exc:
        raise unreadable(path, f"not a readable XLSX workbook ({why(exc)})") from None
    finally:
        book.close()
    return applicants, member_sheet


def why(exc: BaseException) -> str:
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
    check_size(path, limits)
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
        raise unreadable(path, f"not a readable XLSX workbook ({why(exc)})") from None


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
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD):
                raise unreadable(path, f"the part {name!r} declares a DTD, which no workbook has")
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
