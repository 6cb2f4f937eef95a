"""A rule file that ``extends`` another, merged onto its base into one document.

A funder's call adds criteria, replaces or drops some, overrides parameters and requires
its new criteria in the verdict, without copying the typology it builds on. The merge
works on the parsed YAML documents, keeping every node's line, so an error in the
extension names its own line and an error in an inherited criterion names the base
file's. `poletype._rules.loader` finds the files and resolves the chain; this module merges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from poletype._engine.compiler import closest, compile_verdict
from poletype._read.yaml import LineDict, LineList, line_of
from poletype.errors import ErrorCode, RuleFileError
from poletype.rulefile import Extension, RuleFile, VerdictNode, coerce_parameter


@dataclass(frozen=True)
class Resolved:
    """A rule-file document with any ``extends`` resolved, ready to validate and compile.

    ``source`` is what the rules hash covers: the file's bytes, then its base's.
    ``origins`` names the file each inherited criterion or descriptor was written in.
    """

    file: str
    raw: Any
    source: bytes
    origins: dict[str, str]


def line_dict(items: Mapping[str, Any], line: int, key_lines: Mapping[str, int]) -> LineDict:
    out = LineDict(items)
    out.line = line
    out.key_lines = {k: v for k, v in key_lines.items() if k in out}
    return out


def line_list(items: Sequence[tuple[Any, int]], line: int) -> LineList:
    out = LineList(item for item, _ in items)
    out.line = line
    out.item_lines = [item_line for _, item_line in items]
    return out


def _items(node: Any) -> list[tuple[Any, int]]:
    """A raw sequence's items with their lines (an absent sequence has none)."""
    if not isinstance(node, LineList):
        return []
    return list(zip(node, node.item_lines, strict=True))


def _key_lines(node: Any) -> dict[str, int]:
    return dict(node.key_lines) if isinstance(node, LineDict) else {}


def _without(node: Any, key: str) -> Any:
    return line_dict({k: v for k, v in node.items() if k != key}, node.line, node.key_lines)


def _verdict_reads(
    nodes: Sequence[VerdictNode | str], groups: Mapping[str, Sequence[str]]
) -> tuple[set[str], bool]:
    """The criterion ids a verdict condition reads, and whether every name it gives exists.

    Unknown names are left for the compiler to report, with their lines.
    """
    unknown: list[str] = []
    trees = [compile_verdict(n, groups, lambda m, **_: unknown.append(m), ()) for n in nodes]
    return {c for tree in trees for c in tree.criteria()}, not unknown


_PARAMS_READ = re.compile(r"\bparams\s*\.\s*(\w+)")
_PARAMS_WORD = re.compile(r"\bparams\b(?!\s*\.\s*\w)")


def _condition_params(node: Any) -> set[str] | None:
    """The parameters a raw condition reads, or None when it reads ``params`` as a whole."""
    if isinstance(node, str):
        if _PARAMS_WORD.search(node):
            return None
        return set(_PARAMS_READ.findall(node))
    found: set[str] = set()
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        inner = _condition_params(child)
        if inner is None:
            return None
        found |= inner
    return found


class Merge:
    """One extension laid over its resolved base, giving a plain rule-file document.

    Problems are collected, not raised, so that ``poletype validate`` lists them all.
    """

    def __init__(
        self, file: str, raw: Any, ext: Extension, base: Resolved, base_spec: RuleFile
    ) -> None:
        self.file = file
        self.raw = raw
        self.ext = ext
        self.base = base
        self.base_spec = base_spec
        self.errors: list[RuleFileError] = []
        self.origins: dict[str, str] = {
            d.id: base.origins.get(d.id, base.file) for d in base_spec.descriptors
        }
        self.overridden: dict[str, Any] = {}
        self.groups_of: dict[str, str] = {}
        self.new: list[int] = []

    def error(
        self,
        message: str,
        code: ErrorCode,
        loc: tuple[str | int, ...],
        criterion: str | None = None,
        **kwargs: str | None,
    ) -> None:
        self.errors.append(
            RuleFileError(
                message,
                code=code,
                file=self.file,
                line=line_of(self.raw, loc),
                criterion=criterion,
                **kwargs,
            )
        )

    def document(self) -> LineDict:
        """The merged rule-file document: the extension's own keys over the base's.

        Parts are built in order: inherited examples need the overridden parameters, and
        the verdict's checks need the merged criteria.
        """
        base_raw = self.base.raw
        parts: dict[str, Any] = {
            key: self.raw[key]
            for key in ("typology", "version", "title", "description")
            if key in self.raw
        }
        parts["sources"] = self.sources()
        parameters = self.parameters()
        if parameters:
            parts["parameters"] = parameters
        parts["groups"] = self.groups()
        parts["criteria"] = self.criteria()
        parts["verdict"] = self.verdict()
        if "descriptors" in base_raw:
            descriptors = base_raw["descriptors"]
            parts["descriptors"] = line_list(
                [
                    (self.with_base_values(node, ("cases", "value")), line)
                    for node, line in _items(descriptors)
                ],
                descriptors.line,
            )
        lines = {**_key_lines(base_raw), **_key_lines(self.raw)}
        if "require" in self.raw:
            lines["verdict"] = self.raw.key_lines["require"]
        self.check_roles()
        return line_dict(parts, self.raw.line, lines)

    def sources(self) -> LineList:
        """The base's sources, then the extension's own."""
        base_items = self.base.raw["sources"]
        items = _items(base_items)
        known = {s.id for s in self.base_spec.sources}
        for i, (source, item) in enumerate(
            zip(self.ext.sources, _items(self.raw.get("sources")), strict=True)
        ):
            if source.id in known:
                self.error(
                    f"source {source.id!r} is already declared by the base typology",
                    "bad-extension",
                    ("sources", i, "id"),
                    expected="a new source id (the base's sources are inherited)",
                )
            else:
                items.append(item)
        return line_list(items, base_items.line)

    def groups(self) -> LineDict:
        """The base's groups, then the extension's new ones."""
        base_groups = self.base.raw.get("groups") or {}
        groups = dict(base_groups)
        lines = _key_lines(base_groups)
        given = self.raw.get("groups") or {}
        for name in self.ext.groups:
            if name in groups:
                self.error(
                    f"group {name!r} is already declared by the base typology",
                    "bad-extension",
                    ("groups", name),
                    expected="a new group id (the base's groups are inherited)",
                )
                continue
            groups[name] = given[name]
            lines[name] = _key_lines(given)[name]
        return line_dict(groups, getattr(base_groups, "line", 0), lines)

    def parameters(self) -> LineDict:
        """The base's parameters, with the extension's values and declarations over them."""
        base_raw = self.base.raw.get("parameters") or {}
        out = line_dict(base_raw, getattr(base_raw, "line", 0), _key_lines(base_raw))
        declared = {n: p.default for n, p in self.base_spec.parameters.items()}
        given = self.raw.get("parameters") or {}
        for name, value in given.items():
            loc: tuple[str | int, ...] = ("parameters", name)
            if isinstance(value, dict):
                if name in declared and not self.coerce(
                    name, value.get("default"), declared[name], (*loc, "default")
                ):
                    continue
                out[name] = value
                new_default = value.get("default")
            elif name not in declared:
                self.error(
                    f"the base typology {self.base_spec.typology!r} has no parameter {name!r} "
                    "to override",
                    "unknown-override",
                    loc,
                    expected=f"one of {sorted(declared)}, or a full declaration (default, doc) "
                    "for a new parameter",
                    suggestion=closest(name, list(declared)),
                )
                continue
            else:
                if not self.coerce(name, value, declared[name], loc):
                    continue
                node = base_raw[name]
                out[name] = line_dict({**node, "default": value}, node.line, node.key_lines)
                new_default = value
            out.key_lines[name] = _key_lines(given)[name]
            if name in declared and new_default != declared[name]:
                self.overridden[name] = declared[name]
        return out

    def coerce(self, name: str, value: Any, default: Any, loc: tuple[str | int, ...]) -> bool:
        """Whether a new value has the type of the base parameter's default."""
        try:
            coerce_parameter(name, value, default, self.file)
        except RuleFileError as exc:
            self.error(
                exc.message,
                "bad-parameter",
                loc,
                expected=f"{exc.expected} (the type of the base's default)",
                found=exc.found,
            )
            return False
        return True

    def criteria(self) -> LineList:
        """The base's criteria less those dropped, replaced in place, then the new ones."""
        base_ids = [c.id for c in self.base_spec.criteria]
        own = self.raw.get("criteria")
        own_ids = [c.id for c in self.ext.criteria]
        dropped = self.dropped(base_ids, own_ids)
        replacing: dict[str, int] = {}
        new: list[int] = []
        for i, criterion in enumerate(self.ext.criteria):
            if criterion.id in base_ids and criterion.id not in replacing:
                if criterion.replaces:
                    replacing[criterion.id] = i
                else:
                    self.error(
                        f"criterion id {criterion.id!r} is the base typology's",
                        "implicit-replace",
                        ("criteria", i, "id"),
                        criterion=criterion.id,
                        expected="'replaces: true' to replace the base criterion, or a new id",
                    )
                continue
            if criterion.replaces:
                self.error(
                    f"criterion {criterion.id!r} says 'replaces: true' but the base typology "
                    "has no such criterion",
                    "bad-extension",
                    ("criteria", i, "replaces"),
                    criterion=criterion.id,
                    expected=f"one of {base_ids}",
                    suggestion=closest(criterion.id, base_ids),
                )
            new.append(i)
        items: list[tuple[Any, int]] = []
        for (node, line), spec in zip(
            _items(self.base.raw["criteria"]), self.base_spec.criteria, strict=True
        ):
            if spec.id in dropped:
                continue
            if spec.id in replacing:
                i = replacing[spec.id]
                items.append((_without(own[i], "replaces"), own.item_lines[i]))
                self.groups_of[spec.id] = self.ext.criteria[i].group
                continue
            items.append((self.with_base_values(node, ("condition",)), line))
            self.groups_of[spec.id] = spec.group
            self.origins[spec.id] = self.base.origins.get(spec.id, self.base.file)
        for i in new:
            items.append((_without(own[i], "replaces"), own.item_lines[i]))
            self.groups_of.setdefault(self.ext.criteria[i].id, self.ext.criteria[i].group)
            self.origins.pop(self.ext.criteria[i].id, None)
        self.new = new
        return line_list(items, self.base.raw["criteria"].line)

    def dropped(self, base_ids: list[str], own_ids: list[str]) -> set[str]:
        """The base criteria to leave out, each checked against the verdict it would break."""
        base_verdict = self.base_spec.verdict
        assert base_verdict is not None
        groups: dict[str, list[str]] = {}
        for criterion in self.base_spec.criteria:
            groups.setdefault(criterion.group, []).append(criterion.id)
        read, _ = _verdict_reads([base_verdict.condition], groups)
        dropped: set[str] = set()
        for i, criterion_id in enumerate(self.ext.drop):
            loc = ("drop", i)
            if criterion_id not in base_ids:
                self.error(
                    f"cannot drop {criterion_id!r}: the base typology has no such criterion",
                    "unknown-drop",
                    loc,
                    criterion=criterion_id,
                    expected=f"one of {base_ids}",
                    suggestion=closest(criterion_id, base_ids),
                )
            elif criterion_id in own_ids:
                self.error(
                    f"criterion {criterion_id!r} is both dropped and defined in this file",
                    "bad-extension",
                    loc,
                    criterion=criterion_id,
                    expected="either 'drop' or a replacement with 'replaces: true'",
                )
            elif criterion_id in read and self.ext.verdict is None:
                self.error(
                    f"cannot drop {criterion_id!r}: the base verdict's condition reads it",
                    "dropped-in-verdict",
                    loc,
                    criterion=criterion_id,
                    expected="a criterion the verdict does not read (a criterion to test), "
                    "or a new 'verdict:' in this file",
                )
            else:
                dropped.add(criterion_id)
        return dropped

    def with_base_values(self, node: Any, keys: tuple[str, ...]) -> Any:
        """An inherited criterion or descriptor whose examples run with the base's values.

        The examples were written for the base's thresholds; run with the extension's,
        they would test what their author never claimed. Only the parameters that the
        node's ``keys`` read are set, so the other examples need no recompilation.
        """
        examples = node.get("examples")
        read = [_condition_params(node.get(key)) for key in keys]
        reads = None if None in read else {p for r in read if r is not None for p in r}
        relevant = {
            name: value for name, value in self.overridden.items() if reads is None or name in reads
        }
        if not relevant or not examples:
            return node
        rewritten = [
            (
                line_dict(
                    {**example, "params": {**relevant, **(example.get("params") or {})}},
                    example.line,
                    {"params": example.line, **example.key_lines},
                ),
                line,
            )
            for example, line in _items(examples)
        ]
        copy = line_dict(node, node.line, node.key_lines)
        copy["examples"] = line_list(rewritten, examples.line)
        return copy

    def verdict(self) -> LineDict:
        """The extension's verdict, or the base's with ``require`` ANDed into its condition.

        The base's verdict examples are never inherited: they were written for the base's
        verdict. The extension's top-level ``examples`` take their place.
        """
        if self.ext.verdict is not None:
            verdict = self.raw["verdict"]
            if self.ext.require:
                self.error(
                    "'require' and 'verdict' are given together",
                    "bad-extension",
                    ("require",),
                    expected="either a new 'verdict' (whole) or 'require' (criteria ANDed "
                    "into the base verdict)",
                )
        else:
            verdict = self.base.raw["verdict"]
        parts = dict(verdict)
        lines = _key_lines(verdict)
        if self.ext.verdict is None and self.ext.require:
            require = self.raw["require"]
            wrapper = line_dict(
                {
                    "all": line_list(
                        [(verdict["condition"], lines["condition"]), *_items(require)],
                        require.line,
                    )
                },
                require.line,
                {"all": require.line},
            )
            parts["condition"] = wrapper
            lines["condition"] = self.raw.key_lines["require"]
        examples = _items(verdict.get("examples")) if self.ext.verdict is not None else []
        examples += _items(self.raw.get("examples"))
        parts["examples"] = line_list(examples, self.raw.key_lines.get("examples", verdict.line))
        if "examples" in self.raw:
            lines["examples"] = self.raw.key_lines["examples"]
        return line_dict(parts, verdict.line, lines)

    def condition(self) -> list[VerdictNode | str]:
        """The merged verdict condition, as the nodes that are ANDed together."""
        if self.ext.verdict is not None:
            return [self.ext.verdict.condition]
        base_verdict = self.base_spec.verdict
        assert base_verdict is not None
        return [base_verdict.condition, *self.ext.require]

    def check_roles(self) -> None:
        """Every new criterion must count: read by the verdict, or in a scored group."""
        groups: dict[str, list[str]] = {}
        for criterion_id, group in self.groups_of.items():
            groups.setdefault(group, []).append(criterion_id)
        read, named = _verdict_reads(self.condition(), groups)
        if not named:
            return  # the compiler names the unknown criterion or group: the real mistake
        verdict = self.ext.verdict or self.base_spec.verdict
        assert verdict is not None
        for i in self.new:
            criterion = self.ext.criteria[i]
            if criterion.id in read or criterion.group in verdict.scores:
                continue
            self.error(
                f"criterion {criterion.id!r} takes no part in the verdict",
                "unused-criterion",
                ("criteria", i, "id"),
                criterion=criterion.id,
                expected=f"'require: [{criterion.id}]' (or '{{all_of: {criterion.group}}}') "
                "to make it mandatory, a new 'verdict:' that reads it, or a scored group",
            )
