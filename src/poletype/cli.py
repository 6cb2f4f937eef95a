"""The ``poletype`` command: arguments in, reports out, exit codes scripts can trust.

Exit codes: 0 when the work is done (whatever the verdicts say), 1 when an input or a
rule file is bad (one line on standard error, no traceback), 2 for a usage error.
When several files are given, each gets its result or its error, in order: a bad file
never hides the others, and never disappears from the output. ``screen`` does the same
with the rows of a spreadsheet: 1 when any row failed, after writing every output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from poletype._analysis.hypotheses import SHIPPED as SHIPPED_HYPOTHESES
from poletype._analysis.hypotheses import check_hypotheses
from poletype._api import read_initiative, trajectory
from poletype._cli.batch import (
    classify_lines,
    rendered,
    start_worker,
    typology_set,
    worker_outputs,
)
from poletype._cli.inputs import (
    Error,
    attempt_unit,
    json_text,
    param_and_lang,
    per_file,
    read_units,
    with_status,
    write_json,
    write_json_texts,
)
from poletype._cli.research import (
    fit_command,
    fit_options,
    rates_text,
    rerun_command,
    research_options,
    run_manifest,
    sweep_command,
)
from poletype._cli.serve import serve_command, serve_options
from poletype._engine.typology import Typology
from poletype._read.data import Lang
from poletype._render.report import (
    explain_markdown,
    explain_text,
    hypotheses_text,
    trajectory_text,
)
from poletype._rules.classify import (
    DEFAULT_TYPOLOGY,
    GRADED_TYPOLOGY,
    check_typology,
    classify,
    load_typology,
    typologies,
)
from poletype._rules.examples import run_examples
from poletype.errors import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    PoletypeError,
    UsageError,
)
from poletype.model import Initiative
from poletype.verdict import Verdict

ALL = "all"
T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"poletype: error: {message}\n")


def _classify_options(p: argparse.ArgumentParser, typology: str) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--typology",
        "-t",
        default=typology,
        help="typology id or rule file ('all': every shipped typology, for classify)",
    )
    param_and_lang(p)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="poletype",
        description="Classify social-economy cooperation clusters against published typologies.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("classify", help="classify initiatives (YAML or JSON files)")
    _classify_options(p, DEFAULT_TYPOLOGY)
    p.add_argument(
        "--format",
        "-f",
        choices=["text", "json", "jsonl"],
        default="text",
        help="jsonl: one verdict (or error entry) per line, written as each is made",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="classify with N processes (for thousands of files; output order is kept)",
    )
    p.add_argument(
        "--backend",
        choices=["compiled", "interpreter"],
        default="compiled",
        help="evaluation backend (interpreter: rule-engine's own, the slow reference)",
    )
    _quiet_option(p)

    sub.add_parser("typologies", help="list the shipped typologies")

    p = sub.add_parser("explain", help="show every criterion of a typology with its source")
    p.add_argument("typology", metavar="TYPOLOGY")
    p.add_argument("--format", "-f", choices=["text", "markdown"], default="text")
    param_and_lang(p)

    p = sub.add_parser("validate", help="check initiative files or rule files")
    p.add_argument("files", nargs="+", metavar="FILE")

    p = sub.add_parser("schema", help="print a published JSON Schema (with $id and version)")
    p.add_argument(
        "which",
        nargs="?",
        choices=["initiative", "verdict", "rulefile", "hypotheses"],
        default="initiative",
    )

    p = sub.add_parser(
        "trajectory", help="classify an initiative at each dated snapshot (graded types)"
    )
    _classify_options(p, GRADED_TYPOLOGY)
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")

    p = sub.add_parser("map", help="plot initiatives on a graded typology's two axes")
    _classify_options(p, GRADED_TYPOLOGY)
    p.add_argument("--out", "-o", required=True, type=Path, help="map.png, map.svg or map.pdf")
    _map_options(p)

    p = sub.add_parser(
        "fit", help="set-theoretic fit (QCA) of a condition for an outcome, bounds under unknowns"
    )
    fit_options(p)

    p = sub.add_parser(
        "hypotheses", help="test typology hypotheses on a set of initiatives (researchers)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--hypotheses",
        default=SHIPPED_HYPOTHESES,
        help=f"a hypotheses file (default: the shipped {SHIPPED_HYPOTHESES})",
    )
    param_and_lang(p)
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument(
        "--by",
        default="labo-ess-ptce",
        help="group the rates by a typology's outcome or initiative.<path> (default: PTCE)",
    )

    p = sub.add_parser("test", help="run the examples written inside rule files")
    p.add_argument("files", nargs="+", metavar="RULEFILE")

    _screen_options(
        sub.add_parser(
            "screen", help="screen a call's applicants (CSV, XLSX, JSON Lines or a folder)"
        )
    )

    serve_options(sub.add_parser("serve", help="run the HTTP service (needs poletype[server])"))

    p = sub.add_parser("template", help="write an empty applicant spreadsheet to fill in")
    p.add_argument("--format", "-f", choices=["xlsx", "csv"], default="xlsx")
    p.add_argument("--out", "-o", required=True, type=Path, metavar="FILE")
    research_options(parser, sub)
    return parser


def _screen_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input", metavar="INPUT", help="a .csv, .xlsx or .jsonl file, or a folder of .yaml/.json"
    )
    p.add_argument(
        "--typology",
        "-t",
        action="append",
        default=[],
        help="typology id, repeatable ('all': every shipped one; default labo-ess-ptce)",
    )
    p.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="a rule file to screen with, repeatable (e.g. a funder's extension)",
    )
    p.add_argument(
        "--members",
        type=Path,
        metavar="FILE",
        help="members file keyed by applicant_id (default: the workbook's 'membres' sheet, "
        "or NAME-membres.csv beside a CSV)",
    )
    p.add_argument(
        "--columns",
        type=Path,
        metavar="MAPPING",
        help="a YAML file mapping your form's column headers to fields, and your words to codes",
    )
    p.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="the sheet row holding the column labels (default: found among the first rows)",
    )
    p.add_argument(
        "--csv-columns",
        choices=["words", "codes"],
        default="words",
        help="verdicts.csv headers and statuses in the report's language (words, default) "
        "or as stable codes for programs (codes)",
    )
    p.add_argument(
        "--out", "-o", required=True, type=Path, metavar="DIR", help="folder for the results"
    )
    p.add_argument(
        "--previous",
        type=Path,
        metavar="DIR",
        help="a previous run's --out folder: merge INPUT's answers into it by id, show "
        "what changed, keep the officer's decisions and notes",
    )
    p.add_argument(
        "--letters",
        action="store_true",
        help="also write a letter per applicant and a mail-merge CSV under OUT/lettres/",
    )
    param_and_lang(p)
    _quiet_option(p)


def _quiet_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="say only errors on stderr: no progress bar (shown on a terminal), notes or summary",
    )


def _map_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--labels", action=argparse.BooleanOptionalAction, default=True, help="name the points"
    )
    p.add_argument(
        "--colour-by",
        "--color-by",
        dest="colour_by",
        metavar="NAME",
        help="colour by 'outcome', 'leaning' or a set (type, criterion): met / not met / unknown",
    )
    p.add_argument(
        "--boxes",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw what the unknowns allow as dashed boxes (default: no boxes)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for --manifest
    try:
        handler = _COMMANDS[args.command]
        return handler(args)
    except PoletypeError as exc:
        print(f"poletype: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return EXIT_OK


def _classify(args: argparse.Namespace) -> int:
    chosen = typology_set(args.typology, dict(args.param))
    if args.jobs < 1:
        raise UsageError(
            f"--jobs must be at least 1, not {args.jobs}", code="bad-parameter", expected="N >= 1"
        )
    lang = cast(Lang, args.lang)
    if args.format == "jsonl":
        return classify_lines(args, chosen, lang)
    units = read_units(args.files)
    pairs: list[tuple[Verdict, Typology]] = []
    outputs: list[list[Any] | Error]
    # A manifest hashes the verdicts themselves, which --jobs workers do not send back.
    if args.jobs == 1 or len(units) < 2 or getattr(args, "manifest", None) is not None:

        def each_typology(initiative: Initiative) -> list[tuple[Verdict, Typology]]:
            return [(classify(initiative, t, backend=args.backend), t) for t in chosen]

        verdicts, status = with_status([attempt_unit(unit, each_typology) for unit in units])
        pairs = [pair for r in verdicts if isinstance(r, list) for pair in r]
        outputs = [rendered(r, args.format, lang) if isinstance(r, list) else r for r in verdicts]
    else:
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only for --jobs

        start = (args.typology, dict(args.param), args.backend, args.format, lang)
        with ProcessPoolExecutor(args.jobs, initializer=start_worker, initargs=start) as pool:
            # A few large batches per process: one task per file costs more than it runs.
            chunk = max(1, -(-len(units) // (args.jobs * 4)))
            outputs, status = with_status(list(pool.map(worker_outputs, units, chunksize=chunk)))
    if args.format == "json":
        texts: list[str] = []
        for r in outputs:
            texts += r if isinstance(r, list) else [json_text(r)]
        write_json_texts(texts, single=args.typology != ALL)
    else:
        rule = "\n" + "=" * 78 + "\n\n" if len(chosen) > 1 else "\n"
        sys.stdout.write(rule.join(text for r in outputs if isinstance(r, list) for text in r))
    run_manifest(args, typologies=chosen, units=units, verdicts=[v for v, _ in pairs])
    return status


def _trajectory(args: argparse.Namespace) -> int:
    typology = load_typology(args.typology, dict(args.param))
    results, status = per_file(args.files, lambda initiative: trajectory(initiative, typology))
    if args.format == "json":
        items = [r if isinstance(r, dict) else r.model_dump(mode="json") for r in results]
        write_json(items, single=True)
    else:
        lang = cast(Lang, args.lang)
        texts = [trajectory_text(r, typology, lang) for r in results if not isinstance(r, dict)]
        sys.stdout.write("\n".join(texts))
    return status


def _map(args: argparse.Namespace) -> int:
    from poletype._render.map import draw_map  # noqa: PLC0415 - matplotlib loads only for maps

    typology = load_typology(args.typology, dict(args.param))
    results, status = per_file(
        args.files,
        lambda initiative: [p.verdict for p in trajectory(initiative, typology).points],
    )
    series = [r for r in results if isinstance(r, list)]
    if not series:
        return status
    out = draw_map(
        series,
        typology,
        args.out,
        cast(Lang, args.lang),
        labels=args.labels,
        colour_by=args.colour_by,
        boxes=args.boxes,
    )
    print(f"{out} ({len(series)} initiatives)")
    return status


def _hypotheses(args: argparse.Namespace) -> int:
    results, status = per_file(args.files, lambda initiative: initiative)
    cases = [r for r in results if isinstance(r, Initiative)]
    report = check_hypotheses(cases, args.hypotheses, dict(args.param))
    if args.format == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(hypotheses_text(report, cast(Lang, args.lang)))
        sys.stdout.write(rates_text(report, args.by))
    run_manifest(args, units=read_units(args.files), hypotheses=report)
    return status


def _typologies(_: argparse.Namespace) -> int:
    for typology_id in typologies():
        typology = load_typology(typology_id)
        print(f"{typology_id}\t{typology.version}\t{typology.title.fr} / {typology.title.en}")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    typology = load_typology(args.typology, dict(args.param))
    render = explain_markdown if args.format == "markdown" else explain_text
    sys.stdout.write(render(typology, cast(Lang, args.lang)))
    return EXIT_OK


def _is_rule_file(path: str) -> bool:
    try:
        with Path(path).open(encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("typology:") for line in head.splitlines())


def _validate(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for file in args.files:
        if _is_rule_file(file):
            errors = check_typology(file)
            for error in errors:
                print(f"poletype: {error}", file=sys.stderr)
            if errors:
                status = EXIT_BAD_INPUT
            else:
                print(f"{file}: rule file OK")
            continue
        try:
            initiative = read_initiative(file)
        except PoletypeError as exc:
            print(f"poletype: {exc}", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        print(f"{file}: initiative {initiative.name!r} OK")
    return status


def _schema(args: argparse.Namespace) -> int:
    from poletype._render.schemas import shipped, text  # noqa: PLC0415 - only this command reads them

    sys.stdout.write(text(shipped(args.which)))
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for file in args.files:
        typology = load_typology(file)
        results = run_examples(typology)
        failed = [r for r in results if not r.passed]
        for r in results:
            mark = "ok  " if r.passed else "FAIL"
            where = r.criterion or "verdict"
            detail = "" if r.passed else f" (expected {r.expected}, got {r.got})"
            if r.error is not None:
                detail = f" ({r.error})"
            print(f"{mark} {where}: {r.name}{detail}")
        print(f"{typology.file}: {len(results) - len(failed)} passed, {len(failed)} failed")
        if failed:
            status = EXIT_BAD_INPUT
    return status


def _screen(args: argparse.Namespace) -> int:
    from poletype._cli.screen import screen_command  # noqa: PLC0415 - the screening side loads here

    return screen_command(args)


def _template(args: argparse.Namespace) -> int:
    from poletype._screening.template import write_template  # noqa: PLC0415 - openpyxl loads here

    for path in write_template(args.out, args.format):
        print(path)
    return EXIT_OK


# Research: case tables, sweeps, manifests -------------------------------------------------


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "classify": _classify,
    "typologies": _typologies,
    "explain": _explain,
    "validate": _validate,
    "schema": _schema,
    "test": _test,
    "trajectory": _trajectory,
    "hypotheses": _hypotheses,
    "map": _map,
    "fit": fit_command,
    "screen": _screen,
    "template": _template,
    "sweep": sweep_command,
    "rerun": lambda args: rerun_command(args, _build_parser, _COMMANDS),
    "serve": serve_command,
}
