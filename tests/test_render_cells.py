"""Row errors in a programme officer's words (poletype._render.cells): French and English,
the field named by its label, never a Python value, a pattern or a library's wording."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from poletype._read.data import load
from poletype._render.cells import ROW_CODES, error_field, error_text, error_words, sentence
from poletype._render.html import anchors
from poletype._render.letters import letters, paragraphs
from poletype._render.outputs import CSV_NAME, verdicts_csv, write_screening
from poletype._render.report_app import unpack
from poletype._render.workbook import XLSX_NAME
from poletype._screening.header import say
from poletype._screening.screen import ScreenedRow, Screening, screen, screening_typologies
from poletype._screening.tabular import RowError
from poletype.errors import ERROR_CODES
from poletype.rulefile import Text

INTERNALS = re.compile(
    r"[\[\]{}\\^$]|\b(?:None|True|False|datetime|Error|Traceback|should|pattern|found '|"
    r"LineList|dict|str|int)\b"
)
"""What no officer should read: brackets of a Python value or a regex, a type's name,
a validation library's phrasing."""
STORED = "String should match pattern '^[A-Z]{2}$', found datetime.datetime(2016, 3, 15)"
"""A stored English message with every internal at once, as a document's row may hold."""


def _error(
    code: str | None = None, column: str | None = None, text: Text | None = None
) -> RowError:
    return RowError(14, column, STORED, "appel.csv", code, text)  # type: ignore[arg-type]


def test_every_code_a_row_can_carry_has_its_own_words() -> None:
    """The input's faults and a typology failing on a row are each said their own way."""
    assert {
        "unclosed-quote",
        "cell-too-large",
        "control-character",
        "too-many-rows",
        "too-many-members",
        "unreadable-input",
        "yaml-syntax",
        "evaluation-error",
    } <= ROW_CODES
    words = load("words")["row_errors"]
    other = error_words(_error("bad-request"))
    for code in ROW_CODES:
        assert code in words, code
        said = error_words(_error(code))
        assert said != other, code
        assert said.fr != said.en, code
        assert said.fr.strip(), code
        assert said.en.strip(), code


def test_the_words_name_only_real_codes() -> None:
    """A key that is no error code (a typo) would never be said."""
    assert set(load("words")["row_errors"]) <= set(ERROR_CODES)


@pytest.mark.parametrize("section", ["row_errors", "row_error_cases"])
def test_no_word_shows_an_internal(section: str) -> None:
    for key, words in load("words")[section].items():
        for lang in ("fr", "en"):
            said = words[lang].format(label="Pays", message="…")
            assert not INTERNALS.search(said), (key, lang, said)


@given(
    code=st.sampled_from([*ERROR_CODES, None]),
    column=st.sampled_from([None, "id", "name", "country", "founded", "members.kind"]),
    stored=st.text(min_size=1).map(lambda t: "«stored»" + t),
)
def test_a_stored_message_never_reaches_a_person(
    code: str | None, column: str | None, stored: str
) -> None:
    """Whatever the code and field, a person reads the words, not the stored English message:
    a non-empty sentence per language, the field's label first, French unlike English."""
    error = RowError(7, column, stored, "appel.csv", code)  # type: ignore[arg-type]
    french, english = error_text(error, "fr"), error_text(error, "en")
    assert french != english
    for lang, said in (("fr", french), ("en", english)):
        assert "«stored»" not in said
        assert said.strip()
        assert not INTERNALS.search(said)
        if column is not None:
            field = error_field(error)
            assert field is not None
            assert said.startswith(getattr(field, lang))
        else:
            assert said == sentence(getattr(error_words(error), lang))


def test_the_readings_own_words_come_first() -> None:
    """What the reading worded (what it found, what it expected) is kept; an English text
    wrapped for both languages is not words, and gives way to the code's."""
    worded = say("duplicate_id", id="A1", first=2)
    assert error_text(_error(None, "id", worded), "fr") == (
        "Identifiant : identifiant « A1 » déjà utilisé à la ligne 2"
    )
    wrapped = Text(fr=STORED, en=STORED)
    assert error_words(_error("unclosed-quote", None, wrapped)) == error_words(
        _error("unclosed-quote")
    )


def test_the_cell_at_fault_is_named_after_the_field() -> None:
    """``Nom (B14)``: where to look in the sheet, in both languages."""
    error = RowError(14, "name", STORED, "appel.csv", "control-character", cell="B14")
    assert error_text(error, "fr").startswith("Nom (B14) : ")
    assert error_text(error, "en").startswith("Name (B14): ")
    member = RowError(3, "applicant_id", STORED, "m.csv", None, cell="membres!A3")
    assert error_text(member, "fr").startswith("Identifiant de la candidature (membres!A3) : ")


def test_each_shape_without_a_code_has_its_words() -> None:
    """A member row without its applicant, a value, the row as a whole."""
    orphan = error_text(_error(None, "applicant_id"), "fr")
    assert orphan.startswith("Identifiant de la candidature : cette ligne de membre")
    assert error_text(_error(None, "country"), "fr").startswith("Pays : cette valeur")
    assert error_text(_error(), "fr") == (
        "Cette candidature n'a pas pu être lue ; vérifiez-la dans le dossier"
    )
    assert error_text(_error(), "en") == "This application could not be read; check it in the file"
    assert error_text(_error("unclosed-quote", "name")) == f"name: {STORED} [unclosed-quote]"


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """A French call with rows that cannot be read: a repeated id, a control character in a
    name, a member row of no applicant, and a quote never closed that ends the file."""
    folder = tmp_path_factory.mktemp("broken")
    (folder / "appel.csv").write_text(
        "id;name;stage;voluntary\n"
        "A1;Pôle Un;emerging;oui\n"
        "A1;Pôle Double;emerging;oui\n"
        "A3;Pôle\x01Trois;emerging;oui\n"
        'A4;"Pôle cassé;emerging;oui\n',
        encoding="utf-8",
    )
    (folder / "appel-membres.csv").write_text(
        "applicant_id;name;kind\nA1;Membre;association\nZZ;Perdu;association\n",
        encoding="utf-8",
    )
    return screen(folder / "appel.csv", screening_typologies(["labo-ess-ptce"]))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Screening:
    """A folder of documents: a country the model refuses, broken YAML, a list, a bad year."""
    folder = tmp_path_factory.mktemp("documents")
    (folder / "a.yaml").write_text("id: D1\nname: Un\ncountry: France2\n", encoding="utf-8")
    (folder / "b.yaml").write_text("id: D2\nname: [unclosed\n", encoding="utf-8")
    (folder / "c.json").write_text('{"id": "D3", "name": "Trois", "founded": "hier"}')
    (folder / "d.yaml").write_text("- a\n- b\n", encoding="utf-8")
    return screen(folder, screening_typologies(["labo-ess-ptce"]))


def _failed(screening: Screening) -> list[ScreenedRow]:
    return [row for row in screening.rows if row.error is not None]


def test_the_call_has_the_errors_it_was_built_with(broken: Screening, documents: Screening) -> None:
    """So that the tests below read every kind of error, not a call that happened to pass."""
    errors = [row.error for row in _failed(broken)]
    assert [(e.column, e.code, e.cell) for e in errors if e is not None] == [
        ("id", None, "A3"),
        ("name", "control-character", "B4"),
        (None, "unclosed-quote", None),
        ("applicant_id", None, "appel-membres.csv!A3"),
    ]
    codes = {row.error.code for row in _failed(documents) if row.error is not None}
    assert codes == {None, "yaml-syntax"}
    assert any("pattern" in row.error.message for row in _failed(documents) if row.error)


@pytest.mark.parametrize("call", ["broken", "documents"])
def test_every_french_output_words_each_broken_row_in_french(
    call: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The report's sheet, the CSV, the workbook and the letter give each error in French,
    with its field's label, and none gives the stored English message."""
    screening: Screening = request.getfixturevalue(call)
    write_screening(screening, tmp_path, "fr")
    rows = _failed(screening)
    assert rows
    text = (tmp_path / CSV_NAME).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    sheet = load_workbook(tmp_path / XLSX_NAME).active
    assert sheet is not None
    head = [c.value for c in sheet[1]]
    book = [sheet.cell(r, head.index("Erreur") + 1).value for r in range(2, sheet.max_row + 1)]
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    sheets = "".join(unpack(page)[1])
    for row in rows:
        assert row.error is not None
        french = error_text(row.error, "fr")
        assert not INTERNALS.search(french), french
        assert french != error_text(row.error, "en")
        index = screening.rows.index(row)
        assert table[index]["erreur"] == french
        assert book[index] == french
        field = error_field(row.error)
        if field is not None:
            assert french.startswith(f"{field.fr} : ")
        if row.error.cell is not None:
            assert f"({row.error.cell}) : " in french
        section = sheets[sheets.index(f'id="{anchors(screening)[index]}"') :]
        section = section[: section.index("</section>")]
        assert "<th>Pourquoi</th>" in section
        assert html.escape(sentence(error_words(row.error).fr)) in section
        assert html.escape(row.error.message) not in section
        _, body = paragraphs(row, "fr")
        assert french in str(body[0])
    assert "pattern" not in page + text
    assert "String should" not in page + text


def test_what_it_would_take_says_labels_and_value_words_never_paths_or_codes(
    tmp_path: Path,
) -> None:
    """A change reads "Part d'utilité sociale : 30 % → 51 %" and "Ajouter un membre (Type
    de membre : collectivité locale)" in every French output: no dotted path, no code.
    verdicts.jsonl and the codes columns keep each change's path and stored text."""
    examples = Path(__file__).parent.parent / "examples" / "screening" / "candidatures.csv"
    out = tmp_path / "out"
    screening = screen(examples, screening_typologies(["labo-ess-ptce"]))
    write_screening(screening, out, "fr", extra=letters(screening, "fr"))
    changes = [
        c for r in screening.rows for f in r.findings for s in f.changes or () for c in s.changes
    ]
    assert changes
    paths = {c.path for c in changes if "." in c.path}
    codes = {v for c in changes for v in (c.after, c.before) if isinstance(v, str)}
    codes |= {
        v
        for c in changes
        if isinstance(c.after, dict)
        for v in c.after.values()
        if isinstance(v, str)
    }
    assert "activities.social_utility_share" in paths
    sheet = load_workbook(out / XLSX_NAME).active
    sheets = html.unescape("".join(unpack((out / "rapport.html").read_text("utf-8"))[1]))
    texts = {
        "report": "".join(re.findall(r'<div class="takes">.*?</div>', sheets, re.DOTALL)),
        "csv": (out / CSV_NAME).read_text(encoding="utf-8-sig"),
        "xlsx": "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value),
        "letters": "\n".join(p.read_text(encoding="utf-8") for p in (out / "lettres").iterdir()),
    }
    for name, text in texts.items():
        assert "Part d'utilité sociale : " in text, name
        assert not [p for p in paths if p in text], name
        assert not [c for c in codes if f"({c})" in text or f": {c}" in text], name
    assert "Type de membre : association de l'ESS" in texts["letters"]
    assert re.search(r"Part d'utilité sociale : \d+ % → 51 %", texts["csv"])
    jsonl = (out / "verdicts.jsonl").read_text(encoding="utf-8")
    assert "activities.social_utility_share : " in jsonl  # the stored text, for programs
    assert "activities.social_utility_share" in verdicts_csv(screening, "fr", "codes")
