"""The screening report as one self-contained HTML page for a programme officer.

One file that opens anywhere, offline, years later: inline CSS, an inline SVG chart,
a small inline script for the list of applicants and their sheets
(`poletype._render.report_app`), no font, no image, nothing fetched from anywhere. Everything
an applicant wrote is escaped. Nothing in the page depends on when it was made, so the
same input gives the same bytes and two reports can be compared with ``diff``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from poletype._engine.justify import colon
from poletype._engine.typology import CrispTypology, GradedTypology, Typology, against
from poletype._read.data import Lang, by_language, load
from poletype._render.cells import change_lines, error_field, error_words, sentence
from poletype._render.chart import COLOURS, chart
from poletype._render.css import CSS
from poletype._render.report import MARKS, hybrid_answer, span
from poletype._render.report_app import Anchors, MainSource, Packer, asset, list_chunks, row_data
from poletype._screening.fields import question
from poletype._screening.screen import Finding, ScreenedRow, Screening, Tally
from poletype._screening.tabular import RowError
from poletype.rulefile import Text
from poletype.verdict import CriterionResult, GradedParts, Source, Verdict

REPORT_NAMES: dict[Lang, str] = {"fr": "rapport.html", "en": "report.html"}
"""The report's file name in each language."""

_T = by_language(load("words")["screening"])
"""The report's fixed words, one table per language (``data/words.yaml``)."""

_STATUS_ORDER = ("met", "not_met", "unknown")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tx(text: Text, lang: Lang) -> str:
    return _e(getattr(text, lang))


def outcome_class(typology: Typology, outcome: str) -> str:
    """The CSS class (and colour) of an outcome: positive, negative, indeterminate, type."""
    if isinstance(typology, CrispTypology):
        names = typology.verdict_rule.outcomes
        return {names.met: "positive", names.not_met: "negative"}.get(outcome, "indeterminate")
    return "indeterminate" if outcome == "indeterminate" else "type"


def render_report(
    screening: Screening,
    lang: Lang = "fr",
    *,
    changes: Sequence[str] | None = None,
    changes_section: str = "",
) -> str:
    """The whole report: summary, chart, the list of applicants, each applicant's sheet.

    The list and the sheets are drawn by a small inline script (`poletype._render.report_app`),
    so that 2,000 applicants make a page that opens in a second. ``changes`` gives each
    row's change since the previous round ("" for none) and ``changes_section`` the
    section that lists them (`poletype._render.rounds`).
    """
    marks = list(changes) if changes is not None else [""] * len(screening.rows)
    main = MainSource()
    for row in screening.rows:
        main.add(row.source)
    lines = []
    packer = Packer()
    for row, anchor, mark in zip(screening.rows, anchors(screening), marks, strict=True):
        line, sheet = report_row(row, anchor, mark, screening.tally, lang)
        line["s"] = main.note(row.source)
        lines.append(line)
        packer.add(sheet)
    rounds = any(marks)
    chunks = report_chunks(
        screening.tally,
        lines,
        rounds,
        packer.text(),
        lang=lang,
        changes_section=changes_section,
    )
    return "".join(chunks)


def report_row(
    row: ScreenedRow, anchor: str, change: str, screening: Tally, lang: Lang
) -> tuple[dict[str, Any], str]:
    """One row's line of the list (its source note left for the caller) and its sheet."""
    asked = _questions(row)
    line = row_data(row, anchor, len(asked), "", change)
    return line, _applicant(row, anchor, asked, screening, lang, change=change)


def report_chunks(
    screening: Tally,
    lines: Iterable[Mapping[str, Any]],
    rounds: bool,
    sheets: Iterable[str],
    *,
    lang: Lang,
    changes_section: str = "",
) -> Iterator[str]:
    """The report a piece at a time: each line of the list, each block of the sheets.

    ``lines`` are `report_row`'s with their source notes, ``sheets`` the base64 blocks
    of the packed sheets (`poletype._render.report_app.Packer`); ``rounds`` says
    whether some row has a change since the previous round, whose section is
    ``changes_section``.
    """
    t = _T[lang]
    several = len(screening.typologies) > 1
    intro = (t["toc_intro"] if several else t["toc_intro_one"]) if screening.crisp else ""
    listed = list_chunks(
        screening,
        lines,
        rounds,
        sheets,
        lang,
        intro=intro,
        report_words=t,
        outcome_class=outcome_class,
    )
    parts: list[str | Iterator[str]] = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(t['title'])} — {_e(_input_name(screening))} — "
        f"{_e(', '.join(ty.id for ty in screening.typologies))}</title>",
        f"<style>{CSS}{asset('report.css')}</style>",
        "</head>",
        "<body>",
        "<main>",
        _header(screening, lang),
        _notices(screening, lang),
        _guide(screening, lang),
        _summary(screening, lang),
        changes_section,
        listed,
        _footer(screening, lang),
        "</main>",
        "</body>",
        "</html>",
    ]
    for index, part in enumerate(p for p in parts if p):
        if index:
            yield "\n"
        if isinstance(part, str):
            yield part
        else:
            yield from part


def _notices(screening: Tally, lang: Lang) -> str:
    """What the reading says about the whole file (no members sheet...), at the top."""
    if not screening.notices:
        return ""
    items = "".join(f"<li>{_tx(notice, lang)}</li>" for notice in screening.notices)
    return (
        f'<section id="notices" class="notices"><h2>{_e(_T[lang]["notices"])}</h2>'
        f"<ul>{items}</ul></section>"
    )


def _cell_notes(row: ScreenedRow, lang: Lang) -> str:
    """The applicant's unreadable cells, each with its field, its cell and why."""
    t = _T[lang]
    out = ""
    if row.notes:
        items = "".join(f"<li>{_e(note.text(lang))}</li>" for note in row.notes)
        out += (
            f'<div class="cell-notes"><h3>{_e(t["notes"])}</h3>'
            f'<p class="muted">{_e(t["notes_intro"])}</p><ul>{items}</ul></div>'
        )
    if row.extra:
        cells = "".join(
            f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>" for name, value in row.extra
        )
        out += (
            f'<div class="cell-notes extra"><h3>{_e(t["extra"])}</h3>'
            f'<table class="facts"><tbody>{cells}</tbody></table></div>'
        )
    return out


def _input_name(screening: Tally) -> str:
    return Path(screening.input).name or screening.input


def _header(screening: Tally, lang: Lang) -> str:
    t = _T[lang]
    items = "".join(
        f"<li>{_tx(ty.title, lang)} <code>{_e(ty.id)}</code></li>" for ty in screening.typologies
    )
    only = screening.typologies[0] if len(screening.typologies) == 1 else None
    subtitle = f'<p class="subtitle">{_tx(only.title, lang)}</p>' if only else ""
    return (
        '<header class="report">'
        f"<h1>{_e(t['title'])}</h1>{subtitle}"
        f'<p class="meta"><b>{_e(t["input"])}</b>{_e(colon(lang))}'
        f"{_e(_input_name(screening))} · {screening.total} {_e(t['rows'])}</p>"
        f'<p class="meta"><b>{_e(t["typologies"])}</b></p><ul class="typologies">{items}</ul>'
        "</header>"
    )


_GUIDE = by_language(load("words")["guide"])
"""The opening lines on how to read the report, one table per language."""


def _guide(screening: Tally, lang: Lang) -> str:
    """A few lines on how to read the report, for an officer who opens it without help."""
    g = _GUIDE[lang]
    graded = any(isinstance(ty, GradedTypology) for ty in screening.typologies)
    keys = [
        *(["outcomes"] if screening.crisp else []),
        "unknown",
        *(["lacking"] if screening.crisp else []),
        *(["graded"] if graded else []),
        "colours",
        "scope",
    ]
    items = "".join(f"<li>{_e(g[k])}</li>" for k in keys)
    return f'<section id="guide" class="guide"><h2>{_e(g["title"])}</h2><ul>{items}</ul></section>'


def _share(count: int, total: int, lang: Lang) -> str:
    if total == 0:
        return "—"
    value = round(100 * count / total)
    return f"{value} %" if lang == "fr" else f"{value}%"


def _summary(screening: Tally, lang: Lang) -> str:
    t = _T[lang]
    total = screening.total
    out = [
        f'<section id="summary"><h2>{_e(t["summary"])}</h2><div class="figures">'
        f"<div><b>{total}</b>{_e(t['total'])}</div>"
        f"<div><b>{total - screening.errors}</b>{_e(t['screened'])}</div>"
        f'<div class="{"failed" if screening.errors else ""}"><b>{screening.errors}</b>'
        f"{_e(t['errors'])}</div></div>"
    ]
    for typology in screening.typologies:
        counts = screening.counts(typology)
        labels = dict(typology.outcomes())
        rows = []
        bars: list[tuple[str, int, str]] = []
        for outcome, count in counts.items():
            label = getattr(labels[outcome], lang) if outcome in labels else outcome
            css = outcome_class(typology, outcome)
            rows.append(
                f'<tr><td><span class="badge {css}">{_e(label)}</span></td>'
                f'<td class="num">{count}</td>'
                f'<td class="num">{_share(count, total, lang)}</td></tr>'
            )
            bars.append((label, count, COLOURS[css]))
        rows.append(
            f'<tr><td><span class="badge error">{_e(t["errors"])}</span></td>'
            f'<td class="num">{screening.errors}</td>'
            f'<td class="num">{_share(screening.errors, total, lang)}</td></tr>'
        )
        bars.append((t["errors"], screening.errors, COLOURS["error"]))
        rows.append(
            f'<tr class="total"><td>{_e(t["total"])}</td><td class="num">{total}</td>'
            f'<td class="num">{_share(total, total, lang)}</td></tr>'
        )
        out.append(
            f'<div class="panel" id="summary-{_e(typology.id)}"><div>'
            f"<h3>{_tx(typology.title, lang)}</h3>"
            '<table class="summary">'
            f'<thead><tr><th>{_e(t["outcome"])}</th><th class="num">{_e(t["count"])}</th>'
            f'<th class="num">{_e(t["share"])}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
            f"<div>{chart(bars, title=t['chart'])}</div></div>"
        )
    out.append("</section>")
    return "".join(out)


def _badge(finding: Finding, lang: Lang) -> str:
    css = outcome_class(finding.typology, finding.verdict.outcome)
    return f'<span class="badge {css}">{_tx(finding.verdict.outcome_label, lang)}</span>'


def _lacks(finding: Finding, lang: Lang, *, spelt: bool = False) -> str:
    """The criteria that keep an applicant out, by code (and label if ``spelt``).

    Each says how it keeps the applicant out, since a label states a requirement
    ("at least one local authority") when it is not met but a fact ("essentially a
    network") when an exclusion applies.
    """
    lacking = finding.lacking
    if not lacking:
        return ""
    t = _T[lang]
    reversed_ = against(finding.typology)
    labels = {
        r.id: f"{getattr(r.label, lang)} ({t['applies' if r.id in reversed_ else 'lacks']})"
        for r in finding.verdict.criteria
    }
    if spelt:
        separator = " ; " if lang == "fr" else "; "
        named = separator.join(f"{_e(c)} {_e(labels[c])}" for c in lacking)
        return f'<span class="lacks">{_e(t["lacking"])}{_e(colon(lang))}{named}</span>'
    named = "; ".join(f'<span title="{_e(c)}">{_e(labels[c])}</span>' for c in lacking)
    return f'<span class="lacks">{named}</span>'


def _error_badge(lang: Lang) -> str:
    return f'<span class="badge error">{_e(_T[lang]["error"])}</span>'


def _questions(row: ScreenedRow) -> dict[str, list[str]]:
    """Each missing fact of a row, with the typologies whose outcome it could change."""
    asked: dict[str, list[str]] = {}
    for finding in row.findings:
        for path in finding.verdict.missing:
            asked.setdefault(path, []).append(finding.typology.id)
    return asked


def anchors(screening: Screening) -> list[str]:
    """The HTML id of each row's section: ``applicant-<row>``, made unique.

    Row numbers repeat only when member rows of a second sheet belong to no applicant
    (they are reported with their own sheet's row number); a repeat gets a suffix.
    """
    anchor = Anchors()
    return [anchor(row.row) for row in screening.rows]


def _name(row: ScreenedRow) -> str:
    return row.name or row.label


def _applicant(
    row: ScreenedRow,
    anchor: str,
    asked: dict[str, list[str]],
    screening: Tally,
    lang: Lang,
    *,
    change: str = "",
) -> str:
    t = _T[lang]
    c = colon(lang)
    meta = [f"{_e(t['row'])} {row.row}", _e(row.source)]
    if row.id:
        meta.insert(1, f"{_e(t['id'])}{_e(c)}{_e(row.id)}")
    head = (
        f'<section class="applicant{" failed" if row.failed else ""}" '
        f'id="{anchor}">'
        f"<h2>{_e(_name(row))}</h2>"
        f'<p class="meta">{" · ".join(meta)}</p>'
    )
    if change:
        head += f'<p class="asks"><b>Δ</b> {_e(change)}</p>'

    if row.error is not None:
        return head + _error(row.error, lang) + _cell_notes(row, lang) + "</section>"
    verdicts = "".join(
        f"<tr><th>{_tx(f.typology.title, lang)}{_lacks(f, lang, spelt=True)}</th>"
        f"<td>{_badge(f, lang)}</td></tr>"
        for f in row.findings
    )
    parts = [head, f'<table class="facts verdicts"><tbody>{verdicts}</tbody></table>']
    parts.append(_cell_notes(row, lang))
    parts.append(_asks(asked, screening, lang))
    parts += [_takes(f, lang) for f in row.findings]
    parts += [_finding(f, lang) for f in row.findings]
    parts.append("</section>")
    return "".join(parts)


def _error(error: RowError, lang: Lang) -> str:
    """Why the row was not classified, in the report's language: the row, the field, why."""
    t = _T[lang]
    field = error_field(error)
    column = t["whole_row"] if field is None else getattr(field, lang)
    why = sentence(getattr(error_words(error), lang))
    return (
        f'<div class="finding"><h3><span>{_e(t["error_title"])}</span>'
        f"{_error_badge(lang)}</h3>"
        f'<table class="facts"><tbody>'
        f"<tr><th>{_e(t['row'])}</th><td>{error.row}</td></tr>"
        f"<tr><th>{_e(t['column'])}</th><td>{_e(column)}</td></tr>"
        f"<tr><th>{_e(t['why'])}</th><td>{_e(why)}</td></tr>"
        "</tbody></table></div>"
    )


def _effect(status: str, reversed_: bool) -> str:
    if status == "unknown":
        return "open"
    return "bad" if (status == "met") == reversed_ else "good"


def _finding(finding: Finding, lang: Lang) -> str:
    typology, verdict = finding.typology, finding.verdict
    out = [
        '<div class="finding">',
        f"<h3><span>{_tx(typology.title, lang)}</span>{_badge(finding, lang)}</h3>",
    ]
    if verdict.graded is not None:
        out.append(_graded(verdict, verdict.graded, lang))
        return "".join(out) + "</div>"
    by_group: dict[str, list[CriterionResult]] = {}
    for result in verdict.criteria:
        by_group.setdefault(result.group, []).append(result)
    order = list(typology.spec.groups) + [g for g in by_group if g not in typology.spec.groups]
    reversed_ = against(typology)
    for group in order:
        results = by_group.get(group, [])
        if not results:
            continue
        label = typology.spec.groups.get(group)
        out.append(f"<h4>{_tx(label, lang) if label else _e(group)}</h4>")
        ranked = sorted(results, key=lambda r: _STATUS_ORDER.index(r.status))
        out.append(_criteria_table(ranked, lang, reversed_))
    return "".join(out) + "</div>"


def _source_text(source: Source, lang: Lang) -> str:
    text = f"{source.title}, {source.section}"
    return f"{_e(_T[lang]['source'])}{_e(colon(lang))}{_e(text)}"


def _criteria_table(results: list[CriterionResult], lang: Lang, reversed_: set[str]) -> str:
    t = _T[lang]
    sources = {r.source for r in results}
    shared = next(iter(sources)) if len(sources) == 1 else None
    rows = []
    for r in results:
        source = "" if shared else f'<span class="source">{_source_text(r.source, lang)}</span>'
        effect = _effect(r.status, r.id in reversed_)
        mark, status = MARKS[r.status], t[r.status]
        if r.id in reversed_ and r.status == "not_met":
            # An exclusion that does not apply: nothing failed, nothing to colour.
            effect, mark, status = "neutral", "–", t["does_not_apply"]
        rows.append(
            f'<tr><td><span class="status {effect}">'
            f"{mark} {_e(status)}</span></td>"
            f'<td><span class="crit-id">{_e(r.id)}</span>{_tx(r.label, lang)}</td>'
            f"<td>{_tx(r.justification, lang)}{source}</td></tr>"
        )
    caption = f'<p class="source">{_source_text(shared, lang)}</p>' if shared else ""
    return (
        caption + '<table class="criteria"><thead><tr>'
        f"<th>{_e(t['status'])}</th><th>{_e(t['criterion'])}</th>"
        f"<th>{_e(t['justification'])}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _graded(verdict: Verdict, graded: GradedParts, lang: Lang) -> str:
    t = _T[lang]
    c = colon(lang)
    leaning = verdict.membership(graded.leaning) if graded.leaning else None
    out = []
    if leaning is not None:
        out.append(f"<p><b>{_e(t['leaning'])}</b>{_e(c)}{_tx(leaning.label, lang)}</p>")
    out.append(f"<p><b>{_e(t['hybrid'])}</b>{_e(c)}{_e(hybrid_answer(verdict, lang))}</p>")
    out.append(f"<h4>{_e(t['memberships'])}</h4><table class='memberships'><tbody>")
    for m in graded.memberships:
        low, high = round(m.low * 100, 1), round(m.high * 100, 1)
        out.append(
            f"<tr><td>{_tx(m.label, lang)}</td>"
            f'<td><span class="bar"><span class="known" style="left:0;width:{low}%"></span>'
            f'<span class="open" style="left:{low}%;width:{round(high - low, 1)}%"></span>'
            f'</span></td><td class="num">{_e(span(m, lang, digits=2))}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _asks(asked: dict[str, list[str]], screening: Tally, lang: Lang) -> str:
    t = _T[lang]
    if not asked:
        return f'<div class="asks"><h3>{_e(t["ask"])}</h3><p>{_e(t["none_missing"])}</p></div>'
    several = len(screening.typologies) > 1
    items = []
    for path, ids in asked.items():
        scope = f" — {_e(t['for'])} {_e(', '.join(ids))}" if several else ""
        items.append(
            f"<li>{_tx(question(path), lang)} "
            f'<span class="path">· <code>{_e(path)}</code>{scope}</span></li>'
        )
    return (
        f'<div class="asks"><h3>{_e(t["ask"])}</h3><p class="muted">{_e(t["ask_intro"])}</p>'
        f"<ul>{''.join(items)}</ul></div>"
    )


def _takes(finding: Finding, lang: Lang) -> str:
    t = _T[lang]
    typology = finding.typology
    if not isinstance(typology, CrispTypology):
        return ""
    positive = typology.verdict_rule.outcomes.met
    if finding.changes is None or finding.verdict.outcome == positive:
        return ""
    label = getattr(typology.verdict_rule.labels[positive], lang)
    head = (
        f'<div class="takes"><h3>{_e(t["would_take"])} — {_tx(finding.typology.title, lang)}</h3>'
    )
    if not finding.changes:
        return head + f"<p>{_e(t['no_change_found'].format(outcome=label))}</p></div>"
    options = []
    for number, change_set in enumerate(finding.changes, start=1):
        changes = "".join(f"<li>{_e(line)}</li>" for line in change_lines(change_set, lang))
        criteria = ", ".join(change_set.criteria)
        options.append(
            f"<li><b>{_e(t['option'])} {number}</b> "
            f'<span class="muted">({_e(t["criteria_changed"])}{_e(colon(lang))}'
            f"{_e(criteria)})</span><ul>{changes}</ul></li>"
        )
    return (
        head + f"<p>{_e(t['would_take_intro'].format(outcome=label))}</p>"
        f"<ol>{''.join(options)}</ol></div>"
    )


def _footer(screening: Tally, lang: Lang) -> str:
    rules = ", ".join(
        f"{_e(ty.id)} {_e(ty.version)} (<code>{_e(ty.rules_hash[:19])}…</code>)"
        for ty in screening.typologies
    )
    text = _T[lang]["footer"].format(version=_e(_version()))
    return f"<footer>{text}{_e(colon(lang))}{rules}.</footer>"


def _version() -> str:
    try:
        return metadata.version("poletype")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
