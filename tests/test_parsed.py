"""Shipped rule files parsed ahead of time: the same documents, faster, never stale."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, RULES
from poletype import load_typology
from poletype._read.yaml import LineDict, LineList, load_yaml
from poletype._rules.parsed import decode, encode, entries, parsed, table_text

SHIPPED = sorted(RULES.glob("*.yaml"))


def test_the_table_matches_the_shipped_rule_files() -> None:
    """Edit a shipped rule file, then run the script: this test says when it is due."""
    script = ROOT / "scripts" / "generate_parsed_rules.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _same(left: object, right: object) -> None:
    """Equal values, and equal line numbers all the way down."""
    assert type(left) is type(right)
    assert left == right
    if isinstance(left, LineDict):
        assert isinstance(right, LineDict)
        assert (left.line, left.key_lines) == (right.line, right.key_lines)
        for key in left:
            _same(left[key], right[key])
    if isinstance(left, LineList):
        assert isinstance(right, LineList)
        assert (left.line, left.item_lines) == (right.line, right.item_lines)
        for a, b in zip(left, right, strict=True):
            _same(a, b)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_file_reads_as_yaml_would(path: object) -> None:
    data = path.read_bytes()  # type: ignore[attr-defined]
    from_yaml = load_yaml(data.decode("utf-8"), file="x")
    from_table = parsed(data)
    _same(from_table, from_yaml)
    assert parsed(data) is not from_table, "each load gets its own objects"


def test_other_bytes_are_read_from_yaml() -> None:
    data = SHIPPED[0].read_bytes() + b"\n# edited\n"
    assert parsed(data) is None


def test_an_edited_copy_loads_its_own_content(tmp_path: object) -> None:
    """The table is keyed by content: an edited copy of a shipped file is not served it."""
    source = (RULES / "labo-ess-ptce.yaml").read_text(encoding="utf-8")
    edited = source.replace("version:", "version: '9.9.9' #", 1)
    path = tmp_path / "labo.yaml"  # type: ignore[operator]
    path.write_text(edited, encoding="utf-8")
    assert load_typology(path).version == "9.9.9"
    assert load_typology("labo-ess-ptce").version != "9.9.9"


def test_encode_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="date"):
        encode(load_yaml("when: 2024-01-01\n", file="x"))
    assert decode(encode(load_yaml("a: [1, b]\n", file="x"))) == {"a": [1, "b"]}


def test_a_line_separator_inside_a_string_does_not_split_an_entry() -> None:
    """JSON escapes newlines but not U+2028 or U+0085; the table splits on newlines only."""
    document = load_yaml('a: "one\\Ltwo\\Nthree"\nb: [x]\n', file="x")
    text = table_text({"f" * 64: document})
    assert "\u2028" in text
    (entry,) = entries(text).values()
    _same(decode(json.loads(entry)), document)
