"""Safe YAML with line marks and no duplicate keys.

Rule-file errors must name a line, and a duplicated key in a rule file silently drops a
criterion's condition in plain YAML; so mappings and sequences are built as dict and list
subclasses that remember where each key and item stood, and a repeated key is an error.
Only PyYAML's safe constructors are used: no tags, no Python objects.
"""

from __future__ import annotations

from typing import Any

import yaml

from poletype.errors import ErrorCode, PoletypeError, RuleFileError


class LineDict(dict[str, Any]):
    """A mapping that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence that knows the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """A safe loader whose mappings and sequences keep their line numbers.

    Built on libyaml's parser when PyYAML has it (ten times faster, and rule files load
    at every start), on the pure-Python one otherwise; both give the same marks.
    """


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    """A mapping whose keys are each written once, merges allowed.

    A merge key (``<<: *defaults``) brings in keys that the mapping's own keys may
    override, as YAML means it; ``flatten_mapping`` puts the merged pairs first, so the
    later pair wins. Repeats are therefore checked before flattening, on each mapping's
    own keys and on those of every mapping it merges.
    """
    _refuse_repeated_keys(loader, node)
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = _key(loader, key_node)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _key(loader: _Loader, key_node: yaml.Node) -> str:
    key = loader.construct_object(key_node, deep=True)
    return key if isinstance(key, str) else str(key)


def _refuse_repeated_keys(loader: _Loader, node: yaml.MappingNode) -> None:
    """Raise on a key some mapping writes twice, this one or one it merges.

    Each mapping is checked once, before anything flattens it: flattening rewrites a
    merged mapping in place, after which its merged and own keys can no longer be told
    apart.
    """
    checked: set[int] = loader.__dict__.setdefault("_poletype_checked", set())
    pending = [node]
    while pending:
        mapping = pending.pop()
        if id(mapping) in checked:
            continue
        checked.add(id(mapping))
        first: dict[str, int] = {}
        for key_node, value_node in mapping.value:
            if key_node.tag == _MERGE_TAG:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                pending.extend(n for n in sources if isinstance(n, yaml.MappingNode))
                continue
            key, line = _key(loader, key_node), key_node.start_mark.line + 1
            if key in first:
                raise _DuplicateKeyError(key, line, first[key])
            first[key] = line


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int, first_line: int) -> None:
        self.key = key
        self.line = line
        self.first_line = first_line
        super().__init__(key)


def load_yaml(text: str, *, file: str, error: type[PoletypeError] = RuleFileError) -> Any:
    """Parse one YAML document, raising ``error`` with file and line on any problem."""
    code: ErrorCode
    try:
        return yaml.load(text, Loader=_Loader)
    except _DuplicateKeyError as exc:
        code = "duplicate-key"
        raise error(
            f"duplicate key {exc.key!r} (first at line {exc.first_line})",
            code=code,
            file=file,
            line=exc.line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        code = "yaml-syntax"
        raise error(
            f"invalid YAML: {exc.problem or exc.context}",
            code=code,
            file=file,
            line=None if mark is None else mark.line + 1,
        ) from None
    except yaml.YAMLError as exc:
        code = "yaml-syntax"
        raise error(f"invalid YAML: {exc}", code=code, file=file) from None


def line_of(document: Any, loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest node on ``loc`` that the document still has."""
    node: Any = document
    line: int | None = getattr(document, "line", None)
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
