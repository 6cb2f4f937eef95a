"""Bounded memory: a screening reads, screens and writes a row at a time (issue 15).

A hundred thousand applicants used to take 210 KB each until the end of the run. The
reader now keeps a sheet's rows and an applicant's members on disk, the writer keeps
each row's outputs as text on disk until the last row: memory does not grow with the
rows. These tests prove it at a small scale (tracemalloc), and that every piece that
now streams gives the bytes the whole-input version gave.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from benchmarks.scale import SCREENING, write_call
from hypothesis import given
from hypothesis import strategies as st

import poletype._render.outputs
from poletype._render.outputs import ScreeningWriter, write_screening
from poletype._render.report_app import Packer, packed
from poletype._screening.screen import open_screening, screen, screening_typologies
from poletype._screening.sheets import BadRow, _broken_record, _csv_records
from poletype._screening.spill import MemberIndex, Spill
from poletype._screening.tabular import read_applicants
from poletype._screening.text import Lines, text_encoding, text_lines

# Memory does not grow with the rows ----------------------------------------------------


def _screen_traced(source: Path, out: Path, typology: str) -> dict[str, int]:
    """Screen and write as ``poletype screen`` does, tracing Python's allocations.

    The memory held after a fifth of the rows and after the last one (before the files
    that need every row are written), and the peak of the whole run.
    """
    chosen = screening_typologies([typology])
    tracemalloc.start()
    try:
        run = open_screening(source, chosen)
        writer = ScreeningWriter(out, run.tally(), "fr", "words", letters=True)
        marks: dict[str, int] = {}
        total = run.expected or 0
        with writer:
            for done, row in enumerate(run.rows(), start=1):
                writer.add(row)
                if done == total // 5:
                    marks["early"] = tracemalloc.get_traced_memory()[0]
            marks["late"] = tracemalloc.get_traced_memory()[0]
            marks["files"] = sum(1 for _ in writer.finish())
        marks["peak"] = tracemalloc.get_traced_memory()[1]
        marks["rows"] = writer.tally.total
    finally:
        tracemalloc.stop()
    return marks


def test_screening_memory_does_not_grow_with_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,000 applicants (5,700 members): the last rows hold what the early ones held.

    Before, each screened row stayed in memory to the end, about 210 KB of it: the 800
    rows after the first fifth would have held some 160 MB more. Here they may add only
    the writer's bookkeeping (an anchor, a letter's name: a few hundred bytes a row),
    and the whole run, files and letters written, peaks far below what holding the
    rows would take.
    """
    # Without the pdf extra's letters: a thousand PDFs take minutes and measure weasyprint.
    monkeypatch.setattr(poletype._render.outputs, "pdf_writer", lambda: None)
    source = write_call(tmp_path / "call", 1_000)
    # A first run fills the engine's bounded caches (sentences, JSON shapes), as any
    # earlier work in the process would: the measured run shows what rows hold.
    _screen_traced(source, tmp_path / "warm", "loi-ess-2014-art9")
    marks = _screen_traced(source, tmp_path / "out", "loi-ess-2014-art9")
    assert marks["rows"] == 1_000
    assert marks["files"] == 4 + 1_000 + 1  # the four files, each letter, the mail merge
    grown = marks["late"] - marks["early"]
    assert grown < 800 * 500, f"{grown} bytes for 800 rows"
    assert marks["peak"] < 24 * 2**20, marks
    written = (tmp_path / "out" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["row"] for line in written] == list(range(2, 1_002))


def test_reading_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """Reading 1,000 or 2,500 applicants (and 5.7 members each) peaks alike.

    Each sheet is read through once to find its header, count its rows and keep them on
    disk, the members indexed by applicant there: what stays is a block being read.
    Before, the 1,500 rows more held their cells and their members' (some 14 KB an
    applicant: 20 MB).
    """
    peaks = []
    for rows in (1_000, 2_500):
        source = write_call(tmp_path / str(rows), rows)
        tracemalloc.start()
        try:
            count = sum(1 for _ in read_applicants(source))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert count == rows
    assert peaks[1] - peaks[0] < 1_500 * 200, peaks


def test_rows_are_read_as_they_are_screened(tmp_path: Path) -> None:
    """Opening a screening reads no row but the first; each row is read when asked for."""
    source = write_call(tmp_path / "call", 50)
    run = open_screening(source, screening_typologies(["matray-poisat"]))
    assert run.expected == 50
    rows = run.rows()
    first = next(rows)
    assert first.row == 2
    assert sum(1 for _ in rows) == 49


# The streamed files are the whole-input files ------------------------------------------


def test_the_writer_writes_what_write_screening_writes(tmp_path: Path) -> None:
    """Row by row or all at once, the same bytes, the workbook's cells alike."""
    chosen = screening_typologies(["labo-ess-ptce", "matray-poisat"])
    source = SCREENING / "candidatures.csv"
    whole = write_screening(screen(source, chosen), tmp_path / "whole")
    run = open_screening(source, chosen)
    with ScreeningWriter(tmp_path / "rows", run.tally()) as writer:
        for row in run.rows():
            writer.add(row)
        streamed = list(writer.finish())
    assert [p.name for p in whole] == [p.name for p in streamed]
    for a, b in zip(whole, streamed, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_an_unfinished_writer_leaves_no_file(tmp_path: Path) -> None:
    """An error while screening removes the temporary files; nothing looks finished."""
    run = open_screening(SCREENING / "candidatures.csv", screening_typologies(["matray-poisat"]))
    out = tmp_path / "out"
    writer = ScreeningWriter(out, run.tally())

    def stopped() -> None:
        with writer:
            writer.add(next(run.rows()))
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        stopped()
    assert list(out.iterdir()) == []


@given(st.lists(st.text(max_size=300), max_size=12))
def test_packed_sheets_are_gzip_of_the_whole_list(sheets: list[str]) -> None:
    """Compressed a sheet at a time, the bytes of `gzip.compress` of the list at once."""
    data = json.dumps(sheets, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    expected = gzip.compress(data, compresslevel=9, mtime=0)
    packer = Packer()
    for sheet in sheets:
        packer.add(sheet)
    text = "".join(packer.text())
    assert base64.b64decode(text) == expected
    assert packed(sheets) == text


# Text files read a line at a time --------------------------------------------------------

_TEXTS = st.text(alphabet=st.sampled_from(list('ab;,"é\r\n \t\u2028\ufeff')), max_size=60)


@given(_TEXTS, st.booleans())
def test_lines_split_as_a_whole_text_splits(text: str, bom: bool) -> None:
    """Universal line breaks kept, as ``newline=""``; line feeds only for JSON Lines."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        whole = path.read_bytes().decode("utf-8-sig")  # as the reader once read it
        encoding, size, feeds = text_encoding(path)
        assert encoding == "utf-8-sig"
        assert feeds == text.count("\n")
        assert list(Lines(path, encoding, size)) == io.StringIO(whole, newline="").readlines()
        lines, _ = text_lines(path)
        assert list(lines) == whole.split("\n")


def _records_whole(text: str, delimiter: str) -> list[list[str] | BadRow]:
    """The CSV records as the reader gave them from the whole text, before it streamed."""
    lines = io.StringIO(text, newline="").readlines()
    position = 0
    out: list[list[str] | BadRow] = []

    def feed() -> Any:
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
            break
        except csv.Error as exc:
            out.append(_broken_record(lines[begin], begin, position, delimiter, exc))
            position = begin + 1
            reader = csv.reader(feed(), delimiter=delimiter, strict=True)
            continue
        out.append(record)
    return out


@given(_TEXTS)
def test_csv_records_read_past_broken_quotes_as_before(text: str) -> None:
    """Broken quotes and all: the records a line at a time are those of the whole text."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        encoding, size, _ = text_encoding(path)
        streamed = list(_csv_records(Lines(path, encoding, size), ";"))
    assert streamed == _records_whole(text.removeprefix("\ufeff"), ";")


def test_a_windows_1252_file_is_read_line_by_line(tmp_path: Path) -> None:
    """French Excel's CSV: not UTF-8, read as Windows-1252, its rows as before."""
    path = tmp_path / "appel.csv"
    path.write_bytes("id;name\r\nA1;Pôle Été\r\n".encode("cp1252"))
    encoding, _, _ = text_encoding(path)
    assert encoding == "cp1252"
    (applicant,) = read_applicants(path)
    assert applicant.initiative is not None
    assert applicant.initiative.name == "Pôle Été"


# Records on disk -------------------------------------------------------------------------


def test_a_spill_gives_back_its_records_as_often_as_asked() -> None:
    spill: Spill[tuple[int, str]] = Spill()
    spill.extend((n, "x" * (n % 7)) for n in range(5_000))
    spill.append((-1, "y" * 3_000_000))  # larger than a block read
    items = list(spill)
    assert len(spill) == 5_001
    assert items[:3] == [(0, ""), (1, "x"), (2, "xx")]
    assert items[-1] == (-1, "y" * 3_000_000)
    later = spill.after(lambda item: item[0] < 10)
    assert len(later) == 4_991
    assert next(iter(later)) == (10, "xxx")
    assert list(spill) == items  # reading again from the start, the view aside


def test_members_are_found_by_applicant_in_sheet_order() -> None:
    index: MemberIndex[dict[str, int]] = MemberIndex()
    for n in range(10):
        index.append(({"n": n}, "A" if n % 3 else None if n == 0 else "B"))
    assert index.get("A", []) == [{"n": n} for n in (1, 2, 4, 5, 7, 8)]
    assert index.get("B", []) == [{"n": 3}, {"n": 6}, {"n": 9}]
    assert index.get("C", []) == []
    assert [owner for _, owner in index] == [None, "A", "A", "B", "A", "A", "B", "A", "A", "B"]
