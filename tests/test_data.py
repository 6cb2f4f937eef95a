"""The words shipped as data: read once, complete in both languages, same placeholders."""

from __future__ import annotations

import string

import pytest

from poletype._read.data import by_language, load
from poletype._screening.fields import text
from poletype.rulefile import Text


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name is not None}


def test_each_file_is_read_once() -> None:
    assert load("words") is load("words")
    assert load("codes") is load("codes")


@pytest.mark.parametrize(
    "section", ["report", "screening", "guide", "row_errors", "row_error_cases"]
)
def test_every_report_word_is_in_both_languages_with_the_same_placeholders(
    section: str,
) -> None:
    """A placeholder in one language only would raise, or vanish, in the other's report."""
    entries = load("words")[section]
    assert entries
    for key, words in entries.items():
        assert set(words) == {"fr", "en"}, key
        assert words["fr"].strip()
        assert words["en"].strip()
        assert _placeholders(words["fr"]) == _placeholders(words["en"]), key


def test_the_reports_ask_for_no_word_the_file_lacks() -> None:
    """Every key a renderer reads is in the file (a KeyError would reach a user)."""
    import re
    from pathlib import Path

    import poletype

    source = Path(poletype.__file__).parent
    words = load("words")
    for module, sections in (
        ("_render/report.py", ["report"]),
        ("_render/html.py", ["screening", "guide"]),
    ):
        code = (source / module).read_text(encoding="utf-8")
        used = set(re.findall(r"\b[tg]\[[\"'](\w+)[\"']\]", code))
        used |= set(re.findall(r"_T\[lang\]\[[\"'](\w+)[\"']\]", code))
        known = set().union(*(words[s] for s in sections))
        assert used, module
        assert used <= known, (module, used - known)


def test_by_language_splits_the_entries() -> None:
    tables = by_language({"a": {"fr": "un", "en": "one"}, "b": {"fr": "deux", "en": "two"}})
    assert tables == {"fr": {"a": "un", "b": "deux"}, "en": {"a": "one", "b": "two"}}
    assert text({"fr": "oui", "en": "yes"}) == Text(fr="oui", en="yes")
