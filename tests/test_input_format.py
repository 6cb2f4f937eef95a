"""docs/input-format.md documents every field the model reads, in the model's words."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from pydantic import BaseModel

from conftest import ROOT
from poletype import Initiative


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_input_format", ROOT / "scripts" / "generate_input_format.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        for arg in getattr(info.annotation, "__args__", ()):
            inner = getattr(arg, "__args__", (arg,))[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel) and name != "snapshots":
                paths |= _paths(inner, f"{path}.")
    return paths


def test_the_page_is_current() -> None:
    """Regenerate with ``python scripts/generate_input_format.py`` after changing the model."""
    generator = _generator()
    assert generator.PAGE.read_text(encoding="utf-8") == generator.page()


def test_every_field_is_documented_with_a_meaning() -> None:
    """Each field of the model, nested ones included, has a row with words in it."""
    page = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[4].strip()
        for line in page.splitlines()
        if line.startswith("| `")
    }
    expected = _paths(Initiative)
    assert {"name", "members.kind", "activities.social_utility_share"} <= expected
    assert set(rows) == expected
    assert all(rows.values()), [p for p, m in rows.items() if not m]
