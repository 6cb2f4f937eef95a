"""Case tables in, tidy verdicts out: pandas and polars frames for researchers.

A researcher's coded cases live in a table, one row per case, one column per fact; the
verdicts go back to a table for the statistics. Both directions used to need glue:
turning rows into initiatives by hand, and parsing ``"0.00–0.29"`` strings back out of
``verdicts.csv``. Here the rows are read exactly as a screened spreadsheet's (same
column names, same cell readers, same limits and errors: `poletype._screening.tabular.read_rows`),
and verdicts come out at full precision, keyed by the initiative ``id``, with the
typology's version and ``rules_hash`` on every row so that a table says what made it.

pandas and polars are optional (``pip install 'poletype[frames]'``): they are imported
inside the functions that build or read a frame, never when poletype loads.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from poletype._engine.dispatch import evaluate
from poletype._engine.typology import Typology
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._rules.classify import load_typologies, to_initiative
from poletype._rules.examples import with_parameters
from poletype._screening.cells import CellError, format_cell, read_cell
from poletype._screening.fields import APPLICANT_FIELDS
from poletype._screening.tabular import Applicant, RowError, read_applicants, read_rows
from poletype.errors import InitiativeError, SetupError, UsageError
from poletype.model import Initiative, MemberKind
from poletype.verdict import Verdict

Backend = Literal["pandas", "polars"]
Level = Literal["case", "criterion"]
MembershipMode = Literal["interval", "low", "mid", "high"]

MEMBER_KINDS: tuple[str, ...] = get_args(MemberKind)
_COUNT = dataclasses.replace(APPLICANT_FIELDS["sites"], path="members.<kind>")
"""How a count column's cell is read: a whole number, as ``sites`` is."""


def _module(name: str, what: str) -> Any:
    """An optional library, or the one-line error saying which extra brings it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise SetupError(
            f"{what} needs {name}",
            code="missing-dependency",
            expected=f"{name}, installed with pip install 'poletype[frames]'",
        ) from None


# Case tables in ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseError(RowError):
    """A row of a case table that could not be read, with the id and name it states."""

    id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CaseTable:
    """The cases read from a table: the initiatives, and one error per unreadable row.

    Errors are returned, not raised, as `screen` returns them: one bad cell costs its
    row, never the table. An error's ``row`` is the row's 0-based position in the frame
    its ``source`` names (``cases`` or ``members``), its ``column`` the field at fault.
    Iterating gives the initiatives, so a `CaseTable` goes wherever cases go.

    A bad cell in a fact (not the id or the name) costs that fact only, as in
    screening: the case is read with the fact unknown, and ``notes`` says which cell was
    set aside and why, so that a researcher sees every coding problem.
    """

    initiatives: tuple[Initiative, ...]
    errors: tuple[CaseError, ...]
    notes: tuple[CaseError, ...] = ()

    def __iter__(self) -> Iterator[Initiative]:
        return iter(self.initiatives)

    def __len__(self) -> int:
        return len(self.initiatives)


def from_frame(
    frame: Any,
    *,
    id: str = "id",
    members: Any = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CaseTable:
    """The cases of a pandas or polars frame, one per row, columns named by field paths.

    Columns are the screening spreadsheet's (``strategy.shared``, ``activities.
    social_utility_share``, or a template header ending in ``[path]``), read by the same
    cell readers: ``oui``/``non``, ``60 %``, ``a; b`` lists, and Python values
    (``True``, ``0.6``, a list of codes) as they are. ``id`` names the column holding
    the case id. A missing cell (None, NaN, null, NaT) is an unknown fact, never "no".

    Members come either as a second frame (``members``), one row per member, tied to
    its case by a column named like ``id`` (or ``applicant_id``); or as counts by kind,
    columns ``members.<kind>`` (``members.sme``: 3) in the case table, each count
    expanded into that many members of that kind. Counts state the whole member list,
    so it is stated only when every count column of the row is filled: a blank count
    leaves the members unknown rather than claiming there are none of that kind.

    An unknown column (a typo) raises `InitiativeError` at once, as for a spreadsheet;
    bad cells do not: each unreadable row is one `RowError` in ``errors``.
    """
    header, rows = _frame_rows(frame)
    member_frame = None if members is None else _frame_rows(members)
    return _case_table(_read_cases(header, rows, id=id, members=member_frame, limits=limits))


def _read_cases(
    header: list[Any],
    rows: list[list[Any]],
    *,
    id: str,
    members: tuple[list[Any], list[list[Any]]] | None,
    limits: Limits,
) -> list[Applicant]:
    header = ["id" if str(column) == id else column for column in header]
    counts = [i for i, column in enumerate(header) if _count_kind(column) is not None]
    kept = [i for i in range(len(header)) if i not in counts]
    table = [list(row) for row in rows]
    member_table = None
    if members is not None:
        member_header, member_rows = members
        member_header = ["applicant_id" if str(c) == id else c for c in member_header]
        member_table = ("members", member_header, iter(member_rows))
    applicants = read_rows(
        "cases",
        [header[i] for i in kept],
        iter([[row[i] if i < len(row) else None for i in kept] for row in table]),
        members=member_table,
        limits=limits,
    )
    read: list[Applicant] = []
    for applicant in applicants:
        if applicant.source == "cases" and counts:
            row = table[applicant.row - 2]
            applicant = _with_counts(  # noqa: PLW2901 - the same row, its counts added
                applicant, {header[i]: row[i] if i < len(row) else None for i in counts}, limits
            )
        read.append(applicant)
    return read


def _refuse_unread_columns(applicants: list[Applicant]) -> None:
    """A case table names fields: a column nothing reads is a typo, said at once.

    Screening carries a funder's own columns through; a researcher's coded table has no
    such columns, and one read as nothing would leave a fact unknown without a word.
    """
    unread = sorted({header for a in applicants for header, _ in a.extra})
    if unread:
        known = [*APPLICANT_FIELDS]
        close = difflib.get_close_matches(unread[0], known, n=1)
        raise InitiativeError(
            f"no field is named {', '.join(map(repr, unread))}",
            code="unknown-column",
            file="cases",
            expected="columns named by field paths (strategy.shared), as the template's",
            suggestion=close[0] if close else None,
        )


def _case_table(applicants: list[Applicant]) -> CaseTable:
    _refuse_unread_columns(applicants)
    initiatives: list[Initiative] = []
    errors: list[CaseError] = []
    notes: list[CaseError] = []
    for applicant in applicants:
        if applicant.initiative is not None:
            initiatives.append(applicant.initiative)
            notes += [
                CaseError(
                    applicant.row - 2,
                    note.field,
                    note.text("en"),
                    applicant.source,
                    None,
                    id=applicant.initiative.id,
                    name=applicant.initiative.name,
                )
                for note in applicant.notes
            ]
        elif applicant.error is not None:
            error = applicant.error
            errors.append(
                CaseError(
                    error.row - 2,
                    error.column,
                    error.message,
                    error.source,
                    error.code,
                    id=applicant.stated_id,
                    name=applicant.stated_name,
                )
            )
    return CaseTable(tuple(initiatives), tuple(errors), tuple(notes))


def _count_kind(column: Any) -> str | None:
    text = str(column).strip()
    kind = text.removeprefix("members.")
    return kind if text != kind and kind in MEMBER_KINDS else None


def _with_counts(applicant: Applicant, cells: dict[Any, Any], limits: Limits) -> Applicant:
    """The applicant with its counted members, or with the errors of its count cells."""
    counts: dict[str, int | None] = {}
    problems: list[tuple[str, str]] = []
    for column, cell in cells.items():
        kind = _count_kind(column)
        assert kind is not None
        try:
            value = read_cell(cell, _COUNT)
        except CellError as exc:
            problems.append((f"members.{kind}", exc.message))
            continue
        if value is not None and value < 0:
            problems.append((f"members.{kind}", f"expected a count of at least 0, found {value}"))
            continue
        counts[kind] = value
    row, source = applicant.row, applicant.source
    if problems:
        column, message = problems[0]
        also = "; ".join(f"{c}: {m}" for c, m in problems[1:])
        if applicant.error is not None:
            error = applicant.error
            message = f"{error.message} (also {column}: {message}{'; ' + also if also else ''})"
            column = error.column or column
        elif also:
            message = f"{message} (also {also})"
        error = RowError(row, column, message, source)
        return _failed(applicant, error)
    initiative = applicant.initiative
    if initiative is None or any(v is None for v in counts.values()):
        return applicant
    data = initiative.model_dump(exclude_none=True)
    data["members"] = [
        *data.get("members", []),
        *({"kind": kind} for kind, n in counts.items() for _ in range(n or 0)),
    ]
    try:
        counted = to_initiative(data, limits=limits)
    except InitiativeError as exc:
        error = RowError(row, "members", exc.message, source, exc.code)
        return _failed(applicant, error)
    return dataclasses.replace(applicant, initiative=counted)


def _failed(applicant: Applicant, error: RowError) -> Applicant:
    """The applicant as an error row, still naming the id and name its row states."""
    initiative = applicant.initiative
    return dataclasses.replace(
        applicant,
        initiative=None,
        error=error,
        stated_id=applicant.stated_id if initiative is None else initiative.id,
        stated_name=applicant.stated_name if initiative is None else initiative.name,
    )


def _frame_rows(frame: Any) -> tuple[list[Any], list[list[Any]]]:
    """A pandas or polars frame's column names and its rows of plain Python cells."""
    kind = _backend_of(frame)
    if kind == "polars":
        header = list(frame.columns)
        rows = [[_cell(c) for c in row] for row in frame.iter_rows()]
    else:
        header = [str(c) for c in frame.columns]
        rows = [[_cell(c) for c in row] for row in frame.itertuples(index=False, name=None)]
    return header, rows


def _backend_of(frame: Any) -> Backend:
    module = type(frame).__module__.split(".")[0]
    if module in ("pandas", "polars"):
        return "pandas" if module == "pandas" else "polars"
    raise InitiativeError(
        f"cannot read a {type(frame).__name__} as a case table",
        code="unreadable-input",
        expected="a pandas or polars DataFrame",
        found=type(frame).__name__,
    )


def _cell(value: Any) -> Any:
    """A frame's cell as the spreadsheet readers expect it: plain Python, None when missing.

    NaN, ``pd.NA``, ``NaT`` and polars nulls are missing cells: unknown facts. NumPy
    scalars become Python ones (a NumPy ``bool_`` is otherwise not a boolean, nor an
    ``int64`` an integer); a list cell (a polars list column) becomes the ``a; b`` text
    a list cell holds in a spreadsheet, an empty one ``aucun`` (known to be empty).
    """
    if value is None:
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.tolist() if getattr(value, "ndim", 0) else value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_list") and not isinstance(value, str):  # a polars Series cell
        value = value.to_list()
    if isinstance(value, list | tuple):
        return format_cell([_cell(v) for v in value if _cell(v) is not None])
    return value


def read_table(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> list[Applicant]:
    """Every case of a table file (CSV, XLSX, JSON Lines or Parquet), one per row.

    CSV, XLSX and JSON Lines are read by the screening reader itself (members in a
    ``membres`` sheet or a ``NAME-membres.csv`` beside the file); Parquet, which needs
    pyarrow, through `from_frame`. Each applicant is an initiative or its row's error.
    """
    path = Path(path)
    if path.suffix.lower() != ".parquet":
        return list(read_applicants(path, limits=limits))
    parquet = _module("pyarrow.parquet", "reading a Parquet case table")
    try:
        data = parquet.read_table(path)
        header = list(data.column_names)
        rows = [[_cell(record[c]) for c in header] for record in data.to_pylist()]
    except Exception as exc:  # the file's fault: pyarrow raises its own errors
        reason = f"not a readable Parquet file ({type(exc).__name__}: {str(exc)[:200]})"
        raise InitiativeError(reason, code="unreadable-input", file=str(path)) from None
    source = str(path)
    return [
        dataclasses.replace(
            a,
            source=source,
            error=None if a.error is None else dataclasses.replace(a.error, source=source),
        )
        for a in _read_cases(header, rows, id="id", members=None, limits=limits)
    ]


# Tidy verdicts out ---------------------------------------------------------------------


def _membership_columns(
    prefix: str, low: float, high: float, mode: MembershipMode
) -> dict[str, float]:
    if mode == "interval":
        return {f"{prefix}.low": low, f"{prefix}.high": high}
    value = {"low": low, "high": high, "mid": (low + high) / 2}[mode]
    return {prefix: value}


def _provenance(verdict: Verdict) -> dict[str, Any]:
    return {
        "id": verdict.initiative_id,
        "name": verdict.initiative,
        "typology": verdict.typology,
        "version": verdict.version,
        "rules_hash": verdict.rules_hash,
        "poletype_version": verdict.poletype_version,
    }


def case_record(verdict: Verdict, membership: MembershipMode = "interval") -> dict[str, Any]:
    """One verdict as a flat row: provenance, outcome, memberships, axes, scores."""
    record = _provenance(verdict)
    record["parameters"] = json.dumps(verdict.parameters, sort_keys=True, ensure_ascii=False)
    record["outcome"] = verdict.outcome
    record["leaning"] = verdict.leaning
    record["hybrid"] = verdict.hybrid
    record["missing"] = "; ".join(verdict.missing)
    for m in verdict.memberships or ():
        record.update(_membership_columns(f"membership.{m.type}", m.low, m.high, membership))
    for a in verdict.axes or ():
        record.update(_membership_columns(f"axis.{a.axis}", a.low, a.high, membership))
    for s in verdict.scores:
        record.update(
            {
                f"score.{s.group}.met": s.met,
                f"score.{s.group}.not_met": s.not_met,
                f"score.{s.group}.unknown": s.unknown,
            }
        )
    return record


def _criterion_records(verdict: Verdict, membership: MembershipMode) -> Iterator[dict[str, Any]]:
    for result in verdict.criteria:
        record = _provenance(verdict)
        record["criterion"] = result.id
        record["group"] = result.group
        record["status"] = result.status
        degree = result.degree
        if degree is None:
            keys = ("degree.low", "degree.high") if membership == "interval" else ("degree",)
            record.update(dict.fromkeys(keys))
        else:
            record.update(_membership_columns("degree", degree.low, degree.high, membership))
        record["values"] = json.dumps(
            result.values, sort_keys=True, ensure_ascii=False, default=str
        )
        record["missing"] = "; ".join(result.missing)
        yield record


def to_frame(
    verdicts: Iterable[Verdict],
    level: Level = "case",
    membership: MembershipMode = "interval",
    backend: Backend = "pandas",
) -> Any:
    """Verdicts as a tidy frame, at full precision, keyed by the initiative ``id``.

    ``level="case"``: one row per verdict with ``id``, ``name``, ``typology``,
    ``version``, ``rules_hash``, ``poletype_version``, ``parameters`` (JSON), the
    ``outcome``, and for graded typologies ``membership.<type>`` and ``axis.<axis>``
    as floats; ``level="criterion"``: one row per verdict and criterion, with its
    ``status``, ``degree`` (graded indicators) and ``values`` read (JSON).
    ``membership`` chooses ``.low`` and ``.high`` columns (``interval``) or one column
    holding the ``low``, ``mid`` or ``high`` end.
    """
    _check_choice(level, ("case", "criterion"), "level")
    _check_choice(membership, ("interval", "low", "mid", "high"), "membership")
    records: list[dict[str, Any]] = []
    for verdict in verdicts:
        if level == "case":
            records.append(case_record(verdict, membership))
        else:
            records.extend(_criterion_records(verdict, membership))
    return make_frame(records, backend)


def _check_choice(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise UsageError(
            f"unknown {what} {value!r}",
            code="bad-parameter",
            expected=" or ".join(repr(a) for a in allowed),
            found=repr(value),
        )


def make_frame(records: Sequence[Mapping[str, Any]], backend: Backend) -> Any:
    """Records as a frame of the chosen backend; columns in order of first appearance."""
    _check_choice(backend, ("pandas", "polars"), "backend")
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    if backend == "polars":
        pl = _module("polars", "a polars frame")
        rows = [{c: record.get(c) for c in columns} for record in records]
        if not rows:
            return pl.DataFrame({c: [] for c in columns})
        return pl.from_dicts(rows, infer_schema_length=None, strict=False)
    pd = _module("pandas", "a pandas frame")
    return pd.DataFrame.from_records(
        [[record.get(c) for c in columns] for record in records], columns=list(columns)
    )


def frame_records(frame: Any) -> tuple[list[dict[str, Any]], Backend]:
    """A pandas or polars frame's rows as plain dicts (missing cells None), and its kind."""
    header, rows = _frame_rows(frame)
    return [dict(zip(header, row, strict=True)) for row in rows], _backend_of(frame)


def classify_frame(
    frame: Any,
    typologies: str | Path | Typology | Sequence[str | Path | Typology] = "labo-ess-ptce",
    params: Mapping[str, Any] | None = None,
    *,
    id: str = "id",
    members: Any = None,
    level: Level = "case",
    membership: MembershipMode = "interval",
    backend: Backend | None = None,
) -> Any:
    """`from_frame`, `classify` under each typology, `to_frame`: a case table in, verdicts out.

    One row per readable case and typology (per criterion with ``level="criterion"``),
    then one row per unreadable case with its ``error`` (and ``error_column``, and the
    ``row`` it stands at): every input row has its result, none is dropped silently.
    ``params`` go to every typology that declares them, as on the command line. The
    frame is of the input's kind unless ``backend`` says otherwise.
    """
    chosen = _typologies(typologies, params or {})
    table = from_frame(frame, id=id, members=members)
    records: list[dict[str, Any]] = []
    for initiative in table.initiatives:
        for typology in chosen:
            verdict = evaluate(typology, initiative)
            if level == "case":
                records.append({**case_record(verdict, membership), "error": None})
            else:
                records.extend(
                    {**r, "error": None} for r in _criterion_records(verdict, membership)
                )
    for error in table.errors:
        records.append(
            {
                "id": error.id,
                "name": error.name,
                "error": error.message,
                "error_column": error.column,
                "row": error.row,
                "source": error.source,
            }
        )
    return make_frame(records, backend or _backend_of(frame))


def _typologies(
    typologies: str | Path | Typology | Sequence[str | Path | Typology],
    params: Mapping[str, Any],
) -> list[Typology]:
    given = [typologies] if isinstance(typologies, str | Path | Typology) else list(typologies)
    loaded = [t for t in given if isinstance(t, Typology)]
    named = [t for t in given if not isinstance(t, Typology)]
    chosen = load_typologies(named, params, which="typology") if named else []
    if loaded and params:
        loaded = [
            with_parameters(t, {k: v for k, v in params.items() if k in t.spec.parameters})
            for t in loaded
        ]
    return [*chosen, *loaded]
