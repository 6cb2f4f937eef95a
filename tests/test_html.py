"""The HTML report: self-contained, escaped, complete, and rendered by a real browser."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES
from poletype import classify, load_typology, read_initiative, what_it_would_take
from poletype._render.html import REPORT_NAMES, _lacks, anchors, change_lines, chart, render_report
from poletype._render.outputs import write_screening
from poletype._screening.screen import Finding, Screening, screen, screening_typologies

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


def test_every_applicant_has_a_section_and_a_line_in_the_list(
    screening: Screening, page: str
) -> None:
    """One section per row, ids applicant-<row>, each linked from the list of applicants."""
    for row in screening.rows:
        assert page.count(f'id="applicant-{row.row}"') == 1
        assert f'href="#applicant-{row.row}"' in page
    assert len(re.findall(r'<section class="applicant', page)) == len(screening.rows)


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


def test_user_text_is_escaped(page: str) -> None:
    """An applicant's name is shown as text, never as markup."""
    assert "<script" not in page
    assert "Pôle &lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in page


def test_nothing_is_fetched_from_the_network(page: str) -> None:
    """One file: no script, no external stylesheet, font or image; only the SVG namespace."""
    assert "<script" not in page
    assert "<link" not in page
    assert "@import" not in page
    assert "url(" not in page
    assert "<img" not in page
    addresses = set(re.findall(r"https?://[^\"' )]+", page))
    assert addresses == {"http://www.w3.org/2000/svg"}


def test_a_bad_cell_is_a_note_in_its_applicants_section(screening: Screening, page: str) -> None:
    """The malformed row is screened; its section names the field, the cell and why."""
    bad = next(r for r in screening.rows if r.notes)
    assert not bad.failed
    section = page[page.index(f'id="applicant-{bad.row}"') :]
    section = section[: section.index("</section>")]
    assert '<div class="cell-notes">' in section
    assert "Cellules non lues" in section
    assert "Stade (" in section
    assert "« mature »" in section


def test_verdict_criteria_questions_and_what_it_would_take(screening: Screening, page: str) -> None:
    """A screened applicant's section: verdicts, criteria with source, questions, changes."""
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A3")
    section = page[page.index(f'id="applicant-{row.row}"') :]
    section = section[: section.index("</section>")]
    assert "Pas un PTCE" in section
    assert "Critères incontournables" in section
    assert "Source : Le Labo de l&#x27;ESS" in section
    assert "Questions à poser au candidat" in section
    assert "Ce qu&#x27;il faudrait" in section
    assert "Appartenance à chaque type idéal" in section
    assert section.count('class="takes"') == 1  # not for the graded typology


def test_the_list_and_the_section_say_what_an_applicant_lacks(
    screening: Screening, page: str
) -> None:
    """A3 fails M2, M3 and M5: codes with their labels in the list, spelt in its section."""
    toc = page[page.index('id="applicants"') :]
    toc = toc[: toc.index("</section>")]
    line = next(tr for tr in toc.split("<tr>") if "Pôle Trois" in tr)
    assert (
        '<span title="M2">Un regroupement volontaire, assez nombreux et varié (non satisfait)'
        "</span>" in line
    )
    assert re.findall(r'<span title="(M\d)">', line) == ["M2", "M3", "M5"]
    for other in ("&amp; Cie", "Pôle Quatre"):
        assert "lacks" not in next(tr for tr in toc.split("<tr>") if other in tr)
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A3")
    section = page[page.index(f'id="applicant-{row.row}"') :]
    assert (
        "Ce qui écarte la candidature : M2 Un regroupement volontaire, assez nombreux et "
        "varié (non satisfait) ; M3 " in section
    )
    english = render_report(screening, "en")
    assert "What keeps it out: M2 A voluntary grouping, large and varied enough (not met); M3" in (
        english
    )


def test_indeterminate_applicant_is_asked_not_told(screening: Screening, page: str) -> None:
    """An indeterminate applicant gets the questions, and no 'what it would take'."""
    row = next(r for r in screening.rows if r.initiative and r.initiative.id == "A4")
    section = page[page.index(f'id="applicant-{row.row}"') :]
    section = section[: section.index("</section>")]
    assert row.findings[0].verdict.outcome == "indeterminate"
    assert 'class="takes"' not in section
    assert "<code>activities.social_utility_share</code>" in section


def test_english_report(screening: Screening) -> None:
    """--lang en: English labels and the English file name."""
    page = render_report(screening, "en")
    assert '<html lang="en">' in page
    assert "Applicant pre-screening" in page
    assert "Questions to ask the applicant" in page
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


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt install)"
)
def test_headless_chromium_renders_the_report(screening: Screening, tmp_path: Path) -> None:
    """A real browser opens the file offline: the DOM holds the summary and every section,
    and the screenshot is a real, non-blank image."""
    (report, *_) = write_screening(screening, tmp_path / "out", "fr")
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
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = report.resolve().as_uri()
    dom = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert '<section id="summary">' in dom
    assert '<table class="summary">' in dom
    assert "<svg" in dom
    for anchor in anchors(screening):
        assert f'id="{anchor}"' in dom
    png = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={png}", "--window-size=1280,2000", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1280  # IHDR width
    assert int.from_bytes(data[20:24], "big") == 2000  # IHDR height
    size, colours = _png_size_and_colours(png)
    assert size == (1280, 2000)
    assert colours > 20  # text, badges, bars: far from a blank page


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
