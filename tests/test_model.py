"""The Initiative model accepts the interchange format and explains what it refuses."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from conftest import ROOT, example_files
from poletype import Initiative, InitiativeError, Limits
from poletype._rules.classify import to_initiative

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
        # format 1.1
        "members_complete", "member_count", "partners", "partners_complete",
    }  # fmt: skip
    assert names == set(Initiative.model_fields)
    assert (
        "count"
        in Initiative.model_fields["members"].annotation.__args__[0].__args__[0].model_fields
    )


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


@pytest.mark.parametrize(
    "data",
    [
        {"jobs": True},
        {"founded": False},
        {"sites": "3"},
        {"activities": {"social_utility_share": True}},
        {"local_integration": {"local_partnerships": True}},
        {"resources": {"market": False}},
    ],
)
def test_a_boolean_or_a_string_is_not_a_number(data: dict[str, Any]) -> None:
    """Numbers are strict: ``"jobs": true`` was read as one job."""
    (field,) = data
    assert field in _error(data).message


def test_an_integer_is_still_a_decimal() -> None:
    """Strictness does not refuse ``1`` for a share."""
    initiative = Initiative.model_validate({"name": "P", "resources": {"market": 1}})
    assert initiative.resources is not None
    assert initiative.resources.market == 1.0


def test_text_is_normalised_in_python_too() -> None:
    """Built in Python as read from a file: ``cafe`` and a combining accent is ``café``."""
    composed = Initiative.model_validate(
        {
            "name": "Caf\u00e9",
            "id": "cafe\u0301",
            "members": [{"name": "Cafe\u0301"}],
            "activities": {"sectors": ["e\u0301"]},
        }
    )
    assert composed.id == Initiative(name="P", id="caf\u00e9").id == "caf\u00e9"
    assert composed.members is not None
    assert composed.members[0].name == "Caf\u00e9"
    assert composed.activities is not None
    assert composed.activities.sectors == ["\u00e9"]
    assert Initiative(name="P", id="cafe\u0301").id == "caf\u00e9"


@pytest.mark.parametrize("text", ["P\x00le", "P\x1bole", "P\x7f", "P\x85", "P\ud800"])
def test_control_characters_are_refused(text: str) -> None:
    """NUL, escape, DEL, C1 controls and lone surrogates are refused with their code."""
    with pytest.raises(InitiativeError) as info:
        to_initiative({"name": "P", "members": [{"name": text}]})
    assert info.value.code == "control-character"
    assert info.value.message.startswith("invalid initiative: members.0.name: control character U+")


def test_tab_and_line_breaks_are_text() -> None:
    """Tab, line feed and carriage return are allowed in text."""
    assert Initiative(name="P\tA\r\nB").name == "P\tA\r\nB"


def test_the_member_list_is_bounded_before_its_entries_are_read() -> None:
    """``too-many-members`` at the limit the caller passes; snapshots are bounded too."""
    members = [{"kind": "nonsense"}] * 3
    with pytest.raises(InitiativeError) as info:
        to_initiative({"name": "P", "members": members}, limits=Limits(members=2))
    assert info.value.code == "too-many-members"
    assert info.value.errors == ["members: 3 members; at most 2 (limit `members`)"]
    snapshot = {"date": "2020-01-01", "members": [{}] * 3}
    with pytest.raises(InitiativeError) as info:
        to_initiative({"name": "P", "snapshots": [snapshot]}, limits=Limits(members=2))
    assert info.value.errors == ["snapshots.0.members: 3 members; at most 2 (limit `members`)"]
    assert to_initiative({"name": "P", "members": [{}] * 3}).members is not None


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
        "from poletype._read import data as _data\n"
        "assert _data.load.cache_info().currsize == 0, 'words read at import'\n"
        "assert not {'poletype._screening.fields', 'poletype._engine.codes',\n"
        "            'poletype._render.html'} & set(sys.modules)\n"
        "poletype.Initiative.model_json_schema()\n"
        "assert _data.load.cache_info().currsize == 1\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
