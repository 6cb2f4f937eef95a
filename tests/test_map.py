"""The typology map: a valid image of the expected size, drawn from the verdicts."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import EXAMPLES, TEST_RULES
from poletype import PoletypeError, classify, load_typology
from poletype._render.map import DPI, SIZE_INCHES, draw_map
from poletype.cli import main

RULES = TEST_RULES / "graded-minimal.yaml"
SIDE = int(SIZE_INCHES * DPI)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_cli_map_png_has_the_expected_size(tmp_path: Path) -> None:
    """A PNG map of several examples, one with a trajectory, is SIDE × SIDE pixels."""
    moving = tmp_path / "moving.json"
    moving.write_text(
        json.dumps(
            {
                "name": "Pôle qui bouge",
                "resources": {"market": 0.9},
                "snapshots": [{"date": "2016-01-01", "resources": {"market": 0.1}}],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "map.png"
    files = [str(moving), *(str(p) for p in sorted(EXAMPLES.glob("*.yaml"))[:3])]
    assert main(["map", *files, "-t", str(RULES), "--out", str(out)]) == 0
    assert _png_size(out) == (SIDE, SIDE)


def test_svg_map_is_valid_xml_with_a_square_view_box(tmp_path: Path) -> None:
    """The SVG parses, has the expected view box, and names the initiative."""
    typology = load_typology(RULES)
    verdict = classify({"name": "Pôle Témoin", "resources": {"market": 0.3}}, typology)
    out = draw_map([[verdict]], typology, tmp_path / "map.svg", "en")
    root = ET.parse(out).getroot()
    side = SIZE_INCHES * 72
    assert root.get("viewBox") == f"0 0 {side:g} {side:g}"
    assert "Pôle Témoin" in out.read_text(encoding="utf-8")
    assert "Market logic" in out.read_text(encoding="utf-8")


def test_a_map_needs_a_graded_typology_and_a_known_format(tmp_path: Path) -> None:
    """A crisp typology has no axes; a .jpg is not drawn."""
    typology = load_typology("labo-ess-ptce")
    with pytest.raises(PoletypeError, match="declares no map axes"):
        draw_map([], typology, tmp_path / "map.png")
    with pytest.raises(PoletypeError, match=r"\.png, \.svg or \.pdf"):
        draw_map([], load_typology(RULES), tmp_path / "map.jpg")


def test_without_matplotlib_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classification never needs matplotlib; the map says how to get it."""
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(PoletypeError) as info:
        draw_map([], load_typology(RULES), tmp_path / "map.png")
    assert info.value.code == "missing-dependency"
    assert "poletype[map]" in str(info.value)
