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
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel

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
    UsageError,
)
from poletype.model import Initiative
from poletype.rulefile import RuleFile
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

    p = sub.add_parser("schema", help="print a JSON Schema")
    p.add_argument(
        "which", nargs="?", choices=["initiative", "verdict", "rulefile"], default="initiative"
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

    p = sub.add_parser("template", help="write an empty applicant spreadsheet to fill in")
    p.add_argument("--format", "-f", choices=["xlsx", "csv"], default="xlsx")
    p.add_argument("--out", "-o", required=True, type=Path, metavar="FILE")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _build_parser().parse_args(argv)
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
    return _reported([_attempt(file, work) for file in files])


def _attempt(file: str, work: Callable[[Initiative], T]) -> T | Error:
    """``work`` on one file's initiative, or the file's error entry.

    This is the one place where any exception is caught: a file is the unit that fails,
    and whatever a hostile file makes a parser raise (a RecursionError, a ValueError from
    a library) costs that file's result only, said on one line with a code.
    """
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


_worker: tuple[list[Typology], Backend] = ([], "compiled")


def _start_worker(typology: str, params: dict[str, Any], backend: Backend) -> None:
    """Load the typologies once in each ``--jobs`` process."""
    global _worker  # noqa: PLW0603 - one per process, set before any file is handed over
    _worker = (_typology_set(typology, params), backend)


def _worker_verdicts(file: str) -> list[Verdict] | Error:
    typologies, backend = _worker
    return _attempt(file, lambda i: [classify(i, t, backend=backend) for t in typologies])


def _classify(args: argparse.Namespace) -> int:
    chosen = _typology_set(args.typology, dict(args.param))
    if args.jobs < 1:
        raise UsageError(
            f"--jobs must be at least 1, not {args.jobs}", code="bad-parameter", expected="N >= 1"
        )
    outputs: list[list[Verdict] | Error]
    if args.jobs == 1 or len(args.files) < 2:

        def each_typology(initiative: Initiative) -> list[Verdict]:
            return [classify(initiative, t, backend=args.backend) for t in chosen]

        outputs = [_attempt(file, each_typology) for file in args.files]
    else:
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only for --jobs

        start = (args.typology, dict(args.param), args.backend)
        with ProcessPoolExecutor(args.jobs, initializer=_start_worker, initargs=start) as pool:
            chunk = max(1, len(args.files) // (args.jobs * 8))
            outputs = list(pool.map(_worker_verdicts, args.files, chunksize=chunk))
    reported, status = _reported(outputs)
    results = [r if isinstance(r, dict) else list(zip(r, chosen, strict=True)) for r in reported]
    verdicts = [pair for r in results if isinstance(r, list) for pair in r]
    if args.format == "json":
        items: list[Any] = []
        for r in results:
            items += [v.model_dump(mode="json") for v, _ in r] if isinstance(r, list) else [r]
        _write_json(items, single=args.typology != ALL)
    else:
        rule = "\n" + "=" * 78 + "\n\n" if len(chosen) > 1 else "\n"
        lang = cast(Lang, args.lang)
        sys.stdout.write(rule.join(verdict_text(v, t, lang) for v, t in verdicts))
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
    models: dict[str, type[BaseModel]] = {
        "initiative": Initiative,
        "verdict": Verdict,
        "rulefile": RuleFile,
    }
    model = models[args.which]
    schema = model.model_json_schema(by_alias=True)
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
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
    from poletype._xlsx_out import XLSX_NAME, carried, read_decisions  # noqa: PLC0415

    lang = cast(Lang, args.lang)
    chosen = screening_typologies(args.typology, args.rules, dict(args.param))
    progress = _progress_bar if sys.stderr.isatty() else None
    previous = None if args.previous is None else _rounds.read_previous(args.previous)
    merge = None
    if previous is not None:
        known = previous

        def merge(rows: list[Any]) -> list[Any]:
            return _rounds.merge_applicants(rows, known)

    screening = screen(args.input, chosen, members=args.members, progress=progress, merge=merge)
    for row in screening.rows:
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
        extra = letters(screening, lang, {i: carried(r) for i, r in enumerate(screening.rows)})
    written = write_screening(
        screening,
        args.out,
        lang,
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
    return EXIT_BAD_INPUT if screening.errors else EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from poletype._template import write_template  # noqa: PLC0415 - openpyxl loads here

    for path in write_template(args.out, args.format):
        print(path)
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
}
