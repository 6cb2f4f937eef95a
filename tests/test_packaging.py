"""The built wheel ships the rule files, and the README's commands are what CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_the_rule_files(tmp_path: Path) -> None:
    """A user who installs the wheel gets every rules/*.yaml inside the package."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("poletype-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule_file in (ROOT / "rules").glob("*.yaml"):
        assert f"poletype/rules/{rule_file.name}" in names
    assert "poletype/py.typed" in names


def test_readme_test_command_is_the_one_ci_runs() -> None:
    """.ci/run runs the README's test command verbatim."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv .*pytest)$", readme, re.M)
    assert commands, "the README shows no test command"
    assert commands[0] in ci.splitlines()


def test_readme_examples_table_matches_the_verdicts() -> None:
    """Every shipped example is in the README table with its current outcome and missing facts."""
    from poletype import classify, read_initiative

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \[`([^`]+)`\]\([^)]*\) \| [^|]+ \| `(\w+)` \|", readme, re.M))
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert len(examples) >= 10
    assert set(rows) == {p.name for p in examples}
    for path in examples:
        assert rows[path.name] == classify(read_initiative(path)).outcome, path.name


def test_typology_page_is_generated_from_the_rule_file() -> None:
    """docs/labo-ess-ptce.md is what `poletype explain --format markdown` prints now."""
    import contextlib
    import io

    from poletype.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["explain", "labo-ess-ptce", "--format", "markdown", "--lang", "en"])
    page = (ROOT / "docs" / "labo-ess-ptce.md").read_text(encoding="utf-8")
    assert page == buffer.getvalue()
