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

    A merge key (``<<: *defaults``) brings in the keys of another mapping, or of a list
    of mappings, as the YAML merge-key type means it: the mapping's own keys override
    merged ones, and in a list an earlier mapping wins over a later one. The merge is
    done here rather than by PyYAML's ``flatten_mapping``, whose pair order (on which
    "last wins" would depend) is not the same in every PyYAML: 6.0.4 changed it. Each merged
    mapping is built by this same constructor, so its own repeated keys are refused
    there and its own merges resolved first; a merged key keeps the line where that
    mapping wrote it.
    """
    own = _own_pairs(loader, node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}

    def take_own(key: str) -> None:
        if key not in result:
            line, value_node = own[key]
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = line

    # Each key stands where it first appears, a merge's keys where its ``<<`` is: with
    # one ``<<`` written first, as usual, the order every PyYAML gave.
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            take_own(_key(loader, key_node))
            continue
        for merged in _merged_mappings(loader, node, value_node):
            for key, value in merged.items():
                if key in own:
                    take_own(key)
                elif key not in result:
                    result[key] = value
                    result.key_lines[key] = merged.key_lines[key]
    return result


def _key(loader: _Loader, key_node: yaml.Node) -> str:
    key = loader.construct_object(key_node, deep=True)
    return key if isinstance(key, str) else str(key)


def _own_pairs(loader: _Loader, node: yaml.MappingNode) -> dict[str, tuple[int, yaml.Node]]:
    """The line and value of each key this mapping writes itself; a key written twice raises.

    The merge key counts as a key: two ``<<`` in one mapping are a repeat like any
    other (one ``<<`` with a list of mappings merges several).
    """
    own: dict[str, tuple[int, yaml.Node]] = {}
    merge_line: int | None = None
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == _MERGE_TAG:
            if merge_line is not None:
                raise _DuplicateKeyError("<<", line, merge_line)
            merge_line = line
            continue
        key = _key(loader, key_node)
        if key in own:
            raise _DuplicateKeyError(key, line, own[key][0])
        own[key] = (line, value_node)
    return own


def _merged_mappings(
    loader: _Loader, node: yaml.MappingNode, value_node: yaml.Node
) -> list[LineDict]:
    """The mappings a merge key's value names, earliest (the one that wins) first."""
    in_list = isinstance(value_node, yaml.SequenceNode)
    merged = []
    for source in value_node.value if in_list else [value_node]:
        built = (
            loader.construct_object(source, deep=True)
            if isinstance(source, yaml.MappingNode)
            else None
        )
        if not isinstance(built, LineDict):
            expected = "a mapping" if in_list else "a mapping or list of mappings"
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"expected {expected} for merging, but found {getattr(source, 'id', 'node')}",
                source.start_mark,
            )
        merged.append(built)
    return merged


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
