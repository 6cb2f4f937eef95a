"""The published schemas: committed, shipped, identified, and what the models generate."""

from __future__ import annotations

import importlib.util
import json

import jsonschema_rs
import pytest

from conftest import ROOT
from poletype import classify, read_initiative
from poletype._schemas import SCHEMA_NAMES, file_name, generate, schema_id, shipped, text


def _generator() -> dict[object, str]:
    spec = importlib.util.spec_from_file_location(
        "generate_schemas", ROOT / "scripts" / "generate_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.outputs()  # type: ignore[no-any-return]


def test_committed_schemas_are_what_the_models_generate() -> None:
    """Regenerate with ``python scripts/generate_schemas.py`` after changing a model."""
    outputs = _generator()
    assert len(outputs) == len(SCHEMA_NAMES)
    for path, content in outputs.items():
        assert path.read_text(encoding="utf-8") == content, f"{path.name} is stale"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_has_an_id_and_a_version(name: str) -> None:
    """$id and version are stated, and the shipped copy is the committed one."""
    schema = shipped(name)  # type: ignore[arg-type]
    assert schema["$id"] == schema_id(name) == f"urn:poletype:schema:{name}:{schema['version']}"  # type: ignore[arg-type]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    committed = ROOT / "schemas" / file_name(name)  # type: ignore[arg-type]
    assert text(schema) == committed.read_text(encoding="utf-8")
    assert schema == generate(name)  # type: ignore[arg-type]


def test_verdicts_and_examples_validate_against_their_schemas() -> None:
    """A shipped example is a valid initiative; its verdict a valid verdict, format first."""
    initiative_schema = jsonschema_rs.validator_for(shipped("initiative"))
    verdict_schema = jsonschema_rs.validator_for(shipped("verdict"))
    for example in sorted((ROOT / "examples").glob("*.yaml"))[:5]:
        initiative = read_initiative(example)
        initiative_schema.validate(initiative.model_dump(mode="json", exclude_none=True))
        verdict = json.loads(classify(initiative).to_json())
        verdict_schema.validate(verdict)
        assert next(iter(verdict)) == "format"
        assert verdict["format"] == "poletype-verdict/1"
    with pytest.raises(jsonschema_rs.ValidationError):
        verdict_schema.validate({**verdict, "format": "poletype-verdict/2"})
