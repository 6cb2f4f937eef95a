"""Citable runs: a manifest of what went into a result, and a check that it still comes out.

A published classification must be reproducible: which poletype, which rule files (by
hash: a version number can be reused, bytes cannot), which parameters, which cases and
input files, under which Python and libraries, by which command, and what came out.
`manifest` writes that down as one JSON document; `compare_manifests` says what differs
between a run and its rerun, the inputs and results first (a difference there fails the
check) and the environment after (a difference there is only noted).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from poletype._analysis.hypotheses import SHIPPED, load_compiled
from poletype._engine.compiler import rules_hash
from poletype._engine.evaluator import POLETYPE_VERSION
from poletype._engine.typology import Typology
from poletype._rules.parsed import rules_package
from poletype.errors import InitiativeError, SetupError, UsageError
from poletype.model import Initiative
from poletype.verdict import Verdict

FORMAT = "poletype-manifest/1"
DEPENDENCIES = (
    "pydantic",
    "pydantic-core",
    "rule-engine",
    "PyYAML",
    "openpyxl",
    "matplotlib",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
)
"""The libraries whose versions a manifest records, when they are installed."""

CHECKED = ("poletype_version", "parameters", "typologies", "hypotheses", "files", "cases")
"""The parts of a manifest a rerun must reproduce exactly, besides the results."""


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_json(value: Any) -> str:
    """sha256 of a value's canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


def case_hash(initiative: Initiative) -> str:
    """sha256 of an initiative's canonical JSON (stated facts only, absent ones omitted)."""
    data = initiative.model_dump(mode="json", exclude_none=True)
    return "sha256:" + hashlib.sha256(canonical_json(data)).hexdigest()


def file_hash(path: str | Path) -> str:
    """sha256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            while chunk := handle.read(2**20):
                digest.update(chunk)
    except OSError as exc:
        raise InitiativeError(
            f"cannot read {path} to hash it: {exc.strerror or exc}",
            code="unreadable-input",
            file=str(path),
        ) from None
    return "sha256:" + digest.hexdigest()


def verdict_hash(verdict: Verdict) -> str:
    """sha256 of a verdict's canonical JSON: criteria, values and sentences included."""
    return "sha256:" + hashlib.sha256(verdict.to_json(indent=None).encode()).hexdigest()


def hypotheses_hash(
    hypotheses: str | Path, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A hypotheses file's id, version, file and ``rules_hash`` (bytes and parameter values)."""
    compiled = load_compiled(hypotheses, dict(params or {}))
    if str(hypotheses) == SHIPPED:
        file = f"rules/hypotheses/{SHIPPED}.yaml"
        data = rules_package().joinpath("hypotheses", f"{SHIPPED}.yaml").read_bytes()
    else:
        file = str(hypotheses)
        data = Path(hypotheses).read_bytes()
    return {
        "id": compiled.spec.hypotheses,
        "version": compiled.spec.version,
        "file": file,
        "rules_hash": rules_hash(data, compiled.parameters),
    }


def _files(paths: Iterable[str | Path]) -> list[dict[str, str]]:
    """Each input file with its hash; a folder stands for each file in it, sorted."""
    found: list[dict[str, str]] = []
    for given in paths:
        path = Path(given)
        inside = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found.extend({"path": str(p), "sha256": file_hash(p)} for p in inside)
    return found


def environment() -> dict[str, Any]:
    """Python, the platform and the installed version of each library poletype uses."""
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "dependencies": versions,
    }


def manifest(
    *,
    typologies: Sequence[Typology] = (),
    hypotheses: Sequence[Mapping[str, Any]] = (),
    parameters: Mapping[str, Any] | None = None,
    cases: Iterable[Initiative | Mapping[str, Any]] = (),
    files: Iterable[str | Path] = (),
    results: Iterable[Mapping[str, Any]] = (),
    command: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What a run read and produced, as a JSON-ready document to publish beside its results.

    ``typologies`` give their id, version, file and ``rules_hash`` (which covers the
    parameter values); ``hypotheses`` are `hypotheses_hash` entries; ``cases`` are
    hashed one by one (`case_entry`; an entry already made is kept), ``files`` byte
    for byte (a folder file by file); ``results`` are whatever the run produced,
    typically one entry per verdict with its `verdict_hash`; ``command`` is the
    command line (``poletype`` excluded), which ``poletype rerun`` runs again. Python,
    the platform and library versions are recorded too.
    """
    return {
        "manifest": FORMAT,
        "poletype_version": POLETYPE_VERSION,
        "command": None if command is None else list(command),
        "parameters": dict(sorted((parameters or {}).items())),
        "typologies": [
            {"id": t.id, "version": t.version, "file": t.file, "rules_hash": t.rules_hash}
            for t in typologies
        ],
        "hypotheses": [dict(h) for h in hypotheses],
        "files": _files(files),
        "cases": [c if isinstance(c, Mapping) else case_entry(c) for c in cases],
        "results": [dict(r) for r in results],
        "environment": environment(),
    }


def case_entry(initiative: Initiative) -> dict[str, Any]:
    """A case as the manifest lists it: id, name and hash (`case_hash`)."""
    return {"id": initiative.id, "name": initiative.name, "sha256": case_hash(initiative)}


def verdict_results(verdicts: Iterable[Verdict]) -> list[dict[str, Any]]:
    """One results entry per verdict: case, typology, outcome and the verdict's hash."""
    return [
        {
            "id": v.initiative_id,
            "name": v.initiative,
            "typology": v.typology,
            "outcome": v.outcome,
            "sha256": verdict_hash(v),
        }
        for v in verdicts
    ]


def write_manifest(document: Mapping[str, Any], out: Path) -> Path:
    """Write a manifest as indented JSON, keys sorted, so that two runs diff line by line."""
    try:
        out.write_text(
            json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise SetupError(
            f"cannot write the manifest: {exc.strerror or exc}",
            code="unwritable-output",
            file=str(out),
        ) from None
    return out


def read_manifest(path: str | Path) -> dict[str, Any]:
    """A manifest written by `write_manifest`, or a ``bad-manifest`` error saying why not."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(
            f"cannot read the manifest: {exc}", code="bad-manifest", file=str(path)
        ) from None
    command = document.get("command") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("manifest") != FORMAT:
        raise UsageError(
            "not a poletype manifest",
            code="bad-manifest",
            file=str(path),
            expected=f'a JSON object with "manifest": "{FORMAT}"',
        )
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        raise UsageError(
            "the manifest names no command to rerun",
            code="bad-manifest",
            file=str(path),
            expected='"command": a list of arguments, as --manifest writes it',
        )
    return document


def compare_manifests(
    recorded: Mapping[str, Any], rerun: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """What differs between a recorded run and its rerun: (failures, notes).

    A failure is a difference in what the run read or produced: the poletype version,
    parameters, a rule file's hash, an input file or case, a result. A note is a
    difference of environment (Python, a library) that left every hash the same.
    """
    failures: list[str] = []
    for key in CHECKED:
        failures.extend(_differences(key, recorded.get(key), rerun.get(key)))
    failures.extend(_differences("results", recorded.get("results"), rerun.get("results")))
    notes: list[str] = []
    before = recorded.get("environment") or {}
    after = rerun.get("environment") or {}
    for key in ("python", "implementation"):
        if before.get(key) != after.get(key):
            notes.append(f"{key} was {before.get(key)}, is {after.get(key)}")
    old, new = before.get("dependencies") or {}, after.get("dependencies") or {}
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            notes.append(f"{name} was {old.get(name, 'absent')}, is {new.get(name, 'absent')}")
    return failures, notes


def _differences(key: str, before: Any, after: Any) -> list[str]:
    if before == after:
        return []
    if isinstance(before, list) and isinstance(after, list):
        found = []
        if len(before) != len(after):
            found.append(f"{key}: {len(before)} recorded, {len(after)} now")
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            if old != new:
                found.append(f"{key}[{index}]: was {_short(old)}, is {_short(new)}")
                if len(found) >= 10:
                    found.append(f"{key}: and more")
                    break
        return found
    return [f"{key}: was {_short(before)}, is {_short(after)}"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."
