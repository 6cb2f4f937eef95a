"""The safe YAML reader keeps lines and refuses duplicate keys."""

from __future__ import annotations

import pytest

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
