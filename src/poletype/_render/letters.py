"""Letters to applicants: what to answer, what keeps them out, or that they qualify.

After the screening an officer writes to every applicant. The letter follows the
verdicts: an indeterminate applicant is asked the missing facts (the questions of
``data/fields.yaml``), one that does not qualify is told which criteria keep it out and
what would make it qualify, one that qualifies gets a short confirmation. Each letter
is an HTML file (and a PDF when the ``pdf`` extra, weasyprint, is installed), and a
mail-merge CSV holds one line per applicant (id, name, email when the funder's columns
carry one, subject, body) for a mail client or a grant platform. The CSV follows
`poletype._render.cells.safe_cell`: nothing in it runs as a formula. Letters are made
as the rows come (`LetterBox`), the mail-merge file written a line at a time.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from poletype._engine.typology import against
from poletype._read.cells import safe_cell
from poletype._read.data import Lang
from poletype._render.cells import DELIMITERS, change_lines, error_text
from poletype._render.report_app import table
from poletype._screening.fields import question
from poletype._screening.screen import Finding, ScreenedRow, Screening, positive_outcome
from poletype._screening.whatif import ChangeSet

_EMAIL_HEADER = re.compile(r"e-?mail|courriel|m[ée]l\b", re.IGNORECASE)
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")
_CSS = (
    "body{font:11pt/1.5 Georgia,'Times New Roman',serif;color:#1d2430;max-width:40em;"
    "margin:2.5em auto;padding:0 1.5em}h1{font-size:15pt;margin:0 0 .2em}"
    ".ref{color:#5b6573;margin:0 0 1.5em}li{margin:.3em 0}@page{margin:22mm}"
)


def email_of(row: ScreenedRow, carried: Mapping[str, str]) -> str:
    """The applicant's email, from a funder's column named like one, else ""."""
    for header, value in carried.items():
        if _EMAIL_HEADER.search(header) and value:
            return value
    return ""


def paragraphs(row: ScreenedRow, lang: Lang) -> tuple[str, list[str | list[str]]]:
    """The letter's subject and its body: paragraphs, and lists as lists of lines."""
    w = table("letters", lang)
    name = row.name or row.label
    if row.failed:
        message = error_text(row.error, lang) if row.error is not None else ""
        return w["subject_error"].format(name=name), [w["error"].format(message=message)]
    body: list[str | list[str]] = []
    kinds: set[str] = set()
    for finding in row.findings:
        positive = positive_outcome(finding.typology)
        if positive is None:
            continue  # an ideal type is a reading, not a criterion to meet
        title = getattr(finding.typology.title, lang)
        outcome = finding.verdict.outcome
        if outcome == positive:
            kinds.add("eligible")
            body.append(w["eligible"].format(typology=title))
        elif finding.lacking:
            kinds.add("not")
            body += _kept_out(finding, title, lang)
        else:
            kinds.add("questions")
            body.append(w["questions_intro"].format(typology=title))
            body.append([getattr(question(p), lang) for p in finding.verdict.missing])
            body.append(w["questions_end"])
    kind = next((k for k in ("not", "questions", "eligible") if k in kinds), "eligible")
    return w[f"subject_{kind}"].format(name=name), body


def _kept_out(finding: Finding, title: str, lang: Lang) -> list[str | list[str]]:

    w = table("letters", lang)
    reversed_ = against(finding.typology)
    labels = {r.id: getattr(r.label, lang) for r in finding.verdict.criteria}
    lacking = [
        f"{labels[c]} ({w['applies'] if c in reversed_ else w['lacks']})" for c in finding.lacking
    ]
    out: list[str | list[str]] = [w["not_intro"].format(typology=title), lacking]
    sets: tuple[ChangeSet, ...] = finding.changes or ()
    if sets:
        out.append(w["takes_intro"])
        out.append(
            [
                f"{w['option']} {n} : " + " ; ".join(change_lines(s, lang))
                if lang == "fr"
                else f"{w['option']} {n}: " + "; ".join(change_lines(s, lang))
                for n, s in enumerate(sets, start=1)
            ]
        )
    else:
        out.append(w["no_takes"])
    out.append(w["not_end"])
    return out


def letter_html(row: ScreenedRow, lang: Lang) -> str:
    """One applicant's letter as a page to print or send."""
    w = table("letters", lang)
    subject, body = paragraphs(row, lang)
    ref = w["reference"].format(id=row.id or row.row, name=row.name or row.label)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(subject)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(subject)}</h1>",
        f'<p class="ref">{html.escape(ref)}</p>',
        f"<p>{html.escape(w['greeting'])}</p>",
    ]
    for item in body:
        if isinstance(item, list):
            parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in item) + "</ul>")
        else:
            parts.append(f"<p>{html.escape(item)}</p>")
    parts += [f"<p>{html.escape(w['closing'])}</p>", "</body></html>", ""]
    return "\n".join(parts)


def letter_text(row: ScreenedRow, lang: Lang) -> str:
    """The same letter as plain text, for the mail-merge file."""
    w = table("letters", lang)
    _, body = paragraphs(row, lang)
    lines = [w["greeting"], ""]
    for item in body:
        if isinstance(item, list):
            lines += [f"- {x}" for x in item]
        else:
            lines.append(item)
        lines.append("")
    lines.append(w["closing"])
    return "\n".join(lines)


def not_an_applicant(row: ScreenedRow) -> bool:
    """Whether the row is a members-sheet row tied to no applicant (its key in error)."""
    return row.error is not None and row.error.column == "applicant_id"


def file_stem(row: ScreenedRow) -> str:
    """A letter's file name: its row, then its id made safe for any file system."""
    slug = _SLUG.sub("-", row.id or "").strip("-")[:40]
    return f"{row.row:05d}-{slug}" if slug else f"{row.row:05d}"


MERGE_COLUMNS = ("row", "id", "name", "email", "subject", "body", "letter")
"""The mail-merge file's columns, in order; their headers are words in the letters' language."""


def merge_name(lang: Lang) -> str:
    """The mail-merge file's path under the output folder, in the letters' folder."""
    w = table("letters", lang)
    return f"{w['folder']}/{w['mail_merge']}"


class LetterBox:
    """Letters made as the rows come: each one's file name and page, and its mail-merge line.

    The mail-merge CSV goes to ``merge`` a line at a time, its byte-order mark first;
    it is named `merge_name` under the output folder, the letters `folder`/NAME.html.
    """

    def __init__(self, lang: Lang, merge: TextIO) -> None:
        self.lang = lang
        self.folder = table("letters", lang)["folder"]
        self.merge_name = merge_name(lang)
        self._seen: set[str] = set()
        merge.write("\ufeff")
        self._writer = csv.writer(merge, delimiter=DELIMITERS[lang], lineterminator="\r\n")
        words = table("letters", lang)
        self._writer.writerow([words[f"merge_{key}"] for key in MERGE_COLUMNS])

    def add(self, row: ScreenedRow, carried: Mapping[str, str]) -> tuple[str, str] | None:
        """One applicant's letter, by its path under the output folder; its line written.

        ``carried`` are the funder's columns the email is looked for in. None for a row
        of the members sheet that belongs to no applicant: there is no one to write to,
        and the officer, not an applicant, has the sheet to correct.
        """
        if not_an_applicant(row):
            return None
        stem = file_stem(row)
        while stem in self._seen:
            stem += "-bis"
        self._seen.add(stem)
        subject, _ = paragraphs(row, self.lang)
        cells = [
            str(row.row),
            row.id or "",
            row.name or row.label,
            email_of(row, carried),
            subject,
            letter_text(row, self.lang),
            f"{stem}.html",
        ]
        self._writer.writerow([safe_cell(c) for c in cells])
        return f"{self.folder}/{stem}.html", letter_html(row, self.lang)


def letters(
    screening: Screening, lang: Lang, carried: Mapping[int, Mapping[str, str]] | None = None
) -> dict[str, str]:
    """Every letter and the mail-merge CSV, by path under the output folder.

    The email comes from the funder's columns reading carried through (`ScreenedRow.extra`);
    ``carried`` gives other columns by a row's index in the screening instead.
    """
    buffer = io.StringIO()
    box = LetterBox(lang, buffer)
    files: dict[str, str] = {}
    for index, row in enumerate(screening.rows):
        columns = dict(row.extra) if carried is None else carried.get(index, {})
        letter = box.add(row, columns)
        if letter is not None:
            files[letter[0]] = letter[1]
    files[box.merge_name] = buffer.getvalue()
    return files


PdfWriter = Callable[[Path, str, str], Path]
"""Writes one HTML letter (its path under the output folder, its page) as PDF."""


def pdf_writer() -> PdfWriter | None:
    """What writes a letter as PDF, when weasyprint (the ``pdf`` extra) is installed."""
    try:
        from weasyprint import HTML  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        return None

    def write(out: Path, name: str, text: str) -> Path:
        path = (out / name).with_suffix(".pdf")
        HTML(string=text).write_pdf(str(path))
        return path

    return write


def write_pdfs(out: Path, files: Mapping[str, str]) -> list[Path]:
    """Each HTML letter also as PDF, when weasyprint (the ``pdf`` extra) is installed."""
    write = pdf_writer()
    if write is None:
        return []
    return [write(out, name, text) for name, text in files.items() if name.endswith(".html")]
