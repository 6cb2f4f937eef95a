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
