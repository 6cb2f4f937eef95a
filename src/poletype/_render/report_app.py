"""The report's list of applicants as a tool to work in: search, filter, sort, pages.

A call with 2,000 applicants made a report of one page of 20 to 60 MB that a browser
took a minute to lay out and an officer could only scroll. Here the page holds the
list as one JSON block that a small inline script draws a page at a time, and each
applicant's sheet, rendered by `poletype._render.html` as before, is gzip-compressed into one
base64 block that the script opens only when a sheet is asked for (the browser's own
``DecompressionStream``: no library). Sheets repeat the same criteria and sentences,
so they compress tenfold or more, and nothing of them is laid out until opened. The
list and the sheets are written as they come (`Packer`, `list_chunks`): a report of a
hundred thousand applicants is written without holding its sheets in memory.

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
import io
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any

from poletype._engine.typology import CrispTypology, Typology, against
from poletype._read.data import Lang, by_language
from poletype._read.yaml import load_yaml
from poletype._screening.screen import Finding, ScreenedRow, Tally, criterion_ids

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


def _json(value: object) -> str:
    """Compact JSON with ``<`` (and the two JavaScript line breaks) escaped.

    Each character is escaped alone, so that pieces of one document escaped apart give
    the bytes of the document escaped whole.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Packer:
    """The sheets gzip-compressed as they are added, into ``file`` (or memory).

    The same bytes as `gzip.compress` of the JSON list of every sheet at once (level 9,
    no timestamp), as zlib gives the same stream however its input is cut; `text` then
    gives them in base64, a block at a time.
    """

    def __init__(self, file: IO[bytes] | None = None) -> None:
        self._file: IO[bytes] = io.BytesIO() if file is None else file
        self._zip = zlib.compressobj(9, zlib.DEFLATED, 31)
        self._count = 0
        self._file.write(self._zip.compress(b"["))

    def add(self, sheet: str) -> None:
        """Compress one more sheet."""
        text = json.dumps(sheet, ensure_ascii=False)
        data = (("," if self._count else "") + text).encode("utf-8")
        self._file.write(self._zip.compress(data))
        self._count += 1

    def text(self) -> Iterator[str]:
        """Close the list and give the compressed sheets in base64, a block at a time."""
        self._file.write(self._zip.compress(b"]") + self._zip.flush())
        self._file.seek(0)
        while block := self._file.read(3 * 2**18):  # a multiple of 3: no padding inside
            yield base64.b64encode(block).decode("ascii")


def packed(sheets: Sequence[str]) -> str:
    """The sheets as gzip (no timestamp: same input, same bytes) in base64."""
    packer = Packer()
    for sheet in sheets:
        packer.add(sheet)
    return "".join(packer.text())


class Anchors:
    """Each row's HTML id, ``applicant-<row>``, made unique as the rows come.

    Row numbers repeat only when member rows of a second sheet belong to no applicant
    (they are reported with their own sheet's row number); a repeat gets a suffix.
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}

    def __call__(self, row: int) -> str:
        self._seen[row] = self._seen.get(row, 0) + 1
        suffix = "" if self._seen[row] == 1 else f"-{self._seen[row]}"
        return f"applicant-{row}{suffix}"


class MainSource:
    """The applicants file, which the first row comes from; None for a folder of files.

    Rows whose source is another file (the members sheet's orphans) name it in the
    list. Told each row's source as it comes (`add`): a folder's files are all
    different, and then every row names its own.
    """

    def __init__(self) -> None:
        self._first: str | None = None
        self._count = 0
        self._distinct: set[str] | None = set()

    def add(self, source: str) -> None:
        """One more row's source."""
        if self._first is None:
            self._first = source
        self._count += 1
        if self._distinct is not None:
            if source in self._distinct:
                self._distinct = None
            else:
                self._distinct.add(source)

    @property
    def value(self) -> str | None:
        """The main source: the first row's, unless every row has a source of its own."""
        if self._first is None or (self._count > 1 and self._distinct is not None):
            return None
        return self._first

    def note(self, source: str) -> str:
        """What the list shows of a row's source: nothing for the main one, else its name."""
        return "" if source == self.value else Path(source).name


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


def list_chunks(
    screening: Tally,
    lines: Iterable[Mapping[str, Any]],
    rounds: bool,
    sheets: Iterable[str],
    lang: Lang,
    *,
    intro: str,
    report_words: Mapping[str, str],
    outcome_class: Callable[[Typology, str], str],
) -> Iterator[str]:
    """The list of applicants, its controls, the data blocks and the script, in pieces.

    A piece at a time: each line of the list (`row_data`), each block of the sheets
    (``sheets``, the base64 blocks of `Packer.text`). ``rounds`` says whether some
    line has a change since the previous round (`row_data`'s ``c``).
    """
    t = table("app", lang)
    head = {
        "w": {**report_words, **t},
        "t": [typology_meta(ty, lang, outcome_class) for ty in screening.typologies],
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
    yield (
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
        '<script type="application/json" id="pt-data">'
    )
    # The data block {"w", "t", "r": lines, "ch", "lang"}, written a line at a time.
    yield _json(head)[:-1] + ',"r":['
    for index, line in enumerate(lines):
        yield ("," if index else "") + _json(line)
    yield "]," + _json({"ch": rounds, "lang": lang})[1:] + "</script>"
    yield '<script type="application/octet-stream" id="pt-sheets">'
    yield from sheets
    yield f"</script><script>{asset('report.js')}</script>"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
