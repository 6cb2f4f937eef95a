"""The front door's batch and backend options: `classify_many`, ``backend=``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import example_files
from poletype import (
    Initiative,
    Limits,
    PoletypeError,
    classify,
    classify_many,
    load_typology,
    read_initiative,
)
from poletype._api import read_document, to_initiative
from poletype._limits import DEFAULT_LIMITS
from poletype.errors import InitiativeError


def _examples() -> list[Initiative]:
    return [read_initiative(p) for p in example_files()]


@pytest.mark.parametrize("typology_id", ["labo-ess-ptce", "matray-poisat", "geces-2021"])
def test_both_backends_give_byte_identical_verdicts(typology_id: str) -> None:
    """The compiled backend is the default; the interpreter is its reference."""
    typology = load_typology(typology_id)
    for initiative in _examples():
        compiled = classify(initiative, typology).model_dump_json()
        reference = classify(initiative, typology, backend="interpreter").model_dump_json()
        assert compiled == reference


def test_classify_many_streams_one_verdict_per_initiative_in_order() -> None:
    """A generator in, a generator out: nothing is read before it is needed."""
    initiatives = _examples()
    consumed: list[str] = []

    def source() -> Iterator[Initiative]:
        for initiative in initiatives:
            consumed.append(initiative.name)
            yield initiative

    verdicts = classify_many(source(), "labo-ess-ptce")
    first = next(verdicts)
    assert first.initiative == initiatives[0].name
    assert len(consumed) == 1
    rest = list(verdicts)
    assert [v.initiative for v in [first, *rest]] == [i.name for i in initiatives]
    expected = [classify(i).model_dump_json() for i in initiatives]
    assert [v.model_dump_json() for v in [first, *rest]] == expected


def test_classify_many_accepts_dicts_and_reports_a_bad_one_in_turn() -> None:
    """Verdicts before a bad initiative are delivered; then its error, with field names."""
    verdicts = classify_many([{"name": "A"}, {"name": "B", "jobs": -1}], "labo-ess-ptce")
    assert next(verdicts).initiative == "A"
    with pytest.raises(InitiativeError, match="jobs"):
        next(verdicts)


def test_an_unknown_backend_is_refused() -> None:
    """A typo in the backend name is an error that names the choices."""
    with pytest.raises(PoletypeError) as caught:
        classify({"name": "A"}, backend="fast")  # type: ignore[arg-type]
    assert caught.value.code == "bad-backend"
    assert "interpreter" in str(caught.value)


def test_cli_jobs_gives_the_same_output_as_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--jobs 2`` keeps the input order and the bytes of the output."""
    from poletype.cli import main

    files = [str(p) for p in example_files()] + [str(tmp_path / "absent.yaml")]
    assert main(["classify", "-f", "json", *files]) == 1
    one = capsys.readouterr().out
    assert main(["classify", "-f", "json", "-j", "2", *files]) == 1
    two = capsys.readouterr().out
    assert one == two
    document = json.loads(two)
    assert len(document) == len(files)
    assert document[-1]["error"]["code"] == "unreadable-input"
    assert main(["classify", "-f", "json", "--backend", "interpreter", *files[:3]]) == 0
    reference = json.loads(capsys.readouterr().out)
    assert reference == document[:3]


@pytest.mark.parametrize("name", ["dossier.json", "DOSSIER.JSON", "dossier.yaml"])
def test_read_initiative_skips_a_byte_order_mark_whatever_the_suffix_case(
    tmp_path: Path, name: str
) -> None:
    """A file saved by a Windows editor classifies, as it screens in a folder."""
    path = tmp_path / name
    path.write_text('\ufeff{"name": "Pôle", "jobs": 12}', encoding="utf-8")
    initiative = read_initiative(path)
    assert (initiative.name, initiative.jobs) == ("Pôle", 12)


def test_read_initiative_reports_bad_json_with_its_line(tmp_path: Path) -> None:
    """An upper-case .JSON is read as JSON: its error names JSON and the line."""
    path = tmp_path / "DOSSIER.JSON"
    path.write_text('{\n"name": "Pôle",\n}', encoding="utf-8")
    with pytest.raises(InitiativeError) as info:
        read_initiative(path)
    assert info.value.code == "unreadable-input"
    assert "invalid JSON" in info.value.message
    assert info.value.line == 3


# Hostile or broken input never costs more than its own result (issue 12).


def _refused_file(path: Path, text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> PoletypeError:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    start = time.perf_counter()
    with pytest.raises(InitiativeError) as info:
        read_initiative(path, limits=limits)
    assert time.perf_counter() - start < 5
    assert str(info.value).startswith(str(path))
    return info.value


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        (
            "laughs.yaml",
            "a: &a [x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}]\n" for p, c in zip("abcdefghi", "bcdefghij", strict=False)
            )
            + "*j : 1\n",
            "alias-key",
        ),
        ("deep.yaml", "[" * 600 + "]" * 600, "too-deep"),
        ("deep.json", "[" * 5_000 + "]" * 5_000, "too-deep"),
        ("long.json", '{"name": "P", "jobs": ' + "1" * 4_300 + "}", "integer-too-long"),
        ("long.yaml", "name: P\njobs: " + "1" * 4_300 + "\n", "integer-too-long"),
        ("twice.json", '{"name":"Good","name":"Evil"}', "duplicate-key"),
        ("set.yaml", "name: P\nactivities: {sectors: !!set {b, a, c}}\n", "yaml-tag"),
        ("nul.json", '{"name": "P\\u0000le"}', "control-character"),
        ("esc.yaml", 'name: "P\\x1ble"\n', "control-character"),
        ("nan.json", '{"name": "P", "jobs": NaN}', "not-finite"),
    ],
)
def test_each_hostile_document_ends_in_its_own_error(
    tmp_path: Path, name: str, text: str, code: str
) -> None:
    """Each document that hung, recursed, raised a bare ValueError or was misread."""
    assert _refused_file(tmp_path / name, text).code == code


def test_limits_are_the_callers_to_set(tmp_path: Path) -> None:
    """Size and members are bounded by `Limits`, which a caller may lower or raise."""
    path = tmp_path / "p.json"
    path.write_text('{"name": "P", "members": [{}, {}, {}]}', encoding="utf-8")
    assert read_initiative(path).members is not None
    error = _refused_file(path, path.read_text(), Limits(members=2))
    assert error.code == "too-many-members"
    assert "members: 3 members; at most 2" in error.message
    error = _refused_file(path, path.read_text(), Limits(document_bytes=20))
    assert error.code == "document-too-large"
    small = Limits(document_bytes=40)
    path.write_text('\ufeff{"name": "P", "members": [{}, {}, {}]}', encoding="utf-8")
    assert read_initiative(path, limits=small).name == "P"  # the byte-order mark is not counted


def test_a_boolean_is_not_a_number(tmp_path: Path) -> None:
    """``"jobs": true`` read as one job; an int still reads as a share."""
    assert "jobs" in _refused_file(tmp_path / "b.json", '{"name": "P", "jobs": true}').message
    share = to_initiative({"name": "P", "activities": {"social_utility_share": 1}})
    assert share.activities is not None
    assert share.activities.social_utility_share == 1.0


def test_text_is_read_in_normal_form_c(tmp_path: Path) -> None:
    """``cafe`` plus a combining accent and ``café`` are one id."""
    path = tmp_path / "c.json"
    path.write_text('{"name": "P", "id": "cafe\\u0301"}', encoding="utf-8")
    assert read_initiative(path).id == "caf\u00e9"


_HOSTILE = [
    "&a ",
    "*a ",
    "&b [*a, *a, *a]\n",
    "? *b\n: 1\n",
    "<<: *a\n",
    "!!set ",
    "!!python/name:os ",
    "!x ",
    "!!int ",
    "!!binary ",
    "[",
    "]",
    "{",
    "}",
    ",",
    ": ",
    "- ",
    "\n",
    "  ",
    "name: P\n",
    "jobs: ",
    "true",
    "9" * 50,
    "1e999",
    ".nan",
    '"\\0"',
    "'",
    '"',
    "\t",
    "\x00",
    "\ufeff",
    "members: [{}, {}]\n",
    "2020-01-01",
    "~",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "#",
]
_JSON_HOSTILE = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"name"',
    '"P"',
    '"jobs"',
    "true",
    "NaN",
    "-Infinity",
    "9" * 50,
    "1e999",
    '"\\u0000"',
    '"\\ud800"',
    "null",
    " ",
    "\n",
    '"a"',
    '"a"',
]
_YAML_LINES = st.lists(
    st.tuples(
        st.sampled_from(["name", "jobs", "id", "a", "*a", "&a k", "<<", "? [a]", "- "]),
        st.sampled_from(
            [
                "",
                "!!int ",
                "!!float ",
                "!!bool ",
                "!!timestamp ",
                "!!null ",
                "!!set ",
                "!!str ",
                "!!map ",
                "!!seq ",
                "!x ",
                "&a ",
                "&b ",
            ]
        ),
        st.sampled_from(
            [
                "P",
                "abc",
                "12",
                "0x1F",
                "1:30",
                "true",
                "[*a, *a]",
                "{x: 1}",
                "9" * 50,
                "2020-13-45",
                "2020-01-01",
                "*a",
                "*b",
                "[[[[[1]]]]]",
                '"\\0"',
                ".inf",
                "~",
                "{<<: *a}",
                "[1, 2]",
            ]
        ),
    ).map(lambda parts: f"{parts[0]}: {parts[1]}{parts[2]}\n"),
    max_size=8,
).map("".join)
_LIMITS = Limits(depth=4, aliases=5, alias_nodes=200, integer_digits=5, members=3)


@given(
    st.one_of(
        _YAML_LINES,
        st.lists(st.sampled_from(_HOSTILE), max_size=40).map("".join),
        st.lists(st.sampled_from(_JSON_HOSTILE), max_size=40).map("".join),
        st.text(max_size=60),
        st.binary(max_size=60),
    ),
    st.sampled_from(["i.yaml", "i.json"]),
)
@settings(max_examples=120, deadline=2_000)
def test_any_input_is_an_initiative_or_a_declared_error(
    tmp_path_factory: pytest.TempPathFactory, document: str | bytes, name: str
) -> None:
    """A bounded fuzz: generated hostile texts and bytes end in a value or a PoletypeError."""
    path = tmp_path_factory.getbasetemp() / name
    path.write_bytes(
        document if isinstance(document, bytes) else document.encode("utf-8", "surrogatepass")
    )
    start = time.perf_counter()
    try:
        read_document(path, limits=_LIMITS)
        read_initiative(path, limits=_LIMITS)
    except PoletypeError:
        pass
    assert time.perf_counter() - start < 1


# ---------------------------------------------------------------- remembered typologies


def test_a_shipped_typology_is_remembered_without_touching_the_file_system(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from poletype import _loader

    first = load_typology("labo-ess-ptce")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file system was read")

    monkeypatch.setattr(_loader, "rules_package", refuse)
    monkeypatch.setattr("os.stat", refuse)
    assert load_typology("labo-ess-ptce") is first
    assert classify({"name": "x"}, "labo-ess-ptce").outcome == "indeterminate"


def test_a_users_rule_file_is_loaded_again_when_it_changes(tmp_path: Path) -> None:
    from poletype import _loader

    text = (_loader.rules_package() / "labo-ess-ptce.yaml").read_text(encoding="utf-8")
    rule = tmp_path / "mine.yaml"
    share = {"name": "p", "activities": {"social_utility_share": 0.7}, "voluntary": True}
    rule.write_text(text, encoding="utf-8")
    before = classify(share, rule)
    assert load_typology(rule) is load_typology(str(rule))
    # Same size, same second: only the bytes differ (the racy case).
    rule.write_text(text.replace("default: 0.5", "default: 0.9"), encoding="utf-8")
    after = classify(share, rule)
    assert before.criterion("M5").status == "met"
    assert after.criterion("M5").status == "not_met"
    assert before.rules_hash != after.rules_hash


def test_a_remembered_file_that_disappears_is_an_error(tmp_path: Path) -> None:
    from poletype import _loader
    from poletype.errors import UsageError

    rule = tmp_path / "gone.yaml"
    rule.write_bytes((_loader.rules_package() / "labo-ess-ptce.yaml").read_bytes())
    load_typology(rule)
    rule.unlink()
    with pytest.raises(UsageError):
        load_typology(rule)
