"""The initiative interchange format, version 1, as Pydantic models.

Every field but ``name`` is optional and defaults to ``None``, which means *not stated*:
poletype reads it as unknown, never as false, zero or empty. The names and enumerations are
those of ``spec/initiative-v1.md``; renaming one would break every funder's form and
researcher's data set written against the spec. Unknown keys are refused so that a typo
(``activites``) is reported rather than silently read as an absent fact.
Text is read in Unicode normal form C and refused with control characters; numbers are
strict (a boolean is not a count), so a value reads the same from YAML, JSON or Python.

The models carry no behaviour: a future input field could clash with a method name.
Their JSON Schema (``poletype schema initiative``) describes every field in French and
English with the words the spreadsheet template shows, read from ``data/fields.yaml``
when a schema is generated rather than when the package is imported.
"""

from __future__ import annotations

import datetime
import re
import typing
import unicodedata
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from poletype._read.data import load
from poletype._read.limits import DEFAULT_LIMITS

# Strict: a boolean is not a number (``"jobs": true`` is not 1 job), nor is a string;
# an int is still a float.
Share = Annotated[float, Strict(), Field(ge=0.0, le=1.0)]
Count = Annotated[int, Strict(), Field(ge=0)]
Multiplicity = Annotated[int, Strict(), Field(ge=1)]
Year = Annotated[int, Strict()]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters but tab, line feed and carriage return; and lone surrogates,
which a JSON escape can write but no output file can encode."""


def _text(value: object) -> object:
    """A string in Unicode normal form C, refused if it holds a control character.

    NFC makes an ``e`` followed by a combining accent the ``é`` it shows, so an id typed
    either way is one id. Values other than strings are left to the field's own type.
    """
    if not isinstance(value, str):
        return value
    bad = _CONTROL.search(value)
    if bad is not None:
        raise PydanticCustomError(
            "control_character",
            "control character U+{point} at character {position} of the text",
            {"point": f"{ord(bad.group()):04X}", "position": bad.start() + 1},
        )
    return value if value.isascii() else unicodedata.normalize("NFC", value)


Text = Annotated[str, BeforeValidator(_text)]
"""Free text (names, ids, sectors): normalised and checked; codes are `Literal` values,
which refuse anything but themselves."""

MemberKind = Literal[
    "ess_association",
    "ess_cooperative",
    "ess_mutual",
    "ess_foundation",
    "ess_company",
    "ess_network",
    "sme",
    "large_company",
    "local_authority",
    "state_body",
    "research_centre",
    "higher_education",
    "training_body",
    "citizen_group",
    "social_partner",
    "chamber",
    "development_agency",
    "financial_institution",
    "other",
]

Function = Literal[
    "production",
    "services_to_people",
    "hosting",
    "pooling",
    "incubation",
    "distribution",
    "training",
    "research",
    "awareness",
    "representation",
    "business_support",
    "observation",
    "resource_centre",
    "development_agency",
    "chamber_services",
    "finance",
    "enterprise_creation",
]
PooledResource = Literal[
    "premises",
    "staff",
    "equipment",
    "services",
    "purchasing",
    "financing",
    "skills",
    "communication",
]
JointInvestment = Literal[
    "incubator", "distribution_network", "research_partnership", "production_unit", "shared_company"
]
Innovation = Literal[
    "social", "organisational", "technological", "ecological", "economic", "governance"
]
FundingLevel = Literal["local", "regional", "national", "european"]


def _describe_fields(schema: JsonDict, model: type[Any]) -> None:
    """Give each property of a model's JSON Schema its words from ``data/fields.yaml``.

    Why a schema hook rather than ``Field(description=...)`` on every field: the words
    are data, and reading them when the module is imported would make every
    ``import poletype`` parse a YAML file that only a schema, a template or a report
    needs. ``description`` holds both languages; ``description_fr`` and
    ``description_en``, ``label_fr`` and ``label_en`` hold each one.
    """
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, prop in properties.items():
        words = _field_words(model, name)
        if words is None or not isinstance(prop, dict):
            continue
        label, help_ = words["label"], words["help"]
        prop["description"] = f"FR: {help_['fr']} / EN: {help_['en']}"
        prop["description_fr"] = help_["fr"]
        prop["description_en"] = help_["en"]
        prop["label_fr"] = label["fr"]
        prop["label_en"] = label["en"]


def _field_words(model: type[Any], name: str) -> dict[str, Any] | None:
    """The words of one field of one model of this module, or None if none are written.

    A member's fields are the members sheet's columns; a snapshot's own fields have
    their own words; every other field is named by its dotted path in the initiative,
    a nested object or a list of objects by its group's words.
    """
    words = load("fields")
    if model is Member:
        return typing.cast("dict[str, Any] | None", words["member"].get(name))
    if model is Snapshot and name in words["snapshot"]:
        return typing.cast("dict[str, Any]", words["snapshot"][name])
    path = f"{_prefix(model)}{name}"
    found = words["group"].get(path) or words["applicant"].get(path)
    return typing.cast("dict[str, Any] | None", found)


def _prefix(model: type[Any]) -> str:
    """The dotted path under which a nested model's fields sit in an initiative."""
    for name, info in _Facts.model_fields.items():
        if model in get_args(info.annotation):
            return f"{name}."
    return ""


class _Part(BaseModel):
    """Shared configuration: refuse unknown keys, keep values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_describe_fields)


class Member(_Part):
    """An organisation grouped in the initiative, or associated with it as a partner.

    ``count`` (format 1.1; absent: 1) makes one entry stand for that many organisations
    of the same description, so a data set coded as counts by kind needs no invented
    names.
    """

    name: Text | None = None
    kind: MemberKind | None = None
    size: Literal["micro", "small", "medium", "large"] | None = None
    founder: bool | None = None
    local: bool | None = None
    work_integration: bool | None = None
    count: Multiplicity | None = None


def listed(entries: list[Member] | None) -> int:
    """How many organisations a list names, each entry counted ``count`` times."""
    return sum(1 if m.count is None else m.count for m in entries or ())


class Strategy(_Part):
    """The common development strategy (stratégie commune)."""

    shared: bool | None = None
    formalised: bool | None = None
    territorial: bool | None = None


class Commitment(_Part):
    """How lasting the cooperation is."""

    long_term: bool | None = None
    single_project: bool | None = None


class LocalIntegration(_Part):
    """Ties of the members to local networks (ancrage local)."""

    local_networks: bool | None = None
    local_partnerships: Count | None = None


class Activities(_Part):
    """What the initiative does; ``primary_function`` is what it essentially is."""

    social_utility_share: Share | None = None
    sectors: list[Text] | None = None
    multisectoral: bool | None = None
    functions: list[Function] | None = None
    primary_function: Function | None = None


class Pooling(_Part):
    """Resources pooled and joint investments (mutualisation)."""

    resources: list[PooledResource] | None = None
    joint_investments: list[JointInvestment] | None = None


class Place(_Part):
    """An identifiable place or area."""

    shared_premises: bool | None = None
    activity_zone: bool | None = None
    formal_network: bool | None = None


class Research(_Part):
    """Research and development."""

    programme: bool | None = None
    incubator: bool | None = None
    research_partners: bool | None = None
    intensity: Literal["none", "low", "high"] | None = None


class Governance(_Part):
    """How the initiative is governed."""

    democratic: bool | None = None
    structure: Literal["centralised", "decentralised"] | None = None
    leadership: Literal["public", "private", "mixed"] | None = None
    multi_stakeholder: bool | None = None
    volunteer_board: bool | None = None
    user_involvement: bool | None = None
    legal_form: Text | None = None


class EssPolicy(_Part):
    """Inscription in the territory's ESS policy and networks."""

    in_local_policy: bool | None = None
    in_local_ess_networks: bool | None = None


class Resources(_Part):
    """Income by economic principle, as shares that sum to at most 1."""

    market: Share | None = None
    non_market: Share | None = None
    non_monetary: Share | None = None

    @model_validator(mode="after")
    def _shares_fit(self) -> Resources:
        total = sum(s for s in (self.market, self.non_market, self.non_monetary) if s is not None)
        if total > 1.0 + 1e-9:
            msg = (
                f"resource shares must sum to at most 1, found {total:g} "
                "(market + non_market + non_monetary)"
            )
            raise ValueError(msg)
        return self


class _Facts(_Part):
    """Every fact of an initiative; shared by the initiative and its dated snapshots."""

    id: Text | None = None
    country: Text | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    founded: Year | None = None
    stage: Literal["project", "emerging", "consolidated"] | None = None
    scale: Literal["local", "regional", "national", "transnational"] | None = None
    sites: Count | None = None
    voluntary: bool | None = None
    members: list[Member] | None = None
    members_complete: bool | None = None
    member_count: Count | None = None
    partners: list[Member] | None = None
    partners_complete: bool | None = None
    strategy: Strategy | None = None
    commitment: Commitment | None = None
    local_integration: LocalIntegration | None = None
    activities: Activities | None = None
    pooling: Pooling | None = None
    place: Place | None = None
    research: Research | None = None
    governance: Governance | None = None
    ess_policy: EssPolicy | None = None
    evaluation: bool | None = None
    jobs: Count | None = None
    insertion_jobs: Count | None = None
    origin: (
        Literal["entrepreneurial", "citizen", "local_authority", "ess_network", "mixed"] | None
    ) = None
    public_role: (
        Literal["none", "marginal", "facilitator", "service_delegator", "project_holder"] | None
    ) = None
    approach: Literal["bottom_up", "top_down"] | None = None
    finality: (
        Literal["growth", "sustainable_local_development", "social_needs", "employment"] | None
    ) = None
    market_reach: Literal["local", "national", "export"] | None = None
    industrial: bool | None = None
    profitable_activities: bool | None = None
    innovation: list[Innovation] | None = None
    resources: Resources | None = None
    funding_levels: list[FundingLevel] | None = None
    legal_entity: Literal["private_law", "public_law", "none"] | None = None
    territory_defined: bool | None = None
    prior_state_support: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _members_fit(cls, data: Any, info: ValidationInfo) -> Any:
        """Refuse an oversized member or partner list before validating each of its entries."""
        limits = (info.context or {}).get("limits", DEFAULT_LIMITS)
        for field in ("members", "partners"):
            entries = data.get(field) if isinstance(data, dict) else None
            if isinstance(entries, list | tuple) and len(entries) > limits.members:
                raise PydanticCustomError(
                    "too_many_members",
                    "{count} {field}; at most {limit} (limit `members`)",
                    {"count": len(entries), "field": field, "limit": limits.members},
                )
        return data

    @model_validator(mode="after")
    def _counts_fit(self, info: ValidationInfo) -> _Facts:
        """Refuse counts that contradict the lists, or lists that stand for too many.

        ``member_count`` is the whole membership, so it is at least what ``members``
        names, and equal to it when the list is said to be complete. Entries with a
        ``count`` are bounded like listed members: a ``count`` of a billion is not a
        million rows to read, but it would be that many members to reason about.
        """
        limits = (info.context or {}).get("limits", DEFAULT_LIMITS)
        named = listed(self.members)
        if self.member_count is not None and self.members is not None:
            if self.member_count < named:
                raise PydanticCustomError(
                    "member_count_below_list",
                    "member_count is {count} but members names {named} organisations",
                    {"count": self.member_count, "named": named},
                )
            if self.members_complete is True and self.member_count != named:
                raise PydanticCustomError(
                    "member_count_contradicts_list",
                    "member_count is {count} but the complete member list names {named}",
                    {"count": self.member_count, "named": named},
                )
        for field, total in (
            ("members", max(named, self.member_count or 0)),
            ("partners", listed(self.partners)),
        ):
            if total > limits.members:
                raise PydanticCustomError(
                    "too_many_members",
                    "{count} {field}; at most {limit} (limit `members`)",
                    {"count": total, "field": field, "limit": limits.members},
                )
        return self


class Snapshot(_Facts):
    """The facts that changed at a date: a partial initiative."""

    date: datetime.date
    name: Text | None = None


class Initiative(_Facts):
    """A cluster, pole or PTCE, existing or applying, as its user describes it."""

    name: Text = Field(min_length=1)
    snapshots: list[Snapshot] | None = None
