"""The empty applicant spreadsheet a funder sends out, so that what comes back screens cleanly.

Its columns are exactly those `read_applicants` reads, with both labels and the dotted
field in each header; the workbook adds drop-down lists of the allowed values, in the
French words an applicant reads (``consolidé``, ``collectivité locale``), which the reader
takes back as their codes, and a notes sheet that explains every column, so that an
applicant can fill it in without the spec. A typed code or English word is still read:
the drop-down only warns about a value it does not list.
The same template gives byte-identical files on every run: zip entry dates and document
dates are fixed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from poletype._engine.codes import code_label, described
from poletype._screening.cells import EMPTY_LIST
from poletype._screening.fields import APPLICANT_FIELDS, MEMBER_FIELDS, ROLE, FieldDoc, header
from poletype.errors import SetupError

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

APPLICANT_SHEET = "candidatures"
MEMBER_SHEET = "membres"
NOTES_SHEET = "notes"
LISTS_SHEET = "listes"
_FIXED_DATE = datetime.datetime(2024, 1, 1)
_BOOLEAN_CHOICES = ("oui", "non")
_LIST_ERROR = (
    "Valeur hors de la liste : poletype lit aussi les codes et les mots anglais de la "
    "feuille « notes ». Value not in the list: poletype also reads the codes and English "
    "words of the 'notes' sheet."
)
_NOTES_HEADER = (
    "Feuille / Sheet",
    "Colonne / Column",
    "Libellé",
    "Label",
    "Aide",
    "Help",
    "Valeurs admises ou format",
    "Allowed values or format",
)


def write_template(out: Path, fmt: Literal["xlsx", "csv"]) -> list[Path]:
    """Write an empty applicant template and return the files written.

    ``xlsx``: one workbook with the applicants, members, notes and (hidden) lists
    sheets. ``csv``: ``out`` with the applicant header and ``STEM-membres.csv`` beside it,
    in UTF-8 with a byte-order mark and ``;`` so that a French Excel opens them right.
    """
    out = Path(out)
    try:
        if fmt == "xlsx":
            out.write_bytes(_workbook())
            return [out]
        members = out.with_name(f"{out.stem}-{MEMBER_SHEET}{out.suffix or '.csv'}")
        out.write_bytes(_csv_header(APPLICANT_FIELDS))
        members.write_bytes(_csv_header(MEMBER_FIELDS))
    except OSError as exc:
        raise SetupError(
            f"cannot write the template: {exc.strerror or exc}",
            code="unwritable-output",
            file=str(exc.filename or out),
        ) from None
    return [out, members]


def _csv_header(fields: dict[str, FieldDoc]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([header(k, d) for k, d in fields.items()])
    return buffer.getvalue().encode("utf-8-sig")


def _format(doc: FieldDoc) -> tuple[str, str]:
    """How to fill a column, in French and in English; each code with what it means."""
    codes_fr, codes_en = (
        ", ".join(described(doc.path, c, lang, code_first=True) for c in doc.allowed)
        for lang in ("fr", "en")
    )
    if doc.kind == "boolean":
        return (
            "oui ou non (aussi vrai/faux, yes/no, 1/0, x) ; vide = inconnu",
            "oui or non (also vrai/faux, yes/no, 1/0, x); empty = unknown",
        )
    if doc.path == f"members.{ROLE}":
        return (
            f"un code ou son libellé parmi : {codes_fr} ; vide = membre",
            f"one code or its words among: {codes_en}; empty = member",
        )
    if doc.kind == "choice":
        return (
            f"un code ou son libellé parmi : {codes_fr}",
            f"one code or its words among: {codes_en}",
        )
    if doc.path == "members.count":
        return (
            "nombre entier, au moins 1 ; vide = une seule organisation",
            "whole number, at least 1; empty = one organisation",
        )
    if doc.kind == "choices" and doc.allowed:
        return (
            f"codes séparés par « ; » parmi : {codes_fr} ; « {EMPTY_LIST} » = aucun",
            f"codes separated by ';' among: {codes_en}; '{EMPTY_LIST}' = none",
        )
    if doc.kind == "choices":
        return (
            f"textes séparés par « ; » ; « {EMPTY_LIST} » = aucun",
            f"texts separated by ';'; '{EMPTY_LIST}' = none",
        )
    if doc.kind == "share":
        return (
            "part entre 0 et 1 (0,6) ou pourcentage (60 %)",
            "share from 0 to 1 (0.6) or percentage (60 %)",
        )
    if doc.kind == "integer":
        return "nombre entier", "whole number"
    if doc.kind == "number":
        return "nombre (virgule décimale acceptée)", "number (decimal comma accepted)"
    if doc.kind == "date":
        return "date AAAA-MM-JJ", "date YYYY-MM-DD"
    return "texte libre", "free text"


def _workbook() -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- only the xlsx template needs it

    book = Workbook()
    applicants = book.active
    assert applicants is not None
    applicants.title = APPLICANT_SHEET
    members = book.create_sheet(MEMBER_SHEET)
    notes = book.create_sheet(NOTES_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_ranges: dict[tuple[str, ...], str] = {}
    _fill_sheet(applicants, APPLICANT_FIELDS, lists, list_ranges, freeze="C2")
    _fill_sheet(members, MEMBER_FIELDS, lists, list_ranges, freeze="B2")
    _fill_notes(notes)
    book.properties.creator = "poletype"
    book.properties.created = _FIXED_DATE
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def _fill_sheet(
    sheet: Worksheet,
    fields: dict[str, FieldDoc],
    lists: Worksheet,
    list_ranges: dict[tuple[str, ...], str],
    *,
    freeze: str,
) -> None:
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (key, doc) in enumerate(fields.items(), start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=header(key, doc))
        cell.font = bold
        cell.fill = fill
        cell.alignment = wrap
        comment = Comment(f"{doc.help.fr}\n\n{doc.help.en}", "poletype")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        sheet.column_dimensions[letter].width = min(max(len(header(key, doc)) * 0.55, 14), 40)
        if doc.kind not in ("boolean", "choice"):
            continue
        validation = DataValidation(
            type="list",
            formula1=_list_range(lists, list_ranges, drop_down(doc)),
            allow_blank=True,
            showErrorMessage=True,
            # A warning, not a stop: a typed code is as good as the words listed.
            errorStyle="warning",
            errorTitle="poletype",
            # Excel refuses messages over 225 characters: the codes are in the notes.
            error=_LIST_ERROR,
        )
        validation.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = freeze


def drop_down(doc: FieldDoc) -> tuple[str, ...]:
    """The values a column's drop-down offers: ``oui``/``non``, or each code's French words.

    The reader takes each back as its code (`poletype._screening.header.code_of`); a code
    without words is offered as itself.
    """
    if doc.kind == "boolean":
        return _BOOLEAN_CHOICES
    words = (code_label(doc.path, code) for code in doc.allowed)
    return tuple(code if w is None else w.fr for code, w in zip(doc.allowed, words, strict=True))


def _list_range(
    lists: Worksheet, ranges: dict[tuple[str, ...], str], values: tuple[str, ...]
) -> str:
    """A range of the hidden lists sheet holding ``values``: Excel caps inline lists at 255."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    if values not in ranges:
        column = len(ranges) + 1
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=column, value=value)
        letter = get_column_letter(column)
        ranges[values] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(values)}"
    return ranges[values]


def _fill_notes(sheet: Worksheet) -> None:
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    sheet.append(list(_NOTES_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for sheet_name, fields in ((APPLICANT_SHEET, APPLICANT_FIELDS), (MEMBER_SHEET, MEMBER_FIELDS)):
        for key, doc in fields.items():
            fr, en = _format(doc)
            sheet.append(
                [sheet_name, key, doc.label.fr, doc.label.en, doc.help.fr, doc.help.en, fr, en]
            )
    sheet.append([])
    for line in _GENERAL_NOTES:
        sheet.append([line])
    widths = (14, 34, 28, 28, 60, 60, 50, 50)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


_GENERAL_NOTES = (
    "Une ligne par candidature dans la feuille « candidatures » ; une ligne par "
    "organisation membre dans la feuille « membres », reliée à sa candidature par "
    "applicant_id = id.",
    "One row per application in the 'candidatures' sheet; one row per member "
    "organisation in the 'membres' sheet, tied to its application by applicant_id = id.",
    "Les partenaires (associés sans être membres) vont aussi dans la feuille « membres », "
    "avec le rôle « partenaire ». Une ligne peut décrire plusieurs organisations semblables "
    "(colonne Nombre). Si la feuille ne nomme qu'une partie des membres, mettez « non » "
    "dans Liste des membres complète, et leur nombre total dans Nombre de membres.",
    "Partners (associated without being members) go in the 'membres' sheet too, with the "
    "role 'partner'. One row may describe several alike organisations (column Count). If "
    "the sheet names only some of the members, put 'non' in Member list complete, and "
    "their total in Number of members.",
    "Une case vide signifie « inconnu », jamais « non » ni zéro : poletype demandera "
    "l'information manquante si elle compte pour le verdict.",
    "An empty cell means 'unknown', never 'no' or zero: poletype asks for the missing "
    "information when it matters to the verdict.",
    "Seule la colonne name (nom) est obligatoire. Les codes sont ceux du format "
    "d'échange poletype (initiative 1.1) ; les listes déroulantes en donnent les libellés "
    "français, lus comme les codes.",
    "Only the name column is required. Codes are those of poletype's interchange "
    "format (initiative 1.1); the drop-down lists give their French words, read as the "
    "codes.",
)


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed zip entry dates and modification date."""
    stamp = _FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
