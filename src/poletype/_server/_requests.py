"""The service's checks of a request: its size, its count, the typology it names or sends.

Apart from the routes (`_app`) so that each stays readable; every check raises a
`PoletypeError` (or `Invalid`), which the app's handlers answer as a problem detail.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from poletype._engine.typology import Typology
from poletype._rules.classify import load_typology, typologies
from poletype._server import _library
from poletype._server._problems import Problem
from poletype._server._settings import Settings
from poletype.errors import InitiativeError, PoletypeError, RuleFileError, UsageError

T = TypeVar("T")


class Invalid(Exception):  # noqa: N818 - carries a problem, named for what it says
    """A request that does not fit its model, as the problem detail to answer."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def too_large(cfg: Settings) -> InitiativeError:
    return InitiativeError(
        f"request body larger than {cfg.max_body_bytes} bytes (limit `max_body_bytes`)",
        code="document-too-large",
    )


def count_items(count: int, cfg: Settings) -> None:
    if count > cfg.max_batch:
        raise UsageError(
            f"{count} items; at most {cfg.max_batch} in one request (limit `max_batch`)",
            code="too-many-items",
            expected=f"at most {cfg.max_batch}",
            found=str(count),
        )


def allowed(cfg: Settings) -> None:
    if not cfg.allow_rule_files:
        raise UsageError(
            "this service does not take rule files (its operator may allow them with "
            "--allow-rule-files); name a shipped typology",
            code="rule-files-disabled",
        )


def unknown_typology(name: str) -> UsageError:
    return UsageError(
        f"no shipped typology {name!r}",
        code="typology-not-found",
        expected=", ".join(typologies()),
        found=repr(name)[:200],
    )


def shipped_typology(name: str, params: dict[str, Any]) -> Typology:
    """A shipped typology by id; never a path, which would read the server's disk."""
    if name not in typologies():
        raise unknown_typology(name)
    return load_typology(name, params)


def uploaded_typology(text: str, params: dict[str, Any], cfg: Settings) -> Typology:
    """A rule file sent as text, loaded by the library (sandboxed expressions, limits).

    Its ``extends`` may name a shipped typology only: a path would let the sender read
    a file of the server's disk through the errors it makes.
    """
    raw = _library.load_yaml(text, file="rules", limits=cfg.limits)
    target = raw.get("extends") if isinstance(raw, dict) else None
    if target is not None and target not in typologies():
        raise RuleFileError(
            f"a rule file sent to the service extends a shipped typology only, not {target!r}"[
                :300
            ],
            code="extends-not-found",
            file="rules",
            expected=", ".join(typologies()),
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        return renamed(folder, lambda: load_typology(path, params))


def renamed(folder: str, work: Callable[[], T]) -> T:
    """``work``, with the temporary folder cut from the file an error names."""
    try:
        return work()
    except PoletypeError as exc:
        if exc.file is not None and exc.file.startswith(folder):
            exc.file = Path(exc.file).name
        raise


def query_params(text: str | None, cfg: Settings) -> dict[str, Any]:
    if text is None:
        return {}
    values = _library.load_json(text, file="params", limits=cfg.limits)
    if not isinstance(values, dict):
        raise UsageError(
            "params is a JSON object of parameter values",
            code="bad-parameter",
            found=type(values).__name__,
        )
    return values
