"""Error codes and their documentation agree; messages read on one line."""

from __future__ import annotations

import re

from conftest import ROOT
from poletype import InitiativeError, PoletypeError, RuleFileError
from poletype.errors import ERROR_CODES


def test_every_code_has_a_heading_and_every_heading_a_code() -> None:
    """docs/errors.md documents exactly the codes poletype can raise."""
    headings = re.findall(r"^## (\S+)$", (ROOT / "docs" / "errors.md").read_text(), re.M)
    assert sorted(headings) == sorted(ERROR_CODES)


def test_message_order_is_file_line_criterion_text_expected_found_suggestion_code() -> None:
    """The one-line message follows the documented order."""
    error = RuleFileError(
        "unknown field 'x'",
        code="unknown-field",
        file="r.yaml",
        line=3,
        criterion="M1",
        expected="a field",
        found="x",
        suggestion="y",
    )
    assert str(error) == (
        "r.yaml:3: criterion M1: unknown field 'x'; expected a field, found x; "
        "did you mean 'y'? [unknown-field]"
    )
    assert "\n" not in str(error)


def test_hierarchy_splits_by_fault() -> None:
    """Rule-file and input errors are both PoletypeErrors; input errors are ValueErrors."""
    assert issubclass(RuleFileError, PoletypeError)
    assert issubclass(InitiativeError, PoletypeError)
    assert issubclass(InitiativeError, ValueError)
    assert not issubclass(RuleFileError, ValueError)
