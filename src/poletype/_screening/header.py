"""Where a funder's sheet keeps its header, what each column is, what a cell's words mean.

Spreadsheets come from offices, not from the template: a merged title row above the
header ("Appel à projets PTCE 2026"), the ``sep=;`` line Excel writes for a French CSV,
a header on two rows (a group label above the column labels), columns labelled in
French or English as the template's notes sheet labels them, and columns the funder
added for its own use ("Date de dépôt"). None of this may stop a run or change a
verdict: the header row is found (the first rows that name the most known fields), a
column is known by its field path, its bracketed path, its French or English label or
the funder's mapping file, and an unknown column is carried through unread, listed once
in a note. Cells are read with the words a person types: the template's French or
English words for a code (``consolidé``, ``collectivité locale``), a country's name
(``France``), and "I do not know" (``NSP``) as an unknown fact.

Every message poletype says while reading is in ``data/reading.yaml``, in French and
English, for a programme officer: no Python value and no validation library's wording.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poletype._engine.codes import WORDS
from poletype._read.data import load
from poletype._read.yaml import load_yaml
from poletype._screening.fields import FieldDoc, label
from poletype.errors import InitiativeError
from poletype.rulefile import Text

_READING = load("reading")
SCAN_ROWS = 15
"""How many rows from the top may hold the header: titles take two or three at most."""
_BRACKETED = re.compile(r"\[\s*([^\[\]]*?)\s*\]\s*$")
_MERGE = re.compile(rb'<mergeCell\b[^>]{0,128}?\bref="([A-Z]{1,3}\d{1,7}(?::[A-Z]{1,3}\d{1,7})?)"')
_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$", re.IGNORECASE)


def say(key: str, *, section: str = "messages", **params: object) -> Text:
    """One message of ``data/reading.yaml`` in both languages, its placeholders filled.

    A `Text` parameter gives each language its own words (a list of allowed values). A
    number, or a text that is a plain decimal number (``12.5``), takes a decimal comma in
    French (``12,5``), as a French reader writes it.
    """
    entry: dict[str, str] = _READING[section][key]
    texts = {}
    for lang in ("fr", "en"):
        values = {k: _param(v, lang) for k, v in params.items()}
        texts[lang] = entry[lang].format(**values)
    return Text(fr=texts["fr"], en=texts["en"])


_DECIMAL = re.compile(r"[+-]?\d+\.\d+")


def _param(value: object, lang: str) -> str:
    if isinstance(value, Text):
        return str(getattr(value, lang))
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if lang == "fr" and _DECIMAL.fullmatch(text):
        return text.replace(".", ",")
    return text


_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u00b4\u0060\u2032", "'"))
"""The apostrophes word processors type for ``'``: Word and LibreOffice put ``’`` in
``l’ESS`` as one types, and a label must not fail on it."""


def fold(text: str) -> str:
    """Text as compared, not as shown: no accents, case, repeated blanks or final stop.

    ``" Oui. "``, ``"oui"`` and ``"OUI"`` fold alike, as do ``"Collectivité  locale"``
    and ``"collectivite locale"``, and ``"l’ESS"`` and ``"l'ESS"``.
    """
    text = text.translate(_APOSTROPHES).replace("\u00a0", " ").replace("\u202f", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"\s+", " ", plain).strip()
    return re.sub(r"(?<=\w)[.!:*]+$", "", plain).strip()


UNKNOWN_WORDS: frozenset[str] = frozenset(fold(w) for w in _READING["unknown_words"])
"""Cells that say "I do not know" (``NSP``, ``?``): an unknown fact, as an empty cell."""

COUNTRIES: dict[str, str] = {
    fold(name): code for code, names in _READING["countries"].items() for name in names
}
"""Country names as people type them (folded) to ISO 3166-1 codes: ``france`` → ``FR``."""


def says_unknown(cell: Any) -> bool:
    """Whether a cell says its fact is not known (``NSP``, ``ne sait pas``, ``?``)."""
    return isinstance(cell, str) and fold(cell) in UNKNOWN_WORDS


def shown(cell: Any) -> str:
    """A cell's content as a person typed it, never as Python writes the value."""
    import datetime  # noqa: PLC0415 -- only a date cell needs it

    if isinstance(cell, datetime.datetime):
        if cell.time() == datetime.time():
            return cell.strftime("%d/%m/%Y")
        return cell.strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, datetime.date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, bool):
        return "VRAI" if cell else "FAUX"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# Funder's mapping ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """A funder's own form: its column headers to field paths, its words to codes.

    ``columns`` maps a folded header to a field path, or to None for a column the funder
    keeps for itself (carried through, not read, and not listed as unknown). ``values``
    maps a field path to its folded words and what each stands for (a code, ``oui``...).
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, path: str, cell: Any) -> Any:
        """The cell as the mapping rewrites it for a field, else the cell itself."""
        words = self.values.get(path)
        if words and isinstance(cell, str):
            return words.get(fold(cell), cell)
        return cell


NO_MAPPING = ColumnMapping()


def load_mapping(
    path: Path, applicant: Mapping[str, FieldDoc], member: Mapping[str, FieldDoc]
) -> ColumnMapping:
    """Read a mapping file (YAML: ``columns:`` header → path, ``values:`` path → word → code).

    Every path and every code is checked now, all problems reported at once, so that a
    mistyped mapping stops the run before any row is read rather than read nothing.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InitiativeError(
            f"cannot read the mapping file: {exc}", code="unreadable-input", file=str(path)
        ) from None
    data = load_yaml(text, file=str(path)) or {}
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) - {"columns", "values"}:
        problems.append("expected a mapping with the keys 'columns' and 'values'")
        data = {}
    known = set(applicant) | {f"members.{k}" for k in member} | set(member)
    columns: dict[str, str | None] = {}
    for header, target in (data.get("columns") or {}).items():
        if target is not None and str(target) not in known:
            problems.append(f"column {header!s}: {target!s} is not a field")
        columns[fold(str(header))] = None if target is None else str(target)
    values: dict[str, dict[str, str]] = {}
    for target, words in (data.get("values") or {}).items():
        doc = applicant.get(str(target)) or member.get(str(target).removeprefix("members."))
        if doc is None or not isinstance(words, dict):
            problems.append(f"values of {target!s}: not a field with a list of words")
            continue
        for word, code in words.items():
            code_text = _code_text(code)
            if doc.allowed and code_text not in doc.allowed:
                problems.append(f"values of {target!s}: {code_text} is not one of its codes")
            values.setdefault(doc.path, {})[fold(str(word))] = code_text
    if problems:
        raise InitiativeError(
            "the mapping file is wrong: " + "; ".join(problems),
            code="unknown-column",
            file=str(path),
            expected="columns: {funder's header: field.path}, values: {field.path: {word: code}}",
        )
    return ColumnMapping(columns, values)


def _code_text(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


# Codes from words ----------------------------------------------------------------------


@functools.cache
def _code_words(path: str) -> dict[str, str]:
    """Each code of a field by its folded French and English words (``consolide``).

    The template's labels first, then the words offices type for some codes
    (``reading.yaml``'s ``code_words``: ``Association``, ``Scop``, ``Mairie``).
    """
    words: dict[str, str] = {}
    for code, (fr, en) in WORDS.get(path, {}).items():
        for word in (fr, en):
            words.setdefault(fold(word), code)
            # "en projet" and "a project" are typed "projet" and "project".
            short = re.sub(r"^(en|a|an|the|le|la|les|l')\s*", "", fold(word))
            words.setdefault(short, code)
    for code, typed in _READING["code_words"].get(path, {}).items():
        for word in typed:
            words.setdefault(fold(word), code)
    return words


def code_of(text: str, doc: FieldDoc) -> str | None:
    """The code a cell's words stand for, from the template's words; None if none."""
    folded = fold(text)
    plain = re.sub(r"[\s-]+", "_", folded)
    if plain in doc.allowed:
        return plain
    code = _code_words(doc.path).get(folded)
    if code is None and "(" in folded:
        # "en projet (project)", as the template's help writes a code and its words.
        inside = re.search(r"\(([^()]*)\)\s*$", folded)
        before = folded.split("(", 1)[0].strip()
        for part in (inside.group(1) if inside else "", before):
            code = code_of(part, doc) if part else None
            if code is not None:
                break
    return code


def country_of(text: str) -> str | None:
    """An ISO code from a cell: ``fr`` or ``France`` → ``FR``; None if not a country."""
    folded = fold(text)
    if re.fullmatch(r"[a-z]{2}", folded):
        return folded.upper()
    return COUNTRIES.get(folded)


# Header --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The header found: where it is, each column's field and name, what is not read.

    ``row`` is the sheet row a user sees; ``upper`` the row above it read with it (a
    two-row header), else None; ``skipped`` the rows above the header (titles).
    ``names`` is each column's header as written (an unread column's output name).
    """

    row: int
    upper: int | None
    skipped: tuple[int, ...]
    keys: list[str | None]
    names: list[str]
    merged_copies: frozenset[int] = frozenset()
    """Columns whose header repeats the one at their left: a merged header cell's copy."""


@functools.cache
def _labels(fields_id: int, members: bool) -> dict[str, str]:
    fields = _FIELDS_BY_ID[fields_id]
    labels: dict[str, str] = {}
    for key, doc in fields.items():
        for text in (doc.label.fr, doc.label.en, f"{doc.label.fr} / {doc.label.en}"):
            labels.setdefault(fold(text), key)
        labels.setdefault(fold(key), key)
        if members:
            labels.setdefault(fold(f"members.{key}"), key)
    return labels


_FIELDS_BY_ID: dict[int, Mapping[str, FieldDoc]] = {}


def column_field(
    cell: Any, fields: Mapping[str, FieldDoc], mapping: ColumnMapping, *, members: bool
) -> str | bool | None:
    """The field a header cell names; False when the funder's mapping says "not read".

    By the funder's mapping first, then a bracketed path (``… [strategy.shared]``), the
    path itself, or the French or English label (case, accents and spaces forgiven).
    """
    text = "" if cell is None else str(cell).strip()
    if not text:
        return None
    folded = fold(text)
    if folded in mapping.columns:
        target = mapping.columns[folded]
        if target is None:
            return False
        return target.removeprefix("members.") if members else target
    bracketed = _BRACKETED.search(text)
    if bracketed:
        inner = bracketed.group(1)
        inner = inner.removeprefix("members.") if members else inner
        if inner in fields:
            return inner
    _FIELDS_BY_ID.setdefault(id(fields), fields)
    labels = _labels(id(fields), members)
    for candidate in (folded, *(part.strip() for part in folded.split(" / "))):
        if candidate in labels:
            return labels[candidate]
    return None


def _keys(
    cells: Sequence[Any], fields: Mapping[str, FieldDoc], mapping: ColumnMapping, members: bool
) -> list[str | bool | None]:
    return [column_field(c, fields, mapping, members=members) for c in cells]


def _filled(cells: Sequence[Any]) -> list[str]:
    """A group row with each label carried right over the blanks a merged cell leaves."""
    out, last = [], ""
    for cell in cells:
        text = "" if cell is None else str(cell).strip()
        last = text or last
        out.append(last)
    return out


def _two_row(
    upper: Sequence[Any],
    lower: Sequence[Any],
    fields: Mapping[str, FieldDoc],
    mapping: ColumnMapping,
    members: bool,
) -> tuple[list[str | bool | None], list[str]]:
    width = max(len(upper), len(lower))
    groups = _filled(list(upper) + [None] * (width - len(upper)))
    keys: list[str | bool | None] = []
    names: list[str] = []
    for index in range(width):
        below = lower[index] if index < len(lower) else None
        above = upper[index] if index < len(upper) else None
        text = "" if below is None else str(below).strip()
        key = column_field(text, fields, mapping, members=members)
        name = text
        if key is None and text and groups[index]:
            for joined in (f"{groups[index]} {text}", f"{groups[index]} / {text}"):
                key = column_field(joined, fields, mapping, members=members)
                if key is not None:
                    name = joined
                    break
        if key is None and not text and above is not None and str(above).strip():
            name = str(above).strip()
            key = column_field(name, fields, mapping, members=members)
        keys.append(key)
        names.append(name)
    return keys, names


def _count(keys: Sequence[str | bool | None]) -> int:
    return len({k for k in keys if isinstance(k, str)})


def find_header(
    rows: Sequence[tuple[int, Sequence[Any]]],
    fields: Mapping[str, FieldDoc],
    mapping: ColumnMapping = NO_MAPPING,
    *,
    members: bool,
    header_row: int | None = None,
    source: str = "",
) -> tuple[Header, int] | None:
    """The header among the first rows, and the index in ``rows`` of the first data row.

    The header is the row that names the most known fields, read alone or with the row
    above it (a group row, its merged labels carried right); the first such row wins a
    tie, a row read alone wins over the same row read with the one above. With
    ``header_row`` that row is the header. None when no row names a known field.
    """
    best: tuple[int, int, list[str | bool | None], list[str], int | None] | None = None
    for index, (number, cells) in enumerate(rows[:SCAN_ROWS]):
        if header_row is not None and number != header_row:
            continue
        keys = _keys(cells, fields, mapping, members)
        names = ["" if c is None else str(c).strip() for c in cells]
        options: list[tuple[list[str | bool | None], list[str], int | None]] = [(keys, names, None)]
        if index > 0:
            upper_number, upper_cells = rows[index - 1]
            pair_keys, pair_names = _two_row(upper_cells, cells, fields, mapping, members)
            options.append((pair_keys, pair_names, upper_number))
        for option_keys, option_names, upper_row in options:
            score = _count(option_keys)
            if score and (best is None or score > best[0]):
                best = (score, index, option_keys, option_names, upper_row)
    if best is None:
        if header_row is not None:
            raise InitiativeError(
                f"row {header_row} names no column poletype reads",
                code="missing-column",
                file=source,
                line=header_row,
                expected="the row holding the column labels (--header-row N)",
            )
        return None
    _, index, keys, names, upper_row = best
    upper = upper_row
    copies = {
        i
        for i in range(1, len(names))
        if names[i] and names[i] == names[i - 1] and keys[i] == keys[i - 1]
    }
    final: list[str | None] = [
        None if (k is False or k is None or i in copies) else str(k) for i, k in enumerate(keys)
    ]
    skipped = tuple(number for number, _ in rows[: index if upper is None else index - 1])
    header = Header(
        row=rows[index][0],
        upper=upper,
        skipped=skipped,
        keys=final,
        names=names,
        merged_copies=frozenset(copies | {i for i, k in enumerate(keys) if k is False}),
    )
    return header, index + 1


def sep_line(text: str) -> tuple[str, str] | None:
    """The separator an Excel ``sep=;`` first line names, and the text after that line."""
    first, _, rest = text.partition("\n")
    match = _SEP_LINE.match(first.rstrip("\r"))
    return None if match is None else (match.group(1), rest)


# Members sheet beside a CSV ------------------------------------------------------------

_MEMBER_WORDS = ("membres", "members")
_APPLICANT_WORDS = ("candidatures", "candidats", "applicants", "applications")


def member_sibling(path: Path) -> Path | None:
    """The members CSV beside an applicants CSV, under any name an export gives it.

    ``X-membres.csv``, ``X_membres.csv``, ``X - membres.csv``, ``X (membres).csv``, the
    English ``members``, any case; and LibreOffice's ``DOC-SHEET.csv`` export, where the
    applicants sheet ``DOC-candidatures.csv`` has its members in ``DOC-membres.csv``.
    """
    stem = fold(path.stem)
    bases = {stem}
    for word in _APPLICANT_WORDS:
        for sep in ("-", "_", " - ", " ", "."):
            if stem.endswith(sep + word):
                bases.add(stem.removesuffix(sep + word))
        if stem == word:
            bases.add("")
    wanted: set[str] = set()
    for base in bases:
        for word in _MEMBER_WORDS:
            if not base:
                wanted.add(word)
                continue
            for sep in ("-", "_", " - ", " ", "."):
                wanted.add(f"{base}{sep}{word}")
            wanted.add(f"{base} ({word})")
    try:
        siblings = sorted(p for p in path.parent.iterdir() if p.is_file() and p != path)
    except OSError:
        return None
    for sibling in siblings:
        if sibling.suffix.lower() == path.suffix.lower() and fold(sibling.stem) in wanted:
            return sibling
    return None


def expected_sibling(path: Path) -> str:
    """The members file name a note tells the user to add beside ``path``."""
    return f"{path.stem}-membres{path.suffix}"


# Merged cells of an XLSX sheet ---------------------------------------------------------


def merged_ranges(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet part, as (first column, first row, last column, last row).

    openpyxl's read-only mode, which poletype uses to bound memory, does not give
    ``merged_cells``; the ``<mergeCell ref="A1:D1"/>`` elements are read from the
    (already size-checked) part, streamed.
    """
    from openpyxl.utils.cell import range_boundaries  # noqa: PLC0415

    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        while chunk := stream.read(2**20):
            window = tail + chunk
            for match in _MERGE.finditer(window):
                if match.end() <= len(tail):
                    continue
                bounds = range_boundaries(match.group(1).decode())
                found.append(tuple(int(b or 0) for b in bounds))  # type: ignore[arg-type]
            tail = window[-200:]
    return found


def fill_merged(
    rows: Iterator[Sequence[Any]], ranges: Sequence[tuple[int, int, int, int]]
) -> Iterator[Sequence[Any]]:
    """Rows with each merged range's cells holding its top-left value, as a person sees it."""
    if not ranges:
        yield from rows
        return
    values: dict[tuple[int, int, int, int], Any] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, tuple | list):
            yield row
            continue
        cells = list(row)
        for bounds in ranges:
            first_col, first_row, last_col, last_row = bounds
            if not first_row <= number <= last_row:
                continue
            if number == first_row:
                values[bounds] = cells[first_col - 1] if first_col - 1 < len(cells) else None
            value = values.get(bounds)
            if value is None:
                continue
            if len(cells) < last_col:
                cells += [None] * (last_col - len(cells))
            for col in range(first_col, last_col + 1):
                if (col, number) != (first_col, first_row):
                    cells[col - 1] = value
        yield cells


# Notes on an applicant -----------------------------------------------------------------


@dataclass(frozen=True)
class CellNote:
    """A cell poletype could not read, so its fact is unknown: the field, the cell, why.

    The applicant is still screened; the note goes with it into every output, so that a
    programme officer sees which fact was set aside and can ask for it.
    """

    field: str | None
    """The dotted field path (``founded``, ``members.kind``), None for a row as a whole."""
    cell: str | None
    """Where the cell is, as a spreadsheet names it: ``D14``, or ``membres!C5``."""
    message: Text

    def text(self, lang: str) -> str:
        """The note as one sentence: ``Année de création (D14) : attendu …``."""
        message = str(getattr(self.message, lang))
        named = str(getattr(label(self.field), lang)) if self.field else ""
        if not named:
            return message
        if self.cell is None:
            return str(getattr(say("note_no_cell", label=named, message=message), lang))
        return str(getattr(say("note", label=named, cell=self.cell, message=message), lang))

    def as_json(self) -> dict[str, Any]:
        """The note for ``verdicts.jsonl``."""
        return {
            "field": self.field,
            "cell": self.cell,
            "message": {"fr": self.text("fr"), "en": self.text("en")},
            "reason": {"fr": self.message.fr, "en": self.message.en},
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> CellNote:
        """A note `as_json` wrote, as a next round reads it back from ``verdicts.jsonl``.

        A file written before ``reason`` was kept gives its whole sentence, without field.
        """
        reason = document.get("reason")
        if isinstance(reason, dict):
            message = Text(fr=str(reason["fr"]), en=str(reason["en"]))
            field = document.get("field")
            cell = document.get("cell")
            return cls(
                field=None if field is None else str(field),
                cell=None if cell is None else str(cell),
                message=message,
            )
        whole = document.get("message") or {}
        return cls(None, None, Text(fr=str(whole.get("fr", "")), en=str(whole.get("en", ""))))
