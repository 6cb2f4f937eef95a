"""What it would take: computed from the rules, verified by classifying, minimal, stable."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from conftest import EXAMPLES, ROOT, example_files
from poletype import (
    Initiative,
    InitiativeError,
    PoletypeError,
    Typology,
    classify,
    load_typology,
    read_initiative,
)
from poletype._engine.codes import code_label
from poletype._screening.whatif import (
    FIXED_FACTS,
    ChangeSet,
    FieldChange,
    apply_changes,
    what_it_would_take,
)
from poletype.rulefile import Text
from strategies import initiatives

CRISP = ("labo-ess-ptce", "loi-ess-2014-art9", "decret-2015-ptce", "geces-2021")


@cache
def typology(typology_id: str) -> Typology:
    return load_typology(typology_id)


@cache
def example(stem: str) -> Initiative:
    return read_initiative(EXAMPLES / f"{stem}.yaml")


def positive(typology_id: str) -> str:
    spec = typology(typology_id).spec.verdict
    assert spec is not None
    return spec.outcomes.met


def negative(typology_id: str) -> str:
    spec = typology(typology_id).spec.verdict
    assert spec is not None
    return spec.outcomes.not_met


def outcome(initiative: Initiative, changes: list[FieldChange], typology_id: str) -> str:
    return classify(apply_changes(initiative, changes), typology(typology_id)).outcome


def assert_verified_and_minimal(
    initiative: Initiative, sets: list[ChangeSet], typology_id: str, target: str
) -> None:
    """Each set reaches the target; no proper subset does (all of them when few changes,
    else every set missing one change)."""
    for change_set in sets:
        changes = change_set.changes
        assert change_set.outcome == target
        assert outcome(initiative, changes, typology_id) == target
        size = len(changes)
        subsets = (
            itertools.chain.from_iterable(itertools.combinations(changes, k) for k in range(size))
            if size <= 6
            else itertools.combinations(changes, size - 1)
        )
        for subset in subsets:
            assert outcome(initiative, list(subset), typology_id) != target, (
                f"{[c.text.en for c in subset]} already reaches {target}"
            )


def assert_ranked(sets: list[ChangeSet]) -> None:
    """Fewer criteria first, then fewer changes; changes sorted by path; no repeats."""
    ranks = [(len(s.criteria), len(s.changes)) for s in sets]
    assert ranks == sorted(ranks)
    for change_set in sets:
        paths = [c.path for c in change_set.changes]
        assert paths == sorted(paths)
    assert len({s.model_dump_json() for s in sets}) == len(sets)


def not_reaching(typology_id: str, outcome_name: str) -> list[str]:
    """The shipped examples whose verdict under a typology is ``outcome_name``."""
    return [
        path.stem
        for path in example_files()
        if classify(read_initiative(path), typology(typology_id)).outcome == outcome_name
    ]


NOT_PTCE = not_reaching("labo-ess-ptce", "not_ptce")


def test_the_shipped_examples_include_not_ptce_cases() -> None:
    """The example-based tests below have cases to run on."""
    assert {"observatoire-ess", "projet-creation-entreprise", "pole-trajectoire"} <= set(NOT_PTCE)


@pytest.mark.parametrize("stem", NOT_PTCE)
def test_a_not_ptce_example_gets_verified_minimal_ranked_change_sets(stem: str) -> None:
    """Every shipped not_ptce example can be fixed; each set is verified and minimal."""
    initiative = example(stem)
    sets = what_it_would_take(initiative, typology("labo-ess-ptce"))
    assert sets
    assert_verified_and_minimal(initiative, sets, "labo-ess-ptce", "ptce")
    assert_ranked(sets)


@pytest.mark.parametrize("typology_id", CRISP[1:])
def test_other_crisp_typologies_are_searched_the_same_way(typology_id: str) -> None:
    """Nothing is specific to labo-ess-ptce: the legal and GECES screens work alike."""
    target = positive(typology_id)
    stems = not_reaching(typology_id, negative(typology_id))
    assert stems
    for stem in stems:
        initiative = example(stem)
        sets = what_it_would_take(initiative, typology(typology_id), fixed=())
        assert sets, stem
        assert_verified_and_minimal(initiative, sets, typology_id, target)
        assert_ranked(sets)


@pytest.mark.parametrize("typology_id", CRISP)
def test_an_initiative_that_already_qualifies_needs_nothing(typology_id: str) -> None:
    """The complete example meets every crisp typology: nothing to change."""
    complete = example("pole-exemple-complet")
    assert classify(complete, typology(typology_id)).outcome == positive(typology_id)
    assert what_it_would_take(complete, typology(typology_id)) == []


def test_an_indeterminate_verdict_is_settled_by_stating_the_missing_facts() -> None:
    """For the incomplete example, stating exactly the facts the verdict lists as missing
    is what it would take: each change states a fact that was not stated."""
    lacunary = example("pole-exemple-lacunaire")
    verdict = classify(lacunary, typology("labo-ess-ptce"))
    assert verdict.outcome == "indeterminate"
    sets = what_it_would_take(lacunary, typology("labo-ess-ptce"))
    assert sets
    first = sets[0]
    assert {c.path for c in first.changes} == set(verdict.missing)
    assert all(c.before is None for c in first.changes)
    assert_verified_and_minimal(lacunary, sets, "labo-ess-ptce", "ptce")


def complete_with(**changes: Any) -> Initiative:
    data = example("pole-exemple-complet").model_dump(exclude_none=True)
    for path, value in changes.items():
        *parents, name = path.split("__")
        holder = data
        for part in parents:
            holder = holder[part]
        if value is None:
            holder.pop(name, None)
        else:
            holder[name] = value
    return Initiative.model_validate(data)


def test_one_unformalised_strategy_takes_exactly_one_change() -> None:
    """The complete example with an unwritten strategy: writing it down is the only fix."""
    initiative = complete_with(strategy__formalised=False)
    sets = what_it_would_take(initiative, typology("labo-ess-ptce"))
    assert len(sets) == 1
    (change,) = sets[0].changes
    assert (change.path, change.before, change.after) == ("strategy.formalised", False, True)
    assert sets[0].criteria == ["M3"]
    assert sets[0].outcome == "ptce"
    assert "strategy.formalised : non → oui" in change.text.fr
    assert "strategy.formalised: no → yes" in change.text.en


def test_a_threshold_is_passed_by_the_smallest_step_read_from_the_parameter() -> None:
    """``> params.social_utility_majority`` on a share: the value just above it, whatever
    the parameter says (so the threshold comes from the rule file, not from this module)."""
    initiative = complete_with(activities__social_utility_share=0.5)
    for majority, expected in ((0.5, 0.51), (0.6, 0.61)):
        sets = what_it_would_take(
            initiative, "labo-ess-ptce", params={"social_utility_majority": majority}
        )
        assert [(c.path, c.after) for c in sets[0].changes] == [
            ("activities.social_utility_share", expected)
        ]


def test_an_exclusion_is_lifted_by_a_value_no_exclusion_names() -> None:
    """An observatory stops being essentially an observatory: one change, X5 only."""
    observatory = example("observatoire-ess")
    sets = what_it_would_take(observatory, typology("labo-ess-ptce"))
    (change,) = sets[0].changes
    assert change.path == "activities.primary_function"
    assert change.before == "observation"
    assert change.after not in {
        "observation",
        "resource_centre",
        "representation",
        "awareness",
        "development_agency",
        "chamber_services",
        "business_support",
        "enterprise_creation",
    }
    assert sets[0].criteria == ["X5"]
    assert "observation → " in change.text.fr
    assert f"({change.after})" in change.text.fr  # a code comes with its meaning


def test_a_proposed_member_is_described_in_words_and_codes() -> None:
    """A programme officer reads 'association de l'ESS (ess_association)', not a bare code."""
    sets = what_it_would_take(example("domb-innov"), "labo-ess-ptce")
    member = next(c for s in sets for c in s.changes if c.path == "members")
    kind = member.after["kind"]  # type: ignore[index]
    words = code_label("members.kind", kind)
    assert words is not None
    assert f"Type de membre : {words.fr} ({kind})" in member.text.fr
    assert f"Member kind: {words.en} ({kind})" in member.text.en


def test_a_member_count_is_reached_by_adding_members() -> None:
    """Under the strict reading of "5/10", seven members need three more."""
    initiative = example("pole-exemple-complet")
    sets = what_it_would_take(initiative, "labo-ess-ptce", params={"min_organisations": 10})
    assert sets
    first = sets[0]
    assert [c.path for c in first.changes] == ["members"] * 3
    assert all(c.before is None and isinstance(c.after, dict) for c in first.changes)
    assert first.criteria == ["M2"]
    strict = load_typology("labo-ess-ptce", {"min_organisations": 10})
    changed = apply_changes(initiative, first.changes)
    assert classify(changed, strict).outcome == "ptce"


def test_an_unstated_member_attribute_can_be_stated_for_every_member() -> None:
    """Local anchoring unknown: state the networks, a formal local partnership, or that
    the members are local (or, at length, add more local members than the others)."""
    listed = complete_with().model_dump(exclude_none=True)["members"]
    members = [{k: v for k, v in m.items() if k != "local"} for m in listed]
    initiative = complete_with(local_integration=None, members=members)
    assert classify(initiative, typology("labo-ess-ptce")).outcome == "indeterminate"
    sets = what_it_would_take(initiative, typology("labo-ess-ptce"), limit=5)
    found = [[(c.path, c.before, c.after) for c in s.changes] for s in sets]
    assert found[:2] == [
        [("local_integration.local_networks", None, True)],
        [("local_integration.local_partnerships", None, 1)],
    ]
    assert [("members.local", None, True)] in found
    assert all(s.criteria == ["M4"] for s in sets)
    assert_verified_and_minimal(initiative, sets, "labo-ess-ptce", "ptce")


def test_the_target_can_be_the_negative_outcome() -> None:
    """What would make the complete example not a PTCE: any one criterion broken."""
    complete = example("pole-exemple-complet")
    sets = what_it_would_take(complete, typology("labo-ess-ptce"), target="not_ptce", limit=5)
    assert len(sets) == 5
    assert all(len(s.changes) == 1 and len(s.criteria) == 1 for s in sets)
    assert_verified_and_minimal(complete, sets, "labo-ess-ptce", "not_ptce")


def test_limit_bounds_the_number_of_sets() -> None:
    """``limit`` alternatives at most, the best first; none asked, none given."""
    initiative = example("pole-competitivite-techno")
    three = what_it_would_take(initiative, typology("labo-ess-ptce"))
    assert len(three) == 3
    assert what_it_would_take(initiative, typology("labo-ess-ptce"), limit=1) == three[:1]
    assert what_it_would_take(initiative, typology("labo-ess-ptce"), limit=0) == []


def test_a_graded_typology_is_refused() -> None:
    """Ideal-type memberships have no outcome to reach."""
    with pytest.raises(PoletypeError) as caught:
        what_it_would_take(example("pole-trajectoire"), "matray-poisat")
    assert caught.value.code == "whatif-graded"


def test_an_unreachable_target_is_refused() -> None:
    """Indeterminate is no target, nor an outcome the typology does not have."""
    for target in ("indeterminate", "cluster"):
        with pytest.raises(PoletypeError) as caught:
            what_it_would_take(
                example("pole-trajectoire"), typology("labo-ess-ptce"), target=target
            )
        assert caught.value.code == "unknown-outcome"
        assert "'ptce' or 'not_ptce'" in str(caught.value)


def test_a_plain_dict_and_a_typology_id_are_accepted() -> None:
    """Like `classify`, the function takes the interchange format and a typology id."""
    data = example("projet-creation-entreprise").model_dump(exclude_none=True)
    assert what_it_would_take(data, "labo-ess-ptce") == what_it_would_take(
        example("projet-creation-entreprise"), typology("labo-ess-ptce")
    )


def test_the_result_is_the_same_in_another_process() -> None:
    """Deterministic output: byte-identical JSON under another hash seed."""
    script = (
        "import json, sys\n"
        "from poletype import read_initiative\n"
        "from poletype._screening.whatif import what_it_would_take\n"
        "for path in sys.argv[1:]:\n"
        "    sets = what_it_would_take(read_initiative(path))\n"
        "    print(json.dumps([s.model_dump(mode='json') for s in sets], sort_keys=True))\n"
    )
    stems = ["pes-sud-essonne", "re-sources", "pole-competitivite-techno"]
    paths = [str(EXAMPLES / f"{stem}.yaml") for stem in stems]
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    run = subprocess.run(
        [sys.executable, "-c", script, *paths],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    here = [
        json.dumps(
            [s.model_dump(mode="json") for s in what_it_would_take(example(stem))],
            sort_keys=True,
        )
        for stem in stems
    ]
    assert run.stdout.splitlines() == here
    assert what_it_would_take(example("re-sources")) == what_it_would_take(example("re-sources"))


def test_apply_changes_adds_members_and_states_attributes_on_listed_members_only() -> None:
    """The semantics every returned change is verified under."""
    initiative = Initiative.model_validate(
        {"name": "P", "members": [{"kind": "sme"}, {"kind": "sme", "local": False}]}
    )
    text = Text(fr="t", en="t")
    changed = apply_changes(
        initiative,
        [
            FieldChange(path="members", after={"kind": "ess_association"}, text=text),
            FieldChange(path="members.local", after=True, text=text),
            FieldChange(path="strategy.shared", after=True, text=text),
            FieldChange(path="pooling.resources", after=["premises"], text=text),
        ],
    )
    assert changed.members is not None
    assert [(m.kind, m.local) for m in changed.members] == [
        ("sme", True),
        ("sme", False),
        ("ess_association", None),
    ]
    assert changed.strategy is not None
    assert changed.strategy.shared is True
    assert changed.pooling is not None
    assert changed.pooling.resources == ["premises"]
    assert initiative.members is not None
    assert initiative.members[0].local is None
    with pytest.raises(InitiativeError):
        apply_changes(
            initiative,
            [FieldChange(path="activities.social_utility_share", after=1.5, text=text)],
        )


@settings(max_examples=12)
@given(initiatives())
def test_every_set_found_for_any_initiative_is_verified_and_minimal(
    initiative: Initiative,
) -> None:
    """Whatever the facts stated, each set returned reaches ptce and no part of it does."""
    sets = what_it_would_take(initiative, typology("labo-ess-ptce"))
    if classify(initiative, typology("labo-ess-ptce")).outcome == "ptce":
        assert sets == []
    assert_verified_and_minimal(initiative, sets, "labo-ess-ptce", "ptce")
    assert_ranked(sets)


def test_a_stated_fact_about_the_past_is_never_proposed_for_change() -> None:
    """Fe2i had State support before: the decree's screen cannot be passed by undoing it."""
    fe2i = example("fe2i")
    assert fe2i.prior_state_support is True
    decree = typology("decret-2015-ptce")
    assert classify(fe2i, decree).criterion("E8").status == "not_met"
    assert "prior_state_support" in FIXED_FACTS
    anything = what_it_would_take(fe2i, decree, fixed=())
    assert any(c.path == "prior_state_support" for s in anything for c in s.changes)
    assert what_it_would_take(fe2i, decree) == []


_FOUNDED_BY_A_COUNCIL = """\
typology: appel-fondateur
version: "1"
title: {fr: "Appel fondateur", en: "Founder call"}
extends: labo-ess-ptce
sources:
  - {id: appel, title: "Appel fictif"}
groups:
  call: {fr: "Appel", en: "Call"}
criteria:
  - id: F1
    group: call
    label: {fr: "Une collectivité fondatrice", en: "A founding local authority"}
    source: {document: appel, section: "1"}
    condition: '[m for m in members if m.founder and m.kind == "local_authority"].length > 0'
    justification:
      met: {fr: "Oui.", en: "Yes."}
      not_met: {fr: "Non.", en: "No."}
      unknown: {fr: "Inconnu.", en: "Unknown."}
require:
  - {all_of: call}
"""


def test_a_member_proposed_for_addition_is_never_a_founder(tmp_path: Path) -> None:
    """Founding is past: a call that wants a founding council cannot be met by a newcomer."""
    rules = tmp_path / "appel.yaml"
    rules.write_text(_FOUNDED_BY_A_COUNCIL, encoding="utf-8")
    call = load_typology(rules)
    listed = [
        {**m, "founder": m.get("founder", False)}
        for m in complete_with().model_dump(exclude_none=True)["members"]
        if m.get("kind") != "local_authority"
    ]
    listed.append({"name": "Ville", "kind": "local_authority", "founder": False, "local": True})
    initiative = complete_with(members=listed)
    assert classify(initiative, call).criterion("F1").status == "not_met"
    assert "members.founder" in FIXED_FACTS
    assert what_it_would_take(initiative, call) == []
    anything = what_it_would_take(initiative, call, fixed=())
    assert any(
        c.path == "members" and c.after.get("founder") is True  # type: ignore[union-attr]
        for s in anything
        for c in s.changes
    )


def test_an_unknown_founder_flag_may_still_be_asked_for(tmp_path: Path) -> None:
    """Whether a listed council founded the initiative, when nobody said, is a question."""
    rules = tmp_path / "appel.yaml"
    rules.write_text(_FOUNDED_BY_A_COUNCIL, encoding="utf-8")
    call = load_typology(rules)
    listed = [
        {**m, "founder": False}
        for m in complete_with().model_dump(exclude_none=True)["members"]
        if m.get("kind") != "local_authority"
    ]
    listed.append({"name": "Ville", "kind": "local_authority", "local": True})
    initiative = complete_with(members=listed)
    assert classify(initiative, call).outcome == "indeterminate"
    sets = what_it_would_take(initiative, call)
    assert [[(c.path, c.after) for c in s.changes] for s in sets][:1] == [
        [("members.founder", True)]
    ]
    assert_verified_and_minimal(initiative, sets, str(rules), "ptce")


def test_an_unknown_fact_about_the_past_may_still_be_asked_for() -> None:
    """Stating a fixed fact nobody gave is a question to the applicant, not a change."""
    artis = example("artis")
    assert artis.prior_state_support is None
    sets = what_it_would_take(artis, typology("decret-2015-ptce"))
    assert sets
    assert any(
        c.path == "prior_state_support" and c.before is None for s in sets for c in s.changes
    )
    assert_verified_and_minimal(artis, sets, "decret-2015-ptce", positive("decret-2015-ptce"))


def test_fixing_another_member_attribute_does_not_stop_members_being_added() -> None:
    """Only 'founder' is a fact about the past; a fixed 'kind' still lets members join."""
    domb = example("domb-innov")
    plain = what_it_would_take(domb, "labo-ess-ptce")
    assert any(c.path == "members" for s in plain for c in s.changes)
    assert what_it_would_take(domb, "labo-ess-ptce", fixed=FIXED_FACTS | {"members.kind"}) == plain
