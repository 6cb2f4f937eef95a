"""Plain-text reports for a terminal: a verdict, and a typology explained.

French by default, because the typologies, the sources and most readers are French;
every sentence also exists in English. The text names every criterion with its status
and source, so it can be pasted into an instruction note as it is.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Container
from typing import Any

from poletype._analysis.hypotheses import HypothesesReport
from poletype._analysis.trajectory import Trajectory
from poletype._engine.justify import colon, format_value
from poletype._engine.typology import (
    CombinationTree,
    CompiledDescriptor,
    CompiledIndicator,
    ConditionNode,
    CrispTypology,
    Graded,
    GradedTypology,
    Typology,
    against,
)
from poletype._read.data import Lang, by_language, load
from poletype.rulefile import Citation, Text
from poletype.verdict import (
    AxisPosition,
    CriterionResult,
    Degree,
    GradedParts,
    Membership,
    Source,
    TypeDegree,
    Verdict,
)


def _words(lang: Lang) -> dict[str, str]:
    """The reports' fixed words in one language, from ``data/words.yaml``.

    Read on the first report rendered, not when the command line starts: most runs
    print JSON and never need them.
    """
    return _report_words()[lang]


@functools.cache
def _report_words() -> dict[Lang, dict[str, str]]:
    return by_language(load("words")["report"])


MARKS = {"met": "✓", "not_met": "✗", "unknown": "?"}
"""The sign before a criterion's status, in the terminal and in the HTML report."""


def verdict_text(verdict: Verdict, typology: Typology, lang: Lang = "fr") -> str:
    """A verdict as a terminal report."""
    t, c = _words(lang), colon(lang)
    title = getattr(typology.title, lang)
    lines = [
        f"{verdict.initiative} — {title} ({verdict.typology} {verdict.version})",
        f"{t['verdict']}{c}{getattr(verdict.outcome_label, lang)}",
    ]
    if verdict.graded is not None:
        lines += _graded_lines(verdict, verdict.graded, lang)
        lines += ["", t["indicators"]]
        lines += _result_lines(verdict.criteria, lang)
    exclusions = against(typology)
    for group, label in typology.spec.groups.items():
        results = [r for r in verdict.criteria if r.group == group]
        if results:
            lines += ["", getattr(label, lang), *_result_lines(results, lang, exclusions)]
    for score in verdict.scores:
        counts = score.model_dump(include={"met", "not_met", "unknown", "total"})
        lines += ["", t["score"].format(label=getattr(score.label, lang), **counts)]
    lines += _descriptor_lines(verdict, lang)
    lines.append("")
    if verdict.missing:
        lines.append(t["missing"] + c.rstrip())
        lines += [f"  - {path}" for path in verdict.missing]
    else:
        lines.append(t["none_missing"])
    params = ", ".join(f"{k}={_param(v, lang)}" for k, v in verdict.parameters.items())
    lines += [
        "",
        f"{t['rules']}{c}{typology.file} ({verdict.rules_hash[:19]}…)",
        f"{t['parameters']}{c}{params}",
    ]
    return "\n".join(lines) + "\n"


def _result_lines(
    results: list[CriterionResult], lang: Lang, exclusions: Container[str] = ()
) -> list[str]:
    """Each result's lines; an exclusion (in ``exclusions``) says whether it applies.

    An exclusion that is not met does not apply, which is no failure: "– ne s'applique
    pas", not "✗ non satisfait"; one that is met counts against the initiative: "✗
    s'applique".
    """
    t, c = _words(lang), colon(lang)
    lines: list[str] = []
    for r in results:
        shown = t[r.status] if r.degree is None else f"{t['degree']} {span(r.degree, lang)}"
        mark = MARKS[r.status]
        if r.id in exclusions and r.status != "unknown":
            applies = r.status == "met"
            mark, shown = ("✗", t["applies"]) if applies else ("–", t["does_not_apply"])
        lines.append(f"  {mark} {r.id}  {getattr(r.label, lang)} — {shown}")
        lines.append(f"      {getattr(r.justification, lang)}")
        if r.missing:
            lines.append(f"      {t['missing_criterion']}{c}{', '.join(r.missing)}")
        lines += _cited(r.source, None, lang, "      ")
    return lines


def _descriptor_lines(verdict: Verdict, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    if not verdict.descriptors:
        return []
    lines = ["", t["descriptors"]]
    for d in verdict.descriptors:
        if d.value_label is not None:
            shown = getattr(d.value_label, lang)
        elif d.value is not None:
            shown = _param(d.value, lang)
        elif d.possible:
            shown = f"{t['unknown']} ({t['possibly']} {' / '.join(d.possible)})"
        else:
            shown = "—"
        lines.append(f"  {getattr(d.label, lang)}{c}{shown}")
        if d.missing:
            lines.append(f"      {t['missing_criterion']}{c}{', '.join(d.missing)}")
    return lines


def _dimension_lines(verdict: Verdict, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    if not verdict.dimensions:
        return []
    lines = ["", t["dimensions"]]
    for d in verdict.dimensions:
        degrees = ", ".join(f"{x.type} {span(x, lang)}" for x in d.degrees)
        known = all(x.low == x.high for x in d.degrees)
        top = max(x.high for x in d.degrees)
        tied = " = ".join(x.type for x in d.degrees if x.high == top)
        nearest = d.nearest or (
            f"{t['tie']} {tied}"
            if known
            else f"{t['unknown']} ({t['leaning'].lower()} {d.leaning})"
        )
        lines.append(f"  {getattr(d.label, lang)}{c}{nearest}  [{degrees}]")
    return lines


def span(
    degree: Degree | Membership | AxisPosition | TypeDegree, lang: Lang, digits: int | None = None
) -> str:
    """A degree, or its interval when facts are unknown, as the text and HTML reports show it.

    ``digits`` rounds each end for a narrow column; whether it is an interval is still
    decided on the exact ends.
    """

    def shown(value: float) -> str:
        return format_value(value if digits is None else round(value, digits), lang)

    low = shown(degree.low)
    return low if degree.low == degree.high else f"{low}–{shown(degree.high)}"


def hybrid_answer(verdict: Verdict, lang: Lang) -> str:
    """Whether a graded verdict is hybrid: yes, no, or cannot say under unknown facts."""
    t = _words(lang)
    return {True: t["yes"], False: t["no"], None: t["cannot_say"]}[verdict.hybrid]


def bar(low: float, high: float, width: int = 20) -> str:
    """A membership interval as a text bar: known part full, uncertain part shaded.

    >>> bar(0.25, 0.5, 8)
    '██▒▒····'
    """
    full, upto = round(low * width), round(high * width)
    return "█" * full + "▒" * (upto - full) + "·" * (width - upto)


def _graded_lines(verdict: Verdict, graded: GradedParts, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    leaning = verdict.membership(graded.leaning)
    hybrid = hybrid_answer(verdict, lang)
    margin = format_value(verdict.parameters.get("hybrid_margin", 0), lang)
    lines = [
        f"{t['leaning']}{c}{getattr(leaning.label, lang)}",
        f"{t['hybrid']}{c}{hybrid} ({t['margin']} {margin})",
        "",
        t["memberships"],
    ]
    width = max(len(getattr(m.label, lang)) for m in graded.memberships)
    for m in graded.memberships:
        label = getattr(m.label, lang).ljust(width)
        lines.append(f"  {label}  {bar(m.low, m.high)}  {span(m, lang)}")
    if graded.axes:
        lines += ["", t["axes"]]
        for a in graded.axes:
            lines.append(f"  {getattr(a.label, lang)}{c}{span(a, lang)}")
    return lines + _dimension_lines(verdict, lang)


def _param(value: Any, lang: Lang) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return format_value(value, lang)


def _cited(
    source: Citation | Source | None,
    interpretation: Text | None,
    lang: Lang,
    indent: str = "",
    *,
    markdown: bool = False,
) -> list[str]:
    """Where a rule comes from and how it reads its source, as every report words it.

    Markdown puts each on a list item and the document in code; plain text indents them
    under their rule and brackets the document.
    """
    t, c = _words(lang), colon(lang)
    lead = "- " if markdown else indent
    lines = []
    if source is not None and markdown:
        section = _md(source.section)
        lines.append(f"{lead}{t['source']}{c}{_code(source.document)}, {section}")
    elif source is not None:
        lines.append(f"{lead}{t['source']}{c}[{source.document}] {source.section}")
    if interpretation is not None:
        text = getattr(interpretation, lang)
        lines.append(f"{lead}{t['interpretation']}{c}{_md(text) if markdown else text}")
    return lines


def _condition_text(node: ConditionNode, indent: str) -> list[str]:
    if node.atom is not None:
        return [f"{indent}{node.atom.text}"]
    lines = [f"{indent}{node.op}:"]
    for child in node.children:
        lines += _condition_text(child, indent + "  ")
    return lines


def explain_text(typology: Typology, lang: Lang = "fr") -> str:
    """Every criterion of a typology with its label, source, logic and parameters."""
    t, c = _words(lang), colon(lang)
    spec = typology.spec
    lines = [f"{getattr(spec.title, lang)} ({spec.typology} {spec.version})"]
    if spec.description is not None:
        lines += ["", getattr(spec.description, lang)]
    lines += ["", t["sources"]]
    lines += [f"  [{d.id}] {d.title}" + (f" ({d.seed})" if d.seed else "") for d in spec.sources]
    lines += ["", t["parameters"]]
    for name, parameter in spec.parameters.items():
        kind = t["our_reading"] if parameter.interpretation else t["from_source"]
        value = _param(typology.parameters[name], lang)
        lines.append(f"  {name} = {value}  ({kind})")
        lines.append(f"      {getattr(parameter.doc, lang)}")
    if isinstance(typology, CrispTypology):
        for group, label in spec.groups.items():
            lines += ["", getattr(label, lang)]
            for criterion in (k for k in typology.criteria if k.group == group):
                spec_c = criterion.spec
                lines.append(f"  {spec_c.id}  {getattr(spec_c.label, lang)}")
                lines += _cited(spec_c.source, spec_c.interpretation, lang, "      ")
                lines.append(f"      {t['condition']}{c.rstrip()}")
                lines += _condition_text(criterion.condition, "        ")
                reads = ", ".join(criterion.paths)
                if criterion.parameters:
                    reads += " | params: " + ", ".join(criterion.parameters)
                lines.append(f"      {t['reads']}{c}{reads}")
                if spec_c.examples:
                    lines.append(f"      {t['examples']}{c}{len(spec_c.examples)}")
    if isinstance(typology, GradedTypology):
        lines += _explain_graded_text(typology.graded, lang)
    for descriptor in typology.descriptors:
        if descriptor is typology.descriptors[0]:
            lines += ["", t["descriptors"]]
        lines += [f"  {line}" for line in _descriptor_explained(descriptor, lang)]
    lines += ["", f"{t['outcomes']}{c}" + " / ".join(o for o, _ in typology.outcomes())]
    lines.append(f"{t['rules']}{c}{typology.file} ({typology.rules_hash[:19]}…)")
    return "\n".join(lines) + "\n"


def formula_text(node: CombinationTree, *, weighted: bool = False) -> str:
    """A membership formula in one line, e.g. ``mean(2×market, 1 − democratic)``.

    >>> from poletype._engine.typology import CombinationTree as T
    >>> formula_text(T("mean", (T("indicator", indicator="a", weight=2.0),
    ...     T("indicator", indicator="b", negate=True))))
    'mean(2×a, 1 − b)'
    """
    if node.indicator is not None:
        text = node.indicator
    else:
        inner = ", ".join(formula_text(c, weighted=node.op == "mean") for c in node.children)
        text = f"{node.op}({inner})"
    if node.negate:
        text = f"1 − {text}"
    if weighted and node.weight != 1:
        text = f"{node.weight:g}×{text}"
    return text


def _logic_lines(indicator: CompiledIndicator, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    if indicator.condition is not None:
        return [f"{t['condition']}{c.rstrip()}", *_condition_text(indicator.condition, "  ")]
    assert indicator.value is not None
    assert indicator.anchors is not None
    a = indicator.anchors
    calibration = t["calibration_text"].format(
        exclusion=format_value(a.exclusion, lang),
        crossover=format_value(a.crossover, lang),
        inclusion=format_value(a.inclusion, lang),
        method=a.method,
    )
    return [f"{t['value']}{c}{indicator.value.text}", f"{t['calibration']}{c}{calibration}"]


def _descriptor_explained(descriptor: CompiledDescriptor, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    spec = descriptor.spec
    lines = [
        f"{spec.id}  {getattr(spec.label, lang)}",
        *_cited(spec.source, spec.interpretation, lang, "    "),
    ]
    for case, node in descriptor.cases:
        when = " / ".join(x.strip() for x in _condition_text(node, ""))
        lines.append(f"    {case.value} ({getattr(case.label, lang)}){c}{when}")
    if descriptor.value is not None:
        lines.append(f"    {t['value']}{c}{descriptor.value.text}")
    return lines


def _explain_graded_text(graded: Graded, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    lines = ["", t["types"]]
    for ideal in graded.types:
        spec = ideal.spec
        lines.append(f"  {spec.id}  {getattr(spec.label, lang)}")
        lines.append(f"      {getattr(spec.description, lang)}")
        lines += _cited(spec.source, spec.interpretation, lang, "      ")
        lines.append(f"      {t['formula']}{c}{formula_text(ideal.membership)}")
    lines += ["", t["indicators"]]
    for indicator in graded.indicators:
        spec_i = indicator.spec
        lines.append(f"  {spec_i.id}  {getattr(spec_i.label, lang)}")
        lines += _cited(spec_i.source, spec_i.interpretation, lang, "      ")
        lines += [f"      {line}" for line in _logic_lines(indicator, lang)]
        lines.append(f"      {t['reads']}{c}{', '.join(indicator.paths)}")
        if spec_i.examples:
            lines.append(f"      {t['examples']}{c}{len(spec_i.examples)}")
    if graded.axes:
        lines += ["", t["axes"]]
        for axis in graded.axes:
            a = axis.spec
            lines.append(
                f"  {a.id}  {getattr(a.label, lang)} ({getattr(a.low, lang)} → "
                f"{getattr(a.high, lang)})"
            )
            lines += _cited(None, a.interpretation, lang, "      ")
            lines.append(f"      {t['formula']}{c}{formula_text(axis.value)}")
        quadrants = ", ".join(f"{q.type} (x {q.x}, y {q.y})" for q in graded.spec.quadrants)
        if quadrants:
            lines.append(f"  {t['quadrants']}{c}{quadrants}")
    return lines


def explain_markdown(typology: Typology, lang: Lang = "en") -> str:
    """A typology as a documentation page, woven from its rule file.

    A rule file may come from anyone (a funder's extension), and Markdown passes HTML
    through to the page: every text taken from it is HTML-escaped (`_md`), and every
    value shown as code is fenced so that a backtick in it cannot end the code (`_code`).
    """
    t, c = _words(lang), colon(lang)
    spec = typology.spec
    out = [f"# {_md(getattr(spec.title, lang))}", ""]
    out += [
        f"{_code(spec.typology)} version {_md(str(spec.version))} — "
        + ("page générée depuis" if lang == "fr" else "generated from")
        + f" {_code(str(typology.file))} by "
        + _code(f"poletype explain {spec.typology} --format markdown")
        + ".",
        "",
    ]
    if spec.description is not None:
        out += [_md(getattr(spec.description, lang)), ""]
    out += [f"## {t['sources']}", ""]
    out += [
        f"- {_code(d.id)}: {_md(d.title)}" + (f" ({_code(d.seed)})" if d.seed else "")
        for d in spec.sources
    ]
    out += ["", f"## {t['parameters']}", "", "| name | value | | |", "|---|---|---|---|"]
    for name, parameter in spec.parameters.items():
        kind = t["our_reading"] if parameter.interpretation else t["from_source"]
        value = _param(typology.parameters[name], lang)
        doc = _md(getattr(parameter.doc, lang)).replace("|", "\\|")
        out.append(f"| {_code(name)} | {_code(value)} | {kind} | {doc} |")
    if isinstance(typology, CrispTypology):
        for group, label in spec.groups.items():
            out += ["", f"## {_md(getattr(label, lang))}", ""]
            for criterion in (k for k in typology.criteria if k.group == group):
                spec_c = criterion.spec
                out += [f"### {_md(spec_c.id)} — {_md(getattr(spec_c.label, lang))}", ""]
                out += _cited(spec_c.source, spec_c.interpretation, lang, markdown=True)
                out.append(f"- {t['reads']}{c}" + ", ".join(_code(p) for p in criterion.paths))
                out += ["", *_fenced(_condition_text(criterion.condition, "")), ""]
                for example in spec_c.examples:
                    out.append(f"- *{_md(example.name)}* → {_code(str(example.expect))}")
                if spec_c.examples:
                    out.append("")
    if typology.descriptors:
        out += ["", f"## {t['descriptors']}", ""]
        for descriptor in typology.descriptors:
            lines = [_md(x) for x in _descriptor_explained(descriptor, lang)]
            out += [f"- **{lines[0]}**", *(f"  {x}" for x in lines[1:]), ""]
    labels = dict(typology.outcomes())
    if isinstance(typology, GradedTypology):
        out += _explain_graded_markdown(typology.graded, lang)
    if isinstance(typology, CrispTypology):
        labels = typology.verdict_rule.labels
    out += [
        "",
        f"## {t['outcomes']}",
        "",
        " / ".join(_code(o) for o, _ in typology.outcomes())
        + ": "
        + ", ".join(f"{_code(k)} = {_md(getattr(v, lang))}" for k, v in labels.items()),
        "",
    ]
    return "\n".join(out)


def _md(text: str) -> str:
    """Text from a rule file, safe in Markdown: its HTML shown, never run."""
    return html.escape(text, quote=False)


def _code(text: str) -> str:
    """Inline code that a backtick inside cannot close (CommonMark: a longer fence)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fenced(lines: list[str]) -> list[str]:
    """A code block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *lines, fence]


def _explain_graded_markdown(graded: Graded, lang: Lang) -> list[str]:
    t, c = _words(lang), colon(lang)
    out = ["", f"## {t['types']}", ""]
    for ideal in graded.types:
        spec = ideal.spec
        out += [
            f"### {_md(spec.id)} — {_md(getattr(spec.label, lang))}",
            "",
            _md(getattr(spec.description, lang)),
        ]
        out += ["", *_cited(spec.source, spec.interpretation, lang, markdown=True)]
        out += [f"- {t['formula']}{c}{_code(formula_text(ideal.membership))}", ""]
    out += [f"## {t['indicators']}", ""]
    for indicator in graded.indicators:
        spec_i = indicator.spec
        out += [f"### {_md(spec_i.id)} — {_md(getattr(spec_i.label, lang))}", ""]
        out += _cited(spec_i.source, spec_i.interpretation, lang, markdown=True)
        out.append(f"- {t['reads']}{c}" + ", ".join(_code(p) for p in indicator.paths))
        out += ["", *_fenced(_logic_lines(indicator, lang)), ""]
        out += [f"- *{_md(e.name)}* → {_code(str(e.expect))}" for e in spec_i.examples]
        if spec_i.examples:
            out.append("")
    if graded.axes:
        out += [f"## {t['axes']}", ""]
        for axis in graded.axes:
            a = axis.spec
            out.append(
                f"- **{_md(a.id)}**, {_md(getattr(a.label, lang))} "
                f"({_md(getattr(a.low, lang))} → {_md(getattr(a.high, lang))}): "
                f"{_code(formula_text(axis.value))}. {_md(getattr(a.interpretation, lang))}"
            )
        quadrants = ", ".join(
            f"{_code(q.type)} (x {_md(str(q.x))}, y {_md(str(q.y))})" for q in graded.spec.quadrants
        )
        out += ["", f"- {t['quadrants']}{c}{quadrants}"]
    return out


def trajectory_text(trajectory: Trajectory, typology: Typology, lang: Lang = "fr") -> str:
    """An initiative's memberships (or outcomes) per date, then the changes of outcome."""
    t, c = _words(lang), colon(lang)
    title = getattr(typology.title, lang)
    header = [t["date"]]
    first = trajectory.points[0].verdict
    if first.graded is not None:
        header += [getattr(m.label, lang) for m in first.graded.memberships]
    header.append(t["outcome"])
    rows = []
    for point in trajectory.points:
        row = [t["first_state"] if point.date is None else point.date.isoformat()]
        row += [span(m, lang) for m in point.verdict.memberships or ()]
        row.append(point.verdict.outcome)
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{trajectory.initiative} — {title} ({typology.id} {typology.version})", ""]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    lines.append("")
    if trajectory.changes:
        lines.append(t["changes"] + c.rstrip())
        lines += [
            f"  {ch.date.isoformat()}{c}{ch.before} → {ch.after}" for ch in trajectory.changes
        ]
    else:
        lines.append(t["no_change"])
    return "\n".join(lines) + "\n"


def hypotheses_text(report: HypothesesReport, lang: Lang = "fr") -> str:
    """Each proposition with the initiatives that support, contradict or cannot say."""
    t, c = _words(lang), colon(lang)
    lines = [f"{getattr(report.title, lang)} ({report.hypotheses} {report.version})"]
    lines.append(f"{len(report.initiatives)} {t['initiatives']}")
    lines.append(getattr(report.scope.reading, lang))
    if report.scope.undecided:
        lines.append(f"    {t['h_scope_flagged']}{c}{', '.join(report.scope.undecided)}")
    for prop in report.propositions:
        lines += ["", f"{prop.id}  {getattr(prop.statement, lang)}"]
        lines += _cited(prop.source, prop.interpretation, lang, "    ")
        for key in ("supports", "contradicts", "cannot_say", "not_applicable"):
            names: list[str] = getattr(prop, key)
            shown = ", ".join(names) if names else "—"
            lines.append(f"    {t['h_' + key]} ({len(names)}){c}{shown}")
    return "\n".join(lines) + "\n"
