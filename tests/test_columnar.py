"""decide_frame equals classify on every row, unknowns included, however members come.

The differential property: initiatives drawn by hypothesis (any field absent, members
with any field absent) are laid out as a frame (field paths as columns, members as
counts, or as a long members frame, and as polars and pandas frames), and every row's
outcome and criteria statuses must be those `classify` states for the initiative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poletype
from poletype import UsageError, classify, decide_frame, load_typology
from poletype._scale.columns import member_counts, member_domain
from poletype.model import Initiative
from strategies import initiatives

LABO = load_typology("labo-ess-ptce")
MEMBER_FIELDS = ("kind", "size", "founder", "local", "work_integration")


def _flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in ("members", "partners", "snapshots"):
            continue
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _count_key(name: str, value: Any, listed: str = "members") -> str:
    return f"{listed}.{name}={str(value).lower() if isinstance(value, bool) else value}"


def frames(items: list[Initiative]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """The cases as a frame with member counts, and their members as a long frame."""
    rows: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        document = item.model_dump(mode="json", exclude_none=True)
        row = {**_flat(document), "id": n}
        for where in ("members", "partners"):
            listed = document.get(where)
            if listed is None:
                continue
            row[f"{where}.length"] = sum(m.get("count", 1) for m in listed)
            for name in MEMBER_FIELDS:
                for value in member_domain(name):
                    count = sum(m.get("count", 1) for m in listed if m.get(name) == value)
                    if count:
                        row[_count_key(name, value, where)] = count
            role = {"role": "partner"} if where == "partners" else {}
            members += [{"id": n, **role, **m} for m in listed]
        rows.append(row)
    names = sorted({k for r in rows for k in r})
    member_names = sorted({"id", *(k for m in members for k in m)})
    return (
        {c: [r.get(c) for r in rows] for c in names},
        {c: [m.get(c) for m in members] for c in member_names},
    )


STATUS = {"met": "met", "not_met": "not_met", "unknown": "unknown"}


def assert_same(decided: Any, items: list[Initiative], typology: Any = LABO) -> None:
    for row, item in enumerate(items):
        verdict = classify(item, typology)
        assert decided.outcome[row] == verdict.outcome, row
        for criterion in verdict.criteria:
            assert decided.statuses[criterion.id][row] == criterion.status, (row, criterion.id)
        unknown = [c.id for c in verdict.criteria if c.status == "unknown"]
        assert decided.unknown(row) == unknown


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(initiatives(), min_size=1, max_size=8))
def test_equal_to_classify_with_counts_and_with_a_members_frame(items: list[Initiative]) -> None:
    """Format 1.1 included (partial lists, counted entries, partners): counts in the
    frame, or a long members frame with ``count`` and ``role`` columns, decide every row
    as classify does, without the compiled backend."""
    frame, members = frames(items)
    by_counts = decide_frame(frame, LABO)
    assert by_counts.fallback_criteria == ()
    assert not by_counts.fallback.any()
    assert_same(by_counts, items)
    lengths = ("members.length", "partners.length")  # an empty list has no row to count
    cases = {
        k: v
        for k, v in frame.items()
        if not k.startswith(("members.", "partners.")) or k in lengths
    }
    by_rows = decide_frame(cases, LABO, members=members)
    assert not by_rows.fallback.any()
    assert_same(by_rows, items)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(initiatives(), min_size=1, max_size=6), st.sampled_from([1, 3, 10]))
def test_equal_to_classify_with_other_parameters(items: list[Initiative], least: int) -> None:
    params = {"min_kinds": least, "min_organisations": least}
    frame, _ = frames(items)
    assert_same(
        decide_frame(frame, "labo-ess-ptce", params), items, load_typology("labo-ess-ptce", params)
    )


def test_polars_and_pandas_frames_decide_as_mappings() -> None:
    items = [
        Initiative(
            name="a", voluntary=True, jobs=12, activities={"primary_function": "observation"}
        ),
        Initiative(name="b", members=[{"kind": "sme", "local": True}, {"local": None}]),
        Initiative(name="c", activities={"social_utility_share": 0.5}),
    ]
    frame, _ = frames(items)
    scalars = {k: v for k, v in frame.items() if not any(isinstance(x, list) for x in v)}
    expected = decide_frame(scalars, LABO)
    for other in (pl.DataFrame(scalars, strict=False), pd.DataFrame(scalars)):
        decided = decide_frame(other, LABO)
        assert list(decided.outcome) == list(expected.outcome)
        for c, codes in expected.status_codes.items():
            assert list(decided.status_codes[c]) == list(codes)
    assert_same(expected, items)


def test_a_missing_column_is_an_unknown_fact() -> None:
    decided = decide_frame({"jobs": [3.0, np.nan]}, LABO)
    assert list(decided.statuses["T6"]) == ["not_met", "unknown"]
    assert list(decided.outcome) == ["indeterminate", "indeterminate"]


def test_typed_numpy_columns() -> None:
    decided = decide_frame({"activities.social_utility_share": np.array([0.4, 0.9, np.nan])}, LABO)
    assert list(decided.statuses["M5"]) == ["not_met", "met", "unknown"]


def test_a_criterion_it_cannot_translate_falls_back_to_the_compiled_backend(tmp_path: Any) -> None:
    rule = tmp_path / "t.yaml"
    text = (poletype._rules.parsed.rules_package() / "labo-ess-ptce.yaml").read_text(
        encoding="utf-8"
    )
    # A member test reading two member fields: counts by one field cannot decide it.
    text = text.replace(
        "'true in [m.kind == \"local_authority\" for m in members]'",
        "'true in [m.kind == \"local_authority\" and m.local for m in members]'",
    )
    rule.write_text(text, encoding="utf-8")
    typology = load_typology(rule)
    items = [
        Initiative(name="a", members=[{"kind": "local_authority", "local": True}]),
        Initiative(
            name="b", members=[{"kind": "local_authority", "local": False}], partners_complete=True
        ),
        Initiative(name="c"),
    ]
    frame, members = frames(items)
    cases = {
        k: v for k, v in frame.items() if not k.startswith("members.") or k == "members.length"
    }
    decided = decide_frame(cases, typology, members=members)
    assert decided.fallback_criteria == ("M8",)
    assert decided.fallback.all()
    assert list(decided.statuses["M8"]) == ["met", "not_met", "unknown"]
    assert_same(decided, items, typology)
    with pytest.raises(UsageError, match="members themselves"):
        decide_frame(frame, typology)


def test_member_counts_of_a_long_frame() -> None:
    keys = np.array([10, 20, 30], dtype=object)
    counts = member_counts(
        {"id": [10, 10, 30, 99], "kind": ["sme", None, "sme", "sme"]}, keys, "id", ["kind"]
    )
    assert list(counts["members.kind=sme"]) == [1, 0, 1]
    assert np.isnan(counts["members.length"][1])  # no member row: the list is unknown
    assert list(counts["members.length"][[0, 2]]) == [2, 1]


def test_a_graded_typology_is_refused() -> None:
    with pytest.raises(UsageError, match="graded"):
        decide_frame({"jobs": [1]}, "matray-poisat")


def test_a_boolean_column_holding_text_is_refused() -> None:
    with pytest.raises(UsageError, match="true or false"):
        decide_frame({"voluntary": ["yes"]}, LABO)


def test_a_column_that_is_no_field_is_refused() -> None:
    with pytest.raises(UsageError, match=r"activities\.social_utility"):
        decide_frame({"activities.social_utility": [0.7]}, LABO)
    with pytest.raises(UsageError, match=r"members\.kind=pme"):
        decide_frame({"members.kind=pme": [1]}, LABO)


def test_a_partial_member_list_leaves_room_for_members_of_unknown_kind() -> None:
    """A list said partial, or shorter than ``member_count``, is not the whole
    membership: what its named members do not settle stays unknown."""
    frame = {
        "id": [1, 2, 3, 4],
        "voluntary": [True] * 4,
        "members_complete": [None, False, None, None],
        "member_count": [None, None, 6, 5],
        "partners_complete": [None, None, True, True],
    }
    members = {"id": [1, 1, 2, 2, 2, 3, 3, 4, 4], "count": [3, 2, 1, 1, None, 3, 2, 3, 2]}
    members["kind"] = ["ess_association", "sme", "ess_association", "sme", "sme"]
    members["kind"] += ["ess_association", "ess_cooperative", "ess_cooperative", "ess_cooperative"]
    decided = decide_frame(frame, LABO, members=members)
    assert not decided.fallback.any()
    # Five named each: complete; partial; one unnamed member more; exactly the five.
    assert list(decided.statuses["M2"]) == ["met", "unknown", "met", "not_met"]
    assert list(decided.statuses["M1"]) == ["met", "met", "unknown", "not_met"]
    items = []
    for case in frame["id"]:
        document: dict[str, Any] = {"name": str(case)}
        for name in ("voluntary", "members_complete", "member_count", "partners_complete"):
            value = frame[name][frame["id"].index(case)]
            if value is not None:
                document[name] = value
        document["members"] = [
            {"kind": k, **({"count": c} if c else {})}
            for i, k, c in zip(members["id"], members["kind"], members["count"], strict=True)
            if i == case
        ]
        items.append(Initiative.model_validate(document))
    assert_same(decided, items)


def test_a_partner_row_is_not_counted_as_a_member() -> None:
    frame = {"id": [1]}
    members = {"id": [1, 1], "kind": ["ess_association", "local_authority"]}
    members["role"] = ["member", "partner"]
    decided = decide_frame(frame, LABO, members=members)
    assert not decided.fallback.any()
    assert decided.statuses["M8"][0] == "met"
    verdict = classify(
        {
            "name": "a",
            "members": [{"kind": "ess_association"}],
            "partners": [{"kind": "local_authority"}],
        },
        LABO,
    )
    assert decided.statuses["M8"][0] == {c.id: c.status for c in verdict.criteria}["M8"]
