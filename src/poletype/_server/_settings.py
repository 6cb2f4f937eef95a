"""What an operator bounds when the service is public: sizes, counts, time, rule files."""

from __future__ import annotations

from dataclasses import dataclass, field

from poletype import Limits


@dataclass(frozen=True, slots=True)
class Settings:
    """The bounds of one running service; ``poletype serve`` sets each from an option.

    The defaults suit a public deployment on a small machine: a request costs at most a
    few megabytes and some seconds, and nobody can make the service read a file of its
    own disk or run a rule file it did not ship unless the operator says so.
    """

    limits: Limits = field(default_factory=Limits)
    """The library's bounds on one document (members per initiative, nesting, …)."""
    max_body_bytes: int = 10 * 2**20
    """Bytes of one request body (an upload included); larger is 413 ``document-too-large``."""
    max_batch: int = 1_000
    """Initiatives in one batch or hypotheses request; more is 413 ``too-many-items``."""
    time_limit: float = 30.0
    """Seconds of work one request may take; longer is 503 ``time-limit``."""
    workers: int = 4
    """Requests worked on at once (threads); others wait their turn."""
    allow_rule_files: bool = False
    """Whether a request may send its own rule or hypotheses file (``--allow-rule-files``)."""
