"""Hypothesis strategies for initiatives, derived from the model's own annotations.

Every optional field is drawn as "absent or a value" (a bare ``st.builds`` would only
vary required fields), and `completion` fills every absent fact of a given initiative,
which is what the soundness and completeness properties quantify over.
"""

from __future__ import annotations

import copy
import random
import types
import typing
from typing import Any, Literal

from hypothesis import strategies as st
from pydantic import BaseModel

from poletype._engine.derive import derive
from poletype._engine.paths import Partial
from poletype._engine.typology import CrispTypology, GradedTypology, Typology
from poletype.model import Initiative, Member, Resources

_SMALL_TEXT = st.text(alphabet="abcdefgh ", min_size=1, max_size=8)


def _strip(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _strip(args[0])
    if origin is typing.Annotated:
        return _strip(typing.get_args(annotation)[0])
    return annotation


def value_strategy(annotation: Any, *, partial: bool) -> st.SearchStrategy[Any]:
    """Values of a field's type; nested models partial (absent-or-value) or complete."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) is Literal:
        return st.sampled_from(typing.get_args(annotation))
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return st.lists(value_strategy(item, partial=partial), max_size=7)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation, partial=partial)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(min_value=0, max_value=60)
    if annotation is float:
        # Every float of the model is a share in [0, 1]; 0.5 is drawn often: it is a threshold.
        return st.sampled_from([0.0, 0.25, 0.5, 0.5000001, 0.75, 1.0]) | st.floats(0.0, 1.0)
    if annotation is str:
        return _SMALL_TEXT
    msg = f"no strategy for {annotation!r}"
    raise TypeError(msg)


_SKIP = {"snapshots", "id", "founded", "name"}
COUNTRIES = ("FR", "LU", "ES", "MT")
"""Valid ISO codes, small and large countries, for rules that read ``country``."""
_SPECIAL: dict[str, st.SearchStrategy[Any]] = {
    "country": st.sampled_from(COUNTRIES),
    "count": st.integers(min_value=1, max_value=3),
}
_FLAGS = {"members_complete", "member_count", "partners_complete", "count"}
"""Format 1.1's facts about the lists themselves: a completion sets them, closing the lists
(a completed entry stands for one organisation: the view has already repeated counts)."""


def model_strategy(model: type[BaseModel], *, partial: bool) -> st.SearchStrategy[Any]:
    """Dicts for a model: each field absent or a value (partial), or every field set."""
    fields = {}
    for name, field in model.model_fields.items():
        if name in _SKIP:
            continue
        values = (
            _SPECIAL[name]
            if name in _SPECIAL
            else value_strategy(field.annotation, partial=partial)
        )
        fields[name] = (st.none() | values) if partial else values
    strategy = st.fixed_dictionaries(fields)
    if model is Resources:
        strategy = strategy.filter(_shares_fit)
    return strategy


def _shares_fit(d: dict[str, Any]) -> bool:
    return sum(v for v in d.values() if v is not None) <= 1.0


@st.composite
def initiatives(draw: st.DrawFn) -> Initiative:
    """Initiatives with any subset of facts stated."""
    data = draw(model_strategy(Initiative, partial=True))
    data = {k: v for k, v in data.items() if v is not None}
    _fit_member_count(data)
    return Initiative.model_validate({"name": "Pôle", **data})


def _fit_member_count(data: dict[str, Any]) -> None:
    """A drawn ``member_count`` made consistent with the list: at least what it names, and
    equal to it on a list said to be complete."""
    members = data.get("members")
    if members is None or "member_count" not in data:
        return
    named = sum(m.get("count") or 1 for m in members)
    extra = 0 if data.get("members_complete") is True else data["member_count"] % 4
    data["member_count"] = named + extra


def _close_lists(out: dict[str, Any], viewed: Initiative, extra: Any) -> None:
    """Complete ``members`` and ``partners`` as a partial list allows, and say so.

    A `Partial` list gains between its ``low`` and ``high`` more entries (``high`` is
    ``None`` when nothing bounds it), drawn by ``extra(name, low, high)``; every list is
    then complete, and ``member_count`` is the membership's size.
    """
    for name, flag in (("members", "members_complete"), ("partners", "partners_complete")):
        view = getattr(viewed, name)
        if isinstance(view, Partial):
            out[name] = [*out[name], *extra(name, view.low, view.high)]
        out[name] = [{**m, "count": None} for m in out[name]]
        out[flag] = True
    out["member_count"] = len(out["members"])


def members(*, partial: bool = True) -> st.SearchStrategy[Any]:
    """A list of member dicts."""
    return st.lists(model_strategy(Member, partial=partial), max_size=8)


@st.composite
def completion(draw: st.DrawFn, initiative: Initiative) -> Initiative:
    """The same initiative with every absent fact given a value.

    Derivable facts (``origin``) are derived first: they are not unknown, so a completion
    must not contradict them.
    """
    initiative = derive(initiative)[0]
    data = _complete(draw, initiative.model_dump(exclude={"snapshots"}), Initiative)

    def extra(name: str, low: int, high: int | None) -> list[dict[str, Any]]:
        size = draw(st.integers(min_value=low, max_value=low + 5 if high is None else high))
        drawn = draw(st.lists(model_strategy(Member, partial=False), min_size=size, max_size=size))
        return [{**m, "count": None} for m in drawn]

    _close_lists(data, initiative, extra)
    return Initiative.model_validate(data)


def _complete(draw: st.DrawFn, data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    out = dict(data)
    for name, field in model.model_fields.items():
        if name in _SKIP or name in _FLAGS:
            continue
        annotation = _strip(field.annotation)
        value = out.get(name)
        if value is None:
            strategy = (
                _SPECIAL[name]
                if name in _SPECIAL
                else value_strategy(field.annotation, partial=False)
            )
            out[name] = draw(strategy)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out[name] = _complete(draw, value, annotation)
        elif typing.get_origin(annotation) is list:
            (item,) = typing.get_args(annotation)
            item = _strip(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                out[name] = [_complete(draw, v, item) for v in value]
    if model is Resources:
        _fit_resources(draw, out, data)
    return out


def _fit_resources(draw: st.DrawFn, out: dict[str, Any], known: dict[str, Any]) -> None:
    """Completed shares must still sum to at most 1: scale the drawn ones into the room left."""
    room = 1.0 - sum(v for v in known.values() if v is not None)
    drawn = [k for k, v in known.items() if v is None]
    total = sum(out[k] for k in drawn)
    if total > room:
        for k in drawn:
            out[k] = out[k] * room / total if total else 0.0


def random_value(annotation: Any, rng: random.Random) -> Any:
    """A uniformly varied value of a field's type, for searches Hypothesis would shrink away."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) is Literal:
        return rng.choice(typing.get_args(annotation))
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        # An empty list is a boundary of many criteria: draw it half the time.
        size = 0 if rng.random() < 0.5 else rng.randint(1, 7)
        return [random_value(item, rng) for _ in range(size)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _random_complete({}, annotation, rng)
    if annotation is bool:
        return rng.random() < 0.5
    if annotation is int:
        # The rules' counts compare with 0, 1 and 2 (``>= 1``, ``> 0``, at least two
        # sites): a uniform draw over 0-60 would almost never try none or one.
        return rng.randint(0, 2) if rng.random() < 0.5 else rng.randint(0, 60)
    if annotation is float:
        return rng.choice([0.0, 0.5, 1.0, rng.random()])
    if annotation is str:
        return rng.choice(["a", "b", "SCIC"])
    msg = f"no random value for {annotation!r}"
    raise TypeError(msg)


def random_completion(
    initiative: Initiative,
    rng: random.Random,
    donors: list[dict[str, Any]] | None = None,
    *,
    whole: bool = False,
    trust: float = 0.8,
) -> dict[str, Any]:
    """A document completing every absent fact of ``initiative``.

    Each absent fact is drawn at random or, more often, copied from a donor document (a
    complete case such as a shipped example): a random fill almost never meets all of a
    typology's mandatory criteria at once, and the search for a pair of completions that
    shows a fact matters needs such contexts. By default each field has its own donor,
    so that facts of different cases combine; ``whole`` takes one donor's facts together
    where it states them, for a context only one case gives (a national cluster in a
    small country that meets every other criterion). ``trust`` is how often an absent
    fact is copied from its donor rather than drawn: lower, it gives the contexts where
    facts the cases all state are false instead (no common strategy, nothing pooled).
    """
    initiative = derive(initiative)[0]
    chosen = rng.choice(donors) if whole and donors else {}
    donor: dict[str, Any] = {}
    for name in Initiative.model_fields:
        stating = [d[name] for d in donors or [] if d.get(name) is not None]
        if chosen.get(name) is not None:
            donor[name] = chosen[name]
        else:
            donor[name] = rng.choice(stating) if stating else None
    data = initiative.model_dump(exclude={"snapshots"})
    out = _random_complete(data, Initiative, rng, donor, trust)

    def extra(name: str, low: int, high: int | None) -> list[dict[str, Any]]:
        given = [m for m in donor.get(name) or [] for _ in range(m.get("count") or 1)]
        if given and rng.random() < trust:
            # A case's own list for the unnamed ones, as for any other absent fact: a
            # random membership almost never meets a typology's criteria on members.
            entries = given[: len(given) if high is None else high]
            entries += [{}] * (low - len(entries))
        else:
            # Half the time no more than needed: contexts where the named entries are all.
            size = (
                low if rng.random() < 0.5 else rng.randint(low, low + 5 if high is None else high)
            )
            entries = [{}] * size
        return [{**_random_complete(m, Member, rng), "count": None} for m in entries]

    _close_lists(out, initiative, extra)
    return out


def _random_complete(
    data: dict[str, Any],
    model: type[BaseModel],
    rng: random.Random,
    donor: dict[str, Any] | None = None,
    trust: float = 0.8,
) -> dict[str, Any]:
    donor = donor or {}
    out = dict(data)
    for name, field in model.model_fields.items():
        if name in _SKIP or name in _FLAGS:
            continue
        annotation = _strip(field.annotation)
        value = out.get(name)
        given = donor.get(name)
        if value is None:
            if given is not None and rng.random() < trust:
                out[name] = copy.deepcopy(given)
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    out[name] = _random_complete(out[name], annotation, rng)
                elif typing.get_origin(annotation) is list:
                    (item,) = typing.get_args(annotation)
                    item = _strip(item)
                    if isinstance(item, type) and issubclass(item, BaseModel):
                        out[name] = [_random_complete(v, item, rng) for v in out[name]]
            elif name == "country":
                out[name] = rng.choice(COUNTRIES)
            else:
                out[name] = random_value(field.annotation, rng)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out[name] = _random_complete(
                value, annotation, rng, given if isinstance(given, dict) else None, trust
            )
        elif typing.get_origin(annotation) is list:
            (item,) = typing.get_args(annotation)
            item = _strip(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                pool = given if isinstance(given, list) and given else [None]
                out[name] = [_random_complete(v, item, rng, rng.choice(pool)) for v in value]
    if model is Resources:
        room = 1.0 - sum(v for v in data.values() if v is not None)
        drawn = [k for k, v in data.items() if v is None] or [k for k in out if k not in data]
        total = sum(out[k] for k in drawn)
        if total > room:
            for k in drawn:
                out[k] = out[k] * room / total if total else 0.0
    return out


def example_inputs(typology: Typology) -> list[dict[str, Any]]:
    """The inputs of a rule file's whole-initiative examples, crisp or graded: donors of
    complete facts for completion searches."""
    examples = []
    if isinstance(typology, GradedTypology):
        examples = typology.graded.spec.examples
    if isinstance(typology, CrispTypology):
        examples = typology.verdict_rule.examples
    return [dict(e.input) for e in examples]


KINDS = ("ess_association", "ess_cooperative", "sme", "local_authority", "research_centre")


def case_table(n: int = 60, seed: int = 7) -> Any:
    """A researcher's coded cases: one row each, some facts blank, members as counts."""
    rng = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.15 else value

    rows = []
    for i in range(n):
        row: dict[str, Any] = {
            "case": f"C{i:03d}",
            "name": f"Pôle {i}",
            "activities.social_utility_share": maybe(round(rng.random(), 3)),
            "strategy.shared": maybe(rng.random() < 0.7),
            "governance.democratic": maybe(rng.choice(["oui", "non"])),
            "jobs": maybe(rng.randrange(0, 40)),
            "sites": maybe(rng.randrange(1, 4)),
            "voluntary": maybe(True),
            "commitment.long_term": maybe(rng.random() < 0.8),
            "local_integration.local_networks": maybe(rng.random() < 0.8),
            "pooling.resources": maybe(rng.choice(["premises; staff", "aucun", "equipment"])),
            "resources.market": maybe(round(rng.random() * 0.5, 2)),
            "origin": maybe(rng.choice(["citizen", "entrepreneurial", "local_authority"])),
        }
        for kind in KINDS:
            row[f"members.{kind}"] = rng.randrange(0, 4)
        rows.append(row)
    import pandas as pd  # the frames extra: only tests of frames call this

    return pd.DataFrame(rows)
