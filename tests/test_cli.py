"""The command line: every subcommand, its output, and exit codes scripts can trust."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from poletype.cli import main
from poletype.errors import EXIT_USAGE

PTCE_EXAMPLE = EXAMPLES / "pole-exemple-complet.yaml"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_text_in_french_names_every_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    """The default report is French and lists each criterion with its status and source."""
    code, out, _ = run("classify", str(PTCE_EXAMPLE), capsys=capsys)
    assert code == 0
    assert "Verdict : PTCE" in out
    for criterion in [*(f"M{i}" for i in range(1, 9)), *(f"T{i}" for i in range(1, 7))]:
        assert f" {criterion}  " in out
    assert "Source : [labo-ess-2012] 6 - " in out


def test_classify_json_has_the_verdict_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints one verdict with the documented fields."""
    code, out, _ = run("classify", str(PTCE_EXAMPLE), "--format", "json", capsys=capsys)
    assert code == 0
    verdict = json.loads(out)
    assert {
        "typology",
        "version",
        "rules_hash",
        "parameters",
        "outcome",
        "criteria",
        "missing",
    } <= set(verdict)
    assert verdict["outcome"] == "ptce"
    first = verdict["criteria"][0]
    assert {"id", "group", "status", "justification", "source", "values"} <= set(first)
    assert set(first["justification"]) == {"fr", "en"}


def test_several_files_give_a_list_and_errors_keep_their_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One entry per file, in order; a bad file is an error entry and exit code 1."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nstage: mature\n", encoding="utf-8")
    code, out, err = run(
        "classify", str(PTCE_EXAMPLE), str(bad), str(PTCE_EXAMPLE), "-f", "json", capsys=capsys
    )
    assert code == 1
    items = json.loads(out)
    assert len(items) == 3
    assert items[1]["error"]["code"] == "invalid-initiative"
    assert items[2]["outcome"] == "ptce"
    assert "stage" in err
    assert "Traceback" not in err


def test_param_changes_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--param NAME=VALUE overrides a parameter and shows in the verdict."""
    code, out, _ = run(
        "classify",
        str(PTCE_EXAMPLE),
        "-f",
        "json",
        "--param",
        "min_organisations=100",
        capsys=capsys,
    )
    assert code == 0
    verdict = json.loads(out)
    assert verdict["parameters"]["min_organisations"] == 100
    assert verdict["outcome"] == "not_ptce"


def test_an_exclusion_says_whether_it_applies(capsys: pytest.CaptureFixture[str]) -> None:
    """No "✗ non satisfait" for an exclusion that does not apply; one that applies counts."""
    code, out, _ = run("classify", str(PTCE_EXAMPLE), capsys=capsys)
    assert code == 0
    assert "  – X1  " in out
    assert "— ne s'applique pas\n" in out
    assert "✗ X" not in out
    assert "— non satisfait" not in out
    chamber = EXAMPLES / "chambre-de-commerce.yaml"
    code, out, _ = run("classify", str(chamber), "--lang", "en", capsys=capsys)
    assert "  ✗ X3  Essentially a development agency or a chamber of commerce — applies\n" in out
    assert code == 0
    assert "  – X1  " in out
    assert "— does not apply\n" in out


def test_english_report(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang en gives the English sentences."""
    code, out, _ = run("classify", str(PTCE_EXAMPLE), "--lang", "en", capsys=capsys)
    assert code == 0
    assert "Verdict: PTCE" in out


def test_bad_rule_file_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt field in a rule file: file, line, criterion, one line, exit 1."""
    bad = Path(__file__).parent / "bad_rules" / "misspelt-field.yaml"
    code, out, err = run("classify", str(PTCE_EXAMPLE), "--typology", str(bad), capsys=capsys)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert f"{bad}:21: criterion SHARE: unknown field" in err


def test_missing_file_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable input is a bad input."""
    code, _, err = run("classify", "no/such/file.yaml", capsys=capsys)
    assert code == 1
    assert "unreadable-input" in err


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad arguments are a usage error."""
    with pytest.raises(SystemExit) as info:
        main(["classify"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["classify", "x.yaml", "--param", "novalue"])
    assert info.value.code == 2


def test_typologies_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    """explain shows every criterion with its label, source and parameters."""
    code, out, _ = run("typologies", capsys=capsys)
    assert code == 0
    assert "\nlabo-ess-ptce\t1.1.0\t" in "\n" + out
    assert "\nmatray-poisat\t" in out
    code, out, _ = run("explain", "labo-ess-ptce", capsys=capsys)
    assert code == 0
    for criterion in ["M1", "M8", "T6", "X5"]:
        assert f"  {criterion}  " in out
    assert "min_organisations = 5" in out
    assert "min_jobs" in out
    assert "interprétation" in out


def test_validate_initiatives_and_rule_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate checks both kinds of file and says which failed."""
    bad = Path(__file__).parent / "bad_rules" / "unknown-parameter.yaml"
    code, out, err = run("validate", str(PTCE_EXAMPLE), str(bad), capsys=capsys)
    assert code == 1
    assert "OK" in out
    assert "unknown-parameter" in err
    code, _, _ = run("validate", str(PTCE_EXAMPLE), capsys=capsys)
    assert code == 0


@pytest.mark.parametrize("which", ["initiative", "verdict", "rulefile"])
def test_schema(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    """schema prints a JSON Schema."""
    code, out, _ = run("schema", which, capsys=capsys)
    assert code == 0
    schema = json.loads(out)
    assert "properties" in schema


def test_schema_lists_enum_values(capsys: pytest.CaptureFixture[str]) -> None:
    """The input schema carries the allowed values."""
    run("schema", capsys=capsys)
    _code, out, _ = run("schema", capsys=capsys)
    assert "local_authority" in out


def test_test_command_runs_inline_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """poletype test passes on a sound file and fails (exit 1) on a wrong expectation."""
    minimal = Path(__file__).parent / "rules" / "minimal.yaml"
    code, out, _ = run("test", str(minimal), capsys=capsys)
    assert code == 0
    assert "4 passed, 0 failed" in out
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        minimal.read_text(encoding="utf-8").replace("expect: not_met", "expect: met"),
        encoding="utf-8",
    )
    code, out, _ = run("test", str(wrong), capsys=capsys)
    assert code == 1
    assert "FAIL SHARE: Une part de 0,5 ne le dépasse pas (expected met, got not_met)" in out


def test_python_dash_m_entry_point() -> None:
    """python -m poletype works like the poletype command."""
    result = subprocess.run(
        [sys.executable, "-m", "poletype", "typologies"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "labo-ess-ptce" in result.stdout


def test_typology_all_runs_every_shipped_typology(capsys: pytest.CaptureFixture[str]) -> None:
    """`--typology all`: one combined report; the JSON is a list with one verdict each."""
    from poletype import typologies

    example = str(EXAMPLES / "pole-exemple-complet.yaml")
    assert main(["classify", example, "--typology", "all", "-f", "json"]) == 0
    verdicts = json.loads(capsys.readouterr().out)
    assert [v["typology"] for v in verdicts] == typologies()
    assert main(["classify", example, "-t", "all", "-p", "min_organisations=3"]) == 0
    out = capsys.readouterr().out
    assert out.count("Pôle Exemple Complet (fictif) — ") == len(typologies())
    assert main(["classify", example, "-t", "all", "-p", "no_such=1"]) == EXIT_USAGE
    assert "bad-parameter" in capsys.readouterr().err


def test_classify_graded_text_shows_memberships(capsys: pytest.CaptureFixture[str]) -> None:
    """The French report of a graded typology shows memberships, leaning and indicators."""
    example = str(EXAMPLES / "pole-trajectoire.yaml")
    assert main(["classify", example, "--typology", "matray-poisat"]) == 0
    out = capsys.readouterr().out
    assert "Verdict : Pôle social" in out
    assert "Appartenance à chaque type idéal" in out
    assert "Tendance : Pôle social" in out


SCREENING = EXAMPLES / "screening" / "candidatures.csv"


def test_screen_writes_the_three_outputs_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """screen: the report, the CSV and the JSON Lines in --out, their paths on stdout,
    one summary line on stderr, exit 0 when every row was screened."""
    out = tmp_path / "resultats"
    code, stdout, stderr = run("screen", str(SCREENING), "--out", str(out), capsys=capsys)
    assert code == 0
    assert stdout.splitlines() == [
        str(out / "rapport.html"),
        str(out / "verdicts.csv"),
        str(out / "verdicts.jsonl"),
        str(out / "verdicts.xlsx"),
    ]
    assert stderr == (
        "poletype: 6 lignes examinées ; Caractérisation des PTCE selon le Labo de l'ESS — "
        "PTCE : 1, Pas un PTCE : 3, Indéterminé : 2 ; lignes en erreur : 0\n"
    )
    assert "\r" not in stderr  # no progress bar when standard error is not a terminal
    assert len((out / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()) == 6
    _, _, english = run("screen", str(SCREENING), "-o", str(out), "--lang", "en", capsys=capsys)
    assert english == (
        "poletype: 6 rows screened; labo-ess-ptce: ptce 1, not_ptce 3, indeterminate 2; errors 0\n"
    )


def test_screen_with_a_bad_row_goes_on_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row in error (a repeated id): named on stderr, kept in every output, exit 1.

    A bad cell elsewhere (``mature``) is a note on stderr, and its row is screened.
    """
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;stage\nA;Pôle A;emerging\nA;Pôle B;emerging\nC;Pôle C;mature\n",
        encoding="utf-8",
    )
    code, _, stderr = run("screen", str(source), "-o", str(tmp_path / "out"), capsys=capsys)
    assert code == 1
    assert (
        f"poletype: {source} : ligne 3 : Identifiant (A3) : identifiant « A » déjà utilisé à la "
        "ligne 2\n"
    ) in stderr
    assert f"poletype: {source} : ligne 4 : Stade (C4) : attendu : en projet (project)" in stderr
    assert stderr.splitlines()[-1].endswith("lignes en erreur : 1")
    assert "Traceback" not in stderr
    lines = (tmp_path / "out" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["row"] for line in lines] == [2, 3, 4]
    assert "error" in json.loads(lines[1])
    csv_text = (tmp_path / "out" / "verdicts.csv").read_text(encoding="utf-8-sig")
    assert len(csv_text.splitlines()) == 4


def test_screen_typologies_rules_params_and_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several --typology, a funder's --rules file, a --param for whoever declares it, en."""
    call = EXAMPLES / "calls" / "appel-ptce-region-2026.yaml"
    code, stdout, stderr = run(
        "screen",
        str(SCREENING),
        "-t",
        "labo-ess-ptce",
        "-t",
        "matray-poisat",
        "--rules",
        str(call),
        "-p",
        "hybrid_margin=0.2",
        "--csv-columns",
        "codes",
        "--lang",
        "en",
        "-o",
        str(tmp_path),
        capsys=capsys,
    )
    assert code == 0
    assert stdout.splitlines()[0] == str(tmp_path / "report.html")
    assert "labo-ess-ptce: " in stderr
    assert "matray-poisat: " in stderr
    assert "appel-ptce-region-2026: " in stderr
    first = json.loads((tmp_path / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert [v["typology"] for v in first["verdicts"]] == [
        "labo-ess-ptce",
        "matray-poisat",
        "appel-ptce-region-2026",
    ]
    assert first["verdicts"][1]["parameters"]["hybrid_margin"] == 0.2
    header = (tmp_path / "verdicts.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("row,source,id,name,labo-ess-ptce.outcome,")
    assert "appel-ptce-region-2026.R1" in header


def test_screen_input_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable input: one line, exit 1, nothing written.
    A bad parameter or a missing --out: usage error, exit 2."""
    out = tmp_path / "out"
    code, stdout, stderr = run("screen", str(tmp_path / "none.csv"), "-o", str(out), capsys=capsys)
    assert code == 1
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert "unreadable-input" in stderr
    assert "fichier ou dossier introuvable" in stderr
    assert str(tmp_path / "none.csv") in stderr
    assert not out.exists()
    code, _, stderr = run("screen", str(SCREENING), "-o", str(out), "-p", "nope=1", capsys=capsys)
    assert code == EXIT_USAGE
    assert "bad-parameter" in stderr
    with pytest.raises(SystemExit) as info:
        main(["screen", str(SCREENING)])
    assert info.value.code == 2


def test_screen_speaks_french_to_a_french_run_and_english_to_an_english_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--lang fr (the default): rows, errors, notes and failures that stop the run in
    French words, with no OS message or Python value; --lang en keeps its stable form.
    The exit codes are the same in both."""
    source = tmp_path / "appel.csv"
    source.write_text("id;name;stage\nA;;emerging\nB;Pôle B;emerging\n", encoding="utf-8")
    (tmp_path / "appel-membres.csv").write_text(
        "applicant_id;kind\nB;sme\nP99;sme\n", encoding="utf-8"
    )
    out = str(tmp_path / "out")
    code, _, french = run("screen", str(source), "-o", out, capsys=capsys)
    assert code == 1
    assert f"{source} : ligne 2 : Nom (B2) : obligatoire, mais vide" in french
    assert "aucune candidature n'a l'identifiant « P99 »" in french
    assert "row " not in french
    assert "required" not in french
    assert "no applicant" not in french
    code, _, english = run("screen", str(source), "-o", out, "--lang", "en", capsys=capsys)
    assert code == 1
    assert f"{source}: row 2, column name: required, but absent" in english
    assert "no applicant has the id 'P99'" in english
    for args in (["--columns", "absent.yaml"], ["--previous", str(tmp_path / "none")]):
        code, _, said = run("screen", str(source), "-o", out, *args, capsys=capsys)
        assert code == 1
        assert "introuvable" in said
        assert "Errno" not in said
        assert "No such file" not in said
    code, _, said = run("screen", str(source), "-o", out, "--header-row", "3", capsys=capsys)
    assert code == 1
    assert "--header-row N" in said
    assert "names no column" not in said


def test_template_then_screen_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """template writes the files it lists; a row filled in it screens without error."""
    target = tmp_path / "modele.csv"
    code, stdout, _ = run("template", "--format", "csv", "--out", str(target), capsys=capsys)
    assert code == 0
    written = [Path(line) for line in stdout.splitlines()]
    assert written[0] == target
    assert all(p.exists() for p in written)
    header = target.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    cells = {"[id]": "T1", "[name]": "Pôle rempli", "[voluntary]": "oui", "[jobs]": "12"}
    row = [next((v for k, v in cells.items() if h.endswith(k)), "") for h in header]
    with target.open("a", encoding="utf-8") as handle:
        handle.write(";".join(row) + "\n")
    code, _, stderr = run("screen", str(target), "-o", str(tmp_path / "out"), capsys=capsys)
    assert code == 0, stderr
    assert stderr.startswith("poletype: 1 ligne examinée ;")
    code, stdout, _ = run("template", "-o", str(tmp_path / "modele.xlsx"), capsys=capsys)
    assert code == 0
    assert stdout.splitlines() == [str(tmp_path / "modele.xlsx")]


def test_screen_draws_a_progress_bar_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, a bar redrawn in place (at most ten times a second), ending full."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, stderr = run(
        "screen", str(SCREENING), "-t", "matray-poisat", "-o", str(tmp_path), capsys=capsys
    )
    assert code == 0
    assert stderr.startswith("\r[#####" + "." * 25 + "] 1/6")  # drawn after the first row
    assert 2 <= stderr.count("\r[") <= 7
    assert "\r[" + "#" * 30 + "] 6/6\n" in stderr


def test_screen_quiet_says_only_the_errors_even_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--quiet: no bar, no note, no notice, no summary; the row in error still said."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;stage\nA;Pôle A;emerging\nA;Pôle B;emerging\nC;Pôle C;mature\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, stdout, stderr = run("screen", str(source), "-o", str(out), "--quiet", capsys=capsys)
    assert code == 1
    assert stderr == (
        f"poletype: {source} : ligne 3 : Identifiant (A3) : identifiant « A » déjà utilisé à la "
        "ligne 2\n"
    )
    assert "\r" not in stderr
    assert stdout.splitlines()[0] == str(out / "rapport.html")  # the files are still named
    _, _, loud = run("screen", str(source), "-o", str(out), capsys=capsys)
    assert "\r[" in loud
    assert "Stade (C4)" in loud  # the note --quiet left out
    assert loud.splitlines()[-1].endswith("lignes en erreur : 1")
    _, _, english = run("screen", str(source), "-o", str(out), "-q", "--lang", "en", capsys=capsys)
    assert (
        english
        == f"poletype: {source}: row 3, column id: duplicate id 'A', already used at row 2\n"
    )


def test_classify_jsonl_writes_the_json_items_one_per_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--format jsonl: the items of --format json, compact, one a line, errors in place."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    files = [str(EXAMPLES / "artis.yaml"), str(bad), str(PTCE_EXAMPLE)]
    code, lines, stderr = run("classify", "-t", "all", *files, "-f", "jsonl", capsys=capsys)
    assert code == 1
    _, whole, _ = run("classify", "-t", "all", *files, "-f", "json", capsys=capsys)
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(whole)
    assert all(line.startswith("{") and "\n " not in line for line in lines.splitlines())
    assert stderr.count("poletype: ") == 1
    assert "\r" not in stderr  # no bar off a terminal


def test_classify_jsonl_streams_a_case_table_with_a_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case table's rows, one verdict a line, a bad row's entry in its place."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    table = str(Path(__file__).parent / "data" / "screen" / "applicants.jsonl")
    code, lines, stderr = run("classify", table, "-f", "jsonl", capsys=capsys)
    _, whole, _ = run("classify", table, "-f", "json", capsys=capsys)
    assert code == 1
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(whole)
    assert stderr.startswith("\r[#####" + "." * 25 + "] 1/6")  # 6 lines, 5 rows (one blank)
    assert stderr.endswith("\r[" + "#" * 30 + "] 5/5\n")
    assert stderr.count("poletype: ") == 3  # each bad row, the bar cleared first
    assert "\r" + " " * 36 + "\rpoletype: " in stderr
    _, _, quiet = run("classify", table, "-f", "jsonl", "--quiet", capsys=capsys)
    assert "\r" not in quiet
    assert quiet.count("poletype: ") == 3  # the three bad rows, said all the same


def test_classify_jsonl_in_two_processes_gives_the_same_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))[:6]]
    _, one, _ = run("classify", *files, "-f", "jsonl", capsys=capsys)
    _, two, _ = run("classify", *files, "-f", "jsonl", "--jobs", "2", capsys=capsys)
    assert one == two
    assert len(one.splitlines()) == 6


# One bad file costs its own result: the others keep theirs, in order, without traceback --

GOOD = [EXAMPLES / "artis.yaml", EXAMPLES / "fe2i.yaml"]


@pytest.fixture
def deep_json(tmp_path: Path) -> Path:
    """A document nested past Python's recursion limit (json raised RecursionError)."""
    path = tmp_path / "deep.json"
    path.write_text('{"name": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_classify_keeps_every_good_file_when_one_is_hostile(
    deep_json: Path, jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(GOOD[0]), str(deep_json), str(GOOD[1])]
    start = time.perf_counter()
    code, out, err = run("classify", "-j", jobs, *files, capsys=capsys)
    assert time.perf_counter() - start < 20
    assert code == 1
    assert out.count("Verdict : ") == 2
    assert out.index("ARTIS") < out.index("Fe2i")
    assert err.count("\n") == 1
    assert str(deep_json) in err
    assert "Traceback" not in err
    code, out, err = run("classify", "-j", jobs, "-f", "json", *files, capsys=capsys)
    items = json.loads(out)
    assert code == 1
    assert [item.get("initiative") for item in items] == ["ARTIS", None, "Fe2i"]
    assert items[1]["file"] == str(deep_json)
    assert set(items[1]["error"]) == {"code", "message"}


def test_classify_turns_any_reader_exception_into_that_files_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever a reader raises (here a ValueError), the file gets a one-line coded error."""
    from poletype._cli import inputs

    real = inputs.read_initiative

    def read(file: str) -> Any:
        if file.endswith("fe2i.yaml"):
            raise ValueError("a library's own complaint")
        return real(file)

    monkeypatch.setattr(inputs, "read_initiative", read)
    code, out, err = run("classify", "-f", "json", str(GOOD[1]), str(GOOD[0]), capsys=capsys)
    items = json.loads(out)
    assert code == 1
    assert items[0]["error"]["code"] == "unreadable-input"
    assert "ValueError: a library's own complaint" in items[0]["error"]["message"]
    assert items[1]["initiative"] == "ARTIS"
    assert err.startswith("poletype: ")
    assert err.count("\n") == 1


def test_screen_writes_every_output_when_one_document_is_hostile(
    tmp_path: Path, deep_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of three, the middle one unreadable: three rows in each output, exit 1."""
    folder = tmp_path / "call"
    folder.mkdir()
    for index, source in enumerate([GOOD[0], deep_json, GOOD[1]]):
        (folder / f"{index}-{source.name}").write_bytes(source.read_bytes())
    start = time.perf_counter()
    code, out, err = run("screen", str(folder), "--out", str(tmp_path / "out"), capsys=capsys)
    assert time.perf_counter() - start < 20
    assert code == 1
    assert len(out.splitlines()) == 4  # the report, the CSV, JSON Lines, the workbook
    csv_lines = (tmp_path / "out" / "verdicts.csv").read_text(encoding="utf-8-sig").splitlines()
    jsonl = (tmp_path / "out" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 4
    assert len(jsonl) == 3
    assert "error" in json.loads(jsonl[1])
    assert "verdicts" in json.loads(jsonl[0])
    assert "verdicts" in json.loads(jsonl[2])
    assert "1-deep.json" in err
    assert "Traceback" not in err


def test_explain_markdown_escapes_html_from_a_rule_file(
    tmp_path: Path, minimal_rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = minimal_rules.read_text(encoding="utf-8")
    text = text.replace(
        "label: {fr: Part, en: Share}", 'label: {fr: Part, en: "<img src=x onerror=alert(1)>"}'
    )
    text = text.replace('section: "1"', 'section: "<script>alert(2)</script>"')
    text = text.replace("pass: {fr: Admis, en: Passes}", 'pass: {fr: Admis, en: "<b>yes</b>"}')
    rules = tmp_path / "evil.yaml"
    rules.write_text(text, encoding="utf-8")
    code, out, _ = run("explain", str(rules), "--format", "markdown", "--lang", "en", capsys=capsys)
    assert code == 0
    assert "<img" not in out
    assert "<script" not in out
    assert "<b>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in out
    assert "&lt;b&gt;yes&lt;/b&gt;" in out
