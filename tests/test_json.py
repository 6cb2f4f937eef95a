"""The strict JSON reader: every way a document fails is a declared `InitiativeError`."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poletype import read_applicants
from poletype._read.json import load_json, nests_deeper
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype.errors import InitiativeError


def _refused(text: str, limits: Limits = DEFAULT_LIMITS) -> InitiativeError:
    start = time.perf_counter()
    with pytest.raises(InitiativeError) as info:
        load_json(text, file="f.json", limits=limits)
    assert time.perf_counter() - start < 5
    return info.value


def test_a_sound_document_reads_as_json_loads_reads_it() -> None:
    """The strict reader changes nothing for a document within its rules."""
    text = '{"name": "Pôle", "jobs": 12, "share": 0.5, "tags": ["]]", "{"], "x": null}'
    assert load_json(text) == json.loads(text)


@pytest.mark.parametrize("depth", [65, 1_000, 5_000, 100_000])
def test_deep_nesting_is_refused_before_the_decoder_recurses(depth: int) -> None:
    """5,000 levels raised RecursionError from json.loads."""
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth, "[" * depth):
        assert _refused(text).code == "too-deep"


def test_nesting_at_the_limit_is_read() -> None:
    """The limit is inclusive, and brackets inside strings do not nest."""
    limits = replace(DEFAULT_LIMITS, depth=3)
    assert load_json('[[{"a": "[[[["}]]', limits=limits) == [[{"a": "[[[["}]]
    assert _refused("[[[[]]]]", limits).code == "too-deep"


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_VALUES = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@given(_VALUES, st.integers(min_value=1, max_value=8))
@settings(max_examples=100)
def test_the_bracket_scan_measures_the_decoders_nesting(value: Any, limit: int) -> None:
    """The scan without recursion agrees with the depth of what json.loads builds."""
    assert nests_deeper(json.dumps(value), limit) == (_depth(value) > limit)


def test_a_repeated_key_is_refused_as_in_yaml() -> None:
    """``{"name":"Good","name":"Evil"}`` read as Evil; now refused, nested ones too."""
    error = _refused('{"name":"Good","name":"Evil"}')
    assert (error.code, error.message) == ("duplicate-key", "duplicate key 'name'")
    assert _refused('{"a": [{"b": 1, "b": 1}]}').code == "duplicate-key"


def test_a_long_integer_is_refused_before_conversion() -> None:
    """4,300 digits raised a bare ValueError from int()."""
    for text in ("1" * 4_301, '{"jobs": -' + "9" * 41 + "}"):
        assert _refused(text).code == "integer-too-long"
    assert load_json("-" + "9" * 40) == -int("9" * 40)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999", "-1e400"])
def test_numbers_that_are_not_finite_are_refused(text: str) -> None:
    """No fact is infinite: a share of NaN would compare false to everything."""
    assert _refused(text).code == "not-finite"


def test_a_syntax_error_names_the_line() -> None:
    """As before the strict reader: invalid JSON, with its line."""
    error = _refused('{\n"name": "P",\n}')
    assert (error.code, error.line) == ("unreadable-input", 3)
    assert error.message.startswith("invalid JSON: ")


def test_a_document_too_large_is_refused() -> None:
    """Counted in UTF-8 bytes, before decoding."""
    limits = replace(DEFAULT_LIMITS, document_bytes=8)
    assert load_json('"abcdef"', limits=limits) == "abcdef"
    assert _refused('"abcdefg"', limits).code == "document-too-large"
    assert _refused('"éééé"', limits).code == "document-too-large"


def test_a_hostile_json_line_costs_its_own_row(tmp_path: Path) -> None:
    """JSON Lines go through the strict reader: the other rows keep their results."""
    path = tmp_path / "calls.jsonl"
    lines = ['{"name": "A"}', "[" * 5_000, '{"name": "B", "name": "C"}', '{"name": "D"}']
    path.write_text("\n".join(lines), encoding="utf-8")
    rows = list(read_applicants(path))
    assert [row.error is None for row in rows] == [True, False, False, True]
    messages = [row.error.message for row in rows if row.error is not None]
    assert "nested more than" in messages[0]
    assert "duplicate key 'name'" in messages[1]


@given(st.text(alphabet='[]{}",:0123456789.eE-+ \\tnaNIfiyu\x00é', max_size=200))
@settings(max_examples=150, deadline=1_000)
def test_any_text_is_a_value_or_a_declared_error(text: str) -> None:
    """A bounded fuzz: nothing but a value or an `InitiativeError` comes out."""
    with contextlib.suppress(InitiativeError):
        load_json(text, file="f.json", limits=replace(DEFAULT_LIMITS, depth=5, integer_digits=5))
