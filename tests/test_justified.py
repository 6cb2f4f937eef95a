"""Cheap justifications: generated fact readers, remembered results, bounded caches.

A verdict's sentences, values shown and missing facts are written by the compiled
backend from functions generated per criterion and from results remembered per
typology; the reference interpreter computes each from scratch. Whatever is remembered
must be keyed by every fact it depends on, copied before a verdict hands it out, and
bounded; each generated reader must read what ``paths`` reads.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from poletype import classify, load_typology
from poletype._engine.derive import lists_view
from poletype._engine.facts import asking, cache_paths, key_function, reader_function
from poletype._engine.justified import CACHE_LIMIT, plan
from poletype._engine.paths import read_path, to_json_value, unknown_parts
from poletype._engine.symbols import initiative_schema
from poletype.model import Initiative
from strategies import initiatives

PATHS = sorted(initiative_schema().fields)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (``1`` is not ``1.0``, a list not a tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=60, deadline=None)
@given(initiative=initiatives())
def test_generated_readers_read_what_paths_reads(initiative: Initiative) -> None:
    """Every path of the model, partial lists included: facts asked for, values shown."""
    viewed = lists_view(initiative)
    for path in PATHS:
        assert tuple(sorted(set(asking(path)(viewed)))) == unknown_parts(viewed, path), path
        (shown,) = reader_function((path,))(viewed)
        assert _same(shown, to_json_value(read_path(viewed, path))), path


@settings(max_examples=60, deadline=None)
@given(initiative=initiatives())
def test_all_keys_at_once_are_each_items_key(initiative: Initiative) -> None:
    """The fused key function gives, item for item, what each item's own key function gives."""
    viewed = lists_view(initiative)
    for typology_id in ("labo-ess-ptce", "matray-poisat", "geces-2021"):
        found = plan(load_typology(typology_id))
        extras = [("x", n) for n in range(len(found.items))]
        expected = [
            None if item.key is None else item.key(viewed, extras[n])
            for n, item in enumerate(found.items)
        ]
        assert found.keys(viewed, extras) == expected
        assert any(key is not None for key in expected)


def test_only_criteria_of_plain_facts_are_remembered() -> None:
    """Facts in lists (members, maybe partial) and objects are not keys; yes/no and codes are."""
    typology = load_typology("labo-ess-ptce")
    remembered = {c.id: cache_paths(c) for c in typology.criteria}
    assert remembered["M3"] == (
        "strategy.formalised",
        "strategy.shared",
        "strategy.territorial",
    )
    assert remembered["X1"] == ("activities.primary_function", "commitment.single_project")
    assert all(remembered[c] is None for c in ("M1", "M2", "M4", "M8"))


def test_keys_keep_numbers_with_their_type() -> None:
    """Two facts a JSON writes differently never share a key."""
    key = key_function(("jobs", "activities.social_utility_share", "pooling.resources"))
    assert key is not None
    one = Initiative.model_validate({"name": "P", "jobs": 1, "pooling": {"resources": []}})
    other = Initiative.model_validate({"name": "P", "jobs": 2})
    assert key(one, "met") != key(other, "met")
    assert key(one, "met") != key(one, "not_met")
    assert key(one, "met") == key(one.model_copy(update={"name": "Q"}), "met")


def test_remembered_results_are_copied_into_each_verdict() -> None:
    """Changing one verdict's lists changes neither another verdict nor later JSON."""
    typology = load_typology("labo-ess-ptce")
    data = {"name": "P", "pooling": {"resources": ["premises", "staff"]}, "jobs": 4}
    first = classify(data, typology)
    second = classify({**data, "name": "Q"}, typology)
    first.criterion("M7").values["pooling.resources"].append("x")
    first.criterion("M7").missing.append("x")
    assert second.criterion("M7").values["pooling.resources"] == ["premises", "staff"]
    assert second.criterion("M7").missing == []
    third = classify({**data, "name": "R"}, typology)
    eager = classify({**data, "name": "R"}, typology, backend="interpreter")
    assert third.to_json() == eager.to_json()


def test_remembered_results_are_bounded_and_stay_right() -> None:
    """More combinations of facts than the bound: the rest is computed, still the same."""
    typology = load_typology("labo-ess-ptce", params={"min_jobs": 12.5})
    for jobs in range(CACHE_LIMIT + 40):
        initiative = {"name": "P", "jobs": jobs, "evaluation": jobs % 2 == 0}
        deferred = classify(initiative, typology)
        eager = classify(initiative, typology, backend="interpreter")
        assert deferred.to_json(indent=None) == eager.to_json(indent=None)
        assert deferred.missing == eager.missing
    for item in plan(typology).items:
        assert len(item.cache) <= CACHE_LIMIT
        assert len(item.relevance) <= CACHE_LIMIT
    t6 = next(item for item in plan(typology).items if item.id == "T6")
    assert len(t6.cache) == CACHE_LIMIT
