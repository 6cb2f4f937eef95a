"""rule-engine's parser tables ship prebuilt, so a cold ``poletype`` starts fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_tables_match_the_installed_grammar() -> None:
    """Stale tables would be rebuilt on every start: regenerate them after an upgrade."""
    script = ROOT / "scripts" / "generate_parsetab.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_rule_engine_reads_them_when_poletype_is_imported_first() -> None:
    """PLY looks for ``rule_engine.parser.parsetab``; poletype registers its tables (`_ast`)."""
    code = (
        "import sys, poletype, poletype._engine.parsetab as t;"
        "assert sys.modules['rule_engine.parser.parsetab'] is t;"
        "from poletype import classify;"
        "print(classify({'name': 'P'}).outcome)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "indeterminate"
