"""The words poletype shows people, shipped as data files beside the code.

Field labels, help and questions (``data/fields.yaml``), the meaning of each code
(``data/codes.yaml``) and the fixed words of the reports (``data/words.yaml``) are
French and English prose that a translator or a programme officer should be able to
correct without reading Python. Each file is read once, when first needed, with the
rule files' YAML loader (repeated keys refused), and never by ``import poletype``:
parsing costs milliseconds that a classification run should not pay.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

from poletype._yaml import load_yaml
from poletype.rulefile import Text

DataFile = Literal["fields", "codes", "words", "reading"]
Lang = Literal["fr", "en"]


@functools.cache
def load(name: DataFile) -> Any:
    """One shipped data file, parsed (cached: every caller shares the same object)."""
    path = resources.files("poletype").joinpath("data", f"{name}.yaml")
    return load_yaml(path.read_text(encoding="utf-8"), file=f"poletype/data/{name}.yaml")


def text(entry: Mapping[str, str]) -> Text:
    """A ``{fr: …, en: …}`` entry as a `Text`."""
    return Text(fr=entry["fr"], en=entry["en"])


def by_language(section: Mapping[str, Mapping[str, str]]) -> dict[Lang, dict[str, str]]:
    """A section of ``key: {fr: …, en: …}`` entries turned into one table per language.

    The data file keeps both languages of a key side by side (so neither can be
    forgotten); a renderer wants one language's table at a time.
    """
    return {lang: {key: entry[lang] for key, entry in section.items()} for lang in ("fr", "en")}
