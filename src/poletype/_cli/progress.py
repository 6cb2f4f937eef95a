"""A progress bar on standard error, for batch work that takes minutes.

Screening a national register or classifying a researcher's case table takes long
enough that a silent terminal looks stuck. The bar is drawn in place (a carriage
return, no new line) and only on a terminal: redirected to a file or a pipe, standard
error gets no bar at all, so logs and scripts read only what is said. ``--quiet``
hides it on a terminal too. It is redrawn at most ten times a second, so that drawing
costs nothing next to the work, and a message said meanwhile (`say`) clears it first.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
_INTERVAL = 0.1


class ProgressBar:
    """``[#####.........] 1234/100000`` on standard error, redrawn as the work goes.

    ``update`` is told after each unit of work how many are done and how many are
    expected (None when the count is not known yet: only the count is shown); ``close``
    draws the bar full, with the count done, and ends its line.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.shown = not quiet and _is_terminal(self.stream)
        self._drawn = ""
        self._last = 0.0

    def update(self, done: int, total: int | None) -> None:
        """Redraw the bar, unless it was drawn less than a tenth of a second ago."""
        if not self.shown:
            return
        now = time.monotonic()
        if self._drawn and now - self._last < _INTERVAL:
            return
        self._last = now
        self._draw(done, total)

    def say(self, text: str) -> None:
        """Write one line on the stream, the bar cleared first (it comes back on update)."""
        if self._drawn:
            self.stream.write("\r" + " " * len(self._drawn) + "\r")
            self._drawn = ""
        self.stream.write(text + "\n")

    def close(self, done: int) -> None:
        """The bar full, at the count done, and its line ended (nothing when hidden)."""
        if not self.shown:
            return
        self._draw(done, done)
        self.stream.write("\n")
        self.stream.flush()
        self._drawn = ""

    def _draw(self, done: int, total: int | None) -> None:
        if total is None:
            text = f"[{'.' * _WIDTH}] {done}"
        else:
            total = max(total, done)
            filled = _WIDTH * done // total if total else _WIDTH
            text = f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total}"
        self.stream.write("\r" + text)
        self.stream.flush()
        self._drawn = text


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
