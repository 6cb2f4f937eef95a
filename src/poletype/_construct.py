"""The one module that reads or writes pydantic's instance internals: models built fast.

``classify`` builds a `Verdict` per initiative from values the engine made, of the
fields' types already, so it does not validate them. pydantic's public way to do that,
``model_construct``, walks every field and its aliases on each call: measured, that walk
and its defaults were a quarter of ``classify`` and a third of the gap to hand-written
Python. `constructed` sets what ``model_construct`` sets, attribute for attribute, from
a layout worked out once per class and set of given names.

The price is four of pydantic's instance attributes (``__dict__``,
``__pydantic_fields_set__``, ``__pydantic_extra__``, ``__pydantic_private__``), named
here and nowhere else. So that a pydantic release that keeps its instances otherwise
cannot make poletype wrong, the first model built for each layout is compared with
``model_construct``'s: if they differ, a `RuntimeWarning` says so once and
``model_construct`` builds every later one (slower, never different).
``tests/test_construct.py`` makes the same comparison on every shipped typology, and CI
runs it against the lowest and the newest pydantic the bounds allow.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_Layout = tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]
_LAYOUTS: dict[tuple[type[BaseModel], tuple[str, ...]], _Layout | None] = {}
"""Per class and given names: every field's place and default (factories apart), or
``None`` where the fast build was found to differ from ``model_construct``'s."""


def constructed(
    cls: type[M], fields_set: set[str], given: dict[str, Any], private: dict[str, Any]
) -> M:
    """``cls.model_construct(fields_set, **given)`` with ``private`` attributes set.

    ``given`` names fields of ``cls`` only; ``private`` names declared private
    attributes (the others keep their defaults).
    """
    key = (cls, tuple(given))
    if key not in _LAYOUTS:
        _LAYOUTS[key] = _checked(cls, fields_set, given, private)
    layout = _LAYOUTS[key]
    if layout is None:
        return _public(cls, fields_set, given, private)
    return _fast(cls, layout, fields_set, given, private)


def _fast(
    cls: type[M],
    layout: _Layout,
    fields_set: set[str],
    given: dict[str, Any],
    private: dict[str, Any],
) -> M:
    values = {**layout[0], **given}
    for name, factory in layout[1]:
        values[name] = factory()
    model = cls.__new__(cls)
    _set = object.__setattr__
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    defaults = {name: attr.get_default() for name, attr in cls.__private_attributes__.items()}
    _set(model, "__pydantic_private__", {**defaults, **private})
    return model


def private(model: BaseModel, name: str) -> Any:
    """A private attribute's value, as ``getattr(model, name)`` gives it.

    Read from where ``constructed`` put it: pydantic's way there (``__getattr__``, then
    a probe of the attribute's descriptor that raises inside) cost 2 µs, and a verdict
    asks for its justification on every reading.
    """
    try:
        found: dict[str, Any] | None = object.__getattribute__(model, "__pydantic_private__")
        return getattr(model, name) if found is None else found[name]
    except (AttributeError, KeyError):
        return getattr(model, name)


def _public(
    cls: type[M], fields_set: set[str], given: dict[str, Any], private: dict[str, Any]
) -> M:
    model = cls.model_construct(fields_set, **given)
    for name, value in private.items():
        setattr(model, name, value)
    return model


def _layout(cls: type[BaseModel], given: dict[str, Any]) -> _Layout:
    if not set(given) <= set(cls.model_fields):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(given) - set(cls.model_fields))}")
    ordered: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, field in cls.model_fields.items():
        if name in given:
            ordered[name] = None
        elif field.default_factory is not None:
            ordered[name] = None
            factories.append((name, field.default_factory))  # type: ignore[arg-type]
        elif not field.is_required():
            ordered[name] = field.default
    return ordered, tuple(factories)


def _checked(
    cls: type[BaseModel], fields_set: set[str], given: dict[str, Any], private: dict[str, Any]
) -> _Layout | None:
    """The layout, if the model it builds is the one ``model_construct`` builds."""
    layout = _layout(cls, given)
    fast = _fast(cls, layout, set(fields_set), given, private)
    public = _public(cls, set(fields_set), given, private)
    if same_instance(fast, public):
        return layout
    warnings.warn(
        f"this pydantic keeps {cls.__name__} instances in a way poletype does not know; "
        "verdicts are built with model_construct instead (the same verdicts, slower)",
        RuntimeWarning,
        stacklevel=3,
    )
    return None


def same_instance(a: BaseModel, b: BaseModel) -> bool:
    """Whether two models hold the same attributes, field order included.

    Fields made by a default factory are compared by type: each build makes its own.
    """
    mine, theirs = vars(a), vars(b)
    if list(mine) != list(theirs):
        return False
    made = {n for n, f in type(a).model_fields.items() if f.default_factory is not None}
    for name, value in mine.items():
        other = theirs[name]
        if value is not other and not (name in made and type(value) is type(other)):
            return False
    return (
        a.model_fields_set == b.model_fields_set
        and a.model_extra == b.model_extra
        and _private(a) == _private(b)
    )


def _private(model: BaseModel) -> dict[str, Any] | None:
    private: dict[str, Any] | None = model.__pydantic_private__
    return None if private is None else {k: id(v) for k, v in private.items()}
