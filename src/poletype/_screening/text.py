"""Text files read a block or a line at a time: CSV and JSON Lines inputs.

A text input is checked whole before it is read (its size, its encoding), then read a
line at a time, so that its size costs disk reads, not memory. Lines are split as a
text read with ``newline=""`` splits them, line breaks kept, and reading may start
again at a line already reached: `poletype._screening.sheets` reads past a broken CSV
record that way.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype.errors import InitiativeError

CHUNK = 2**20
"""Bytes read at a time."""
_BLOCK = 2**16
"""Bytes decoded at a time when an encoding is checked: its text is dropped as it goes."""


def unreadable(path: Path, reason: object) -> InitiativeError:
    return InitiativeError(f"cannot read file: {reason}", code="unreadable-input", file=str(path))


def check_size(path: Path, limits: Limits) -> None:
    """Refuse a file over ``limits.spreadsheet_bytes`` before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc.strerror or exc) from None
    if size > limits.spreadsheet_bytes:
        raise InitiativeError(
            f"the file is {size} bytes, more than poletype reads from one input",
            code="spreadsheet-too-large",
            file=str(path),
            expected=f"at most {limits.spreadsheet_bytes} bytes (Limits.spreadsheet_bytes)",
        )


def text_encoding(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[str, int, int]:
    """How a text file is encoded, how many bytes it holds, and how many line feeds.

    UTF-8 (a byte-order mark allowed), else Windows-1252, which French Excel uses for
    "CSV (séparateur : point-virgule)"; neither is an unreadable file. The file is read
    a block at a time and only the bytes counted here are read again (`text_lines`),
    bounded even if it grows, or is a device that stat calls empty.
    """
    check_size(path, limits)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    valid = {"utf-8-sig": True, "cp1252": True}
    size = lines = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(min(_BLOCK, limits.spreadsheet_bytes + 1 - size)):
                size += len(block)
                if size > limits.spreadsheet_bytes:
                    raise InitiativeError(
                        "the file is larger than poletype reads from one input",
                        code="spreadsheet-too-large",
                        file=str(path),
                        expected=f"at most {limits.spreadsheet_bytes} bytes "
                        "(Limits.spreadsheet_bytes)",
                    )
                lines += block.count(b"\n")
                for name, decoder in (("utf-8-sig", utf8), ("cp1252", cp1252)):
                    if valid[name]:
                        try:
                            decoder.decode(block)
                        except UnicodeDecodeError:
                            valid[name] = False
    except OSError as exc:
        raise unreadable(path, exc.strerror or exc) from None
    for name, decoder in (("utf-8-sig", utf8), ("cp1252", cp1252)):
        if valid[name]:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return name, size, lines
    raise unreadable(path, "the text is neither UTF-8 nor Windows-1252")


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class Lines:
    r"""A text file's lines, read as they are needed, each with its line break.

    Universal line breaks kept as they are (``\n``, ``\r\n`` or a lone ``\r``), as a
    text read with ``newline=""`` splits them; or, with ``universal`` false, line feeds
    only (JSON Lines). ``sep`` reads the text up to its first line feed (Excel's
    ``sep=;`` line) as one empty line. Reading may start again at the line after the
    one last marked (`mark`, `read_from`), which is how a broken CSV record is read past.
    """

    def __init__(
        self, path: Path, encoding: str, size: int, *, universal: bool = True, sep: bool = False
    ) -> None:
        self.path, self.encoding, self.size = path, encoding, size
        self._codec = "utf-8" if encoding == "utf-8-sig" else encoding
        self.universal, self.sep = universal, sep
        self.number = 0
        """How many lines were given so far."""
        self._offset = 0
        self._marked = (0, 0)

    def __iter__(self) -> Iterator[str]:
        return self.read_from(0)

    def mark(self) -> None:
        """Remember where the next line starts, to `read_from` it again."""
        self._marked = (self.number, self._offset)

    def read_from(self, number: int) -> Iterator[str]:
        """The lines from line ``number`` (0: the first), the start or the one marked."""
        offset = 0 if number == 0 else self._marked[1]
        if number not in (0, self._marked[0]):
            raise ValueError(f"line {number} was not marked")
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise unreadable(self.path, exc.strerror or exc) from None
        with handle:
            handle.seek(offset)
            self.number, self._offset = number, offset
            if offset == 0 and self.sep:
                head = handle.readline(self.size)
                self.number, self._offset = 1, len(head)
                yield "\n"
            while self._offset < self.size:
                chunk = handle.readline(self.size - self._offset)
                if not chunk:
                    return
                for piece in _split_breaks(chunk) if self.universal else [chunk]:
                    text = piece.decode(self._codec)
                    if self._offset == 0 and self.encoding == "utf-8-sig":
                        text = text.removeprefix("\ufeff")  # the first one only
                    self._offset += len(piece)
                    if not text:  # a byte-order mark alone: no line
                        continue
                    self.number += 1
                    yield text


def _split_breaks(chunk: bytes) -> list[bytes]:
    """A line read up to its line feed, split at any lone carriage return in it."""
    lone = chunk.find(b"\r")
    if lone < 0 or (lone == len(chunk) - 2 and chunk.endswith(b"\r\n")):
        return [chunk]
    return _LINE.findall(chunk)


def text_lines(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Iterator[str], int]:
    """A text file's lines split at line feeds only, without them, as they are read.

    The same lines as the whole text split at line feeds, without holding the text, the
    file checked now; and how many lines hold something, as far as line feeds tell.
    """
    encoding, size, count = text_encoding(path, limits)
    lines = Lines(path, encoding, size, universal=False)

    def split() -> Iterator[str]:
        last = ""
        for line in lines:
            last = line
            yield line.removesuffix("\n")
        if not last or last.endswith("\n"):
            yield ""

    return split(), count + (size > 0 and not _ends_with_line_feed(path, size))


def _ends_with_line_feed(path: Path, size: int) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(size - 1)
            return handle.read(1) == b"\n"
    except OSError as exc:
        raise unreadable(path, exc.strerror or exc) from None
