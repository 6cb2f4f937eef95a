"""Throughput and scale (issue 15): classify by id, the columnar path, ``--jobs``.

- classify by id: ``classify(x, "labo-ess-ptce")`` as the README writes it, timed
  against the hand-written Labo function on the same initiatives: the remembered
  typology must bring it to within 3× of hand-written code.
- columnar: `poletype.decide_frame` over a polars frame of ``--columnar-rows`` cases
  (default 1,000,000): the workload's initiatives laid out as columns with member counts,
  repeated to that size. Rows per second on one core; every row of the workload is also
  checked against the hand-written function.
- ``--jobs``: ``poletype classify --format json`` on ``--cli-files`` copies of the
  shipped examples, with ``--jobs 2`` and in one process; the outputs must be identical.
- screen memory: ``poletype screen`` on a call of ``--screen-rows`` applicants (default
  100,000: the example call's six, renumbered, with their members in a second file, 5.7
  a row), its peak resident memory (``VmHWM``, which the process reports as it exits:
  ``ru_maxrss`` would carry over the peak of this benchmark's own process, gigabytes
  once the columnar frames are built, through the fork) against a hand-written
  streaming loop over the same CSV (the csv module, the `Initiative` model, the
  hand-written Labo function, one CSV line out per row: the floor for Python and these
  libraries). Every file must have one entry per input row.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.handwritten_labo import labo
from poletype import classify, decide_frame
from poletype._scale.columns import member_domain as _domain
from poletype.model import Initiative

ROOT = Path(__file__).resolve().parent.parent
STATUS = {True: "met", False: "not_met", None: "unknown"}
OUTCOMES = {True: "ptce", False: "not_ptce", None: "indeterminate"}
MEMBER_FIELDS = ("kind", "local")


def best(work: Any, repeats: int) -> float:
    """The shortest of ``repeats`` timed runs after a warm-up; the collector left on.

    Each run starts from a full collection, so that none pays for the garbage of the
    one before it (what a run keeps, its own collections included, it pays for).
    """
    work()
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def by_id(items: Sequence[Initiative], params: dict[str, Any], repeats: int) -> dict[str, float]:
    """Seconds of ``classify`` by id and of the hand-written function, best of ``repeats``."""
    by_name = best(lambda: [classify(i, "labo-ess-ptce") for i in items], repeats)
    handwritten = best(lambda: [labo(i, params) for i in items], repeats)
    return {"by_id": by_name, "handwritten": handwritten, "n": len(items)}


def _flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in ("members", "snapshots"):
            continue
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[f"{prefix}{key}.length"] = len(value)
        else:
            out[prefix + key] = value
    return out


def frame_of(items: Sequence[Initiative]) -> dict[str, list[Any]]:
    """Initiatives as columns by field path, list fields as lengths, members as counts."""
    rows = []
    for item in items:
        document = item.model_dump(mode="json", exclude_none=True)
        row = _flat(document)
        members = document.get("members")
        if members is not None:
            row["members.length"] = len(members)
            for name in MEMBER_FIELDS:
                for value in _domain(name):
                    count = sum(1 for m in members if m.get(name) == value)
                    if count:
                        shown = str(value).lower() if isinstance(value, bool) else value
                        row[f"members.{name}={shown}"] = count
        rows.append(row)
    names = sorted({k for r in rows for k in r})
    return {c: [r.get(c) for r in rows] for c in names}


def columnar(
    items: Sequence[Initiative], params: dict[str, Any], rows: int, repeats: int
) -> dict[str, float]:
    """Rows per second of `decide_frame` on ``rows`` cases, and disagreements on ``items``."""
    import polars as pl  # noqa: PLC0415 - a test dependency, not poletype's

    base = frame_of(items)
    decided = decide_frame(base, "labo-ess-ptce")
    disagreements = 0
    for row, item in enumerate(items):
        statuses, verdict = labo(item, params)
        if decided.outcome[row] != OUTCOMES[verdict] or any(
            decided.statuses[c][row] != STATUS[s] for c, s in statuses.items()
        ):
            disagreements += 1
    small = pl.DataFrame(base, strict=False)
    big = pl.concat([small] * -(-rows // small.height)).head(rows)
    seconds = best(lambda: decide_frame(big, "labo-ess-ptce"), repeats)
    return {"rows": big.height, "seconds": seconds, "disagreements": disagreements}


def cli_jobs(files: int, repeats: int) -> dict[str, float]:
    """Wall seconds of the JSON CLI on ``files`` example files, one process and ``--jobs 2``."""
    script = Path(sys.executable).parent / "poletype"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "poletype"]
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n in range(files):
            source = examples[n % len(examples)]
            target = Path(folder) / f"{n:05}-{source.name}"
            shutil.copyfile(source, target)
            paths.append(str(target))
        outputs: dict[int, bytes] = {}
        seconds: dict[int, float] = {}
        for jobs in (1, 2):
            run = [*command, "classify", "--format", "json", "--jobs", str(jobs), *paths]

            def once(run: list[str] = run, jobs: int = jobs) -> None:
                outputs[jobs] = subprocess.run(run, capture_output=True, check=False).stdout

            seconds[jobs] = best(once, repeats)
    return {
        "files": files,
        "one": seconds[1],
        "two": seconds[2],
        "same": float(outputs[1] == outputs[2] and bool(outputs[1])),
    }


SCREENING = ROOT / "examples" / "screening"

_HANDWRITTEN_SCREEN = """
import csv, sys
from benchmarks.handwritten_labo import labo
from poletype import load_typology
from poletype.model import Initiative
params = load_typology("labo-ess-ptce").params_value
outcome = {True: "ptce", False: "not_ptce", None: "indeterminate"}
with open(sys.argv[1], encoding="utf-8", newline="") as source, open(
    sys.argv[2], "w", encoding="utf-8", newline=""
) as target:
    rows, out = csv.reader(source, delimiter=";"), csv.writer(target, delimiter=";")
    next(rows)
    for cells in rows:
        initiative = Initiative(id=cells[0], name=cells[1], voluntary=cells[5] == "oui")
        statuses, verdict = labo(initiative, params)
        out.writerow([cells[0], outcome[verdict], *(str(s) for s in statuses.values())])
"""


def write_call(folder: Path, rows: int) -> Path:
    """A call of ``rows`` applicants (the example's six, renumbered) and their members."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (SCREENING / "candidatures.csv").read_text(encoding="utf-8-sig").splitlines()
    members = (SCREENING / "candidatures-membres.csv").read_text(encoding="utf-8-sig")
    by_owner: dict[str, list[str]] = {}
    for line in members.splitlines()[1:]:
        owner, rest = line.split(";", 1)
        by_owner.setdefault(owner, []).append(rest)
    owners = sorted(by_owner)
    path = folder / "appel.csv"
    with (
        path.open("w", encoding="utf-8") as out,
        (folder / "appel-membres.csv").open("w", encoding="utf-8") as people,
    ):
        out.write(lines[0] + "\n")
        people.write(members.splitlines()[0] + "\n")
        for n in range(rows):
            out.write(f"C{n:06d};" + lines[1 + n % (len(lines) - 1)].split(";", 1)[1] + "\n")
            for rest in by_owner[owners[n % len(owners)]]:
                people.write(f"C{n:06d};{rest}\n")
    return path


_PEAK = """
import atexit, runpy, sys

def report(path=sys.argv[1]):
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w", encoding="ascii") as out:
        out.write(peak)

atexit.register(report)
kind, target, sys.argv = sys.argv[2], sys.argv[3], [sys.argv[3], *sys.argv[4:]]
if kind == "module":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    exec(compile(target, "<hand-written>", "exec"), {"__name__": "__main__"})
"""
"""Runs a module or a script and writes its peak resident memory (kB) as it exits."""


def peak_of(kind: str, target: str, arguments: list[str]) -> tuple[float, float]:
    """Peak resident memory (MB) and wall seconds of one Python process run to its end.

    ``kind`` is ``module`` (``target`` run as ``python -m``) or ``script`` (source text).
    """
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _PEAK, str(report), kind, target, *arguments],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.perf_counter() - start
        return int(report.read_text(encoding="ascii")) / 1024, seconds


def screen_memory(rows: int) -> dict[str, float]:
    """Peak memory of ``poletype screen`` on ``rows`` applicants, and of a hand-written loop."""
    with tempfile.TemporaryDirectory() as folder:
        source = write_call(Path(folder), rows)
        out = Path(folder) / "out"
        screen = ["screen", str(source), "-o", str(out), "-q"]
        screen_mb, screen_s = peak_of("module", "poletype", screen)
        hand = [str(source), str(out / "hand.csv")]
        hand_mb, hand_s = peak_of("script", _HANDWRITTEN_SCREEN, hand)
        with (out / "verdicts.jsonl").open("rb") as lines:
            written = sum(1 for _ in lines)
    return {
        "rows": rows,
        "written": written,
        "screen_mb": screen_mb,
        "screen_seconds": screen_s,
        "handwritten_mb": hand_mb,
        "handwritten_seconds": hand_s,
    }
