"""Words for the interchange format's codes, for a reader who does not know them.

A programme officer reads "Type de membre : association (ess_association)" where the data
says ``ess_association``; an applicant filling the template reads what each code of a
drop-down list means. The code itself is always shown too: it is what the spreadsheet
holds and what the rules read. The meanings paraphrase ``spec/initiative-v1.md``.

Words are keyed by field path, not by code, because one code can mean different things
(``local`` is a scale, a market and a level of funding) and French agrees its adjectives
with the field's label (``Échelle : locale``, ``Débouchés : locaux``). No words hold a
comma or a bracket: they are shown in lists and followed by the code in brackets.
The words are data, in ``data/codes.yaml``, read when this module is first imported.
"""

from __future__ import annotations

import functools
from typing import Any

from poletype._read.data import Lang, load
from poletype.rulefile import Text

_Words = dict[str, tuple[str, str]]

WORDS: dict[str, _Words] = {
    path: {code: (words["fr"], words["en"]) for code, words in codes.items()}
    for path, codes in load("codes").items()
}
"""Every code of every field with a closed list, by field path: ``(french, english)``.

Read from ``data/codes.yaml``; a test keeps it complete against the model.
"""


def words_of(value: Any) -> _Words | None:
    """The words of the one field whose codes ``value`` (a code, or a list of codes) are.

    For a parameter, which names no field: ``[ess_association, local_authority]`` are
    member kinds. None when no field, or fields that word a code differently, have them.
    Found once per set of codes: a sentence showing a parameter asks on every rendering.
    """
    codes = {value} if isinstance(value, str) else value
    if not isinstance(codes, list | tuple | set | frozenset) or not codes:
        return None
    if not all(isinstance(code, str) for code in codes):
        return None
    return _field_words(frozenset(codes))


@functools.lru_cache(maxsize=256)
def _field_words(codes: frozenset[str]) -> _Words | None:
    fields = [words for words in WORDS.values() if all(code in words for code in codes)]
    if not fields or any({f[code] for f in fields} != {fields[0][code]} for code in codes):
        return None
    return fields[0]


def code_label(path: str, code: str) -> Text | None:
    """What a field's code means, in French and English; None for a code with no words."""
    words = WORDS.get(path, {}).get(code)
    return None if words is None else Text(fr=words[0], en=words[1])


def described(path: str, code: str, lang: Lang, *, code_first: bool = False) -> str:
    """A code with its meaning: ``association de l'ESS (ess_association)``.

    The code stays, in brackets, because it is what the spreadsheet's drop-down holds;
    ``code_first`` puts it first, for the applicant who types it (``project (en
    projet)``). A code that is already its own word (``incubation``) is not repeated.
    """
    label = code_label(path, code)
    words = code if label is None else getattr(label, lang)
    if words == code:
        return code
    return f"{code} ({words})" if code_first else f"{words} ({code})"
