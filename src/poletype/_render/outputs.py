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
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from poletype._engine.typology import CrispTypology, GradedTypology, Typology
from poletype._read.data import Lang, by_language, load
from poletype._render.cells import DELIMITERS, change_lines, error_text, safe_cell
from poletype._render.html import REPORT_NAMES, outcome_class, render_report
from poletype._render.workbook import XLSX_NAME, write_xlsx
from poletype._screening.fields import question
from poletype._screening.screen import (
    Finding,
    ScreenedRow,
    Screening,
    against,
    criterion_ids,
    positive_outcome,
)
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
    out = Path(out)
    report = render_report(screening, lang, changes=changes, changes_section=changes_section)
    files = {
        out / REPORT_NAMES[lang]: report,
        out / CSV_NAME: "\ufeff" + verdicts_csv(screening, lang, columns, changes=changes),
        out / JSONL_NAME: verdicts_jsonl(screening),
        **{out / name: text for name, text in (extra or {}).items()},
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        workbook = write_xlsx(
            screening,
            out / XLSX_NAME,
            lang,
            outcome_class=outcome_class,
            changes=changes,
            decisions=decisions,
        )
    except OSError as exc:
        raise SetupError(
            f"cannot write the screening results: {exc.strerror or exc}",
            code="unwritable-output",
            file=str(exc.filename or out),
            expected="a folder that can be created and written to",
        ) from None
    return [*list(files)[:3], workbook, *list(files)[3:]]


def csv_header(
    screening: Screening, lang: Lang = "fr", columns: Columns = "codes", *, changes: bool = False
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
            header.append(f"{typology.id} — {named}")
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
    writer = csv.writer(buffer, delimiter=DELIMITERS[lang], lineterminator="\r\n")
    writer.writerow(csv_header(screening, lang, columns, changes=changes is not None))
    widths = [(t.id, len(_typology_columns(t))) for t in screening.typologies]
    extra = screening.extra_columns
    marks = list(changes) if changes is not None else [None] * len(screening.rows)
    for row, mark in zip(screening.rows, marks, strict=True):
        cells = _csv_row(row, widths, lang, extra, words=columns == "words")
        if mark is not None:
            cells.insert(len(cells) - 2, mark)
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def _csv_row(
    row: ScreenedRow,
    widths: list[tuple[str, int]],
    lang: Lang,
    extra: list[str] = [],  # noqa: B006 -- read only
    *,
    words: bool = False,
) -> list[str]:
    cells = [str(row.row), row.source, row.id or "", row.name or ""]
    carried = dict(row.extra)
    cells += [carried.get(name, "") for name in extra]
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
        cells.append(_changes_text(finding.changes or (), lang))
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


def _changes_text(changes: tuple[ChangeSet, ...], lang: Lang) -> str:
    """Each change set as its sentences joined by ' + ', the sets separated by ' | '."""
    return " | ".join(" + ".join(change_lines(s, lang)) for s in changes)


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
