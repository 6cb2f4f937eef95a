"""The facts a criterion's justification reads, by functions written once per criterion.

A justification shows the values its criterion read and is remembered by the facts its
sentences and condition read (`poletype._engine.justified`); both are read for every
verdict written out, so each criterion gets two small generated functions instead of a
walk of dotted paths: one reading its cache key, one reading the values it shows. Their
source holds model field names only (checked to be identifiers), never text from a rule
file, as in `poletype._engine.codegen`.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from typing import Any

from rule_engine import DataType

from poletype._engine.paths import Partial, read_path, to_json_value, unknown_parts
from poletype._engine.symbols import initiative_schema
from poletype._engine.typology import CompiledCriterion, CompiledIndicator, Expression

Key = Callable[[Any, Any], tuple[Any, ...]]
Keys = Callable[[Any, Sequence[Any]], list[tuple[Any, ...] | None]]
Reader = Callable[[Any], list[Any]]


def cache_paths(item: CompiledCriterion | CompiledIndicator) -> tuple[str, ...] | None:
    """Every input path an item's result can depend on, if all are plain facts.

    Its condition's (or value's) paths and its sentences' placeholders' paths, each
    one a fact outside any list whose value is a yes/no, a code, a number or a list of
    codes: two initiatives with equal values there get the same status, sentences,
    values shown and missing facts. None (not remembered) when a path runs through a
    list (members: the list may be partial, its entries are models) or ends on an
    object, or when an expression reads rule-engine's built-in symbols (``$now``).
    """
    expressions = [
        part
        for languages in item.templates.values()
        for template in languages.values()
        for part in template.parts
        if isinstance(part, Expression)
    ]
    nodes = [item.condition] if item.condition is not None else []
    while nodes:
        node = nodes.pop()
        if node.atom is not None:
            expressions.append(node.atom)
        nodes.extend(node.children)
    if isinstance(item, CompiledIndicator) and item.value is not None:
        expressions.append(item.value)
    if any("$" in e.text for e in expressions):
        return None
    paths = sorted({*item.paths, *(p for e in expressions for p in e.paths)})
    fields = initiative_schema().fields
    for path in paths:
        parts = path.split(".")
        for end in range(1, len(parts)):
            prefix = fields.get(".".join(parts[:end]))
            if prefix is None or not DataType.is_type(prefix.datatype, DataType.OBJECT):
                return None
        leaf = fields.get(path)
        if leaf is None or DataType.is_type(leaf.datatype, DataType.OBJECT):
            return None
        if DataType.is_type(leaf.datatype, DataType.ARRAY) and DataType.is_type(
            leaf.datatype.value_type, DataType.OBJECT
        ):
            return None
    return tuple(paths)


def key_function(paths: tuple[str, ...]) -> Key | None:
    """A function reading ``paths`` of an initiative into a cache key, or None.

    Generated once per criterion: one attribute read per field, each object read once.
    Numbers come with their type (``1`` is not ``1.0``, whose JSON differs), lists as
    tuples. The source holds model field names only (checked to be identifiers), never
    text from a rule file.
    """
    lines = ["def key(i, extra):"]
    reads = _key_reads(paths, {}, lines)
    if reads is None:
        return None
    lines.append(f"    return (extra, {', '.join(reads)},)")
    function: Key = _compiled(lines)["key"]
    return function


def keys_function(items: Sequence[tuple[str, ...] | None]) -> Keys:
    """One function giving every item's key at once (None where an item has none).

    The keys `key_function` gives, item by item; together, an object the items share
    (``strategy``, ``governance``) is read once, and one call replaces one per item: a
    verdict's JSON looks up every item's remembered text.
    """
    lines = ["def keys(i, extras):"]
    names: dict[str, str] = {}
    out = []
    for n, paths in enumerate(items):
        reads = None if paths is None else _key_reads(paths, names, lines)
        out.append("None" if reads is None else f"(extras[{n}], {', '.join(reads)},)")
    lines.append(f"    return [{', '.join(out)}]")
    function: Keys = _compiled(lines)["keys"]
    return function


def _key_reads(paths: tuple[str, ...], names: dict[str, str], lines: list[str]) -> list[str] | None:
    """The expressions reading ``paths`` into a key's values; objects read once (``names``).

    None when a path is not a plain dotted name (then nothing was added to ``lines``).
    """
    if not all(p.isidentifier() and not keyword.iskeyword(p) for q in paths for p in q.split(".")):
        return None
    fields = initiative_schema().fields
    out = []
    for path in paths:
        parts = path.split(".")
        owner = "i"
        for end in range(1, len(parts)):
            prefix = ".".join(parts[:end])
            if prefix not in names:
                names[prefix] = f"o{len(names)}"
                lines.append(
                    f"    {names[prefix]} = None if {owner} is None else {owner}.{parts[end - 1]}"
                )
            owner = names[prefix]
        read = f"{owner}.{parts[-1]}"
        read = read if owner == "i" else f"(None if {owner} is None else {read})"
        datatype = fields[path].datatype
        if DataType.is_type(datatype, DataType.ARRAY):
            read = f"_list({read})"
        elif not (
            DataType.is_type(datatype, DataType.BOOLEAN)
            or DataType.is_type(datatype, DataType.STRING)
        ):
            read = f"_typed({read})"
        out.append(read)
    return out


def _compiled(lines: list[str]) -> dict[str, Any]:
    namespace: dict[str, Any] = {"_list": _listed, "_typed": _typed}
    # Model field names only: no text from a rule file is in the source.
    exec(compile("\n".join(lines), "<poletype key>", "exec"), namespace)
    return namespace


def _typed(value: Any) -> Any:
    return value if value is None else (type(value), value)


def _listed(value: Any) -> Any:
    if value is None:
        return None
    return tuple(v if type(v) in (str, bool) else _typed(v) for v in value)


def fresh(value: Any) -> Any:
    """A value shown, copied if it is a list or a dict: remembered rows are shared."""
    if type(value) is list:
        return [fresh(v) for v in value]
    if type(value) is dict:
        return {k: fresh(v) for k, v in value.items()}
    return value


def reader_function(paths: tuple[str, ...]) -> Reader:
    """A function reading ``paths`` as the plain JSON values a result shows.

    One function per tuple of paths and process, so that two criteria showing the same
    facts (the Labo's M1 and M8) share it, and a verdict reads them once.

    The values of ``to_json_value(read_path(initiative, path))``: a fact outside lists as
    it is (a list of codes copied), a field of each entry of one list as the list of
    its values; any other path (an object, lists in lists) by ``read_path`` itself.
    """
    found = _READERS.get(paths)
    if found is not None:
        return found
    fields = initiative_schema().fields
    lines = ["def read(i):"]
    names: dict[str, str] = {}
    out: list[str] = []

    def owner_of(parts: list[str]) -> str:
        owner = "i"
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix not in names:
                names[prefix] = f"o{len(names)}"
                read = f"{owner}.{parts[end - 1]}"
                read = read if owner == "i" else f"None if {owner} is None else {read}"
                lines.append(f"    {names[prefix]} = {read}")
            owner = names[prefix]
        return owner

    for n, path in enumerate(paths):
        parts = path.split(".")
        kinds = [fields[".".join(parts[:end])].datatype for end in range(1, len(parts) + 1)]
        named = all(p.isidentifier() and not keyword.iskeyword(p) for p in parts)
        if named and all(_is(k, DataType.OBJECT) for k in kinds[:-1]) and _plain(kinds[-1]):
            value = owner_of(parts)
            out.append(f"_copy({value})" if _is(kinds[-1], DataType.ARRAY) else value)
        elif (
            named
            and len(parts) >= 2
            and all(_is(k, DataType.OBJECT) for k in kinds[:-2])
            and _is(kinds[-2], DataType.ARRAY)
            and _is(kinds[-2].value_type, DataType.OBJECT)
            and _scalar(kinds[-1])
        ):
            items = owner_of(parts[:-1])
            out.append(f"(None if {items} is None else [e.{parts[-1]} for e in {items}])")
        else:
            out.append(f"_slow(i, P[{n}])")
    lines.append(f"    return [{', '.join(out)}]")
    namespace: dict[str, Any] = {"_copy": _copy, "_slow": _slow, "P": paths}
    # Model field names only: no text from a rule file is in the source.
    exec(compile("\n".join(lines), "<poletype reader>", "exec"), namespace)
    function: Reader = namespace["read"]
    _READERS[paths] = function
    return function


_READERS: dict[tuple[str, ...], Reader] = {}


def _is(datatype: Any, kind: Any) -> bool:
    return bool(DataType.is_type(datatype, kind))


def _scalar(datatype: Any) -> bool:
    return any(_is(datatype, k) for k in (DataType.BOOLEAN, DataType.STRING, DataType.FLOAT))


def _plain(datatype: Any) -> bool:
    """A leaf whose value is plain JSON as it is: a scalar, or a list of scalars."""
    if _is(datatype, DataType.ARRAY):
        return _scalar(datatype.value_type)
    return _scalar(datatype)


def _copy(value: Any) -> Any:
    return None if value is None else list(value)


def _slow(initiative: Any, path: str) -> Any:
    return to_json_value(read_path(initiative, path))


_ASKING: dict[str, Callable[[Any], tuple[str, ...]]] = {}
"""Each input path's `asking` function, written on first use (paths, not typologies)."""


def asking(path: str) -> Callable[[Any], tuple[str, ...]]:
    """A function giving ``unknown_parts(initiative, path)``, written once per path.

    ``missing`` and every unknown criterion ask it of their paths. A fact outside lists
    is asked for by its path when it or an object on the way is absent; a field of each
    entry of one list, by the list's path when the list is absent, else by its own path
    when some entry lacks it, plus what a partial list asks (`Partial.asks`). Any other
    path is read by ``unknown_parts`` itself.
    """
    found = _ASKING.get(path)
    if found is None:
        found = _ASKING[path] = _asking(path)
    return found


def _asking(path: str) -> Callable[[Any], tuple[str, ...]]:
    fields = initiative_schema().fields
    parts = path.split(".")
    kinds = [fields.get(".".join(parts[:end])) for end in range(1, len(parts) + 1)]
    if any(k is None for k in kinds) or not all(
        p.isidentifier() and not keyword.iskeyword(p) for p in parts
    ):
        return lambda initiative: unknown_parts(initiative, path)
    types = [k.datatype for k in kinds if k is not None]
    lines = ["def ask(i):"]
    if all(_is(k, DataType.OBJECT) for k in types[:-1]):
        for part in parts:
            lines += [f"    i = i.{part}", "    if i is None:", "        return P"]
        lines.append("    return i.asks if type(i) is _Partial else ()")
    elif (
        len(parts) >= 2
        and all(_is(k, DataType.OBJECT) for k in types[:-2])
        and _is(types[-2], DataType.ARRAY)
        and _is(types[-2].value_type, DataType.OBJECT)
        and not _is(types[-1], DataType.ARRAY)
    ):
        for part in parts[:-2]:
            lines += [f"    i = i.{part}", "    if i is None:", "        return P"]
        lines += [
            f"    i = i.{parts[-2]}",
            "    if i is None:",
            "        return L",
            "    asks = i.asks if type(i) is _Partial else ()",
            "    for e in i:",
            f"        if e.{parts[-1]} is None:",
            "            return (*asks, *P)",
            "    return asks",
        ]
    else:
        return lambda initiative: unknown_parts(initiative, path)
    namespace: dict[str, Any] = {
        "_Partial": Partial,
        "P": (path,),
        "L": (".".join(parts[:-1]),),
    }
    # Model field names only: no text from a rule file is in the source.
    exec(compile("\n".join(lines), "<poletype asking>", "exec"), namespace)
    function: Callable[[Any], tuple[str, ...]] = namespace["ask"]
    return function


def unknown_facts(initiative: Any, paths: Any) -> list[str]:
    """``paths.unknown_facts``, by each path's `asking` function."""
    return sorted({fact for path in paths for fact in asking(path)(initiative)})
