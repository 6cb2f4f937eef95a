"""Typologies by name and initiatives by mapping, to a verdict: what `poletype`'s API calls.

Below the public functions so that the screening and the what-if search, which classify
too, need not import the front door that re-exports them.
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

from poletype._engine.dispatch import evaluate
from poletype._engine.interpreter import Backend
from poletype._engine.typology import Typology
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._read.params import checked_values
from poletype._rules import loader
from poletype._rules.examples import with_parameters
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
    if params is None and type(typology) is str:
        # The common call, a shipped id without parameters: one dictionary lookup. Paths
        # are remembered under their absolute form, never under a bare id.
        found = _REMEMBERED.get((typology, ()))
        if found is not None and (alive := found[0]()) is not None:
            return alive
    frozen = loader.frozen(params)
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
    loaded, chain = loader.load_chain(typology, params)
    if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
        _REMEMBERED.pop(next(iter(_REMEMBERED)))
    _REMEMBERED[key] = (
        weakref.ref(loaded),
        tuple(_stamp(path, data) for path, data in loader.user_files(chain)),
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
    return frozenset(loader.shipped_typologies())


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
    return loader.check(typology)


def typologies() -> list[str]:
    """The ids of the typologies shipped with poletype."""
    return list(loader.shipped_typologies())


def _field_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = error["loc"]
        if error["type"] == "too_many_members":
            loc = (*loc, error.get("ctx", {}).get("field", "members"))
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
        typology_of(typology, params), to_initiative(initiative), backend=backend_of(backend)
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
    compiled = typology_of(typology, params)
    chosen = backend_of(backend)
    for initiative in initiatives:
        yield evaluate(compiled, to_initiative(initiative), backend=chosen)


def backend_of(backend: str) -> Backend:
    if backend not in ("compiled", "interpreter"):
        raise UsageError(
            f"unknown backend {backend!r}",
            code="bad-backend",
            expected="'compiled' (the default) or 'interpreter'",
            found=repr(backend),
        )
    return "compiled" if backend == "compiled" else "interpreter"


def typology_of(typology: str | Path | Typology, params: Mapping[str, Any] | None) -> Typology:
    if isinstance(typology, Typology):
        if params:
            return with_parameters(typology, params, error=UsageError)
        return typology
    return load_typology(typology, params)
