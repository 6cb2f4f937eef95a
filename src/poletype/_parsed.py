"""The shipped rule files, parsed ahead of time: half of loading them was reading YAML.

Loading every shipped typology must take well under a tenth of a second (issue 5), and
libyaml's parser with line-keeping constructors costs about half of that. So
``rules/_parsed.json`` holds each shipped file as `poletype._yaml.load_yaml` gives it
(mappings and lists with their line numbers), keyed by the sha256 of the file's bytes.
A file whose bytes are not in the table (edited, or not shipped) is read from YAML as
always: the table can be stale, never wrong. ``scripts/generate_parsed_rules.py``
writes it; ``--check`` (run by a test) fails when it is stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from poletype._yaml import LineDict, LineList

TABLE = "_parsed.json"


def parsed(data: bytes) -> Any | None:
    """The shipped rule file with exactly these bytes, freshly built, or ``None``."""
    entry = _table().get(hashlib.sha256(data).hexdigest())
    return None if entry is None else decode(entry["document"])


@functools.cache
def _table() -> dict[str, Any]:
    from poletype._loader import rules_package  # noqa: PLC0415 - the loader imports us

    try:
        text = rules_package().joinpath(TABLE).read_text(encoding="utf-8")
    except FileNotFoundError:  # pragma: no cover - a tree without the generated table
        return {}
    table: dict[str, Any] = json.loads(text)
    return table


def encode(value: Any) -> Any:
    """A `load_yaml` document as JSON values, its line numbers kept."""
    if isinstance(value, LineDict):
        keys = [[k, value.key_lines[k], encode(v)] for k, v in value.items()]
        return {"m": value.line, "k": keys}
    if isinstance(value, LineList):
        items = [[n, encode(v)] for n, v in zip(value.item_lines, value, strict=True)]
        return {"l": value.line, "i": items}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a rule file value JSON cannot hold: {type(value).__name__}")


def decode(value: Any) -> Any:
    """The document `encode` was given, as new objects."""
    if type(value) is not dict:
        return value
    if "m" in value:
        mapping = LineDict()
        mapping.line = value["m"]
        lines: dict[str, int] = {}
        for key, line, item in value["k"]:
            mapping[key] = decode(item)
            lines[key] = line
        mapping.key_lines = lines
        return mapping
    items = value["i"]
    sequence = LineList(decode(item) for _, item in items)
    sequence.line = value["l"]
    sequence.item_lines = [line for line, _ in items]
    return sequence
