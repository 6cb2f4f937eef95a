"""Error codes and their documentation agree; messages read on one line."""

from __future__ import annotations

import ast
import re

import pytest

from conftest import ROOT
from poletype import (
    CallerError,
    InitiativeError,
    PoletypeError,
    RuleFileError,
    SetupError,
    UsageError,
    classify,
    load_typology,
)
from poletype.errors import CODE_BRANCH, ERROR_CODES, EXIT_SETUP, EXIT_USAGE


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


def _documented_branches() -> dict[str, str]:
    """Each code's 'Branch:' line in docs/errors.md, by code."""
    text = (ROOT / "docs" / "errors.md").read_text()
    return dict(re.findall(r"^## (\S+)\nBranch: (.+)$", text, re.M))


def test_every_code_has_a_branch_and_the_docs_name_it() -> None:
    """CODE_BRANCH covers every code, and docs/errors.md names the same classes."""
    assert set(CODE_BRANCH) == set(ERROR_CODES)
    documented = _documented_branches()
    assert set(documented) == set(ERROR_CODES)
    for code, classes in CODE_BRANCH.items():
        named = re.findall(r"`(\w+Error)`", documented[code])
        assert named == [c.__name__ for c in classes], code


def _raise_sites() -> list[tuple[str, int, str, str]]:
    """Every direct construction ``SomeError(..., code="literal")`` in the package."""
    sites = []
    for path in sorted((ROOT / "src" / "poletype").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    sites.append((path.name, node.lineno, node.func.id, keyword.value.value))
    return sites


def test_every_raise_site_uses_its_codes_branch() -> None:
    """A code is raised by the class docs/errors.md gives it, never by bare PoletypeError."""
    branches = {name: cls for cls in CODE_BRANCH.values() for name in [c.__name__ for c in cls]}
    sites = [s for s in _raise_sites() if s[2] in {*branches, "PoletypeError"}]
    assert len(sites) > 20  # the walk finds the package's raise sites
    wrong = [site for site in sites if site[2] not in {c.__name__ for c in CODE_BRANCH[site[3]]}]
    assert wrong == []


def test_caller_errors_form_a_third_branch_with_their_exit_codes() -> None:
    """Usage errors exit with 2, setup errors with 1, and neither is a rule-file error."""
    assert issubclass(UsageError, CallerError)
    assert issubclass(SetupError, CallerError)
    assert issubclass(CallerError, PoletypeError)
    assert not issubclass(CallerError, RuleFileError | InitiativeError)
    assert UsageError("x", code="bad-backend").exit_code == EXIT_USAGE == 2
    assert SetupError("x", code="unwritable-output").exit_code == EXIT_SETUP == 1
    assert RuleFileError("x", code="schema").exit_code == 1


def test_typology_not_found_is_the_callers() -> None:
    """A typology id that does not exist is a usage error naming the shipped ones."""
    with pytest.raises(UsageError, match=r"labo-ess-ptce.*\[typology-not-found\]"):
        load_typology("no-such-typology")


def test_bad_backend_is_a_usage_error() -> None:
    """An unknown backend is the caller's mistake."""
    with pytest.raises(UsageError, match=r"\[bad-backend\]"):
        classify({"name": "x"}, backend="fast")  # type: ignore[arg-type]
