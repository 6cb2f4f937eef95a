"""Deferred verdicts: the compiled backend justifies on first use, and nobody can tell.

A verdict from the compiled backend holds its outcome, scores and provenance at once and
computes its criteria and missing facts when first read. Every way of reading it must see
what an eagerly built verdict shows: attributes, JSON (alone or inside another model),
equality, repr, copies and pickles. The interpreter backend builds verdicts eagerly, so it
is the reference the deferred ones are compared with.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from conftest import TEST_RULES, example_files
from poletype import Initiative, RuleFileError, Verdict, classify, load_typology, read_initiative
from poletype.verdict import GradedParts
from strategies import initiatives

SHIPPED = [
    "labo-ess-ptce",
    "matray-poisat",
    "slpi-ptce",
    "geces-2021",
    "decret-2015-ptce",
    "loi-ess-2014-art9",
]


def _pending(verdict: Verdict) -> bool:
    justification = verdict._justification
    return justification is not None and justification.pending


def _render(verdict: Verdict) -> Callable[[], Any]:
    """The function giving the deferred verdict's owed fields, for a test to wrap."""
    assert verdict._justification is not None
    pending = verdict._justification._pending
    assert pending is not None
    render: Callable[[], Any] = pending.fields
    return render


class _Rendering:
    """The engine's pending justification, with ``fields`` replaced (it is slotted)."""

    def __init__(self, inner: Any, fields: Callable[[], Any]) -> None:
        self._inner = inner
        self.fields = fields

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _replace_render(verdict: Verdict, render: Callable[[], Any]) -> None:
    justification = verdict._justification
    assert justification is not None
    justification._pending = _Rendering(justification._pending, render)


def _pair(path_index: int = 0, typology_id: str = "labo-ess-ptce") -> tuple[Verdict, Verdict]:
    initiative = read_initiative(example_files()[path_index])
    typology = load_typology(typology_id)
    return classify(initiative, typology), classify(initiative, typology, backend="interpreter")


@pytest.mark.parametrize("typology_id", ["labo-ess-ptce", "matray-poisat"])
def test_classify_defers_the_justification_and_the_interpreter_does_not(
    typology_id: str,
) -> None:
    deferred, eager = _pair(typology_id=typology_id)
    assert _pending(deferred)
    assert "criteria" not in vars(deferred)
    assert not _pending(eager)
    assert deferred.outcome == eager.outcome
    assert deferred.scores == eager.scores
    assert _pending(deferred), "reading the outcome and scores must not justify"


@pytest.mark.parametrize("typology_id", ["labo-ess-ptce", "matray-poisat"])
def test_a_deferred_verdict_is_what_model_construct_builds(typology_id: str) -> None:
    """Built without pydantic's walk over the fields, attribute for attribute the same."""
    deferred, _ = _pair(typology_id=typology_id)
    assert deferred._justification is not None
    settled = deferred._justification._settled
    assert settled is not None
    built = Verdict.model_construct(deferred.model_fields_set, **settled)
    assert list(vars(deferred).items()) == list(vars(built).items())
    assert deferred.__pydantic_fields_set__ == built.__pydantic_fields_set__
    assert deferred.__pydantic_extra__ == built.__pydantic_extra__
    assert built.__pydantic_private__ is not None
    assert deferred.__pydantic_private__ is not None
    assert set(deferred.__pydantic_private__) == set(built.__pydantic_private__)


def test_reading_a_criterion_settles_once_in_field_order() -> None:
    deferred, eager = _pair()
    calls = 0
    pending = _render(deferred)

    def counted() -> Any:
        nonlocal calls
        calls += 1
        return pending()

    _replace_render(deferred, counted)
    assert deferred.criteria == eager.criteria
    assert deferred.missing == eager.missing
    assert deferred.to_json() == eager.to_json()
    assert calls == 1
    assert not _pending(deferred)
    assert [name for name, _ in deferred] == list(Verdict.model_fields)
    assert deferred.model_fields_set == eager.model_fields_set


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda v: v.model_dump_json(), id="model_dump_json"),
        pytest.param(lambda v: v.to_json(), id="to_json"),
        pytest.param(lambda v: v.model_dump(), id="model_dump"),
        pytest.param(lambda v: v.model_dump(mode="json"), id="model_dump-json"),
        pytest.param(lambda v: v.model_dump(exclude_unset=True), id="model_dump-exclude_unset"),
        pytest.param(lambda v: v.model_fields_set, id="model_fields_set"),
        pytest.param(repr, id="repr"),
        pytest.param(dict, id="dict"),
        pytest.param(lambda v: copy.copy(v).model_dump_json(), id="copy"),
        pytest.param(lambda v: copy.deepcopy(v).model_dump_json(), id="deepcopy"),
        pytest.param(lambda v: v.model_copy().model_dump_json(), id="model_copy"),
        pytest.param(lambda v: v.model_copy(deep=True).model_dump_json(), id="model_copy-deep"),
        pytest.param(
            lambda v: v.model_copy(update={"outcome": "x"}).model_dump_json(),
            id="model_copy-update",
        ),
        pytest.param(lambda v: pickle.loads(pickle.dumps(v)).model_dump_json(), id="pickle"),
    ],
)
def test_every_reading_sees_the_eager_verdict(read: object) -> None:
    for index in range(len(example_files())):
        deferred, eager = _pair(index)
        assert read(deferred) == read(eager)  # type: ignore[operator]


def test_copies_and_pickles_of_a_deferred_verdict_are_whole_and_equal() -> None:
    """They carry the complete verdict, never the rendering closure (not picklable)."""
    for index in range(len(example_files())):
        deferred, eager = _pair(index)
        for other in (
            pickle.loads(pickle.dumps(deferred)),
            copy.copy(deferred),
            copy.deepcopy(deferred),
            deferred.model_copy(),
        ):
            assert not _pending(other)
            assert "criteria" in vars(other)
            assert other == eager
            assert other == deferred
            assert other.to_json() == eager.to_json()


def test_a_deferred_verdict_inside_another_model_serialises_whole() -> None:
    class Batch(BaseModel):
        verdicts: list[Verdict]

    deferred, eager = _pair()
    inside = Batch.model_construct(verdicts=[deferred]).model_dump_json()
    assert inside == Batch(verdicts=[eager]).model_dump_json()
    assert '"criteria":[{' in inside


def test_equality_settles_both_sides_and_round_trips() -> None:
    deferred, eager = _pair()
    again, _ = _pair()
    assert deferred == again
    assert deferred == eager
    assert Verdict.model_validate_json(again.to_json()) == deferred
    other, _ = _pair(1)
    assert other != deferred


def test_a_misspelt_attribute_is_still_an_attribute_error() -> None:
    deferred, _ = _pair()
    with pytest.raises(AttributeError):
        _ = deferred.criterias  # type: ignore[attr-defined]
    assert _pending(deferred)


@settings(max_examples=40)
@given(initiative=initiatives(), typology_id=st.sampled_from(SHIPPED))
def test_deferred_and_eager_verdicts_are_byte_identical(
    initiative: Initiative, typology_id: str
) -> None:
    """On initiatives with unknowns, for every shipped typology, crisp or graded.

    ``to_json`` of a deferred verdict is written from the typology's shapes, without
    building the verdict; ``model_dump_json`` builds it and lets pydantic write it.
    """
    typology = load_typology(typology_id)
    deferred = classify(initiative, typology)
    eager = classify(initiative, typology, backend="interpreter")
    assert deferred.to_json(indent=None) == eager.to_json(indent=None)
    assert deferred.to_json() == eager.to_json()
    assert _pending(deferred)
    assert deferred.model_dump_json(indent=2) == eager.model_dump_json(indent=2)


UNKNOWNS = [
    {"name": "P"},
    {"name": "P", "members": [{"name": "A"}, {"name": "B", "kind": "sme"}]},
    {
        "name": "P",
        "voluntary": True,
        "members": [{"name": "A", "kind": "ess_cooperative", "local": True}],
        "members_complete": False,
        "strategy": {"shared": True},
        "activities": {"social_utility_share": 0.7},
    },
]
"""Initiatives with facts missing, beside the shipped examples (which have few)."""


def _initiatives() -> list[Initiative]:
    found = [read_initiative(path) for path in example_files()]
    return found + [Initiative.model_validate(data) for data in UNKNOWNS]


def test_reading_missing_renders_no_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    """``missing`` is found from the values decided: no sentence, no criterion built."""
    from poletype._engine.justify import Sentences

    rendered: list[object] = []
    render = Sentences.render

    def counted(self: Sentences, root: Any, known: Any = None) -> tuple[str, str]:
        rendered.append(self)
        return render(self, root, known)

    monkeypatch.setattr(Sentences, "render", counted)
    asked = 0
    for typology_id in SHIPPED:
        typology = load_typology(typology_id)
        for initiative in _initiatives():
            eager = classify(initiative, typology, backend="interpreter")
            deferred = classify(initiative, typology)
            rendered.clear()
            assert deferred.missing == eager.missing
            assert deferred.missing is deferred.missing
            assert rendered == []
            assert _pending(deferred)
            assert "criteria" not in vars(deferred)
            asked += bool(eager.missing)
            assert deferred.criteria == eager.criteria
            assert deferred.missing == eager.missing
    assert asked > 10, "the initiatives must leave some outcomes open"
    assert rendered, "the counter counts"


def test_to_json_writes_without_building_the_verdict() -> None:
    """The engine writes the JSON from what it computed; the verdict stays deferred."""
    for typology_id in SHIPPED:
        typology = load_typology(typology_id)
        for initiative in _initiatives():
            deferred = classify(initiative, typology)
            eager = classify(initiative, typology, backend="interpreter")
            for indent in (None, 2, 4):
                assert deferred.to_json(indent=indent) == eager.to_json(indent=indent)
            assert _pending(deferred)
            assert deferred.to_json(indent=0) == eager.to_json(indent=0)


def test_a_verdict_is_unhashable_deferred_or_not() -> None:
    deferred, eager = _pair()
    for verdict in (deferred, eager):
        with pytest.raises(TypeError):
            hash(verdict)


def test_the_serialised_schema_still_describes_a_verdict() -> None:
    """The wrap serialiser must not hide the fields from a serialisation-mode schema."""
    schema = Verdict.model_json_schema(mode="serialization")
    assert {"outcome", "criteria", "missing", "rules_hash"} <= set(schema["properties"])


GRADED_KEYS = {"memberships", "leaning", "hybrid", "axes", "dimensions"}


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_the_graded_parts_are_one_model_written_at_the_top_level(path: Path) -> None:
    """`Verdict.graded` holds what only a graded verdict says; the JSON keeps its keys flat."""
    initiative = read_initiative(path)
    for typology_id in ("matray-poisat", "slpi-ptce"):
        for verdict in (
            classify(initiative, typology_id),
            classify(initiative, typology_id, backend="interpreter"),
        ):
            graded = verdict.graded
            assert isinstance(graded, GradedParts)
            assert verdict.memberships == graded.memberships
            assert (verdict.leaning, verdict.hybrid) == (graded.leaning, graded.hybrid)
            assert (verdict.axes, verdict.dimensions) == (graded.axes, graded.dimensions)
            document = json.loads(verdict.to_json())
            assert "graded" not in document
            assert {"memberships", "leaning", "axes"} <= set(document)
            assert ("hybrid" in document) == (graded.hybrid is not None)
            assert ("dimensions" in document) == (graded.dimensions is not None)
            assert Verdict.model_validate_json(verdict.to_json()) == verdict
            assert Verdict.model_validate(document).to_json() == verdict.to_json()
    crisp = classify(initiative, "labo-ess-ptce")
    assert crisp.graded is None
    assert (crisp.memberships, crisp.leaning, crisp.hybrid, crisp.axes) == (None,) * 4
    assert not ({"graded"} | GRADED_KEYS) & set(json.loads(crisp.to_json()))


def test_a_copy_updates_the_graded_parts_by_their_json_names() -> None:
    verdict = classify(read_initiative(example_files()[0]), "matray-poisat")
    assert verdict.graded is not None
    axes = [a.model_copy(update={"low": 0.0, "high": 0.0}) for a in verdict.graded.axes]
    moved = verdict.model_copy(update={"initiative": "moved", "axes": axes, "leaning": "x"})
    assert moved.graded is not None
    assert (moved.initiative, moved.axes, moved.leaning) == ("moved", axes, "x")
    assert moved.memberships == verdict.memberships
    assert json.loads(moved.to_json())["axes"][0]["high"] == 0.0
    assert verdict.axes != axes


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_the_schema_shows_the_graded_parts_where_the_json_has_them(mode: str) -> None:
    properties = Verdict.model_json_schema(mode=mode)["properties"]  # type: ignore[arg-type]
    assert "graded" not in properties
    assert set(properties) >= GRADED_KEYS
    assert all(properties[key]["default"] is None for key in GRADED_KEYS)


def test_threads_reading_one_verdict_justify_it_once() -> None:
    deferred, eager = _pair()
    pending = _render(deferred)
    calls = []

    def slow() -> Any:
        calls.append(1)
        time.sleep(0.01)
        return pending()

    _replace_render(deferred, slow)
    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(lambda _: deferred.criteria, range(8)))
    assert len(calls) == 1
    assert all(s is deferred.criteria for s in seen)
    assert deferred.criteria == eager.criteria


def test_a_justification_that_can_fail_is_not_deferred(tmp_path: Path) -> None:
    """Its error comes from classify, as with the interpreter, not from a later read."""
    text = (TEST_RULES / "minimal.yaml").read_text(encoding="utf-8")
    failing = text.replace(
        'not_met: {fr: "Pas ancré.", en: "Not rooted."}',
        ('not_met: {fr: "Ancrage {10 / members.length}.", en: "Rooted {10 / members.length}."}'),
    )
    assert failing != text
    path = tmp_path / "failing.yaml"
    path.write_text(failing, encoding="utf-8")
    typology = load_typology(path)
    assert not typology.justifies_safely
    assert load_typology(TEST_RULES / "minimal.yaml").justifies_safely
    empty = {
        "name": "P",
        "members": [],
        "activities": {"social_utility_share": 0.9},
        "local_integration": {"local_networks": False},
    }
    for backend in ("compiled", "interpreter"):
        with pytest.raises(RuleFileError) as caught:
            classify(empty, typology, backend=backend)  # type: ignore[arg-type]
        assert caught.value.code == "evaluation-error"
    fine = classify({**empty, "members": [{"name": "A", "local": True}]}, typology)
    assert not _pending(fine)
    assert fine.criterion("LOCAL").status == "met"


def test_verdicts_do_not_keep_a_swept_typology_alive() -> None:
    """What is cached per typology lives on the typology, not in module-level caches."""
    from poletype._rules import loader as _loader

    refs = []
    initiative = read_initiative(example_files()[0])
    # Parameter values no other test uses: a typology is remembered by id and
    # parameters, so one that another test's background work still holds (the HTTP
    # service's fuzzed requests keep running past their time limit) would be shared.
    for n in range(70_003, 70_006):
        typology = load_typology("labo-ess-ptce", params={"min_organisations": n})
        classify(initiative, typology).to_json()
        refs.append(weakref.ref(typology))
    del typology
    _loader._load_cached.cache_clear()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_notebook_reprs_are_tables_with_escaped_text() -> None:
    """Jupyter shows a verdict as a table; a name with markup is shown, never run."""
    from poletype import classify

    verdict = classify(
        {"name": "<script>x</script> | *A*", "activities": {"social_utility_share": 0.5}}
    )
    page = verdict._repr_html_()
    assert "<table>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "M5" in page
    assert "not_met" in page
    text = verdict._repr_markdown_()
    assert "| criterion | status | why |" in text
    assert "<script>" not in text
    assert "\\| \\*A\\*" in text
    graded = classify({"name": "G"}, "matray-poisat")
    assert "membership" in graded._repr_html_()
    assert "| type | membership |" in graded._repr_markdown_()
