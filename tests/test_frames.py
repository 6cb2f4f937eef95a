"""Case tables in, tidy verdicts out: frames read as spreadsheets are, verdicts precise."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poletype import (
    CaseTable,
    Initiative,
    classify,
    classify_frame,
    from_frame,
    to_frame,
)
from poletype._analysis.frames import read_table
from poletype._tabular import flatten
from poletype.cli import main
from poletype.errors import InitiativeError, PoletypeError
from strategies import case_table, initiatives


def test_sixty_cases_read_classify_without_glue() -> None:
    """A generated table of 60 cases goes to verdicts in one call each, ids kept in order."""
    table = case_table()
    cases = from_frame(table, id="case")
    assert isinstance(cases, CaseTable)
    assert cases.errors == ()
    assert [c.id for c in cases] == list(table["case"])
    verdicts = classify_frame(table, ["labo-ess-ptce", "matray-poisat"], id="case")
    assert len(verdicts) == 120
    assert verdicts["error"].isna().all()
    assert set(verdicts["typology"]) == {"labo-ess-ptce", "matray-poisat"}
    graded = verdicts[verdicts["typology"] == "matray-poisat"]
    assert graded["membership.social.low"].dtype == float
    assert (graded["membership.social.low"] <= graded["membership.social.high"]).all()


def test_counts_expand_into_members_of_each_kind() -> None:
    """``members.sme`` = 3 stands for three SMEs; counts state the whole member list."""
    table = pd.DataFrame(
        {"id": ["a"], "name": ["A"], "members.sme": [3], "members.ess_cooperative": [2]}
    )
    (case,) = from_frame(table)
    assert case.members is not None
    assert sorted(m.kind or "" for m in case.members) == ["ess_cooperative"] * 2 + ["sme"] * 3


def test_a_blank_count_leaves_the_members_unknown() -> None:
    """One blank count is an unknown number of that kind: no member list is claimed."""
    table = pd.DataFrame({"id": ["a"], "name": ["A"], "members.sme": [3], "members.other": [None]})
    (case,) = from_frame(table)
    assert case.members is None


def test_members_in_a_long_frame_join_by_the_id_column() -> None:
    """A second frame, one row per member, joins its case by the column named like ``id``."""
    cases = pl.DataFrame({"case": ["a", "b"], "name": ["A", "B"]})
    members = pl.DataFrame(
        {
            "case": ["a", "a", "b"],
            "kind": ["sme", "ess_cooperative", "chamber"],
            "local": [1, 0, None],
        }
    )
    table = from_frame(cases, id="case", members=members)
    a, b = table.initiatives
    assert [(m.kind, m.local) for m in a.members or []] == [
        ("sme", True),
        ("ess_cooperative", False),
    ]
    assert [(m.kind, m.local) for m in b.members or []] == [("chamber", None)]


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT])
def test_a_missing_cell_reads_as_an_absent_fact(missing: Any) -> None:
    """None, NaN, pd.NA and NaT are unknown, never "no" nor zero."""
    table = pd.DataFrame(
        {
            "name": ["A"],
            "strategy.shared": pd.Series([missing], dtype=object),
            "jobs": pd.Series([missing], dtype=object),
        }
    )
    (case,) = from_frame(table)
    assert case.strategy is None
    assert case.jobs is None


def test_polars_nulls_and_lists_read_as_cells() -> None:
    """A polars null is unknown; a list column holds codes as a spreadsheet's ``a; b`` does."""
    table = pl.DataFrame(
        {
            "name": ["A", "B"],
            "jobs": [3, None],
            "activities.functions": [["production", "pooling"], []],
        }
    )
    a, b = from_frame(table)
    assert a.jobs == 3
    assert b.jobs is None
    assert a.activities is not None
    assert a.activities.functions == ["production", "pooling"]
    assert b.activities is not None
    assert b.activities.functions == []


def test_hostile_cells_are_error_rows_not_exceptions() -> None:
    """Each bad row is one error naming its position and column; the others are read."""
    table = pd.DataFrame(
        {
            "id": ["ok", "bad-share", "ctrl", "bad-count", "no-name"],
            "name": ["A", "B", "C\x00", "D", None],
            "activities.social_utility_share": [0.5, "lots", None, None, None],
            "members.sme": [1, 1, 1, "three", 1],
        }
    )
    result = from_frame(table)
    assert [c.id for c in result] == ["ok", "bad-share"]
    assert result.initiatives[1].activities is None  # the bad share is unknown, not "no"
    notes = {n.id: n for n in result.notes}
    assert notes["bad-share"].row == 1
    assert notes["bad-share"].column == "activities.social_utility_share"
    assert "lots" in notes["bad-share"].message
    errors = {e.id: e for e in result.errors}
    assert "bad-share" not in errors
    assert errors["ctrl"].code == "control-character"
    assert errors["bad-count"].column == "members.sme"
    assert "three" in errors["bad-count"].message
    assert errors["no-name"].column == "name"
    frame = classify_frame(table)
    assert len(frame) == 5
    assert frame["error"].notna().sum() == 3


def test_an_unknown_column_is_refused_at_once() -> None:
    """A typo in a column name is the table's fault, raised before any row is read."""
    with pytest.raises(InitiativeError, match="activites"):
        from_frame(pd.DataFrame({"name": ["A"], "activites.sectors": ["x"]}))


def test_a_frame_of_another_kind_is_refused() -> None:
    """Only pandas and polars frames are case tables."""
    with pytest.raises(PoletypeError, match="DataFrame"):
        from_frame([{"name": "A"}])


@settings(max_examples=20, deadline=None)
@given(initiatives(), st.data())
def test_blanking_a_cell_reads_as_the_fact_absent(
    initiative: Initiative, data: st.DataObject
) -> None:
    """A blank cell is the fact unstated: the same as leaving the column out."""
    row, _ = flatten(initiative)
    blank = data.draw(st.sampled_from(sorted(set(row) - {"name"}))) if len(row) > 1 else None
    if blank is None:
        return
    blanked = from_frame(pd.DataFrame([{**row, blank: None}]))
    dropped = from_frame(pd.DataFrame([{k: v for k, v in row.items() if k != blank}]))
    assert blanked == dropped
    (case,) = blanked.initiatives
    value: Any = case.model_dump()
    for part in blank.split("."):
        value = None if value is None else value.get(part)
    assert value is None


def test_to_frame_keeps_ids_and_full_precision() -> None:
    """to_frame(classify(from_frame(df))) keeps every id and the verdict's own floats."""
    table = case_table(12)
    cases = from_frame(table, id="case")
    verdicts = [classify(c, "matray-poisat") for c in cases]
    frame = to_frame(verdicts, backend="polars")
    assert frame["id"].to_list() == list(table["case"])
    for verdict, low in zip(verdicts, frame["membership.institutionalised.low"], strict=True):
        assert low == verdict.membership("institutionalised").low
    assert set(frame["rules_hash"]) == {verdicts[0].rules_hash}
    assert {"typology", "version", "rules_hash", "poletype_version"} <= set(frame.columns)


@pytest.mark.parametrize(("mode", "pick"), [("low", 0), ("high", 1), ("mid", None)])
def test_membership_mode_picks_one_end(mode: Any, pick: int | None) -> None:
    """``membership='low'|'high'|'mid'`` gives one float column per type."""
    verdict = classify({"name": "A", "jobs": 3}, "matray-poisat")
    frame = to_frame([verdict], membership=mode)
    m = verdict.membership("social")
    expected = (m.low, m.high)[pick] if pick is not None else (m.low + m.high) / 2
    assert frame["membership.social"].iloc[0] == expected


def test_criterion_level_has_status_degree_and_values() -> None:
    """One row per case and criterion, with the values it read as JSON."""
    verdict = classify({"name": "A", "activities": {"social_utility_share": 0.4}})
    frame = to_frame([verdict], level="criterion")
    assert len(frame) == len(verdict.criteria)
    m5 = frame[frame["criterion"] == "M5"].iloc[0]
    assert m5["status"] == "not_met"
    assert json.loads(m5["values"])["activities.social_utility_share"] == 0.4
    graded = to_frame([classify({"name": "A"}, "matray-poisat")], level="criterion")
    assert graded["degree.low"].notna().all()


def test_bad_choices_are_refused() -> None:
    """A level, membership or backend that does not exist is a one-line error."""
    with pytest.raises(PoletypeError, match="level"):
        to_frame([], level="cases")  # type: ignore[arg-type]
    with pytest.raises(PoletypeError, match="backend"):
        to_frame([], backend="spark")  # type: ignore[arg-type]


def test_import_poletype_loads_no_frame_library() -> None:
    """The core works without the frames extra: importing it loads none of it."""
    code = (
        "import poletype, poletype.cli, sys; "
        "assert not {'pandas', 'polars', 'pyarrow', 'numpy', 'matplotlib'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_table_format_reads_the_same_cases(tmp_path: Path) -> None:
    """CSV, XLSX, JSON Lines and Parquet give the same initiatives, by the same reader."""
    table = pd.DataFrame(
        {"id": ["a", "b"], "name": ["A", "B"], "jobs": [3, None], "strategy.shared": ["oui", None]}
    )
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_excel(tmp_path / "t.xlsx", index=False)
    table.to_parquet(tmp_path / "t.parquet")
    lines = [
        json.dumps({k: v for k, v in r.items() if v is not None})
        for r in [
            {"id": "a", "name": "A", "jobs": 3, "strategy": {"shared": True}},
            {"id": "b", "name": "B"},
        ]
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n")
    expected = list(from_frame(table))
    for suffix in ("csv", "xlsx", "jsonl", "parquet"):
        read = [a.initiative for a in read_table(tmp_path / f"t.{suffix}")]
        assert read == expected, suffix


def test_classify_reads_a_case_table_row_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``poletype classify cases.parquet`` gives each row its verdict or its error, in order."""
    pd.DataFrame(
        {"id": ["a", "b", "c"], "name": ["A", None, "C"], "jobs": [3, 4, None]}
    ).to_parquet(tmp_path / "cases.parquet")
    status = main(["classify", str(tmp_path / "cases.parquet"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [item.get("initiative_id") for item in out] == ["a", None, "c"]
    assert out[1]["row"] == 3
    assert "name" in out[1]["error"]["message"]


def test_hypotheses_and_map_take_a_case_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command that takes initiatives takes a table."""
    table = tmp_path / "cases.csv"
    table.write_text("id,name,approach\na,A,bottom_up\nb,B,top_down\n", encoding="utf-8")
    assert main(["hypotheses", str(table), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["initiatives"] == ["a", "b"]  # keyed by id; names beside them
    assert main(["map", str(table), "--out", str(tmp_path / "map.png")]) == 0
    assert (tmp_path / "map.png").stat().st_size > 0
