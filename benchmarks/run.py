"""Time poletype's evaluation backends against each other and against hand-written Python.

Run from the repository root with the development environment::

    .venv/bin/python benchmarks/run.py              # 10,000 initiatives, the published table
    .venv/bin/python benchmarks/run.py --quick      # a smoke run in a few seconds
    .venv/bin/python benchmarks/run.py --markdown table.md

Everything runs in this one process on the same two generated workloads (fully known, and
the same initiatives with about 20 % of their fields unknown), so the ratios compare like
with like. The interpreter is timed on the first ``--interpreter-sample`` initiatives only;
its speed-up ratio compares it with the compiled backend timed on the same sample. Each
measure is the best of ``--repeats`` runs after a warm-up run (the least disturbed run
on a shared machine); the garbage collector stays on, as it is for users.

The results of every timed run are also compared: the three evaluations must give the same
statuses and verdicts, and the two backends byte-identical verdict JSON. The exit status
is 1 if any of them disagree, 0 otherwise, whether or not the timing targets are met.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import poletype  # noqa: E402
from benchmarks import scale  # noqa: E402
from benchmarks.handwritten_labo import labo  # noqa: E402
from benchmarks.workload import SEED, generate  # noqa: E402
from poletype._engine import evaluator as _evaluator  # noqa: E402
from poletype.model import Initiative  # noqa: E402

T = TypeVar("T")
Backend = Literal["compiled", "interpreter"]
TYPOLOGY = "labo-ess-ptce"
EXAMPLE = ROOT / "examples" / "pole-exemple-complet.yaml"
OUTCOMES = {True: "ptce", False: "not_ptce", None: "indeterminate"}

# Targets of issue 5.
MAX_COMPILED_OVER_HANDWRITTEN = 1.5
MIN_SPEEDUP_OVER_INTERPRETER = 50.0
MIN_CLASSIFY_PER_SECOND = 20_000.0
MAX_LOAD_SECONDS = 0.100
MAX_COLD_CLI_SECONDS = 0.5
# Targets of issue 15.
MAX_MISSING_OVER_HANDWRITTEN = 10.0
MAX_JSON_OVER_CLASSIFY = 5.0
MAX_BY_ID_OVER_HANDWRITTEN = 3.0
MIN_COLUMNAR_ROWS_PER_SECOND = 500_000.0
MAX_JOBS2_OVER_ONE = 1.0
MAX_SCREEN_MB = 300.0

_LOAD_SCRIPT = """
import json, time
t0 = time.perf_counter()
import poletype
from poletype.model import Initiative
t1 = time.perf_counter()
loaded = [poletype.load_typology(t) for t in poletype.typologies()]
t2 = time.perf_counter()
empty = Initiative(name="x")
for typology in loaded:
    poletype.classify(empty, typology, backend="compiled")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first": t3 - t2, "count": len(loaded)}))
"""


@dataclass(frozen=True)
class Row:
    """One timed measure: what ran, on how many initiatives, and how fast."""

    measure: str
    workload: str
    backend: str
    timed: int
    of: int
    seconds: float
    vs_interpreter: float | None = None
    vs_handwritten: float | None = None

    @property
    def us_per_initiative(self) -> float:
        """Microseconds per initiative."""
        return self.seconds / self.timed * 1e6

    @property
    def per_second(self) -> float:
        """Initiatives (verdicts) per second."""
        return self.timed / self.seconds


@dataclass(frozen=True)
class Target:
    """One target of the issue and whether this run meets it."""

    name: str
    measured: str
    threshold: str
    met: bool


@dataclass(frozen=True)
class Check:
    """One agreement check and how many cases disagreed."""

    name: str
    compared: int
    disagreements: int


@dataclass
class Results:
    """Everything one run measured."""

    rows: list[Row]
    checks: list[Check]
    headlines: dict[str, dict[str, Any]]
    loading: dict[str, float]
    cold: list[float]
    cli_shown: str
    scale: dict[str, dict[str, float]] = field(default_factory=dict)


def best_of(work: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The shortest wall time of ``repeats`` runs after a warm-up run, and the last result.

    The garbage collector stays on (a caller's program runs with it), and each run
    starts from a full collection, so that none pays for the garbage of the one before.
    """
    results = [work()]
    best = float("inf")
    for _ in range(repeats):
        results.clear()  # not alive, for the collector to walk, while the next run runs
        gc.collect()
        start = time.perf_counter()
        results.append(work())
        best = min(best, time.perf_counter() - start)
    return best, results[0]


Decision = tuple[dict[str, bool | None], bool | None]


def decide_all(typology: Any, items: Sequence[Initiative], backend: Backend) -> list[Decision]:
    """Statuses and verdict condition of every initiative, by one backend."""
    decide = _evaluator.decide
    return [decide(typology, i, backend=backend) for i in items]


def labo_all(params: dict[str, Any], items: Sequence[Initiative]) -> list[Decision]:
    """The same, by the hand-written function."""
    return [labo(i, params) for i in items]


def classify_all(typology: Any, items: Sequence[Initiative], backend: Backend) -> list[Any]:
    """Full verdicts, one ``classify`` call per initiative."""
    classify = poletype.classify
    return [classify(i, typology, backend=backend) for i in items]


def classify_missing_all(typology: Any, items: Sequence[Initiative]) -> list[Any]:
    """Verdicts and the facts missing for each: what a triage of incomplete files reads.

    ``missing`` is computed from the decided values, without rendering any sentence.
    """
    classify = poletype.classify
    return [classify(i, typology).missing for i in items]


def classify_json_all(typology: Any, items: Sequence[Initiative], backend: Backend) -> list[str]:
    """Full verdicts written out as JSON: every justification rendered, in both languages.

    ``classify`` defers a verdict's justifications until they are read; this is what a
    batch that writes every verdict pays.
    """
    classify = poletype.classify
    return [classify(i, typology, backend=backend).to_json(indent=None) for i in items]


def classify_many_all(typology: Any, items: Sequence[Initiative]) -> list[Any]:
    """Full verdicts through the streaming batch API."""
    return list(poletype.classify_many(items, typology, backend="compiled"))


def differing(left: Sequence[Any], right: Sequence[Any]) -> int:
    """How many positions hold different values."""
    return sum(1 for a, b in zip(left, right, strict=True) if a != b)


def from_verdict(verdict: Any) -> Decision:
    """The statuses and verdict condition a full verdict states, as `decide` gives them."""
    status = {"met": True, "not_met": False, "unknown": None}
    statuses = {c.id: status[c.status] for c in verdict.criteria}
    condition = next(k for k, v in OUTCOMES.items() if v == verdict.outcome)
    return statuses, condition


def run_workload(
    label: str,
    items: list[Initiative],
    typology: Any,
    *,
    sample: int,
    repeats: int,
    interpreter_repeats: int,
) -> tuple[list[Row], list[Check], dict[str, Any]]:
    """Every timed row of one workload, the agreement checks, and the headline ratios."""
    params = typology.params_value
    head = items[:sample]
    n, s = len(items), len(head)

    t_ia, dec_ia = best_of(lambda: decide_all(typology, head, "interpreter"), interpreter_repeats)
    t_ib, dec_ib_head = best_of(lambda: decide_all(typology, head, "compiled"), repeats)
    t_b, dec_b = best_of(lambda: decide_all(typology, items, "compiled"), repeats)
    t_c, dec_c = best_of(lambda: labo_all(params, items), repeats)

    t_ka, ver_a = best_of(lambda: classify_all(typology, head, "interpreter"), interpreter_repeats)
    t_kb_head, _ = best_of(lambda: classify_all(typology, head, "compiled"), repeats)
    t_kb, ver_b = best_of(lambda: classify_all(typology, items, "compiled"), repeats)
    t_km, ver_m = best_of(lambda: classify_many_all(typology, items), repeats)
    t_mb, missing_b = best_of(lambda: classify_missing_all(typology, items), repeats)
    t_ja, _ = best_of(lambda: classify_json_all(typology, head, "interpreter"), interpreter_repeats)
    t_jb_head, _ = best_of(lambda: classify_json_all(typology, head, "compiled"), repeats)
    t_jb, _ = best_of(lambda: classify_json_all(typology, items, "compiled"), repeats)

    eval_speedup = (t_ia / s) / (t_ib / s)
    eval_ratio = (t_b / n) / (t_c / n)
    classify_speedup = (t_ka / s) / (t_kb_head / s)
    rows = [
        Row("evaluation", label, "(a) interpreter", s, n, t_ia),
        Row("evaluation", label, "(b) compiled", n, n, t_b, eval_speedup, eval_ratio),
        Row("evaluation", label, "(c) hand-written", n, n, t_c),
        Row("classify", label, "(a) interpreter", s, n, t_ka),
        Row("classify", label, "(b) compiled", n, n, t_kb, classify_speedup),
        Row("classify_many", label, "(b) compiled", n, n, t_km),
        Row("classify + missing", label, "(b) compiled", n, n, t_mb, None, t_mb / t_c),
        Row("classify + to_json", label, "(a) interpreter", s, n, t_ja),
        Row("classify + to_json", label, "(b) compiled", n, n, t_jb, t_ja / t_jb_head),
    ]

    json_a = [v.to_json(indent=None) for v in ver_a]
    json_b = [v.to_json(indent=None) for v in ver_b]
    checks = [
        Check(
            f"{label}: statuses, (a) interpreter vs (c) hand-written",
            s,
            differing(dec_ia, dec_c[:s]),
        ),
        Check(f"{label}: statuses, (b) compiled vs (c) hand-written", n, differing(dec_b, dec_c)),
        Check(
            f"{label}: statuses, (b) compiled vs (a) interpreter", s, differing(dec_ib_head, dec_ia)
        ),
        Check(
            f"{label}: verdict JSON, (b) compiled vs (a) interpreter",
            s,
            differing(json_b[:s], json_a),
        ),
        Check(
            f"{label}: verdict statuses, (b) compiled classify vs (c) hand-written",
            n,
            differing([from_verdict(v) for v in ver_b], dec_c),
        ),
        Check(
            f"{label}: verdict JSON, classify_many vs classify",
            n,
            differing([v.to_json(indent=None) for v in ver_m], json_b),
        ),
        Check(
            f"{label}: missing, (b) compiled read alone vs (a) interpreter",
            s,
            differing(missing_b[:s], [v.missing for v in ver_a]),
        ),
    ]
    headline = {
        "eval_speedup": eval_speedup,
        "eval_ratio": eval_ratio,
        "classify_per_second": n / t_kb,
        "missing_ratio": t_mb / t_c,
        "json_ratio": t_jb / t_kb,
        "outcomes": {o: sum(1 for _, v in dec_c if OUTCOMES[v] == o) for o in OUTCOMES.values()},
    }
    return rows, checks, headline


def _median_subprocess(command: list[str], repeats: int) -> list[float]:
    """Wall times of ``repeats`` fresh runs of ``command``, after one untimed run."""
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def time_loading(repeats: int) -> dict[str, float]:
    """Import, load and first-classify times of all shipped rule files, medians of fresh runs.

    Each run is a new interpreter, so no compiled typology is cached; ``load`` is
    ``load_typology`` of every shipped id, ``first`` one compiled ``classify`` of an empty
    initiative per typology, which includes any compilation done on first use.
    """
    subprocess.run([sys.executable, "-c", _LOAD_SCRIPT], check=True, capture_output=True)
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _LOAD_SCRIPT], check=True, capture_output=True, text=True
        )
        runs.append(json.loads(out.stdout))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def cli_command() -> tuple[list[str], str]:
    """The installed ``poletype`` console script next to this Python, and how it is shown."""
    script = Path(sys.executable).parent / ("poletype.exe" if os.name == "nt" else "poletype")
    example = str(EXAMPLE.relative_to(ROOT))
    if script.exists():
        return [str(script), "classify", example], f"poletype classify {example}"
    return [
        sys.executable,
        "-m",
        "poletype",
        "classify",
        example,
    ], f"python -m poletype classify {example}"


def machine() -> dict[str, str]:
    """What the table was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} logical, {usable} usable by this process",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "poletype": metadata.version("poletype"),
        "rule-engine": metadata.version("rule-engine"),
        "pydantic": metadata.version("pydantic"),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
    }


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def render(args: argparse.Namespace, results: Results) -> str:
    """The report as markdown."""
    loading, cold, cli_shown = results.loading, results.cold, results.cli_shown
    outcomes = {label: h["outcomes"] for label, h in results.headlines.items()}
    out = ["## Benchmark: Labo de l'ESS typology", ""]
    out += [f"- {key}: {value}" for key, value in machine().items()]
    out += [
        f"- workload: {args.n:,} generated initiatives (seed {args.seed}), fully known and "
        f"with fields absent at rate {args.unknown}; outcomes (hand-written): "
        + "; ".join(
            f"{label}: " + ", ".join(f"{o} {c:,}" for o, c in counts.items())
            for label, counts in outcomes.items()
        ),
        f"- timing: best of {args.repeats} runs after a warm-up "
        f"({args.interpreter_repeats} for the interpreter, timed on the first "
        f"{min(args.interpreter_sample, args.n):,} initiatives only); one process, one core; "
        "`b/a` is the speed-up of the compiled backend over the interpreter on that same "
        "sample, `b/c` the compiled backend's time over the hand-written function's",
        "",
        "| measure | workload | backend | initiatives timed | µs / initiative | verdicts / s "
        "| b/a (×) | b/c |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results.rows:
        timed = f"{r.timed:,}" if r.timed == r.of else f"{r.timed:,} of {r.of:,}"
        out.append(
            f"| {r.measure} | {r.workload} | {r.backend} | {timed} | {_num(r.us_per_initiative)} "
            f"| {_num(r.per_second, 0)} "
            f"| {'' if r.vs_interpreter is None else _num(r.vs_interpreter)} "
            f"| {'' if r.vs_handwritten is None else _num(r.vs_handwritten, 2)} |"
        )
    out += [
        "",
        f"Load and compile, fresh process, median of {args.process_repeats}: import poletype "
        f"{_num(loading['import'] * 1e3)} ms; `load_typology` of the {int(loading['count'])} "
        f"shipped rule files {_num(loading['load'] * 1e3)} ms; then one compiled `classify` "
        f"each {_num(loading['first'] * 1e3)} ms.",
        f"Cold `{cli_shown}`: median {_num(statistics.median(cold), 3)} s wall of "
        f"{len(cold)} runs (min {_num(min(cold), 3)} s, max {_num(max(cold), 3)} s).",
        *scale_lines(results.scale),
        "",
        "| target | measured | threshold | result |",
        "|---|---:|---:|---|",
    ]
    out += [
        f"| {t.name} | {t.measured} | {t.threshold} | {'PASS' if t.met else 'FAIL'} |"
        for t in targets_of(results)
    ]
    out += ["", "| agreement check | compared | disagreements |", "|---|---:|---:|"]
    out += [f"| {c.name} | {c.compared:,} | {c.disagreements} |" for c in results.checks]
    return "\n".join(out) + "\n"


def scale_lines(measured: dict[str, dict[str, float]]) -> list[str]:
    """The issue-15 measures, below the table."""
    if not measured:
        return []
    by_id, col, jobs = measured["by_id"], measured["columnar"], measured["jobs"]
    memory = measured["screen"]
    return [
        "",
        f'Scale (issue 15): `classify(x, "labo-ess-ptce")` by id, {int(by_id["n"]):,} '
        f"initiatives (20 % unknown): {_num(by_id['by_id'] / by_id['n'] * 1e6)} µs each, "
        f"{by_id['by_id'] / by_id['handwritten']:.2f}× hand-written "
        f"({_num(by_id['handwritten'] / by_id['n'] * 1e6, 2)} µs). "
        + (
            "`decide_frame`: not measured (the error is on standard error). "
            if col.get("failed")
            else f"`decide_frame` on {int(col['rows']):,} rows of a polars frame (member "
            f"counts): {_num(col['seconds'], 2)} s, {_num(col['rows'] / col['seconds'], 0)} "
            "rows/s, one core. "
        )
        + f"`poletype classify --format json` on {int(jobs['files'])} files: one process "
        f"{_num(jobs['one'], 2)} s, `--jobs 2` {_num(jobs['two'], 2)} s (best of runs). "
        f"`poletype screen` on {int(memory['rows']):,} applicants with their members: peak "
        f"resident memory {_num(memory['screen_mb'])} MB in {_num(memory['screen_seconds'])} s "
        f"({_num(memory['screen_seconds'] / memory['rows'] * 1e3, 2)} ms a row); a "
        f"hand-written streaming loop over the same CSV {_num(memory['handwritten_mb'])} MB "
        f"({memory['screen_mb'] / memory['handwritten_mb']:.2f}×).",
    ]


def scale_targets(measured: dict[str, dict[str, float]]) -> list[Target]:
    """The targets of issue 15."""
    if not measured:
        return []
    by_id, col, jobs = measured["by_id"], measured["columnar"], measured["jobs"]
    memory = measured["screen"]
    ratio = by_id["by_id"] / by_id["handwritten"]
    rate = 0.0 if col.get("failed") else col["rows"] / col["seconds"]
    jobs_ratio = jobs["two"] / jobs["one"]
    return [
        Target(
            "classify by id vs hand-written",
            f"{ratio:.2f}×",
            f"≤ {MAX_BY_ID_OVER_HANDWRITTEN:.0f}×",
            ratio <= MAX_BY_ID_OVER_HANDWRITTEN,
        ),
        Target(
            "decide_frame, Labo, one core",
            f"{rate:,.0f} rows/s",
            f"≥ {MIN_COLUMNAR_ROWS_PER_SECOND:,.0f} rows/s",
            rate >= MIN_COLUMNAR_ROWS_PER_SECOND,
        ),
        Target(
            f"CLI JSON, {int(jobs['files'])} files, `--jobs 2` / one process",
            f"{jobs_ratio:.2f}",
            f"< {MAX_JOBS2_OVER_ONE:.0f}",
            jobs_ratio < MAX_JOBS2_OVER_ONE,
        ),
        Target(
            f"`poletype screen`, {int(memory['rows']):,} rows, peak resident memory",
            f"{memory['screen_mb']:,.0f} MB",
            f"< {MAX_SCREEN_MB:.0f} MB",
            memory["screen_mb"] < MAX_SCREEN_MB,
        ),
    ]


def measure_scale(
    args: argparse.Namespace, items: list[Initiative], typology: Any
) -> tuple[dict[str, dict[str, float]], list[Check]]:
    """The issue-15 measures and their agreement checks."""
    params = dict(typology.params_value)
    by_id = scale.by_id(items, params, args.repeats)
    try:
        col = scale.columnar(items, params, args.columnar_rows, args.repeats)
    except Exception as error:  # said, and the other measures still run
        print(f"decide_frame not measured: {error!r}", file=sys.stderr)
        col = {"rows": 0.0, "seconds": 0.0, "disagreements": 0.0, "failed": 1.0}
    jobs = scale.cli_jobs(args.cli_files, max(1, args.process_repeats // 2))
    print(f"screening {args.screen_rows:,} applicants...", file=sys.stderr)
    memory = scale.screen_memory(args.screen_rows)
    checks = [
        Check("decide_frame vs (c) hand-written", len(items), int(col["disagreements"])),
        Check(
            f"CLI JSON, --jobs 2 vs one process ({int(jobs['files'])} files)",
            1,
            int(not jobs["same"]),
        ),
        Check(
            "screen: one verdicts.jsonl line per input row",
            int(memory["rows"]),
            abs(int(memory["rows"]) - int(memory["written"])),
        ),
    ]
    return {"by_id": by_id, "columnar": col, "jobs": jobs, "screen": memory}, checks


def targets_of(results: Results) -> list[Target]:
    """Each target of the issue, per workload where it is a per-initiative figure."""
    found = []
    for label, h in results.headlines.items():
        found += [
            Target(
                f"compiled evaluation vs hand-written ({label})",
                f"{h['eval_ratio']:.2f}×",
                f"≤ {MAX_COMPILED_OVER_HANDWRITTEN}×",
                h["eval_ratio"] <= MAX_COMPILED_OVER_HANDWRITTEN,
            ),
            Target(
                f"compiled evaluation vs interpreter ({label})",
                f"{h['eval_speedup']:,.1f}× faster",
                f"≥ {MIN_SPEEDUP_OVER_INTERPRETER:.0f}×",
                h["eval_speedup"] >= MIN_SPEEDUP_OVER_INTERPRETER,
            ),
            Target(
                f"full classify, compiled, one core ({label})",
                f"{h['classify_per_second']:,.0f} / s",
                f"≥ {MIN_CLASSIFY_PER_SECOND:,.0f} / s",
                h["classify_per_second"] >= MIN_CLASSIFY_PER_SECOND,
            ),
            Target(
                f"classify + missing vs hand-written ({label})",
                f"{h['missing_ratio']:.2f}×",
                f"≤ {MAX_MISSING_OVER_HANDWRITTEN:.0f}×",
                h["missing_ratio"] <= MAX_MISSING_OVER_HANDWRITTEN,
            ),
            Target(
                f"classify + to_json vs classify ({label})",
                f"{h['json_ratio']:.2f}×",
                f"≤ {MAX_JSON_OVER_CLASSIFY:.0f}×",
                h["json_ratio"] <= MAX_JSON_OVER_CLASSIFY,
            ),
        ]
    found += scale_targets(results.scale)
    load = results.loading["load"] + results.loading["first"]
    cold_median = statistics.median(results.cold)
    found += [
        Target(
            "load and compile every shipped rule file (incl. first compiled classify)",
            f"{load * 1e3:,.1f} ms",
            f"< {MAX_LOAD_SECONDS * 1e3:.0f} ms",
            load < MAX_LOAD_SECONDS,
        ),
        Target(
            f"cold `{results.cli_shown}`",
            f"{cold_median:.3f} s",
            f"< {MAX_COLD_CLI_SECONDS} s",
            cold_median < MAX_COLD_CLI_SECONDS,
        ),
    ]
    return found


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--n", type=int, default=10_000, help="initiatives per workload")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--unknown", type=float, default=0.2, help="absence rate of the 2nd workload")
    p.add_argument("--interpreter-sample", type=int, default=500, metavar="N")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per measure (best kept)")
    p.add_argument("--interpreter-repeats", type=int, default=3, metavar="N")
    p.add_argument("--process-repeats", type=int, default=5, metavar="N")
    p.add_argument("--columnar-rows", type=int, default=1_000_000, metavar="N")
    p.add_argument("--cli-files", type=int, default=400, metavar="N")
    p.add_argument("--screen-rows", type=int, default=100_000, metavar="N")
    p.add_argument("--quick", action="store_true", help="a small smoke run")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report here")
    args = p.parse_args(argv)
    if args.quick:
        args.n = min(args.n, 1_000)
        args.interpreter_sample = min(args.interpreter_sample, 100)
        args.repeats = min(args.repeats, 2)
        args.interpreter_repeats = 1
        args.process_repeats = min(args.process_repeats, 2)
        args.columnar_rows = min(args.columnar_rows, 100_000)
        args.cli_files = min(args.cli_files, 100)
        args.screen_rows = min(args.screen_rows, 2_000)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite, print the report, and say whether every check agreed."""
    args = parse(argv)
    typology = poletype.load_typology(TYPOLOGY)
    rows: list[Row] = []
    checks: list[Check] = []
    headlines: dict[str, dict[str, Any]] = {}
    for label, rate in (("known", 0.0), (f"{args.unknown:.0%} unknown", args.unknown)):
        print(f"generating and timing the {label} workload...", file=sys.stderr)
        items = generate(args.n, args.seed, rate)
        r, c, h = run_workload(
            label,
            items,
            typology,
            sample=min(args.interpreter_sample, args.n),
            repeats=args.repeats,
            interpreter_repeats=args.interpreter_repeats,
        )
        rows += r
        checks += c
        headlines[label] = h
    print("timing the scale measures...", file=sys.stderr)
    scaled, scale_checks = measure_scale(args, items, typology)
    checks += scale_checks
    print("timing fresh processes...", file=sys.stderr)
    loading = time_loading(args.process_repeats)
    command, shown = cli_command()
    cold = _median_subprocess(command, args.process_repeats)
    results = Results(rows, checks, headlines, loading, cold, shown, scaled)
    report = render(args, results)
    print(report)
    if args.markdown is not None:
        args.markdown.write_text(report, encoding="utf-8")
    disagreements = sum(c.disagreements for c in checks)
    print(f"disagreements: {disagreements}", file=sys.stderr)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
