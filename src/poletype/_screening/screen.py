"""Screen a call's applicants: every input row in, exactly one result out.

A programme officer cannot defend a shortlist from which an applicant silently vanished,
so a row that cannot be read or classified is kept, in its place, as an error row, and
the run goes on. Each typology receives only the parameters it declares, as
``classify --typology all`` does, so one ``--param`` can tune a shipped typology and a
funder's extension of it at once.

`screen` gives every row at once; `open_screening` gives them one at a time, as the
input is read, so that a screening of a hundred thousand rows holds one row in memory
and a `Tally` of the rest (`poletype._render.stream` writes the outputs that way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from poletype._engine.evaluator import verdict_of
from poletype._engine.logic import tri_of
from poletype._engine.typology import CrispTypology, Typology, VerdictTree
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._rules.classify import (
    DEFAULT_TYPOLOGY,
    classify,
    load_typologies,
    load_typology,
    typologies,
)
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS
from poletype._screening.header import NO_MAPPING, CellNote, ColumnMapping, load_mapping
from poletype._screening.tabular import Applicant, RowError, read_applicants
from poletype._screening.whatif import ChangeSet, what_it_would_take
from poletype.errors import InitiativeError, PoletypeError
from poletype.model import Initiative
from poletype.rulefile import Text
from poletype.verdict import Verdict

ALL = "all"
Progress = Callable[[int, int], None]
"""Called with (rows done, rows in all) after each row."""
Merge = Callable[[Iterable[Applicant]], Iterable[Applicant]]
"""Turns the rows read into the rows to screen (a later round, `poletype._render.rounds`)."""


@dataclass(frozen=True)
class Finding:
    """One typology's verdict on one applicant, and what it would take to qualify.

    ``changes`` is computed only when a crisp typology says the applicant does not qualify
    (``not_ptce``): an indeterminate applicant is first asked the missing facts, and ideal
    types have nothing to qualify for. Otherwise it is None. Empty: no change set found.
    """

    typology: Typology
    verdict: Verdict
    changes: tuple[ChangeSet, ...] | None

    @cached_property
    def lacking(self) -> tuple[str, ...]:
        """The criteria whose known status keeps the applicant from qualifying.

        What a programme officer reads first in the list of applicants: for a crisp
        verdict with the negative outcome (``not_ptce``), `kept_out_by` its criteria.
        Empty for any other outcome: an indeterminate applicant is not yet kept out.
        """
        typology = self.typology
        if not isinstance(typology, CrispTypology):
            return ()
        if self.verdict.outcome != negative_outcome(typology):
            return ()
        return kept_out_by(typology.verdict, {r.id: r.status for r in self.verdict.criteria})


@dataclass(frozen=True)
class ScreenedRow:
    """The result for one input row: findings, or the error that stopped it."""

    row: int
    source: str
    label: str
    initiative: Initiative | None
    findings: tuple[Finding, ...]
    error: RowError | None
    stated_id: str | None = None
    """What an error row says its id is, when that cell could be read."""
    stated_name: str | None = None
    """What an error row says its name is, when that cell could be read."""
    notes: tuple[CellNote, ...] = ()
    """Cells that could not be read: their facts were screened as unknown."""
    extra: tuple[tuple[str, str], ...] = ()
    """The row's cells in columns poletype does not read, carried to every output."""

    @property
    def id(self) -> str | None:
        """The applicant's id: its initiative's, else what its unreadable row states."""
        return self.initiative.id if self.initiative is not None else self.stated_id

    @property
    def name(self) -> str | None:
        """The applicant's name: its initiative's, else what its unreadable row states."""
        return self.initiative.name if self.initiative is not None else self.stated_name

    @property
    def failed(self) -> bool:
        """Whether the row could not be read or classified."""
        return self.error is not None


@dataclass
class Tally:
    """What a screening says of all its rows without keeping them: counts and columns.

    What the report's header and summary, the CSV's header and the closing line on
    standard error need of every row, added a row at a time (`add`).
    """

    input: str
    typologies: tuple[Typology, ...]
    notices: tuple[Text, ...] = ()
    """What the reading says about the input as a whole: no members sheet, unread columns."""
    total: int = 0
    """How many rows were added."""
    errors: int = 0
    """How many rows could not be read or classified."""
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    extra: dict[str, None] = field(default_factory=dict)

    def add(self, row: ScreenedRow) -> None:
        """Count one more row."""
        self.total += 1
        self.errors += row.failed
        for finding in row.findings:
            counts = self.outcomes.setdefault(finding.typology.id, {})
            counts[finding.verdict.outcome] = counts.get(finding.verdict.outcome, 0) + 1
        self.extra.update(dict.fromkeys(name for name, _ in row.extra))

    @property
    def extra_columns(self) -> list[str]:
        """The unread columns carried through, in the order they first appear."""
        return list(self.extra)

    @property
    def crisp(self) -> bool:
        """Whether some typology screened has an outcome to qualify for (not graded only)."""
        return any(positive_outcome(typology) is not None for typology in self.typologies)

    def counts(self, typology: Typology) -> dict[str, int]:
        """Rows per outcome of one typology, every outcome listed (zero included)."""
        declared = dict.fromkeys((o for o, _ in typology.outcomes()), 0)
        return declared | self.outcomes.get(typology.id, {})

    def summary(self) -> str:
        """One line for standard error: rows, counts per outcome per typology, errors."""
        parts = [
            f"{t.id}: " + ", ".join(f"{o} {n}" for o, n in self.counts(t).items())
            for t in self.typologies
        ]
        rows = f"{self.total} row{'' if self.total == 1 else 's'} screened"
        return f"{rows}; " + "; ".join(parts) + f"; errors {self.errors}"


@dataclass(frozen=True)
class Screening:
    """Every row of one input screened under the chosen typologies, in input order."""

    input: str
    typologies: tuple[Typology, ...]
    rows: tuple[ScreenedRow, ...]
    notices: tuple[Text, ...] = ()
    """What the reading says about the input as a whole: no members sheet, unread columns."""

    @cached_property
    def tally(self) -> Tally:
        """The rows counted, as a screening written a row at a time counts them."""
        tally = Tally(self.input, self.typologies, self.notices)
        for row in self.rows:
            tally.add(row)
        return tally

    @property
    def extra_columns(self) -> list[str]:
        """The unread columns carried through, in the order they first appear."""
        return self.tally.extra_columns

    @property
    def crisp(self) -> bool:
        """Whether some typology screened has an outcome to qualify for (not graded only)."""
        return self.tally.crisp

    @property
    def errors(self) -> int:
        """How many rows could not be read or classified."""
        return self.tally.errors

    def summary(self) -> str:
        """One line for standard error: rows, counts per outcome per typology, errors."""
        return self.tally.summary()

    def counts(self, typology: Typology) -> dict[str, int]:
        """Rows per outcome of one typology, every outcome listed (zero included)."""
        return self.tally.counts(typology)


@dataclass
class ScreeningRun:
    """A screening under way: the input opened, its rows screened as they are read.

    `rows` gives each `ScreenedRow` in input order, error rows in their place; nothing
    of a row is kept once the next is asked for. ``expected`` is how many rows the
    reader expects (None when it cannot tell), for a progress bar.
    """

    input: str
    typologies: tuple[Typology, ...]
    notices: tuple[Text, ...]
    applicants: Iterator[Applicant]
    expected: int | None = None

    def tally(self) -> Tally:
        """An empty `Tally` of this screening, for its rows to be added to."""
        return Tally(self.input, self.typologies, self.notices)

    def rows(self) -> Iterator[ScreenedRow]:
        """Each row screened as the input is read (once: the input is read once)."""
        return screen_each(self.applicants, self.typologies)


def positive_outcome(typology: Typology) -> str | None:
    """The outcome a crisp typology's applicants aim at (``ptce``); None when graded."""
    return _crisp_outcomes(typology)[0]


def negative_outcome(typology: Typology) -> str | None:
    """The outcome that says an applicant does not qualify (``not_ptce``); None when graded."""
    return _crisp_outcomes(typology)[1]


def _crisp_outcomes(typology: Typology) -> tuple[str, str] | tuple[None, None]:
    if not isinstance(typology, CrispTypology):
        return (None, None)
    return (typology.verdict_rule.outcomes.met, typology.verdict_rule.outcomes.not_met)


def kept_out_by(tree: VerdictTree, statuses: Mapping[str, str]) -> tuple[str, ...]:
    """The criteria that make a verdict condition false, in the order it names them.

    Only the branches that take the failing value are followed: a false ``all`` through
    its false parts, a false ``any`` through all of them, and under ``not`` the roles of
    true and false swap, so that a met exclusion is named and a not-met one is not. A
    criterion met in an ``any`` that failed for other reasons is not named, nor is an
    unknown one: it is asked, not held against the applicant.
    """
    values = {cid: tri_of(status) for cid, status in statuses.items()}
    found: list[str] = []

    def walk(node: VerdictTree, wanted: bool) -> None:
        if node.criterion is not None:
            if values.get(node.criterion) is wanted:
                found.append(node.criterion)
        elif node.op == "not":
            walk(node.children[0], not wanted)
        else:
            for child in node.children:
                if verdict_of(child, values) is wanted:
                    walk(child, wanted)

    if verdict_of(tree, values) is False:
        walk(tree, False)
    return tuple(dict.fromkeys(found))


def criterion_ids(typology: Typology) -> list[str]:
    """The ids of a typology's criteria (graded: indicators), in rule-file order."""
    return [item.id for item in typology.reported()]


def screening_typologies(
    ids: Sequence[str] = (),
    rules: Sequence[str | Path] = (),
    params: Mapping[str, Any] | None = None,
) -> list[Typology]:
    """The typologies to screen with, each given only the parameters it declares.

    ``ids`` are shipped ids (``all``: every shipped one); ``rules`` are rule files, such
    as a funder's extension of ``labo-ess-ptce``. With neither, ``labo-ess-ptce``.
    """
    names: list[str | Path] = []
    for given in ids:
        names += typologies() if given == ALL else [given]
    names += list(rules)
    return load_typologies(names or [DEFAULT_TYPOLOGY], params or {}, which="typology screened")


def screen(
    source: str | Path,
    typologies: Sequence[Typology] | None = None,
    *,
    members: str | Path | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    columns: str | Path | ColumnMapping | None = None,
    header_row: int | None = None,
    merge: Merge | None = None,
) -> Screening:
    """Screen every applicant of a spreadsheet, JSON Lines file or folder.

    An unreadable input as a whole raises; a bad row does not: it comes back as an error
    row in its place. Should the input fail after some rows were read, those rows are
    kept and the failure is one more error row after them, so that what was read is
    still screened and written. ``columns`` is a funder's mapping file (or one read),
    ``header_row`` the sheet row of the header when it should not be searched for.
    ``merge`` turns the rows read into the rows to screen (a later round merges them
    with the previous one's, `poletype._render.rounds`). Every row is held in the
    result; `open_screening` gives them one at a time instead.
    """
    run = open_screening(
        source,
        typologies,
        members=members,
        limits=limits,
        columns=columns,
        header_row=header_row,
        merge=merge,
    )
    return Screening(
        input=run.input,
        typologies=run.typologies,
        rows=tuple(screen_applicants(run.applicants, run.typologies, progress=progress)),
        notices=run.notices,
    )


def open_screening(
    source: str | Path,
    typologies: Sequence[Typology] | None = None,
    *,
    members: str | Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
    columns: str | Path | ColumnMapping | None = None,
    header_row: int | None = None,
    merge: Merge | None = None,
) -> ScreeningRun:
    """Open an input to screen a row at a time; the arguments are `screen`'s.

    The input is checked now, and its first row read: an input unreadable as a whole
    raises here, before any output is written.
    """
    chosen = tuple(typologies or [load_typology(DEFAULT_TYPOLOGY)])
    sheet = None if members is None else Path(members)
    mapping = columns if isinstance(columns, ColumnMapping) else NO_MAPPING
    if columns is not None and not isinstance(columns, ColumnMapping):
        mapping = load_mapping(Path(columns), APPLICANT_FIELDS, MEMBER_FIELDS)
    notices: list[Text] = []
    applicants, expected = _read_lazily(
        Path(source), sheet, limits, mapping=mapping, header_row=header_row, notices=notices
    )
    if merge is not None:
        applicants = iter(merge(applicants))
    return ScreeningRun(str(source), chosen, tuple(notices), applicants, expected)


def _read_lazily(
    source: Path,
    members: Path | None,
    limits: Limits,
    *,
    mapping: ColumnMapping = NO_MAPPING,
    header_row: int | None = None,
    notices: list[Text] | None = None,
) -> tuple[Iterator[Applicant], int | None]:
    """The applicants as they are read, the first one already; and how many are expected."""
    try:
        reading = read_applicants(
            source,
            members=members,
            limits=limits,
            mapping=mapping,
            header_row=header_row,
            notices=notices,
        )
        first = next(reading, None)
    except PoletypeError:
        raise
    except Exception as exc:
        raise InitiativeError(
            f"cannot read the input ({type(exc).__name__}: {str(exc)[:200]})",
            code="unreadable-input",
            file=str(source),
        ) from None

    def rest() -> Iterator[Applicant]:
        if first is None:
            return
        last = first
        yield first
        try:
            for last in reading:
                yield last
        except Exception as exc:
            code = exc.code if isinstance(exc, PoletypeError) else "unreadable-input"
            reason = str(exc) if isinstance(exc, PoletypeError) else f"{type(exc).__name__}: {exc}"
            message = f"reading stopped after row {last.row}: {reason}"
            error = RowError(last.row + 1, None, message, last.source, code)
            yield Applicant(last.row + 1, last.source, None, error)

    return rest(), getattr(reading, "expected", None)


def screen_applicants(
    applicants: Iterable[Applicant],
    typologies: Sequence[Typology],
    *,
    progress: Progress | None = None,
) -> list[ScreenedRow]:
    """One `ScreenedRow` per applicant, in order; failures become error rows."""
    items = list(applicants)
    rows: list[ScreenedRow] = []
    for done, row in enumerate(screen_each(items, typologies), start=1):
        rows.append(row)
        if progress is not None:
            progress(done, len(items))
    return rows


def screen_each(
    applicants: Iterable[Applicant], typologies: Sequence[Typology]
) -> Iterator[ScreenedRow]:
    """One `ScreenedRow` per applicant, in order, each screened when it is asked for."""
    for applicant in applicants:
        yield _screen_one(applicant, typologies)


def _screen_one(applicant: Applicant, typologies: Sequence[Typology]) -> ScreenedRow:
    initiative = applicant.initiative
    error = applicant.error
    findings: list[Finding] = []
    if error is None and initiative is None:
        error = RowError(applicant.row, None, "the row gave no initiative", applicant.source)
    if error is None and initiative is not None:
        try:
            findings = [_finding(initiative, t) for t in typologies]
        except PoletypeError as exc:
            error = RowError(applicant.row, None, str(exc), applicant.source, exc.code)
        except Exception as exc:  # one applicant costs its own result only, said in its row
            message = f"cannot classify: {type(exc).__name__}: {str(exc)[:200]}"
            error = RowError(applicant.row, None, message, applicant.source, "evaluation-error")
        if error is not None:
            findings = []
    stated_id = applicant.stated_id
    stated_name = applicant.stated_name
    if initiative is not None:
        stated_id, stated_name = initiative.id, initiative.name
    return ScreenedRow(
        row=applicant.row,
        source=applicant.source,
        label=applicant.label,
        initiative=initiative,
        findings=tuple(findings),
        error=error,
        stated_id=stated_id,
        stated_name=stated_name,
        notes=applicant.notes,
        extra=applicant.extra,
    )


def _finding(initiative: Initiative, typology: Typology) -> Finding:
    verdict = classify(initiative, typology)
    if verdict.outcome != negative_outcome(typology):
        return Finding(typology, verdict, None)
    return Finding(typology, verdict, tuple(what_it_would_take(initiative, typology)))
