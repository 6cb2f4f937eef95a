"""``poletype screen``: a call's applicants in, the report and its files out, a row at a time.

The input is read, each row screened and written (`poletype._render.outputs.ScreeningWriter`)
before the next is read, so that a hundred thousand applicants take the memory of a
few: what every file needs of all rows is kept on disk until the last one. What is
said on standard error comes as the rows do: each row's unreadable cells and its
error, then one closing line of counts; on a terminal, a progress bar (`ProgressBar`),
which ``--quiet`` hides with everything but the errors.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from typing import cast

from poletype._cli.progress import ProgressBar
from poletype._cli.research import ManifestEntries, run_manifest
from poletype._read.data import Lang
from poletype._render import rounds
from poletype._render.outputs import ScreeningWriter, Section
from poletype._render.workbook import XLSX_NAME, read_decisions
from poletype._screening.screen import Merge, ScreenedRow, open_screening, screening_typologies
from poletype._screening.spill import Spill
from poletype._screening.tabular import Applicant
from poletype.errors import EXIT_BAD_INPUT, EXIT_OK


def screen_command(args: argparse.Namespace) -> int:
    """Screen, write every file, say what happened; 1 when any row failed."""
    lang = cast(Lang, args.lang)
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
        bar.say(f"poletype: {writer.tally.summary()}")
    run_manifest(args, typologies=chosen, screening=manifest)
    return EXIT_BAD_INPUT if writer.tally.errors else EXIT_OK


def _say_row(bar: ProgressBar, row: ScreenedRow, lang: Lang, *, quiet: bool) -> None:
    """A row's unreadable cells (not when quiet) and its error, on standard error."""
    if not quiet:
        for note in row.notes:
            bar.say(f"poletype: {row.source}: row {row.row}: {note.text(lang)}")
    if row.error is not None:
        column = "" if row.error.column is None else f", column {row.error.column}"
        where = f"{row.source}: row {row.error.row}{column}"
        code = "" if row.error.code is None else f" [{row.error.code}]"
        bar.say(f"poletype: {where}: {row.error.message}{code}")
