"""The research commands: ``fit``, ``sweep``, ``rerun``, and ``--manifest``.

Their tools (frames, fit, plots, manifests) load inside the commands, so that
``poletype classify`` does not pay for them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from poletype._cli.inputs import (
    Case,
    attempt_unit,
    input_files,
    param_and_lang,
    param_option,
    per_file,
    read_units,
    unit_cases,
    with_status,
    write_csv,
)
from poletype._engine.evaluator import POLETYPE_VERSION
from poletype._engine.typology import Typology
from poletype._read.params import read_value
from poletype._rules.classify import DEFAULT_TYPOLOGY, GRADED_TYPOLOGY, classify, load_typology
from poletype.errors import EXIT_OK, PoletypeError, SetupError, UsageError
from poletype.model import Initiative
from poletype.verdict import Verdict

_MANIFEST_COMMANDS = ("classify", "screen", "sweep", "hypotheses")


def fit_options(p: argparse.ArgumentParser) -> None:
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
    param_and_lang(p)


def rates_text(report: Any, by: str) -> str:
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


def fit_command(args: argparse.Namespace) -> int:
    from poletype._analysis import fit  # noqa: PLC0415 - research tools load on use

    params = dict(args.param)
    typology = load_typology(args.typology, params)
    other = load_typology(args.outcome_typology, params) if args.outcome_typology else None

    def both(initiative: Initiative) -> tuple[Verdict, Verdict]:
        verdict = classify(initiative, typology)
        return verdict, verdict if other is None else classify(initiative, other)

    results, status = per_file(args.files, both)
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


class ManifestEntries:
    """What ``--manifest`` records of each case and result, hashed as the run goes.

    For the commands that stream their rows (``screen``, ``classify --format jsonl``):
    a hash and a line per case and verdict are kept, not the cases or the verdicts.
    """

    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []

    def add_case(self, initiative: Initiative) -> None:
        """One case read."""
        from poletype._analysis import manifest as m  # noqa: PLC0415 - only with --manifest

        self.cases.append(m.case_entry(initiative))

    def add_verdicts(self, verdicts: Sequence[Verdict]) -> None:
        """One case's verdicts."""
        from poletype._analysis import manifest as m  # noqa: PLC0415 - only with --manifest

        self.results += m.verdict_results(verdicts)

    def add_row(self, row: Any) -> None:
        """One screened row (`poletype._screening.screen.ScreenedRow`): its case, its results."""
        if row.initiative is not None:
            self.add_case(row.initiative)
        if row.error is not None:
            self.results.append({"row": row.row, "source": row.source, "error": row.error.message})
        else:
            self.add_verdicts([f.verdict for f in row.findings])


def run_manifest(
    args: argparse.Namespace,
    *,
    typologies: Sequence[Typology] = (),
    units: Sequence[str | Case] = (),
    verdicts: Sequence[Verdict] = (),
    hypotheses: Any = None,
    screening: ManifestEntries | None = None,
    results: Sequence[dict[str, Any]] = (),
    entries: ManifestEntries | None = None,
) -> None:
    """Write ``--manifest``, when asked: what the command read and what came out.

    ``screening`` holds what ``screen`` recorded of its rows, ``entries`` what another
    streaming command recorded of its cases (in place of ``units`` and ``verdicts``).
    """
    out = getattr(args, "manifest", None)
    if out is None:
        return
    from poletype._analysis import manifest as m  # noqa: PLC0415 - only with --manifest

    recorded = screening if screening is not None else entries
    cases: list[Any] = list(unit_cases(units)) if recorded is None else recorded.cases
    found = list(results if recorded is None else recorded.results)
    found = found or m.verdict_results(verdicts)
    files = input_files(getattr(args, "files", []))
    hashes = []
    if hypotheses is not None:
        hashes.append(m.hypotheses_hash(args.hypotheses, dict(args.param)))
        found = [
            {"proposition": p.id, "sha256": m.sha256_json(p.model_dump(mode="json"))}
            for p in hypotheses.propositions
        ]
    if screening is not None:
        files = input_files([args.input]) + ([str(args.members)] if args.members else [])
    document = m.manifest(
        typologies=typologies,
        hypotheses=hashes,
        parameters=dict(args.param),
        cases=cases,
        files=files,
        results=found,
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


def research_options(parser: argparse.ArgumentParser, sub: Any) -> None:
    """``--version``, ``--manifest`` on the commands a paper cites, ``sweep`` and ``rerun``."""
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
        "--param", "-p", action="append", type=param_option, default=[], metavar="NAME=VALUE"
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


def sweep_command(args: argparse.Namespace) -> int:
    from poletype._analysis.sweep import (  # noqa: PLC0415 - research command
        plot_stability,
        save_figure,
        stability_records,
        sweep_records,
    )

    typology = load_typology(args.typology, dict(args.param))
    units = read_units(args.files)
    results, status = with_status([attempt_unit(unit, lambda i: i) for unit in units])
    cases = [r for r in results if isinstance(r, Initiative)]
    grid = dict(args.grid)
    records = sweep_records(cases, typology, grid)
    print(write_csv(records, args.out))
    stable = stability_records(records)
    if args.stability is not None:
        print(write_csv(stable, args.stability))
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

    run_manifest(
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


def rerun_command(
    args: argparse.Namespace,
    build_parser: Callable[[], argparse.ArgumentParser],
    commands: Mapping[str, Callable[[argparse.Namespace], int]],
) -> int:
    """Rerun a manifest's command (parsed and run by the CLI's own parser and commands)."""
    import contextlib  # noqa: PLC0415
    import io  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from poletype._analysis import manifest as m  # noqa: PLC0415 - only for rerun

    recorded = m.read_manifest(args.manifest_file)
    command = recorded["command"]
    parser = build_parser()
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
            commands[again.command](again)
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
