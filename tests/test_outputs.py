"""The screening's files: one entry per input row in each, and the same bytes every run."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import EXAMPLES, TEST_RULES
from poletype import classify
from poletype._read.cells import FORMULA_STARTS, safe_cell
from poletype._render.outputs import (
    CSV_NAME,
    JSONL_NAME,
    csv_header,
    row_document,
    verdicts_csv,
    verdicts_jsonl,
    write_screening,
)
from poletype._render.report_app import unpack
from poletype._screening.screen import Screening, screen, screening_typologies
from poletype.errors import PoletypeError

CANDIDATURES = EXAMPLES / "screening" / "candidatures.csv"


@pytest.fixture(scope="module")
def screening(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """The example call with one malformed row inserted, under a crisp and a graded typology."""
    folder = tmp_path_factory.mktemp("call")
    text = CANDIDATURES.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    bad = "CAND-99;Pôle <mal> & rempli;FR;local;mature" + ";" * (lines[0].count(";") - 4)
    lines.insert(3, bad)
    (folder / "appel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    members = (EXAMPLES / "screening" / "candidatures-membres.csv").read_bytes()
    (folder / "appel-membres.csv").write_bytes(members)
    chosen = screening_typologies(["labo-ess-ptce", "matray-poisat"])
    return screen(folder / "appel.csv", chosen)


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_has_one_line_per_row_with_error_in_place(screening: Screening) -> None:
    """Seven input rows, seven lines after the header; row 4's bad stage is a note."""
    table = _rows(verdicts_csv(screening, "fr", "codes"), ";")
    header, body = table[0], table[1:]
    assert len(body) == len(screening.rows) == 7
    assert [line[0] for line in body] == ["2", "3", "4", "5", "6", "7", "8"]
    bad = dict(zip(header, body[2], strict=True))
    assert bad["error"] == ""
    assert bad["notes"].startswith("Stade (")
    assert "« mature »" in bad["notes"]
    assert bad["labo-ess-ptce.outcome"] != ""
    good = dict(zip(header, body[0], strict=True))
    assert good["error"] == ""
    assert good["labo-ess-ptce.outcome"] == "ptce"
    assert good["labo-ess-ptce.verdict"] == "PTCE"
    assert good["labo-ess-ptce.M1"] == "met"
    assert good["id"] == "CAND-01"


def test_csv_columns_name_every_criterion_of_every_typology(screening: Screening) -> None:
    """Per typology: outcome, label, memberships (graded), one status per criterion, missing."""
    header = csv_header(screening)
    assert header[:4] == ["row", "source", "id", "name"]
    assert header[-1] == "error"
    for criterion in ("M1", "M8", "T6", "X5"):
        assert f"labo-ess-ptce.{criterion}" in header
    assert "labo-ess-ptce.missing" in header
    assert "labo-ess-ptce.what_it_would_take" in header
    assert "matray-poisat.membership.social" in header
    assert "matray-poisat.what_it_would_take" not in header
    assert len(header) == len(set(header))


def test_csv_word_headers_name_each_grid_by_its_title_not_its_id(screening: Screening) -> None:
    """With words, a grid's columns start with its title, cut before its citation; the
    codes headers keep the ids a program reads."""
    french = csv_header(screening, "fr", "words")
    assert "Caractérisation des PTCE selon le Labo de l'ESS — ce qui écarte la candidature" in (
        french
    )
    assert not any(h.startswith(("labo-ess-ptce", "matray-poisat")) for h in french)
    assert len(french) == len(set(french))
    english = csv_header(screening, "en", "words")
    assert "Le Labo de l'ESS characterisation of PTCE — what keeps it out" in english
    assert "labo-ess-ptce.lacking" in csv_header(screening, "fr", "codes")


def test_csv_missing_facts_and_changes(screening: Screening) -> None:
    """Missing facts are '; '-joined; a not_ptce row says what it would take."""
    table = _rows(verdicts_csv(screening, "fr", "codes"), ";")
    rows = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    by_id = {r["id"]: r for r in rows}
    assert by_id["CAND-05"]["labo-ess-ptce.missing"] == "strategy.formalised"
    assert by_id["CAND-02"]["labo-ess-ptce.what_it_would_take"]
    assert by_id["CAND-01"]["labo-ess-ptce.what_it_would_take"] == ""


def test_csv_lacking_names_the_criteria_that_keep_an_applicant_out(screening: Screening) -> None:
    """A not_ptce row lists its failed mandatory criteria; a ptce or open one lists none."""
    table = _rows(verdicts_csv(screening, "fr", "codes"), ";")
    rows = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    for row in rows:
        if row["error"]:
            assert row["labo-ess-ptce.lacking"] == ""
            continue
        lacking = row["labo-ess-ptce.lacking"]
        if row["labo-ess-ptce.outcome"] == "not_ptce":
            assert lacking
            for criterion in lacking.split("; "):
                expected = "met" if criterion.startswith("X") else "not_met"
                assert row[f"labo-ess-ptce.{criterion}"] == expected
        else:
            assert lacking == ""
    by_id = {r["id"]: r for r in rows}
    assert by_id["CAND-02"]["labo-ess-ptce.lacking"] == "M5"
    assert "matray-poisat.lacking" not in table[0]


def test_jsonl_lacking_agrees_with_the_csv(screening: Screening) -> None:
    """Programs reading verdicts.jsonl get the same 'lacking' as the spreadsheet."""
    table = _rows(verdicts_csv(screening, "fr", "codes"), ";")
    csv_rows = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    for row, line in zip(screening.rows, csv_rows, strict=True):
        document = row_document(row)
        if row.failed:
            assert "lacking" not in document
            continue
        assert set(document["lacking"]) == {"labo-ess-ptce"}  # crisp typologies only
        assert "; ".join(document["lacking"]["labo-ess-ptce"]) == line["labo-ess-ptce.lacking"]
    assert any(row_document(r).get("lacking", {}).get("labo-ess-ptce") for r in screening.rows)


def test_csv_separator_follows_the_language(screening: Screening) -> None:
    """French Excel wants ';' and a decimal comma; English ',' and a point."""
    fr, en = verdicts_csv(screening, "fr", "codes"), verdicts_csv(screening, "en", "codes")
    assert fr.splitlines()[0].startswith("row;source;id;name;")
    assert en.splitlines()[0].startswith("row,source,id,name,")
    fr_rows, en_rows = _rows(fr, ";"), _rows(en, ",")
    assert len(fr_rows) == len(en_rows)
    column = fr_rows[0].index("matray-poisat.membership.social")
    shown = [(f[column], e[column]) for f, e in zip(fr_rows[1:], en_rows[1:], strict=True)]
    assert any("." in e for _, e in shown)
    assert all(f == e.replace(".", ",") for f, e in shown)


def test_jsonl_entries_are_classify_verdicts_or_errors(screening: Screening) -> None:
    """Each line is a row: its verdicts exactly as classify gives them, or its error."""
    lines = verdicts_jsonl(screening).splitlines()
    assert len(lines) == len(screening.rows)
    documents = [json.loads(line) for line in lines]
    assert [d["row"] for d in documents] == [r.row for r in screening.rows]
    for row, document in zip(screening.rows, documents, strict=True):
        if row.error is not None:
            # The id and name the row states are kept, so the error can be traced.
            assert set(document) == {"row", "source", "id", "name", "error"}
            assert (document["id"], document["name"]) == (row.id, row.name)
            assert document["error"]["column"] == "stage"
            continue
        assert row.initiative is not None
        expected = [
            classify(row.initiative, t).model_dump(mode="json") for t in screening.typologies
        ]
        assert document["verdicts"] == expected
        changes = document["what_it_would_take"]
        assert "matray-poisat" not in changes
        assert ("labo-ess-ptce" in changes) == (document["verdicts"][0]["outcome"] == "not_ptce")


def test_jsonl_change_sets_carry_paths_values_and_sentences(screening: Screening) -> None:
    """A change set in JSON: its changes (path, before, after, text), criteria, outcome."""
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "CAND-02")
    (change_set, *_) = row_document(row)["what_it_would_take"]["labo-ess-ptce"]
    assert change_set["outcome"] == "ptce"
    assert change_set["criteria"] == ["M5"]
    (change,) = change_set["changes"]
    assert change["path"] == "activities.social_utility_share"
    assert change["before"] == 0.3
    assert set(change["text"]) == {"fr", "en"}


def test_outputs_are_byte_identical_across_runs(screening: Screening, tmp_path: Path) -> None:
    """Same input, same bytes: the report, the CSV (with its BOM), JSON Lines, the workbook."""
    first = write_screening(screening, tmp_path / "a", "fr")
    again = screen(
        Path(screening.input), [*screening_typologies(["labo-ess-ptce", "matray-poisat"])]
    )
    second = write_screening(again, tmp_path / "b", "fr")
    assert [p.name for p in first] == ["rapport.html", CSV_NAME, JSONL_NAME, "verdicts.xlsx"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a" / CSV_NAME).read_bytes().startswith(b"\xef\xbb\xbf")
    english = write_screening(screening, tmp_path / "c", "en")
    assert english[0].name == "report.html"


def test_unwritable_output_is_a_clear_error(screening: Screening, tmp_path: Path) -> None:
    """--out naming an existing file: an unwritable-output error, not a traceback."""
    blocker = tmp_path / "results"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(PoletypeError) as info:
        write_screening(screening, blocker, "fr")
    assert info.value.code == "unwritable-output"


# Hostile values: nothing in verdicts.csv runs as a formula, nothing in the report runs --


# Tab and carriage return are covered by safe_cell's law: the reader strips them from cells.
HOSTILE = ['=HYPERLINK("http://evil";"clic")', "+1+2", "@SUM(A1)", "-2+3", "-1"]


@given(st.text(max_size=30))
@settings(max_examples=200)
def test_a_safe_cell_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    """Law: the cell is the text (its control characters replaced), quoted when it could run."""
    cell = safe_cell(text)
    shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "\ufffd", text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", cell)
    if cell.startswith(FORMULA_STARTS):
        assert re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cell)
        assert cell == shown
    else:
        assert cell in (shown, "'" + shown)
        assert (cell == "'" + shown) == shown.startswith(FORMULA_STARTS)


def test_plain_numbers_stay_numbers() -> None:
    assert [safe_cell(x) for x in ("-0.5", "-3", "+4,5", "-1+2", "-")] == [
        "-0.5",
        "-3",
        "+4,5",
        "'-1+2",
        "'-",
    ]


def _hostile_call(folder: Path) -> Path:
    rows = [["id", "name", "country"]]
    rows += [[value, value, "FR"] for value in HOSTILE]
    rows.append(["bad-1", "<script>alert(1)</script>", "F\x00R"])
    rows.append(["ok-1", "<script>alert(1)</script>", "FR"])
    path = folder / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


def test_no_formula_reaches_verdicts_csv_and_jsonl_keeps_the_values(tmp_path: Path) -> None:
    """Ids, names and a rule file's outcome labels starting with = + - @ are neutralised."""
    rules = (TEST_RULES / "minimal.yaml").read_text(encoding="utf-8")
    rules = rules.replace("open: {fr: Ouvert, en: Open}", 'open: {fr: "=1+1", en: "@SUM(A1)"}')
    (tmp_path / "evil.yaml").write_text(rules, encoding="utf-8")
    chosen = screening_typologies(rules=[tmp_path / "evil.yaml"])
    screening = screen(_hostile_call(tmp_path), chosen)
    written = write_screening(screening, tmp_path / "out", "fr", "codes")
    raw = (tmp_path / "out" / CSV_NAME).read_bytes()
    assert b"\x00" not in raw
    table = _rows(raw.decode("utf-8-sig"), ";")
    header, body = table[0], table[1:]
    assert len(body) == len(HOSTILE) + 2
    for line in body:
        for cell in line:
            assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"[+-]?\d+", cell), cell
    ids = [line[header.index("id")] for line in body]
    assert ids[: len(HOSTILE)] == ["'" + value for value in HOSTILE[:-1]] + ["-1"]
    verdict = header.index("minimal.verdict")
    assert {line[verdict] for line in body[: len(HOSTILE)]} == {"'=1+1"}
    lines = (tmp_path / "out" / JSONL_NAME).read_text(encoding="utf-8").splitlines()
    documents = [json.loads(line) for line in lines]
    assert [d["verdicts"][0]["initiative"] for d in documents[: len(HOSTILE)]] == HOSTILE
    assert len(written) == 4
    sheet = load_workbook(tmp_path / "out" / "verdicts.xlsx").active
    assert sheet is not None
    names = [sheet.cell(r, 3) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in names] == HOSTILE  # as typed, shown as text
    assert all(c.data_type == "s" for c in names)
    assert [bool(c.quotePrefix) for c in names] == [True, True, True, True, False]  # -1: a number


def test_an_error_row_keeps_its_id_and_name_everywhere(tmp_path: Path) -> None:
    """A NUL in the country sets that fact aside; the id, name and note are in every output."""
    screening = screen(_hostile_call(tmp_path))
    write_screening(screening, tmp_path / "out", "en", "codes")
    bad = screening.rows[len(HOSTILE)]
    assert bad.error is None
    (note,) = bad.notes
    assert note.field == "country"
    assert (bad.id, bad.name) == ("bad-1", "<script>alert(1)</script>")
    table = _rows((tmp_path / "out" / CSV_NAME).read_text(encoding="utf-8-sig"), ",")
    line = table[1 + len(HOSTILE)]
    assert line[2:4] == ["bad-1", "<script>alert(1)</script>"]
    assert line[-2].startswith("Country (C")
    assert "U+0000" in line[-2]
    document = row_document(bad)
    assert document["row"] == bad.row
    assert document["notes"][0]["field"] == "country"
    report = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "bad-1" in report


def test_the_report_shows_an_html_name_and_never_runs_it(tmp_path: Path) -> None:
    screening = screen(_hostile_call(tmp_path))
    write_screening(screening, tmp_path / "out", "fr", "codes")
    report = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in report
    sheets = "".join(unpack(report)[1])  # the applicants' sheets, packed in the page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sheets
