"""Classifying many cases: ``--jobs`` processes, and ``--format jsonl`` as a stream.

A ``--jobs`` process loads the typologies once and sends back each file's verdicts
already rendered (JSON or text): rendering is most of the work. ``classify --format
jsonl`` writes each verdict (or error entry) on its own line as soon as it is made,
reading its inputs as it goes, so that a case table of any size streams through in
the memory of a few cases.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from poletype._cli.inputs import Case, Error, Units, attempt_unit, json_text
from poletype._cli.progress import ProgressBar
from poletype._cli.research import ManifestEntries, run_manifest
from poletype._engine.interpreter import Backend
from poletype._engine.typology import Typology
from poletype._read.data import Lang
from poletype._render.report import verdict_text
from poletype._rules.classify import classify, load_typologies, load_typology, typologies
from poletype.errors import EXIT_BAD_INPUT, EXIT_OK
from poletype.model import Initiative
from poletype.verdict import Verdict

ALL = "all"


def typology_set(name: str, params: dict[str, Any]) -> list[Typology]:
    """One typology, or with ``all`` every shipped one (each given the parameters it has)."""
    if name != ALL:
        return [load_typology(name, params)]
    return load_typologies(typologies(), params, which="shipped typology")


_worker: tuple[list[Typology], Backend, str, Lang] = ([], "compiled", "json", "fr")


def start_worker(
    typology: str, params: dict[str, Any], backend: Backend, output: str, lang: Lang
) -> None:
    """Load the typologies once in each ``--jobs`` process."""
    global _worker  # noqa: PLW0603 - one per process, set before any file is handed over
    _worker = (typology_set(typology, params), backend, output, lang)


def worker_outputs(file: str | Case) -> list[Any] | Error:
    """One file's verdicts, already rendered: what crosses back is JSON data or text.

    Rendering is most of the work; done here it runs in parallel, and the parent
    process only writes (a `Verdict` sent back would be rendered by the parent, alone).
    """
    typologies, backend, output, lang = _worker
    return attempt_unit(
        file,
        lambda i: rendered(
            [(classify(i, t, backend=backend), t) for t in typologies], output, lang
        ),
    )


def rendered(pairs: list[tuple[Verdict, Typology]], output: str, lang: Lang) -> list[Any]:
    """Each verdict as the chosen output shows it: a JSON object, a JSON line, or its text."""
    if output == "json":
        return [json_text(v.model_dump(mode="json")) for v, _ in pairs]
    if output == "jsonl":
        return [json.dumps(v.model_dump(mode="json"), ensure_ascii=False) for v, _ in pairs]
    return [verdict_text(v, t, lang) for v, t in pairs]


def classify_lines(args: argparse.Namespace, chosen: list[Typology], lang: Lang) -> int:
    """``--format jsonl``: each verdict or error entry on a line as soon as it is made.

    The inputs are read as they are needed (`Units`) and nothing is kept once written,
    so that a case table of any size streams through; ``--jobs`` hands the processes a
    window of units at a time. A progress bar shows on a terminal (not with --quiet).
    """
    units = Units(args.files)
    bar = ProgressBar(quiet=args.quiet)
    manifest = ManifestEntries() if getattr(args, "manifest", None) is not None else None
    if args.jobs == 1 or manifest is not None:

        def each_typology(initiative: Initiative) -> list[str]:
            verdicts = [classify(initiative, t, backend=args.backend) for t in chosen]
            if manifest is not None:
                manifest.add_case(initiative)
                manifest.add_verdicts(verdicts)
            return [json.dumps(v.model_dump(mode="json"), ensure_ascii=False) for v in verdicts]

        results: Iterator[list[Any] | Error] = (attempt_unit(u, each_typology) for u in units)
    else:
        results = _in_processes(args, units, (args.typology, dict(args.param), args.backend, lang))
    status, done = EXIT_OK, 0
    for result in results:
        if isinstance(result, dict):
            status = EXIT_BAD_INPUT
            bar.say(f"poletype: {result['error']['message']}")
            result = [json.dumps(result, ensure_ascii=False)]  # noqa: PLW2901 - its line
        sys.stdout.write("".join(line + "\n" for line in result))
        done += 1
        bar.update(done, units.expected)
    bar.close(done)
    run_manifest(args, typologies=chosen, entries=manifest)
    return status


def _in_processes(
    args: argparse.Namespace, units: Units, start: tuple[Any, ...]
) -> Iterator[list[Any] | Error]:
    """The JSON lines of each unit, rendered by ``--jobs`` processes, in input order."""
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only for --jobs

    window = args.jobs * 64
    with ProcessPoolExecutor(
        args.jobs, initializer=start_worker, initargs=(*start[:3], "jsonl", start[3])
    ) as pool:
        batch: list[str | Case] = []
        for unit in units:
            batch.append(unit)
            if len(batch) == window:
                yield from pool.map(worker_outputs, batch, chunksize=16)
                batch = []
        yield from pool.map(worker_outputs, batch, chunksize=16)
