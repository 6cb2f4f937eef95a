"""The fast build of models (`poletype._construct`) is ``model_construct``'s, or steps aside."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from pydantic import BaseModel, Field, PrivateAttr

from conftest import example_files
from poletype import Verdict, _construct, classify, load_typology, read_initiative, typologies
from poletype._construct import constructed, private, same_instance


class _Toy(BaseModel):
    name: str
    tags: list[str] = Field(default_factory=list)
    size: int = 3
    owed: str
    _note: Any = PrivateAttr(default=None)


@pytest.mark.parametrize("typology_id", typologies())
def test_each_typologys_deferred_verdict_is_model_constructs(typology_id: str) -> None:
    """Field for field, in order, with the same fields set and private attributes."""
    verdict = classify(read_initiative(example_files()[0]), load_typology(typology_id))
    justification = verdict._justification
    assert justification is not None
    assert justification._settled is not None
    settled = justification._settled
    public = Verdict.model_construct(verdict.model_fields_set, **settled)
    public._justification = justification
    assert same_instance(verdict, public)
    assert "criteria" not in vars(verdict)


def test_a_toy_model_with_defaults_factories_and_a_private_attribute() -> None:
    given = {"name": "a", "owed": "b"}
    fast = constructed(_Toy, {"name", "owed"}, given, {"_note": 7})
    public = _Toy.model_construct({"name", "owed"}, **given)
    public._note = 7
    assert same_instance(fast, public)
    assert fast.tags == []
    assert fast.tags is not constructed(_Toy, set(), given, {}).tags
    assert fast._note == 7
    assert fast.size == 3


def test_same_instance_tells_models_apart() -> None:
    a = _Toy.model_construct(name="a", owed="b")
    assert not same_instance(a, _Toy.model_construct(name="x", owed="b"))
    assert not same_instance(a, _Toy.model_construct({"name"}, name="a", owed="b"))
    b = _Toy.model_construct(name="a", owed="b")
    b._note = 1
    assert not same_instance(a, b)


def test_a_pydantic_that_keeps_models_otherwise_gets_model_construct(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Simulated: the fast build leaves a field out. One warning, then public builds only."""

    def differs(cls: Any, layout: Any, fields_set: Any, given: Any, private: Any) -> Any:
        model = cls.model_construct(fields_set, **given)
        del model.__dict__["size"]
        return model

    monkeypatch.setattr(_construct, "_LAYOUTS", {})
    monkeypatch.setattr(_construct, "_fast", differs)
    given = {"name": "a", "owed": "b"}
    with pytest.warns(RuntimeWarning, match="model_construct instead"):
        first = constructed(_Toy, {"name"}, given, {"_note": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = constructed(_Toy, {"name"}, given, {"_note": 2})
    for model, note in ((first, 1), (second, 2)):
        assert model.size == 3
        assert model._note == note
        assert same_instance(model, _construct._public(_Toy, {"name"}, given, {"_note": note}))


def test_only_fields_are_given() -> None:
    with pytest.raises(TypeError, match="no field"):
        constructed(_Toy, set(), {"name": "a", "colour": "red"}, {})


def test_private_reads_what_getattr_reads() -> None:
    """Set fast, set by pydantic, left to its default, or on a model with no private part."""
    given = {"name": "a", "owed": "b"}
    assert private(constructed(_Toy, set(given), given, {"_note": 7}), "_note") == 7
    public = _Toy.model_construct(**given)
    assert private(public, "_note") is None
    public._note = "set"
    assert private(public, "_note") == "set"

    class _Plain(BaseModel):
        name: str

    with pytest.raises(AttributeError):
        private(_Plain(name="a"), "_note")
