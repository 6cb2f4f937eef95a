"""``verdicts.xlsx``: the screening as the workbook a programme officer works in.

Officers sort, filter and annotate a shortlist in Excel; a CSV opens there with neither
headers frozen, nor filters, nor colours, and its English codes (``not_ptce``) are not
the report's words. This workbook has one line per input row, in input order, headers
in the report's language, the header row frozen with the name beside it, an autofilter,
outcomes coloured as in the report, the strength score as a number to sort on, the
funder's own columns carried through, the cells that could not be read (each fact set
aside as unknown, with its cell and why), the row's error, and two empty columns for
the officer: the decision (a drop-down list) and notes. A later round keeps what the
officer wrote there (`read_decisions`), found by header, so columns added before them
move nothing.

The workbook is written a row at a time (openpyxl's write-only mode) from each row's
cells (`xlsx_row`), kept compact until the funder's columns are all known: a hundred
thousand applicants do not sit in memory as cells. The same screening gives the same
bytes (`_timeless`). Every text is written as
text: a cell that starts like a formula gets Excel's quote prefix (shown as typed, never
run, and still text once edited), and control characters become U+FFFD, the rule of
`poletype._render.cells.safe_cell` without the visible ``'``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from poletype._engine.typology import CrispTypology, GradedTypology, Typology, against
from poletype._read.cells import looks_like_formula, without_controls
from poletype._read.data import Lang, by_language, load
from poletype._render.cells import change_lines, error_text, grid_titles, sentence
from poletype._render.report_app import score, table
from poletype._screening.fields import question
from poletype._screening.screen import (
    Finding,
    ScreenedRow,
    Screening,
    criterion_ids,
    positive_outcome,
)

XLSX_NAME = "verdicts.xlsx"
_FILLS = {
    "positive": ("E3F3E8", "17663A"),
    "negative": ("FBE9E7", "A12A22"),
    "indeterminate": ("FDF1D8", "855400"),
    "type": ("E6EEF9", "1F4E8C"),
    "error": ("E9EBEE", "4A4F57"),
}
_SCREENING_WORDS = by_language(load("words")["screening"])
"""The report's words for statuses, so the workbook, the report and the CSV say the same."""
_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
"""Texts openpyxl would store as Excel errors rather than as text."""

XlsxRow = tuple[list[Any], tuple[tuple[str, str], ...], list[Any], list[str | None], str, str, str]
"""One row's cells before the funder's columns are known (`xlsx_row`).

Row, id and name; the carried columns as read; each typology's cells and their
colours; the unreadable cells; the error; the row's key for the officer's previous
decisions (`row_key`).
"""


def carried(row: ScreenedRow) -> Mapping[str, str]:
    """The funder's own columns of a row, by header, in input order.

    Reading carries every column that is no fact of the format through unread
    (`ScreenedRow.extra`); the workbook copies them after the name, the letters look
    for an email among them.
    """
    return dict(row.extra)


def carried_headers(screening: Screening) -> list[str]:
    """Every carried column, in the order they first appear."""
    return screening.extra_columns


def write_xlsx(
    screening: Screening,
    path: str | Path,
    lang: Lang = "fr",
    *,
    outcome_class: Any,
    changes: Sequence[str] | None = None,
    decisions: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Write the workbook; ``decisions`` maps a row's key (`row_key`) to decision and notes."""
    marks: Sequence[str | None] = [None] * len(screening.rows) if changes is None else changes
    rows = (
        (xlsx_row(row, screening.typologies, lang, outcome_class), mark)
        for row, mark in zip(screening.rows, marks, strict=True)
    )
    extra = carried_headers(screening)
    return write_rows(
        path,
        screening.typologies,
        extra,
        rows,
        lang,
        changes=changes is not None,
        decisions=decisions,
    )


def xlsx_row(
    row: ScreenedRow, typologies: Sequence[Typology], lang: Lang, outcome_class: Any
) -> XlsxRow:
    """One row's cells as `write_rows` takes them (`XlsxRow`)."""
    cells: list[Any] = []
    classes: list[str | None] = []
    findings = {f.typology.id: f for f in row.findings}
    for typology in typologies:
        typed, css = _typology_cells(findings.get(typology.id), typology, lang, outcome_class)
        cells += typed
        classes += [css] + [None] * (len(typed) - 1)
    head: list[Any] = [row.row, row.id or "", row.name or row.label]
    return head, row.extra, cells, classes, _cell_notes(row, lang), _error(row, lang), row_key(row)


def write_rows(
    path: str | Path,
    typologies: Sequence[Typology],
    extra: Sequence[str],
    rows: Iterable[tuple[XlsxRow, str | None]],
    lang: Lang = "fr",
    *,
    changes: bool = False,
    decisions: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Write the workbook a row at a time: each row's cells (`xlsx_row`) and its change.

    ``extra`` are the carried columns (`carried_headers`), ``changes`` whether the rows
    have a change column (a later round), ``decisions`` the officer's by `row_key`.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - loaded only when a workbook is written

    t = table("xlsx", lang)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t["sheet"])
    header: list[str] = [t["row"], t["id"], t["name"], *extra]
    titles = grid_titles(typologies, lang) if len(typologies) > 1 else {}
    for typology in typologies:
        header += _typology_headers(typology, lang, t, grid=titles.get(typology.id))
    if changes:
        header.append(t["change"])
    header += [t["cell_notes"], t["error"], t["decision"], t["notes"]]
    _layout(sheet, header)
    sheet.append([_header_cell(sheet, name) for name in header])
    count = 1
    for (head, carried_pairs, cells, classes, noted, error, key), mark in rows:
        by_header = dict(carried_pairs)
        values: list[Any] = [*head, *(by_header.get(h, "") for h in extra), *cells]
        styles: list[str | None] = [*([None] * (len(head) + len(extra))), *classes]
        if changes:
            values.append(mark or "")
        decision, notes = (decisions or {}).get(key, ("", ""))
        values += [noted, error, decision, notes]
        styles += [None] * (len(values) - len(styles))
        sheet.append([_cell(sheet, value, css) for value, css in zip(values, styles, strict=True)])
        count += 1
    _filters(sheet, header, t, count)
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="poletype-") as folder:
        draft = Path(folder) / XLSX_NAME
        book.save(draft)
        _timeless(draft, path)
    return path


def _header_cell(sheet: Any, name: str) -> Any:
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415

    cell = WriteOnlyCell(sheet, value=_cell_value(name))
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _cell(sheet: Any, value: Any, css: str | None) -> Any:
    """A cell's value as written: text kept text (never a formula), coloured by ``css``.

    A plain value is passed as it is, which openpyxl writes fastest; a cell that needs
    a style or a forced type is a cell of its own.
    """
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415

    text = isinstance(value, str) and value
    quote = bool(text) and looks_like_formula(value)
    typed = bool(text) and (value.startswith("=") or value in _ERROR_CODES)
    if css is None and not quote and not typed:
        return _cell_value(value)
    cell = WriteOnlyCell(sheet, value=_cell_value(value))
    if text:
        cell.data_type = "s"
        if quote:
            cell.quotePrefix = True
    if css is not None:
        fill, ink = _FILLS[css]
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = Font(color=ink, bold=True)
    return cell


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")


def _timeless(draft: Path, path: Path) -> None:
    """The workbook without the time it was written: same input, same bytes.

    openpyxl stamps the document's creation and modification times and each zip entry's
    time; the report, the CSV and the JSON Lines file can be compared with ``diff``
    across runs, and so can this. Each part is copied a block at a time.
    """
    with zipfile.ZipFile(draft) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                content = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", source.read(info))
                target.writestr(entry, content)
                continue
            with source.open(info) as part, target.open(entry, "w") as copy:
                shutil.copyfileobj(part, copy, 2**20)


def _layout(sheet: Any, header: list[str]) -> None:
    """Widths, the header's height, the frozen header and name: set before any row."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    widths = {1: 7, 2: 14, 3: 36}
    for index, name in enumerate(header, start=1):
        width = widths.get(index, min(max(len(name) * 0.6, 12), 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    decision_column = get_column_letter(len(header) - 1)
    sheet.column_dimensions[decision_column].width = 16
    sheet.column_dimensions[get_column_letter(len(header))].width = 50
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "D2"


def _filters(sheet: Any, header: list[str], t: Mapping[str, str], rows: int) -> None:
    """The autofilter over the ``rows`` written, the decision drop-down: after the rows."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{rows}"
    choices = DataValidation(
        type="list",
        formula1='"' + t["decisions"] + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    decision_column = get_column_letter(len(header) - 1)
    choices.add(f"{decision_column}2:{decision_column}{max(rows, 2) + 500}")
    sheet.data_validations.append(choices)


def row_key(row: ScreenedRow) -> str:
    """What matches a row across rounds: its id, else its row number."""
    return f"id:{row.id}" if row.id else f"row:{row.row}"


def read_decisions(path: Path) -> dict[str, tuple[str, str]]:
    """The officer's decision and notes in a previous ``verdicts.xlsx``, by `row_key`.

    Found by header in either language, so a workbook written in French is read back by
    an English run. Lines with neither are left out. An unreadable workbook gives none:
    the new one is still written, without them.
    """
    from openpyxl import load_workbook  # noqa: PLC0415

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # a damaged workbook costs its notes, not the run
        return {}
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    head = [str(v or "") for v in next(rows, ())]
    names = {lang: table("xlsx", lang) for lang in ("fr", "en")}

    def find(key: str) -> int | None:
        for lang in ("fr", "en"):
            if names[lang][key] in head:
                return head.index(names[lang][key])
        return None

    where = {k: find(k) for k in ("row", "id", "decision", "notes")}
    if where["decision"] is None and where["notes"] is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for values in rows:

        def at(key: str, values: Sequence[Any] = values) -> str:
            index = where[key]
            if index is None or index >= len(values) or values[index] is None:
                return ""
            return str(values[index])

        decision, notes = at("decision"), at("notes")
        if not (decision or notes):
            continue
        key = f"id:{at('id')}" if at("id") else f"row:{at('row')}"
        found[key] = (decision, notes)
    book.close()
    return found


def _typology_headers(
    typology: Typology, lang: Lang, t: Mapping[str, str], *, grid: str | None = None
) -> list[str]:
    """One grid's headers; with several grids, each starts with the grid's short ``grid``."""
    title = getattr(typology.title, lang)
    prefix = f"{grid} — " if grid else ""
    heads = [f"{t['outcome']} — {title}"]
    if _scored(typology):
        heads.append(f"{prefix}{t['score']}")
    if isinstance(typology, GradedTypology):
        heads.append(f"{prefix}{t['leaning']}")
    if positive_outcome(typology) is not None:
        heads.append(f"{prefix}{t['lacking']}")
    heads.append(f"{prefix}{t['questions']}")
    if positive_outcome(typology) is not None:
        heads.append(f"{prefix}{t['would_take']}")
    labels = _criterion_labels(typology, lang)
    heads += [f"{prefix}{c} {labels.get(c, '')}".rstrip() for c in criterion_ids(typology)]
    return heads


def _scored(typology: Typology) -> bool:
    return isinstance(typology, CrispTypology) and bool(typology.verdict_rule.scores)


def _criterion_labels(typology: Typology, lang: Lang) -> dict[str, str]:
    return {item.id: getattr(item.spec.label, lang) for item in typology.reported()}


def _typology_cells(
    finding: Finding | None, typology: Typology, lang: Lang, outcome_class: Any
) -> tuple[list[Any], str | None]:
    """One typology's cells for a row, and the colour of its outcome cell."""
    t = table("xlsx", lang)
    width = len(_typology_headers(typology, lang, t))
    if finding is None:
        return [t["error"]] + [""] * (width - 1), "error"
    verdict = finding.verdict
    cells: list[Any] = [getattr(verdict.outcome_label, lang)]
    if _scored(typology):
        value = score(finding)
        cells.append(value[0] if value is not None else "")
    if isinstance(typology, GradedTypology):
        leaning = verdict.membership(verdict.leaning) if verdict.leaning else None
        cells.append(getattr(leaning.label, lang) if leaning is not None else "")
    separator = " ; " if lang == "fr" else "; "
    if positive_outcome(typology) is not None:
        labels = _criterion_labels(typology, lang)
        cells.append(separator.join(f"{c} {labels.get(c, '')}".rstrip() for c in finding.lacking))
    cells.append("\n".join(getattr(question(p), lang) for p in verdict.missing))
    if positive_outcome(typology) is not None:
        sets = finding.changes or ()
        cells.append(" | ".join(" + ".join(change_lines(s, lang)) for s in sets))
    statuses = {r.id: r.status for r in verdict.criteria}
    reversed_ = against(typology)
    cells += [
        _status_word(statuses.get(c, ""), lang, exclusion=c in reversed_)
        for c in criterion_ids(typology)
    ]
    return cells, outcome_class(typology, verdict.outcome)


def _status_word(status: str, lang: Lang, *, exclusion: bool = False) -> str:
    """A criterion's status as the report words it, capitalised for a cell of its own.

    An exclusion that is not met does not apply, which is no failure: "Ne s'applique
    pas", never "Non satisfait". An empty status (no verdict) stays empty.
    """
    if not status:
        return ""
    words = _SCREENING_WORDS[lang]
    if exclusion and status in ("met", "not_met"):
        return sentence(words["applies" if status == "met" else "does_not_apply"])
    return sentence(words.get(status, status))


def _cell_notes(row: ScreenedRow, lang: Lang) -> str:
    """The row's unreadable cells, one a line: the field, the cell, what was read and why.

    A fact set aside is unknown, so its applicant may be indeterminate for it: the
    officer filtering on this column finds whom to ask, and which cell to correct.
    """
    return "\n".join(note.text(lang) for note in row.notes)


def _error(row: ScreenedRow, lang: Lang) -> str:
    """The row's error in the workbook's language, as the CSV words it."""
    return "" if row.error is None else error_text(row.error, lang)


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return without_controls(value)
    return value
