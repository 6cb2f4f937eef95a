"""Plain-text reports for a terminal: a verdict, and a typology explained.

French by default, because the typologies, the sources and most readers are French;
every sentence also exists in English. The text names every criterion with its status
and source, so it can be pasted into an instruction note as it is.
"""

from __future__ import annotations

from typing import Any, Literal

from poletype._compiler import ConditionNode, Typology
from poletype._justify import format_value
from poletype.verdict import Verdict

Lang = Literal["fr", "en"]

_T: dict[str, dict[str, str]] = {
    "fr": {
        "verdict": "Verdict",
        "met": "satisfait",
        "not_met": "non satisfait",
        "unknown": "inconnu",
        "source": "Source",
        "interpretation": "Lecture",
        "missing": "À demander (ces informations peuvent changer le verdict)",
        "missing_criterion": "à préciser",
        "none_missing": "Aucune information manquante ne peut changer le verdict.",
        "score": "{label} : {met} satisfait(s) sur {total}, {not_met} non satisfait(s), "
        "{unknown} inconnu(s)",
        "rules": "Règles",
        "parameters": "Paramètres",
        "criteria": "Critères",
        "sources": "Sources",
        "condition": "Condition",
        "reads": "Lit",
        "examples": "Exemples",
        "default": "valeur",
        "our_reading": "interprétation (le texte source ne fixe pas cette valeur)",
        "from_source": "tiré de la source",
        "outcomes": "Issue",
    },
    "en": {
        "verdict": "Verdict",
        "met": "met",
        "not_met": "not met",
        "unknown": "unknown",
        "source": "Source",
        "interpretation": "Reading",
        "missing": "To ask (these facts could change the verdict)",
        "missing_criterion": "to clarify",
        "none_missing": "No missing fact can change the verdict.",
        "score": "{label}: {met} met out of {total}, {not_met} not met, {unknown} unknown",
        "rules": "Rules",
        "parameters": "Parameters",
        "criteria": "Criteria",
        "sources": "Sources",
        "condition": "Condition",
        "reads": "Reads",
        "examples": "Examples",
        "default": "value",
        "our_reading": "interpretation (the source text does not set this value)",
        "from_source": "from the source",
        "outcomes": "Outcome",
    },
}
_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}


def verdict_text(verdict: Verdict, typology: Typology, lang: Lang = "fr") -> str:
    """A verdict as a terminal report."""
    t, c = _T[lang], _colon(lang)
    title = getattr(typology.title, lang)
    lines = [
        f"{verdict.initiative} — {title} ({verdict.typology} {verdict.version})",
        f"{t['verdict']}{_colon(lang)}{getattr(verdict.outcome_label, lang)}",
    ]
    for group, label in typology.spec.groups.items():
        results = [r for r in verdict.criteria if r.group == group]
        if not results:
            continue
        lines += ["", getattr(label, lang)]
        for r in results:
            lines.append(f"  {_MARK[r.status]} {r.id}  {getattr(r.label, lang)} — {t[r.status]}")
            lines.append(f"      {getattr(r.justification, lang)}")
            if r.missing:
                lines.append(f"      {t['missing_criterion']}{c}{', '.join(r.missing)}")
            lines.append(f"      {t['source']}{c}[{r.source.document}] {r.source.section}")
    for score in verdict.scores:
        counts = score.model_dump(include={"met", "not_met", "unknown", "total"})
        lines += ["", t["score"].format(label=getattr(score.label, lang), **counts)]
    lines.append("")
    if verdict.missing:
        lines.append(t["missing"] + c.rstrip())
        lines += [f"  - {path}" for path in verdict.missing]
    elif verdict.outcome == typology.spec.verdict.outcomes.unknown:  # pragma: no cover
        lines.append(t["missing"] + c + "—")
    else:
        lines.append(t["none_missing"])
    params = ", ".join(f"{k}={_param(v, lang)}" for k, v in verdict.parameters.items())
    lines += [
        "",
        f"{t['rules']}{c}{typology.file} ({verdict.rules_hash[:19]}…)",
        f"{t['parameters']}{c}{params}",
    ]
    return "\n".join(lines) + "\n"


def _colon(lang: Lang) -> str:
    return " : " if lang == "fr" else ": "


def _param(value: Any, lang: Lang) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return format_value(value, lang)


def _condition_text(node: ConditionNode, indent: str) -> list[str]:
    if node.atom is not None:
        return [f"{indent}{node.atom.text}"]
    lines = [f"{indent}{node.op}:"]
    for child in node.children:
        lines += _condition_text(child, indent + "  ")
    return lines


def explain_text(typology: Typology, lang: Lang = "fr") -> str:
    """Every criterion of a typology with its label, source, logic and parameters."""
    t, c = _T[lang], _colon(lang)
    spec = typology.spec
    lines = [f"{getattr(spec.title, lang)} ({spec.typology} {spec.version})"]
    if spec.description is not None:
        lines += ["", getattr(spec.description, lang)]
    lines += ["", t["sources"]]
    lines += [f"  [{d.id}] {d.title}" + (f" ({d.seed})" if d.seed else "") for d in spec.sources]
    lines += ["", t["parameters"]]
    for name, parameter in spec.parameters.items():
        kind = t["our_reading"] if parameter.interpretation else t["from_source"]
        value = _param(typology.parameters[name], lang)
        lines.append(f"  {name} = {value}  ({kind})")
        lines.append(f"      {getattr(parameter.doc, lang)}")
    for group, label in spec.groups.items():
        lines += ["", getattr(label, lang)]
        for criterion in (k for k in typology.criteria if k.group == group):
            spec_c = criterion.spec
            lines.append(f"  {spec_c.id}  {getattr(spec_c.label, lang)}")
            lines.append(
                f"      {t['source']}{c}[{spec_c.source.document}] {spec_c.source.section}"
            )
            if spec_c.interpretation is not None:
                lines.append(
                    f"      {t['interpretation']}{c}{getattr(spec_c.interpretation, lang)}"
                )
            lines.append(f"      {t['condition']}{c.rstrip()}")
            lines += _condition_text(criterion.condition, "        ")
            reads = ", ".join(criterion.paths)
            if criterion.parameters:
                reads += " | params: " + ", ".join(criterion.parameters)
            lines.append(f"      {t['reads']}{c}{reads}")
            if spec_c.examples:
                lines.append(f"      {t['examples']}{c}{len(spec_c.examples)}")
    outcomes = spec.verdict.outcomes
    lines += [
        "",
        f"{t['outcomes']}{c}{outcomes.met} / {outcomes.not_met} / {outcomes.unknown}",
        f"{t['rules']}{c}{typology.file} ({typology.rules_hash[:19]}…)",
    ]
    return "\n".join(lines) + "\n"


def explain_markdown(typology: Typology, lang: Lang = "en") -> str:
    """A typology as a documentation page, woven from its rule file."""
    t, c = _T[lang], _colon(lang)
    spec = typology.spec
    out = [f"# {getattr(spec.title, lang)}", ""]
    out += [
        f"`{spec.typology}` version {spec.version} — "
        + ("page générée depuis" if lang == "fr" else "generated from")
        + f" `{typology.file}` by `poletype explain {spec.typology} --format markdown`.",
        "",
    ]
    if spec.description is not None:
        out += [getattr(spec.description, lang), ""]
    out += [f"## {t['sources']}", ""]
    out += [f"- `{d.id}`: {d.title}" + (f" (`{d.seed}`)" if d.seed else "") for d in spec.sources]
    out += ["", f"## {t['parameters']}", "", "| name | value | | |", "|---|---|---|---|"]
    for name, parameter in spec.parameters.items():
        kind = t["our_reading"] if parameter.interpretation else t["from_source"]
        value = _param(typology.parameters[name], lang)
        out.append(f"| `{name}` | `{value}` | {kind} | {getattr(parameter.doc, lang)} |")
    for group, label in spec.groups.items():
        out += ["", f"## {getattr(label, lang)}", ""]
        for criterion in (k for k in typology.criteria if k.group == group):
            spec_c = criterion.spec
            out += [f"### {spec_c.id} — {getattr(spec_c.label, lang)}", ""]
            out.append(f"- {t['source']}{c}`{spec_c.source.document}`, {spec_c.source.section}")
            if spec_c.interpretation is not None:
                out.append(f"- {t['interpretation']}{c}{getattr(spec_c.interpretation, lang)}")
            out.append(f"- {t['reads']}{c}" + ", ".join(f"`{p}`" for p in criterion.paths))
            out += ["", "```", *_condition_text(criterion.condition, ""), "```", ""]
            for example in spec_c.examples:
                out.append(f"- *{example.name}* → `{example.expect}`")
            if spec_c.examples:
                out.append("")
    outcomes = spec.verdict.outcomes
    out += [
        "",
        f"## {t['outcomes']}",
        "",
        f"`{outcomes.met}` / `{outcomes.not_met}` / `{outcomes.unknown}`: "
        + ", ".join(f"`{k}` = {getattr(v, lang)}" for k, v in spec.verdict.labels.items()),
        "",
    ]
    return "\n".join(out)
