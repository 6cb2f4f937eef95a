"""Letters to applicants: questions, what keeps them out and what it would take, or a yes."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import pytest

from conftest import EXAMPLES
from poletype._render.letters import email_of, letter_html, letters, paragraphs, write_pdfs
from poletype._screening.screen import ScreenedRow, Screening, screen, screening_typologies

CANDIDATURES = EXAMPLES / "screening" / "candidatures.csv"


@pytest.fixture(scope="module")
def screening() -> Screening:
    return screen(CANDIDATURES, screening_typologies(["labo-ess-ptce"]))


def _by(screening: Screening, outcome: str) -> ScreenedRow:
    return next(r for r in screening.rows if r.findings[0].verdict.outcome == outcome)


def test_an_indeterminate_applicant_is_asked_the_missing_facts(screening: Screening) -> None:
    row = _by(screening, "indeterminate")
    subject, body = paragraphs(row, "fr")
    assert "informations à compléter" in subject
    asked = next(item for item in body if isinstance(item, list))
    assert len(asked) == len(row.findings[0].verdict.missing) > 0
    assert all(q.endswith(" ?") for q in asked)


def test_a_rejected_applicant_is_told_why_and_what_it_would_take(screening: Screening) -> None:
    row = _by(screening, "not_ptce")
    page = letter_html(row, "fr")
    assert "critères non remplis" in page
    assert "(non satisfait)" in page
    assert "Option 1" in page
    english = letter_html(row, "en")
    assert "criteria not met" in english
    assert '<html lang="en">' in english


def test_an_eligible_applicant_gets_a_confirmation(screening: Screening) -> None:
    row = _by(screening, "ptce")
    subject, body = paragraphs(row, "fr")
    assert "critères remplis" in subject
    assert body == [
        "Au regard de la grille « Caractérisation des PTCE selon le Labo de l'ESS », votre "
        "candidature remplit les critères. Elle passe à l'instruction approfondie du dossier ; "
        "cette étape ne préjuge pas de la décision finale."
    ]


def test_one_letter_per_row_and_a_safe_mail_merge(tmp_path: Path) -> None:
    source = tmp_path / "appel.csv"
    source.write_text(
        "id;name;stage;Courriel du porteur\n"
        "A1;=cmd|' /C calc'!A0;emerging;a1@example.org\n"
        "A2;Pôle <b>Deux</b>;mature;\n"
        "A3;;emerging;a3@example.org\n",
        encoding="utf-8",
    )
    screening = screen(source, screening_typologies(["labo-ess-ptce"]))
    files = letters(screening, "fr")  # the email from the column reading carried through
    assert sorted(files) == [
        "lettres/00002-A1.html",
        "lettres/00003-A2.html",
        "lettres/00004-A3.html",
        "lettres/publipostage.csv",
    ]
    assert "Pôle &lt;b&gt;Deux&lt;/b&gt;" in files["lettres/00003-A2.html"]
    assert "dossier à vérifier" in files["lettres/00004-A3.html"]  # the unreadable row
    lines = list(csv.reader(io.StringIO(files["lettres/publipostage.csv"][1:]), delimiter=";"))
    assert lines[0] == ["ligne", "identifiant", "nom", "courriel", "objet", "corps", "lettre"]
    assert lines[1][2] == "'=cmd|' /C calc'!A0"
    assert lines[1][3] == "a1@example.org"
    assert "informations à compléter" in lines[1][4]
    assert lines[2][3] == ""
    assert lines[3][3] == "a3@example.org"
    english = letters(screening, "en")["letters/mail-merge.csv"][1:]
    head = next(csv.reader(io.StringIO(english)))
    assert head == ["row", "id", "name", "email", "subject", "body", "letter"]
    given = letters(screening, "fr", {1: {"Courriel": "a2@example.org"}})
    assert "a2@example.org" in given["lettres/publipostage.csv"]
    assert email_of(screening.rows[0], {"Référent": "x", "E-mail du porteur": "p@x.org"}) == (
        "p@x.org"
    )


def test_cli_writes_letters_under_lettres(tmp_path: Path) -> None:
    from poletype.cli import main

    out = tmp_path / "out"
    assert main(["screen", str(CANDIDATURES), "--out", str(out), "--letters"]) == 0
    assert len(list((out / "lettres").glob("*.html"))) == 6
    assert (out / "lettres" / "publipostage.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.skipif(importlib.util.find_spec("weasyprint") is None, reason="pdf extra absent")
def test_pdf_letters_when_weasyprint_is_installed(screening: Screening, tmp_path: Path) -> None:
    files = {"l.html": letter_html(screening.rows[0], "fr")}
    (pdf,) = write_pdfs(tmp_path, files)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_no_letter_for_a_member_row_that_belongs_to_no_applicant(tmp_path: Path) -> None:
    """A members-sheet row keyed to an id no applicant has is the officer's to correct:
    no one to write to, so no letter and no mail-merge line; the applicant gets its own."""
    source = tmp_path / "appel.csv"
    source.write_text("id;name\nA1;Pôle Un\n", encoding="utf-8")
    (tmp_path / "appel-membres.csv").write_text(
        "applicant_id;kind\nA1;sme\nA9;sme\n", encoding="utf-8"
    )
    screening = screen(source, screening_typologies(["labo-ess-ptce"]))
    assert [r.error is not None for r in screening.rows] == [False, True]
    files = letters(screening, "fr")
    assert sorted(files) == ["lettres/00002-A1.html", "lettres/publipostage.csv"]
    lines = list(csv.reader(io.StringIO(files["lettres/publipostage.csv"][1:]), delimiter=";"))
    assert [line[1] for line in lines[1:]] == ["A1"]
