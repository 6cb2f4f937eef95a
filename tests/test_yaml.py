"""The safe YAML reader keeps lines and refuses duplicate keys."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poletype._yaml import LineDict, LineList, line_of, load_yaml
from poletype.errors import RuleFileError

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
    "text",
    ["x:\n  <<: 1\n", "x:\n  <<: [{a: 1}, 2]\n", "x: &x\n  <<: *x\n"],
)
def test_a_merge_of_anything_but_mappings_is_a_yaml_error(text: str) -> None:
    """A scalar, a list holding a scalar, or a mapping merging itself: no mapping to merge."""
    with pytest.raises(RuleFileError) as info:
        load_yaml(text, file="f.yaml")
    assert info.value.code == "yaml-syntax"
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
    """Only safe constructors: a Python object tag is a YAML error."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: !!python/object/apply:os.system ['true']\n", file="f.yaml")
    assert info.value.code == "yaml-syntax"


def test_syntax_error_has_a_line() -> None:
    """A parse error carries the line where the parser stopped."""
    with pytest.raises(RuleFileError) as info:
        load_yaml("a: [1, 2\nb: 3\n", file="f.yaml")
    assert info.value.code == "yaml-syntax"
    assert info.value.line is not None
