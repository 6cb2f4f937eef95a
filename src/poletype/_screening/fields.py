"""What each spreadsheet column means, in French and English, derived from the model.

A funder's applicant spreadsheet has one column per fact of the interchange format,
nested keys flattened with dots. The list of columns, their kinds and their allowed
values are read from the `Initiative` model itself, so a field added to the model is a
column at once and no enumeration can drift from the spec. Only the words are written
by hand: a short label, a sentence of help, and the question a programme officer asks an
applicant whose answer is missing. A field without hand-written words still gets a
column with a label made from its path (and a test fails until someone writes them).
The words are data, in ``data/fields.yaml``, read when this module is first imported
(by the screening and template modules, never by ``import poletype``).
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from poletype._engine.symbols import list_item, literal_values, model_of, unwrap
from poletype._read.data import load
from poletype.model import Initiative, Member
from poletype.rulefile import Text


def text(entry: Mapping[str, str]) -> Text:
    """A ``{fr: …, en: …}`` entry as a `Text`."""
    return Text(fr=entry["fr"], en=entry["en"])


Kind = Literal["text", "integer", "number", "share", "boolean", "choice", "choices", "date"]


@dataclass(frozen=True)
class FieldDoc:
    """One input column: its dotted path, how a cell is read, and what to tell people.

    ``choices`` is a list of values; its ``allowed`` codes are empty for a list of free
    texts (``activities.sectors``).
    """

    path: str
    kind: Kind
    allowed: tuple[str, ...]
    label: Text
    help: Text
    question: Text


def header(key: str, doc: FieldDoc) -> str:
    """The column header the template writes: both labels, then the key in brackets."""
    return f"{doc.label.fr} / {doc.label.en} [{key}]"


@dataclass(frozen=True)
class Words:
    """What poletype tells people about one field or group: a label, help, a question."""

    label: Text
    help: Text
    question: Text


def _section(name: Literal["applicant", "member", "partner", "group"]) -> dict[str, Words]:
    """One section of ``data/fields.yaml``, by dotted path (or member field name).

    A partner's words have no help of their own (the column is the member's): its label
    stands in.
    """
    return {
        path: Words(
            label=text(entry["label"]),
            help=text(entry.get("help", entry["label"])),
            question=text(entry["question"]),
        )
        for path, entry in load("fields")[name].items()
    }


_APPLICANT_WORDS = _section("applicant")
"""The applicant sheet's columns' words, by dotted path."""

_MEMBER_WORDS = _section("member")
"""The members sheet's columns' words, by member field name."""

_PARTNER_WORDS = _section("partner")
"""A partner's fields' words, by member field name: a question about partners names them."""

_GROUP_WORDS = _section("group")
"""Each nested object's or list's words, for a question about the whole group."""

ROLE = "role"
"""The members sheet's column that says whether a row is a member or a partner."""

Role = Literal["member", "partner"]

LIST_OF_ROLE: dict[str, str] = {"member": "members", "partner": "partners"}
"""The list of the initiative a members-sheet row goes into, by its role's code."""

LISTS: tuple[str, ...] = ("members", "partners")
"""The lists of organisations (format 1.1): both read from the members sheet."""


def member_path(path: str) -> str:
    """The members sheet's path of a list's field: ``partners.kind`` is ``members.kind``.

    Partners have a member's fields and sit in the members sheet, so the column, its
    allowed codes and the words for each code are the member's.
    """
    head, dot, rest = path.partition(".")
    return f"members.{rest}" if head == "partners" and dot else path


def field_bounds(metadata: list[Any]) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for extra in metadata:
        for item in [extra, *getattr(extra, "metadata", [])]:
            for bound in ("ge", "le"):
                if getattr(item, bound, None) is not None:
                    bounds[bound] = getattr(item, bound)
    return bounds


def _describe(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    base, metadata = unwrap(annotation)
    allowed = literal_values(base)
    if allowed is not None:
        return "choice", allowed
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        kind, allowed = _describe(item)
        if kind not in ("choice", "text"):
            msg = f"no spreadsheet column for a list of {item!r}"
            raise TypeError(msg)
        return "choices", allowed
    if base is bool:
        return "boolean", ()
    if base is int:
        return "integer", ()
    if base is float:
        return ("share" if field_bounds(metadata) == {"ge": 0.0, "le": 1.0} else "number"), ()
    if base is str:
        return "text", ()
    if base is datetime.date:
        return "date", ()
    msg = f"no spreadsheet column for {base!r}"
    raise TypeError(msg)


def field_columns(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every scalar or list-of-values field, nested objects flattened, lists of objects left out."""
    for name, info in model.model_fields.items():
        base, _ = unwrap(info.annotation)
        nested = model_of(base)
        if nested is not None:
            yield from field_columns(nested, f"{prefix}{name}.")
        elif model_of(list_item(base)) is None:
            yield f"{prefix}{name}", info


def _made_up(path: str) -> Words:
    """Words for a field nobody has described yet: its path, so the column still exists."""
    named = Text(fr=path, en=path)
    return Words(
        label=named,
        help=named,
        question=Text(fr=f"Pouvez-vous préciser « {path} » ?", en=f"Please state {path}."),
    )


def _doc(path: str, annotation: Any, words: Words) -> FieldDoc:
    kind, allowed = _describe(annotation)
    return FieldDoc(
        path=path,
        kind=kind,
        allowed=allowed,
        label=words.label,
        help=words.help,
        question=words.question,
    )


def _applicant_fields() -> dict[str, FieldDoc]:
    columns = dict(field_columns(Initiative))
    # The two columns a reader looks for first.
    order = ["id", "name", *(p for p in columns if p not in ("id", "name"))]
    return {
        path: _doc(path, columns[path].annotation, _APPLICANT_WORDS.get(path) or _made_up(path))
        for path in order
    }


def _member_fields() -> dict[str, FieldDoc]:
    fields = {"applicant_id": _doc("applicant_id", str, _MEMBER_WORDS["applicant_id"])}
    for key, info in field_columns(Member):
        path = f"members.{key}"
        fields[key] = _doc(path, info.annotation, _MEMBER_WORDS.get(key) or _made_up(path))
    fields[ROLE] = _doc(f"members.{ROLE}", Role, _MEMBER_WORDS[ROLE])
    return fields


APPLICANT_FIELDS: dict[str, FieldDoc] = _applicant_fields()
"""The applicant sheet's columns by dotted path, ``id`` and ``name`` first, then spec order."""

MEMBER_FIELDS: dict[str, FieldDoc] = _member_fields()
"""The members sheet's columns by member field name, after the key column ``applicant_id``;
last, ``role`` (member or partner), which is no member field but says which list a row is in."""


def label(path: str) -> Text:
    """A short bilingual label for any input path a verdict or a change can name."""
    written = _written(path, "label")
    return Text(fr=path, en=path) if written is None else written


def question(path: str) -> Text:
    """The question to ask an applicant for a missing fact, for any dotted input path.

    Paths without a hand-written question (a snapshot's field, a path a future typology
    reads) get one built from the column's label, so a report never lacks a question.
    """
    written = _written(path, "question")
    if written is not None:
        return written
    named = label(path)
    return Text(fr=f"Pouvez-vous préciser « {named.fr} » ?", en=f"Could you state “{named.en}”?")


def _written(path: str, words: Literal["label", "question"]) -> Text | None:
    """A column's or a group's hand-written label or question, if there is one.

    The key column ``applicant_id`` has a label but its question is put to whoever fills
    in the members sheet, never to an applicant about a missing fact.
    """
    key = path.removeprefix("members.")
    doc = APPLICANT_FIELDS.get(path)
    member = path.startswith("members.") and key in MEMBER_FIELDS
    if doc is None and member and (words == "label" or key != "applicant_id"):
        doc = MEMBER_FIELDS[key]
    if doc is not None:
        return doc.label if words == "label" else doc.question
    partner = _PARTNER_WORDS.get(path.removeprefix("partners."))
    if path.startswith("partners.") and partner is not None:
        return partner.label if words == "label" else partner.question
    group = _GROUP_WORDS.get(path)
    if group is not None:
        return group.label if words == "label" else group.question
    return None
