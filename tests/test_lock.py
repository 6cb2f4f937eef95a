"""requirements/test.lock pins every dependency pyproject.toml declares, within its bounds.

The README's test command installs the lock, not pyproject.toml's ranges: a dependency
added to pyproject.toml but not to the lock would be missing from the tested environment
(or, with --require-hashes, break the install), and a bound raised past its pin would test
a version users can no longer get. Refresh with ``scripts/lock.sh``.
"""

from __future__ import annotations

import os
import re
import tomllib

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT

LOCK = ROOT / "requirements" / "test.lock"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def pins(text: str) -> dict[str, list[tuple[Version, Marker | None]]]:
    """Each pinned name (canonical) with its versions and their markers, from a lock's text."""
    found: dict[str, list[tuple[Version, Marker | None]]] = {}
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            name, version, marker = match.groups()
            found.setdefault(canonicalize_name(name), []).append(
                (Version(version), Marker(marker) if marker else None)
            )
    return found


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies and its ``test`` extra: what the test environment needs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [Requirement(text) for text in texts]


def uncovered(
    requirements: list[Requirement], locked: dict[str, list[tuple[Version, Marker | None]]]
) -> list[str]:
    """The requirements the lock misses or pins outside their bounds, each with why."""
    problems = []
    for requirement in requirements:
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement}: not in the lock")
            continue
        problems.extend(
            f"{requirement}: locked at {version}"
            for version, _ in versions
            if not requirement.specifier.contains(version, prereleases=True)
        )
    return problems


def test_the_lock_pins_every_declared_dependency_within_its_bounds() -> None:
    """No dependency of the package or of the test extra is missing from the lock."""
    assert uncovered(declared(), pins(LOCK.read_text(encoding="utf-8"))) == []


def test_the_lock_has_a_pin_for_this_python_of_each_declared_dependency() -> None:
    """Where the lock forks by Python version, one branch applies to the running Python."""
    locked = pins(LOCK.read_text(encoding="utf-8"))
    for requirement in declared():
        markers = [marker for _, marker in locked[canonicalize_name(requirement.name)]]
        assert any(marker is None or marker.evaluate() for marker in markers), requirement


def test_every_pin_carries_hashes() -> None:
    """pip's --require-hashes installs only what the lock vouches for, so every pin has one."""
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) == sum(len(v) for v in pins(text).values())
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


@pytest.mark.parametrize(
    ("lock", "problem"),
    [
        ("pyyaml==6.0.4 \\\n    --hash=sha256:00\n", "pydantic>=2.12: not in the lock"),
        ("PyDantic==2.11.0 \\\n    --hash=sha256:00\n", "pydantic>=2.12: locked at 2.11.0"),
        ("pydantic==3.0 ; python_version >= '3.12'\n", "pydantic<3,>=2.12: locked at 3.0"),
    ],
)
def test_a_missing_or_out_of_bounds_pin_is_reported(lock: str, problem: str) -> None:
    """The check itself: what it reports when the lock falls behind pyproject.toml."""
    requirement = Requirement(problem.split(":", maxsplit=1)[0])
    assert uncovered([requirement], pins(lock)) == [problem]


def test_the_refresh_script_locks_the_test_extra() -> None:
    """scripts/lock.sh, named in the lock's header, resolves pyproject.toml's test extra."""
    script = ROOT / "scripts" / "lock.sh"
    assert os.access(script, os.X_OK)
    assert "scripts/lock.sh" in LOCK.read_text(encoding="utf-8").splitlines()[1]
    text = script.read_text(encoding="utf-8")
    assert "pyproject.toml --extra test" in text
    assert "--generate-hashes" in text
