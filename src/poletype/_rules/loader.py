"""Find, read, validate and compile rule files; compute the rules hash.

Shipped rule files live in the ``poletype.rules`` package and are read with
``importlib.resources``, so an installed wheel finds them wherever it is installed. A
user's own rule file is loaded from a path the same way. Loading raises the first error;
`check_typology` collects every error it can, for ``poletype validate``.

A rule file may extend another typology (``extends:``) rather than copy it: a funder's
call adds its own criteria to a published grid. The extension is resolved here, on the
parsed documents and before anything is compiled, into one plain rule-file document, so
the compiler, the evaluator and every report see an ordinary typology. The documents keep
their nodes' line numbers, and the file each inherited criterion was written in, so an
error still names the right file, line and criterion.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype._engine.compiler import compile_typology, parameter_values
from poletype._engine.typology import Typology
from poletype._read.params import checked_values
from poletype._read.yaml import line_of, load_yaml
from poletype._rules.examples import run_examples
from poletype._rules.extends import Merge, Resolved, line_dict, line_list
from poletype._rules.parameters import resolve_parameters
from poletype._rules.parsed import parsed, rules_package
from poletype.errors import RuleFileError, UsageError
from poletype.rulefile import Extension, RuleFile


def shipped_typologies() -> dict[str, str]:
    """Typology id → file name of every rule file shipped with poletype."""
    return dict(_shipped_listing())


@lru_cache(maxsize=1)
def _shipped_listing() -> tuple[tuple[str, str], ...]:
    """The rules folder listed once per process.

    The shipped rule files are package data: they do not change while poletype runs, so
    classifying by id does not list a folder on every call.
    """
    found: dict[str, str] = {}
    for entry in sorted(rules_package().iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            found[entry.name.rsplit(".", 1)[0]] = entry.name
    return tuple(found.items())


@dataclass(frozen=True)
class _Located:
    """A rule file's bytes, the name errors give it, and where its ``extends`` paths start.

    ``key`` tells two files apart for cycle detection; ``folder`` is None for a shipped
    file, which may extend only another shipped typology.
    """

    file: str
    data: bytes
    key: str
    folder: str | None


def _shipped_key(name: str) -> str:
    return f"shipped:{name}"


def _shipped(typology_id: str, shipped: dict[str, str]) -> _Located:
    name = shipped[typology_id]
    data = rules_package().joinpath(name).read_bytes()
    return _Located(f"rules/{name}", data, _shipped_key(name), None)


def _at_path(path: Path, data: bytes) -> _Located:
    return _Located(str(path), data, str(path.resolve()), str(path.parent))


def read_bytes(path: Path, what: str) -> bytes:
    """A file's bytes; one that cannot be read is a ``typology-not-found``, as a typology is.

    The caller named the file, so the caller has to act: a `UsageError`.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"cannot read {what}: {exc.strerror}", code="typology-not-found", file=str(path)
        ) from None


def _locate(name_or_path: str | Path) -> _Located:
    """A rule file given by typology id or path."""
    text = str(name_or_path)
    shipped = shipped_typologies()
    if text in shipped:
        return _shipped(text, shipped)
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return _at_path(path, read_bytes(path, "rule file"))
    raise UsageError(
        f"no typology {text!r}",
        code="typology-not-found",
        expected=f"a shipped typology id ({', '.join(shipped)}) or a path to a rule file",
    )


def read_yaml(file: str, data: bytes) -> Any:
    """The YAML document of a rule file's bytes, which must be UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(
            f"rule file is not UTF-8 (byte {exc.start})", code="yaml-syntax", file=file
        ) from None
    return load_yaml(text, file=file)


def schema_errors(file: str, raw: Any, exc: ValidationError) -> list[RuleFileError]:
    errors = []
    # A misspelt key shows as an unknown key and a missing one; the unknown key is the cause.
    ordered = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    for error in ordered:
        loc = tuple(error["loc"])
        criterion = _criterion_at(raw, loc)
        where = ".".join(str(p) for p in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r} at {where}"
        elif error["type"] == "missing":
            message = f"missing key {where!r}"
        else:
            message = f"{where}: {error['msg']}"
        errors.append(
            RuleFileError(
                message, code="schema", file=file, line=line_of(raw, loc), criterion=criterion
            )
        )
    return errors


def _criterion_at(raw: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
        try:
            value = raw["criteria"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
        return value if isinstance(value, str) else None
    return None


def _freeze(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in params.items()))


def load(name_or_path: str | Path, params: Mapping[str, Any] | None = None) -> Typology:
    """Load and compile a typology by id or path, with parameter overrides.

    The overrides' shapes are checked first: the cache key serialises them.
    """
    return load_chain(name_or_path, params)[0]


Frozen = tuple[tuple[str, str], ...]


def frozen(params: Mapping[str, Any] | None) -> Frozen:
    """Parameter overrides, checked, as a hashable key (their canonical JSON by name)."""
    return _freeze(checked_values(params or {}))


def load_chain(
    name_or_path: str | Path, params: Mapping[str, Any] | None = None
) -> tuple[Typology, tuple[_Located, ...]]:
    """`load`, and the files (with their bytes) the typology was built from.

    The caller's cache checks those files again, rather than this module guessing when
    they may have changed.
    """
    chain = _chain(_locate(name_or_path))
    return _load_cached(chain, frozen(params)), chain


def user_files(chain: tuple[_Located, ...]) -> tuple[tuple[str, bytes], ...]:
    """The user's files of a chain (not the shipped ones): path and the bytes read."""
    return tuple((located.key, located.data) for located in chain if located.folder is not None)


@lru_cache(maxsize=64)
def _load_cached(chain: tuple[_Located, ...], frozen: Frozen) -> Typology:
    overrides = {k: json.loads(v) for k, v in frozen}
    with _collector_paused():
        try:
            resolved = _resolve(chain)
            spec = _validated(resolved)
        except _Invalid as exc:
            raise exc.errors[0] from None
        parameters = resolve_parameters(spec, overrides, resolved.file)
        typology = _compile(spec, resolved, parameters)
    # What pickling the typology sends instead of its compiled code (see `restore`): the
    # shipped id, or the bytes of the user's files, which a worker cannot be assumed to have.
    shipped = all(located.folder is None for located in chain)
    origin = (restore, (spec.typology if shipped else chain, frozen, typology.rules_hash))
    object.__setattr__(typology, "origin", origin)
    return typology


def restore(source: str | tuple[_Located, ...], frozen: Frozen, rules_hash: str) -> Typology:
    """A pickled typology rebuilt where it is unpickled: ``Typology.__reduce__`` names this.

    A shipped typology is loaded by id from the installed package; one from a user's file
    is compiled from the bytes carried in the pickle, so a worker needs no copy of the
    file and a file changed since cannot slip in. Either way the rebuilt typology must
    have the rules hash of the one pickled: a worker with another poletype (other
    shipped rules) is refused rather than classifying differently.
    """
    if isinstance(source, str):
        typology = load(source, {k: json.loads(v) for k, v in frozen})
    else:
        typology = _load_cached(source, frozen)
    if typology.rules_hash != rules_hash:
        raise UsageError(
            f"typology {typology.id!r} differs where it was unpickled",
            code="typology-not-found",
            expected=f"the rules hash {rules_hash} (the same poletype version on every worker)",
            found=typology.rules_hash,
        )
    return typology


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a typology compiles.

    Compiling allocates tens of thousands of objects that all live as long as the
    typology, and the collector's passes over them were a fifth of the load time. Nothing
    cyclic is left behind that needs collecting sooner; the collector's state is restored.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _compile(spec: RuleFile, resolved: Resolved, parameters: dict[str, Any]) -> Typology:
    try:
        return compile_typology(
            spec,
            file=resolved.file,
            raw=resolved.raw,
            parameters=parameters,
            source=resolved.source,
        )
    except RuleFileError as exc:
        raise _relocate(exc, resolved.origins) from None


def check(name_or_path: str | Path) -> list[RuleFileError]:
    """Every error in a rule file that can be found, in file order."""
    try:
        chain = _chain(_locate(name_or_path))
        resolved = _resolve(chain)
        spec = _validated(resolved)
    except RuleFileError as exc:
        return [exc]
    except _Invalid as exc:
        return exc.errors
    file, raw = resolved.file, resolved.raw
    errors: list[RuleFileError] = []
    parameters = parameter_values(spec)
    # Compile one criterion (or indicator) at a time so that one bad one does not hide the next.
    key = "indicators" if spec.is_graded else "criteria"
    items = getattr(spec, key)
    for index, item in enumerate(items):
        single = spec.model_copy(update={key: [item]})
        single_raw = _with_single(raw, key, index)
        try:
            _compile(
                single, Resolved(file, single_raw, resolved.source, resolved.origins), parameters
            )
        except RuleFileError as exc:
            if exc.code not in ("unknown-criterion", "unknown-group") or (
                exc.criterion and not spec.is_graded
            ):
                errors.append(exc)
    try:
        _compile(spec, resolved, parameters)
    except RuleFileError as exc:
        if all(str(exc) != str(e) for e in errors):
            errors.append(exc)
    if not errors:
        errors.extend(_example_errors(chain))
    return sorted(errors, key=lambda e: (e.line or 0, str(e)))


def _with_single(raw: Any, key: str, index: int) -> Any:
    """The raw document as if ``key`` held only item ``index``, keeping its lines."""
    items = raw[key]
    one = line_list([(items[index], items.item_lines[index])], items.line)
    return line_dict({**raw, key: one}, raw.line, raw.key_lines)


def _example_errors(chain: tuple[_Located, ...]) -> list[RuleFileError]:
    typology = _load_cached(chain, _freeze({}))
    return [r.error for r in run_examples(typology) if r.error is not None]


# ---------------------------------------------------------------- extensions


def _invalid(message: str, **details: Any) -> _Invalid:
    return _Invalid([RuleFileError(message, **details)])


class _Invalid(Exception):  # noqa: N818 - internal carrier, never raised to users
    """Every error found while resolving a document; loading raises the first."""

    def __init__(self, errors: list[RuleFileError]) -> None:
        self.errors = errors
        super().__init__(str(self.errors[0]))


_EXTENDS_SEPARATOR = b"\0extends\0"
"""Joins an extension's bytes to its base's; YAML text never holds a NUL byte."""


def _chain(located: _Located) -> tuple[_Located, ...]:
    """The file, then each base it rests on, every one read once.

    The same tuple keys the load cache and is resolved, so a typology is always built from
    the bytes its key (and its rules hash) describes, even if a file changes during the
    load. The chain stops where resolving it fails: at a base that cannot be found, or at
    a file already in it, which closes a cycle.
    """
    chain = [located]
    while b"extends" in chain[-1].data:
        target = _extends_target(chain[-1].data)
        if target is None:
            break
        base = _base_location(chain[-1], target, chain)
        if base is None:
            break
        chain.append(base)
        if base.key in {seen.key for seen in chain[:-1]}:
            break
    return tuple(chain)


def _resolve(chain: tuple[_Located, ...], index: int = 0) -> Resolved:
    located = chain[index]
    raw = parsed(located.data)
    if raw is None:
        raw = read_yaml(located.file, located.data)
    if not isinstance(raw, dict):
        raise _invalid("a rule file is a YAML mapping", code="schema", file=located.file, line=1)
    if "extends" not in raw:
        return Resolved(located.file, raw, located.data, {})
    return _extend(chain, index, raw)


def _validated(resolved: Resolved) -> RuleFile:
    try:
        return RuleFile.model_validate(resolved.raw)
    except ValidationError as exc:
        errors = schema_errors(resolved.file, resolved.raw, exc)
        raise _Invalid([_relocate(e, resolved.origins) for e in errors]) from None


def _relocate(error: RuleFileError, origins: Mapping[str, str]) -> RuleFileError:
    """The error in the file its criterion was written in, when that is a base file."""
    origin = origins.get(error.criterion or "")
    if origin is None or origin == error.file:
        return error
    return RuleFileError(
        error.message,
        code=error.code,
        file=origin,
        line=error.line,
        criterion=error.criterion,
        expected=error.expected,
        found=error.found,
        suggestion=error.suggestion,
    )


def _extend(chain: tuple[_Located, ...], index: int, raw: Any) -> Resolved:
    located = chain[index]
    try:
        ext = Extension.model_validate(raw)
    except ValidationError as exc:
        raise _Invalid(schema_errors(located.file, raw, exc)) from None
    if index + 1 == len(chain):
        raise _not_found(located, ext.extends, raw)
    base_located = chain[index + 1]
    path = chain[: index + 1]
    if any(base_located.key == seen.key for seen in path):
        loop = " → ".join(f.file for f in (*path, base_located))
        raise _invalid(
            f"extends {ext.extends!r}, which leads back to a file of the chain",
            code="extends-cycle",
            file=located.file,
            line=line_of(raw, ("extends",)),
            expected="a chain of extensions ending at a plain typology",
            found=loop,
        )
    base = _resolve(chain, index + 1)
    base_spec = _validated(base)
    if base_spec.is_graded:
        raise _invalid(
            f"{base_spec.typology!r} is a graded typology; extending a graded "
            "typology is not supported yet",
            code="extends-graded",
            file=located.file,
            line=line_of(raw, ("extends",)),
            expected="a crisp typology (criteria and a verdict)",
            found=base.file,
        )
    merge = Merge(located.file, raw, ext, base, base_spec)
    document = merge.document()
    if merge.errors:
        raise _Invalid(sorted(merge.errors, key=lambda e: (e.line or 0, str(e))))
    return Resolved(
        located.file, document, located.data + _EXTENDS_SEPARATOR + base.source, merge.origins
    )


def _base_location(located: _Located, target: str, chain: list[_Located]) -> _Located | None:
    """The rule file ``extends`` names: a shipped id, or a path from the extending file.

    A file already in ``chain`` closes a cycle; it keeps the bytes it was read with, so
    that no file is read twice, and takes the name this ``extends`` gives it.
    """
    earlier = {seen.key: seen for seen in chain}
    shipped = shipped_typologies()
    if target in shipped:
        seen = earlier.get(_shipped_key(shipped[target]))
        return _shipped(target, shipped) if seen is None else seen
    if located.folder is None:
        return None
    path = Path(os.path.normpath(Path(located.folder) / target))
    try:
        seen = earlier.get(str(path.resolve()))
        if seen is None:
            return _at_path(path, path.read_bytes())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return None
    return _Located(str(path), seen.data, seen.key, str(path.parent))


def _not_found(located: _Located, target: str, raw: Any) -> _Invalid:
    shipped = shipped_typologies()
    return _invalid(
        f"cannot find the typology {target!r} that this file extends",
        code="extends-not-found",
        file=located.file,
        line=line_of(raw, ("extends",)),
        expected=f"a shipped typology id ({', '.join(shipped)})"
        + ("" if located.folder is None else " or a rule file path relative to this file"),
        found=target,
    )


@lru_cache(maxsize=64)
def _extends_target(data: bytes) -> str | None:
    raw = parsed(data)
    try:
        if raw is None:
            raw = load_yaml(data.decode("utf-8"), file="")
    except (RuleFileError, UnicodeDecodeError):
        return None
    target = raw.get("extends") if isinstance(raw, dict) else None
    return target if isinstance(target, str) else None
