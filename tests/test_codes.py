"""Words for codes: every closed list has them, and they reach the reader beside the code."""

from __future__ import annotations

import pytest

from poletype._engine.codes import WORDS, code_label, described
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS


def _closed_fields() -> dict[str, tuple[str, ...]]:
    docs = [*APPLICANT_FIELDS.values(), *MEMBER_FIELDS.values()]
    return {doc.path: doc.allowed for doc in docs if doc.allowed}


def test_every_code_of_every_closed_list_has_words() -> None:
    """A code added to the model without words fails here, not in a funder's report."""
    closed = _closed_fields()
    assert set(WORDS) == set(closed)
    for path, allowed in closed.items():
        assert list(WORDS[path]) == list(allowed), path


@pytest.mark.parametrize("path", sorted(WORDS))
def test_words_are_given_in_both_languages_and_distinct(path: str) -> None:
    """Two codes of one field never read the same: the reader could not tell them apart."""
    for lang in (0, 1):
        words = [w[lang] for w in WORDS[path].values()]
        assert all(w.strip() for w in words)
        assert not any(mark in w for w in words for mark in ",;()"), path  # shown in lists
        assert len(set(words)) == len(words), path


def test_one_code_reads_by_its_field() -> None:
    """'local' is a French feminine scale ('Échelle') but plural markets ('Débouchés')."""
    assert code_label("scale", "local") is not None
    assert code_label("scale", "local").fr == "locale"  # type: ignore[union-attr]
    assert code_label("market_reach", "local").fr == "locaux"  # type: ignore[union-attr]
    assert code_label("activities.sectors", "bois") is None
    assert code_label("members.kind", "mature") is None


def test_described_keeps_the_code() -> None:
    """The code stays in brackets: it is what the spreadsheet holds."""
    assert described("members.kind", "ess_association", "fr") == (
        "association de l'ESS (ess_association)"
    )
    assert described("members.kind", "sme", "en") == "SME outside the ESS (sme)"
    assert described("activities.sectors", "bois", "fr") == "bois"
    assert described("activities.functions", "incubation", "fr") == "incubation"
    assert described("stage", "project", "fr", code_first=True) == "project (en projet)"


def test_words_come_from_the_data_file_and_lists_can_be_shared() -> None:
    """data/codes.yaml reuses the list of functions by alias: one list, two fields."""
    from poletype._read.data import load

    data = load("codes")
    assert set(data) == set(WORDS)
    assert data["activities.functions"] is data["activities.primary_function"]
    for path, codes in data.items():
        for code, words in codes.items():
            assert WORDS[path][code] == (words["fr"], words["en"])
