"""The front door: a short, sorted public surface."""

from __future__ import annotations

import doctest
import types

import poletype


def test_all_is_sorted_and_complete() -> None:
    """__all__ lists exactly the public names, sorted."""
    public = {
        name
        for name, value in vars(poletype).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert poletype.__all__ == sorted(poletype.__all__)
    assert set(poletype.__all__) == public


def test_the_documented_calls_exist() -> None:
    """What the README shows is importable from the package."""
    from poletype import Initiative, Verdict, classify, load_typology  # noqa: F401


def test_module_doctest() -> None:
    """The example in the package docstring holds."""
    assert doctest.testmod(poletype).failed == 0
