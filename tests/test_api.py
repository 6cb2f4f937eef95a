"""The front door's batch and backend options: `classify_many`, ``backend=``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import example_files
from poletype import (
    Initiative,
    PoletypeError,
    classify,
    classify_many,
    load_typology,
    read_initiative,
)
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
