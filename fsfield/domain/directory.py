"""Reading the official directory of France services (national CSV list published by ANCT).

File-level problems (empty, not UTF-8, broken CSV, required columns missing, unknown
département, nothing valid) raise ``DirectoryError`` with a French message for the user.
Row-level problems only reject the row (``RejectedRow``: physical line where the record starts).
Column names change between releases: they go through ``normalize_header`` then
``COLUMN_ALIASES`` (data, not code).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fsfield.domain.hours import WEEKDAYS, WeeklyHours, parse_week
from fsfield.domain.messages import describe_os_error

_DAYS = (*WEEKDAYS, "dimanche")

#: Canonical field -> accepted column names (already normalised), in order of preference.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id_fs": ("id_fs", "id_france_services", "identifiant_fs", "identifiant", "id"),
    "insee_dep": ("insee_dep", "code_insee_dep", "code_departement", "code_dep", "departement",
                  "dep", "num_dep"),
    "name": ("lib_fs", "lib_france_services", "libelle_fs", "nom_fs", "nom_france_services",
             "nom_de_la_structure", "nom_structure", "libelle", "nom"),
    "address": ("adresse", "adresse_fs", "adresse_1", "adresse1", "adresse_postale"),
    "address_extra": ("complement_adresse", "complement_d_adresse", "adresse_complement",
                      "adresse_2", "adresse2", "complement"),
    "insee_com": ("insee_com", "code_insee_com", "code_insee_commune", "code_commune",
                  "code_insee", "codgeo"),
    "postal_code": ("code_postal", "codepostal", "cp"),
    "commune": ("lib_com", "libelle_commune", "nom_commune", "commune", "ville"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "email": ("mail", "email", "e_mail", "courriel", "adresse_mail", "adresse_electronique"),
    "phone": ("telephone", "tel", "numero_de_telephone", "numero_telephone", "num_tel"),
    **{f"hours_{day}": (f"h_{day}", day, f"horaires_{day}", f"heures_{day}") for day in _DAYS},
    "appointment": ("prise_rdv", "prise_de_rendez_vous", "prise_rendez_vous", "rdv",
                    "sur_rendez_vous"),
    "comment": ("commentaire", "commentaires", "comment", "remarque", "remarques"),
    "type_fs": ("type_fs", "type"),
    "format_fs": ("format_fs", "format"),
    "group_fs": ("groupe_fs", "group_fs", "groupe"),
    "labellisation_raw": ("labellisation_fs", "labellisation", "date_labellisation",
                          "date_de_labellisation"),
}
REQUIRED_FIELDS: tuple[str, ...] = ("id_fs", "insee_dep", "name")

_DEPARTMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B", "971", "972", "973", "974", "976"]  # Corsica, overseas départements
    + ["975", "977", "978", "986", "987", "988"]  # overseas collectivities (978 has sites)
)
_DEP_RE = re.compile(r"^\s*(2\s*[ab]|\d{1,3})(?![0-9a-z])", re.IGNORECASE)
_DEP_ARG_RE = re.compile(r"^\s*(2\s*[ab]|\d{1,3})\s*$", re.IGNORECASE)
_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})|(\d{4})-(\d{2})-(\d{2})")
_TRUE = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x"})  # bool -> "true"
_FALSE = frozenset({"non", "n", "no", "false", "faux", "0"})


class DirectoryError(ValueError):
    """A file-level problem with the directory; the message is French and meant for the user."""


def valid_department_codes() -> frozenset[str]:
    """INSEE codes of the départements and overseas territories that may host France services.

    01-95 (2A/2B instead of 20), 971-974, 976, and the collectivities 975, 977, 978, 986, 987,
    988. The 2024-08-01 list uses 101 codes of the first group plus 978 (Saint-Martin).
    """
    return _DEPARTMENTS


def normalize_department(code: str | int | None) -> str | None:
    """Normalise a département code: ``"1"`` -> ``"01"``, ``"2a"`` -> ``"2A"``,
    ``"87 - Haute-Vienne"`` -> ``"87"``. None when no known code can be read."""
    match = _DEP_RE.match(str(code or ""))
    if not match:
        return None
    value = match.group(1).replace(" ", "").upper()
    value = value.zfill(2) if value.isdigit() and len(value) < 3 else value
    return value if value in _DEPARTMENTS else None


def normalize_header(name: str) -> str:
    """Normalise a column name: ``" Code INSEE-Dép."`` -> ``"code_insee_dep"``."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\ufeff", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


_ALIAS_INDEX: dict[str, str] = {a: f for f, aliases in COLUMN_ALIASES.items() for a in aliases}


def map_columns(header: list[str]) -> dict[str, int]:
    """Map canonical fields to column positions; the preferred alias wins, then the first column."""
    mapping: dict[str, int] = {}
    rank: dict[str, int] = {}
    for pos, name in enumerate(header):
        key = normalize_header(name)
        canon = _ALIAS_INDEX.get(key)
        if canon is None:
            continue
        order = COLUMN_ALIASES[canon].index(key)
        if canon not in mapping or order < rank[canon]:
            mapping[canon], rank[canon] = pos, order
    return mapping


def _coordinate(value: Any, label: str, limit: float) -> float | None:
    text = str(value if value is not None else "").strip().replace(",", ".")  # "45,8" from Excel
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{label} non numérique : « {value} »") from None
    if not -limit <= number <= limit:
        raise ValueError(f"{label} hors limites : {number}")
    return number


def parse_labellisation(text: str) -> date | None:
    """Read the date in ``"Espace labellisé 01/09/2020"`` (or ISO); None when there is none.

    Raises ValueError (French) when a date is written but does not exist (``31/02/2020``).
    """
    match = _DATE_RE.search(text or "")
    if not match:
        return None
    d, m, y = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ValueError(f"date de labellisation invalide : « {match.group(0)} »") from None


class DirectoryEntry(BaseModel):
    """One France services of the official directory (one CSV row), validated."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True)

    id_fs: str
    insee_dep: str
    name: str
    address: str = ""
    address_extra: str = ""
    insee_com: str = ""
    postal_code: str = ""
    commune: str = ""
    latitude: float | None = None
    longitude: float | None = None
    email: str = ""
    phone: str = ""
    hours: dict[str, str] = {}  # pydantic copies mutable defaults
    appointment: bool | None = None
    comment: str = ""
    type_fs: str = ""
    format_fs: str = ""
    group_fs: str = ""
    labelled_on: date | None = None
    labellisation_raw: str = ""

    @model_validator(mode="before")
    @classmethod
    def _derive_labelled_on(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("labelled_on") is None:
            raw = str(data.get("labellisation_raw") or "")
            data = {**data, "labelled_on": parse_labellisation(raw)}
        return data

    @field_validator("id_fs", "name", mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: ValidationInfo) -> str:
        text = str(value if value is not None else "").strip()
        if not text:
            label = {"id_fs": "identifiant (id_fs)", "name": "nom (lib_fs)"}[info.field_name]
            raise ValueError(f"{label} vide")
        return text

    @field_validator("insee_dep", mode="before")
    @classmethod
    def _department(cls, value: Any) -> str:
        code = normalize_department(value)
        if code is None:
            shown = str(value or "").strip()
            raise ValueError(f"code département invalide : « {shown} »" if shown
                             else "code département (insee_dep) vide")
        return code

    @field_validator("insee_com", "postal_code", mode="before")
    @classmethod
    def _five_chars(cls, value: Any) -> str:
        text = str(value if value is not None else "").strip()
        return text.zfill(5) if text.isdigit() and len(text) == 4 else text  # Excel lost the 0

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _coordinates(cls, value: Any, info: ValidationInfo) -> float | None:
        return _coordinate(value, info.field_name, 90 if info.field_name == "latitude" else 180)

    @field_validator("appointment", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> bool | None:
        text = str(value if value is not None else "").strip().lower()
        if text in _TRUE or text in _FALSE or not text:
            return text in _TRUE if text else None
        raise ValueError(f"prise de rendez-vous : « {value} » au lieu de Oui/Non")

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> dict[str, str]:
        days = {day: str(text or "").strip() for day, text in dict(value or {}).items()}
        if unknown := sorted(set(days) - set(_DAYS)):
            raise ValueError(f"jour inconnu dans les horaires : {', '.join(unknown)}")
        return days

    def opening_hours(self) -> WeeklyHours:
        """Parsed weekly opening hours (see ``fsfield.domain.hours``)."""
        return parse_week(self.hours)


@dataclass(frozen=True)
class RejectedRow:
    """A data row left out, with the physical line where its record starts and a French reason."""

    line: int
    reason: str


@dataclass
class DirectoryRead:
    """Result of reading a directory file."""

    source: str
    entries: list[DirectoryEntry] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    total_rows: int = 0  # data records in the file, all départements
    departments: set[str] = field(default_factory=set)  # valid codes seen in the whole file
    delimiter: str = ","
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header in file
    ignored_columns: list[str] = field(default_factory=list)


def _decode(data: bytes, source: str) -> str:
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise DirectoryError(f"Le fichier {source} est vide.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DirectoryError(f"Le fichier {source} est encodé en UTF-16 : enregistrez-le au "
                             "format « CSV UTF-8 » puis recommencez.")
    if data.startswith(b"PK\x03\x04"):
        raise DirectoryError(f"Le fichier {source} est un classeur (XLSX ou ODS), pas un CSV : "
                             "enregistrez-le au format « CSV UTF-8 » puis recommencez.")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = bom + exc.start
        line = data[:pos].count(b"\n") + 1
        raise DirectoryError(
            f"Le fichier {source} n'est pas encodé en UTF-8 : octet 0x{data[pos]:02X} invalide "
            f"à la position {pos} (ligne {line}). Il a sans doute été enregistré en Latin-1 / "
            "Windows-1252 (par exemple par Excel) : enregistrez-le au format « CSV UTF-8 » puis "
            "recommencez."
        ) from None


def _sniff_delimiter(first_line: str) -> str:
    """The separator used most often in the header line, outside quotes (',' by default)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _records(text: str, delimiter: str, source: str) -> list[tuple[int, int, list[str]]]:
    """Split CSV text into (first line, last line, fields), skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, int, list[str]]] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            if "end of data" in str(exc) or "field larger" in str(exc):
                raise DirectoryError(f"Fichier CSV tronqué ou mal formé ({source}) : le guillemet "
                                     f"ouvert dans l'enregistrement qui commence ligne {start} "
                                     "n'est jamais fermé.") from None
            began = f" (enregistrement commencé ligne {start})" if start < reader.line_num else ""
            raise DirectoryError(f"Fichier CSV mal formé ({source}), ligne {reader.line_num}"
                                 f"{began} : guillemet mal placé ou caractère inattendu.") from None
        if any(cell.strip() for cell in row):
            records.append((start, reader.line_num, row))
        start = reader.line_num + 1


def _swallows_rows(row: list[str], delimiter: str, width: int) -> bool:
    """True when a multi-line field holds a line that looks like a whole record."""
    return any(part.count(delimiter) >= width // 2
               for cell in row if "\n" in cell or "\r" in cell
               for part in cell.splitlines()[1:])


def _check_department(department: str | None) -> str | None:
    if department is None:
        return None
    code = normalize_department(department) if _DEP_ARG_RE.match(str(department)) else None
    if code is None:
        hint = " (la Corse utilise 2A et 2B)" if str(department).strip() == "20" else ""
        raise DirectoryError(f"Code département inconnu : « {department} »{hint}. Exemples de "
                             "codes valides : 01, 2A, 87, 974.")
    return code


def _header(records: list[tuple[int, int, list[str]]], source: str) -> dict[str, int]:
    if not records:
        raise DirectoryError(f"Le fichier {source} est vide.")
    line, _, header = records[0]
    columns = map_columns(header)
    if not columns:
        raise DirectoryError(f"En-tête introuvable dans {source} (ligne {line}) : aucun nom de "
                             "colonne connu (id_fs, insee_dep, lib_fs…).")
    missing = [COLUMN_ALIASES[f][0] for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise DirectoryError(f"Colonnes obligatoires absentes de {source} : {', '.join(missing)}.")
    if len(records) == 1:
        raise DirectoryError(f"Le fichier {source} ne contient aucune ligne de données "
                             "(en-tête seul).")
    return columns


def _validate(row: list[str], columns: dict[str, int]) -> DirectoryEntry | str:
    """Validate one row: the entry, or the French reason for rejecting it."""
    row = [cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row]  # CRLF in fields
    values: dict[str, Any] = {f: row[i] for f, i in columns.items() if not f.startswith("hours_")}
    values["hours"] = {f[6:]: row[i] for f, i in columns.items() if f.startswith("hours_")}
    try:
        return DirectoryEntry.model_validate(values)
    except ValidationError as exc:
        return " ; ".join(str((e.get("ctx") or {}).get("error") or f"{e['loc']} : {e['msg']}")
                          for e in exc.errors())


def parse_directory(data: bytes, source: str, department: str | None = None) -> DirectoryRead:
    """Parse the bytes of a directory CSV; keep only ``department`` when given.

    ``source`` names the file or URL in messages. Raises DirectoryError for file-level problems.
    """
    wanted = _check_department(department)
    text = _decode(data, source)
    delimiter = _sniff_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    records = _records(text, delimiter, source)
    columns = _header(records, source)
    header = records[0][2]
    read = DirectoryRead(source=source, delimiter=delimiter, total_rows=len(records) - 1,
                         columns={f: header[i].strip() for f, i in columns.items()},
                         ignored_columns=[h for i, h in enumerate(header)
                                          if i not in columns.values() and h.strip()])
    seen_ids: dict[str, int] = {}
    for first, last, row in records[1:]:
        width = len(header)
        bad_width = len(row) < width or any(cell.strip() for cell in row[width:])
        if first != last and (bad_width or _swallows_rows(row, delimiter, width)):
            raise DirectoryError(f"Fichier CSV mal formé ({source}) : le guillemet ouvert ligne "
                                 f"{first} n'est refermé que ligne {last}, les lignes "
                                 "intermédiaires sont avalées (guillemet non fermé ?).")
        dep_pos = columns["insee_dep"]
        code = normalize_department(row[dep_pos] if dep_pos < len(row) else None)
        read.departments.update([code] if code else [])
        if wanted and code and code != wanted:
            continue
        result = _validate(row, columns) if not bad_width else (
            f"{len(row)} champs au lieu de {width} (ligne incomplète ?)")
        if isinstance(result, DirectoryEntry) and result.id_fs in seen_ids:
            result = f"identifiant {result.id_fs} déjà présent ligne {seen_ids[result.id_fs]}"
        if isinstance(result, str):
            read.rejected.append(RejectedRow(first, result))
            continue
        seen_ids[result.id_fs] = first
        read.entries.append(result)
    if wanted and wanted not in read.departments:
        raise DirectoryError(f"Aucune ligne pour le département {wanted} dans {source}.")
    if not read.entries:
        reasons = "".join(f" Ligne {r.line} : {r.reason}." for r in read.rejected[:3])
        raise DirectoryError(f"Aucune ligne valide dans {source} "
                             f"({len(read.rejected)} rejetées).{reasons}")
    return read


def read_directory(path: Path, department: str | None = None) -> DirectoryRead:
    """Read a directory CSV file from disk (see ``parse_directory``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DirectoryError(f"Impossible de lire le fichier {path} : {describe_os_error(exc)}.") from None
    return parse_directory(data, str(path), department)
