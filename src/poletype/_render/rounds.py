"""Rounds of a call: the applicants' answers merged in, and what changed since.

An officer sends the questions, gets back a returned template or an updated file, and
screens again. ``poletype screen NEW --previous resultats/`` reads the previous run's
``verdicts.jsonl`` (each row's facts as read and its verdicts), merges NEW into it by
applicant id (a fact NEW states wins; a fact NEW leaves empty keeps its previous value,
so a template returned with only the answers is enough; applicants NEW does not name
are kept, and so are the rows NEW cannot name: an applicant without an id, a row that
could not be read), and says per applicant what moved: a new applicant, an outcome that
changed, facts added or changed, in words. A cell the previous round could not read stays
noted while NEW leaves its fact unstated. The officer's decision and notes are carried
from the previous ``verdicts.xlsx`` (`poletype._render.workbook.read_decisions`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from poletype._engine.justify import colon
from poletype._engine.typology import Typology
from poletype._read.data import Lang
from poletype._render.report_app import table
from poletype._screening.fields import label
from poletype._screening.header import CellNote
from poletype._screening.rows import RowError
from poletype._screening.screen import ScreenedRow, Screening
from poletype._screening.tabular import Applicant
from poletype.errors import SetupError
from poletype.model import Initiative
from poletype.rulefile import Text

PREVIOUS_NAME = "verdicts.jsonl"
ChangeEntry = tuple[int, str, str, str]
"""A row that changed, as the report's section lists it: row, name, anchor, change."""


@dataclass(frozen=True)
class Previous:
    """What a previous run left: each applicant's facts and outcomes, by id."""

    folder: Path
    facts: dict[str, dict[str, Any]]
    outcomes: dict[str, dict[str, str]]
    order: list[tuple[int, str, str]]
    """Each previous applicant with an id: its row, source and id, in order."""
    extra: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Each previous applicant's carried-through columns (the funder's own), by id."""
    notes: dict[str, tuple[CellNote, ...]] = field(default_factory=dict)
    """Each previous applicant's unreadable cells, by id."""
    unkeyed: list[Applicant] = field(default_factory=list)
    """The previous rows NEW cannot name by id: an applicant without one, a row in error.

    An error row is keyed by the id it states, if any: NEW naming it replaces it.
    """


def read_previous(folder: str | Path) -> Previous:
    """The previous run's results; a folder without them is a setup error."""
    folder = Path(folder)
    path = folder / PREVIOUS_NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SetupError(
            f"cannot read the previous results: {exc.strerror or exc}",
            code="no-previous-results",
            file=str(path),
            expected="the --out folder of a previous poletype screen",
        ) from None
    facts: dict[str, dict[str, Any]] = {}
    found: dict[str, dict[str, str]] = {}
    order: list[tuple[int, str, str]] = []
    extra: dict[str, tuple[tuple[str, str], ...]] = {}
    notes: dict[str, tuple[CellNote, ...]] = {}
    unkeyed: list[Applicant] = []
    for line in lines:
        document = json.loads(line)
        initiative = document.get("initiative")
        if not isinstance(initiative, dict) or not initiative.get("id"):
            unkeyed += _unkeyed(document)
            continue
        key = str(initiative["id"])
        facts[key] = initiative
        found[key] = {v["typology"]: v["outcome"] for v in document.get("verdicts", [])}
        order.append((int(document["row"]), str(document["source"]), key))
        extra[key] = _extra(document)
        notes[key] = _notes(document)
    return Previous(folder, facts, found, order, extra, notes, unkeyed)


def _extra(document: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    carried = document.get("extra")
    if not isinstance(carried, dict):
        return ()
    return tuple((str(k), str(v)) for k, v in carried.items())


def _notes(document: Mapping[str, Any]) -> tuple[CellNote, ...]:
    notes = document.get("notes")
    if not isinstance(notes, list):
        return ()
    return tuple(CellNote.from_json(n) for n in notes if isinstance(n, dict))


def _unkeyed(document: Mapping[str, Any]) -> list[Applicant]:
    """A previous row without an id, or in error, as the next round carries it."""
    row, source = int(document["row"]), str(document["source"])
    error = document.get("error")
    if isinstance(error, dict):
        text = error.get("text")
        worded = Text(fr=str(text["fr"]), en=str(text["en"])) if isinstance(text, dict) else None
        column, cell = error.get("column"), error.get("cell")
        failed = RowError(
            row=row,
            column=None if column is None else str(column),
            message=str(error.get("message", "")),
            source=source,
            code=error.get("code"),
            text=worded,
            cell=None if cell is None else str(cell),
        )
        stated_id, stated_name = document.get("id"), document.get("name")
        return [
            Applicant(
                row,
                source,
                None,
                failed,
                stated_id=None if stated_id is None else str(stated_id),
                stated_name=None if stated_name is None else str(stated_name),
                notes=_notes(document),
                extra=_extra(document),
            )
        ]
    initiative = document.get("initiative")
    if not isinstance(initiative, dict):
        return []
    return [
        Applicant(
            row,
            source,
            Initiative.model_validate(initiative),
            None,
            notes=_notes(document),
            extra=_extra(document),
        )
    ]


_ABOUT = {
    "members": ("members_complete", "member_count"),
    "partners": ("partners_complete",),
}
"""Facts about a list, which describe the list they came with."""


def merged(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``before`` with every fact ``after`` states: a stated fact wins, an absent one keeps.

    A list and the facts about it (format 1.1) go together: new ``members`` come with
    their own ``members_complete`` and ``member_count`` or none, since the old ones
    described the old list (a count below the new list would make the merge invalid).
    """
    out = dict(before)
    for key, facts in _ABOUT.items():
        if after.get(key) not in (None, [], {}):
            for fact in facts:
                out.pop(fact, None)
    for key, value in after.items():
        if value is None or value in ([], {}):
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def facts_of(initiative: Initiative) -> dict[str, Any]:
    """An initiative's stated facts as JSON data (what ``verdicts.jsonl`` keeps)."""
    return initiative.model_dump(mode="json", exclude_none=True)


def merge_applicants(applicants: Iterable[Applicant], previous: Previous) -> Iterator[Applicant]:
    """NEW's applicants with the previous facts under them, then the previous ones NEW omits.

    Given as NEW is read: only the ids seen are kept, to know which previous ones to add.
    """
    named: set[str] = set()
    for applicant in applicants:
        initiative = applicant.initiative
        stated = initiative.id if initiative is not None else applicant.stated_id
        if stated:
            named.add(stated)
        if initiative is None or not initiative.id or initiative.id not in previous.facts:
            yield applicant
            continue
        facts = facts_of(initiative)
        both = merged(previous.facts[initiative.id], facts)
        still = tuple(
            note
            for note in previous.notes.get(initiative.id, ())
            if _unstated(note.field, facts) and note not in applicant.notes
        )
        yield replace(
            applicant, initiative=Initiative.model_validate(both), notes=applicant.notes + still
        )
    for row, source, key in previous.order:
        if key not in named:
            initiative = Initiative.model_validate(previous.facts[key])
            yield Applicant(
                row,
                source,
                initiative,
                None,
                notes=previous.notes.get(key, ()),
                extra=previous.extra.get(key, ()),
            )
    for applicant in previous.unkeyed:
        if applicant.stated_id is None or applicant.stated_id not in named:
            yield applicant


def _unstated(path: str | None, facts: Mapping[str, Any]) -> bool:
    """Whether NEW leaves a noted cell's fact unstated, so the previous note still holds.

    A note on a member's or partner's cell holds until NEW gives its own list.
    """
    if path is None:
        return True
    head = path.split(".", 1)[0]
    if head in _ABOUT:
        return facts.get(head) in (None, [], {})
    return _leaves(facts).get(path) is None


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def changes(screening: Screening, previous: Previous, lang: Lang) -> list[str]:
    """Each row's change since the previous round, in words; "" when nothing changed."""
    labels = outcome_labels(screening.typologies, lang)
    return [change_of(row, previous, lang, labels) for row in screening.rows]


def outcome_labels(typologies: Sequence[Typology], lang: Lang) -> dict[str, dict[str, str]]:
    """Each typology's outcomes in words, by code, for `change_of`."""
    return {t.id: {code: getattr(label, lang) for code, label in t.outcomes()} for t in typologies}


def change_of(
    row: ScreenedRow, previous: Previous, lang: Lang, labels: Mapping[str, Mapping[str, str]]
) -> str:
    """One row's change since the previous round, in words; "" when nothing changed."""
    words = table("rounds", lang)
    if row.initiative is None or not row.initiative.id:
        return ""
    key = row.initiative.id
    if key not in previous.facts:
        return words["new"]
    parts = []
    before = previous.outcomes.get(key, {})
    for finding in row.findings:
        was = before.get(finding.typology.id)
        now = finding.verdict.outcome
        if was is not None and was != now:
            names = labels[finding.typology.id]
            grid = f" ({getattr(finding.typology.title, lang)})" if len(labels) > 1 else ""
            parts.append(
                f"{words['moved']}{grid}{colon(lang)}{names.get(was, was)} → {names.get(now, now)}"
            )
    old, new = _leaves(previous.facts[key]), _leaves(facts_of(row.initiative))
    touched = sorted(p for p in new if old.get(p) != new[p])
    if touched:
        named = ", ".join(dict.fromkeys(getattr(label(p), lang) for p in touched))
        parts.append(words["facts"].format(n=len(touched)) + f" ({named})")
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def changes_section(
    screening: Screening,
    marks: Sequence[str],
    anchors: Sequence[str],
    previous: Previous,
    lang: Lang,
) -> str:
    """The report's "Changements depuis le tour précédent": counts, then each change."""
    entries = [
        (row.row, row.name or row.label, anchor, mark)
        for row, mark, anchor in zip(screening.rows, marks, anchors, strict=True)
        if mark
    ]
    return "".join(section_chunks(entries, previous.folder, lang))


def section_chunks(entries: Iterable[ChangeEntry], folder: Path, lang: Lang) -> Iterator[str]:
    """`changes_section` in pieces, from the rows that changed (read twice: counts, rows).

    ``folder`` is the previous round's.
    """
    words = table("rounds", lang)
    moved = new = completed = 0
    for _, _, _, mark in entries:
        moved += words["moved"] in mark
        new += mark == words["new"]
        completed += mark != words["new"] and words["moved"] not in mark
    intro = words["intro"].format(
        previous=html.escape(str(folder)), moved=moved, completed=completed, new=new
    )
    yield (
        f'<section id="changes"><h2>{html.escape(words["title"])}</h2><p class="muted">{intro}</p>'
    )
    if not moved + new + completed:
        yield f"<p>{html.escape(words['none'])}</p></section>"
        return
    yield (
        f'<table class="toc changes"><thead><tr><th class="num">#</th>'
        f"<th>{html.escape(words['applicant'])}</th><th>{html.escape(words['what'])}</th>"
        f"</tr></thead><tbody>"
    )
    for row, name, anchor, mark in entries:
        yield (
            f'<tr><td class="num">{row}</td>'
            f'<td><a href="#{anchor}">{html.escape(name)}</a></td>'
            f"<td>{html.escape(mark)}</td></tr>"
        )
    yield "</tbody></table></section>"
