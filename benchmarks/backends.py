"""Time the compiled backend on every shipped typology, known facts and 20 % unknown.

Issue 13 asked what the generated code buys over closures alone. This script times, per
typology and workload: for crisp typologies ``decide`` (statuses and verdict condition
only, a sweep's hot path); ``classify`` (the verdict, justifications rendered when first
read); ``classify`` + ``to_json`` (every justification rendered). Each figure is the best
of ``--repeats`` runs after a warm-up run::

    .venv/bin/python benchmarks/backends.py [--n 2000] [--repeats 3]

Prints a markdown table (µs per initiative) to standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import poletype  # noqa: E402
from benchmarks.run import best_of  # noqa: E402
from benchmarks.workload import SEED, generate  # noqa: E402
from poletype._engine import evaluator as _evaluator  # noqa: E402

CRISP = ("labo-ess-ptce", "loi-ess-2014-art9", "decret-2015-ptce", "geces-2021")
GRADED = ("matray-poisat", "slpi-ptce")


def main(argv: Sequence[str] | None = None) -> int:
    """Time every typology on both workloads and print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--n", type=int, default=2_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    workloads = {
        "known": generate(args.n, SEED),
        "20 % unknown": generate(args.n, SEED, unknown=0.2),
    }
    print("| typology | workload | decide µs | classify µs | classify + to_json µs |")
    print("|---|---|---:|---:|---:|")
    for tid in (*CRISP, *GRADED):
        typology = poletype.load_typology(tid)
        for label, items in workloads.items():
            decide = "—"
            if typology.verdict is not None:
                seconds, _ = best_of(
                    lambda t=typology, xs=items: [_evaluator.decide(t, i) for i in xs],
                    args.repeats,
                )
                decide = f"{seconds / len(items) * 1e6:.1f}"
            classify, _ = best_of(
                lambda t=typology, xs=items: [poletype.classify(i, t) for i in xs],
                args.repeats,
            )
            seconds, _ = best_of(
                lambda t=typology, xs=items: [
                    poletype.classify(i, t).to_json(indent=None) for i in xs
                ],
                args.repeats,
            )
            row = f"| {tid} | {label} | {decide} | {classify / len(items) * 1e6:.1f} "
            print(row + f"| {seconds / len(items) * 1e6:.1f} |")
            print(f"{tid} {label} done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
