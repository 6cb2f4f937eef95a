"""French and English justification sentences, filled with the values read.

Templates are written by typology authors; the placeholders are expressions already
checked by the compiler, so rendering cannot reach anything but the initiative's facts
and the parameters. Unknown values are shown as such, never as a default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from poletype._engine.interpreter import UNKNOWN, Interval, Maybe, Root, Tail, evaluate_value
from poletype._engine.typology import Expression, Template
from poletype._read.data import Lang
from poletype.rulefile import Text

"""The languages every report, label and sentence exists in."""

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "unknown": "inconnu",
        "true": "oui",
        "false": "non",
        "none": "aucun",
        "and": "et",
        "at_least": "au moins {low}",
        "between": "entre {low} et {high}",
    },
    "en": {
        "unknown": "unknown",
        "true": "yes",
        "false": "no",
        "none": "none",
        "and": "and",
        "at_least": "at least {low}",
        "between": "between {low} and {high}",
    },
}


def format_value(value: Any, lang: Lang) -> str:
    """A value as a reader expects it in ``lang``.

    >>> format_value(Decimal("0.5"), "fr"), format_value(Decimal("0.5"), "en")
    ('0,5', '0.5')
    >>> format_value(True, "fr"), format_value((), "en")
    ('oui', 'none')
    """
    words = _WORDS[lang]
    if value is UNKNOWN or value is None:
        return words["unknown"]
    if isinstance(value, bool):
        return words["true" if value else "false"]
    if isinstance(value, Decimal | int | float):
        return _number(Decimal(str(value)), lang)
    if isinstance(value, Interval):
        low = _number(value.lo, lang)
        if not value.hi.is_finite():
            return words["at_least"].format(low=low)
        return words["between"].format(low=low, high=_number(value.hi, lang))
    if isinstance(value, Tail):
        return "…"
    if isinstance(value, Maybe):
        return format_value(value.value, lang) + " (?)"
    if isinstance(value, tuple | list | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ", ".join(format_value(v, lang) for v in items) if items else words["none"]
    if isinstance(value, BaseModel):
        return str(getattr(value, "name", None) or words["unknown"])
    return str(value)


def colon(lang: Lang) -> str:
    """A label's colon: French typography puts a space before it."""
    return " : " if lang == "fr" else ": "


def _number(number: Decimal, lang: Lang) -> str:
    if number == number.to_integral_value():
        text = str(int(number))
    else:
        text = f"{number.normalize():f}"
        if len(text.split(".", 1)[1]) > 3:
            text = f"{round(number, 3).normalize():f}"
    return text.replace(".", ",") if lang == "fr" else text


def _in_words(part: Expression, value: Any, lang: Lang) -> Any:
    """A code read from a field with a closed list, as its words in ``lang``.

    "La fonction principale est hébergement d'activités", not "… est hosting": a
    placeholder that is one field path shows that field's codes through their words
    (``data/codes.yaml``); any other value is shown as it is.
    """
    from poletype._engine.codes import code_label  # noqa: PLC0415 - reads data/codes.yaml

    path = part.text.strip()
    if part.paths != (path,):
        return value

    def word(code: Any) -> Any:
        label = code_label(path, code) if isinstance(code, str) else None
        return code if label is None else getattr(label, lang)

    if isinstance(value, str):
        return word(value)
    if isinstance(value, tuple | list):
        return [word(item) for item in value]
    return value


def render(template: Template, root: Root, lang: Lang, values: dict[str, Any] | None = None) -> str:
    """Fill a template's placeholders with formatted values.

    ``values`` memoises each placeholder's value by expression, so that the French and
    English sentences of one result evaluate each expression once.
    """
    values = {} if values is None else values
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, Expression):
            key = part.text
            if key not in values:
                values[key] = evaluate_value(part, root)
            out.append(format_value(_in_words(part, values[key], lang), lang))
        else:
            out.append(part)
    return "".join(out)


def render_both(templates: dict[str, Template], root: Root) -> Text:
    """The French and English sentences of one status."""
    values: dict[str, Any] = {}
    return Text(
        fr=render(templates["fr"], root, "fr", values),
        en=render(templates["en"], root, "en", values),
    )
