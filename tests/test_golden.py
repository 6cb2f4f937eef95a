"""Every shipped example under every shipped typology, as JSON, against a golden file.

The engine's internals move (backends, layout); what a user reads must not. The golden
file holds the sha256 of each verdict's canonical JSON (and its outcome, for a reader of
the diff); it is regenerated only when a change to the rules or the input format means a
verdict should change, and the changelog says which and why:
``python tests/test_golden.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from poletype import classify, read_initiative, typologies

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden" / "verdicts.jsonl"


def _rows(backend: str = "compiled") -> list[dict[str, str]]:
    rows = []
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        initiative = read_initiative(example)
        for typology in typologies():
            verdict = classify(initiative, typology, backend=backend)  # type: ignore[arg-type]
            digest = hashlib.sha256(verdict.to_json().encode()).hexdigest()
            rows.append(
                {
                    "example": example.name,
                    "typology": typology,
                    "outcome": verdict.outcome,
                    "sha256": digest,
                }
            )
    return rows


@pytest.mark.parametrize("backend", ["compiled", "interpreter"])
def test_every_example_verdict_is_byte_identical_to_the_golden_file(backend: str) -> None:
    """A refactoring that changes one byte of one verdict shows here, example by example."""
    expected = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    assert _rows(backend) == expected


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in _rows())
    GOLDEN.write_text(text, encoding="utf-8")
