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
