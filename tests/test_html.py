"""The HTML report: self-contained, escaped, complete, and rendered by a real browser."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from poletype import classify, load_typology, read_initiative, what_it_would_take
from poletype._render.cells import change_lines
from poletype._render.html import REPORT_NAMES, _lacks, anchors, chart, render_report
from poletype._render.outputs import write_screening
from poletype._render.report_app import unpack
from poletype._screening.screen import Finding, ScreenedRow, Screening, screen, screening_typologies

CHROMIUM = Path("/usr/bin/chromium")
CANDIDATURES = EXAMPLES / "screening" / "candidatures.csv"


@pytest.fixture(scope="module")
def screening(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """Four applicants, one malformed, one whose name tries to inject markup."""
    folder = tmp_path_factory.mktemp("call")
    source = folder / "appel.csv"
    source.write_text(
        "id;name;stage;voluntary;activities.social_utility_share;strategy.shared\n"
        "A1;Pôle <script>alert(1)</script> & Cie;emerging;oui;0,6;oui\n"
        "A2;Pôle Deux;mature;oui;0,6;\n"
        "A3;Pôle Trois;project;non;0,3;non\n"
        "A4;Pôle Quatre;;;;\n",
        encoding="utf-8",
    )
    return screen(source, screening_typologies(["labo-ess-ptce", "matray-poisat"]))


@pytest.fixture(scope="module")
def page(screening: Screening) -> str:
    """The French report of that screening."""
    return render_report(screening, "fr")


@pytest.fixture(scope="module")
def sheets(page: str) -> str:
    """The applicants' sheets the report's script opens on demand, as one text."""
    return "".join(unpack(page)[1])


@pytest.fixture(scope="module")
def data(page: str) -> Any:
    """The list's data block: what the script draws the list from."""
    return unpack(page)[0]


def _line(data: Any, name: str) -> Any:
    return next(line for line in data["r"] if line["n"].startswith(name))


def test_every_applicant_has_a_section_and_a_line_in_the_list(
    screening: Screening, page: str, sheets: str, data: Any
) -> None:
    """One sheet per row, ids applicant-<row>, each with a line of the list that links it."""
    for row in screening.rows:
        assert sheets.count(f'id="applicant-{row.row}"') == 1
        assert f'id="applicant-{row.row}"' not in page  # packed, not laid out
    assert len(re.findall(r'<section class="applicant', sheets)) == len(screening.rows)
    assert [line["a"] for line in data["r"]] == anchors(screening)
    assert [line["r"] for line in data["r"]] == [row.row for row in screening.rows]


def test_summary_counts_outcomes_errors_and_rows(screening: Screening, page: str) -> None:
    """A summary per typology: every outcome with its count, the errors, the total."""
    assert '<section id="summary">' in page
    assert 'id="summary-labo-ess-ptce"' in page
    assert 'id="summary-matray-poisat"' in page
    assert "Lignes en erreur" in page
    assert "Total des lignes" in page
    labo = page[page.index('id="summary-labo-ess-ptce"') : page.index('id="summary-matray')]
    counts = screening.counts(screening.typologies[0])
    for label, outcome in (("PTCE", "ptce"), ("Pas un PTCE", "not_ptce")):
        assert f'{label}</span></td><td class="num">{counts[outcome]}</td>' in labo
    assert sum(counts.values()) == len(screening.rows) - screening.errors


def test_user_text_is_escaped(page: str, sheets: str) -> None:
    """An applicant's name is shown as text, never as markup, in the sheets and the list data."""
    assert "<script>alert" not in page
    assert "<script>alert" not in sheets
    assert "Pôle &lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in sheets
    assert "Pôle \\u003cscript>alert(1)\\u003c/script> & Cie" in page  # JSON, no "</"
    assert page.count("<script") == 3  # the list data, the packed sheets, the script


def test_nothing_is_fetched_from_the_network(page: str, sheets: str) -> None:
    """One file: inline scripts only, no external stylesheet, font or image."""
    assert re.findall(r"<script[^>]*>", page) == [
        '<script type="application/json" id="pt-data">',
        '<script type="application/octet-stream" id="pt-sheets">',
        "<script>",
    ]
    assert "fetch(" not in page
    assert "XMLHttpRequest" not in page
    assert "<script" not in sheets
    assert "<link" not in page
    assert "@import" not in page
    assert "url(" not in page
    assert "<img" not in page
    addresses = set(re.findall(r"https?://[^\"' )]+", page + sheets))
    assert addresses == {"http://www.w3.org/2000/svg"}


def test_a_bad_cell_is_a_note_in_its_applicants_section(screening: Screening, sheets: str) -> None:
    """The malformed row is screened; its section names the field, the cell and why."""
    bad = next(r for r in screening.rows if r.notes)
    assert not bad.failed
    section = sheets[sheets.index(f'id="applicant-{bad.row}"') :]
    section = section[: section.index("</section>")]
    assert '<div class="cell-notes">' in section
    assert "Cellules non lues" in section
    assert "Stade (" in section
    assert "« mature »" in section


def test_verdict_criteria_questions_and_what_it_would_take(
    screening: Screening, sheets: str
) -> None:
    """A screened applicant's section: verdicts, criteria with source, questions, changes."""
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A3")
    section = sheets[sheets.index(f'id="applicant-{row.row}"') :]
    section = section[: section.index("</section>")]
    assert "Pas un PTCE" in section
    assert "Critères incontournables" in section
    assert "Source : Le Labo de l&#x27;ESS" in section
    assert "Questions à poser au candidat" in section
    assert "Ce qu&#x27;il faudrait" in section
    assert "Appartenance à chaque type idéal" in section
    assert section.count('class="takes"') == 1  # not for the graded typology


def test_the_list_and_the_section_say_what_an_applicant_lacks(
    screening: Screening, sheets: str, data: Any
) -> None:
    """A3 fails M2, M3 and M5: codes with their labels in the list, spelt in its section."""
    labo = data["t"][0]
    assert labo["cl"]["M2"] == "Un regroupement volontaire, assez nombreux et varié"
    assert labo["w"] == ["non satisfait", "s'applique"]
    assert _line(data, "Pôle Trois")["f"][0][1] == ["M2", "M3", "M5"]
    for other in ("Pôle <script>", "Pôle Quatre"):
        assert _line(data, other)["f"][0][1] == []
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A3")
    section = sheets[sheets.index(f'id="applicant-{row.row}"') :]
    assert (
        "Ce qui écarte la candidature : M2 Un regroupement volontaire, assez nombreux et "
        "varié (non satisfait) ; M3 " in section
    )
    english = "".join(unpack(render_report(screening, "en"))[1])
    assert "What keeps it out: M2 A voluntary grouping, large and varied enough (not met); M3" in (
        english
    )


def test_indeterminate_applicant_is_asked_not_told(screening: Screening, sheets: str) -> None:
    """An indeterminate applicant gets the questions, and no 'what it would take'."""
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A4")
    section = sheets[sheets.index(f'id="applicant-{row.row}"') :]
    section = section[: section.index("</section>")]
    assert row.findings[0].verdict.outcome == "indeterminate"
    assert 'class="takes"' not in section
    assert "<code>activities.social_utility_share</code>" in section


def test_english_report(screening: Screening) -> None:
    """--lang en: English labels and the English file name."""
    page = render_report(screening, "en")
    assert '<html lang="en">' in page
    assert "Applicant pre-screening" in page
    assert "Questions to ask the applicant" in "".join(unpack(page)[1])
    assert "Not a PTCE" in page
    assert REPORT_NAMES["en"] == "report.html"


def test_same_screening_same_bytes(screening: Screening, page: str) -> None:
    """Nothing in the page depends on the time or the machine."""
    assert render_report(screening, "fr") == page


def test_chart_draws_one_bar_per_count() -> None:
    """A bar per entry, its length proportional to the count, the count printed after it."""
    svg = chart([("Oui", 3, "#000"), ("Non", 0, "#111"), ("<x>", 6, "#222")], title="T")
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count('fill="#000"') == 1
    assert 'fill="#111"' not in svg  # a zero draws no bar, only its track
    assert "&lt;x&gt;" in svg
    widths = [int(w) for w in re.findall(r'width="(\d+)" height="16" rx="3" fill="#[02]', svg)]
    assert widths[1] == 2 * widths[0]


def test_anchors_stay_unique_when_row_numbers_repeat(tmp_path: Path) -> None:
    """An orphan member row keeps its own sheet's row number; its anchor gets a suffix."""
    source = tmp_path / "appel.csv"
    source.write_text("id;name\nA;Pôle A\n", encoding="utf-8")
    (tmp_path / "appel-membres.csv").write_text(
        "applicant_id;name;kind\nZZ;Fantôme;sme\n", encoding="utf-8"
    )
    screening = screen(source, [load_typology("matray-poisat")])
    assert [r.row for r in screening.rows] == [2, 2]
    assert anchors(screening) == ["applicant-2", "applicant-2-2"]


def _png_size_and_colours(path: Path) -> tuple[tuple[int, int], int]:
    image = pytest.importorskip("matplotlib.image").imread(path)
    height, width = image.shape[:2]
    pixels = image.reshape(-1, image.shape[2])
    colours = {tuple(p) for p in pixels[:: max(1, len(pixels) // 20000)]}
    return (width, height), len(colours)


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt install)"
)


def _chromium(profile: Path, *args: str) -> str:
    """Run headless Chromium offline on a page; its standard output (the DOM, if dumped)."""
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    done = subprocess.run([*flags, *args], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def _dom(profile: Path, url: str) -> str:
    return _chromium(profile, "--virtual-time-budget=5000", "--dump-dom", url)


def _shown(dom: str) -> list[int]:
    """The rows of the list the browser shows, in order."""
    body = dom[dom.index('id="pt-list"') :]
    body = body[: body.index("</table>")]
    return [int(n) for n in re.findall(r'<tr data-row="(\d+)">', body)]


@needs_chromium
def test_headless_chromium_renders_the_report(screening: Screening, tmp_path: Path) -> None:
    """A real browser opens the file offline: the list is drawn with a link to each sheet,
    a sheet opens from its fragment, and the screenshot is a real, non-blank image."""
    (report, *_) = write_screening(screening, tmp_path / "out", "fr")
    url = report.resolve().as_uri()
    dom = _dom(tmp_path / "profile", url)
    assert '<section id="summary">' in dom
    assert '<table class="summary">' in dom
    assert "<svg" in dom
    assert _shown(dom) == [row.row for row in screening.rows]
    for anchor in anchors(screening):
        assert f'href="#{anchor}"' in dom
    line = dom[dom.index('<tr data-row="4">') :]
    line = line[: line.index("</tr>")]
    assert (
        '<abbr title="Un regroupement volontaire, assez nombreux et varié (non satisfait)">'
        "M2</abbr>" in line
    )
    assert "(survolez un code pour son intitulé).</p>" in dom  # several grids: codes, hover
    assert "Caractérisation des PTCE selon le Labo de l'ESS</th>" in dom  # titled, not by id
    sheet = _dom(tmp_path / "profile", url + "#applicant-4")
    detail = sheet[sheet.index('<section id="detail"') :]
    assert 'id="applicant-4"' in detail
    assert "Ce qui écarte la candidature" in detail
    assert 'class="viewing"' in sheet
    png = tmp_path / "report.png"
    _chromium(tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,2000", url)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    size, colours = _png_size_and_colours(png)
    assert size == (1280, 2000)
    assert colours > 20  # text, badges, bars: far from a blank page


@needs_chromium
def test_with_one_grid_the_list_spells_out_what_keeps_an_applicant_out(tmp_path: Path) -> None:
    """A programme officer reads the reasons in the list, not codes to hover over one by one."""
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;voluntary;activities.social_utility_share;strategy.shared\n"
        "A3;Pôle Trois;non;0,3;non\n",
        encoding="utf-8",
    )
    one = screen(source, screening_typologies(["labo-ess-ptce"]))
    (report, *_) = write_screening(one, tmp_path / "out", "fr")
    dom = _dom(tmp_path / "profile", report.resolve().as_uri())
    line = dom[dom.index('<tr data-row="2">') :]
    line = line[: line.index("</tr>")]
    assert (
        '<span class="reason"><abbr title="Un regroupement volontaire, assez nombreux et varié '
        '(non satisfait)">M2</abbr> Un regroupement volontaire, assez nombreux et varié</span>'
    ) in line
    assert "M5</abbr> Une majorité d'activités d'utilité sociale reconnue</span>" in line
    assert '<p class="muted">Sous une issue négative, les critères qui l\'expliquent.</p>' in dom


@needs_chromium
def test_a_broken_row_reads_in_french_in_the_browser(tmp_path: Path) -> None:
    """Rows that cannot be read (a control character, a quote never closed) open, in French, on a
    sheet that says in French which row, which field and why; the English the reader
    stored is nowhere on it, and the screenshot is a real page."""
    source = tmp_path / "appel.csv"
    source.write_text(
        'id;name;stage\nA1;Pôle Un;emerging\nA2;Pôle\x01Deux;emerging\nA3;"Pôle cassé;emerging\n',
        encoding="utf-8",
    )
    broken = screen(source, screening_typologies(["labo-ess-ptce"]))
    assert [r.error.code for r in broken.rows if r.error] == ["control-character", "unclosed-quote"]
    (report, *_) = write_screening(broken, tmp_path / "out", "fr")
    url = report.resolve().as_uri()
    for anchor, field, said, stored in (
        (
            "applicant-3",
            "Nom (B3)",
            "La cellule contient un caractère de contrôle invisible",
            "which no one types",
        ),
        ("applicant-4", "toute la ligne", "Un guillemet ouvert dans cette ligne", "a quote opened"),
    ):
        dom = _dom(tmp_path / "profile", f"{url}#{anchor}")
        detail = dom[dom.index('<section id="detail"') :]
        assert "Ligne non classée" in detail
        assert f"<th>Colonne</th><td>{field}</td>" in detail
        assert f"<th>Pourquoi</th><td>{said}" in detail
        assert stored not in detail
    png = tmp_path / "broken.png"
    _chromium(
        tmp_path / "profile", f"--screenshot={png}", "--window-size=1000,700", f"{url}#applicant-4"
    )
    size, colours = _png_size_and_colours(png)
    assert size == (1000, 700)
    assert colours > 20


@pytest.fixture(scope="module")
def crowd() -> Screening:
    """2,000 applicants: the example call's six, replicated with distinct ids and names.

    Screening 2,000 rows takes minutes; the report's size and speed depend on its rows,
    not on how they were found.
    """
    base = screen(CANDIDATURES, screening_typologies(["labo-ess-ptce"]))
    rows = []
    for i in range(2000):
        row = base.rows[i % len(base.rows)]
        assert row.initiative is not None
        named = f"{row.initiative.name} n° {i}"
        initiative = row.initiative.model_copy(update={"id": f"C-{i:05d}", "name": named})
        rows.append(dataclasses.replace(row, row=i + 2, initiative=initiative))
    return Screening(base.input, base.typologies, tuple(rows))


@pytest.fixture(scope="module")
def crowd_url(crowd: Screening, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The French report of the 2,000 applicants, as a file URL."""
    path = tmp_path_factory.mktemp("crowd") / "rapport.html"
    path.write_text(render_report(crowd, "fr"), encoding="utf-8")
    return path.resolve().as_uri()


def test_the_report_of_2000_applicants_stays_small(crowd: Screening) -> None:
    """Sheets packed and drawn on demand: 2,000 applicants in under 2 MB, not 20 to 60."""
    page = render_report(crowd, "fr")
    size = len(page.encode("utf-8"))
    assert size < 2_000_000, size
    _, sheets = unpack(page)
    assert len(sheets) == 2000
    assert sum(len(s) for s in sheets) > 10 * size  # what the page no longer lays out


@needs_chromium
def test_2000_applicants_open_in_under_3_seconds(crowd_url: str, tmp_path: Path) -> None:
    """The list is drawn, one page of 50, within 3 s of the navigation's start."""
    dom = _dom(tmp_path / "profile", crowd_url)
    drawn = int(re.findall(r'data-drawn="(\d+)"', dom)[0])
    assert drawn < 3000, drawn
    assert _shown(dom) == list(range(2, 52))
    assert "2000 candidature(s) sur 2000" in dom


@needs_chromium
def test_filter_by_outcome_and_sort_by_score(
    crowd: Screening, crowd_url: str, tmp_path: Path
) -> None:
    """#liste?o=…&s=score:…: only the PTCE, strongest first, ties in row order."""
    dom = _dom(
        tmp_path / "profile", crowd_url + "#liste?o=labo-ess-ptce:ptce&s=score:labo-ess-ptce&n=25"
    )
    qualify = [
        (r.findings[0].verdict.scores[0].met, r.row)
        for r in crowd.rows
        if r.findings[0].verdict.outcome == "ptce"
    ]
    expected = [row for _, row in sorted(qualify, key=lambda x: (-x[0], x[1]))][:25]
    assert _shown(dom) == expected
    assert f"{len(qualify)} candidature(s) sur 2000" in dom
    worst = _dom(tmp_path / "profile", crowd_url + "#liste?s=score:labo-ess-ptce&d=asc&n=10")
    scores = [(r.findings[0].verdict.scores[0].met, r.row) for r in crowd.rows]
    assert _shown(worst) == [row for _, row in sorted(scores)][:10]


@needs_chromium
def test_filter_by_criterion_search_sort_by_name_and_pages(
    crowd: Screening, crowd_url: str, tmp_path: Path
) -> None:
    """A criterion not met, a search, a sort by name on page 2: the rows Python predicts."""
    profile = tmp_path / "profile"

    def status(row: ScreenedRow, criterion: str) -> str:
        return next(c.status for c in row.findings[0].verdict.criteria if c.id == criterion)

    lacking = [r.row for r in crowd.rows if status(r, "M5") == "not_met"]
    dom = _dom(profile, crowd_url + "#liste?c=labo-ess-ptce:M5&cs=not_met&n=0")
    assert _shown(dom) == lacking
    unknown = [r.row for r in crowd.rows if status(r, "T2") == "unknown"][:50]
    assert _shown(_dom(profile, crowd_url + "#liste?c=labo-ess-ptce:T2&cs=unknown")) == unknown
    assert _shown(_dom(profile, crowd_url + "#liste?q=C-01999")) == [2001]
    assert _shown(_dom(profile, crowd_url + "#liste?q=n%C2%B0%201999")) == [2001]

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()

    by_name = sorted(crowd.rows, key=lambda r: (fold(r.name or ""), r.row))
    page2 = _dom(profile, crowd_url + "#liste?s=name&p=2&n=25")
    assert _shown(page2) == [r.row for r in by_name[25:50]]
    assert "Page 2 sur 80" in page2


def test_identical_members_added_are_said_once_and_counted() -> None:
    """Ten organisations asked of a pole of seven: '3 × Ajouter un membre', not three lines."""
    initiative = read_initiative(EXAMPLES / "pole-exemple-complet.yaml")
    sets = what_it_would_take(initiative, "labo-ess-ptce", params={"min_organisations": 10})
    change_set = next(s for s in sets if [c.path for c in s.changes].count("members") > 1)
    lines = change_lines(change_set, "fr")
    texts = [c.text.fr for c in change_set.changes]
    assert len(lines) < len(texts)
    counted = [line for line in lines if " × " in line]
    assert counted
    number, text = counted[0].split(" × ", 1)
    assert texts.count(text) == int(number) == 3
    total = sum(int(line.split(" × ")[0]) if " × " in line else 1 for line in lines)
    assert total == len(texts)


def test_a_met_exclusion_is_said_to_apply_not_to_be_lacking() -> None:
    """'X2 Essentiellement un réseau… (s'applique)': a fact found, not a requirement missed."""
    labo = load_typology("labo-ess-ptce")
    guichet = {"name": "Guichet", "activities": {"primary_function": "representation"}}
    finding = Finding(labo, classify(guichet, labo), None)
    assert finding.lacking == ("X2",)
    fr, en = _lacks(finding, "fr", spelt=True), _lacks(finding, "en", spelt=True)
    assert "X2 Essentiellement un réseau de représentation ou de promotion de l&#x27;ESS" in fr
    assert fr.endswith("(s&#x27;applique)</span>")
    assert en.endswith("(applies)</span>")
    assert '"X2">Essentially an ESS representation or promotion network (applies)' in _lacks(
        finding, "en"
    )


def test_the_report_opens_with_how_to_read_it(screening: Screening, page: str) -> None:
    """Before the figures: outcomes, unknown is not 'no', what keeps out, colours, scope."""
    guide = page[page.index('<section id="guide"') : page.index('<section id="summary"')]
    assert "Comment lire ce rapport" in guide
    assert "ne compte jamais comme un « non »" in guide
    assert "M5, X2" in guide  # crisp typology screened: the codes are explained
    assert "appartenance à chaque type" in guide  # and a graded one
    assert "How to read this report" in render_report(screening, "en")


def test_the_guide_speaks_only_of_what_the_report_shows(tmp_path: Path) -> None:
    """Graded typologies only: no word of negative outcomes or what keeps an applicant out."""
    source = tmp_path / "appel.csv"
    source.write_text("id;name;stage\nA1;Pôle Un;emerging\n", encoding="utf-8")
    page = render_report(screen(source, [load_typology("matray-poisat")]), "fr")
    guide = page[page.index('<section id="guide"') : page.index('<section id="summary"')]
    assert "appartenance à chaque type" in guide
    assert "M5, X2" not in guide
    assert "Pas un PTCE" not in guide
