"""A criterion's ``unknown_when``: a known fact that cannot settle the criterion keeps it open.

Three-valued logic over known facts stays known, so a member kind that may or may not
satisfy a condition (a bank may be a cooperative bank) would read as "no". The rule file
says where that silence of the format must not: the criterion is then unknown, by both
backends, in the columnar decisions and the inline examples, and the verdict asks for the
facts that would settle it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TEST_RULES
from poletype import RuleFileError, classify, decide_frame, load_typology
from poletype._rules.examples import run_examples

RULES = TEST_RULES / "unknown-when.yaml"
BANK = {"name": "P", "members": [{"kind": "ess_association"}, {"kind": "financial_institution"}]}


@pytest.mark.parametrize("backend", ["compiled", "interpreter"])
@pytest.mark.parametrize(
    ("kinds", "status", "outcome"),
    [
        (["sme", "financial_institution"], "met", "pass"),
        (["ess_association"], "not_met", "fail"),
        (["ess_association", "financial_institution"], "unknown", "open"),
        (["ess_association", None], "unknown", "open"),
    ],
)
def test_a_kind_that_may_satisfy_the_condition_keeps_it_open(
    backend: str, kinds: list[str | None], status: str, outcome: str
) -> None:
    members = [{"kind": k} if k else {"name": "X"} for k in kinds]
    verdict = classify({"name": "P", "members": members}, RULES, backend=backend)  # type: ignore[arg-type]
    assert verdict.criterion("FIRM").status == status
    assert verdict.outcome == outcome


def test_the_verdict_asks_what_would_settle_it() -> None:
    verdict = classify(BANK, RULES)
    assert verdict.missing == ["members.kind"]
    assert verdict.criterion("FIRM").missing == ["members.kind"]


def test_columnar_decisions_hand_it_to_the_compiled_backend() -> None:
    members = {"id": [1, 1, 2], "kind": ["ess_association", "financial_institution", "sme"]}
    decided = decide_frame({"id": [1, 2]}, load_typology(RULES), members=members)
    assert list(decided.statuses["FIRM"]) == ["unknown", "met"]
    assert decided.fallback_criteria == ("FIRM",)


def test_inline_examples_read_it() -> None:
    assert all(result.passed for result in run_examples(load_typology(RULES)))


def test_a_bad_expression_names_the_criterion(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8").replace(
        "unknown_when: 'true in", "unknown_when: 'members.length + true in"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_typology(bad)
    assert "FIRM" in str(info.value)
    assert "bad.yaml:14:" in str(info.value)  # the line of unknown_when
