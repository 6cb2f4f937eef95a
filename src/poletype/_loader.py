"""Find, read, validate and compile rule files; compute the rules hash.

Shipped rule files live in the ``poletype.rules`` package and are read with
``importlib.resources``, so an installed wheel finds them wherever it is installed. A
user's own rule file is loaded from a path the same way. Loading raises the first error;
`check_typology` collects every error it can, for ``poletype validate``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from poletype._compiler import Typology, compile_typology, parameter_values
from poletype._yaml import line_of, load_yaml
from poletype.errors import RuleFileError
from poletype.rulefile import RuleFile

_RULES_PACKAGE = "poletype.rules"


def shipped_typologies() -> dict[str, str]:
    """Typology id → file name of every rule file shipped with poletype."""
    found: dict[str, str] = {}
    for entry in sorted(resources.files(_RULES_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            found[entry.name.rsplit(".", 1)[0]] = entry.name
    return found


def _read(name_or_path: str | Path) -> tuple[str, bytes]:
    """The display name and bytes of a rule file given by typology id or path."""
    text = str(name_or_path)
    shipped = shipped_typologies()
    if text in shipped:
        data = resources.files(_RULES_PACKAGE).joinpath(shipped[text]).read_bytes()
        return f"rules/{shipped[text]}", data
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            return str(path), path.read_bytes()
        except OSError as exc:
            raise RuleFileError(
                f"cannot read rule file: {exc.strerror}", code="typology-not-found", file=str(path)
            ) from None
    raise RuleFileError(
        f"no typology {text!r}",
        code="typology-not-found",
        expected=f"a shipped typology id ({', '.join(shipped)}) or a path to a rule file",
    )


def _decode(file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(
            f"rule file is not UTF-8 (byte {exc.start})", code="yaml-syntax", file=file
        ) from None


def _schema_errors(file: str, raw: Any, exc: ValidationError) -> list[RuleFileError]:
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


def _parse(file: str, data: bytes) -> tuple[RuleFile, Any]:
    raw = load_yaml(_decode(file, data), file=file)
    if not isinstance(raw, dict):
        raise RuleFileError("a rule file is a YAML mapping", code="schema", file=file, line=1)
    try:
        return RuleFile.model_validate(raw), raw
    except ValidationError as exc:
        raise _schema_errors(file, raw, exc)[0] from None


def resolve_parameters(
    spec: RuleFile, overrides: dict[str, Any], file: str, *, owner: str | None = None
) -> dict[str, Any]:
    """Defaults with the user's overrides, each checked against its default's type."""
    return resolve_declared(
        {n: p.default for n, p in spec.parameters.items()},
        overrides,
        file,
        owner=owner or f"typology {spec.typology!r}",
    )


def rules_package() -> Traversable:
    """The installed ``rules`` folder (typologies, and hypotheses in a subfolder)."""
    return resources.files(_RULES_PACKAGE)


def resolve_declared(
    defaults: dict[str, Any], overrides: dict[str, Any], file: str, *, owner: str
) -> dict[str, Any]:
    """Declared defaults with overrides, each checked against its default's type."""
    values = dict(defaults)
    for name, value in overrides.items():
        if name not in values:
            raise RuleFileError(
                f"{owner} has no parameter {name!r}",
                code="bad-parameter",
                file=file,
                expected=f"one of {sorted(values)}",
            )
        values[name] = _coerce_parameter(name, value, values[name], file)
    return values


def _coerce_parameter(name: str, value: Any, default: Any, file: str) -> Any:
    def bad(kind: str) -> RuleFileError:
        return RuleFileError(
            f"parameter {name!r} takes {kind}",
            code="bad-parameter",
            file=file,
            expected=kind,
            found=repr(value),
        )

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a text")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("a list of texts")
    return list(value)


def _freeze(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in params.items()))


def load(name_or_path: str | Path, params: dict[str, Any] | None = None) -> Typology:
    """Load and compile a typology by id or path, with parameter overrides."""
    file, data = _read(name_or_path)
    return _load_cached(file, data, _freeze(params or {}))


@lru_cache(maxsize=64)
def _load_cached(file: str, data: bytes, frozen: tuple[tuple[str, str], ...]) -> Typology:
    overrides = {k: json.loads(v) for k, v in frozen}
    spec, raw = _parse(file, data)
    parameters = resolve_parameters(spec, overrides, file)
    return compile_typology(spec, file=file, raw=raw, parameters=parameters, source=data)


def check(name_or_path: str | Path) -> list[RuleFileError]:
    """Every error in a rule file that can be found, in file order."""
    try:
        file, data = _read(name_or_path)
        raw = load_yaml(_decode(file, data), file=file)
    except RuleFileError as exc:
        return [exc]
    if not isinstance(raw, dict):
        return [RuleFileError("a rule file is a YAML mapping", code="schema", file=file, line=1)]
    try:
        spec = RuleFile.model_validate(raw)
    except ValidationError as exc:
        return _schema_errors(file, raw, exc)
    errors: list[RuleFileError] = []
    parameters = parameter_values(spec)
    # Compile one criterion (or indicator) at a time so that one bad one does not hide the next.
    key = "indicators" if spec.is_graded else "criteria"
    items = getattr(spec, key)
    for index, item in enumerate(items):
        single = spec.model_copy(update={key: [item]})
        single_raw = _with_single(raw, key, index)
        try:
            compile_typology(single, file=file, raw=single_raw, parameters=parameters, source=data)
        except RuleFileError as exc:
            if exc.code not in ("unknown-criterion", "unknown-group") or (
                exc.criterion and not spec.is_graded
            ):
                errors.append(exc)
    try:
        compile_typology(spec, file=file, raw=raw, parameters=parameters, source=data)
    except RuleFileError as exc:
        if all(str(exc) != str(e) for e in errors):
            errors.append(exc)
    if not errors:
        errors.extend(_example_errors(name_or_path))
    return sorted(errors, key=lambda e: (e.line or 0, str(e)))


def _with_single(raw: Any, key: str, index: int) -> Any:
    """The raw document as if ``key`` held only item ``index``, keeping its lines."""
    from poletype._yaml import LineDict, LineList  # noqa: PLC0415

    items = raw[key]
    one = LineList([items[index]])
    one.line = items.line
    one.item_lines = [items.item_lines[index]]
    copy = LineDict(raw)
    copy.line = raw.line
    copy.key_lines = raw.key_lines
    copy[key] = one
    return copy


def _example_errors(name_or_path: str | Path) -> list[RuleFileError]:
    from poletype._examples import run_examples  # noqa: PLC0415

    return [r.error for r in run_examples(load(name_or_path)) if r.error is not None]
