"""A typology's parameter values: declared defaults with overrides, each type-checked.

Shared by the loader (the caller's ``--param``), the inline examples (an example's own
``params``) and the hypotheses file (its declared parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poletype._read.params import checked_values
from poletype.errors import PoletypeError, UsageError
from poletype.rulefile import RuleFile, coerce_parameter


def resolve_parameters(
    spec: RuleFile,
    overrides: Mapping[str, Any],
    file: str,
    *,
    owner: str | None = None,
    error: type[PoletypeError] = UsageError,
) -> dict[str, Any]:
    """Defaults with the overrides, each checked against its default's type.

    ``error`` is the class of a bad override's error: `UsageError` for the caller's
    values, `RuleFileError` for a rule file's own (an example's ``params``).
    """
    return resolve_declared(
        {n: p.default for n, p in spec.parameters.items()},
        overrides,
        file,
        owner=owner or f"typology {spec.typology!r}",
        error=error,
    )


def resolve_declared(
    defaults: dict[str, Any],
    overrides: Mapping[str, Any],
    file: str,
    *,
    owner: str,
    error: type[PoletypeError] = UsageError,
) -> dict[str, Any]:
    """Declared defaults with overrides, each checked against its default's type."""
    values = dict(defaults)
    for name, value in checked_values(overrides, error=error, file=file).items():
        if name not in values:
            raise error(
                f"{owner} has no parameter {name!r}",
                code="bad-parameter",
                file=file,
                expected=f"one of {sorted(values)}",
            )
        values[name] = coerce_parameter(name, value, values[name], file, error=error)
    return values
