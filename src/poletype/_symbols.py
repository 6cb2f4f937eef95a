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


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def _literal_values(annotation: Any) -> tuple[str, ...] | None:
    if typing.get_origin(annotation) is Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    return None


class _Types:
    """Builds one OBJECT type per model class, once."""

    def __init__(self) -> None:
        self.objects: dict[type[BaseModel], Any] = {}
        self.fields: dict[str, FieldInfo] = {}

    def datatype(self, annotation: Any, path: str) -> Any:
        annotation = _strip_optional(annotation)
        allowed = _literal_values(annotation)
        if allowed is not None:
            self.fields[path] = FieldInfo(path, DataType.STRING, allowed)
            return DataType.STRING
        origin = typing.get_origin(annotation)
        if origin is list:
            (item,) = typing.get_args(annotation)
            item = _strip_optional(item)
            item_type = self.datatype(item, path)
            result = DataType.ARRAY(item_type)
            self.fields[path] = FieldInfo(path, result, _literal_values(item))
            return result
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            result = self.object(annotation, path)
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
