"""The functions users call: load a typology, read an initiative, classify it.

``classify`` accepts an `Initiative` or a plain dict in the interchange format, and a
typology given by id, by path, or already loaded, so an integrating tool can hold one
compiled typology and classify many initiatives without reloading it.
"""

from __future__ import annotations

import functools
import os
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype import _loader
from poletype._compiler import Typology
from poletype._evaluator import evaluate
from poletype._interpreter import Backend
from poletype._json import load_json
from poletype._limits import DEFAULT_LIMITS, Limits
from poletype._params import checked_values
from poletype._trajectory import Trajectory, TrajectoryPoint, changes, states
from poletype._yaml import load_yaml
from poletype.errors import ErrorCode, InitiativeError, RuleFileError, UsageError
from poletype.model import Initiative
from poletype.verdict import Verdict

DEFAULT_TYPOLOGY = "labo-ess-ptce"
GRADED_TYPOLOGY = "matray-poisat"


def load_typology(typology: str | Path, params: Mapping[str, Any] | None = None) -> Typology:
    """Load and compile a typology by shipped id (``labo-ess-ptce``) or rule-file path.

    Every expression is parsed and type-checked against the `Initiative` model now, so
    a misspelt field fails here, naming the file, the line and the criterion.

    A typology is remembered after its first load (see `_remembered`), so
    ``classify(x, "labo-ess-ptce")`` in a loop costs what a preloaded typology costs.
    """
    frozen = _loader.frozen(params)
    text = str(typology)
    if text in _shipped_ids():
        key: tuple[Any, ...] = (text, frozen)
        found = _REMEMBERED.get(key)
        if found is not None and (alive := found[0]()) is not None:
            return alive
    else:
        key = (os.path.abspath(text), frozen)
        found = _REMEMBERED.get(key)
        if found is not None and (alive := found[0]()) is not None and _unchanged(found[1]):
            return alive
    loaded, chain = _loader.load_chain(typology, params)
    if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
        _REMEMBERED.pop(next(iter(_REMEMBERED)))
    _REMEMBERED[key] = (
        weakref.ref(loaded),
        tuple(_stamp(path, data) for path, data in _loader.user_files(chain)),
    )
    return loaded


_REMEMBER_AT_MOST = 64
_REMEMBERED: dict[tuple[Any, ...], tuple[weakref.ref[Typology], tuple[_Stamp, ...]]] = {}
"""Typologies loaded by id or path, by (id or absolute path, frozen parameters).

Weakly: the loader's cache owns them (and bounds how many live), so a parameter sweep
does not keep every typology it made alive here.

A shipped id is answered from here with no file-system access: the shipped rule files
are package data and do not change while the process runs. A user's rule file (and
each user file it extends) is checked with one ``stat`` per call: a changed
modification time or size loads it again. A file modified in the last
`_RACY_SECONDS` is also compared byte for byte, since two writes within one tick of the
file system's clock can leave the same time and size (git's "racy clean" problem).
"""

_RACY_SECONDS = 2.0


@dataclass(frozen=True)
class _Stamp:
    """What a remembered user file looked like when it was read."""

    path: str
    mtime_ns: int
    size: int
    data: bytes


def _stamp(path: str, data: bytes) -> _Stamp:
    try:
        stat = os.stat(path)
    except OSError:
        return _Stamp(path, -1, -1, data)
    return _Stamp(path, stat.st_mtime_ns, stat.st_size, data)


def _unchanged(stamps: tuple[_Stamp, ...]) -> bool:
    """Whether every remembered user file still is what it was (one ``stat`` each)."""
    for stamp in stamps:
        try:
            stat = os.stat(stamp.path)
        except OSError:
            return False
        if stat.st_mtime_ns != stamp.mtime_ns or stat.st_size != stamp.size:
            return False
        if time.time_ns() - stat.st_mtime_ns < _RACY_SECONDS * 1e9:
            try:
                with open(stamp.path, "rb") as handle:
                    if handle.read() != stamp.data:
                        return False
            except OSError:
                return False
    return True


@functools.cache
def _shipped_ids() -> frozenset[str]:
    return frozenset(_loader.shipped_typologies())


def load_typologies(
    names: Sequence[str | Path], params: Mapping[str, Any], *, which: str
) -> list[Typology]:
    """Load typologies, each given only the parameters it declares.

    So one ``--param`` tunes every typology that has it (a shipped one and a funder's
    extension of it at once); one that none of them has is still refused, as a typo.
    ``which`` names the typologies in that error. The same typology named twice is
    loaded once; two different files with one id are refused, as their results could
    not be told apart.
    """
    values = checked_values(params)
    plain = [load_typology(n) for n in names]
    declared = [set(t.spec.parameters) for t in plain]
    unused = sorted(set(values) - set().union(*declared))
    if unused:
        raise UsageError(
            f"no {which} has a parameter {unused[0]!r}",
            code="bad-parameter",
            expected="a parameter of at least one typology (see poletype explain ID)",
        )
    chosen: list[Typology] = []
    seen: dict[str, str] = {}
    for name, typology, own in zip(names, plain, declared, strict=True):
        if typology.id in seen:
            if seen[typology.id] == typology.file:
                continue
            raise UsageError(
                f"two typologies have the id {typology.id!r}",
                code="duplicate-typology",
                file=typology.file,
                expected="one id per typology screened",
                found=f"{seen[typology.id]} and {typology.file}",
            )
        seen[typology.id] = typology.file
        subset = {k: v for k, v in values.items() if k in own}
        chosen.append(load_typology(name, subset) if subset else typology)
    return chosen


def check_typology(typology: str | Path) -> list[RuleFileError]:
    """Every error found in a rule file (empty when it is sound), for ``validate``."""
    return _loader.check(typology)


def typologies() -> list[str]:
    """The ids of the typologies shipped with poletype."""
    return list(_loader.shipped_typologies())


def _field_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = (*error["loc"], "members") if error["type"] == "too_many_members" else error["loc"]
        where = ".".join(str(p) for p in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field")
        else:
            lines.append(f"{where}: {error['msg']}")
    return lines


_CODES: dict[str, ErrorCode] = {
    "control_character": "control-character",
    "too_many_members": "too-many-members",
}
"""Validation errors that break a rule of input hygiene or a `Limits` bound, by code."""


def to_initiative(
    data: Initiative | Mapping[str, Any],
    *,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Initiative:
    """An `Initiative` from a model or a dict, with field-level errors when invalid.

    Text is NFC-normalised and refused with a control character (``control-character``),
    a member list over ``limits.members`` is refused before its entries are validated
    (``too-many-members``); other problems are ``invalid-initiative``, all listed.
    """
    if isinstance(data, Initiative):
        return data
    try:
        return Initiative.model_validate(dict(data), context={"limits": limits})
    except ValidationError as exc:
        errors = _field_errors(exc)
        codes = [_CODES[e["type"]] for e in exc.errors() if e["type"] in _CODES]
        raise InitiativeError(
            f"invalid initiative: {'; '.join(errors)}",
            code=codes[0] if codes else "invalid-initiative",
            file=source,
            errors=errors,
        ) from None


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


def read_initiative(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Initiative:
    """Read one initiative from a YAML or JSON file in the interchange format.

    Every failure is an `InitiativeError` naming the file, with a code of its own for
    each of ``limits`` (see ``docs/limits.md``).
    """
    file = str(path)
    data = read_document(path, limits=limits)
    if not isinstance(data, dict):
        raise InitiativeError(
            "an initiative is a mapping of fields",
            code="invalid-initiative",
            file=file,
            expected="a YAML or JSON mapping with at least 'name'",
            found=type(data).__name__,
        )
    return to_initiative(data, source=file, limits=limits)


def classify(
    initiative: Initiative | Mapping[str, Any],
    typology: str | Path | Typology = DEFAULT_TYPOLOGY,
    params: Mapping[str, Any] | None = None,
    *,
    backend: Backend = "compiled",
) -> Verdict:
    """Classify an initiative under a typology and return the justified verdict.

    Unknown facts stay unknown: the outcome is decided only when no completion of
    them could change it, and ``Verdict.missing`` lists those that could.
    ``backend="interpreter"`` evaluates with rule-engine's own interpreter: the
    reference the compiled backend is tested against, and much slower.

    The compiled backend decides the outcome, scores and provenance at once and renders
    the criteria's justifications and ``missing`` when first read (or serialised), so
    a sweep that reads only outcomes does not pay for sentences; what it shows is the
    same either way. Initiatives are frozen models: changing their lists in place after
    classifying them is not supported.
    """
    return evaluate(
        _compiled(typology, params), to_initiative(initiative), backend=_backend(backend)
    )


def classify_many(
    initiatives: Iterable[Initiative | Mapping[str, Any]],
    typology: str | Path | Typology = DEFAULT_TYPOLOGY,
    params: Mapping[str, Any] | None = None,
    *,
    backend: Backend = "compiled",
) -> Iterator[Verdict]:
    """Classify initiatives one by one as they are read, yielding a verdict for each.

    The typology is loaded and compiled once; nothing is held in memory but the current
    initiative, so a funder's register or a researcher's synthetic sweep of any size
    streams through. An invalid initiative raises `InitiativeError` when its turn comes,
    after the verdicts of those before it have been yielded.
    """
    compiled = _compiled(typology, params)
    chosen = _backend(backend)
    for initiative in initiatives:
        yield evaluate(compiled, to_initiative(initiative), backend=chosen)


def _backend(backend: str) -> Backend:
    if backend not in ("compiled", "interpreter"):
        raise UsageError(
            f"unknown backend {backend!r}",
            code="bad-backend",
            expected="'compiled' (the default) or 'interpreter'",
            found=repr(backend),
        )
    return "compiled" if backend == "compiled" else "interpreter"


def _compiled(typology: str | Path | Typology, params: Mapping[str, Any] | None) -> Typology:
    if isinstance(typology, Typology):
        if params:
            from poletype._examples import with_parameters  # noqa: PLC0415

            return with_parameters(typology, params, error=UsageError)
        return typology
    return load_typology(typology, params)


def trajectory(
    initiative: Initiative | Mapping[str, Any],
    typology: str | Path | Typology = GRADED_TYPOLOGY,
    params: Mapping[str, Any] | None = None,
) -> Trajectory:
    """Classify an initiative at its first state and at each snapshot date.

    The series a researcher plots: poles move between ideal types, and ``changes`` names
    the dates at which the outcome (the dominant type) changed.
    """
    compiled = _compiled(typology, params)
    model = to_initiative(initiative)
    points = [
        TrajectoryPoint(date=date, verdict=evaluate(compiled, state))
        for date, state in states(model)
    ]
    return Trajectory(
        initiative=model.name, typology=compiled.id, points=points, changes=changes(points)
    )
