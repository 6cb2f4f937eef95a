"""Hostile rule expressions cost one clear error, within seconds, never a hang or a crash."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poletype import PoletypeError, RuleFileError, check_typology, load_typology
from poletype._engine.guards import unsafe_shape

ORIGINAL = "condition: activities.social_utility_share > params.threshold"
FLAG = "local_integration.local_networks"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is a subset of it."""
    return json.dumps(text, ensure_ascii=False)


def rule_file(tmp_path: Path, minimal: Path, condition: str, pattern: str = "^x") -> Path:
    """The minimal rule file with one criterion's condition replaced, and a text parameter."""
    text = minimal.read_text(encoding="utf-8")
    assert ORIGINAL in text
    text = text.replace(ORIGINAL, "condition: " + _quoted(condition))
    text = text.replace(
        "parameters:\n",
        "parameters:\n  pattern:\n    default: "
        + _quoted(pattern)
        + "\n    doc: {fr: Motif, en: Pattern}\n",
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("condition", "pattern", "code"),
    [
        pytest.param(
            " and ".join(['name == "a"'] * 1000), "^x", "expression-too-deep", id="and-1000"
        ),
        pytest.param("not " * 900 + FLAG, "^x", "expression-too-deep", id="not-900"),
        pytest.param("not " * 5000 + FLAG, "^x", "expression-too-long", id="not-5000"),
        pytest.param("not " * 150 + FLAG, "^x", "expression-too-deep", id="not-150-parsed"),
        pytest.param(FLAG + " or " + "x" * 20_000, "^x", "expression-too-long", id="long"),
        pytest.param('name =~ "(a+)+$"', "^x", "unsafe-regex", id="nested-quantifier"),
        pytest.param('name !~~ "(\\\\w+\\\\s?)*$"', "^x", "unsafe-regex", id="words"),
        pytest.param('name =~~ "(a|ab)*c"', "^x", "unsafe-regex", id="overlapping-choice"),
        pytest.param("name =~ params.pattern", "(x*)*y", "unsafe-regex", id="parameter"),
        pytest.param("name =~ id", "^x", "unsafe-regex", id="not-a-constant"),
        pytest.param("name =~ params.pattern", "(", "expression-syntax", id="invalid-parameter"),
        pytest.param('name =~ "([[a]+)+"', "^x", "unsafe-regex", id="future-warning"),
    ],
)
def test_a_hostile_expression_is_one_clear_error(
    tmp_path: Path, minimal_rules: Path, condition: str, pattern: str, code: str
) -> None:
    """Loading and validating both refuse it with its code, on one line, quickly."""
    path = rule_file(tmp_path, minimal_rules, condition, pattern)
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as info:
        load_typology(path)
    assert info.value.code == code
    assert info.value.criterion == "SHARE"
    assert "\n" not in str(info.value)
    assert [e.code for e in check_typology(path)] == [code]
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    "condition",
    [
        'name =~ "^[A-Z][a-z]+ [0-9]{2,4}$"',
        "name =~ params.pattern",
        " or ".join([FLAG] * 50),
        "not " * 40 + FLAG,
    ],
)
def test_an_honest_expression_still_loads(
    tmp_path: Path, minimal_rules: Path, condition: str
) -> None:
    """The limits leave room: safe patterns, fifty alternatives, forty negations."""
    assert load_typology(rule_file(tmp_path, minimal_rules, condition)).id == "minimal"


@pytest.mark.parametrize(
    ("pattern", "unsafe"),
    [
        ("(a+)+$", True),
        ("(?:a*)*", True),
        ("(.*a){20}", True),
        ("(a|a)*", True),
        ("(a|)+", True),
        ("(\\d|\\d\\d)+", True),
        ("a+b+", False),
        ("(ab)+", False),
        ("(a|b)*", False),
        ("^(ess|coop)_", False),
        ("(?>a+)+", False),
        ("x{2,}(y+)?", False),
    ],
)
def test_unsafe_shapes(pattern: str, *, unsafe: bool) -> None:
    """Repetition in repetition and repeated overlapping choices; nothing else."""
    assert (unsafe_shape(sre_parse.parse(pattern).data) is not None) is unsafe


def _expression() -> st.SearchStrategy[str]:
    atoms = st.sampled_from(
        [FLAG, "true", "name", '"a"', "1", "params.threshold", "params.pattern", "members"]
    )
    regexes = st.text(alphabet="a()|*+?{}[]\\.^$ 12,", max_size=12)

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from([" and ", " or ", " == ", " + ", " < "]), inner).map(
                "".join
            ),
            inner.map(lambda e: f"not {e}"),
            inner.map(lambda e: f"({e})"),
            st.tuples(inner, regexes).map(lambda p: f"{p[0]} =~ {json.dumps(p[1])}"),
            st.tuples(st.sampled_from(["not ", "("]), st.integers(50, 3000), inner).map(
                lambda p: p[0] * p[1] + p[2] + (")" * p[1] if p[0] == "(" else "")
            ),
        )

    return st.recursive(atoms, grow, max_leaves=12)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    condition=_expression(),
    pattern=st.one_of(st.text(max_size=12), st.sampled_from(["(a+)+", "(a|ab)*", "["])),
    junk=st.one_of(
        st.none(),
        st.sampled_from(["!!python/object:os.system x", "&a [*a, *a]", ".nan", "2024-01-01"]),
        st.integers(),
        st.lists(st.text(max_size=3), max_size=3),
    ),
)
def test_hostile_rule_files_end_in_a_typology_or_a_declared_error(
    tmp_path: Path, minimal_rules: Path, condition: str, pattern: str, junk: object
) -> None:
    """Generated expressions, patterns and odd YAML values load or fail as declared."""
    path = rule_file(tmp_path, minimal_rules, condition, pattern)
    if junk is not None:
        text = path.read_text(encoding="utf-8")
        text = text.replace("    default: 0.5", f"    default: {junk}")
        path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with contextlib.suppress(PoletypeError):
        load_typology(path)
    errors = check_typology(path)
    assert all(isinstance(e, PoletypeError) for e in errors)
    assert time.perf_counter() - start < 10
