"""Shared fixtures: paths to the shipped examples and rules, and a rule-file writer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"
TEST_RULES = Path(__file__).resolve().parent / "rules"
# The benchmarks' hand-written baseline and workloads are imported by the tests that
# check them, and their call writer by the streaming tests.
sys.path.insert(0, str(ROOT))

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
# CI checks the same examples on every run (and in each of its three passes), so that a
# landing never hangs on a draw no one can reproduce; developers' runs keep exploring.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture
def minimal_rules() -> Path:
    """A small valid rule file used to test the machinery apart from any typology."""
    return TEST_RULES / "minimal.yaml"


def example_files() -> list[Path]:
    """Every shipped example initiative."""
    return sorted(EXAMPLES.glob("*.yaml"))
