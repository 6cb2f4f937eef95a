"""One exception hierarchy, split by who is at fault.

A typology author's mistake (`RuleFileError`), a bad initiative (`InitiativeError`) and
the caller's own (`CallerError`: how poletype was called, `UsageError`, or where it runs,
`SetupError`) are different problems for different people, so they are different
classes; `CODE_BRANCH` says which class raises each code. All carry
the facts a reader needs to fix the input (file, line, criterion, what was expected,
what was found, a suggestion) as attributes, and print them on one line in that order,
ending with a stable code documented in ``docs/errors.md``.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

ErrorCode = Literal[
    "yaml-syntax",
    "duplicate-key",
    "schema",
    "expression-syntax",
    "unknown-field",
    "unknown-parameter",
    "type-mismatch",
    "not-boolean",
    "not-numeric",
    "bad-calibration",
    "bad-combination",
    "forbidden-name",
    "forbidden-call",
    "forbidden-builtin",
    "forbidden-null-handling",
    "unknown-value",
    "unknown-source",
    "unknown-criterion",
    "unknown-group",
    "duplicate-criterion",
    "bad-template",
    "bad-parameter",
    "example-input",
    "evaluation-error",
    "typology-not-found",
    "invalid-initiative",
    "unreadable-input",
    "missing-dependency",
    "bad-backend",
    "extends-not-found",
    "extends-cycle",
    "extends-graded",
    "unknown-override",
    "unknown-drop",
    "dropped-in-verdict",
    "implicit-replace",
    "unused-criterion",
    "bad-extension",
    "duplicate-typology",
    "unwritable-output",
    "unknown-column",
    "duplicate-column",
    "missing-column",
    "whatif-graded",
    "unknown-outcome",
    "document-too-large",
    "too-deep",
    "alias-key",
    "too-many-aliases",
    "alias-expansion",
    "integer-too-long",
    "yaml-tag",
    "not-finite",
    "control-character",
    "too-many-members",
    "spreadsheet-too-large",
    "xlsx-part-too-large",
    "too-many-rows",
    "too-many-cells",
    "cell-too-large",
    "unclosed-quote",
    "map-unavailable",
    "bad-output-format",
    "expression-too-long",
    "expression-too-deep",
    "unsafe-regex",
    "unknown-set",
    "bad-manifest",
    "rerun-mismatch",
    "bad-request",
    "too-many-items",
    "rule-files-disabled",
    "time-limit",
    "no-previous-results",
]
"""Stable error codes; each has a heading in ``docs/errors.md``."""

ERROR_CODES: Final[tuple[str, ...]] = get_args(ErrorCode)

EXIT_OK: Final = 0
EXIT_BAD_INPUT: Final = 1
EXIT_USAGE: Final = 2
EXIT_SETUP: Final = 1
"""A `SetupError` (unwritable output, missing optional dependency) exits with 1, as a bad
input does: the command was well formed, and scripts that test for 2 mean a usage error."""


class PoletypeError(Exception):
    """Root of every error poletype raises on purpose.

    Catch this to handle any foreseen failure; anything else is a bug.
    """

    exit_code: int = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode,
        file: str | None = None,
        line: int | None = None,
        criterion: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.code: ErrorCode = code
        self.file = file
        self.line = line
        self.criterion = criterion
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        if self.criterion is not None:
            where += f"criterion {self.criterion}: "
        text = self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        if self.suggestion is not None:
            text += f"; did you mean {self.suggestion!r}?"
        return f"{where}{text} [{self.code}]"


class RuleFileError(PoletypeError):
    """A rule file is wrong: the typology author's fault, found when the file loads."""


class InitiativeError(PoletypeError, ValueError):
    """An initiative document is wrong: the input's fault.

    Also a `ValueError`, so callers that validate data generically can catch it.
    """

    def __init__(self, message: str, *, errors: list[str] | None = None, **kwargs: object) -> None:
        self.errors: list[str] = list(errors or [])
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class CallerError(PoletypeError):
    """The caller's side is at fault: how poletype was called, or where it runs.

    Neither the rule file nor the initiative needs fixing; the command, the arguments or
    the machine does. Never raised itself: one of its two subclasses says which.
    """


class UsageError(CallerError):
    """poletype was called wrongly: an unknown typology, backend or outcome, a bad parameter.

    The command line exits with 2 (`EXIT_USAGE`), as for a malformed command.
    """

    exit_code = EXIT_USAGE


class SetupError(CallerError):
    """The environment cannot do what was asked.

    An output that cannot be written, an optional dependency that is not installed. The
    command line exits with 1 (`EXIT_SETUP`).
    """

    exit_code = EXIT_SETUP


_RULE: Final = (RuleFileError,)
_INPUT: Final = (InitiativeError,)
_USAGE: Final = (UsageError,)
_SETUP: Final = (SetupError,)
_DOCUMENT: Final = (InitiativeError, RuleFileError)

CODE_BRANCH: Final[dict[str, tuple[type[PoletypeError], ...]]] = {
    **dict.fromkeys(
        (
            "schema",
            "expression-syntax",
            "unknown-field",
            "unknown-parameter",
            "type-mismatch",
            "not-boolean",
            "not-numeric",
            "bad-calibration",
            "bad-combination",
            "forbidden-name",
            "forbidden-call",
            "forbidden-builtin",
            "forbidden-null-handling",
            "unknown-value",
            "unknown-source",
            "unknown-criterion",
            "unknown-group",
            "duplicate-criterion",
            "bad-template",
            "example-input",
            "evaluation-error",
            "extends-not-found",
            "extends-cycle",
            "extends-graded",
            "unknown-override",
            "unknown-drop",
            "dropped-in-verdict",
            "implicit-replace",
            "unused-criterion",
            "bad-extension",
            "expression-too-long",
            "expression-too-deep",
            "unsafe-regex",
        ),
        _RULE,
    ),
    **dict.fromkeys(
        (
            "invalid-initiative",
            "unreadable-input",
            "unknown-column",
            "duplicate-column",
            "missing-column",
            "not-finite",
            "control-character",
            "too-many-members",
            "spreadsheet-too-large",
            "xlsx-part-too-large",
            "too-many-rows",
            "too-many-cells",
            "cell-too-large",
            "unclosed-quote",
        ),
        _INPUT,
    ),
    # The YAML and JSON readers serve initiatives and rule files alike: the class says
    # whose document it was.
    **dict.fromkeys(
        (
            "yaml-syntax",
            "duplicate-key",
            "document-too-large",
            "too-deep",
            "alias-key",
            "too-many-aliases",
            "alias-expansion",
            "integer-too-long",
            "yaml-tag",
        ),
        _DOCUMENT,
    ),
    **dict.fromkeys(
        (
            "typology-not-found",
            "bad-backend",
            "duplicate-typology",
            "whatif-graded",
            "unknown-outcome",
            "map-unavailable",
            "bad-output-format",
            "unknown-set",
            "bad-manifest",
            "bad-request",
            "too-many-items",
            "rule-files-disabled",
        ),
        _USAGE,
    ),
    **dict.fromkeys(
        (
            "missing-dependency",
            "unwritable-output",
            "rerun-mismatch",
            "time-limit",
            "no-previous-results",
        ),
        _SETUP,
    ),
    # The caller's value (an argument, ``--param``) or the rule file's own (an example's
    # ``params``, an extension's override): the same mistake, made by either.
    "bad-parameter": (UsageError, RuleFileError),
}
"""Which class raises each code: who has to act. ``docs/errors.md`` names it per code."""
