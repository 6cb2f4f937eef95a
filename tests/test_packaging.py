"""The wheel ships the rule files and the words; the README's commands are what CI runs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

from conftest import ROOT


def test_wheel_contains_the_rule_files(tmp_path: Path) -> None:
    """A user who installs the wheel gets every rules/*.yaml and data/*.yaml inside the package."""
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
    modules = (ROOT / "src").rglob("*.py")
    missing = {str(m.relative_to(ROOT / "src")) for m in modules} - names
    assert not missing, f"the wheel lacks {sorted(missing)} (a subpackage not in pyproject.toml?)"
    assert "poletype/rules/hypotheses/gianfaldoni-2016.yaml" in names
    assert "poletype/rules/_parsed.jsonl" in names
    data_files = sorted((ROOT / "src" / "poletype" / "data").glob("*.*"))
    assert [f.name for f in data_files] == [
        "codes.yaml",
        "fields.yaml",
        "reading.yaml",
        "report.css",
        "report.js",
        "words.yaml",
        "worktable.yaml",
    ]
    for data_file in data_files:
        assert f"poletype/data/{data_file.name}" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"poletype/schemas/{schema.name}" in names
    assert "poletype/_server/_app.py" in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "scripts/", "schemas/"))]
    assert not [n for n in names if "/tests/" in n or (n.endswith(".md") and "dist-info" not in n)]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Provides-Extra: server" in text
    assert "Project-URL: Documentation" in text


def test_sdist_contains_the_sources_of_the_wheel(tmp_path: Path) -> None:
    """The sdist builds the same wheel: rule files, schemas and data inside."""
    import tarfile

    result = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (sdist,) = tmp_path.glob("poletype-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert "schemas/verdict-1.json" in names
    assert "rules/labo-ess-ptce.yaml" in names
    assert "src/poletype/data/fields.yaml" in names
    assert "src/poletype/_server/_app.py" in names


def test_readme_test_command_is_the_one_ci_runs() -> None:
    """.ci/run runs the README's test command verbatim."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv .*pytest)$", readme, re.M)
    assert commands, "the README shows no test command"
    assert commands[0] in ci.splitlines()


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_docs", ROOT / "scripts" / "generate_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current() -> None:
    """README table, docs/examples.md and each typology page match the rules and examples.

    Regenerate with ``python scripts/generate_docs.py``.
    """
    outputs = _generator().outputs()
    assert ROOT / "docs" / "matray-poisat.md" in outputs
    for path, text in outputs.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale"


def test_readme_table_lists_every_example_with_its_verdicts() -> None:
    """Every shipped example has a row with its crisp outcome and four memberships."""
    from poletype import classify, read_initiative

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \[`([^`]+)`\]\([^)]*\) \| [^|]+ \| `(\w+)` \|", readme, re.M))
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert len(examples) >= 10
    assert set(rows) == {p.name for p in examples}
    for path in examples:
        assert rows[path.name] == classify(read_initiative(path)).outcome, path.name
