"""The shipped rule files, parsed ahead of time: half of loading them was reading YAML.

Loading every shipped typology must take well under a tenth of a second (issue 5), and
libyaml's parser with line-keeping constructors costs about half of that. So
``rules/_parsed.jsonl`` holds each shipped file as `poletype._read.yaml.load_yaml` gives it
(mappings and lists with their line numbers), keyed by the sha256 of the file's bytes.
A file whose bytes are not in the table (edited, or not shipped) is read from YAML as
always: the table can be stale, never wrong. ``scripts/generate_parsed_rules.py``
writes it; ``--check`` (run by a test) fails when it is stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from poletype._read.yaml import LineDict, LineList

TABLE = "_parsed.jsonl"
_RULES_PACKAGE = "poletype.rules"


def rules_package() -> Traversable:
    """The installed ``rules`` folder (typologies, and hypotheses in a subfolder)."""
    return resources.files(_RULES_PACKAGE)


def parsed(data: bytes) -> Any | None:
    """The shipped rule file with exactly these bytes, freshly built, or ``None``."""
    entry = _table().get(hashlib.sha256(data).hexdigest())
    return None if entry is None else json.loads(entry, object_hook=_node)


@functools.cache
def _table() -> dict[str, str]:
    """Each shipped file's encoded document, still as JSON text, by its bytes' sha256.

    One line per file, ``<sha256> <json>``: a load decodes only the file it asks for.
    """
    try:
        text = rules_package().joinpath(TABLE).read_text(encoding="utf-8")
    except FileNotFoundError:  # pragma: no cover - a tree without the generated table
        return {}
    return entries(text)


def entries(text: str) -> dict[str, str]:
    """A table's lines by sha256.

    Split on newlines alone: JSON escapes them, but not U+2028 or U+0085, on which
    `str.splitlines` would also split, inside a string.
    """
    return dict(line.split(" ", 1) for line in text.split("\n") if line)


def table_text(documents: dict[str, Any]) -> str:
    """The table for these `load_yaml` documents, by their files' sha256."""
    lines = (
        digest
        + " "
        + json.dumps(encode(documents[digest]), ensure_ascii=False, separators=(",", ":"))
        for digest in sorted(documents)
    )
    return "".join(line + "\n" for line in lines)


def encode(value: Any) -> Any:
    """A `load_yaml` document as JSON values, its line numbers kept.

    Every JSON object in the result is a mapping (``m``, ``k``) or a list (``l``, ``i``)
    of the document, never a value of it, so `decode` can rebuild them bottom-up.
    """
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
    return json.loads(json.dumps(value), object_hook=_node)


def _node(value: dict[str, Any]) -> LineDict | LineList:
    if "m" in value:
        mapping = LineDict()
        mapping.line = value["m"]
        lines: dict[str, int] = {}
        for key, line, item in value["k"]:
            mapping[key] = item
            lines[key] = line
        mapping.key_lines = lines
        return mapping
    items = value["i"]
    sequence = LineList(item for _, item in items)
    sequence.line = value["l"]
    sequence.item_lines = [line for line, _ in items]
    return sequence
