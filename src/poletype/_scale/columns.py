"""Columns of a frame as numpy arrays with a *known* mask: the values `columnar` computes on.

A frame (polars, pandas, or a mapping of sequences) is read once per column; member
lists are read as counts per value of a member field (see `columnar`).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from poletype.errors import UsageError
from poletype.model import Member

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]

MEMBERS = "members"
PARTNERS = "partners"
LISTS = (MEMBERS, PARTNERS)
"""The lists of organisations a frame counts: members and, in format 1.1, partners."""


def length_name(listed: str) -> str:
    """The count column of a list's entries: ``members.length``, ``partners.length``."""
    return f"{listed}.length"


class Unsupported(Exception):  # noqa: N818 - internal signal, never raised to users
    """A construct the columnar translation does not cover: its criterion falls back."""


# ---------------------------------------------------------------- values over columns


@dataclass(frozen=True)
class Tri:
    """A three-valued column: ``value`` where ``known``, unknown elsewhere."""

    value: Bools
    known: Bools

    def __and__(self, other: Tri) -> Tri:
        false = (self.known & ~self.value) | (other.known & ~other.value)
        true = self.known & self.value & other.known & other.value
        return Tri(true, true | false)

    def __or__(self, other: Tri) -> Tri:
        true = (self.known & self.value) | (other.known & other.value)
        false = self.known & ~self.value & other.known & ~other.value
        return Tri(true, true | false)

    def __invert__(self) -> Tri:
        return Tri(~self.value & self.known, self.known)

    def codes(self) -> npt.NDArray[np.int8]:
        """0 not met, 1 met, 2 unknown."""
        return np.where(self.known, self.value, 2).astype(np.int8)


@dataclass(frozen=True)
class Num:
    """A number column as an interval ``[low, high]`` where ``known``.

    Counts of members with an unknown field are intervals; a plain number has
    ``low == high``.
    """

    low: Floats
    high: Floats
    known: Bools


@dataclass(frozen=True)
class Text:
    """A text (enumerated) column."""

    value: Objects
    known: Bools


@dataclass(frozen=True)
class Const:
    """A literal or a parameter's value."""

    value: Any


@dataclass(frozen=True)
class MemberList:
    """``[result for m in members if condition]`` (or over ``partners``), not yet counted."""

    result: Any
    condition: Any
    variable: str
    listed: str = MEMBERS


Value = Tri | Num | Text | Const | MemberList


# ---------------------------------------------------------------- reading a frame


class Columns:
    """The frame's columns read into numpy once each, with their known masks."""

    def __init__(self, frame: Any, rows: int) -> None:
        self.frame = frame
        self.rows = rows
        self.names = set(column_names(frame))
        self.cache: dict[tuple[str, str], Any] = {}

    def raw(self, name: str) -> tuple[Objects, Bools] | None:
        """A column as objects, and where it is known; ``None`` if the frame lacks it."""
        if name not in self.names:
            return None
        key = (name, "raw")
        if key not in self.cache:
            self.cache[key] = read_column(self.frame[name])
        found: tuple[Objects, Bools] = self.cache[key]
        return found

    def typed(self, name: str, kind: str) -> tuple[Any, Bools] | None:
        """A column as booleans (``bool``), floats (``num``) or objects (``text``)."""
        if name not in self.names:
            return None
        key = (name, kind)
        if key not in self.cache:
            self.cache[key] = _typed(self.frame[name], kind)
        found: tuple[Any, Bools] = self.cache[key]
        return found

    def boolean(self, name: str) -> Tri:
        read = self.typed(name, "bool")
        return self.unknown() if read is None else Tri(read[0], read[1])

    def number(self, name: str) -> Num:
        read = self.typed(name, "num")
        if read is None:
            zero = np.zeros(self.rows)
            return Num(zero, zero, np.zeros(self.rows, dtype=bool))
        return Num(read[0], read[0], read[1])

    def text(self, name: str) -> Text:
        read = self.typed(name, "text")
        if read is None:
            return Text(np.full(self.rows, None, dtype=object), np.zeros(self.rows, dtype=bool))
        return Text(read[0], read[1])

    def count(self, name: str) -> Floats:
        """A count column; absent or empty cells count 0."""
        read = self.typed(name, "num")
        if read is None:
            return np.zeros(self.rows)
        values: Floats = read[0]
        return values

    def unknown(self) -> Tri:
        false = np.zeros(self.rows, dtype=bool)
        return Tri(false, false)


def column_names(frame: Any) -> list[str]:
    columns = getattr(frame, "columns", None)
    return [str(c) for c in (frame.keys() if columns is None else columns)]


def row_count(frame: Any) -> int:
    height = getattr(frame, "height", None)
    if isinstance(height, int):
        return height
    if hasattr(frame, "shape"):
        return int(frame.shape[0])
    lengths = {len(frame[name]) for name in column_names(frame)}
    if len(lengths) > 1:
        raise UsageError(
            "the frame's columns have different lengths",
            code="bad-parameter",
            expected="one row per case in every column",
            found=", ".join(str(n) for n in sorted(lengths)),
        )
    return lengths.pop() if lengths else 0


_FILL: dict[str, tuple[Any, Any]] = {"bool": (False, np.bool_), "num": (0.0, np.float64)}


def _typed(column: Any, kind: str) -> tuple[Any, Bools]:
    """A column's values as one numpy type, unknown cells filled, and its known mask.

    polars and pandas columns and typed numpy arrays are converted by their own
    libraries (a million cells in milliseconds); anything else goes through objects.
    """
    if kind == "text":
        return read_column(column)
    fill, dtype = _FILL[kind]
    if hasattr(column, "is_null"):  # polars
        if column.n_chunks() > 1:  # one copy, then each operation reads one buffer
            column = column.rechunk()
        known = ~column.is_null().to_numpy()
        values = column.fill_null(fill).to_numpy()
    elif hasattr(column, "isna") and column.dtype.kind in "fbiu":  # pandas, numeric
        known = ~np.asarray(column.isna().to_numpy(), dtype=bool)
        values = column.to_numpy(dtype=dtype, na_value=fill)
    elif isinstance(column, np.ndarray) and column.dtype.kind in "fbiu":
        values = column
        known = ~np.isnan(column) if column.dtype.kind == "f" else np.ones(len(column), bool)
        if column.dtype.kind == "f":
            values = np.where(known, column, fill)
    else:
        objects, known = read_column(column)
        if kind == "bool" and objects.dtype == object:
            return _booleans(objects, known), known
        values = np.where(known, objects, fill)
    return np.asarray(values, dtype=dtype), np.asarray(known, dtype=bool)


_TRUE = np.array([True, "True", "true"], dtype=object)
_FALSE = np.array([False, "False", "false"], dtype=object)


def _booleans(objects: Objects, known: Bools) -> Bools:
    """Booleans from objects, also written as text.

    Dask turns a pandas column of booleans with gaps into text (``"True"``) when it
    converts object columns.
    """
    true = np.isin(objects, _TRUE) & known
    if (known & ~true & ~np.isin(objects, _FALSE)).any():
        raise UsageError(
            "a column read as true or false holds another value",
            code="bad-parameter",
            expected="true, false or an empty cell",
        )
    return true


def read_column(column: Any) -> tuple[Objects, Bools]:
    """One column as an object array and its known mask (null, None and NaN are unknown)."""
    if hasattr(column, "is_null"):  # polars
        if column.n_chunks() > 1:
            column = column.rechunk()
        known = ~column.is_null().to_numpy()
        values = np.asarray(column.to_numpy(), dtype=object)
    elif hasattr(column, "isna"):  # pandas
        known = ~np.asarray(column.isna().to_numpy(), dtype=bool)
        values = np.asarray(column.to_numpy(dtype=object), dtype=object)
    elif isinstance(column, np.ndarray) and column.dtype.kind in "fbiu":
        if column.dtype.kind == "f":
            return column.astype(object), ~np.isnan(column)
        return column.astype(object), np.ones(len(column), dtype=bool)
    else:
        values = np.fromiter(column, dtype=object, count=len(column))
        known = np.fromiter((v is not None and not is_nan(v) for v in values), bool, len(values))
    known = np.asarray(known, dtype=bool)
    if not known.all():  # pandas' NA and NaN are unknown, and compare as nothing else does
        values = values.copy()
        values[~known] = None
    return values, known


# ---------------------------------------------------------------- members frame


def member_counts(members: Any, keys: Objects, key: str, fields: Iterable[str]) -> dict[str, Any]:
    """The count columns of a long members frame, one row per case of ``keys``.

    Rows whose ``role`` is ``partner`` are counted as the case's partners
    (``partners.length``, ``partners.kind=sme``), the others as its members. A case with
    no member row has its member list unknown, and one with no partner row its partners
    (a missing cell is unknown); give ``members.length`` 0 in the frame for a case known
    to have no member, and ``partners_complete`` true for one known to have no partner.
    """
    read_keys, known_keys = read_column(members[key])
    index = {k: i for i, k in enumerate(keys.tolist())}
    where = np.fromiter(
        (index.get(k, -1) if ok else -1 for k, ok in zip(read_keys, known_keys, strict=True)),
        np.int64,
        len(read_keys),
    )
    present = set(column_names(members))
    fields = [f for f in fields if f in present]
    weights = entry_counts(members)
    partner = partner_rows(members)
    rows = len(keys)
    out: dict[str, Any] = {}
    for listed, chosen in ((MEMBERS, ~partner), (PARTNERS, partner)):
        matched = (where >= 0) & chosen
        weight, case = weights[matched], where[matched]
        length = np.bincount(case, weights=weight, minlength=rows).astype(np.float64)
        entries = np.bincount(case, minlength=rows)
        out[length_name(listed)] = np.where(entries > 0, length, np.nan)
        for name in fields:
            try:
                domain = member_domain(name)
            except Unsupported:  # free text and counts: no test over members counts them
                continue
            values, known = read_column(members[name])
            values, known = values[matched], known[matched]
            for value in domain:
                hit = known & (values == value)
                out[count_name(name, value, listed)] = np.bincount(
                    case[hit], weights=weight[hit], minlength=rows
                ).astype(np.int64)
    return out


ROLE = "role"
"""A long members frame's column telling members (``member``, the default) from partners."""


def partner_rows(members: Any) -> Bools:
    """The rows of a long members frame that are partners, not members (format 1.1)."""
    rows = row_count(members)
    if ROLE not in column_names(members):
        return np.zeros(rows, dtype=bool)
    values, known = read_column(members[ROLE])
    partners: Bools = known & (values == "partner")
    return partners


def entry_counts(members: Any) -> Floats:
    """How many organisations each row of a long members frame stands for.

    Format 1.1's ``count`` column; an empty cell is one.
    """
    rows = row_count(members)
    if "count" not in column_names(members):
        return np.ones(rows, dtype=np.float64)
    values, known = read_column(members["count"])
    return np.where(known, values, 1).astype(np.float64)


def count_name(member_field: str, value: Any, listed: str = MEMBERS) -> str:
    """The column counting a list's entries whose field has a value: ``members.kind=sme``."""
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{listed}.{member_field}={shown}"


def member_domain(member_field: str) -> tuple[Any, ...]:
    """Every value a member field can take (its enumeration, or true and false)."""
    info = Member.model_fields.get(member_field)
    if info is None:
        raise Unsupported(member_field)
    found: list[Any] = []
    for arg in typing.get_args(info.annotation) or (info.annotation,):
        if arg is bool:
            found += [True, False]
        elif typing.get_origin(arg) is typing.Literal:
            found += list(typing.get_args(arg))
        elif arg is not type(None):
            raise Unsupported(member_field)
    return tuple(found)


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value  # noqa: PLR0124 - NaN is not itself
