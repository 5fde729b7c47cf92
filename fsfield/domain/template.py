"""Checklist templates and the partner list: versioned TOML data files, validated on load.

The default template ships as ``fsfield/templates/default.toml``; animators edit copies of it.
Every template version a visit used is archived by :class:`TemplateStore`, so old visits stay
readable after the template changes. Messages meant for users are in French and name the file,
the mission or item, and the reason.
"""

import os
import re
import tempfile
import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)

DEFAULT_TEMPLATE_FILE = "default.toml"
PARTNERS_FILE = "partners.toml"
SHORT_TITLE_MAX = 20

_KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_MISSION_ID = r"^[a-z][a-z0-9]*$"


class AnswerStatus(StrEnum):
    """Answer scale of "status" items; the stored value is the enum value."""

    CONFORME = "conforme"
    A_AMELIORER = "a_ameliorer"
    NON_CONFORME = "non_conforme"
    SANS_OBJET = "sans_objet"
    NON_VERIFIE = "non_verifie"

    @property
    def label(self) -> str:
        """French label shown to the user."""
        return _STATUS_LABELS[self]

    @property
    def key(self) -> str:
        """Digit key that selects this answer in the checklist."""
        return _STATUS_KEYS[self]


_STATUS_LABELS = {
    AnswerStatus.CONFORME: "Conforme",
    AnswerStatus.A_AMELIORER: "À améliorer",
    AnswerStatus.NON_CONFORME: "Non conforme",
    AnswerStatus.SANS_OBJET: "Sans objet",
    AnswerStatus.NON_VERIFIE: "Non vérifié",
}
_STATUS_KEYS = {
    AnswerStatus.CONFORME: "1",
    AnswerStatus.A_AMELIORER: "2",
    AnswerStatus.NON_CONFORME: "3",
    AnswerStatus.SANS_OBJET: "4",
    AnswerStatus.NON_VERIFIE: "0",
}
_STATUS_BY_KEY = {key: status for status, key in _STATUS_KEYS.items()}


def answer_status_from_key(key: str) -> AnswerStatus | None:
    """Return the answer selected by a digit key ("1".."4", "0"), or None for any other key."""
    return _STATUS_BY_KEY.get(key)


class ItemKind(StrEnum):
    """How an item is answered."""

    STATUS = "status"
    NUMBER = "number"
    TEXT = "text"


class PrefillKey(StrEnum):
    """Data the app pre-fills an item from (the animator confirms it on site)."""

    HOURS_MINIMUM = "hours_minimum"
    DIRECTORY_DATA = "directory_data"


class TemplateError(ValueError):
    """A template or partner file that cannot be used.

    ``problems`` holds one French sentence per problem (naming the mission or item); the message
    prefixes each with the file name, one problem per line.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source} : {problem}" for problem in problems))


class _Problem(ValueError):
    """Raised inside validators: carries its own French location, kept as is in TemplateError."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where} : {reason}")


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_StrictPositiveInt = Annotated[int, Field(strict=True, gt=0)]
_StrictBool = Annotated[bool, Field(strict=True)]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ChecklistItem(BaseModel):
    """One question of the checklist."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=_KEBAB)]
    label: _Text
    help: str = ""
    kind: ItemKind
    required: _StrictBool = False
    unit: _Text | None = None
    prefill: PrefillKey | None = None

    @model_validator(mode="after")
    def _check_kind_options(self) -> "ChecklistItem":
        where = f"élément « {self.id} »"
        if self.unit is not None and self.kind is not ItemKind.NUMBER:
            raise _Problem(
                where, f'« unit » n\'est permis que pour kind = "number" (ici « {self.kind} »)'
            )
        if self.prefill is not None and self.kind is not ItemKind.STATUS:
            raise _Problem(
                where, f'« prefill » n\'est permis que pour kind = "status" (ici « {self.kind} »)'
            )
        return self


class Mission(BaseModel):
    """One of the animator's missions and its items, in display order."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=_MISSION_ID)]
    title: _Text
    short_title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_TITLE_MAX)
    ]
    items: Annotated[tuple[ChecklistItem, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_item_prefix(self) -> "Mission":
        for item in self.items:
            if not item.id.startswith(f"{self.id}-"):
                raise _Problem(
                    f"élément « {item.id} »",
                    f"l'identifiant doit commencer par « {self.id}- » (sa mission est « {self.id} »)",
                )
        return self


class ChecklistTemplate(BaseModel):
    """A versioned checklist: missions in order, each with its items in order."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=_KEBAB)]
    version: _StrictPositiveInt
    title: _Text
    description: str = ""
    missions: Annotated[tuple[Mission, ...], Field(min_length=1)]

    _index: dict[str, tuple[Mission, ChecklistItem]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_unique_ids(self) -> "ChecklistTemplate":
        mission_pos: dict[str, int] = {}
        # Item ids carry their mission's prefix, so a duplicate is always within one mission.
        item_pos: dict[str, int] = {}
        prefill_owner: dict[PrefillKey, str] = {}
        for m_no, mission in enumerate(self.missions, start=1):
            if mission.id in mission_pos:
                raise _Problem(
                    f"mission « {mission.id} »",
                    f"identifiant en double (missions n° {mission_pos[mission.id]} et n° {m_no})",
                )
            mission_pos[mission.id] = m_no
            for i_no, item in enumerate(mission.items, start=1):
                if item.id in item_pos:
                    raise _Problem(
                        f"élément « {item.id} »",
                        f"identifiant en double (éléments n° {item_pos[item.id]} et n° {i_no} "
                        f"de la mission « {mission.id} »)",
                    )
                item_pos[item.id] = i_no
                if item.prefill is not None:
                    if item.prefill in prefill_owner:
                        raise _Problem(
                            f"élément « {item.id} »",
                            f'prefill = "{item.prefill}" est déjà utilisé par l\'élément '
                            f"« {prefill_owner[item.prefill]} »",
                        )
                    prefill_owner[item.prefill] = item.id
                self._index[item.id] = (mission, item)
        return self

    def items(self) -> list[ChecklistItem]:
        """All items, mission by mission, in display order."""
        return [item for mission in self.missions for item in mission.items]

    def item(self, item_id: str) -> ChecklistItem:
        """The item with this id; KeyError if the template has none."""
        return self._index[item_id][1]

    def mission_of(self, item_id: str) -> Mission:
        """The mission holding this item; KeyError if the template has no such item."""
        return self._index[item_id][0]

    def required_items(self) -> list[ChecklistItem]:
        """Items that must be answered, in display order."""
        return [item for item in self.items() if item.required]


class Partner(BaseModel):
    """A national operator or a local partner of the France services."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=_KEBAB)]
    name: _Text
    short: _Text
    formerly: _Text | None = None
    since: Annotated[int, Field(strict=True, ge=2019, le=2100)] | None = None
    local: _StrictBool = False


class PartnerList(BaseModel):
    """The versioned list of operators and partners (``partners.toml``)."""

    model_config = _FROZEN

    version: _StrictPositiveInt
    partners: Annotated[tuple[Partner, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_unique_ids(self) -> "PartnerList":
        seen: set[str] = set()
        for partner in self.partners:
            if partner.id in seen:
                raise _Problem(f"partenaire « {partner.id} »", "identifiant en double")
            seen.add(partner.id)
        return self

    def national_operators(self) -> list[Partner]:
        """National operators, in file order."""
        return [p for p in self.partners if not p.local]

    def local_partners(self) -> list[Partner]:
        """Local partners, in file order."""
        return [p for p in self.partners if p.local]

    def get(self, partner_id: str) -> Partner | None:
        """The partner with this id, or None."""
        return next((p for p in self.partners if p.id == partner_id), None)


# --- Loading -----------------------------------------------------------------------------------

_Model = TypeVar("_Model", ChecklistTemplate, PartnerList)


def load_template_source(path: Path | None = None) -> tuple[ChecklistTemplate, str]:
    """Load and validate a template file (None: the packaged default); return it with its text.

    The text is what :meth:`TemplateStore.ensure_archived` archives. Raises TemplateError.
    """
    name, text = _read(path, DEFAULT_TEMPLATE_FILE)
    return _parse(text, name, ChecklistTemplate), text


def load_template(path: Path | None = None) -> ChecklistTemplate:
    """Load and validate a template file (None: the packaged default). Raises TemplateError."""
    return load_template_source(path)[0]


def parse_template(text: str, source: str = "modèle") -> ChecklistTemplate:
    """Validate template TOML text; ``source`` names it in error messages. Raises TemplateError."""
    return _parse(text, source, ChecklistTemplate)


def load_partners(path: Path | None = None) -> PartnerList:
    """Load and validate a partner list (None: the packaged one). Raises TemplateError."""
    name, text = _read(path, PARTNERS_FILE)
    return _parse(text, name, PartnerList)


def _read(path: Path | None, packaged: str) -> tuple[str, str]:
    if path is None:
        data = resources.files("fsfield").joinpath("templates", packaged).read_bytes()
        name = packaged
    else:
        name = path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise TemplateError(name, [f"fichier introuvable ({path})"]) from None
        except OSError as exc:
            raise TemplateError(name, [f"lecture impossible ({exc.strerror})"]) from None
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(
            name, [f"le fichier n'est pas en UTF-8 (octet invalide en position {exc.start})"]
        ) from None


def _parse(text: str, source: str, model: type[_Model]) -> _Model:
    try:
        # Windows editors may add a byte order mark, which TOML does not allow.
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(source, [_syntax_problem(exc, text)]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise TemplateError(source, _problems(exc, raw, model)) from None


# --- French error messages ---------------------------------------------------------------------

_TOML_MESSAGES = {
    "Invalid value": "valeur invalide (texte entre guillemets, nombre, true ou false attendu)",
    "Expected '=' after a key in a key/value pair": "« = » attendu après le nom du champ",
    "Cannot overwrite a value": "champ défini deux fois",
    "Unterminated string": "texte non terminé (guillemet fermant manquant)",
    "Invalid statement": "ligne incompréhensible",
    "Expected newline or end of document after a statement": "une seule instruction par ligne",
}


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str) -> str:
    # Python 3.11 exposes no line attribute: the position is only in the message.
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        line = int(match[1])
        where = f"ligne {line}, colonne {match[2]}"
        message = message[: match.start()]
    else:
        line = text.count("\n") + 1
        where = "fin du fichier"
        message = message.removesuffix(" (at end of document)")
    table = _enclosing_table(text.splitlines(), line)
    detail = _TOML_MESSAGES.get(message, f"détail : {message}")
    return f"{table + ', ' if table else ''}{where} : syntaxe TOML invalide, {detail}"


_TABLE_NOUNS = {
    "[[missions]]": "mission",
    "[[missions.items]]": "élément",
    "[[partners]]": "partenaire",
}


def _enclosing_table(lines: list[str], line: int) -> str:
    """Name the mission, item or partner whose table holds ``line`` (1-based), if known."""
    start = next(
        (n for n in range(min(line, len(lines)) - 1, -1, -1) if lines[n].startswith("[")), None
    )
    if start is None or lines[start].strip() not in _TABLE_NOUNS:
        return ""
    noun = _TABLE_NOUNS[lines[start].strip()]
    for text in lines[start + 1 :]:
        if text.startswith("["):
            break
        found = re.match(r'\s*id\s*=\s*"([^"]+)"', text)
        if found:
            return f"{noun} « {found[1]} »"
    return ""


_CONTAINERS = {  # list field -> (model of its entries, French noun, "none of them", TOML header)
    "missions": (Mission, "mission", "aucune mission", "[[missions]]"),
    "items": (ChecklistItem, "élément", "aucun élément", "[[missions.items]]"),
    "partners": (Partner, "partenaire", "aucun partenaire", "[[partners]]"),
}
_ID_RULES = {
    ChecklistItem: "minuscules sans accents, chiffres et tirets, ex. « m2-horaires-24h »",
    Mission: "une minuscule puis minuscules ou chiffres, ex. « m2 »",
    ChecklistTemplate: "minuscules sans accents, chiffres et tirets, ex. « fs-visite-standard »",
    Partner: "minuscules sans accents, chiffres et tirets, ex. « france-travail »",
}
_ENUMS: dict[str, tuple[str, type[StrEnum]]] = {
    "kind": ("type inconnu", ItemKind),
    "prefill": ("clé de pré-remplissage inconnue", PrefillKey),
}


def _problems(exc: ValidationError, raw: dict[str, Any], model: type[BaseModel]) -> list[str]:
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        where, field, level = _locate(err["loc"], raw, model)
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, _Problem):
            where, reason = cause.where, cause.reason
        else:
            reason = _reason(err, field, level)
            if reason is None:
                continue
        problem = f"{where} : {reason}" if where else reason
        if problem not in problems:
            problems.append(problem)
    return problems


def _locate(
    loc: tuple[int | str, ...], raw: Any, model: type[BaseModel]
) -> tuple[str, str, type[BaseModel]]:
    """Turn a pydantic location into (French "mission « m2 »"-like place, field name, model)."""
    where, node, parent_where, i = "", raw, "", 0
    while i < len(loc):
        part = loc[i]
        if part in _CONTAINERS and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            entry_model, noun, _, _ = _CONTAINERS[str(part)]
            index = int(loc[i + 1])
            entries = node.get(part) if isinstance(node, dict) else None
            node = entries[index] if isinstance(entries, list) and index < len(entries) else None
            ident = node.get("id") if isinstance(node, dict) else None
            parent_where = where
            if isinstance(ident, str) and ident:
                where = f"{noun} « {ident} »"
            else:
                where = f"{noun} n° {index + 1}" + (
                    f" de la {parent_where}" if parent_where else ""
                )
            model, i = entry_model, i + 2
        else:
            return where, str(part), model
    return where, "", model


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "une table"
    if isinstance(value, list):
        return "une liste"
    return str(value)


def _reason(err: Any, field: str, level: type[BaseModel]) -> str | None:
    """French reason for one pydantic error; None when it only echoes another error."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
    got = f" (reçu : {_toml_value(value)})"
    if kind == "missing":
        if field in _CONTAINERS:
            _, _, none, header = _CONTAINERS[field]
            return f"{none} : ajoutez au moins une table {header}"
        return f"champ obligatoire « {field} » manquant"
    if kind == "extra_forbidden":
        allowed = ", ".join(level.model_fields)
        return f"champ inconnu « {field} » (champs possibles : {allowed})"
    if kind == "enum" and field in _ENUMS:
        what, enum = _ENUMS[field]
        expected = ", ".join(member.value for member in enum)
        return f"{what} « {value} » (attendu : {expected})"
    if kind == "string_pattern_mismatch":
        return f"identifiant « {value} » invalide : {_ID_RULES.get(level, 'format incorrect')}"
    if kind == "string_type":
        return f"« {field} » doit être un texte entre guillemets{got}"
    if kind == "string_too_short":
        return f"« {field} » ne doit pas être vide"
    if kind == "string_too_long":
        return f"« {field} » est trop long ({len(value)} caractères, {ctx['max_length']} au plus)"
    if field == "version" and kind in ("int_type", "greater_than"):
        return f"« version » doit être un nombre entier positif, sans guillemets{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"« {field} » doit être un nombre entier{got}"
    if kind == "greater_than" and ctx.get("gt") == 0:
        return f"« {field} » doit être un entier positif{got}"
    if kind in ("greater_than_equal", "less_than_equal") and field == "since":
        return f"« since » doit être une année entre 2019 et 2100{got}"
    if kind == "bool_type":
        return f"« {field} » doit valoir true ou false{got}"
    if kind == "too_short" and field in _CONTAINERS:
        if isinstance(value, list) and value:
            return None  # emptied by invalid entries, which are reported on their own
        _, _, none, header = _CONTAINERS[field]
        return f"{none} : ajoutez au moins une table {header}"
    if kind in ("tuple_type", "list_type") and field in _CONTAINERS:
        return f"« {field} » doit être une liste de tables {_CONTAINERS[field][3]}{got}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"une table TOML est attendue{got}"
    return f"valeur invalide pour « {field} » ({err['msg']})"


# --- Archive of the versions in use ------------------------------------------------------------


class TemplateStore:
    """Archive of every template version used, so that old visits stay readable.

    Each version is kept as ``<dir>/<id>@<version>.toml``, written once (temp file, fsync,
    ``os.replace``) and never overwritten. Editing a template without bumping its version is
    refused when its content differs from the archived one; comments and layout may change.
    """

    def __init__(self, dir: Path) -> None:
        self.directory = Path(dir)
        self._cache: dict[tuple[str, int], ChecklistTemplate] = {}

    def path_for(self, template_id: str, version: int) -> Path:
        """Archive path of a version; TemplateError if the id or version is malformed."""
        if not re.fullmatch(_KEBAB, template_id) or isinstance(version, bool) or version < 1:
            raise TemplateError(
                "archive des modèles",
                [f"référence de modèle invalide « {template_id} » version {version}"],
            )
        return self.directory / f"{template_id}@{version}.toml"

    def versions(self, template_id: str) -> list[int]:
        """Archived versions of a template, ascending."""
        self.path_for(template_id, 1)  # validates the id before it reaches a glob pattern
        found = []
        for path in self.directory.glob(f"{template_id}@*.toml"):
            suffix = path.stem.rpartition("@")[2]
            if suffix.isdigit():
                found.append(int(suffix))
        return sorted(found)

    def get(self, template_id: str, version: int) -> ChecklistTemplate | None:
        """The archived template, or None if this version was never archived.

        Raises TemplateError if the archived file is unreadable or declares another id/version.
        """
        key = (template_id, version)
        if key in self._cache:
            return self._cache[key]
        path = self.path_for(template_id, version)
        if not path.exists():
            return None
        template = load_template(path)
        if (template.id, template.version) != key:
            raise TemplateError(
                path.name,
                [f"le fichier archivé déclare « {template.id} » version {template.version}"],
            )
        self._cache[key] = template
        return template

    def ensure_archived(
        self, template: ChecklistTemplate, source_text: str, *, source_name: str | None = None
    ) -> Path:
        """Archive ``source_text`` (the text ``template`` was loaded from) unless already there.

        Returns the archive path. Raises TemplateError, naming ``source_name`` (the user's file)
        if given, when this id and version are archived with a different content: the user must
        bump the version. The archived file is never modified.
        """
        if parse_template(source_text, source_name or "modèle") != template:
            raise ValueError("source_text is not the text the template was loaded from")
        path = self.path_for(template.id, template.version)
        archived = self.get(template.id, template.version)
        if archived is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, source_text.encode("utf-8"))
            self._cache[(template.id, template.version)] = template
        elif archived != template:
            next_version = max([template.version, *self.versions(template.id)]) + 1
            raise TemplateError(
                source_name or path.name,
                [
                    f"le modèle « {template.id} » version {template.version} a déjà servi avec "
                    f"un autre contenu ({_describe_changes(archived, template)}) : indiquez "
                    f"version = {next_version} pour enregistrer vos modifications ; les visites "
                    f"déjà faites gardent la version {template.version}"
                ],
            )
        return path


def _describe_changes(old: ChecklistTemplate, new: ChecklistTemplate) -> str:
    old_items = {item.id: item for item in old.items()}
    new_items = {item.id: item for item in new.items()}
    parts = []
    if (old.title, old.description) != (new.title, new.description):
        parts.append("titre ou description modifiés")
    if [(m.id, m.title, m.short_title) for m in old.missions] != [
        (m.id, m.title, m.short_title) for m in new.missions
    ]:
        parts.append("missions modifiées")
    for label, ids in (
        ("éléments ajoutés", [i for i in new_items if i not in old_items]),
        ("éléments retirés", [i for i in old_items if i not in new_items]),
        (
            "éléments modifiés",
            [i for i in new_items if i in old_items and old_items[i] != new_items[i]],
        ),
    ):
        if ids:
            parts.append(f"{label} : {', '.join(ids)}")
    if not parts and list(old_items) != list(new_items):
        parts.append("ordre des éléments modifié")
    return " ; ".join(parts) or "contenu modifié"


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # directories cannot be opened for fsync on Windows
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
