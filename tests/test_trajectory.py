"""Dated states of an initiative, and the verdict series over them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from conftest import TEST_RULES
from poletype import Initiative, trajectory
from poletype._analysis.trajectory import states
from poletype.cli import main

RULES = TEST_RULES / "graded-minimal.yaml"
MOVING = {
    "name": "Pôle qui bouge",
    "resources": {"market": 0.9},
    "governance": {"democratic": False, "structure": "centralised"},
    "snapshots": [
        {"date": "2018-01-01", "governance": {"democratic": True}},
        {
            "date": "2016-01-01",
            "resources": {"market": 0.1},
            "members": [{"kind": "sme", "local": True}] * 3,
        },
    ],
}


def test_states_apply_snapshots_in_date_order_and_merge_nested_objects() -> None:
    """Each snapshot changes what it states; nested objects keep their other fields."""
    series = states(Initiative.model_validate(MOVING))
    assert [d for d, _ in series] == [None, datetime.date(2016, 1, 1), datetime.date(2018, 1, 1)]
    first, middle, last = (s for _, s in series)
    assert first.members is None
    assert middle.resources is not None
    assert middle.resources.market == 0.1
    assert last.governance is not None
    assert last.governance.democratic is True
    assert last.governance.structure == "centralised"
    assert last.members is not None
    assert len(last.members) == 3
    assert all(s.snapshots is None for _, s in series)


def test_trajectory_reports_each_date_and_the_changes() -> None:
    """The dominant type per date, and the date at which it changed."""
    result = trajectory(MOVING, RULES)
    assert [p.verdict.outcome for p in result.points] == [
        "market_type",
        "market_type",
        "civic",
    ]
    assert [(c.date.isoformat(), c.before, c.after) for c in result.changes] == [
        ("2018-01-01", "market_type", "civic")
    ]
    assert result.to_json() == trajectory(MOVING, RULES).to_json()


def test_without_snapshots_the_trajectory_is_one_point() -> None:
    """An initiative with no history has one state and no change."""
    result = trajectory({"name": "P"}, RULES)
    assert len(result.points) == 1
    assert result.changes == []


def test_cli_trajectory_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`poletype trajectory` prints memberships per date, or the series as JSON."""
    file = tmp_path / "moving.json"
    file.write_text(json.dumps(MOVING), encoding="utf-8")
    assert main(["trajectory", str(file), "--typology", str(RULES)]) == 0
    out = capsys.readouterr().out
    assert "2016-01-01" in out
    assert "2018-01-01 : market_type → civic" in out
    assert main(["trajectory", str(file), "-t", str(RULES), "-f", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["date"] for p in document["points"]] == [None, "2016-01-01", "2018-01-01"]


def test_cli_trajectory_keeps_a_row_for_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad file is an error entry in place; the exit code says so."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nstage: adult\n", encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(MOVING), encoding="utf-8")
    assert main(["trajectory", str(bad), str(good), "-t", str(RULES), "-f", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document[0]["error"]["code"] == "invalid-initiative"
    assert document[1]["initiative"] == "Pôle qui bouge"
