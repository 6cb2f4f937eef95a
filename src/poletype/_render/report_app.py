"""The report's list of applicants as a tool to work in: search, filter, sort, pages.

A call with 2,000 applicants made a report of one page of 20 to 60 MB that a browser
took a minute to lay out and an officer could only scroll. Here the page holds the
list as one JSON block that a small inline script draws a page at a time, and each
applicant's sheet, rendered by `poletype._render.html` as before, is gzip-compressed into one
base64 block that the script opens only when a sheet is asked for (the browser's own
``DecompressionStream``: no library). Sheets repeat the same criteria and sentences,
so they compress tenfold or more, and nothing of them is laid out until opened.

The state of the list (search, filters, sort, page) lives in the URL fragment
(``#liste?o=labo-ess-ptce:ptce&s=score:labo-ess-ptce``), so that a filtered view can
be bookmarked or sent, and the tests open the page on one. Nothing is fetched: the
script and the style sheet are package data inlined in the page. Everything an
applicant wrote reaches the page either escaped in the sheets' HTML or as JSON text
that the script only ever puts in the page as text.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

from poletype._engine.typology import CrispTypology, Typology
from poletype._read.data import Lang, by_language
from poletype._read.yaml import load_yaml
from poletype._screening.screen import Finding, ScreenedRow, Screening, against, criterion_ids

LIST_STATE = "liste"
"""The fragment that shows the list; ``#liste?…`` carries its state."""

_STATUS_CHARS = {"met": "m", "not_met": "n", "unknown": "u"}
_RANKS = {"positive": 0, "indeterminate": 1, "negative": 2, "type": 0}


@functools.cache
def words() -> Any:
    """The working parts' words (``data/worktable.yaml``), parsed once."""
    path = resources.files("poletype").joinpath("data", "worktable.yaml")
    return load_yaml(path.read_text(encoding="utf-8"), file="poletype/data/worktable.yaml")


def table(section: str, lang: Lang) -> dict[str, str]:
    """One section of ``worktable.yaml`` in one language."""
    return by_language(words()[section])[lang]


def asset(name: str) -> str:
    """A script or style sheet shipped beside the code, to be inlined in the page."""
    return resources.files("poletype").joinpath("data", name).read_text(encoding="utf-8")


def json_block(element_id: str, value: object) -> str:
    """A JSON data block a script reads; ``<`` escaped so no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def packed(sheets: Sequence[str]) -> str:
    """The sheets as gzip (no timestamp: same input, same bytes) in base64."""
    data = json.dumps(list(sheets), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


def unpack(page: str) -> tuple[Any, list[str]]:
    """The list data and the applicants' sheets of a report: what the script reads.

    For tests and for programs that read a report back.
    """
    data_start = page.index('id="pt-data">') + len('id="pt-data">')
    data = json.loads(page[data_start : page.index("</script>", data_start)])
    start = page.index('id="pt-sheets">') + len('id="pt-sheets">')
    blob = page[start : page.index("</script>", start)].strip()
    sheets = json.loads(gzip.decompress(base64.b64decode(blob)).decode("utf-8"))
    return data, sheets


def typology_meta(
    typology: Typology, lang: Lang, outcome_class: Callable[[Typology, str], str]
) -> dict[str, Any]:
    """What the script needs of a typology: its title, outcomes and criteria.

    ``outcome_class`` is the report's colour of an outcome, so that the list and the
    sheets agree.
    """
    reversed_ = against(typology)
    lacks = table("letters", lang)
    kinds: dict[str, list[Any]] = {}
    for index, (code, label) in enumerate(typology.outcomes()):
        css = outcome_class(typology, code)
        rank = index if css == "type" else _RANKS[css]
        kinds[code] = [getattr(label, lang), css, rank]
    labels = {}
    if isinstance(typology, CrispTypology):
        labels = {c.id: getattr(c.spec.label, lang) for c in typology.criteria}
    return {
        "id": typology.id,
        "title": getattr(typology.title, lang),
        "o": kinds,
        "c": criterion_ids(typology),
        "cl": labels,
        "x": sorted(reversed_),
        "w": [lacks["lacks"], lacks["applies"]],
        "sc": isinstance(typology, CrispTypology) and bool(typology.verdict_rule.scores),
    }


def score(finding: Finding) -> list[int] | None:
    """The strength score: ``[met, unknown, total]`` of the first scored group."""
    scores = finding.verdict.scores
    if not scores:
        return None
    first = scores[0]
    return [first.met, first.unknown, first.total]


def row_data(
    row: ScreenedRow,
    anchor: str,
    questions: int,
    source_note: str,
    change: str,
) -> dict[str, Any]:
    """One line of the list: what it shows, what it is filtered and sorted on."""
    findings: list[Any] | None = None
    if not row.failed:
        findings = []
        for finding in row.findings:
            statuses = {r.id: r.status for r in finding.verdict.criteria}
            chars = "".join(
                _STATUS_CHARS.get(statuses.get(c, ""), "-") for c in criterion_ids(finding.typology)
            )
            findings.append([finding.verdict.outcome, list(finding.lacking), score(finding), chars])
    name = row.name or row.label
    return {
        "r": row.row,
        "a": anchor,
        "n": name,
        "i": row.id or "",
        "s": source_note,
        "f": findings,
        "q": questions,
        "c": change,
    }


def list_section(
    screening: Screening,
    lines: Sequence[Mapping[str, Any]],
    sheets: Sequence[str],
    lang: Lang,
    *,
    intro: str,
    report_words: Mapping[str, str],
    outcome_class: Callable[[Typology, str], str],
) -> str:
    """The list of applicants, its controls, the data blocks and the script."""
    t = table("app", lang)
    rounds = any(line["c"] for line in lines)
    data = {
        "w": {**report_words, **t},
        "t": [typology_meta(ty, lang, outcome_class) for ty in screening.typologies],
        "r": list(lines),
        "ch": rounds,
        "lang": lang,
    }
    changed = (
        f'<label class="check"><input type="checkbox" id="pt-ch"> {_e(t["changed_only"])}</label>'
        if rounds
        else ""
    )
    controls = (
        '<div class="controls noprint" id="pt-controls">'
        f'<label>{_e(t["search"])}<input type="search" id="pt-q" '
        f'placeholder="{_e(t["search_hint"])}"></label>'
        f'<label>{_e(t["outcome"])}<select id="pt-o"></select></label>'
        f'<label>{_e(t["criterion"])}<select id="pt-c"></select></label>'
        f'<label>&#8203;<select id="pt-cs"></select></label>'
        f'<label>{_e(t["sort"])}<select id="pt-s"></select></label>'
        f'<label class="check"><input type="checkbox" id="pt-d"> {_e(t["descending"])}</label>'
        f"{changed}"
        f'<label>{_e(t["per_page"])}<select id="pt-n"></select></label>'
        f'<button type="button" id="pt-reset">{_e(t["reset"])}</button>'
        f'<button type="button" id="pt-print">{_e(t["print_list"])}</button>'
        f'<button type="button" id="pt-print-sheets">{_e(t["print_sheets"])}</button>'
        "</div>"
    )
    intro_line = f'<p class="muted">{_e(intro)}</p>' if intro else ""
    return (
        f'<section id="applicants"><h2>{_e(report_words["toc"])}</h2>'
        f"{intro_line}"
        f'<noscript><p class="asks">{_e(t["no_script"])}</p></noscript>'
        f"{controls}"
        '<p class="count" id="pt-count" aria-live="polite"></p>'
        '<div class="scroll"><table class="toc list" id="pt-list">'
        "<thead></thead><tbody></tbody></table></div>"
        '<div class="pager noprint" id="pt-pager"></div>'
        "</section>"
        '<section id="detail" aria-live="polite"></section>'
        '<div id="print-area"></div>'
        f"{json_block('pt-data', data)}"
        f'<script type="application/octet-stream" id="pt-sheets">{packed(sheets)}</script>'
        f"<script>{asset('report.js')}</script>"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
