"""Parameter values: read strictly, checked first, and stated as computed with."""

from __future__ import annotations

import contextlib
import datetime as dt
import doctest
import io
import math
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from poletype import (
    PoletypeError,
    UsageError,
    classify,
    load_typology,
    screening_typologies,
)
from poletype._read import params as _params
from poletype._read.params import read_value
from poletype._rules.examples import with_parameters
from poletype.cli import main
from poletype.errors import EXIT_USAGE

EXAMPLE = str(ROOT / "examples" / "artis.yaml")


def test_doctests() -> None:
    """The examples in the module hold."""
    assert doctest.testmod(_params).failed == 0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5),
        ("-2", -2),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ("2024-01-01", "2024-01-01"),
        (".nan", ".nan"),
        ("'5'", "5"),
        ('"a, b"', "a, b"),
        ("[]", []),
        ("[FR, BE, 'Côte d''Ivoire']", ["FR", "BE", "Côte d'Ivoire"]),
        ("[1, true, x]", [1, True, "x"]),
    ],
)
def test_the_command_line_grammar(text: str, value: object) -> None:
    """Numbers, booleans, texts (a date stays a text) and flat lists; nothing of YAML's."""
    assert read_value("p", text) == value
    assert type(read_value("p", text)) is type(value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[1, 2", "unclosed '['"),
        ("[[1], 2]", "flat list"),
        ("[1,, 2]", "single commas"),
        ("'abc", "unclosed '"),
        ("!!python/object:os.system x", "tags"),
        ("&a [*a, *a]", "aliases"),
        ("*a", "aliases"),
        ("1e999", "finite"),
        ("9" * 41, "40 digits"),
        ("9" * 5000, "40 digits"),
    ],
)
def test_the_command_line_grammar_refuses(text: str, fragment: str) -> None:
    """A bad value names the parameter and what was expected."""
    with pytest.raises(UsageError, match=r"parameter 'p'.*\[bad-parameter\]") as info:
        read_value("p", text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        Decimal(5),
        {5},
        dt.date(2024, 1, 1),
        math.nan,
        math.inf,
        -math.inf,
        True,
        "5",
        [5],
        [[5]],
        10**5000,
        object(),
        None,
    ],
    ids=lambda v: type(v).__name__,
)
def test_a_wrong_value_from_python_is_a_bad_parameter(value: object) -> None:
    """load_typology, classify on a loaded typology, with_parameters and screening alike."""
    typology = load_typology("labo-ess-ptce")
    attempts = [
        lambda: load_typology("labo-ess-ptce", {"min_organisations": value}),
        lambda: classify({"name": "x"}, typology, {"min_organisations": value}),
        lambda: with_parameters(typology, {"min_organisations": value}, error=UsageError),
        lambda: screening_typologies(["labo-ess-ptce"], [], {"min_organisations": value}),
    ]
    for attempt in attempts:
        with pytest.raises(UsageError, match=r"'min_organisations'.*\[bad-parameter\]") as info:
            attempt()
        assert info.value.expected
        assert info.value.found


@pytest.mark.parametrize(
    "value", [".nan", ".inf", "2024-01-01", "true", "!!float nan", "[1, 2", "&a [*a]", "[[1]]"]
)
def test_a_wrong_value_on_the_command_line_exits_2(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line naming the parameter, no traceback, the usage exit code."""
    try:
        code = main(["classify", EXAMPLE, "--param", f"min_organisations={value}"])
    except SystemExit as exc:
        code = exc.code
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "'min_organisations'" in err
    assert "[bad-parameter]" in err
    assert "Traceback" not in err


def test_a_typology_cannot_be_changed_in_place() -> None:
    """Parameters, list values and runtime values refuse every change."""
    typology = load_typology("labo-ess-ptce")
    with pytest.raises(TypeError):
        typology.parameters["min_organisations"] = 99  # type: ignore[index]
    kinds = typology.parameters["ess_kinds"]
    assert isinstance(kinds, list)
    with pytest.raises(TypeError):
        kinds.append("anything")
    with pytest.raises(TypeError):
        typology.params_value["min_organisations"] = Decimal(99)
    with pytest.raises(TypeError):
        typology.params_value.update(min_organisations=Decimal(99))
    again = pickle.loads(pickle.dumps(typology.params_value))
    assert again == typology.params_value
    with pytest.raises(TypeError):
        again["min_organisations"] = 1


def test_a_verdict_states_the_parameters_it_computed_with() -> None:
    """After a failed change, verdicts under the default hash report the default values."""
    before = classify({"name": "x"}, "labo-ess-ptce")
    typology = load_typology("labo-ess-ptce")
    with contextlib.suppress(TypeError):
        typology.parameters["min_organisations"] = 99  # type: ignore[index]
    after = classify({"name": "x"}, "labo-ess-ptce")
    assert after.parameters["min_organisations"] == 5
    assert after.rules_hash == before.rules_hash
    tuned = classify({"name": "x"}, "labo-ess-ptce", {"min_organisations": 3})
    assert tuned.parameters["min_organisations"] == 3
    assert tuned.rules_hash != before.rules_hash


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(["!!python/none", "&a", "*a", "[", "]", "'", '"', ".nan", "1e999", "[1,"]),
)
_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=8,
)
_names = st.sampled_from(
    ["min_organisations", "ess_kinds", "social_utility_majority", "min_jobs", "nope"]
)


@settings(max_examples=60, deadline=None)
@given(name=_names, value=_values)
def test_any_python_value_ends_in_a_verdict_or_a_declared_error(name: str, value: Any) -> None:
    """Whatever the value, load_typology and classify give a verdict or a PoletypeError."""
    with contextlib.suppress(PoletypeError):
        classify({"name": "x"}, load_typology("labo-ess-ptce", {name: value}))


def _cli_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


@settings(max_examples=30, deadline=None)
@given(
    name=_names,
    text=st.one_of(
        st.text(max_size=30),
        _values.map(_cli_text),
        st.lists(st.text(alphabet="ab1[],'\"&*!", max_size=4), max_size=4).map(",".join),
    ),
)
def test_any_command_line_value_ends_in_a_verdict_or_a_declared_error(name: str, text: str) -> None:
    """Exit 0 with a verdict, or a one-line error with exit 1 or 2; never a traceback."""
    if "\x00" in text:
        return  # a process argument cannot hold a NUL
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["classify", EXAMPLE, "-f", "json", "--param", f"{name}={text}"])
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 1, EXIT_USAGE), err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert (code == 0) == bool(out.getvalue())


def test_a_rule_files_example_params_stay_the_authors_errors(tmp_path: Path) -> None:
    """An example's wrong params are a RuleFileError (run_examples reports them)."""
    from poletype import RuleFileError

    typology = load_typology("labo-ess-ptce")
    with pytest.raises(RuleFileError, match=r"\[bad-parameter\]"):
        with_parameters(typology, {"min_organisations": Decimal(1)})
