"""Values are shown as a reader expects them, in French and English."""

from __future__ import annotations

import doctest
import re
from decimal import Decimal
from pathlib import Path

from benchmarks.workload import generate as workload

from poletype import Initiative, classify, load_typology, read_initiative, typologies
from poletype._engine import justify
from poletype._engine.codes import WORDS, words_of
from poletype._engine.interpreter import UNKNOWN, Interval, Maybe
from poletype._engine.justified import plan
from poletype._engine.justify import format_value
from poletype.model import Member

ROOT = Path(__file__).resolve().parent.parent


def test_doctests() -> None:
    """The docstring examples hold."""
    assert doctest.testmod(justify).failed == 0


def test_unknown_is_said_not_defaulted() -> None:
    """Unknown is shown as unknown, never as no or zero."""
    assert format_value(UNKNOWN, "fr") == "inconnu"
    assert format_value(None, "en") == "unknown"


def test_numbers_lists_and_intervals() -> None:
    """Integers without decimals, French decimal comma, lists joined, intervals spelled out."""
    assert format_value(Decimal(5), "fr") == "5"
    assert format_value(Decimal("0.6666666"), "en") == "0.667"
    assert format_value(("a", "b"), "fr") == "a, b"
    assert format_value(Interval(Decimal(2), Decimal(3)), "fr") == "entre 2 et 3"
    assert format_value((Maybe("x"),), "en") == "x (?)"


def test_a_set_of_member_kinds_is_shown_in_words() -> None:
    """M1 not met lists the kinds present as words, in each language, not as codes."""
    initiative = Initiative(
        name="x",
        members=[Member(kind="ess_association"), Member(kind="ess_cooperative")],
        partners_complete=True,
    )
    m1 = classify(initiative, "labo-ess-ptce").criterion("M1")
    assert m1.status == "not_met"
    assert "chez les membres : association de l'ESS, coopérative ;" in m1.justification.fr
    assert "among the members: ESS association, cooperative;" in m1.justification.en


def test_a_parameter_listing_member_kinds_is_shown_in_words() -> None:
    """The decree's E5 names the kinds it takes through their words."""
    initiative = Initiative(name="x", members=[Member(kind="sme"), Member(kind="sme")])
    e5 = classify(initiative, "decret-2015-ptce").criterion("E5")
    assert "types retenus : collectivité locale, centre de recherche" in e5.justification.fr
    assert "local_authority" not in e5.justification.fr + e5.justification.en


def test_founders_kinds_keep_their_unknown_presence_mark() -> None:
    """A member who may be a founder is shown in words, still marked as uncertain."""
    initiative = Initiative(
        name="x",
        members=[
            Member(kind="ess_association", founder=True),
            Member(kind="local_authority"),
        ],
    )
    verdict = classify(initiative, "matray-poisat")
    sentence = next(c for c in verdict.criteria if "fondateurs" in c.justification.fr)
    assert "association de l'ESS, collectivité locale (?)" in sentence.justification.fr


def test_words_of_a_parameter_need_one_field_that_words_them_alike() -> None:
    """A list of codes takes the words of the one field holding them all; else none."""
    assert words_of(["local_authority", "sme"]) is WORDS["members.kind"]
    assert words_of(["local_authority"]) is None  # an origin and a member kind, worded apart
    assert words_of([]) is None
    assert words_of(["not-a-code"]) is None
    assert words_of([1, 2]) is None


def test_no_example_sentence_shows_a_member_kind_code() -> None:
    """Across every shipped example and typology, sentences show kinds as words."""
    kinds = [code for code in WORDS["members.kind"] if "_" in code]
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        initiative = read_initiative(example)
        for typology in typologies():
            for criterion in classify(initiative, typology).criteria:
                text = criterion.justification.fr + " " + criterion.justification.en
                found = [code for code in kinds if re.search(rf"\b{code}\b", text)]
                assert not found, (example.name, typology, criterion.id, found)


def test_a_sentence_rendered_often_gets_one_function_with_the_same_words() -> None:
    """After `_FUSE_AFTER` renders a sentence's values come from one call; same verdicts."""
    typology = load_typology("labo-ess-ptce")
    items = workload(60) + workload(60, unknown=0.3)
    for initiative in items:
        assert (
            classify(initiative, typology).to_json()
            == classify(initiative, typology, backend="interpreter").to_json()
        )
    m1 = next(item for item in plan(typology).items if item.id == "M1")
    assert m1.sentences["met"].fused is not None
    assert m1.sentences["met"].renders >= justify._FUSE_AFTER
