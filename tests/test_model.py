"""The Initiative model accepts the interchange format and explains what it refuses."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from conftest import ROOT, example_files
from poletype import Initiative, InitiativeError
from poletype._api import to_initiative

SPEC = ROOT.parent / "shared" / "spec" / "initiative-v1.md"


def _spec_example() -> dict[str, Any]:
    text = SPEC.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    data = yaml.safe_load(block.group(1))
    assert isinstance(data, dict)
    return data


@pytest.mark.skipif(not SPEC.exists(), reason="shared/ is not beside the repository")
def test_accepts_the_spec_example() -> None:
    """The spec's minimal example is a valid initiative."""
    initiative = to_initiative(_spec_example())
    assert initiative.strategy is not None
    assert initiative.strategy.formalised is False
    assert initiative.strategy.territorial is None


def test_absent_is_unknown_never_false() -> None:
    """Every optional field defaults to None, not False, 0 or []."""
    initiative = Initiative(name="Pôle")
    for name, value in initiative:
        if name != "name":
            assert value is None, name


def test_every_spec_field_name_exists() -> None:
    """The model keeps the spec's top-level names."""
    names = {
        "name", "id", "country", "founded", "stage", "scale", "sites", "voluntary", "members",
        "strategy", "commitment", "local_integration", "activities", "pooling", "place",
        "research", "governance", "ess_policy", "evaluation", "jobs", "insertion_jobs", "origin",
        "public_role", "approach", "finality", "market_reach", "industrial",
        "profitable_activities", "innovation", "resources", "funding_levels", "legal_entity",
        "territory_defined", "prior_state_support", "snapshots",
    }  # fmt: skip
    assert names == set(Initiative.model_fields)


def _error(data: dict[str, Any]) -> InitiativeError:
    with pytest.raises(InitiativeError) as info:
        to_initiative({"name": "Pôle", **data})
    assert info.value.code == "invalid-initiative"
    return info.value


def test_unknown_enum_value_lists_allowed_values() -> None:
    """A wrong kind names the field and every allowed value."""
    error = _error({"members": [{"name": "X", "kind": "association"}]})
    assert "members.0.kind" in str(error)
    assert "'ess_association'" in str(error)
    assert "'financial_institution'" in str(error)


def test_share_out_of_range() -> None:
    """Shares lie in [0, 1]."""
    error = _error({"activities": {"social_utility_share": 1.5}})
    assert "activities.social_utility_share" in str(error)
    assert "less than or equal to 1" in str(error)


def test_resource_shares_over_one() -> None:
    """Resource shares summing over 1 are refused with the sum."""
    error = _error({"resources": {"market": 0.7, "non_market": 0.5}})
    assert "resources" in str(error)
    assert "1.2" in str(error)


def test_misspelt_field_is_refused() -> None:
    """An unknown key is not silently an absent fact."""
    error = _error({"activites": {"social_utility_share": 0.7}})
    assert "activites: unknown field" in str(error)
    assert error.errors == ["activites: unknown field"]


def test_all_errors_are_listed() -> None:
    """Several faults give several field-level messages."""
    error = _error({"stage": "mature", "jobs": -1})
    assert len(error.errors) == 2


def test_snapshots_are_partial_and_dated() -> None:
    """A snapshot needs a date and may state any subset of facts."""
    initiative = to_initiative({"name": "P", "snapshots": [{"date": "2015-01-01", "jobs": 3}]})
    assert initiative.snapshots is not None
    assert initiative.snapshots[0].jobs == 3
    _error({"snapshots": [{"jobs": 3}]})


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_is_valid(path: Any) -> None:
    """The shipped examples are valid initiatives."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    to_initiative(data)


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every property of the schema and of its definitions, by ``Model.field``."""
    found = {f"Initiative.{n}": p for n, p in schema["properties"].items()}
    for model, definition in schema.get("$defs", {}).items():
        for name, prop in definition.get("properties", {}).items():
            found[f"{model}.{name}"] = prop
    return found


def test_the_schema_describes_every_field_in_both_languages() -> None:
    """What `poletype schema initiative` prints: the template's words for each field."""
    properties = _properties(Initiative.model_json_schema(by_alias=True))
    assert len(properties) > 60
    for where, prop in properties.items():
        for key in ("description_fr", "description_en", "label_fr", "label_en"):
            assert isinstance(prop.get(key), str), (where, key)
            assert prop[key].strip(), (where, key)
        assert prop["description"] == (
            f"FR: {prop['description_fr']} / EN: {prop['description_en']}"
        ), where
    assert properties["Strategy.formalised"]["label_en"] == "Formalised strategy"
    assert properties["Member.kind"]["label_fr"] == "Type de membre"
    assert properties["Initiative.members"]["label_en"] == "Members"
    assert properties["Snapshot.date"]["label_en"] == "Date"
    assert properties["Snapshot.founded"] == {
        **properties["Initiative.founded"],
        "title": properties["Snapshot.founded"]["title"],
    }


def test_reading_the_model_does_not_read_the_words() -> None:
    """The words are parsed for a schema, not by `import poletype` (a cold CLI pays for it)."""
    code = (
        "import sys, poletype\n"
        "from poletype import _data\n"
        "assert _data.load.cache_info().currsize == 0, 'words read at import'\n"
        "assert not {'poletype._fields', 'poletype._codes', 'poletype._html'} & set(sys.modules)\n"
        "poletype.Initiative.model_json_schema()\n"
        "assert _data.load.cache_info().currsize == 1\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
