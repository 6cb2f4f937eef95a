"""French and English justification sentences, filled with the values read.

Templates are written by typology authors; the placeholders are expressions already
checked by the compiler, so rendering cannot reach anything but the initiative's facts
and the parameters. Unknown values are shown as such, never as a default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from poletype._engine.codegen import together
from poletype._engine.interpreter import UNKNOWN, Interval, Maybe, Root, Tail, evaluate_value
from poletype._engine.typology import Expression, Template
from poletype._read.data import Lang

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
        if not items:
            return words["none"]
        if all(type(v) is str for v in items):  # codes or their words, shown as they are
            return ", ".join(items)
        return ", ".join(format_value(v, lang) for v in items)
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


class Sentences:
    """One status's French and English templates, compiled once per typology.

    Each language is a format string over numbered slots, each slot one placeholder
    expression and how its value is shown (through the words of a code, or as it is):
    rendering evaluates each distinct expression once for both languages, formats each
    value, and lets ``str.format`` join the parts. The literal text of the rule file is
    data in the format string, never code.
    """

    __slots__ = (
        "compiled",
        "done",
        "expressions",
        "formats",
        "functions",
        "fused",
        "renders",
        "slots",
    )

    def __init__(self, templates: dict[str, Template]) -> None:
        expressions: dict[str, int] = {}
        parts: list[Expression] = []
        formats: list[str] = []
        slots: list[tuple[tuple[int, Any], ...]] = []
        for lang in ("fr", "en"):
            text: list[str] = []
            shown: list[tuple[int, Any]] = []
            for part in templates[lang].parts:
                if isinstance(part, Expression):
                    if part.text not in expressions:
                        expressions[part.text] = len(parts)
                        parts.append(part)
                    text.append(f"{{{len(shown)}}}")
                    shown.append((expressions[part.text], _word_reader(part, lang)))
                else:
                    text.append(part.replace("{", "{{").replace("}", "}}"))
            formats.append("".join(text))
            slots.append(tuple(shown))
        self.expressions: tuple[Expression, ...] = tuple(parts)
        self.compiled = tuple(e.native for e in parts)
        self.formats = (formats[0], formats[1])
        self.slots = (slots[0], slots[1])
        self.done: dict[tuple[Any, ...], tuple[str, str]] = {}
        self.functions: tuple[Any, ...] | None = None
        """The expressions' generated functions, written on the first compiled render."""
        self.fused: Any = None
        """All the values in one call (`together`), written after `_FUSE_AFTER` renders."""
        self.renders = 0

    def _each(self, initiative: Any, params: Any, known: dict[Any, Any]) -> list[Any]:
        """Each value by its own function, remembered in ``known`` for the other criteria.

        A sentence rendered often (a sweep, a batch) gets one function for all its
        values: writing it costs a ``compile``, which a single verdict does not repay.
        """
        functions = self.functions
        if functions is None:
            functions = self.functions = tuple(c.function() for c in self.compiled)
        self.renders += 1
        if self.renders == _FUSE_AFTER and len(functions) > 1:
            self.fused = together(self.compiled)
        values = []
        for function in functions:
            value = known.get(function, _UNSEEN)
            if value is _UNSEEN:
                value = known[function] = function(initiative, params)
            values.append(value)
        return values

    def render(self, root: Root, known: dict[Any, Any] | None = None) -> tuple[str, str]:
        """The French and English sentences, filled with the values ``root`` gives.

        The compiled backend reuses sentences already written for the same values (of
        the same types): counts, yes/no and unknowns repeat from one initiative to the
        next. ``known`` holds the values computed for this ``root`` already, by
        expression: criteria show the same counts (``members.length`` in three of the
        Labo's). The reference backend writes each, for the tests to compare.
        """
        key: tuple[Any, ...] | None = None
        if root.backend == "compiled":
            initiative, params = root.initiative, root.params
            if known is None:
                known = {}
            got = None if self.fused is None else self.fused(initiative, params)
            values = got if got is not None else self._each(initiative, params, known)
            types = tuple(map(type, values))
            if set in types:  # a set (the kinds present), remembered by its elements
                key = (*[frozenset(v) if type(v) is set else v for v in values], *types)
            else:
                key = (*values, *types)
            try:
                found = self.done.get(key)
            except TypeError:
                key = found = None
            if found is not None:
                return found
        else:
            values = [evaluate_value(e, root) for e in self.expressions]
        fr, en = self.slots
        found = (
            self.formats[0].format(*[_shown(values[i], words, "fr") for i, words in fr]),
            self.formats[1].format(*[_shown(values[i], words, "en") for i, words in en]),
        )
        if key is not None and len(self.done) < _DONE_LIMIT:
            self.done[key] = found
        return found


_UNSEEN: Any = object()

_FUSE_AFTER = 16
"""Renders of a sentence after which its values get one function."""

_DONE_LIMIT = 2048
"""Sentences remembered per status of a criterion: a bound on memory."""

_SHOWN: dict[tuple[type, Any, str], str] = {}
"""Scalars already formatted, by type, value and language: a verdict shows the same
counts, yes/no and unknowns again and again. Bounded; nothing typology-specific."""
_SHOWN_LIMIT = 4096
_SCALARS = frozenset({bool, int, Decimal, Interval, type(UNKNOWN)})


def _shown(value: Any, words: Any, lang: Lang) -> str:
    """``format_value`` of a placeholder's value, shown through its code's words if any."""
    if words is not None:
        value = words(value)
    kind = type(value)
    if kind is str:
        return str(value)
    if kind in _SCALARS:
        key = (kind, value, lang)
        text = _SHOWN.get(key)
        if text is None:
            text = format_value(value, lang)
            if len(_SHOWN) < _SHOWN_LIMIT:
                _SHOWN[key] = text
        return text
    return format_value(value, lang)


def _word_reader(part: Expression, lang: Lang) -> Any:
    """Codes of a field with a closed list, as their words in ``lang``, or None.

    "La fonction principale est hébergement d'activités", not "… est hosting": a
    placeholder whose values come from one field with a closed list (the field itself,
    or an expression over it: the set of the members' kinds, the founders' kinds) shows
    that field's codes through their words (``data/codes.yaml``); a parameter (a list of
    member kinds) shows them through the words of the one field whose codes it lists;
    any other value, a count of those members for instance, is shown as it is. None when
    the placeholder reads no such field, so its value is shown as it is without a call.
    """
    from poletype._engine.codes import WORDS, words_of  # noqa: PLC0415 - reads data/codes.yaml

    worded = [p for p in part.paths if p in WORDS]
    if len(worded) == 1:
        codes = WORDS[worded[0]]
    elif not part.paths and part.text.strip().startswith("params."):
        codes = None
    else:
        return None
    index = 0 if lang == "fr" else 1

    def words(value: Any) -> Any:
        found = codes if codes is not None else words_of(value)
        if not found:
            return value

        def word(code: Any) -> Any:
            if isinstance(code, Maybe):
                return Maybe(word(code.value))
            said = found.get(code) if isinstance(code, str) else None
            return code if said is None else said[index]

        if isinstance(value, str):
            return word(value)
        if isinstance(value, tuple | list):
            return [word(item) for item in value]
        if isinstance(value, set | frozenset):
            return {word(item) for item in value}
        return value

    return words
