"""``poletype screen``: a call's applicants in, the report and its files out, a row at a time.

The input is read, each row screened and written (`poletype._render.outputs.ScreeningWriter`)
before the next is read, so that a hundred thousand applicants take the memory of a
few: what every file needs of all rows is kept on disk until the last one. What is
said on standard error comes as the rows do: each row's unreadable cells and its
error, then one closing line of counts; on a terminal, a progress bar (`ProgressBar`),
which ``--quiet`` hides with everything but the errors.

All of it is said in the run's language (``--lang``, French by default), with words from
``data/words.yaml`` (``terminal``): French names rows, outcomes and grids in words and
words each error for a programme officer; English keeps the stable form scripts read
(outcome codes, typology ids, the stored messages). A failure that stops the run is said
the same way, its file named and its code in brackets; the exit codes do not change.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

from poletype._cli.progress import ProgressBar
from poletype._cli.research import ManifestEntries, run_manifest
from poletype._read.data import Lang, by_language, load
from poletype._render import rounds
from poletype._render.cells import ROW_CODES, error_text, error_words, grid_titles
from poletype._render.outputs import ScreeningWriter, Section
from poletype._render.workbook import XLSX_NAME, read_decisions
from poletype._screening.screen import (
    Merge,
    ScreenedRow,
    Tally,
    open_screening,
    screening_typologies,
)
from poletype._screening.spill import Spill
from poletype._screening.tabular import Applicant, RowError
from poletype.errors import EXIT_BAD_INPUT, EXIT_OK, PoletypeError

_TERMINAL = load("words")["terminal"]
_SAY = by_language({k: v for k, v in _TERMINAL.items() if k != "fatal"})
_FATAL = by_language(_TERMINAL["fatal"])


def screen_command(args: argparse.Namespace) -> int:
    """Screen, write every file, say what happened; 1 when any row failed.

    A failure that stops the run is said in the run's language (`fatal_text`).
    """
    lang = cast(Lang, args.lang)
    try:
        return _screen(args, lang)
    except PoletypeError as exc:
        print(f"poletype: {fatal_text(exc, lang)}", file=sys.stderr)
        return exc.exit_code


def _screen(args: argparse.Namespace, lang: Lang) -> int:
    quiet = bool(getattr(args, "quiet", False))
    chosen = screening_typologies(args.typology, args.rules, dict(args.param))
    previous = None if args.previous is None else rounds.read_previous(args.previous)
    merge: Merge | None = None
    section: Section | str = ""
    decisions = None
    if previous is not None:
        known = previous

        def merge(rows: Iterable[Applicant]) -> Iterator[Applicant]:
            return rounds.merge_applicants(rows, known)

        def section(changed: Spill[rounds.ChangeEntry]) -> Iterator[str]:
            return rounds.section_chunks(changed, known.folder, lang)

        decisions = read_decisions(previous.folder / XLSX_NAME)
    run = open_screening(
        args.input,
        chosen,
        members=args.members,
        columns=args.columns,
        header_row=args.header_row,
        merge=merge,
    )
    bar = ProgressBar(quiet=quiet)
    if not quiet:
        for notice in run.notices:
            bar.say(f"poletype: {getattr(notice, lang)}")
    labels = rounds.outcome_labels(chosen, lang)
    manifest = ManifestEntries() if getattr(args, "manifest", None) is not None else None
    writer = ScreeningWriter(
        args.out,
        run.tally(),
        lang,
        args.csv_columns,
        changes=previous is not None,
        changes_section=section,
        decisions=decisions,
        letters=args.letters,
    )
    done = 0
    with writer:
        for row in run.rows():
            _say_row(bar, row, lang, quiet=quiet)
            mark = None if previous is None else rounds.change_of(row, previous, lang, labels)
            writer.add(row, mark)
            if manifest is not None:
                manifest.add_row(row)
            done += 1
            bar.update(done, run.expected)
        bar.close(done)
        written = writer.finish()
    for path in written:
        print(path)
    if not quiet:
        bar.say(f"poletype: {summary(writer.tally, lang)}")
    run_manifest(args, typologies=chosen, screening=manifest)
    return EXIT_BAD_INPUT if writer.tally.errors else EXIT_OK


def _say_row(bar: ProgressBar, row: ScreenedRow, lang: Lang, *, quiet: bool) -> None:
    """A row's unreadable cells (not when quiet) and its error, on standard error."""
    w = _SAY[lang]
    if not quiet:
        where = w["where"].format(source=row.source, row=w["row"].format(row=row.row))
        for note in row.notes:
            bar.say("poletype: " + w["note"].format(where=where, note=note.text(lang)))
    if row.error is not None:
        bar.say(f"poletype: {row_error_text(row.source, row.error, lang)}")


def row_error_text(source: str, error: RowError, lang: Lang) -> str:
    """A row's error as standard error says it: where, then why.

    In French, the error's words for an officer (`error_text`: the field's label, the
    cell, what was wrong); in English, the stored message and its code, as before.
    """
    if lang == "en":
        column = "" if error.column is None else f", column {error.column}"
        code = "" if error.code is None else f" [{error.code}]"
        return f"{source}: row {error.row}{column}: {error.message}{code}"
    w = _SAY[lang]
    where = w["where"].format(source=source, row=w["row"].format(row=error.row))
    return w["note"].format(where=where, note=error_text(error, lang))


def summary(tally: Tally, lang: Lang) -> str:
    """The closing line: rows screened, each grid's count per outcome, rows in error.

    French names each outcome and grid in words (``PTCE : 1, Pas un PTCE : 3``);
    English keeps the codes and ids scripts read (``ptce 1, not_ptce 3``).
    """
    w = _SAY[lang]
    titles = grid_titles(tally.typologies, lang)
    parts = [w["screened_one"] if tally.total == 1 else w["screened"].format(count=tally.total)]
    for typology in tally.typologies:
        words = dict(typology.outcomes())
        counts = ", ".join(
            w["count"].format(code=o, outcome=getattr(words[o], lang) if o in words else o, count=n)
            for o, n in tally.counts(typology).items()
        )
        parts.append(w["grid"].format(id=typology.id, grid=titles[typology.id], counts=counts))
    parts.append(w["errors"].format(count=tally.errors))
    return w["parts"].join(parts)


def fatal_text(exc: PoletypeError, lang: Lang) -> str:
    """A failure that stops the run, for the person who ran it: the file, what failed.

    English keeps the error's own line. French says it in words: a missing file as
    missing, never an operating system's message or a Python value; a failure without
    words of its own gives its detail, said to be in English. The code stays in brackets.
    """
    if lang == "en":
        return str(exc)
    w = _FATAL[lang]
    file = exc.file or ""
    if exc.code in ("unreadable-input", "no-previous-results") and file and not Path(file).exists():
        text = w["not_found"].format(file=file)
    elif exc.code in w:
        text = w[exc.code].format(file=file)
    elif exc.code in ROW_CODES:
        words = error_words(RowError(0, None, exc.message, file, exc.code))
        text = w["input"].format(file=file, words=getattr(words, lang))
    else:
        detail = str(PoletypeError(exc.message, code=exc.code, criterion=exc.criterion))
        text = w["other"].format(file=file, detail=detail.removesuffix(f" [{exc.code}]"))
    return f"{text.removeprefix(' : ')} [{exc.code}]"
