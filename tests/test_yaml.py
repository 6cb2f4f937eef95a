"""The safe YAML reader keeps lines and refuses duplicate keys."""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poletype import load_typology
from poletype._read.limits import DEFAULT_LIMITS, Limits
from poletype._read.yaml import LineDict, LineList, line_of, load_yaml
from poletype.errors import InitiativeError, RuleFileError

DOC = """\
a: 1
b:
  - x
  - {c: 2,
     d: 3}
"""


def test_lines_are_recorded_for_keys_and_items() -> None:
    """Every key and item knows its 1-based line."""
    data = load_yaml(DOC, file="f.yaml")
    assert isinstance(data, LineDict)
    assert isinstance(data["b"], LineList)
    assert data.key_lines == {"a": 1, "b": 2}
    assert data["b"].item_lines == [3, 4]
    assert line_of(data, ("b", 1, "d")) == 5
    assert line_of(data, ("b", 7)) == 2


def test_duplicate_key_names_both_lines() -> None:
    """A repeated key is an error that says where both stand."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: 1\nb: 2\na: 3\n", file="f.yaml")
    assert info.value.code == "duplicate-key"
    assert info.value.line == 3
    assert "first at line 1" in str(info.value)


MERGED = """\
defaults: &defaults
  expect: met
  weight: 1
first:
  <<: *defaults
  weight: 2
both:
  <<: [*defaults, {colour: red, weight: 3}]
  colour: blue
"""


def test_a_merge_key_may_be_overridden() -> None:
    """YAML's merge: the mapping's own keys override merged ones, and are not duplicates."""
    data = load_yaml(MERGED, file="f.yaml")
    assert data["first"] == {"expect": "met", "weight": 2}
    assert data["first"].key_lines["weight"] == 6
    assert data["first"].key_lines["expect"] == 2
    assert data["both"] == {"expect": "met", "weight": 1, "colour": "blue"}


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate() -> None:
    """The merge does not excuse the mapping's own repeated key."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("d: &d {a: 1}\ne:\n  <<: *d\n  b: 2\n  b: 3\n", file="f.yaml")
    assert info.value.code == "duplicate-key"
    assert info.value.line == 5
    assert "first at line 4" in str(info.value)


def test_a_merged_mapping_built_later_keeps_its_own_override() -> None:
    """A mapping first merged elsewhere, then used itself: its override is still no repeat."""
    data = load_yaml("top:\n  <<: &mid\n    <<: {a: 1}\n    a: 2\n  c: 3\nagain: *mid\n", file="f")
    assert data["top"] == {"a": 2, "c": 3}
    assert data["again"] == {"a": 2}


def test_in_a_list_of_merges_the_earlier_mapping_wins() -> None:
    """YAML's merge of a list: earlier mappings override later ones, whatever the parser's order."""
    text = "a: &a {k: a, x: 1}\nb: &b {k: b, y: 2}\nc: &c {k: c, z: 3}\nm:\n  <<: [*a, *b, *c]\n"
    data = load_yaml(text, file="f.yaml")
    assert data["m"] == {"k": "a", "x": 1, "y": 2, "z": 3}
    assert data["m"].key_lines == {"k": 1, "x": 1, "y": 2, "z": 3}
    reversed_order = load_yaml(text.replace("*a, *b, *c", "*c, *b, *a"), file="f.yaml")
    assert reversed_order["m"]["k"] == "c"


def test_an_override_written_before_the_merge_key_still_wins() -> None:
    """The mapping's own key wins wherever it stands, before or after ``<<``."""
    data = load_yaml("d: &d {a: 1, b: 1}\nx:\n  a: 2\n  <<: *d\n", file="f.yaml")
    assert data["x"] == {"a": 2, "b": 1}
    assert data["x"].key_lines == {"a": 3, "b": 1}


def test_keys_stand_where_they_first_appear_with_the_merge_in_place() -> None:
    """An override keeps the merged key's place; the order shipped rule files were parsed in."""
    data = load_yaml("d: &d {a: 1, b: 1}\nx: {<<: *d, c: 3, a: 2}\ny: {c: 3, <<: *d}\n", file="f")
    assert list(data["x"]) == ["a", "b", "c"]
    assert list(data["y"]) == ["c", "a", "b"]


def test_a_merge_of_a_merge_resolves_the_inner_one_first() -> None:
    """A merged mapping's own merge is resolved by its own rules before it is merged."""
    text = (
        "base: &base {a: 1, b: 1, c: 1}\nmid: &mid\n  <<: *base\n  b: 2\ntop:\n  <<: *mid\n  c: 3\n"
    )
    data = load_yaml(text, file="f.yaml")
    assert data["mid"] == {"a": 1, "b": 2, "c": 1}
    assert data["top"] == {"a": 1, "b": 2, "c": 3}
    assert data["top"].key_lines == {"a": 1, "b": 4, "c": 7}


def test_the_merge_key_written_twice_is_a_duplicate() -> None:
    """Two ``<<`` in one mapping are a repeated key; a list of mappings is the way to merge two."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n", file="f.yaml")
    assert info.value.code == "duplicate-key"
    assert info.value.line == 4
    assert "first at line 3" in str(info.value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x:\n  <<: 1\n", "yaml-syntax"),
        ("x:\n  <<: [{a: 1}, 2]\n", "yaml-syntax"),
        ("x: &x\n  <<: *x\n", "alias-expansion"),
    ],
)
def test_a_merge_of_anything_but_mappings_is_a_yaml_error(text: str, code: str) -> None:
    """A scalar or a list holding a scalar: no mapping to merge; a mapping merging itself
    is an alias inside the node it names, refused before any merge is tried.
    """
    with pytest.raises(RuleFileError) as info:
        load_yaml(text, file="f.yaml")
    assert info.value.code == code
    assert info.value.line is not None


_KEYS = st.sampled_from(["name", "weight", "expect", "source", "params"])
_MAPPINGS = st.dictionaries(_KEYS, st.integers(0, 9), max_size=4)


@settings(max_examples=60, deadline=None)
@given(own=_MAPPINGS, merged=st.lists(_MAPPINGS, min_size=1, max_size=3), first=st.booleans())
def test_merge_is_yamls_law(own: dict[str, int], merged: list[dict[str, int]], first: bool) -> None:
    """Own keys override merged ones, earlier merged mappings override later ones.

    The expected value is built in Python, independently of any PyYAML's pair order.
    """
    anchors = "".join(f"m{i}: &m{i} {json.dumps(m)}\n" for i, m in enumerate(merged))
    merge = "<<: [" + ", ".join(f"*m{i}" for i in range(len(merged))) + "]"
    pairs = [f"{key}: {value}" for key, value in own.items()]
    body = [merge, *pairs] if first else [*pairs, merge]
    data = load_yaml(anchors + "x:\n" + "".join(f"  {p}\n" for p in body), file="f.yaml")
    expected: dict[str, int] = {}
    for mapping in reversed(merged):
        expected.update(mapping)
    expected.update(own)
    assert data["x"] == expected
    lines = {key: len(merged) + 2 + i + first for i, key in enumerate(own)}
    for i, mapping in enumerate(merged):
        for key in mapping:
            lines.setdefault(key, i + 1)
    assert data["x"].key_lines == lines


@pytest.mark.parametrize(
    "text",
    [
        "x:\n  <<: {a: 1, a: 2}\n",
        "d: &d {a: 1, a: 2}\nx:\n  <<: *d\n",
        "x:\n  <<: [{b: 1, b: 2}]\n",
    ],
)
def test_a_key_repeated_inside_a_merged_mapping_is_a_duplicate(text: str) -> None:
    """Merging does not hide a mapping that writes a key twice."""
    with pytest.raises(RuleFileError) as info:
        load_yaml(text, file="f.yaml")
    assert info.value.code == "duplicate-key"


def test_python_tags_are_refused() -> None:
    """Only the core schema: a Python object tag is refused before any constructor runs."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: !!python/object/apply:os.system ['true']\n", file="f.yaml")
    assert info.value.code == "yaml-tag"


def test_syntax_error_has_a_line() -> None:
    """A parse error carries the line where the parser stopped."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: [1, 2\nb: 3\n", file="f.yaml")
    assert info.value.code == "yaml-syntax"
    assert info.value.line is not None


# Hostile documents (issue 12): each ends in its own error, fast, before construction.

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'lol'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg", strict=True)
)
"""Seven levels of nine aliases each: 9**7 (4.8 million) leaves once expanded."""


def _refused(text: str, limits: Limits = DEFAULT_LIMITS) -> RuleFileError:
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as info:
        load_yaml(text, file="f.yaml", limits=limits)
    assert time.perf_counter() - start < 5
    return info.value


def test_an_alias_as_a_key_is_refused_before_it_is_expanded() -> None:
    """The 432-byte file that hung: its key was an alias of a billion laughs."""
    text = LAUGHS + "*g : 1\n"
    assert len(text.encode()) < 500
    error = _refused(text)
    assert error.code == "alias-key"
    assert error.line == 8


def test_an_alias_key_is_refused_even_when_small() -> None:
    """A key is a field name: an alias there is refused whatever it stands for."""
    error = _refused("a: &k name\n*k : 2\n")
    assert (error.code, error.line) == ("alias-key", 2)


def test_aliases_that_expand_past_the_limit_are_refused() -> None:
    """A billion laughs as values: the expanded size is computed, never built."""
    error = _refused(LAUGHS)
    assert error.code == "alias-expansion"
    assert "alias_nodes" in error.message


def test_a_long_string_repeated_by_aliases_is_refused() -> None:
    """A 1 MB file whose list repeats an alias of a long string is bounded at read time."""
    text = "s: &s " + "x" * 100_000 + "\nl:\n" + "- *s\n" * 900
    assert _refused(text).code == "alias-expansion"
    many = "s: &s x\nl:\n" + "- *s\n" * 200_000
    assert _refused(many).code == "too-many-aliases"


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    """``&x [*x]`` expands without end."""
    assert _refused("a: &x [1, *x]\n").code == "alias-expansion"


def test_aliases_within_the_limits_are_read() -> None:
    """Aliases and merges stay usable; the count is a limit the caller may lower."""
    text = "d: &d {x: 1}\ne: {<<: *d, y: 2}\nf: [*d, *d]\n"
    assert load_yaml(text, file="f.yaml")["f"] == [{"x": 1}, {"x": 1}]
    assert _refused(text, replace(DEFAULT_LIMITS, aliases=2)).code == "too-many-aliases"


@pytest.mark.parametrize("depth", [65, 600, 5_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    """600 levels raised RecursionError while constructing; libyaml's own bound is 1,000."""
    for text in ("[" * depth + "]" * depth, "".join(f"{' ' * i}a:\n" for i in range(depth))):
        assert _refused(text).code == "too-deep"


def test_depth_counts_what_aliases_bring_in() -> None:
    """An alias of a deep list nests it again wherever it is used."""
    limits = replace(DEFAULT_LIMITS, depth=4)
    text = "a: &a [[[1]]]\n"
    assert load_yaml(text, file="f.yaml", limits=limits) == {"a": [[[1]]]}
    assert _refused(text + "b: [*a]\n", limits).code == "too-deep"


def test_a_long_integer_is_refused_before_conversion() -> None:
    """Past 4,300 digits Python's int() raises ValueError; past the limit, poletype refuses."""
    for digits in (41, 5_000):
        error = _refused("a: " + "9" * digits + "\n")
        assert (error.code, error.line) == ("integer-too-long", 1)
    assert load_yaml("a: " + "9" * 40, file="f.yaml")["a"] == int("9" * 40)


@pytest.mark.parametrize(
    "value",
    [
        "!!set {x, y}",
        "!!binary aGVsbG8=",
        "!!omap [{a: 1}]",
        "!custom x",
        "!!int abc",
        "!!timestamp soon",
        "!!bool maybe",
        "!!float x",
        "!!str [1]",
        "=",
    ],
)
def test_tags_outside_the_core_schema_are_refused(value: str) -> None:
    """``!!set`` has hash order; ``!!int abc`` would raise a bare ValueError."""
    assert _refused(f"a: {value}\n").code == "yaml-tag"


def test_core_tags_and_plain_dates_are_read() -> None:
    """What the core schema resolves, and snapshot dates, read as before."""
    text = "a: !!str 1\nb: !!int '12'\nc: 2020-06-01\nd: !!map {x: !!seq [~, true, 1.5]}\n"
    data = load_yaml(text, file="f.yaml")
    assert data == {
        "a": "1",
        "b": 12,
        "c": datetime.date(2020, 6, 1),
        "d": {"x": [None, True, 1.5]},
    }


def test_a_document_too_large_is_refused_before_parsing() -> None:
    """The size is checked in UTF-8 bytes."""
    limits = replace(DEFAULT_LIMITS, document_bytes=10)
    assert load_yaml("a: 1234567", file="f.yaml", limits=limits) == {"a": 1234567}
    assert _refused("a: 12345678", limits).code == "document-too-large"
    assert _refused("a: ééééé", limits).code == "document-too-large"


def test_initiatives_get_their_own_error_class() -> None:
    """The same checks raise the error of the caller's branch."""
    with pytest.raises(InitiativeError) as info:
        load_yaml("a: !!set {x}\n", file="i.yaml", error=InitiativeError)
    assert str(info.value) == (
        "i.yaml:1: tag '!!set' is not read; only strings, numbers, booleans, null, lists,"
        " mappings and merges are [yaml-tag]"
    )


@pytest.mark.parametrize(
    ("text", "code"), [("*k : 1\n", "alias-key"), ("id: !!set {a}\n", "yaml-tag")]
)
def test_rule_files_are_read_with_the_same_checks(tmp_path: Path, text: str, code: str) -> None:
    """A rule file is refused with a `RuleFileError` naming the file and the line."""
    path = tmp_path / "hostile.yaml"
    path.write_text("a: &k x\n" + text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_typology(path)
    assert (info.value.code, info.value.file, info.value.line) == (code, str(path), 2)


@pytest.mark.parametrize("value", ["2020-13-45", "2020-01-01 25:00:00", "0b_", "0x_"])
def test_a_value_its_own_type_cannot_read_is_a_yaml_error(value: str) -> None:
    """A plain scalar that resolves as a date or an integer but is not one (found by the fuzz)."""
    error = _refused(f"a: 1\nb: {value}\n")
    assert (error.code, error.line) == ("yaml-syntax", 2)
