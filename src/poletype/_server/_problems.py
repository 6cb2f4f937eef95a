"""Errors as RFC 9457 problem details, with the library's codes.

A client of the service handles the same failures as a caller of the library, so a
problem carries the `PoletypeError`'s stable ``code`` (documented in ``docs/errors.md``)
and its facts (file, line, criterion, expected, found, suggestion), and a validation
error lists each field at fault by JSON Pointer into the request body. The ``type`` is
``urn:poletype:error:<code>``: an identifier, whose explanation is the code's heading in
the error reference.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from poletype.errors import InitiativeError, PoletypeError, RuleFileError, SetupError, UsageError

MEDIA_TYPE: Final = "application/problem+json"

_STATUS_BY_CODE: Final[dict[str, int]] = {
    "document-too-large": 413,
    "too-many-items": 413,
    "rule-files-disabled": 403,
    "time-limit": 503,
}
"""Codes whose HTTP status is not their class's."""

_TITLES: Final[dict[int, str]] = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    503: "Service unavailable",
}

_HYGIENE: Final[dict[str, str]] = {
    "control_character": "control-character",
    "too_many_members": "too-many-members",
}
"""Validation errors of an initiative that have a code of their own in the library."""


class FieldProblem(BaseModel):
    """One field of the request at fault."""

    model_config = ConfigDict(extra="forbid")

    pointer: str = Field(description="JSON Pointer into the request body, e.g. /initiative/jobs.")
    detail: str
    code: str = Field(description="The library's error code for this field.")


class Problem(BaseModel):
    """An RFC 9457 problem detail carrying a poletype error code."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="urn:poletype:error:<code>, or about:blank.")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable error code; see the error reference.")
    errors: list[FieldProblem] | None = None
    file: str | None = None
    line: int | None = None
    criterion: str | None = None
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None


def status_of(exc: PoletypeError) -> int:
    """The HTTP status of a library error: by code where it says more, else by class."""
    if exc.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[exc.code]
    if isinstance(exc, InitiativeError | RuleFileError):
        return 422
    if isinstance(exc, SetupError):
        return 503
    if isinstance(exc, UsageError) and exc.code == "typology-not-found":
        return 404
    return 400


def from_error(exc: PoletypeError, *, status: int | None = None) -> Problem:
    """The problem detail of one library error."""
    status = status_of(exc) if status is None else status
    errors = None
    if isinstance(exc, InitiativeError) and exc.errors:
        errors = [FieldProblem(pointer="", detail=e, code=exc.code) for e in exc.errors]
    return Problem(
        type=f"urn:poletype:error:{exc.code}",
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=exc.message,
        code=exc.code,
        errors=errors,
        file=exc.file,
        line=exc.line,
        criterion=exc.criterion,
        expected=exc.expected,
        found=exc.found,
        suggestion=exc.suggestion,
    )


def pointer(loc: tuple[int | str, ...] | list[Any]) -> str:
    """A pydantic location as a JSON Pointer (RFC 6901)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "".join(f"/{p}" for p in parts)


def from_validation(
    exc: ValidationError, *, prefix: tuple[int | str, ...] = (), initiative: str | None = None
) -> Problem:
    """The problem detail of a request that does not fit its model, field by field.

    A field under ``initiative`` (the key holding the initiative, or the initiatives
    list; ``*`` when the whole body is one) is the initiative's fault and keeps its
    code (``invalid-initiative``, or ``too-many-members`` and ``control-character`` as
    in the library); any other field is the request's own (``bad-request``). The
    problem's code is the first field's.
    """
    fields: list[FieldProblem] = []
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        if error["type"] == "too_many_members":
            loc = (*loc, error.get("ctx", {}).get("field", "members"))
        in_initiative = initiative == "*" or (bool(loc) and loc[0] == initiative)
        code = _HYGIENE.get(error["type"], "invalid-initiative") if in_initiative else None
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        fields.append(
            FieldProblem(pointer=pointer(loc), detail=message, code=code or "bad-request")
        )
    first = fields[0] if fields else None
    code = first.code if first else "bad-request"
    detail = "; ".join(f"{f.pointer or '(body)'}: {f.detail}" for f in fields[:20])
    return Problem(
        type=f"urn:poletype:error:{code}",
        title=_TITLES[422],
        status=422,
        detail=f"invalid request: {detail}",
        code=code,
        errors=fields,
    )


def http_problem(status: int, detail: str) -> Problem:
    """A problem of the HTTP exchange itself: unknown path, method, media type."""
    return Problem(
        type="urn:poletype:error:bad-request",
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code="bad-request",
    )


def response(problem: Problem) -> JSONResponse:
    """A problem as an ``application/problem+json`` response."""
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
    )
