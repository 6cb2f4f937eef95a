"""docs/research-fit.md: its Python blocks run, in order, from the repository root."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT


def test_research_fit_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ```python block is executed in one namespace; an assertion failing fails here."""
    pytest.importorskip("matplotlib")
    text = (ROOT / "docs" / "research-fit.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "research-fit.md", "exec"), namespace)
