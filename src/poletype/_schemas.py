"""The JSON Schemas poletype publishes, each with a stable identifier and a version.

A program that stores initiatives or verdicts, or writes rule and hypotheses files, must
know which shape it holds years later, so each schema carries ``$id`` and ``version``
and is committed under ``schemas/`` (shipped in the wheel as ``poletype.schemas``) under
a file name that holds the version. The ``$id`` is a URN: an identifier to cite and to
compare, deliberately not an address anyone has to keep serving.

The committed files are generated from the models (``python scripts/generate_schemas.py``)
and a test keeps them equal, so the schema never says something the code does not do.
A version is raised by hand here when a model changes: the minor one when a field is
added (a document valid before stays valid), the major one when a field is removed or
renamed or a value changes meaning, which also calls for a new file name.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel

from poletype._hypotheses import HypothesisFile
from poletype.model import Initiative
from poletype.rulefile import RuleFile
from poletype.verdict import Verdict

SchemaName = Literal["initiative", "verdict", "rulefile", "hypotheses"]
SCHEMA_NAMES: Final[tuple[str, ...]] = get_args(SchemaName)

VERSIONS: Final[dict[str, str]] = {
    "initiative": "1.1",
    "verdict": "1",
    "rulefile": "1",
    "hypotheses": "1",
}
"""The version of each published format; the verdict's major version is the one its
``format`` field states (``poletype-verdict/1``)."""

_MODELS: Final[dict[str, type[BaseModel]]] = {
    "initiative": Initiative,
    "verdict": Verdict,
    "rulefile": RuleFile,
    "hypotheses": HypothesisFile,
}

_TITLES: Final[dict[str, str]] = {
    "initiative": "poletype initiative (interchange format)",
    "verdict": "poletype verdict",
    "rulefile": "poletype rule file (typology)",
    "hypotheses": "poletype hypotheses file",
}

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def schema_id(name: SchemaName) -> str:
    """The identifier of one published schema, e.g. ``urn:poletype:schema:verdict:1``."""
    return f"urn:poletype:schema:{name}:{VERSIONS[name]}"


def file_name(name: SchemaName) -> str:
    """The committed and shipped file of one schema, e.g. ``verdict-1.json``."""
    return f"{name}-{VERSIONS[name]}.json"


def generate(name: SchemaName) -> dict[str, Any]:
    """One schema as the models generate it now, with its identifier and version.

    Validation mode: what poletype accepts when it reads the document (a verdict read
    back included), which for every model but the rule file's is also what it writes.
    """
    schema = _MODELS[name].model_json_schema(by_alias=True)
    head = {
        "$schema": DIALECT,
        "$id": schema_id(name),
        "version": VERSIONS[name],
        "title": _TITLES[name],
    }
    if "description" in schema:
        head["description"] = schema.pop("description")
    schema.pop("title", None)
    return {**head, **schema}


def text(schema: dict[str, Any]) -> str:
    """A schema as committed: sorted keys, two-space indent, UTF-8 text, final newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def shipped(name: SchemaName) -> dict[str, Any]:
    """One schema as shipped in the package (what ``poletype schema`` prints)."""
    path = resources.files("poletype.schemas").joinpath(file_name(name))
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result
