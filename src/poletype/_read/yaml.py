"""Safe YAML with line marks and no duplicate keys.

Rule-file errors must name a line, and a duplicated key in a rule file silently drops a
criterion's condition in plain YAML; so mappings and sequences are built as dict and list
subclasses that remember where each key and item stood, and a repeated key is an error.
Only PyYAML's safe constructors are used, and only for the core schema's tags.

Before anything is constructed, the composed node graph is checked against `Limits`
(`_check_nodes`): an alias used as a key, too many aliases, a document that expands past
its bounds, nesting too deep, an integer too long, a tag outside the core schema. Each
of those would otherwise cost time or memory out of proportion to the file (a 432-byte
file whose alias keys expand exponentially), raise past the reader (recursion, Python's
own integer-digit limit) or make a value depend on the process (``!!set`` has hash
order), so each is refused with its own code, naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from poletype._read.limits import DEFAULT_LIMITS, Limits, exceeds_bytes
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


_CORE = "tag:yaml.org,2002:"
_SEQ, _MAP, _STR = _CORE + "seq", _CORE + "map", _CORE + "str"
_IMPLICIT = frozenset(_CORE + t for t in ("int", "float", "bool", "null", "merge", "timestamp"))
"""Scalar tags accepted when the plain scalar would resolve to them anyway.

``timestamp`` is not in the core schema, but YAML 1.1 resolves a plain ``2020-06-01`` to
it and snapshot dates are written so; requiring the implicit resolution also keeps
``!!int abc`` or ``!!timestamp soon`` from reaching a constructor that would fail on them
with a bare `ValueError` or `AttributeError`.
"""

_CONSTRUCTED = {
    _CORE + "int": "an integer",
    _CORE + "float": "a number",
    _CORE + "timestamp": "a date",
}
"""Tags whose constructor can still fail on a value that resolves to them."""
_TAG_REFUSED = (
    "tag {!r} is not read; only strings, numbers, booleans, null, lists, mappings and merges are"
)


@dataclass
class _RefusedError(Exception):
    """A limit or rule broken by the node graph, raised before construction."""

    message: str
    code: ErrorCode
    line: int | None = None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _check_nodes(loader: _Loader, root: yaml.Node, limits: Limits) -> None:
    """Refuse a node graph that breaks a limit, before anything is constructed.

    The composer has already replaced each alias by the node it names, so the graph is
    walked in document order: the first visit of a node is where it is written, every
    later one an alias. Nesting and tags are checked on the nodes as written, without
    recursion (a deep file must not need a deep stack). Then each alias is weighed by
    the expanded size of the node it names, computed once per node: a billion laughs
    costs the walk of a few nodes, not their expansion.
    """
    seen: set[int] = set()
    on_path: set[int] = set()
    aliases: list[tuple[yaml.Node, int]] = []  # the node named, the depth it is named at
    characters = 0  # of the scalars as written
    # (node, its depth, its parent, the value after it if it is a key); a bare node
    # marks leaving it.
    stack: list[tuple[yaml.Node, int, yaml.Node, yaml.Node | None] | yaml.Node]
    stack = [(root, 1, root, None)]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.Node):
            on_path.discard(id(item))
            continue
        node, depth, parent, value = item
        if id(node) in seen:
            _check_alias(node, parent, value, id(node) in on_path, seen)
            aliases.append((node, depth))
            if len(aliases) > limits.aliases:
                raise _RefusedError(
                    f"more than {limits.aliases} aliases (limit `aliases`)",
                    "too-many-aliases",
                    _line(parent),
                )
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            characters += len(node.value)
            if node.tag != _STR:  # most scalars: nothing to check
                _check_scalar(loader, node, limits)
            continue
        _check_collection_tag(node)
        if depth > limits.depth:
            raise _RefusedError(
                f"nested more than {limits.depth} levels deep (limit `depth`)",
                "too-deep",
                _line(node),
            )
        on_path.add(id(node))
        stack.append(node)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1, node, None) for child in reversed(node.value))
        else:
            for key, child in reversed(node.value):
                stack += [(child, depth + 1, node, None), (key, depth + 1, node, child)]
    if aliases:
        _check_expansion(aliases, (len(seen), characters), limits)


def _check_alias(
    node: yaml.Node, parent: yaml.Node, value: yaml.Node | None, inside: bool, seen: set[int]
) -> None:
    """Refuse an alias used as a key, or one inside the node it names."""
    if value is not None:
        # An alias key has no mark of its own; its value, written after it, has.
        line = _line(parent if id(value) in seen else value)
        raise _RefusedError(
            "an alias is used as a mapping key; write the key itself", "alias-key", line
        )
    if inside:
        raise _RefusedError(
            "an alias names a node that contains it (an endless expansion)",
            "alias-expansion",
            _line(parent),
        )


def _check_scalar(loader: _Loader, node: yaml.ScalarNode, limits: Limits) -> None:
    """Refuse a scalar with a tag not read, an integer too long, or a bad value.

    A bad value is one that its tag's constructor would fail on: ``2020-13-45``
    resolves as a date and ``0x_`` as an integer, and both raised a bare `ValueError`.
    """
    tag = node.tag
    if tag not in _IMPLICIT:
        raise _RefusedError(_TAG_REFUSED.format(tag.replace(_CORE, "!!")), "yaml-tag", _line(node))
    if loader.resolve(yaml.ScalarNode, node.value, (True, False)) != tag:
        raise _RefusedError(
            f"{node.value[:40]!r} is not a valid {tag.replace(_CORE, '!!')}",
            "yaml-tag",
            _line(node),
        )
    if tag == _CORE + "int":
        digits = sum(ch.isalnum() for ch in node.value)
        if digits > limits.integer_digits:
            raise _RefusedError(
                f"an integer of {digits} digits; at most {limits.integer_digits}"
                " (limit `integer_digits`)",
                "integer-too-long",
                _line(node),
            )
    if tag in _CONSTRUCTED:
        try:
            loader.yaml_constructors[tag](loader, node)
        except (ValueError, ArithmeticError) as exc:
            raise _RefusedError(
                f"invalid YAML: {node.value[:40]!r} reads as {_CONSTRUCTED[tag]} but is not"
                f" one ({exc})",
                "yaml-syntax",
                _line(node),
            ) from None


def _check_collection_tag(node: yaml.Node) -> None:
    expected = _SEQ if isinstance(node, yaml.SequenceNode) else _MAP
    if node.tag != expected:
        raise _RefusedError(
            _TAG_REFUSED.format(node.tag.replace(_CORE, "!!")), "yaml-tag", _line(node)
        )


def _check_expansion(
    aliases: list[tuple[yaml.Node, int]], written: tuple[int, int], limits: Limits
) -> None:
    """Refuse aliases that expand past ``alias_nodes``, ``alias_bytes`` or ``depth``.

    The document as written (``written``: nodes, characters) is bounded by its size;
    each alias adds a copy of the node it names, whose expanded size (nodes, characters,
    nesting) is computed bottom-up, once per node, over the named nodes only. The graph
    has no cycle: `_check_nodes` refused any.
    """
    sizes: dict[int, tuple[int, int, int]] = {}  # nodes, characters, nesting
    stack: list[tuple[yaml.Node, bool]] = [(node, False) for node, _ in aliases]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = (1, len(node.value), 0)
            continue
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [n for pair in node.value for n in pair]
        )
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        parts = [sizes[id(child)] for child in children]
        sizes[id(node)] = (
            1 + sum(p[0] for p in parts),
            sum(p[1] for p in parts),
            1 + max((p[2] for p in parts), default=0),
        )
    nodes = written[0] + sum(sizes[id(node)][0] for node, _ in aliases)
    characters = written[1] + sum(sizes[id(node)][1] for node, _ in aliases)
    if max(depth - 1 + sizes[id(node)][2] for node, depth in aliases) > limits.depth:
        raise _RefusedError(
            f"aliases nest it more than {limits.depth} levels deep (limit `depth`)", "too-deep"
        )
    if nodes > limits.alias_nodes:
        raise _RefusedError(
            f"aliases expand it to {nodes} nodes; at most {limits.alias_nodes}"
            " (limit `alias_nodes`)",
            "alias-expansion",
        )
    if characters > limits.alias_bytes:
        raise _RefusedError(
            f"aliases expand it to {characters} characters of text; at most"
            f" {limits.alias_bytes} (limit `alias_bytes`)",
            "alias-expansion",
        )


def _compose(text: str, limits: Limits) -> Any:
    """Parse, check the node graph, then construct: the checks come before any cost."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_nodes(loader, root, limits)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def load_yaml(
    text: str,
    *,
    file: str,
    error: type[PoletypeError] = RuleFileError,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Parse one YAML document, raising ``error`` with file and line on any problem.

    Every failure is ``error``, with a code: a document over a `Limits` bound included,
    and a deep one that the pure-Python parser (used when libyaml is absent) would take
    past the recursion limit.
    """
    code: ErrorCode
    if exceeds_bytes(text, limits.document_bytes):
        code = "document-too-large"
        raise error(
            f"document larger than {limits.document_bytes} bytes (limit `document_bytes`)",
            code=code,
            file=file,
        )
    try:
        return _compose(text, limits)
    except _RefusedError as exc:
        raise error(exc.message, code=exc.code, file=file, line=exc.line) from None
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
        line = None if mark is None else mark.line + 1
        if "nesting depth" in str(exc.problem):  # libyaml's own bound, at 1000 levels
            code = "too-deep"
            message = f"nested more than {limits.depth} levels deep (limit `depth`)"
            raise error(message, code=code, file=file, line=line) from None
        code = "yaml-syntax"
        raise error(
            f"invalid YAML: {exc.problem or exc.context}", code=code, file=file, line=line
        ) from None
    except yaml.YAMLError as exc:
        code = "yaml-syntax"
        raise error(f"invalid YAML: {exc}", code=code, file=file) from None
    except RecursionError:
        code = "too-deep"
        raise error(
            f"nested more than {limits.depth} levels deep (limit `depth`)", code=code, file=file
        ) from None


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
