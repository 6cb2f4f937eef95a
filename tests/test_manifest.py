"""Citable runs: manifests record what went in and out; a rerun checks the same comes out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poletype import classify_frame, from_frame, load_typology, manifest, stability, sweep
from poletype._analysis.manifest import case_hash, compare_manifests, verdict_results
from poletype.cli import main
from strategies import case_table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "pole-exemple-complet.yaml")


def test_the_whole_workflow_ends_in_a_manifest() -> None:
    """Table → cases → verdicts → sweep → stability → manifest, one call each."""
    table = case_table()
    cases = from_frame(table, id="case")
    verdicts = classify_frame(table, "labo-ess-ptce", id="case")
    grid = {"min_organisations": [5, 10]}
    kept = stability(sweep(cases, "labo-ess-ptce", grid))
    document = manifest(typologies=[load_typology("labo-ess-ptce")], cases=cases, parameters=grid)
    assert len(verdicts) == len(kept) == len(document["cases"]) == 60
    assert document["typologies"][0]["rules_hash"] == verdicts["rules_hash"].iloc[0]
    assert "pandas" in document["environment"]["dependencies"]


def test_a_case_hash_changes_with_any_fact_and_only_then() -> None:
    """Same facts, same hash; one fact more, another hash."""
    cases = from_frame(case_table(2), id="case").initiatives
    again = from_frame(case_table(2), id="case").initiatives
    assert [case_hash(c) for c in cases] == [case_hash(c) for c in again]
    changed = cases[0].model_copy(update={"jobs": (cases[0].jobs or 0) + 1})
    assert case_hash(changed) != case_hash(cases[0])


def test_classify_manifest_records_hashes_and_reruns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--manifest names the rule file's hash, the file's and the case's; rerun agrees."""
    out = tmp_path / "m.json"
    assert (
        main(["classify", EXAMPLE, "--param", "min_organisations=10", "--manifest", str(out)]) == 0
    )
    document = json.loads(out.read_text())
    assert document["command"][0] == "classify"
    assert document["parameters"] == {"min_organisations": 10}
    assert document["files"][0]["sha256"].startswith("sha256:")
    assert len(document["cases"]) == 1
    assert document["results"][0]["outcome"]
    capsys.readouterr()
    assert main(["rerun", str(out)]) == 0
    assert "same hashes" in capsys.readouterr().out


def test_rerun_fails_clearly_when_an_input_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case file edited after the run: exit 1, naming what differs."""
    case = tmp_path / "case.yaml"
    case.write_text("name: Pôle\njobs: 3\n", encoding="utf-8")
    out = tmp_path / "m.json"
    assert main(["classify", str(case), "--manifest", str(out)]) == 0
    case.write_text("name: Pôle\njobs: 30\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["rerun", str(out)]) == 1
    err = capsys.readouterr().err
    assert "differs: files[0]" in err
    assert "[rerun-mismatch]" in err


@pytest.mark.parametrize("command", ["screen", "sweep", "hypotheses"])
def test_every_citable_command_writes_a_manifest_that_reruns(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """screen, sweep and hypotheses record their run too, and rerun to the same hashes."""
    table = tmp_path / "cases.csv"
    table.write_text("id,name,jobs,approach\na,A,3,bottom_up\nb,B,12,top_down\n", encoding="utf-8")
    out = tmp_path / "m.json"
    argv = {
        "screen": ["screen", str(table), "--out", str(tmp_path / "res")],
        "sweep": ["sweep", str(table), "--grid", "min_jobs=5,10", "--out", str(tmp_path / "s.csv")],
        "hypotheses": ["hypotheses", str(table)],
    }[command]
    assert main([*argv, "--manifest", str(out)]) == 0
    document = json.loads(out.read_text())
    assert [c["id"] for c in document["cases"]] == ["a", "b"]
    if command == "hypotheses":
        assert document["hypotheses"][0]["rules_hash"].startswith("sha256:")
    else:
        assert document["typologies"][0]["id"] == "labo-ess-ptce"
    capsys.readouterr()
    assert main(["rerun", str(out)]) == 0


def test_a_file_that_is_not_a_manifest_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rerun of a stray JSON file: one line, bad-manifest, exit 1."""
    stray = tmp_path / "x.json"
    stray.write_text('{"name": "Pôle"}', encoding="utf-8")
    assert main(["rerun", str(stray)]) == 2  # a usage error: not a manifest
    assert "[bad-manifest]" in capsys.readouterr().err


def test_environment_differences_are_notes_not_failures() -> None:
    """Another pandas with the same hashes is noted; another result fails."""
    document = manifest(results=verdict_results([]))
    other = json.loads(json.dumps(document))
    other["environment"]["dependencies"]["pandas"] = "0.0"
    failures, notes = compare_manifests(document, other)
    assert failures == []
    assert any("pandas" in n for n in notes)
    other["results"] = [{"outcome": "ptce"}]
    assert compare_manifests(document, other)[0]


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``poletype --version`` prints the version, not the usage."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("poletype ")
