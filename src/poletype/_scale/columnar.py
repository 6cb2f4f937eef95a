"""Decisions for a whole frame of cases at once: criteria over columns, three-valued.

A researcher's sweep of a million synthetic cases through ``classify`` builds a million
`Initiative` models and verdicts: about 45 s. Most sweeps need only the outcome and the
criteria's statuses, and the criteria are few column operations once each rule
expression is translated to numpy. `decide_frame` does that translation by walking each
expression's tree through `poletype._ast` (the one reader of rule-engine's trees), and
evaluates it over numpy arrays with an explicit *known* mask beside each value: Kleene's
three-valued logic, as the compiled backend computes it case by case.

numpy with known/value masks was measured faster than polars' null-aware booleans for
the same logic (0.86 s against 3.9 s for the eight Labo criteria over 1,000,000 rows),
and it is one dependency (the ``columnar`` extra). Frames may be polars or pandas data
frames or a plain mapping of column name to sequence: each column is read once into
numpy.

Member lists are read as counts. For a member field ``f`` and each of its values ``v``
a column ``members.f=v`` gives how many members have it, beside ``members.length``;
members not counted under any value of ``f`` have ``f`` unknown. A long frame of
members (``members=``, one row per member, the case key and member fields) is counted
the same way. Every comprehension over members whose test reads one member field is
then a sum of counts: ``true in [P(m.f) for m in members]`` is met when a member with a
value satisfying ``P`` is counted, unknown when only members with ``f`` unknown could
satisfy it; a filter's ``.length`` is an interval of counts, compared as the compiled
backend compares an interval. A criterion the translation does not cover (another
construct, a test reading two member fields, a derived fact) is evaluated row by row
by the compiled backend, and `FrameDecisions.fallback_criteria` names it.

Format 1.1's lists are read as `derive.lists_view` reads them. A ``members_complete``
column false, or a ``member_count`` column larger than ``members.length``, leaves room
for unnamed members of unknown kind; partners are counted the same way
(``partners.length``, ``partners.kind=sme``, or a long frame's rows whose ``role`` is
``partner``), and a named partner list may hold more unless ``partners_complete`` is
true. A long members frame's ``count`` column weighs its rows (an entry standing for
that many organisations).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from poletype._engine.evaluator import decide
from poletype._engine.typology import ConditionNode, CrispTypology, Typology, VerdictTree
from poletype._rules.classify import to_initiative, typology_of
from poletype._scale.columns import (
    LISTS,
    MEMBERS,
    ROLE,
    Bools,
    Columns,
    Objects,
    Tri,
    Unsupported,
    column_names,
    count_name,
    length_name,
    member_counts,
    member_domain,
    read_column,
    row_count,
)
from poletype._scale.translate import Translator
from poletype.errors import UsageError
from poletype.model import Initiative, Member

_STATUS = np.array(["not_met", "met", "unknown"], dtype=object)

# ---------------------------------------------------------------- decisions


@dataclass
class FrameDecisions:
    """Outcome and criteria statuses of every row of a frame, as `classify` states them.

    ``statuses`` holds per criterion an array of ``met``, ``not_met`` or ``unknown``;
    ``fallback`` says which rows the compiled backend evaluated (some of) and
    ``fallback_criteria`` which criteria the columnar translation did not cover.
    """

    outcome: Objects
    status_codes: dict[str, npt.NDArray[np.int8]]
    fallback: Bools
    fallback_criteria: tuple[str, ...]
    _statuses: dict[str, Objects] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.outcome)

    @property
    def statuses(self) -> dict[str, Objects]:
        """Each criterion's status per row: ``met``, ``not_met`` or ``unknown``."""
        if not self._statuses:
            self._statuses = {c: _STATUS[codes] for c, codes in self.status_codes.items()}
        return self._statuses

    def unknown(self, row: int) -> list[str]:
        """The criteria of one row whose status is unknown, in the typology's order."""
        return [c for c, codes in self.status_codes.items() if codes[row] == 2]

    def columns(self) -> dict[str, Any]:
        """Plain columns (``outcome``, ``status.<id>``, ``fallback``) for any frame library."""
        out: dict[str, Any] = {"outcome": self.outcome}
        out.update({f"status.{c}": values for c, values in self.statuses.items()})
        out["fallback"] = self.fallback
        return out


def decide_frame(
    frame: Any,
    typology: str | Path | Typology = "labo-ess-ptce",
    params: Mapping[str, Any] | None = None,
    *,
    members: Any = None,
    key: str = "id",
) -> FrameDecisions:
    """Outcomes and criteria statuses of every case of a frame, equal to `classify`'s.

    ``frame`` has one row per case and columns named by field path
    (``activities.social_utility_share``, ``strategy.shared``); a missing column or
    cell is an unknown fact. Members come either as counts in the frame
    (``members.length``, ``members.kind=sme``, ``members.local=true``: members counted
    under no value of a field have it unknown) or as a long frame ``members`` with the
    case ``key`` and member fields, counted here. A polars or pandas frame, or a
    mapping of column name to sequence. Nothing is validated as a document is: the
    caller's columns are trusted to hold the model's values.
    """
    return decide_compiled(frame, typology_of(typology, params), members, key)


def decide_compiled(frame: Any, typology: Typology, members: Any, key: str) -> FrameDecisions:
    if not isinstance(typology, CrispTypology):
        raise UsageError(
            f"typology {typology.id!r} is graded; decide_frame decides crisp typologies",
            code="bad-parameter",
            expected="a typology with criteria and a verdict",
        )
    rows = row_count(frame)
    _checked_columns(column_names(frame), key)
    if members is not None:
        frame = _with_member_counts(frame, members, key)
    columns = Columns(frame, rows)
    translator = Translator(columns, typology.params_value)
    statuses: dict[str, Tri] = {}
    fallback_criteria: list[str] = []
    for criterion in typology.criteria:
        try:
            if criterion.unknown_when is not None:  # read by the compiled backend
                raise Unsupported(criterion.id)
            statuses[criterion.id] = _condition(criterion.condition, translator)
        except Unsupported:
            fallback_criteria.append(criterion.id)
    fallback = np.full(rows, bool(fallback_criteria))
    if fallback_criteria:
        _fall_back(
            frame,
            members,
            key=key,
            typology=typology,
            criteria=fallback_criteria,
            statuses=statuses,
            rows=fallback,
        )
    verdict = _verdict(typology.verdict, statuses)
    outcomes = typology.verdict_rule.outcomes
    names = np.array([outcomes.not_met, outcomes.met, outcomes.unknown], dtype=object)
    return FrameDecisions(
        outcome=names[verdict.codes()],
        status_codes={c.id: statuses[c.id].codes() for c in typology.criteria},
        fallback=fallback,
        fallback_criteria=tuple(fallback_criteria),
    )


def _checked_columns(names: Iterable[str], key: str) -> None:
    """Any column poletype does not know is refused.

    A misspelt column would otherwise be read as a fact unknown on every row: results
    that look right and are not.
    """
    known = _field_paths()
    for name in names:
        if name in known or name == key:
            continue
        raise UsageError(
            f"the frame has a column {name!r}, which is no field of an initiative",
            code="bad-parameter",
            expected="field paths (activities.social_utility_share), members.length, "
            "members.<field>=<value>, partners.length, partners.<field>=<value>, "
            "<list>.length, or the key column; select the frame's columns first",
            found=name,
        )


@functools.cache
def _leaves() -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Each field path of an initiative, nested models walked, with its annotation's types."""
    found: list[tuple[str, tuple[Any, ...]]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            arguments = _arguments(info.annotation)
            nested = [a for a in arguments if _is_model(a)]
            if nested:
                walk(nested[0], f"{prefix}{name}.")
            else:
                found.append((prefix + name, arguments))

    walk(Initiative, "")
    return tuple(found)


@functools.cache
def _integer_paths() -> frozenset[str]:
    """The field paths holding whole numbers (``jobs``), which a frame may hold as floats."""
    return frozenset(p for p, arguments in _leaves() if int in arguments and bool not in arguments)


@functools.cache
def _field_paths() -> frozenset[str]:
    """Every column name a frame may have: field paths, list lengths, member counts."""
    found: set[str] = {length_name(listed) for listed in LISTS}
    for name in Member.model_fields:
        try:
            domain = member_domain(name)
        except Unsupported:
            continue
        found.update(count_name(name, value, listed) for value in domain for listed in LISTS)
    for path, arguments in _leaves():
        listed = [a for a in arguments if typing.get_origin(a) is list]
        if not listed:
            found.add(path)
            continue
        items = typing.get_args(listed[0])
        if not (items and _is_model(items[0])):
            found.update((path, f"{path}.length"))
    return frozenset(found)


def _arguments(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for arg in typing.get_args(annotation) for a in _arguments(arg))
    if typing.get_origin(annotation) is typing.Annotated:
        return _arguments(typing.get_args(annotation)[0])
    return (annotation,)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _condition(node: ConditionNode, translator: Translator) -> Tri:
    if node.op == "atom":
        assert node.atom is not None
        return translator.truth(node.atom)
    parts = [_condition(c, translator) for c in node.children]
    if node.op == "not":
        return ~parts[0]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if node.op == "all" else combined | part
    return combined


def _verdict(node: VerdictTree, statuses: Mapping[str, Tri]) -> Tri:
    if node.op == "criterion":
        assert node.criterion is not None
        return statuses[node.criterion]
    parts = [_verdict(c, statuses) for c in node.children]
    if node.op == "not":
        return ~parts[0]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if node.op == "all" else combined | part
    return combined


def _with_member_counts(frame: Any, members: Any, key: str) -> dict[str, Any]:
    """The frame with the count columns of its members and partners."""
    names = column_names(frame)
    if key not in names:
        raise UsageError(
            f"the frame has no column {key!r} to join its members on",
            code="bad-parameter",
            expected="a case key column in both frames (key=)",
        )
    keys, _ = read_column(frame[key])
    counts = member_counts(members, keys, key, Member.model_fields)
    out: dict[str, Any] = {n: frame[n] for n in names}
    for length in (length_name(listed) for listed in LISTS):
        if length in out:  # the frame states the length: 0 is an empty list
            stated, known = read_column(out[length])
            stated_length = np.where(known, stated, np.nan).astype(np.float64)
            counts[length] = np.where(known, stated_length, counts[length])
    out.update(counts)
    return out


def _fall_back(
    frame: Any,
    members: Any,
    *,
    key: str,
    typology: CrispTypology,
    criteria: Sequence[str],
    statuses: dict[str, Tri],
    rows: Bools,
) -> None:
    """Criteria on the chosen rows by the compiled backend, one document per row."""
    documents = _documents(frame, members, key, rows)
    unknown = np.zeros(len(rows), dtype=bool)
    values = {c: statuses[c].value.copy() if c in statuses else unknown.copy() for c in criteria}
    known = {c: statuses[c].known.copy() if c in statuses else unknown.copy() for c in criteria}
    for row in np.flatnonzero(rows).tolist():
        found, _ = decide(typology, to_initiative(documents[row]))
        for c in criteria:
            known[c][row] = False
            status = found[c]
            if status is not None:
                values[c][row] = status
                known[c][row] = True
    for c in criteria:
        statuses[c] = Tri(values[c], known[c])


def _documents(frame: Any, members: Any, key: str, chosen: Bools) -> list[dict[str, Any]]:
    """The chosen rows as interchange-format documents (only for the fallback)."""
    rows = len(chosen)
    counted = tuple(f"{listed}." for listed in LISTS)
    names = [n for n in column_names(frame) if not n.startswith(counted)]
    if members is None and len(names) < len(column_names(frame)):
        raise UsageError(
            "a criterion needs the compiled backend, which needs the members themselves",
            code="bad-parameter",
            expected="a long members frame (members=) rather than member counts",
        )
    integers = _integer_paths()
    documents: list[dict[str, Any]] = [{"name": f"row {i}"} for i in range(rows)]
    for name in names:
        values, known = read_column(frame[name])
        for row in np.flatnonzero(known & chosen).tolist():
            value = _python(values[row])
            # A frame's case key is often a number; the interchange format's id is text.
            if name == "id":
                value = str(value)
            elif name in integers and isinstance(value, float) and value.is_integer():
                value = int(value)  # a numeric column with gaps holds its integers as floats
            _put(documents[row], name, value)
    if members is not None:
        keys, _ = read_column(frame[key])
        index = {k: i for i, k in enumerate(keys.tolist())}
        member_names = [n for n in column_names(members) if n != key]
        table = {n: read_column(members[n]) for n in [key, *member_names]}
        for position in range(len(table[key][0])):
            case = index.get(table[key][0][position])
            if case is None:
                continue
            record = {
                n: _python(table[n][0][position]) for n in member_names if table[n][1][position]
            }
            if "count" in record:  # a frame with empty cells holds its counts as floats
                record["count"] = int(record["count"])
            role = record.pop(ROLE, "member")
            documents[case].setdefault("partners" if role == "partner" else MEMBERS, []).append(
                record
            )
    return documents


def _python(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "to_list"):
        return value.to_list()
    return value


def _put(document: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        document = document.setdefault(part, {})
    document[parts[-1]] = value
