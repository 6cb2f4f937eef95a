"""The ``poletype`` command: arguments in, reports out, exit codes scripts can trust.

Exit codes: 0 when the work is done (whatever the verdicts say), 1 when an input or a
rule file is bad (one line on standard error, no traceback), 2 for a usage error.
When several files are given, each gets its result or its error, in order: a bad file
never hides the others, and never disappears from the output. ``screen`` does the same
with the rows of a spreadsheet: 1 when any row failed, after writing every output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from poletype._api import (
    DEFAULT_TYPOLOGY,
    GRADED_TYPOLOGY,
    check_typology,
    classify,
    load_typologies,
    load_typology,
    read_initiative,
    trajectory,
    typologies,
)
from poletype._compiler import Typology
from poletype._examples import run_examples
from poletype._hypotheses import SHIPPED as SHIPPED_HYPOTHESES
from poletype._hypotheses import check_hypotheses
from poletype._interpreter import Backend
from poletype._justify import Lang
from poletype._params import read_value
from poletype._report import (
    explain_markdown,
    explain_text,
    hypotheses_text,
    trajectory_text,
    verdict_text,
)
from poletype.errors import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    InitiativeError,
    PoletypeError,
    RuleFileError,
    SetupError,
    UsageError,
)
from poletype.model import Initiative
from poletype.verdict import Verdict

ALL = "all"
T = TypeVar("T")
Error = dict[str, Any]
"""The JSON entry that stands in place of a file that could not be read or classified."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"poletype: error: {message}\n")


def _parameter(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``, the value read by `read_value`'s small grammar, not as YAML.

    YAML would read ``2024-01-01`` as a date, ``.nan`` as a number that is none, and
    expand tags and aliases; a bad value is a usage error (exit 2) naming the parameter.
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        msg = f"expected NAME=VALUE, found {text!r}"
        raise argparse.ArgumentTypeError(msg)
    try:
        return name.strip(), read_value(name.strip(), value)
    except PoletypeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _param_and_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--param", "-p", action="append", type=_parameter, default=[], metavar="NAME=VALUE"
    )
    p.add_argument("--lang", choices=["fr", "en"], default="fr")


def _classify_options(p: argparse.ArgumentParser, typology: str) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--typology",
        "-t",
        default=typology,
        help="typology id or rule file ('all': every shipped typology, for classify)",
    )
    _param_and_lang(p)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="poletype",
        description="Classify social-economy cooperation clusters against published typologies.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("classify", help="classify initiatives (YAML or JSON files)")
    _classify_options(p, DEFAULT_TYPOLOGY)
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
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

    sub.add_parser("typologies", help="list the shipped typologies")

    p = sub.add_parser("explain", help="show every criterion of a typology with its source")
    p.add_argument("typology", metavar="TYPOLOGY")
    p.add_argument("--format", "-f", choices=["text", "markdown"], default="text")
    _param_and_lang(p)

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
    _fit_options(p)

    p = sub.add_parser(
        "hypotheses", help="test typology hypotheses on a set of initiatives (researchers)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--hypotheses",
        default=SHIPPED_HYPOTHESES,
        help=f"a hypotheses file (default: the shipped {SHIPPED_HYPOTHESES})",
    )
    _param_and_lang(p)
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument(
        "--by",
        default="labo-ess-ptce",
        help="group the rates by a typology's outcome or initiative.<path> (default: PTCE)",
    )

    p = sub.add_parser("test", help="run the examples written inside rule files")
    p.add_argument("files", nargs="+", metavar="RULEFILE")

    p = sub.add_parser(
        "screen", help="screen a call's applicants (CSV, XLSX, JSON Lines or a folder)"
    )
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
    _param_and_lang(p)

    _serve_options(sub.add_parser("serve", help="run the HTTP service (needs poletype[server])"))

    p = sub.add_parser("template", help="write an empty applicant spreadsheet to fill in")
    p.add_argument("--format", "-f", choices=["xlsx", "csv"], default="xlsx")
    p.add_argument("--out", "-o", required=True, type=Path, metavar="FILE")
    _research_options(parser, sub)
    return parser


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


def _fit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--typology", "-t", default=GRADED_TYPOLOGY, help="the condition's typology")
    p.add_argument(
        "--condition", "-x", required=True, help="a type, criterion or outcome (~ negates)"
    )
    p.add_argument("--outcome", "-y", required=True, help="a type, criterion or outcome")
    p.add_argument(
        "--outcome-typology",
        metavar="TYPOLOGY",
        help="the outcome's typology (default: --typology)",
    )
    p.add_argument("--conditions", metavar="A,B,…", help="also print the truth table of these sets")
    p.add_argument("--xy", type=Path, metavar="FILE", help="draw the XY plot (.png, .svg, .pdf)")
    p.add_argument("--qca", type=Path, metavar="FILE", help="write a CSV for R QCA or setqca")
    p.add_argument(
        "--point",
        choices=["low", "mid", "high"],
        default="low",
        help="which point of an interval --qca writes",
    )
    _param_and_lang(p)


def _serve_options(p: argparse.ArgumentParser) -> None:
    """``poletype serve``'s options: where it listens and what one request may cost."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--max-body-bytes", type=int, default=10 * 2**20, metavar="N", help="bytes per request"
    )
    p.add_argument(
        "--max-members", type=int, default=100_000, metavar="N", help="members per initiative"
    )
    p.add_argument("--max-batch", type=int, default=1_000, metavar="N", help="items per request")
    p.add_argument(
        "--time-limit", type=float, default=30.0, metavar="SECONDS", help="work per request"
    )
    p.add_argument("--workers", type=int, default=4, metavar="N", help="requests worked at once")
    p.add_argument(
        "--max-connections", type=int, default=100, metavar="N", help="open connections at once"
    )
    p.add_argument(
        "--allow-rule-files",
        action="store_true",
        help="let requests send their own rule and hypotheses files (code run on this server)",
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


def _typology_set(name: str, params: dict[str, Any]) -> list[Typology]:
    """One typology, or with ``all`` every shipped one (each given the parameters it has)."""
    if name != ALL:
        return [load_typology(name, params)]
    return load_typologies(typologies(), params, which="shipped typology")


def _per_file(files: Sequence[str], work: Callable[[Initiative], T]) -> tuple[list[T | Error], int]:
    """``work`` on each file's initiative; a bad file gets an error entry in its place."""
    return _reported([_attempt(file, work) for file in _units(files)])


def _attempt(file: str | _Case, work: Callable[[Initiative], T]) -> T | Error:
    """``work`` on one file's initiative, or the file's error entry.

    This is the one place where any exception is caught: a file is the unit that fails,
    and whatever a hostile file makes a parser raise (a RecursionError, a ValueError from
    a library) costs that file's result only, said on one line with a code.
    """
    if isinstance(file, _Case):
        return _case_attempt(file, work)
    try:
        initiative = read_initiative(file)
    except PoletypeError as exc:
        return _error_entry(file, exc)
    except Exception as exc:  # the file's fault, whatever the reader raised
        reason = f"cannot read the file ({type(exc).__name__}: {str(exc)[:200]})"
        return _error_entry(file, InitiativeError(reason, code="unreadable-input", file=file))
    try:
        return work(initiative)
    except PoletypeError as exc:
        return _error_entry(file, exc)
    except Exception as exc:  # reported, with the file, as this file's result
        reason = f"cannot classify ({type(exc).__name__}: {str(exc)[:200]})"
        return _error_entry(file, RuleFileError(reason, code="evaluation-error", file=file))


def _error_entry(file: str, exc: PoletypeError) -> Error:
    return {"file": file, "error": {"code": exc.code, "message": str(exc)}}


def _reported(results: list[T | Error]) -> tuple[list[T | Error], int]:
    """Each error entry said on standard error, in input order; the exit status."""
    status = EXIT_OK
    for result in results:
        if isinstance(result, dict):
            status = EXIT_BAD_INPUT
            print(f"poletype: {result['error']['message']}", file=sys.stderr)
    return results, status


def _write_json(items: list[Any], *, single: bool) -> None:
    document = items[0] if single and len(items) == 1 else items
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _json_text(item: Any) -> str:
    """One item of the JSON output, written as `_write_json` writes it."""
    return json.dumps(item, ensure_ascii=False, indent=2)


def _write_json_texts(texts: list[str], *, single: bool) -> None:
    """`_write_json` of items already written by `_json_text`: the same bytes.

    Writing JSON with indentation is pure Python and slow; ``--jobs`` workers write their
    verdicts, and this only nests them in the list (a JSON string holds no raw newline).
    """
    if single and len(texts) == 1:
        document = texts[0]
    elif not texts:
        document = "[]"
    else:
        document = "[\n" + ",\n".join("  " + t.replace("\n", "\n  ") for t in texts) + "\n]"
    sys.stdout.write(document + "\n")


_worker: tuple[list[Typology], Backend, str, Lang] = ([], "compiled", "json", "fr")


def _start_worker(
    typology: str, params: dict[str, Any], backend: Backend, output: str, lang: Lang
) -> None:
    """Load the typologies once in each ``--jobs`` process."""
    global _worker  # noqa: PLW0603 - one per process, set before any file is handed over
    _worker = (_typology_set(typology, params), backend, output, lang)


def _worker_outputs(file: str | _Case) -> list[Any] | Error:
    """One file's verdicts, already rendered: what crosses back is JSON data or text.

    Rendering is most of the work; done here it runs in parallel, and the parent
    process only writes (a `Verdict` sent back would be rendered by the parent, alone).
    """
    typologies, backend, output, lang = _worker
    return _attempt(
        file,
        lambda i: _rendered(
            [(classify(i, t, backend=backend), t) for t in typologies], output, lang
        ),
    )


def _rendered(pairs: list[tuple[Verdict, Typology]], output: str, lang: Lang) -> list[Any]:
    """Each verdict as the chosen output shows it: a JSON object, or its text."""
    if output == "json":
        return [_json_text(v.model_dump(mode="json")) for v, _ in pairs]
    return [verdict_text(v, t, lang) for v, t in pairs]


def _classify(args: argparse.Namespace) -> int:
    chosen = _typology_set(args.typology, dict(args.param))
    if args.jobs < 1:
        raise UsageError(
            f"--jobs must be at least 1, not {args.jobs}", code="bad-parameter", expected="N >= 1"
        )
    lang = cast(Lang, args.lang)
    units = _units(args.files)
    pairs: list[tuple[Verdict, Typology]] = []
    outputs: list[list[Any] | Error]
    # A manifest hashes the verdicts themselves, which --jobs workers do not send back.
    if args.jobs == 1 or len(units) < 2 or getattr(args, "manifest", None) is not None:

        def each_typology(initiative: Initiative) -> list[tuple[Verdict, Typology]]:
            return [(classify(initiative, t, backend=args.backend), t) for t in chosen]

        verdicts, status = _reported([_attempt(unit, each_typology) for unit in units])
        pairs = [pair for r in verdicts if isinstance(r, list) for pair in r]
        outputs = [_rendered(r, args.format, lang) if isinstance(r, list) else r for r in verdicts]
    else:
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only for --jobs

        start = (args.typology, dict(args.param), args.backend, args.format, lang)
        with ProcessPoolExecutor(args.jobs, initializer=_start_worker, initargs=start) as pool:
            # A few large batches per process: one task per file costs more than it runs.
            chunk = max(1, -(-len(units) // (args.jobs * 4)))
            outputs, status = _reported(list(pool.map(_worker_outputs, units, chunksize=chunk)))
    if args.format == "json":
        texts: list[str] = []
        for r in outputs:
            texts += r if isinstance(r, list) else [_json_text(r)]
        _write_json_texts(texts, single=args.typology != ALL)
    else:
        rule = "\n" + "=" * 78 + "\n\n" if len(chosen) > 1 else "\n"
        sys.stdout.write(rule.join(text for r in outputs if isinstance(r, list) for text in r))
    _run_manifest(args, typologies=chosen, units=units, verdicts=[v for v, _ in pairs])
    return status


def _trajectory(args: argparse.Namespace) -> int:
    typology = load_typology(args.typology, dict(args.param))
    results, status = _per_file(args.files, lambda initiative: trajectory(initiative, typology))
    if args.format == "json":
        items = [r if isinstance(r, dict) else r.model_dump(mode="json") for r in results]
        _write_json(items, single=True)
    else:
        lang = cast(Lang, args.lang)
        texts = [trajectory_text(r, typology, lang) for r in results if not isinstance(r, dict)]
        sys.stdout.write("\n".join(texts))
    return status


def _map(args: argparse.Namespace) -> int:
    from poletype._map import draw_map  # noqa: PLC0415 - matplotlib loads only for maps

    typology = load_typology(args.typology, dict(args.param))
    results, status = _per_file(
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
    results, status = _per_file(args.files, lambda initiative: initiative)
    cases = [r for r in results if isinstance(r, Initiative)]
    report = check_hypotheses(cases, args.hypotheses, dict(args.param))
    if args.format == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(hypotheses_text(report, cast(Lang, args.lang)))
        sys.stdout.write(_rates_text(report, args.by))
    _run_manifest(args, units=_units(args.files), hypotheses=report)
    return status


def _rates_text(report: Any, by: str) -> str:
    """Rates per group: supports / contradicts / cannot say, over the cases in scope."""
    lines = ["", f"rates by {by} (share of the cases in scope)"]
    lines.append(
        f"{'':4}{'group':<16}{'n':>4}{'supports':>10}{'contradicts':>13}{'cannot say':>12}"
    )
    for row in report.summary(by):
        lines.append(
            f"{row.proposition:<4}{row.group:<16}{row.cases:>4}{row.support_rate:>10.0%}"
            f"{row.contradiction_rate:>13.0%}{row.cannot_say_share:>12.0%}"
        )
    return "\n".join(lines) + "\n"


def _fit(args: argparse.Namespace) -> int:
    from poletype._analysis import fit  # noqa: PLC0415 - research tools load on use

    params = dict(args.param)
    typology = load_typology(args.typology, params)
    other = load_typology(args.outcome_typology, params) if args.outcome_typology else None

    def both(initiative: Initiative) -> tuple[Verdict, Verdict]:
        verdict = classify(initiative, typology)
        return verdict, verdict if other is None else classify(initiative, other)

    results, status = _per_file(args.files, both)
    pairs = [r for r in results if isinstance(r, tuple)]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    x = fit.set_memberships(xs, args.condition)
    y = fit.set_memberships(ys, args.outcome)
    suff, nec = fit.sufficiency(x, y), fit.necessity(x, y)
    print(f"{args.condition} → {args.outcome}  ({suff.cases} cases; [low, high] over the unknowns)")
    print(
        f"  sufficiency: consistency {suff.consistency}, coverage {suff.coverage}, PRI {suff.pri}"
    )
    print(
        f"  necessity:   consistency {nec.consistency}, coverage {nec.coverage}, "
        f"relevance {nec.relevance}"
    )
    if args.conditions:
        names = [c.strip() for c in args.conditions.split(",") if c.strip()]
        print()
        sys.stdout.write(fit.truth_table(xs, names, args.outcome, ys).to_text())
    if args.qca:
        print(fit.export_qca(xs, args.qca, args.point, outcome=None))
    if args.xy:
        from poletype._analysis.plots import plot_xy, save_figure  # noqa: PLC0415

        figure = plot_xy(x, y, names=fit.case_ids(xs), xlabel=args.condition, ylabel=args.outcome)
        print(save_figure(figure, args.xy))
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
    from poletype._schemas import shipped, text  # noqa: PLC0415 - only this command reads them

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


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    bar = "#" * filled + "." * (width - filled)
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r[{bar}] {done}/{total}{end}")
    sys.stderr.flush()


def _screen(args: argparse.Namespace) -> int:
    from poletype import _rounds  # noqa: PLC0415
    from poletype._html import anchors  # noqa: PLC0415
    from poletype._letters import letters, write_pdfs  # noqa: PLC0415
    from poletype._outputs import write_screening  # noqa: PLC0415 - spreadsheet readers load here
    from poletype._screen import screen, screening_typologies  # noqa: PLC0415
    from poletype._xlsx_out import XLSX_NAME, read_decisions  # noqa: PLC0415

    lang = cast(Lang, args.lang)
    chosen = screening_typologies(args.typology, args.rules, dict(args.param))
    progress = _progress_bar if sys.stderr.isatty() else None
    previous = None if args.previous is None else _rounds.read_previous(args.previous)
    merge = None
    if previous is not None:
        known = previous

        def merge(rows: list[Any]) -> list[Any]:
            return _rounds.merge_applicants(rows, known)

    screening = screen(
        args.input,
        chosen,
        members=args.members,
        progress=progress,
        columns=args.columns,
        header_row=args.header_row,
        merge=merge,
    )
    for notice in screening.notices:
        print(f"poletype: {getattr(notice, lang)}", file=sys.stderr)
    for row in screening.rows:
        for note in row.notes:
            print(f"poletype: {row.source}: row {row.row}: {note.text(lang)}", file=sys.stderr)
        if row.error is not None:
            column = "" if row.error.column is None else f", column {row.error.column}"
            where = f"{row.source}: row {row.error.row}{column}"
            code = "" if row.error.code is None else f" [{row.error.code}]"
            print(f"poletype: {where}: {row.error.message}{code}", file=sys.stderr)
    marks = None
    section = ""
    decisions = None
    if previous is not None:
        marks = _rounds.changes(screening, previous, lang)
        section = _rounds.changes_section(screening, marks, anchors(screening), previous, lang)
        decisions = read_decisions(previous.folder / XLSX_NAME)
    extra = None
    if args.letters:
        extra = letters(screening, lang)
    written = write_screening(
        screening,
        args.out,
        lang,
        args.csv_columns,
        changes=marks,
        changes_section=section,
        decisions=decisions,
        extra=extra,
    )
    if extra is not None:
        written += write_pdfs(Path(args.out), extra)
    for path in written:
        print(path)
    print(f"poletype: {screening.summary()}", file=sys.stderr)
    _run_manifest(args, typologies=chosen, screening=screening)
    return EXIT_BAD_INPUT if screening.errors else EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from poletype._template import write_template  # noqa: PLC0415 - openpyxl loads here

    for path in write_template(args.out, args.format):
        print(path)
    return EXIT_OK


# Research: case tables, sweeps, manifests -------------------------------------------------

_TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".parquet")
"""A file argument with one of these suffixes is a case table: each row is a case."""
_MANIFEST_COMMANDS = ("classify", "screen", "sweep", "hypotheses")


@dataclass(frozen=True)
class _Case:
    """One row of a case table given on the command line: its initiative, or its error."""

    source: str
    initiative: Initiative | None
    error: Error | None


def _is_table(file: str) -> bool:
    return Path(file).suffix.lower() in _TABLE_SUFFIXES and not Path(file).is_dir()


def _units(files: Sequence[str]) -> list[str | _Case]:
    """The command's inputs: each initiative file as it is, each case table row by row.

    So that every command taking initiatives takes a researcher's table too (CSV, XLSX,
    JSON Lines, Parquet), read by the screening reader: a bad row is that row's error
    entry, in its place; a table that cannot be read at all is one error entry.
    """
    if not any(_is_table(file) for file in files):
        return list(files)
    from poletype._analysis.frames import read_table  # noqa: PLC0415 - spreadsheet readers

    units: list[str | _Case] = []
    for file in files:
        if not _is_table(file):
            units.append(file)
            continue
        try:
            applicants = read_table(file)
        except PoletypeError as exc:
            units.append(_Case(file, None, _error_entry(file, exc)))
            continue
        except Exception as exc:  # the file's fault, whatever the reader raised
            reason = f"cannot read the file ({type(exc).__name__}: {str(exc)[:200]})"
            error = InitiativeError(reason, code="unreadable-input", file=file)
            units.append(_Case(file, None, _error_entry(file, error)))
            continue
        for applicant in applicants:
            where = f"{applicant.source}: row {applicant.row}"
            if applicant.error is None:
                units.append(_Case(where, applicant.initiative, None))
                continue
            row = applicant.error
            column = "" if row.column is None else f", column {row.column}"
            message = f"{applicant.source}: row {row.row}{column}: {row.message}"
            code = row.code or "invalid-initiative"
            entry: Error = {
                "file": applicant.source,
                "row": row.row,
                "error": {"code": code, "message": f"{message} [{code}]"},
            }
            units.append(_Case(where, None, entry))
    return units


def _case_attempt(case: _Case, work: Callable[[Initiative], T]) -> T | Error:
    """``work`` on one table row's initiative, or the row's error entry."""
    if case.initiative is None:
        assert case.error is not None
        return case.error
    try:
        return work(case.initiative)
    except PoletypeError as exc:
        return _error_entry(case.source, exc)
    except Exception as exc:  # reported, with the row, as this row's result
        reason = f"cannot classify ({type(exc).__name__}: {str(exc)[:200]})"
        return _error_entry(
            case.source, RuleFileError(reason, code="evaluation-error", file=case.source)
        )


def _unit_cases(units: Sequence[str | _Case]) -> list[Initiative]:
    """The initiatives the units hold (files read again; unreadable ones left out)."""
    cases = []
    for unit in units:
        if isinstance(unit, _Case):
            if unit.initiative is not None:
                cases.append(unit.initiative)
            continue
        try:
            cases.append(read_initiative(unit))
        except Exception:  # an unreadable file has its error entry already
            continue
    return cases


def _input_files(files: Sequence[str]) -> list[str]:
    """The files a run read: those given, and a CSV case table's members file beside it."""
    found = []
    for file in files:
        found.append(file)
        path = Path(file)
        if path.suffix.lower() in (".csv", ".tsv", ".txt"):
            for name in ("members", "membres"):
                sibling = path.with_name(f"{path.stem}-{name}{path.suffix}")
                if sibling.is_file():
                    found.append(str(sibling))
                    break
    return found


def _run_manifest(
    args: argparse.Namespace,
    *,
    typologies: Sequence[Typology] = (),
    units: Sequence[str | _Case] = (),
    verdicts: Sequence[Verdict] = (),
    hypotheses: Any = None,
    screening: Any = None,
    results: Sequence[dict[str, Any]] = (),
) -> None:
    """Write ``--manifest``, when asked: what the command read and what came out."""
    out = getattr(args, "manifest", None)
    if out is None:
        return
    from poletype._analysis import manifest as m  # noqa: PLC0415 - only with --manifest

    cases = _unit_cases(units)
    entries = list(results) or m.verdict_results(verdicts)
    files = _input_files(getattr(args, "files", []))
    hashes = []
    if hypotheses is not None:
        hashes.append(m.hypotheses_hash(args.hypotheses, dict(args.param)))
        entries = [
            {"proposition": p.id, "sha256": m.sha256_json(p.model_dump(mode="json"))}
            for p in hypotheses.propositions
        ]
    if screening is not None:
        files = _input_files([args.input]) + ([str(args.members)] if args.members else [])
        cases = [row.initiative for row in screening.rows if row.initiative is not None]
        entries = []
        for row in screening.rows:
            if row.error is not None:
                entries.append({"row": row.row, "source": row.source, "error": row.error.message})
            else:
                entries += m.verdict_results(f.verdict for f in row.findings)
    document = m.manifest(
        typologies=typologies,
        hypotheses=hashes,
        parameters=dict(args.param),
        cases=cases,
        files=files,
        results=entries,
        command=args.argv,
    )
    m.write_manifest(document, out)


def _grid(text: str) -> tuple[str, list[Any]]:
    """``NAME=V1,V2`` (or ``NAME=[V1, V2]``) as the parameter and the values to sweep.

    Each value is read by `read_value`'s small grammar, as ``--param`` values are: no
    YAML dates, tags or aliases. A list-typed parameter cannot be swept from here.
    """
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        msg = f"expected NAME=VALUE,VALUE..., found {text!r}"
        raise argparse.ArgumentTypeError(msg)
    try:
        grid: list[Any]
        if values.strip().startswith("["):
            parsed = read_value(name, values)
            grid = parsed if isinstance(parsed, list) else [parsed]
        else:
            grid = [read_value(name, v) for v in values.split(",") if v.strip()]
    except PoletypeError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    if not grid:
        msg = f"expected at least one value for {name}, found {values!r}"
        raise argparse.ArgumentTypeError(msg)
    return name, list(grid)


def _research_options(parser: argparse.ArgumentParser, sub: Any) -> None:
    """``--version``, ``--manifest`` on the commands a paper cites, ``sweep`` and ``rerun``."""
    from poletype._evaluator import POLETYPE_VERSION  # noqa: PLC0415 - loaded with the API

    parser.add_argument("--version", action="version", version=f"poletype {POLETYPE_VERSION}")
    for command in ("classify", "screen", "hypotheses"):
        sub.choices[command].add_argument(
            "--manifest",
            type=Path,
            metavar="FILE",
            help="write what the run read and produced (hashes, versions) as JSON; "
            "poletype rerun FILE checks it",
        )
    p = sub.add_parser("sweep", help="classify cases over a grid of parameter values (researchers)")
    p.add_argument("files", nargs="+", metavar="CASES", help="initiative files or case tables")
    p.add_argument("--typology", "-t", default=DEFAULT_TYPOLOGY, help="typology id or rule file")
    p.add_argument(
        "--grid",
        "-g",
        action="append",
        type=_grid,
        required=True,
        metavar="NAME=V1,V2",
        help="a parameter and the values to try, repeatable (every combination is run)",
    )
    p.add_argument(
        "--param", "-p", action="append", type=_parameter, default=[], metavar="NAME=VALUE"
    )
    p.add_argument("--out", "-o", required=True, type=Path, metavar="FILE", help="sweep.csv")
    p.add_argument(
        "--stability", type=Path, metavar="FILE", help="also write the per-case stability CSV"
    )
    p.add_argument(
        "--plot", type=Path, metavar="FILE", help="stability plot, .png or .svg (needs matplotlib)"
    )
    p.add_argument("--manifest", type=Path, metavar="FILE", help="as for classify")

    p = sub.add_parser("rerun", help="rerun a manifest's command and check the same hashes")
    p.add_argument("manifest_file", metavar="MANIFEST", type=Path)


def _write_csv(records: Sequence[dict[str, Any]], out: Path) -> Path:
    """Records as CSV (UTF-8, comma), every text cell formula-safe, numbers as Python writes."""
    import csv  # noqa: PLC0415

    from poletype._outputs import safe_cell  # noqa: PLC0415 - only commands that write CSV

    columns = list(dict.fromkeys(key for record in records for key in record))
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record in records:
                cells = [record.get(c) for c in columns]
                writer.writerow(
                    [
                        "" if v is None else safe_cell(v) if isinstance(v, str) else repr(v)
                        for v in cells
                    ]
                )
    except OSError as exc:
        raise SetupError(
            f"cannot write {out}: {exc.strerror or exc}", code="unwritable-output", file=str(out)
        ) from None
    return out


def _sweep(args: argparse.Namespace) -> int:
    from poletype._analysis.sweep import (  # noqa: PLC0415 - research command
        plot_stability,
        save_figure,
        stability_records,
        sweep_records,
    )

    typology = load_typology(args.typology, dict(args.param))
    units = _units(args.files)
    results, status = _reported([_attempt(unit, lambda i: i) for unit in units])
    cases = [r for r in results if isinstance(r, Initiative)]
    grid = dict(args.grid)
    records = sweep_records(cases, typology, grid)
    print(_write_csv(records, args.out))
    stable = stability_records(records)
    if args.stability is not None:
        print(_write_csv(stable, args.stability))
    if args.plot is not None:
        print(
            save_figure(
                plot_stability(stable, title=f"{typology.id}: {', '.join(grid)}"), args.plot
            )
        )
    unstable = [r for r in stable if r["kept"] < 1]
    print(
        f"poletype: {len(cases)} cases, {len(records) // max(len(cases), 1)} grid points; "
        f"{len(unstable)} change outcome somewhere on the grid",
        file=sys.stderr,
    )
    from poletype._analysis.manifest import sha256_json  # noqa: PLC0415

    _run_manifest(
        args,
        typologies=[typology],
        units=units,
        results=[
            {"sweep": args.out.name, "rows": len(records), "sha256": sha256_json(records)},
            *(
                {"id": r["id"], "name": r["name"], "kept": r["kept"], "outcomes": r["outcomes"]}
                for r in stable
            ),
        ],
    )
    return status


def _rerun(args: argparse.Namespace) -> int:
    import contextlib  # noqa: PLC0415
    import io  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from poletype._analysis import manifest as m  # noqa: PLC0415 - only for rerun

    recorded = m.read_manifest(args.manifest_file)
    command = recorded["command"]
    parser = _build_parser()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            again = parser.parse_args(command)
    except SystemExit:
        again = None
    if again is None or again.command not in _MANIFEST_COMMANDS:
        raise UsageError(
            f"the manifest's command cannot be rerun: {' '.join(command)!r}",
            code="bad-manifest",
            file=str(args.manifest_file),
            expected=f"a {', '.join(_MANIFEST_COMMANDS)} command line",
        )
    with tempfile.TemporaryDirectory(prefix="poletype-rerun-") as tmp:
        scratch = Path(tmp)
        again.argv = command
        again.manifest = scratch / "manifest.json"
        for option in ("out", "plot", "stability"):
            given = getattr(again, option, None)
            if given is not None:
                (scratch / option).mkdir()
                setattr(again, option, scratch / option / Path(given).name)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            _COMMANDS[again.command](again)
        if not again.manifest.is_file():
            raise SetupError(
                "the rerun wrote no manifest",
                code="rerun-mismatch",
                file=str(args.manifest_file),
            )
        now = json.loads(again.manifest.read_text(encoding="utf-8"))
    failures, notes = m.compare_manifests(recorded, now)
    for note in notes:
        print(f"poletype: note: {note}", file=sys.stderr)
    if failures:
        for failure in failures:
            print(f"poletype: differs: {failure}", file=sys.stderr)
        raise SetupError(
            f"rerunning {' '.join(command)!r} does not give the recorded hashes "
            f"({len(failures)} differences above)",
            code="rerun-mismatch",
            file=str(args.manifest_file),
        )
    print(
        f"{args.manifest_file}: same hashes: {len(now['cases'])} cases, "
        f"{len(now['files'])} files, {len(now['typologies']) + len(now['hypotheses'])} "
        f"rule files, {len(now['results'])} results"
    )
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    """Run the HTTP service; its code and FastAPI load only here."""
    for name in ("max_body_bytes", "max_members", "max_batch", "workers", "max_connections"):
        if getattr(args, name) < 1:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"{option} must be at least 1", code="bad-parameter", expected="N >= 1"
            )
    if not args.time_limit > 0:
        raise UsageError(
            "--time-limit must be positive", code="bad-parameter", expected="SECONDS > 0"
        )
    try:
        from poletype._server._run import serve  # noqa: PLC0415 - the optional extra
    except ImportError as exc:
        raise SetupError(
            f"the HTTP service needs the server extra ({exc.name} is missing)",
            code="missing-dependency",
            expected="pip install 'poletype[server]'",
        ) from None
    serve(args)
    return EXIT_OK


_COMMANDS = {
    "classify": _classify,
    "typologies": _typologies,
    "explain": _explain,
    "validate": _validate,
    "schema": _schema,
    "test": _test,
    "trajectory": _trajectory,
    "hypotheses": _hypotheses,
    "map": _map,
    "fit": _fit,
    "screen": _screen,
    "template": _template,
    "sweep": _sweep,
    "rerun": _rerun,
    "serve": _serve,
}
