"""The documentation site: every page in the navigation, every public name in the API page."""

from __future__ import annotations

import re

import poletype
from conftest import ROOT


def test_api_page_lists_every_public_name() -> None:
    """docs/api.md renders exactly poletype.__all__, so a new name cannot go undocumented."""
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = re.findall(r"^        - (\w+)$", page, re.M)
    assert listed == list(poletype.__all__)


def test_every_page_is_in_the_navigation() -> None:
    """mkdocs.yml's nav names each docs/ page, so none is built but unreachable."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r":\s*(\S+\.md)$", config, re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert nav == pages
