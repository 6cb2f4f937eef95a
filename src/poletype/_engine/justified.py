"""What a verdict says beyond its outcome, computed in stages as readers ask.

A verdict's justification is three things of very different cost: the facts missing (a
few relevance checks over values already decided), each criterion's sentences in French
and English with the values it read, and the pydantic objects holding them. Readers
want different stages: a sweep reads outcomes, a triage reads ``missing``, a batch writes
JSON, a notebook reads criteria. `Justified` computes each stage once, when first asked:
``missing`` renders no sentence, `to_json` builds no criterion object.

What can be prepared once per typology is, in a `Plan` kept on the typology: each
status's sentences compiled (`poletype._engine.justify.Sentences`), the input paths each
criterion shows, its constant fields, and the verdict's JSON shapes
(`poletype._engine.verdictjson`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel

from poletype._engine.facts import cache_paths, fresh, key_function, keys_function, reader_function
from poletype._engine.interpreter import Backend, Root
from poletype._engine.justify import Sentences
from poletype._engine.typology import (
    CompiledCriterion,
    CompiledIndicator,
    Typology,
)
from poletype._engine.verdictjson import Shape, Shapes, brackets, dump, excluded, holed, items, slot
from poletype.rulefile import Citation, Text
from poletype.verdict import CriterionResult, Degree, GradedParts, Source, Status, Verdict

_CRITERION_FIELDS = CriterionResult.model_fields
_VERDICT_FIELDS = Verdict.model_fields
_PER_TYPOLOGY = frozenset(
    {"format", "typology", "version", "rules_hash", "poletype_version", "parameters"}
)
"""Verdict fields that are the same for every verdict of one typology: in its shapes."""
_DEFAULTS = {
    name: field.get_default(call_default_factory=True)
    for name, field in _VERDICT_FIELDS.items()
    if not field.is_required()
}
"""The verdict fields' defaults, for those a verdict is not given (read, never changed)."""
_NESTED: dict[str, type[BaseModel]] = {"graded": GradedParts}
"""Verdict fields holding a model whose fields the JSON writes flat."""
_Optional = list[tuple[Callable[[dict[str, Any]], Any], Callable[[Any], bool]]]
_OPTIONAL: dict[tuple[str, ...], _Optional] = {}
"""The fields a verdict is given that the JSON leaves out when empty, by the names given:
how to read each and whether it is left out. Each combination left out has its shape
(the defaults' are fixed)."""


def _optional(settled: dict[str, Any]) -> _Optional:
    found: _Optional = []
    for name, field in _VERDICT_FIELDS.items():
        if name in settled and getattr(field, "exclude_if", None):
            found.append((operator.itemgetter(name), functools.partial(excluded, field)))
            if name in _NESTED:
                for part, inner in _NESTED[name].model_fields.items():
                    if getattr(inner, "exclude_if", None):
                        read = functools.partial(_part, name, part)
                        found.append((read, functools.partial(excluded, inner)))
    return found


def _part(name: str, part: str, settled: dict[str, Any]) -> Any:
    owner = settled[name]
    return None if owner is None else getattr(owner, part)


_SHARED = frozenset({"outcome_label", "scores"})
"""Verdict fields holding instances shared between verdicts: their JSON is kept."""


def memo(typology: Typology, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per typology and kept with it."""
    if key not in typology.memo:
        typology.memo[key] = make()
    return typology.memo[key]


def source(typology: Typology, citation: Citation) -> Source:
    """A citation with its document's title, as verdicts show it."""

    def make() -> Source:
        document = next(s for s in typology.spec.sources if s.id == citation.document)
        return Source(document=document.id, title=document.title, section=citation.section)

    found: Source = memo(typology, ("source", citation.document, citation.section), make)
    return found


@functools.cache
def _shown(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The paths a result shows: those not inside another path it reads."""
    return tuple(p for p in paths if not any(q.startswith(p + ".") for q in paths))


class Item:
    """One criterion or graded indicator, prepared for justifying: once per typology.

    Its results are also remembered, for the criteria whose result is a function of
    few plain facts (see `cache_paths`): under one typology, what a criterion says is
    a function of its status and the facts it and its sentences read, and most criteria
    read a few yes/no or coded facts that thousands of initiatives share, so their
    sentences, missing facts and JSON are computed once per combination.
    """

    __slots__ = (
        "atoms",
        "cache",
        "fixed",
        "id",
        "key",
        "key_paths",
        "keys",
        "parameters",
        "paths",
        "read",
        "relevance",
        "sentences",
        "shown",
    )

    def __init__(self, typology: Typology, item: CompiledCriterion | CompiledIndicator) -> None:
        spec = item.spec
        self.id = spec.id
        self.sentences = {status: Sentences(t) for status, t in item.templates.items()}
        self.paths = tuple((p, p.split(".")) for p in _shown(item.paths))
        self.parameters = {f"params.{n}": typology.parameters[n] for n in item.parameters}
        shown = [p for p, _ in self.paths]
        self.shown = tuple(shown)
        # The values' keys in the order verdicts list them, each with its place among
        # the paths read (None for a parameter).
        self.keys = tuple(
            (key, shown.index(key) if key not in self.parameters else None)
            for key in sorted({*shown, *self.parameters})
        )
        self.fixed = {
            "id": spec.id,
            "group": item.group if isinstance(item, CompiledCriterion) else "indicator",
            "label": spec.label,
            "source": source(typology, spec.source),
            "interpretation": spec.interpretation,
        }
        self.read = reader_function(tuple(shown))
        paths = cache_paths(item)
        self.key = None if paths is None else key_function(paths)
        self.key_paths = None if self.key is None else paths
        self.cache: dict[tuple[Any, ...], Entry] = {}
        self.atoms = () if item.condition is None else tuple(item.condition.leaves())
        self.relevance: dict[tuple[Any, ...], tuple[bool, tuple[str, ...]]] = {}
        """Whether held open, and the paths of the atoms that matter (or that settle it),
        by the atoms' values (crisp criteria)."""

    def values(self, read: list[Any]) -> dict[str, Any]:
        """The ``values`` of its result: paths read and parameters, by key."""
        return {k: self.parameters[k] if i is None else fresh(read[i]) for k, i in self.keys}

    def entry(self, key: tuple[Any, ...]) -> Entry | None:
        """What is remembered under ``key`` (`key` of an initiative and its status...).

        None when the cache is full.
        """
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= CACHE_LIMIT:
                return None
            found = self.cache[key] = Entry()
        return found


CACHE_LIMIT = 1024
"""Combinations of facts remembered per criterion: a bound on memory, reached only by
criteria that read counts or shares, whose later combinations are computed each time."""


class Entry:
    """One remembered result: facts missing, the rendered row, its JSON by layout."""

    __slots__ = ("missing", "row", "texts")

    def __init__(self) -> None:
        self.missing: list[str] | None = None
        self.row: Row | None = None
        self.texts: dict[tuple[int | None, int], str] = {}


class Plan:
    """A typology's justifications, prepared: its items and its JSON shapes."""

    __slots__ = ("caches", "items", "keys", "relevance", "shapes")

    def __init__(self, typology: Typology) -> None:
        self.items = tuple(Item(typology, item) for item in typology.reported())
        self.caches = tuple(item.cache for item in self.items)
        self.keys = keys_function([item.key_paths for item in self.items])
        """Every item's cache key at once (`Item.key`'s, item by item)."""
        self.shapes = Shapes()
        self.relevance: dict[tuple[Any, ...], set[str]] = {}
        """The criteria that matter to an undecided outcome, by every criterion's value."""


def plan(typology: Typology) -> Plan:
    """The typology's `Plan`, made on its first justification."""
    found: Plan = memo(typology, "justification plan", lambda: Plan(typology))
    return found


Row = tuple[Status, str, str, list[Any], list[str], Degree | None]
"""One rendered result: status, French and English sentences, values read, facts
missing, degree (graded indicators)."""

_UNSET: Any = object()


class Justified:
    """A verdict's justification, computed stage by stage (`poletype.verdict.Pending`).

    Subclasses say each item's status, facts missing and degree, and the verdict's
    missing facts (`outcome_missing`, None when decided with the outcome). Slotted, as
    their subclasses: every verdict kept keeps one, and objects with a ``__dict__`` are
    more for the garbage collector to walk in a sweep that keeps its verdicts.
    """

    __slots__ = (
        "_entries",
        "_found",
        "_missing",
        "_plan",
        "_rows",
        "_shown",
        "_values",
        "root",
        "settled",
        "typology",
    )

    def __init__(self, typology: Typology, root: Root, settled: dict[str, Any]) -> None:
        self.typology = typology
        self.root = root
        self.settled = settled
        self._plan: Plan | None = None
        self._entries: list[Any] | None = None
        self._found: dict[int, list[str]] | None = None
        self._shown: dict[tuple[str, int, int | None], str] | None = None
        self._missing: list[str] | None = None
        self._rows: list[Row] | None = None
        self._values: dict[Any, Any] | None = None

    def statuses(self) -> list[Status]:
        """Every item's status, in order."""
        raise NotImplementedError

    def compute_missing(self, index: int) -> list[str]:
        """The facts that could change item ``index``'s status."""
        raise NotImplementedError

    def degree(self, index: int) -> Degree | None:
        """Item ``index``'s membership degree (graded indicators)."""
        return None

    def key_extras(self) -> list[Any]:
        """What, beside the facts, each item's remembered result is keyed by: its status."""
        return self.statuses()

    def outcome_missing(self) -> list[str] | None:
        """The verdict's ``missing``, when this justification owes it."""
        return None

    @property
    def plan(self) -> Plan:
        """The typology's plan."""
        if self._plan is None:
            self._plan = plan(self.typology)
        return self._plan

    def _entry(self, index: int) -> Entry | None:
        entries = self._entries
        if entries is None:
            entries = self._entries = [_UNSET] * len(self.plan.items)
        found = entries[index]
        if found is _UNSET:
            item = self.plan.items[index]
            key = item.key
            extra = self.key_extras()[index]
            found = entries[index] = (
                None if key is None else item.entry(key(self.root.initiative, extra))
            )
        entry: Entry | None = found
        return entry

    def _all_entries(self) -> list[Entry | None]:
        entries = self._entries
        if entries is None:
            entries = self._entries = [_UNSET] * len(self.plan.items)
        plan = self.plan
        keys = plan.keys(self.root.initiative, self.key_extras())
        found = [
            None if key is None else cache.get(key)
            for cache, key in zip(plan.caches, keys, strict=True)
        ]
        for index, item in enumerate(plan.items):
            if entries[index] is _UNSET:
                key = keys[index]
                entry = found[index]
                entries[index] = entry if entry is not None or key is None else item.entry(key)
        return entries

    def item_missing(self, index: int) -> list[str]:
        """Item ``index``'s missing facts: remembered, or computed (no sentence)."""
        entry = self._entry(index)
        if entry is not None:
            if entry.missing is None:
                entry.missing = self.compute_missing(index)
            return entry.missing
        found = self._found
        if found is None:
            found = self._found = {}
        if index not in found:
            found[index] = self.compute_missing(index)
        return found[index]

    def early(self, name: str) -> tuple[bool, Any]:
        """``missing`` alone, without a sentence."""
        if name == "missing":
            if self._missing is None:
                self._missing = self.outcome_missing()
            if self._missing is not None:
                return True, self._missing
        return False, None

    def row(self, index: int) -> Row:
        """Item ``index`` rendered: remembered, or its sentences and values computed."""
        entry = self._entry(index)
        if entry is not None and entry.row is not None:
            return entry.row
        item = self.plan.items[index]
        status = self.statuses()[index]
        known = self._values
        if known is None:
            known = self._values = {}
        fr, en = item.sentences[status].render(self.root, known)
        read = known.get(item.read)
        if read is None:
            read = known[item.read] = item.read(self.root.initiative)
        row = (
            status,
            fr,
            en,
            read,
            self.item_missing(index),
            self.degree(index),
        )
        if entry is not None:
            entry.row = row
        return row

    def rows(self) -> list[Row]:
        """Every item rendered."""
        if self._rows is None:
            self._all_entries()
            self._rows = [self.row(index) for index in range(len(self.plan.items))]
        return self._rows

    def fields(self, *, validate: bool = False) -> dict[str, Any]:
        """The verdict fields owed: ``criteria`` and, if owed, ``missing``.

        ``validate`` builds the criteria with pydantic's validating constructor (the
        eager verdicts the tests compare deferred ones with); otherwise the values,
        already of their fields' types, are trusted (``model_construct``).
        """
        criteria = [
            _result(item, row, validate=validate)
            for item, row in zip(self.plan.items, self.rows(), strict=True)
        ]
        out: dict[str, Any] = {"criteria": criteria}
        given, missing = self.early("missing")
        if given:
            out["missing"] = missing
        return out

    def json(self, indent: int | None) -> str | None:
        """The complete verdict's JSON, written from the shapes; None if it has none."""
        if indent is not None and indent < 1:
            return None
        shapes = self.plan.shapes
        given, missing = self.early("missing")
        settled = self.settled
        names = tuple(settled)
        optional = _OPTIONAL.get(names)
        if optional is None:
            optional = _OPTIONAL[names] = _optional(settled)
        gone = tuple(test(read(settled)) for read, test in optional)

        def make_verdict() -> Shape:
            values = {**_DEFAULTS, **settled, "criteria": []}
            if given:
                values["missing"] = missing
            model, holes = holed(_VERDICT_FIELDS, values, _PER_TYPOLOGY, frozenset(_NESTED))
            return Shape(Verdict.model_construct(**model), len(holes), indent, 0, holes)

        verdict = shapes.get(("verdict", indent, names, given, gone), make_verdict)
        if verdict is None:
            return None
        written: list[str | list[str]] = []
        for name, level in zip(verdict.names, verdict.levels, strict=True):
            if name == "criteria":
                text = self._criteria(level, indent)
                if text is None:
                    return None
                written.append(text)
                continue
            if name == "missing" and given:
                value = missing
            elif "." in name:
                owner, part = name.split(".", 1)
                value = getattr(settled[owner], part)
            else:
                value = settled[name]
            if name in _SHARED:
                if isinstance(value, list):
                    texts = [shapes.shared(v, level + 1, indent) for v in value]
                    written.append(items(texts, level, indent))
                else:
                    written.append(shapes.shared(value, level, indent))
            else:
                written.append(dump(value, level, indent))
        return verdict.fill(written)

    def _criteria(self, level: int, indent: int | None) -> list[str] | None:
        """The criteria's JSON at depth ``level``, as pieces: remembered, or written from shapes.

        Pieces, joined once with the whole verdict: a criterion's JSON is kilobytes of
        labels and interpretations, and a criterion no other verdict shares (a member
        list's) would otherwise be copied twice.
        """
        entries = self._all_entries()
        if not entries:
            return ["[]"]
        layout = (indent, level)
        opening, separator, closing = brackets(level, indent)
        texts = [None if entry is None else entry.texts.get(layout) for entry in entries]
        out = [opening]
        for index, item in enumerate(self.plan.items):
            if index:
                out.append(separator)
            text = texts[index]
            if text is not None:
                out.append(text)
                continue
            found = self._criterion(index, item, level, indent)
            if found is None:
                return None
            entry = entries[index]
            if entry is not None:
                text = entry.texts[layout] = "".join(found)
                out.append(text)
            else:
                out += found
        out.append(closing)
        return out

    def _criterion(
        self, index: int, item: Item, level: int, indent: int | None
    ) -> list[str] | None:
        status, fr, en, read, missing, degree = self.row(index)
        key = ("criterion", index, indent, level, degree is None)
        shape = self.plan.shapes.get(key, lambda: _criterion_shape(item, degree, indent, level))
        if shape is None:
            return None
        at = shape.levels
        texts = [
            _encoded(status),
            _encoded(fr),
            _encoded(en),
            items(list(map(encode_basestring, missing)), at[3], indent),
        ]
        if degree is not None:
            texts.append(dump(degree, at[4], indent))
        # Several criteria show the same fact (the members' kinds): written once.
        shown = self._shown
        if shown is None:
            shown = self._shown = {}
        first = len(texts)
        for n, (path, value) in enumerate(zip(item.shown, read, strict=True)):
            depth = at[first + n]
            text = shown.get((path, depth, indent))
            if text is None:
                text = shown[path, depth, indent] = dump(value, depth, indent)
            texts.append(text)
        return shape.pieces(texts)


_ENCODED: dict[str, str] = {}
_ENCODED_LIMIT = 8192


def _encoded(text: str) -> str:
    """``encode_basestring(text)`` for a status or a sentence, remembered (bounded).

    Sentences come from each criterion's remembered renderings, so the same string
    objects come back, their hashes already computed.
    """
    found = _ENCODED.get(text)
    if found is None:
        found = encode_basestring(text)
        if len(_ENCODED) < _ENCODED_LIMIT:
            _ENCODED[text] = found
    return found


def _criterion_shape(item: Item, degree: Degree | None, indent: int | None, level: int) -> Shape:
    """A criterion's JSON with holes: status, sentences, missing, degree, each value read."""
    holes = 4 + (degree is not None)
    values: dict[str, Any] = {}
    for key, index in item.keys:
        values[key] = item.parameters[key] if index is None else slot(holes + index)
    fields: dict[str, Any] = {
        **item.fixed,
        "status": slot(0),
        "justification": Text.model_construct(fr=slot(1), en=slot(2)),
        "values": values,
        "missing": slot(3),
        **({} if degree is None else {"degree": slot(4)}),
    }
    return Shape(
        CriterionResult.model_construct(**fields), holes + len(item.paths), indent, level + 1
    )


def _result(item: Item, row: Row, *, validate: bool) -> CriterionResult:
    status, fr, en, read, missing, degree = row
    fields: dict[str, Any] = {
        **item.fixed,
        "status": status,
        "justification": Text(fr=fr, en=en) if validate else Text.model_construct(fr=fr, en=en),
        "values": item.values(read),
        "missing": list(missing),
        **({} if degree is None else {"degree": degree}),
    }
    if validate:
        return CriterionResult(**fields)
    return CriterionResult.model_construct(**fields)


def finish(
    typology: Typology,
    backend: Backend,
    settled: dict[str, Any],
    justified: Justified,
    *,
    later: tuple[str, ...],
) -> Verdict:
    """The verdict from what is decided and what ``justified`` adds (the fields ``later``).

    Deferred to its first read with the compiled backend, when no justification of the
    typology can fail (so an error still comes from ``classify``); built at once, and
    validated, by the reference interpreter.
    """
    if backend == "interpreter" or not typology.justifies_safely:
        return Verdict(**settled, **justified.fields(validate=True))
    names = tuple(settled)
    # One set for every verdict of the typology given these fields: pydantic copies a
    # verdict's set before changing it, and a frozen verdict's fields are never set.
    fields_set: set[str] = memo(typology, ("fields set", names, later), lambda: {*names, *later})
    return Verdict.deferred(settled, fields_set, justified)
