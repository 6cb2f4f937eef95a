"""Model fields as rule-engine types, so expressions are type-checked when a file loads.

Fields are declared *non-nullable* on purpose. Absent facts are poletype's business, not
the rule author's: the evaluator never hands rule-engine an atom that reads an unknown
value, and decides such atoms itself in three-valued logic. So authors write
``activities.social_utility_share > 0.5`` and never ``?? 0``, which would turn unknown
into zero. Each field also keeps its allowed values (for ``Literal`` fields) so a
misspelt enumeration value in a rule is caught at load time too.

rule-engine 5.1's ``DataType.from_type`` raises on ``int | None``; the model's
annotations are therefore walked here, by hand, from Pydantic's field information.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from rule_engine import DataType

from poletype.model import Initiative

PARAMS = "params"


@dataclass(frozen=True)
class FieldInfo:
    """What a rule needs to know about one input path."""

    path: str
    datatype: Any
    allowed: tuple[str, ...] | None


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The bare type under ``X | None`` and ``Annotated``, with the metadata met on the way.

    Shared by every walk of the model (columns, rule types, what-if values) so that they
    agree on what a field holds; a union of several types is left as it is, for the
    caller to refuse. The metadata carries the ``ge``/``le`` bounds a share is told by.
    """
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, metadata
            annotation = args[0]
        elif origin is typing.Annotated:
            annotation, *extras = typing.get_args(annotation)
            metadata.extend(extras)
        else:
            return annotation, metadata


def literal_values(annotation: Any) -> tuple[str, ...] | None:
    """The allowed values of a bare ``Literal``, as the strings rules and cells use."""
    if typing.get_origin(annotation) is Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    return None


def list_item(annotation: Any) -> Any | None:
    """The bare item type of a bare ``list[...]``, or ``None`` for anything else."""
    if typing.get_origin(annotation) is not list:
        return None
    (item,) = typing.get_args(annotation)
    return unwrap(item)[0]


def model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


class _Types:
    """Builds one OBJECT type per model class, once."""

    def __init__(self) -> None:
        self.objects: dict[type[BaseModel], Any] = {}
        self.fields: dict[str, FieldInfo] = {}

    def datatype(self, annotation: Any, path: str) -> Any:
        annotation, _ = unwrap(annotation)
        allowed = literal_values(annotation)
        if allowed is not None:
            self.fields[path] = FieldInfo(path, DataType.STRING, allowed)
            return DataType.STRING
        item = list_item(annotation)
        if item is not None:
            item_type = self.datatype(item, path)
            result = DataType.ARRAY(item_type)
            self.fields[path] = FieldInfo(path, result, literal_values(item))
            return result
        model = model_of(annotation)
        if model is not None:
            result = self.object(model, path)
        elif annotation is bool:
            result = DataType.BOOLEAN
        elif annotation in (int, float):
            result = DataType.FLOAT
        elif annotation is str:
            result = DataType.STRING
        else:
            # Dates and other types are not offered to rules; reading them is an error.
            return None
        self.fields.setdefault(path, FieldInfo(path, result, None))
        return result

    def object(self, model: type[BaseModel], path: str) -> Any:
        attributes: dict[str, Any] = {}
        for name, field in model.model_fields.items():
            if name == "snapshots":
                continue
            child = f"{path}.{name}" if path else name
            datatype = self.datatype(field.annotation, child)
            if datatype is not None:
                attributes[name] = datatype
        if model not in self.objects:
            self.objects[model] = DataType.OBJECT(model.__name__, attributes)
        return self.objects[model]


@dataclass(frozen=True)
class Schema:
    """The typed view of the model that every rule file is checked against."""

    root: dict[str, Any]
    fields: dict[str, FieldInfo]


@cache
def initiative_schema() -> Schema:
    """Top-level symbols and every dotted path of the model, with its type."""
    builder = _Types()
    root_object = builder.object(Initiative, "")
    return Schema(root=dict(root_object.attributes), fields=dict(builder.fields))


def parameter_datatype(value: object) -> Any:
    """The rule-engine type of a parameter value."""
    if isinstance(value, bool):
        return DataType.BOOLEAN
    if isinstance(value, int | float):
        return DataType.FLOAT
    if isinstance(value, str):
        return DataType.STRING
    return DataType.ARRAY(DataType.STRING)


def params_object(values: dict[str, object]) -> Any:
    """The OBJECT type of ``params`` for one typology's parameter set."""
    return DataType.OBJECT(
        "Parameters",
        {name: parameter_datatype(v) for name, v in values.items()},
        accessor=lambda obj, name: obj[name],
    )
