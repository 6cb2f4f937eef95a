"""The files a screening leaves behind: the report, the CSV, JSON Lines and the workbook.

The workbook, ``verdicts.xlsx``, is `poletype._render.workbook`'s.

Each has exactly one entry per input row, error rows included, in input order, so the
three can be joined on ``row`` and none can hide an applicant. The CSV is for a
spreadsheet: UTF-8 with a byte-order mark (Excel otherwise misreads accents) and, in
French, ``;`` as separator and a decimal comma, as French Excel expects. The JSON Lines
file is for programs: each verdict exactly as ``classify --format json`` gives it.

The CSV is opened in a spreadsheet, which runs what looks like a formula: a cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading ``'`` (OWASP's advice against CSV injection), whatever column it is in, for an
applicant's id or name, a rule file's outcome label or an error message alike. A plain
decimal number (``-0.5``, ``-3``) is left alone: a spreadsheet reads it as a number and
nothing else, and a quote would turn it into text that no sum counts. Control
characters other than tab and line breaks become U+FFFD. ``verdicts.jsonl`` keeps every
value as it is: programs do not evaluate formulas.

`ScreeningWriter` writes them a row at a time: JSON Lines as each row comes, and what
the other files need of each row (its list line and sheet, its CSV and workbook
cells: text, not `Verdict` objects) kept in temporary files until the last row says
which columns and counts head them. Memory stays that of one row whatever the number
of rows; the files are those `write_screening` writes for a whole `Screening`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from poletype._engine.typology import CrispTypology, GradedTypology, Typology, against
from poletype._read.cells import safe_cell
from poletype._read.data import Lang, by_language, load
from poletype._render.cells import DELIMITERS, change_lines, error_text, grid_titles
from poletype._render.html import REPORT_NAMES, outcome_class, report_chunks, report_row
from poletype._render.letters import LetterBox, PdfWriter, merge_name, pdf_writer
from poletype._render.report_app import Anchors, MainSource, Packer
from poletype._render.rounds import ChangeEntry
from poletype._render.workbook import XLSX_NAME, XlsxRow, write_rows, xlsx_row
from poletype._screening.fields import question
from poletype._screening.screen import (
    Finding,
    ScreenedRow,
    Screening,
    Tally,
    criterion_ids,
    positive_outcome,
)
from poletype._screening.spill import Spill
from poletype._screening.whatif import ChangeSet
from poletype.errors import SetupError
from poletype.verdict import Verdict

CSV_NAME = "verdicts.csv"
JSONL_NAME = "verdicts.jsonl"
_WORDS = by_language(load("words")["csv"])
Columns = Literal["words", "codes"]
"""How ``verdicts.csv`` names its columns and statuses: for a person, or for a program.

``words`` (the default) writes headers, statuses, reasons and questions in the report's
language; ``codes`` keeps the stable machine-readable column set (``labo-ess-ptce.M5``,
``met``) whatever the language, so that a script reading the file never changes.
"""


def write_screening(
    screening: Screening,
    out: str | Path,
    lang: Lang = "fr",
    columns: Columns = "words",
    *,
    changes: Sequence[str] | None = None,
    changes_section: str = "",
    decisions: Mapping[str, tuple[str, str]] | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the report, the CSV, the JSON Lines file and the workbook into ``out``.

    ``columns`` names the CSV's columns for a person or a program (`Columns`).
    ``changes`` (one text per row, "" for none) and ``changes_section`` come from a
    previous round (`poletype._render.rounds`): the CSV gains a ``change`` column and the report
    a section; ``decisions`` are the officer's columns to carry into the new workbook;
    ``extra`` maps more file names under ``out`` to their text (the letters).
    Returns the paths written.
    """
    marks: Sequence[str | None] = [None] * len(screening.rows) if changes is None else changes
    writer = ScreeningWriter(
        out,
        Tally(screening.input, screening.typologies, screening.notices),
        lang,
        columns,
        changes=changes is not None,
        changes_section=changes_section,
        decisions=decisions,
        extra=extra,
    )
    with writer:
        for row, mark in zip(screening.rows, marks, strict=True):
            writer.add(row, mark)
        return list(writer.finish())


Section = Callable[[Spill[ChangeEntry]], Iterable[str]]
"""Draws the report's section on changes since a previous round from the rows that changed."""


class ScreeningWriter:
    """Every file of a screening, written as its rows come (`add`), closed by `finish`.

    ``tally`` is the screening's, empty: the writer counts each row into it. The
    arguments are `write_screening`'s; ``changes_section`` may also draw the section
    from the rows that changed (`poletype._render.rounds.section_chunks`), and
    ``letters`` writes each applicant's letter (and a PDF, with the ``pdf`` extra) as
    its row comes, with the mail-merge file. Files appear under their names only when
    finished; a writer left unfinished (an exception inside ``with``) leaves none of
    its temporary files behind.
    """

    def __init__(
        self,
        out: str | Path,
        tally: Tally,
        lang: Lang = "fr",
        columns: Columns = "words",
        *,
        changes: bool = False,
        changes_section: str | Section = "",
        decisions: Mapping[str, tuple[str, str]] | None = None,
        extra: Mapping[str, str] | None = None,
        letters: bool = False,
    ) -> None:
        self.out = Path(out)
        self.tally = tally
        self.lang, self.columns, self.changes = lang, columns, changes
        self.section, self.decisions, self.extra = changes_section, decisions, extra
        self._parts: list[_Part] = []
        self._anchor = Anchors()
        self._main = MainSource()
        self._rounds = False
        self._lines: Spill[tuple[dict[str, Any], str]] = Spill()
        self._csv: Spill[CsvRow] = Spill()
        self._xlsx: Spill[tuple[XlsxRow, str | None]] = Spill()
        self._changed: Spill[ChangeEntry] = Spill()
        self._widths = [(t.id, len(_typology_columns(t))) for t in tally.typologies]
        self._letters: Spill[str] = Spill()
        self._pdfs: Spill[str] = Spill()
        self._box: LetterBox | None = None
        self._pdf: PdfWriter | None = None
        with _writing(self.out):
            self.out.mkdir(parents=True, exist_ok=True)
            self._jsonl = self._part(self.out / JSONL_NAME)
            self._sheets = tempfile.TemporaryFile(prefix="poletype-")  # noqa: SIM115 - closed in finish
            self._packer = Packer(self._sheets)
            if letters:
                merge = self.out / merge_name(lang)
                merge.parent.mkdir(parents=True, exist_ok=True)
                self._box = LetterBox(lang, self._part(merge).text)
                self._pdf = pdf_writer()

    def _part(self, path: Path) -> _Part:
        part = _Part(path)
        self._parts.append(part)
        return part

    def __enter__(self) -> ScreeningWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            self.discard()

    def add(self, row: ScreenedRow, change: str | None = None) -> None:
        """Write one row, in input order; ``change`` is its change since a previous round."""
        self.tally.add(row)
        with _writing(self.out):
            self._jsonl.text.write(json.dumps(row_document(row), ensure_ascii=False) + "\n")
            anchor = self._anchor(row.row)
            self._main.add(row.source)
            line, sheet = report_row(row, anchor, change or "", self.tally, self.lang)
            self._lines.append((line, row.source))
            self._packer.add(sheet)
            if change:
                self._rounds = True
                self._changed.append((row.row, row.name or row.label, anchor, change))
            words = self.columns == "words"
            self._csv.append(
                (_csv_row(row, self._widths, self.lang, words=words), row.extra, change)
            )
            typologies = self.tally.typologies
            self._xlsx.append((xlsx_row(row, typologies, self.lang, outcome_class), change))
            letter = None if self._box is None else self._box.add(row, dict(row.extra))
            if letter is not None:
                name, text = letter
                path = self.out / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
                self._letters.append(name)
                if self._pdf is not None:
                    self._pdfs.append(str(self._pdf(self.out, name, text)))

    def finish(self) -> Iterator[Path]:
        """Write the files that needed every row; then give the paths written, report first.

        The files are all written when this returns; the paths (one per letter, with
        ``letters``) are read back from disk as they are asked for.
        """
        with _writing(self.out):
            report = self._part(self.out / REPORT_NAMES[self.lang])
            for chunk in self._report():
                report.text.write(chunk)
            table = self._part(self.out / CSV_NAME)
            table.text.write("\ufeff")
            _write_csv(
                table.text, self.tally, self._csv, self.lang, self.columns, changes=self.changes
            )
            self._sheets.close()
            workbook = self._part(self.out / XLSX_NAME)
            workbook.text.close()
            write_rows(
                workbook.path,
                self.tally.typologies,
                self.tally.extra_columns,
                self._xlsx,
                self.lang,
                changes=self.changes,
                decisions=self.decisions,
            )
            for part in self._parts:
                part.commit()
            for name, text in (self.extra or {}).items():
                path = self.out / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
        return self._written([p.final for p in (report, table, self._jsonl, workbook)])

    def _written(self, files: list[Path]) -> Iterator[Path]:
        yield from files
        if self._box is not None:
            yield from (self.out / name for name in self._letters)
            yield self.out / merge_name(self.lang)
        yield from (self.out / name for name in self.extra or {})
        yield from (Path(name) for name in self._pdfs)

    def discard(self) -> None:
        """Remove the temporary files of an unfinished screening."""
        for part in self._parts:
            part.discard()
        with contextlib.suppress(OSError):
            self._sheets.close()

    def _report(self) -> Iterator[str]:
        def lines() -> Iterator[dict[str, Any]]:
            for line, source in self._lines:
                line["s"] = self._main.note(source)
                yield line

        section = self.section
        if not isinstance(section, str):
            section = "".join(section(self._changed))
        return report_chunks(
            self.tally,
            lines(),
            self._rounds,
            self._packer.text(),
            lang=self.lang,
            changes_section=section,
        )


class _Part:
    """One output file written under a temporary name beside it, renamed when finished."""

    def __init__(self, final: Path) -> None:
        self.final = final
        while True:  # a name no other run uses; created with the umask's mode, as any file
            self.path = final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")
            try:
                handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        self.text = open(handle, "w", encoding="utf-8", newline="")  # noqa: SIM115

    def commit(self) -> None:
        self.text.close()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, self.final)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.text.close()
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """An error writing the results is a setup error, said in one line."""
    try:
        yield
    except OSError as exc:
        raise SetupError(
            f"cannot write the screening results: {exc.strerror or exc}",
            code="unwritable-output",
            file=str(exc.filename or out),
            expected="a folder that can be created and written to",
        ) from None


def csv_header(
    screening: Screening | Tally,
    lang: Lang = "fr",
    columns: Columns = "codes",
    *,
    changes: bool = False,
) -> list[str]:
    """The CSV columns: the row, unread columns, per typology its results, notes, error.

    Per typology: its outcome, statuses, missing facts. With ``codes`` the names are
    stable codes; with ``words`` they are in ``lang``. After a previous round, a
    ``change`` column before the notes says what moved since (`poletype._render.rounds`).
    """
    words = _WORDS[lang]
    if columns == "codes":
        header = ["row", "source", "id", "name", *screening.extra_columns]
        for typology in screening.typologies:
            header += [f"{typology.id}.{column}" for column in _typology_columns(typology)]
        return [*header, *(["change"] if changes else []), "notes", "error"]
    header = [words[c] for c in ("row", "source", "id", "name")] + screening.extra_columns
    titles = grid_titles(screening.typologies, lang)
    for typology in screening.typologies:
        labels = {}
        if isinstance(typology, CrispTypology):
            labels = {c.id: getattr(c.spec.label, lang) for c in typology.criteria}
        for column in _typology_columns(typology):
            named = words.get(column.split(".", 1)[0], column)
            if column.startswith("membership."):
                named = f"{words['membership']} {column.split('.', 1)[1]}"
            elif column in labels:
                named = f"{column} {labels[column]}"
            header.append(f"{titles[typology.id]} — {named}")
    return [*header, *([words["change"]] if changes else []), words["notes"], words["error"]]


def _typology_columns(typology: Typology) -> list[str]:
    """One typology's columns, in the order `_typology_cells` fills them.

    A row the typology did not judge (an error row) is padded to their number, so the
    header and every row are counted from this one list.
    """
    columns = ["outcome", "verdict"]
    if isinstance(typology, GradedTypology):
        columns.append("leaning")
        columns += [f"membership.{x.spec.id}" for x in typology.graded.types]
    if positive_outcome(typology) is not None:
        columns.append("lacking")
    columns += criterion_ids(typology)
    columns.append("missing")
    if positive_outcome(typology) is not None:
        columns.append("what_it_would_take")
    return columns


def verdicts_csv(
    screening: Screening,
    lang: Lang = "fr",
    columns: Columns = "words",
    *,
    changes: Sequence[str] | None = None,
) -> str:
    """One CSV line per input row (no byte-order mark: `write_screening` adds it).

    ``changes`` (one text per row) fills a ``change`` column before the notes.
    """
    buffer = io.StringIO()
    marks: Sequence[str | None] = [None] * len(screening.rows) if changes is None else changes
    widths = [(t.id, len(_typology_columns(t))) for t in screening.typologies]
    rows = (
        (_csv_row(row, widths, lang, words=columns == "words"), row.extra, mark)
        for row, mark in zip(screening.rows, marks, strict=True)
    )
    _write_csv(buffer, screening.tally, rows, lang, columns, changes=changes is not None)
    return buffer.getvalue()


CsvRow = tuple[list[str], tuple[tuple[str, str], ...], str | None]
"""A row's cells (`_csv_row`), its carried columns, and its change since a previous round."""


def _write_csv(
    sink: IO[str],
    tally: Tally,
    rows: Iterable[CsvRow],
    lang: Lang,
    columns: Columns,
    *,
    changes: bool,
) -> None:
    """The header, then each row with its carried columns and its change put in."""
    writer = csv.writer(sink, delimiter=DELIMITERS[lang], lineterminator="\r\n")
    writer.writerow(csv_header(tally, lang, columns, changes=changes))
    extra = tally.extra_columns
    for cells, carried, mark in rows:
        by_header = dict(carried)
        line = [*cells[:4], *(by_header.get(name, "") for name in extra), *cells[4:]]
        if changes:
            line.insert(len(line) - 2, mark or "")
        writer.writerow([safe_cell(cell) for cell in line])


def _csv_row(
    row: ScreenedRow, widths: list[tuple[str, int]], lang: Lang, *, words: bool = False
) -> list[str]:
    """A row's cells but the carried columns, which go after the name (the fifth cell)."""
    cells = [str(row.row), row.source, row.id or "", row.name or ""]
    findings = {f.typology.id: f for f in row.findings}
    for typology_id, width in widths:
        cells += _typology_cells(findings.get(typology_id), width, lang, words=words)
    separator = " ; " if lang == "fr" else "; "
    cells.append(separator.join(note.text(lang) for note in row.notes))
    error = ""
    if row.error is not None:
        error = error_text(row.error, lang) if words else error_text(row.error)
    cells.append(error)
    return cells


def _typology_cells(
    finding: Finding | None, width: int, lang: Lang, *, words: bool = False
) -> list[str]:
    if finding is None:
        return [""] * width
    if words:
        return _typology_words(finding, lang)
    verdict, typology = finding.verdict, finding.typology
    cells = [verdict.outcome, getattr(verdict.outcome_label, lang)]
    if isinstance(typology, GradedTypology):
        cells.append(verdict.leaning or "")
        memberships = {m.type: m for m in verdict.memberships or ()}
        for ideal in typology.graded.types:
            m = memberships.get(ideal.spec.id)
            cells.append("" if m is None else _interval(m.low, m.high, lang))
    if positive_outcome(typology) is not None:
        cells.append("; ".join(finding.lacking))
    statuses = {r.id: r.status for r in verdict.criteria}
    cells += [statuses.get(c, "") for c in criterion_ids(typology)]
    cells.append("; ".join(verdict.missing))
    if positive_outcome(typology) is not None:
        cells.append(_changes_text(finding.changes or (), lang, words=False))
    return cells


def _typology_words(finding: Finding, lang: Lang) -> list[str]:
    """One typology's cells for a person: statuses, reasons and questions in words."""
    verdict, typology = finding.verdict, finding.typology
    words = _WORDS[lang]
    separator = " ; " if lang == "fr" else "; "
    cells = [verdict.outcome, getattr(verdict.outcome_label, lang)]
    if isinstance(typology, GradedTypology):
        cells.append(verdict.leaning or "")
        memberships = {m.type: m for m in verdict.memberships or ()}
        for ideal in typology.graded.types:
            m = memberships.get(ideal.spec.id)
            cells.append("" if m is None else _interval(m.low, m.high, lang))
    labels = {r.id: getattr(r.label, lang) for r in verdict.criteria}
    reversed_ = against(typology)
    if positive_outcome(typology) is not None:
        cells.append(separator.join(f"{c} {labels.get(c, '')}".strip() for c in finding.lacking))
    statuses = {r.id: r.status for r in verdict.criteria}
    for criterion in criterion_ids(typology):
        status = statuses.get(criterion, "")
        if criterion in reversed_ and status in ("met", "not_met"):
            cells.append(words["applies" if status == "met" else "does_not_apply"])
        else:
            cells.append(words.get(status, status))
    cells.append(separator.join(getattr(question(p), lang) for p in verdict.missing))
    if positive_outcome(typology) is not None:
        cells.append(_changes_text(finding.changes or (), lang))
    return cells


def _interval(low: float, high: float, lang: Lang) -> str:
    def number(value: float) -> str:
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang == "fr" else text

    return number(low) if low == high else f"{number(low)}–{number(high)}"


def _changes_text(changes: tuple[ChangeSet, ...], lang: Lang, *, words: bool = True) -> str:
    """Each change set as its sentences joined by ' + ', the sets separated by ' | '.

    In words for a person; the codes columns keep each change's stored text (its path).
    """
    return " | ".join(" + ".join(change_lines(s, lang, words=words)) for s in changes)


def verdicts_jsonl(screening: Screening) -> str:
    """One JSON object per input row: its verdicts and what it would take, or its error."""
    lines = [json.dumps(row_document(row), ensure_ascii=False) for row in screening.rows]
    return "".join(line + "\n" for line in lines)


def row_document(row: ScreenedRow) -> dict[str, Any]:
    """The JSON Lines entry for one row."""
    if row.error is not None:
        failed: dict[str, Any] = {"row": row.row, "source": row.source}
        failed.update({k: v for k, v in (("id", row.id), ("name", row.name)) if v is not None})
        error: dict[str, Any] = {"column": row.error.column, "message": row.error.message}
        if row.error.code is not None:
            error["code"] = row.error.code
        if row.error.cell is not None:
            error["cell"] = row.error.cell
        if row.error.text is not None:  # its words, for the report of a next round
            error["text"] = {"fr": row.error.text.fr, "en": row.error.text.en}
        failed["error"] = error
        failed.update(_carried(row))
        return failed
    document: dict[str, Any] = {
        "row": row.row,
        "source": row.source,
        "verdicts": [_verdict_json(f.verdict) for f in row.findings],
    }
    if row.initiative is not None:  # the facts as read: the next round merges its answers in
        document["initiative"] = row.initiative.model_dump(mode="json", exclude_none=True)
    document["lacking"] = {
        f.typology.id: list(f.lacking) for f in row.findings if positive_outcome(f.typology)
    }
    document["what_it_would_take"] = {
        f.typology.id: [s.model_dump(mode="json") for s in f.changes]
        for f in row.findings
        if f.changes is not None
    }
    document.update(_carried(row))
    return document


def _carried(row: ScreenedRow) -> dict[str, Any]:
    """The reading notes and the unread columns of a row, as JSON (always present)."""
    return {"notes": [note.as_json() for note in row.notes], "extra": dict(row.extra)}


def _verdict_json(verdict: Verdict) -> Any:
    return verdict.model_dump(mode="json")
