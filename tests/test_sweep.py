"""Sweeps and stability: does a case's verdict hang on one reading of a threshold?"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from poletype import classify, from_frame, plot_stability, stability, sweep
from poletype.cli import main
from poletype.errors import PoletypeError
from strategies import case_table

SMALL = {"name": "Petit", "members": [{"kind": "ess_association"}] * 6, "jobs": 12}


def test_each_grid_point_is_classified_with_its_parameters() -> None:
    """One row per case and point; each outcome is classify's under those parameters."""
    frame = sweep([SMALL], "labo-ess-ptce", {"min_organisations": [5, 10]})
    assert list(frame["min_organisations"]) == [5, 10]
    for _, row in frame.iterrows():
        verdict = classify(SMALL, params={"min_organisations": row["min_organisations"]})
        assert row["outcome"] == verdict.outcome
        assert row["rules_hash"] == verdict.rules_hash
    assert set(frame["default_outcome"]) == {classify(SMALL).outcome}


def test_stability_is_the_share_keeping_the_default_outcome() -> None:
    """Six organisations meet "5" but not "10": half the grid keeps the default outcome."""
    frame = sweep([SMALL], "labo-ess-ptce", {"min_organisations": [5, 10]})
    (row,) = stability(frame).to_dict("records")
    outcomes = set(frame["outcome"])
    assert row["points"] == 2
    assert row["kept"] == (1.0 if len(outcomes) == 1 else 0.5)


def test_sixty_cases_sweep_and_stability_in_one_call_each() -> None:
    """The researcher's workflow: table, sweep, stability, plot; ranges bound every point."""
    cases = from_frame(case_table(), id="case")
    grid = {"ess_share_crossover": [0.3, 0.5, 0.7], "market_crossover": [0.4, 0.6]}
    frame = sweep(cases, "matray-poisat", grid, backend="polars")
    assert frame.height == 60 * 6
    table = stability(frame)
    assert table.height == 60
    assert ((table["kept"] >= 0) & (table["kept"] <= 1)).all()
    joined = frame.join(table, on="id", suffix="_range")
    assert (joined["membership.social.low"] >= joined["membership.social.low_range"]).all()
    assert (joined["membership.social.high"] <= joined["membership.social.high_range"]).all()
    figure = plot_stability(table)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 2


def test_a_parameter_the_typology_lacks_is_refused() -> None:
    """A typo in a grid name is an error, not a sweep over nothing."""
    with pytest.raises(PoletypeError, match="min_organisation"):
        sweep([SMALL], "labo-ess-ptce", {"min_organisation": [5]})
    with pytest.raises(PoletypeError, match="at least one"):
        sweep([SMALL], "labo-ess-ptce", {"min_organisations": []})


def test_stability_refuses_a_frame_that_is_not_a_sweep() -> None:
    """Stability reads the sweep's own columns."""
    with pytest.raises(PoletypeError, match="not a sweep frame"):
        stability(pd.DataFrame({"id": ["a"]}))


def test_sweep_on_the_command_line_writes_csv_and_plot(tmp_path: Path) -> None:
    """``poletype sweep`` writes the sweep, the stability table and a PNG."""
    cases = tmp_path / "cases.csv"
    case_table(8).drop(columns=[f"members.{k}" for k in ("sme", "ess_association")]).rename(
        columns={"case": "id"}
    ).iloc[:, :12].to_csv(cases, index=False)
    out, stable, plot = tmp_path / "s.csv", tmp_path / "st.csv", tmp_path / "st.png"
    argv = ["sweep", str(cases), "--grid", "min_organisations=5,10", "--grid", "min_jobs=5,10"]
    status = main([*argv, "--out", str(out), "--stability", str(stable), "--plot", str(plot)])
    assert status == 0
    assert len(pd.read_csv(out)) == 8 * 4
    assert len(pd.read_csv(stable)) == 8
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_a_bad_grid_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``--grid`` without values exits 2 with a message."""
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "x.yaml", "--grid", "min_jobs", "--out", "o.csv"])
    assert exit_info.value.code == 2
    assert "NAME=VALUE" in capsys.readouterr().err
