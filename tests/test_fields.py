"""Every input column is documented, in both languages, and every missing fact has a question."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from conftest import example_files
from poletype import classify, load_typology, read_initiative, typologies
from poletype._screening.fields import (
    _APPLICANT_WORDS,
    _GROUP_WORDS,
    _MEMBER_WORDS,
    _PARTNER_WORDS,
    APPLICANT_FIELDS,
    LIST_OF_ROLE,
    MEMBER_FIELDS,
    header,
    label,
    member_path,
    question,
)
from poletype.model import Initiative, Innovation, Member, MemberKind, Resources, Strategy
from poletype.rulefile import Text


def _model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X | None`` or ``list[X] | None``, if any."""
    for arg in (annotation, *get_args(annotation)):
        for inner in (arg, *get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf path of a model, written independently of the module under test."""
    paths = []
    for name, info in model.model_fields.items():
        nested = _model(info.annotation)
        if nested is None:
            paths.append(prefix + name)
        else:
            paths.extend(_leaves(nested, f"{prefix}{name}."))
    return paths


def test_every_model_field_is_a_documented_column() -> None:
    """Partners are rows of the members sheet with the role partner: a partner's fields are
    the members sheet's columns, and the role column says which list a row goes into."""
    leaves = _leaves(Initiative)
    lists = ("members.", "partners.", "snapshots.")
    applicant = {p for p in leaves if not p.startswith(lists)}
    assert set(APPLICANT_FIELDS) == applicant
    assert {"members_complete", "member_count", "partners_complete"} <= applicant
    members = {p.removeprefix("members.") for p in leaves if p.startswith("members.")}
    partners = {p.removeprefix("partners.") for p in leaves if p.startswith("partners.")}
    assert partners == members, "a partner row has a member row's columns"
    assert "count" in members
    assert set(MEMBER_FIELDS) == members | {"applicant_id", "role"}
    assert MEMBER_FIELDS["role"].allowed == tuple(LIST_OF_ROLE)
    assert set(LIST_OF_ROLE.values()) == {"members", "partners"}
    assert set(_APPLICANT_WORDS) == set(APPLICANT_FIELDS), "hand-written words drifted"
    assert set(_MEMBER_WORDS) == set(MEMBER_FIELDS), "hand-written words drifted"
    assert set(_PARTNER_WORDS) == partners, "hand-written words drifted"


def test_a_partners_field_is_worded_for_a_partner() -> None:
    """A question about partners names partners; the members sheet's column stays the
    member's (a note on a partner row's cell names the column it is in)."""
    for key in MEMBER_FIELDS:
        if key in ("applicant_id", "role"):
            continue
        assert label(f"partners.{key}") == _PARTNER_WORDS[key].label
        assert question(f"partners.{key}") == _PARTNER_WORDS[key].question
        assert question(f"partners.{key}") != question(f"members.{key}")
    assert label("partners.kind").fr == "Type de partenaire"
    assert "partenaires" in question("partners.kind").fr
    assert member_path("partners.kind") == "members.kind"
    assert member_path("members.kind") == "members.kind"
    assert member_path("partners") == "partners"
    assert question("partners").fr.startswith("Quelles organisations sont partenaires")
    assert question("partners_complete").fr == "La liste des partenaires donnée est-elle complète ?"


def test_every_nested_object_has_group_words() -> None:
    groups = {p.split(".")[0] for p in _leaves(Initiative) if "." in p}
    assert set(_GROUP_WORDS) == groups


def test_order_is_id_name_then_spec_order() -> None:
    paths = list(APPLICANT_FIELDS)
    assert paths[:3] == ["id", "name", "country"]
    assert paths.index("strategy.shared") < paths.index("activities.social_utility_share")
    assert paths.index("innovation") < paths.index("resources.market")
    assert paths.index("resources.non_monetary") < paths.index("funding_levels")
    assert paths[-1] == "prior_state_support"
    assert list(MEMBER_FIELDS)[:3] == ["applicant_id", "name", "kind"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("id", "text"),
        ("founded", "integer"),
        ("sites", "integer"),
        ("strategy.shared", "boolean"),
        ("activities.social_utility_share", "share"),
        ("resources.market", "share"),
        ("stage", "choice"),
        ("innovation", "choices"),
        ("pooling.resources", "choices"),
        ("activities.sectors", "choices"),
        ("governance.legal_form", "text"),
    ],
)
def test_kinds_are_read_from_the_model(path: str, kind: str) -> None:
    assert APPLICANT_FIELDS[path].kind == kind


def test_allowed_values_are_the_models_enumerations() -> None:
    assert APPLICANT_FIELDS["stage"].allowed == ("project", "emerging", "consolidated")
    assert APPLICANT_FIELDS["activities.sectors"].allowed == ()
    assert APPLICANT_FIELDS["strategy.shared"].allowed == ()
    assert MEMBER_FIELDS["kind"].allowed == get_args(MemberKind)
    assert MEMBER_FIELDS["kind"].path == "members.kind"
    assert MEMBER_FIELDS["applicant_id"].kind == "text"
    assert APPLICANT_FIELDS["innovation"].allowed == get_args(Innovation)


def test_labels_fit_in_a_header() -> None:
    """Labels hold no bracket (the path's marker) and no CSV delimiter."""
    docs = [*APPLICANT_FIELDS.values(), *MEMBER_FIELDS.values()]
    for doc in docs:
        for text in (doc.label.fr, doc.label.en):
            assert not set(text) & set("[];,"), (doc.path, text)
    assert header("strategy.formalised", APPLICANT_FIELDS["strategy.formalised"]) == (
        "Stratégie formalisée / Formalised strategy [strategy.formalised]"
    )


def test_labels_are_unique() -> None:
    for fields in (APPLICANT_FIELDS, MEMBER_FIELDS):
        for lang in ("fr", "en"):
            labels = [getattr(d.label, lang) for d in fields.values()]
            assert len(labels) == len(set(labels)), lang


def test_questions_are_questions_in_both_languages() -> None:
    docs = [*APPLICANT_FIELDS.values(), *MEMBER_FIELDS.values()]
    for doc in docs:
        assert doc.question.fr.endswith(" ?"), doc.path
        assert doc.question.en.endswith("?"), doc.path
        assert not doc.question.en.endswith(" ?"), doc.path
        assert doc.help.fr.endswith((".", ")")), doc.path
        assert doc.help.en.endswith((".", ")")), doc.path


def _missing_paths() -> set[str]:
    paths: set[str] = set()
    compiled = [load_typology(t) for t in typologies()]
    for file in example_files():
        initiative = read_initiative(file)
        for typology in compiled:
            verdict = classify(initiative, typology)
            paths.update(verdict.missing)
            for criterion in verdict.criteria:
                paths.update(criterion.missing)
    return paths


def _written(path: str) -> bool:
    return not question(path).fr.startswith("Pouvez-vous préciser")


def test_every_missing_fact_of_the_examples_has_a_written_question() -> None:
    paths = _missing_paths()
    assert {"members", "members.kind", "strategy.shared"} <= paths
    assert [p for p in sorted(paths) if not _written(p)] == []


def test_questions_for_the_list_of_members_and_each_member_differ() -> None:
    assert question("members").fr.startswith("Quelles organisations")
    assert question("members.kind") == MEMBER_FIELDS["kind"].question
    assert question("strategy.formalised").fr == (
        "La stratégie commune est-elle formalisée (charte, convention, statuts, programme) ?"
    )


def test_every_model_path_has_a_question() -> None:
    """Leaves, nested objects, lists and snapshot fields: a question, never an error."""
    paths = _leaves(Initiative) + sorted(_GROUP_WORDS) + ["snapshots.date", "members.applicant_id"]
    for path in paths:
        asked = question(path)
        assert asked.fr
        assert asked.en
    assert _written("strategy")
    assert _written("resources")
    assert question("snapshots.date").en == "Could you state “snapshots.date”?"


def test_the_member_key_column_has_a_label_but_no_question_for_an_applicant() -> None:
    assert label("members.applicant_id") == MEMBER_FIELDS["applicant_id"].label
    assert question("members.applicant_id").fr == (
        "Pouvez-vous préciser « Identifiant de la candidature » ?"
    )
    assert label("members") == _GROUP_WORDS["members"].label
    assert label("no.such.path") == Text(fr="no.such.path", en="no.such.path")


@given(st.text(min_size=1, max_size=30))
def test_question_never_raises(path: str) -> None:
    asked = question(path)
    assert asked.fr.strip()
    assert asked.en.strip()


def test_nested_models_used_by_the_walk_exist() -> None:
    """Guards the independent walk above: it does see nested and listed models."""
    assert _model(Initiative.model_fields["strategy"].annotation) is Strategy
    assert _model(Initiative.model_fields["resources"].annotation) is Resources
    assert _model(Initiative.model_fields["members"].annotation) is Member


def test_the_words_file_has_every_word_in_both_languages() -> None:
    """data/fields.yaml: each entry has a label, help and (but snapshots) a question, fr and en;
    a partner's field has a label and a question (its column's help is the member's)."""
    from poletype._read.data import load

    data = load("fields")
    assert set(data) == {"applicant", "member", "partner", "group", "snapshot"}
    own = {"snapshot": {"label", "help"}, "partner": {"label", "question"}}
    for section, entries in data.items():
        for path, entry in entries.items():
            kinds = own.get(section, {"label", "help", "question"})
            assert set(entry) == kinds, (section, path)
            for words in entry.values():
                assert set(words) == {"fr", "en"}, (section, path)
                assert all(isinstance(w, str) and w.strip() for w in words.values())


def test_a_snapshots_own_fields_have_words() -> None:
    from poletype._read.data import load
    from poletype.model import Snapshot, _Facts

    own = set(Snapshot.model_fields) - set(_Facts.model_fields)
    assert own == {"date", "name"}
    assert set(load("fields")["snapshot"]) == own
