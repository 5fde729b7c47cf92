"""Checklist templates and the partner list: versioned TOML data files, validated on load.

The default template ships as ``fsfield/templates/default.toml``; animators edit copies of it.
Every template version a visit used is archived by
:class:`fsfield.store.template_archive.TemplateStore`, so old visits stay readable after the
template changes. Messages meant for users are in French and name the file,
the mission or item, and the reason.
"""

import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fsfield.domain.messages import describe_os_error

DEFAULT_TEMPLATE_FILE = "default.toml"
PARTNERS_FILE = "partners.toml"
SHORT_TITLE_MAX = 20

KEBAB_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
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


class TemplateProblem(ValueError):
    """Raised inside validators: carries its own French location, kept as is in TemplateError."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where} : {reason}")


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_StrictPositiveInt = Annotated[int, Field(strict=True, gt=0)]
_StrictBool = Annotated[bool, Field(strict=True)]
_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ChecklistItem(BaseModel):
    """One question of the checklist."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=KEBAB_ID)]
    label: _Text
    help: str = ""
    kind: ItemKind
    required: _StrictBool = False
    unit: _Text | None = None
    prefill: PrefillKey | None = None
    #: what the item checks: a key of the template's [references] (shown in help and reports)
    ref: _Text | None = None
    #: site formats the item applies to (codes of domain/formats.py); None: every format
    formats: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _check_kind_options(self) -> "ChecklistItem":
        where = f"élément « {self.id} »"
        from fsfield.domain.formats import SITE_FORMATS

        for code in self.formats or ():
            if code not in SITE_FORMATS:
                raise TemplateProblem(
                    where, f"format inconnu « {code} » (attendu : {', '.join(SITE_FORMATS)})")
        if self.formats is not None and not self.formats:
            raise TemplateProblem(where, "« formats » est vide : omettez-le pour tous les formats")
        if self.unit is not None and self.kind is not ItemKind.NUMBER:
            raise TemplateProblem(
                where, f'« unit » n\'est permis que pour kind = "number" (ici « {self.kind} »)'
            )
        if self.prefill is not None and self.kind is not ItemKind.STATUS:
            raise TemplateProblem(
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
                raise TemplateProblem(
                    f"élément « {item.id} »",
                    f"l'identifiant doit commencer par « {self.id}- » (sa mission est « {self.id} »)",
                )
        return self


class TemplateMapping(BaseModel):
    """Item ids of an earlier template version and the items they became in this one."""

    model_config = _FROZEN

    from_id: Annotated[str, Field(pattern=KEBAB_ID)]
    from_version: _StrictPositiveInt
    #: old item id -> new item id (ids found in both versions need no entry)
    items: dict[str, str] = Field(default_factory=dict)


class ChecklistTemplate(BaseModel):
    """A versioned checklist: missions in order, each with its items in order."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=KEBAB_ID)]
    version: _StrictPositiveInt
    title: _Text
    description: str = ""
    #: short reference name (the item's ``ref``) -> what it is (référentiel section, criterion)
    references: dict[str, _Text] = Field(default_factory=dict)
    missions: Annotated[tuple[Mission, ...], Field(min_length=1)]
    mapping: tuple[TemplateMapping, ...] = ()

    _index: dict[str, tuple[Mission, ChecklistItem]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_unique_ids(self) -> "ChecklistTemplate":
        mission_pos: dict[str, int] = {}
        # Item ids carry their mission's prefix, so a duplicate is always within one mission.
        item_pos: dict[str, int] = {}
        prefill_owner: dict[PrefillKey, str] = {}
        for m_no, mission in enumerate(self.missions, start=1):
            if mission.id in mission_pos:
                raise TemplateProblem(
                    f"mission « {mission.id} »",
                    f"identifiant en double (missions n° {mission_pos[mission.id]} et n° {m_no})",
                )
            mission_pos[mission.id] = m_no
            for i_no, item in enumerate(mission.items, start=1):
                if item.id in item_pos:
                    raise TemplateProblem(
                        f"élément « {item.id} »",
                        f"identifiant en double (éléments n° {item_pos[item.id]} et n° {i_no} "
                        f"de la mission « {mission.id} »)",
                    )
                item_pos[item.id] = i_no
                if item.prefill is not None:
                    if item.prefill in prefill_owner:
                        raise TemplateProblem(
                            f"élément « {item.id} »",
                            f'prefill = "{item.prefill}" est déjà utilisé par l\'élément '
                            f"« {prefill_owner[item.prefill]} »",
                        )
                    prefill_owner[item.prefill] = item.id
                self._index[item.id] = (mission, item)
                if item.ref is not None and item.ref not in self.references:
                    known = ", ".join(f"« {r} »" for r in self.references) or "aucune"
                    raise TemplateProblem(
                        f"élément « {item.id} »",
                        f"ref « {item.ref} » ne renvoie à aucune entrée de [references] "
                        f"(connues : {known})",
                    )
        for mapping in self.mapping:
            for old, new in mapping.items.items():
                if new not in self._index:
                    raise TemplateProblem(
                        f"correspondance {mapping.from_id}@{mapping.from_version} « {old} »",
                        f"l'élément « {new} » n'existe pas dans ce modèle",
                    )
        return self

    def items_without_ref(self) -> list[str]:
        """Ids of the items that carry no ``ref`` (a warning for custom grids, not an error)."""
        return [item.id for item in self.items() if item.ref is None]

    def reference(self, item_id: str) -> str:
        """``réf. II — …`` for an item with a ref, else an empty string."""
        ref = self.item(item_id).ref
        return f"{ref} — {self.references[ref]}" if ref else ""

    def translate(self, template_id: str, version: int, item_id: str) -> str | None:
        """The id in this template of an item of ``template_id`` @ ``version``; None if gone."""
        if (template_id, version) != (self.id, self.version):
            for mapping in self.mapping:
                if (mapping.from_id, mapping.from_version) == (template_id, version):
                    item_id = mapping.items.get(item_id, item_id)
                    break
        return item_id if item_id in self._index else None

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

    id: Annotated[str, Field(pattern=KEBAB_ID)]
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
                raise TemplateProblem(f"partenaire « {partner.id} »", "identifiant en double")
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

    The text is what ``TemplateStore.ensure_archived`` archives. Raises TemplateError.
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
            raise TemplateError(name, [f"lecture impossible ({describe_os_error(exc)})"]) from None
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
        from fsfield.domain.template_errors import syntax_problem

        raise TemplateError(source, [syntax_problem(exc, text)]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        from fsfield.domain.template_errors import validation_problems

        raise TemplateError(source, validation_problems(exc, raw, model)) from None
