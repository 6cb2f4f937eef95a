"""The command line's inputs and outputs: files and case tables in, JSON and CSV out.

A file (or a case table's row) is the unit that fails: each gets its result or its
error entry, in order, and the exit status says whether any failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from poletype._api import read_initiative
from poletype._read.cells import safe_cell
from poletype._read.params import read_value
from poletype.errors import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    InitiativeError,
    PoletypeError,
    RuleFileError,
    SetupError,
)
from poletype.model import Initiative

T = TypeVar("T")
Error = dict[str, Any]
"""The JSON entry that stands in place of a file that could not be read or classified."""


def param_and_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--param", "-p", action="append", type=param_option, default=[], metavar="NAME=VALUE"
    )
    p.add_argument("--lang", choices=["fr", "en"], default="fr")


def param_option(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``, the value read by `read_value`'s small grammar, not as YAML.

    YAML would read ``2024-01-01`` as a date, ``.nan`` as a number that is none, and
    expand tags and aliases; a bad value is a usage error (exit 2) naming the parameter.
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        msg = f"expected NAME=VALUE, found {text!r}"
        raise argparse.ArgumentTypeError(msg)
    try:
        return name.strip(), read_value(name.strip(), value)
    except PoletypeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def per_file(files: Sequence[str], work: Callable[[Initiative], T]) -> tuple[list[T | Error], int]:
    """``work`` on each file's initiative; a bad file gets an error entry in its place."""
    return with_status([attempt_unit(file, work) for file in read_units(files)])


def attempt_unit(file: str | Case, work: Callable[[Initiative], T]) -> T | Error:
    """``work`` on one file's initiative, or the file's error entry.

    This is the one place where any exception is caught: a file is the unit that fails,
    and whatever a hostile file makes a parser raise (a RecursionError, a ValueError from
    a library) costs that file's result only, said on one line with a code.
    """
    if isinstance(file, Case):
        return _case_attempt(file, work)
    try:
        initiative = read_initiative(file)
    except PoletypeError as exc:
        return error_entry(file, exc)
    except Exception as exc:  # the file's fault, whatever the reader raised
        reason = f"cannot read the file ({type(exc).__name__}: {str(exc)[:200]})"
        return error_entry(file, InitiativeError(reason, code="unreadable-input", file=file))
    try:
        return work(initiative)
    except PoletypeError as exc:
        return error_entry(file, exc)
    except Exception as exc:  # reported, with the file, as this file's result
        reason = f"cannot classify ({type(exc).__name__}: {str(exc)[:200]})"
        return error_entry(file, RuleFileError(reason, code="evaluation-error", file=file))


def error_entry(file: str, exc: PoletypeError) -> Error:
    return {"file": file, "error": {"code": exc.code, "message": str(exc)}}


def with_status(results: list[T | Error]) -> tuple[list[T | Error], int]:
    """Each error entry said on standard error, in input order; the exit status."""
    status = EXIT_OK
    for result in results:
        if isinstance(result, dict):
            status = EXIT_BAD_INPUT
            print(f"poletype: {result['error']['message']}", file=sys.stderr)
    return results, status


def write_json(items: list[Any], *, single: bool) -> None:
    document = items[0] if single and len(items) == 1 else items
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def json_text(item: Any) -> str:
    """One item of the JSON output, written as `write_json` writes it."""
    return json.dumps(item, ensure_ascii=False, indent=2)


def write_json_texts(texts: list[str], *, single: bool) -> None:
    """`write_json` of items already written by `json_text`: the same bytes.

    Writing JSON with indentation is pure Python and slow; ``--jobs`` workers write their
    verdicts, and this only nests them in the list (a JSON string holds no raw newline).
    """
    if single and len(texts) == 1:
        document = texts[0]
    elif not texts:
        document = "[]"
    else:
        document = "[\n" + ",\n".join("  " + t.replace("\n", "\n  ") for t in texts) + "\n]"
    sys.stdout.write(document + "\n")


_TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".parquet")
"""A file argument with one of these suffixes is a case table: each row is a case."""


@dataclass(frozen=True)
class Case:
    """One row of a case table given on the command line: its initiative, or its error."""

    source: str
    initiative: Initiative | None
    error: Error | None


def _is_table(file: str) -> bool:
    return Path(file).suffix.lower() in _TABLE_SUFFIXES and not Path(file).is_dir()


def read_units(files: Sequence[str]) -> list[str | Case]:
    """The command's inputs: each initiative file as it is, each case table row by row.

    So that every command taking initiatives takes a researcher's table too (CSV, XLSX,
    JSON Lines, Parquet), read by the screening reader: a bad row is that row's error
    entry, in its place; a table that cannot be read at all is one error entry.
    """
    if not any(_is_table(file) for file in files):
        return list(files)
    from poletype._analysis.frames import read_table  # noqa: PLC0415 - spreadsheet readers

    units: list[str | Case] = []
    for file in files:
        if not _is_table(file):
            units.append(file)
            continue
        try:
            applicants = read_table(file)
        except Exception as exc:  # the file's fault, whatever the reader raised
            units.append(_table_error(file, exc))
            continue
        units += _cases(applicants)
    return units


class Units:
    """The command's inputs as `read_units` gives them, each read when it is asked for.

    A case table's rows are read as they are needed (Parquet aside, which is read
    whole), so that a table of a hundred thousand rows is never held in memory.
    ``expected`` is how many units are expected so far: each file counts one until a
    table, opened, says how many rows it has.
    """

    def __init__(self, files: Sequence[str]) -> None:
        self.files = list(files)
        self.expected = len(self.files)

    def __iter__(self) -> Iterator[str | Case]:
        for file in self.files:
            if not _is_table(file):
                yield file
                continue
            yield from self._table(file)

    def _table(self, file: str) -> Iterator[str | Case]:
        from poletype._analysis.frames import read_table  # noqa: PLC0415 - spreadsheet readers
        from poletype._screening.tabular import read_applicants  # noqa: PLC0415

        try:
            if Path(file).suffix.lower() == ".parquet":
                whole = read_table(file)
                applicants: Iterable[Any] = whole
                count: int | None = len(whole)
            else:
                reading = read_applicants(Path(file))
                applicants, count = reading, reading.expected
            self.expected += (count or 1) - 1
            rows = iter(_cases(applicants))
            first = next(rows, None)
        except Exception as exc:  # the file's fault, whatever the reader raised
            yield _table_error(file, exc)
            return
        if first is None:
            return
        yield first
        try:
            yield from rows
        except Exception as exc:  # read so far: the rows are kept, the failure said after
            yield _table_error(file, exc)


def _table_error(file: str, exc: Exception) -> Case:
    """The error entry of a case table that cannot be read (further)."""
    if isinstance(exc, PoletypeError):
        return Case(file, None, error_entry(file, exc))
    reason = f"cannot read the file ({type(exc).__name__}: {str(exc)[:200]})"
    error = InitiativeError(reason, code="unreadable-input", file=file)
    return Case(file, None, error_entry(file, error))


def _cases(applicants: Iterable[Any]) -> Iterator[Case]:
    """Each row of a case table (`poletype._screening.tabular.Applicant`) as a unit."""
    for applicant in applicants:
        where = f"{applicant.source}: row {applicant.row}"
        if applicant.error is None:
            yield Case(where, applicant.initiative, None)
            continue
        row = applicant.error
        column = "" if row.column is None else f", column {row.column}"
        message = f"{applicant.source}: row {row.row}{column}: {row.message}"
        code = row.code or "invalid-initiative"
        entry: Error = {
            "file": applicant.source,
            "row": row.row,
            "error": {"code": code, "message": f"{message} [{code}]"},
        }
        yield Case(where, None, entry)


def _case_attempt(case: Case, work: Callable[[Initiative], T]) -> T | Error:
    """``work`` on one table row's initiative, or the row's error entry."""
    if case.initiative is None:
        assert case.error is not None
        return case.error
    try:
        return work(case.initiative)
    except PoletypeError as exc:
        return error_entry(case.source, exc)
    except Exception as exc:  # reported, with the row, as this row's result
        reason = f"cannot classify ({type(exc).__name__}: {str(exc)[:200]})"
        return error_entry(
            case.source, RuleFileError(reason, code="evaluation-error", file=case.source)
        )


def unit_cases(units: Sequence[str | Case]) -> list[Initiative]:
    """The initiatives the units hold (files read again; unreadable ones left out)."""
    cases = []
    for unit in units:
        if isinstance(unit, Case):
            if unit.initiative is not None:
                cases.append(unit.initiative)
            continue
        try:
            cases.append(read_initiative(unit))
        except Exception:  # an unreadable file has its error entry already
            continue
    return cases


def input_files(files: Sequence[str]) -> list[str]:
    """The files a run read: those given, and a CSV case table's members file beside it."""
    found = []
    for file in files:
        found.append(file)
        path = Path(file)
        if path.suffix.lower() in (".csv", ".tsv", ".txt"):
            for name in ("members", "membres"):
                sibling = path.with_name(f"{path.stem}-{name}{path.suffix}")
                if sibling.is_file():
                    found.append(str(sibling))
                    break
    return found


def write_csv(records: Sequence[dict[str, Any]], out: Path) -> Path:
    """Records as CSV (UTF-8, comma), every text cell formula-safe, numbers as Python writes."""
    import csv  # noqa: PLC0415

    columns = list(dict.fromkeys(key for record in records for key in record))
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record in records:
                cells = [record.get(c) for c in columns]
                writer.writerow(
                    [
                        "" if v is None else safe_cell(v) if isinstance(v, str) else repr(v)
                        for v in cells
                    ]
                )
    except OSError as exc:
        raise SetupError(
            f"cannot write {out}: {exc.strerror or exc}", code="unwritable-output", file=str(out)
        ) from None
    return out
