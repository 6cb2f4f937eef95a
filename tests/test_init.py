"""The front door: a short, sorted public surface."""

from __future__ import annotations

import doctest
import subprocess
import sys
import types

import pytest

import poletype

SCREENING = (
    "poletype._outputs",
    "poletype._screen",
    "poletype._tabular",
    "poletype._template",
    "poletype._whatif",
    "openpyxl",
)


def test_all_is_sorted_and_complete() -> None:
    """__all__ lists exactly the public names, sorted, those imported on first use included."""
    public = {
        name
        for name in dir(poletype)
        if not name.startswith("_") and not isinstance(getattr(poletype, name), types.ModuleType)
    }
    # isort's order, as ruff keeps it: constants, then classes, then functions.
    assert poletype.__all__ == sorted(
        poletype.__all__, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    assert set(poletype.__all__) == public


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    """The lazy lookup answers only for its own names."""
    with pytest.raises(AttributeError, match="no attribute 'screening'"):
        _ = poletype.screening


@pytest.mark.parametrize("module", ["poletype", "poletype.cli"])
def test_import_does_not_load_screening(module: str) -> None:
    """Classifying, and every CLI start, does not pay for spreadsheets and the what-if search."""
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert module in loaded
    assert [m for m in SCREENING if m in loaded] == []


def test_the_documented_calls_exist() -> None:
    """What the README shows is importable from the package."""
    from poletype import Initiative, Verdict, classify, load_typology  # noqa: F401


def test_module_doctest() -> None:
    """The example in the package docstring holds."""
    assert doctest.testmod(poletype).failed == 0


def test_import_poletype_loads_no_optional_extra() -> None:
    """numpy, polars, pandas and Dask are optional: decide_frame and classify_dask load them."""
    code = (
        "import sys, poletype; poletype.classify({'name': 'x'}); "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'numpy', 'polars', 'pandas', 'dask', 'distributed'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
