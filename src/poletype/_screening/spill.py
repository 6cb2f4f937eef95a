"""Rows kept on disk, not in memory: a sheet's rows, its members by applicant, any records.

A national register or a researcher's sweep has a hundred thousand rows; held as Python
objects, a sheet's cells take a kilobyte or more a row and its members several, so a
screening's memory would grow with its input until the machine runs out. What must be
read twice (a sheet: once to find its header, its unread columns and its size, once to
read its rows) or looked up (an applicant's members, in a sheet of their own, in any
order) is written to a temporary file as it comes and read back from there. Each record
is pickled: these files are the process's own, written and read by it alone, and gone
when it ends.
"""

from __future__ import annotations

import pickle
import sqlite3
import struct
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_LENGTH = struct.Struct("<I")
_BLOCK = 1 << 16


class _File:
    """A temporary file, closed (and so deleted) when the last record set using it goes."""

    def __init__(self) -> None:
        self.handle = tempfile.TemporaryFile(prefix="poletype-")  # noqa: SIM115 - closed below
        weakref.finalize(self, self.handle.close)

    def read(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``offset`` (the file's position is anyone's)."""
        self.handle.seek(offset)
        return self.handle.read(size)


class Spill(Generic[T]):
    """Records appended to a temporary file, read back in order as often as needed.

    Each reading keeps its own position and seeks to it for each block it reads, so two
    readings may interleave, and a reading left halfway costs nothing. `after` gives
    the records past a point without copying them.
    """

    def __init__(self) -> None:
        self._file = _File()
        self._end = 0
        self._count = 0
        self._start = 0
        self._skipped = 0

    def append(self, item: T) -> None:
        """Write one record at the end."""
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.handle.seek(self._end)
        self._file.handle.write(_LENGTH.pack(len(data)) + data)
        self._end += _LENGTH.size + len(data)
        self._count += 1

    def extend(self, items: Iterable[T]) -> None:
        """Write each record at the end, in order."""
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._count - self._skipped

    def __iter__(self) -> Iterator[T]:
        for _, item in self._records():
            yield item

    def _records(self) -> Iterator[tuple[int, T]]:
        """Each record with the offset just past it, read a block at a time."""
        read, end = self._file.read, self._end
        position, buffer, at = self._start, b"", 0
        while position + at < end:
            if len(buffer) - at < _LENGTH.size:
                buffer = buffer[at:] + read(position + len(buffer), _BLOCK)
                position, at = position + at, 0
            (size,) = _LENGTH.unpack_from(buffer, at)
            need = _LENGTH.size + size
            if len(buffer) - at < need:
                buffer = buffer[at:] + read(position + len(buffer), max(_BLOCK, need))
                position, at = position + at, 0
            begin, at = at + _LENGTH.size, at + need
            yield position + at, pickle.loads(buffer[begin:at])

    def after(self, skip: Callable[[T], bool]) -> Spill[T]:
        """The records from the first one for which ``skip`` is false, the same file shared.

        ``skip`` is asked of the leading records only: the rest are kept as they are.
        """
        view: Spill[T] = Spill.__new__(Spill)
        view._file, view._end, view._count = self._file, self._end, self._count
        view._start, view._skipped = self._start, self._skipped
        for offset, item in self._records():
            if not skip(item):
                break
            view._start = offset
            view._skipped += 1
        return view


class MemberIndex(Generic[T]):
    """Member rows by applicant id, on disk: an applicant's members as one lookup.

    Appended as ``(row, owner)`` pairs in sheet order, as a list of them would be; read
    back by owner (`get`, in sheet order) or all in order (iteration). A temporary
    SQLite database (the standard library's) holds them, so that a members sheet five
    times the size of its applicants sheet costs disk, not memory.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": a private database in a temporary file
        weakref.finalize(self, self._db.close)
        self._db.execute("CREATE TABLE m (seq INTEGER PRIMARY KEY, owner TEXT, row BLOB)")
        self._indexed = False
        self._count = 0

    def append(self, pair: tuple[T, str | None]) -> None:
        """Keep one member row and the applicant id it names (None: none)."""
        row, owner = pair
        data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT INTO m (owner, row) VALUES (?, ?)", (owner, data))
        self._count += 1

    def _ready(self) -> None:
        if not self._indexed:
            self._db.execute("CREATE INDEX m_owner ON m (owner, seq)")
            self._db.commit()
            self._indexed = True

    def get(self, owner: str, default: list[T]) -> list[T]:
        """The member rows naming ``owner``, in sheet order; ``default`` when none."""
        self._ready()
        found = self._db.execute("SELECT row FROM m WHERE owner = ? ORDER BY seq", (owner,))
        rows = [pickle.loads(data) for (data,) in found]
        return rows or default

    def __iter__(self) -> Iterator[tuple[T, str | None]]:
        self._ready()
        for owner, data in self._db.execute("SELECT owner, row FROM m ORDER BY seq"):
            yield pickle.loads(data), owner

    def __len__(self) -> int:
        return self._count


class Counted(Iterator[T]):
    """An iterator that says how many items it expects to give, when it can tell.

    For a progress bar: a sheet knows its rows once read, a JSON Lines file its lines,
    a folder its files. ``expected`` is None when nothing says; it may be off by the
    few rows a reading adds (members that belong to no applicant).
    """

    def __init__(self, items: Iterable[T], expected: int | None) -> None:
        self._items = iter(items)
        self.expected = expected

    def __iter__(self) -> Counted[T]:
        return self

    def __next__(self) -> T:
        return next(self._items)
