"""Shared fixtures: paths to the shipped examples and rules, and a rule-file writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"
TEST_RULES = Path(__file__).resolve().parent / "rules"

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
settings.load_profile("default")


@pytest.fixture
def minimal_rules() -> Path:
    """A small valid rule file used to test the machinery apart from any typology."""
    return TEST_RULES / "minimal.yaml"


def example_files() -> list[Path]:
    """Every shipped example initiative."""
    return sorted(EXAMPLES.glob("*.yaml"))
