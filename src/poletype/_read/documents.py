"""Read one JSON or YAML document from a file, bounded by `Limits`.

Shared by ``read_initiative`` and the screening's folders of files, so a file that
classifies also screens; below every stage that reads an initiative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poletype._read.json import load_json
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._read.yaml import load_yaml
from poletype.errors import InitiativeError


def is_json(path: str | Path) -> bool:
    """Whether a document is read as JSON: ``.json`` in any case; anything else is YAML."""
    return Path(path).suffix.lower() == ".json"


_BOM = b"\xef\xbb\xbf"


def read_document(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse one JSON or YAML file, raising `InitiativeError` with file and line.

    ``.json`` in any case is JSON, anything else YAML; a byte-order mark, as Windows
    editors write, is skipped. ``read_initiative`` and a screening folder read files
    alike, so a file that classifies also screens. A screening folder reports every
    file's error and goes on, so it reads the message and line off the error rather
    than letting it stop the run.

    Every failure is an `InitiativeError` with its code, a document over one of
    ``limits`` included (see ``docs/limits.md``); a file larger than
    ``limits.document_bytes`` is not read past that size.
    """
    file = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(len(_BOM) + limits.document_bytes + 1)
    except OSError as exc:
        raise InitiativeError(
            f"cannot read file: {exc}", code="unreadable-input", file=file
        ) from None
    data = data.removeprefix(_BOM)
    if len(data) > limits.document_bytes:
        raise InitiativeError(
            f"document larger than {limits.document_bytes} bytes (limit `document_bytes`)",
            code="document-too-large",
            file=file,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InitiativeError(
            f"cannot read file: {exc}", code="unreadable-input", file=file
        ) from None
    if not is_json(path):
        return load_yaml(text, file=file, error=InitiativeError, limits=limits)
    return load_json(text, file=file, limits=limits)
