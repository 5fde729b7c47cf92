"""Domain records (pydantic v2), validated at every boundary.

Models build their validators on first use (``defer_build``): start-up only pays for the
ones the home screen needs.

Records are views of their field-level writes (see docs/sync-model.md): the store
folds writes into a flat ``{field: value}`` mapping, and ``from_fields`` builds the
model from it. Nested maps (answers, events) are flattened with dotted field names
so that two people editing two answers of one visit never conflict.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fsfield.domain.dates import french_date, parse_french_date
from fsfield.domain.reply import Sending, Stance, content_version
from fsfield.domain.template import AnswerStatus


class VisitType(StrEnum):
    SUIVI = "suivi"
    LABELLISATION = "labellisation"
    ACCOMPAGNEMENT = "accompagnement_renforce"
    PORTES_OUVERTES = "portes_ouvertes"
    #: a quality check (counts as a visit for the plan)
    CONTROLE_QUALITE = "controle_qualite"
    #: an anonymous visit as a user: does not reset the plan's due date
    VISITE_MYSTERE = "visite_mystere"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return _VISIT_TYPE_LABELS[self]


_VISIT_TYPE_LABELS = {
    VisitType.SUIVI: "Suivi",
    VisitType.LABELLISATION: "Labellisation",
    VisitType.ACCOMPAGNEMENT: "Accompagnement renforcé",
    VisitType.PORTES_OUVERTES: "Portes ouvertes",
    VisitType.CONTROLE_QUALITE: "Contrôle qualité",
    VisitType.VISITE_MYSTERE: "Visite mystère",
    VisitType.AUTRE: "Autre",
}


class VisitStatus(StrEnum):
    DRAFT = "brouillon"
    FINALISED = "finalisee"

    @property
    def label(self) -> str:
        return "Brouillon" if self is VisitStatus.DRAFT else "Finalisée"


class FollowUpStatus(StrEnum):
    OPEN = "ouvert"
    IN_PROGRESS = "en_cours"
    DONE = "fait"
    ABANDONED = "abandonne"

    @property
    def label(self) -> str:
        return _FU_STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        return self in (FollowUpStatus.DONE, FollowUpStatus.ABANDONED)


_FU_STATUS_LABELS = {
    FollowUpStatus.OPEN: "Ouvert",
    FollowUpStatus.IN_PROGRESS: "En cours",
    FollowUpStatus.DONE: "Fait",
    FollowUpStatus.ABANDONED: "Abandonné",
}


class OwnerKind(StrEnum):
    ANIMATOR = "animateur"
    STRUCTURE = "structure"
    PREFECTURE = "prefecture"
    PARTNER = "partenaire"

    @property
    def label(self) -> str:
        return _OWNER_LABELS[self]


_OWNER_LABELS = {
    OwnerKind.ANIMATOR: "Animateur",
    OwnerKind.STRUCTURE: "Structure",
    OwnerKind.PREFECTURE: "Préfecture",
    OwnerKind.PARTNER: "Opérateur / partenaire",
}


class Priority(StrEnum):
    LOW = "basse"
    NORMAL = "normale"
    HIGH = "haute"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Record(BaseModel):
    """Common part of every synced record; metadata comes from its writes."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False, defer_build=True)
    kind: ClassVar[str] = ""
    #: attributes stored as one field per key (``answers.<key>.<sub>``)
    maps: ClassVar[tuple[str, ...]] = ()

    id: str
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    author: str = ""
    conflicted: bool = False
    deleted: bool = False

    META: ClassVar[frozenset[str]] = frozenset(
        {"id", "created_at", "updated_at", "author", "conflicted"}
    )

    @classmethod
    def from_fields(cls, record_id: str, fields: dict[str, Any], **meta: Any) -> Self:
        """Build the model from flat writes, unflattening the dotted map fields."""
        data: dict[str, Any] = {"id": record_id, **meta}
        for name, value in fields.items():
            if name.startswith("purge:"):  # RGPD purges (sync/purge.py): never a model field
                continue
            head, _, rest = name.partition(".")
            if rest and head in cls.maps:
                key, _, sub = rest.partition(".")
                entry = data.setdefault(head, {}).setdefault(key, {})
                if sub:
                    entry[sub] = value
                else:
                    data[head][key] = value
            else:
                data[name] = value
        return cls.model_validate(data)

    def to_fields(self) -> dict[str, Any]:
        """Flatten to ``{field: JSON value}``, the unit of a write."""
        dumped = self.model_dump(mode="json", exclude=set(self.META))
        out: dict[str, Any] = {}
        for name, value in dumped.items():
            if name in self.maps and isinstance(value, dict):
                for key, entry in value.items():
                    if isinstance(entry, dict):
                        for sub, sub_value in entry.items():
                            out[f"{name}.{key}.{sub}"] = sub_value
                    else:
                        out[f"{name}.{key}"] = entry
            else:
                out[name] = value
        return out


class Site(Record):
    kind: ClassVar[str] = "site"

    id_fs: str = ""
    name: str
    department: str = ""
    address: str = ""
    address_extra: str = ""
    postal_code: str = ""
    commune: str = ""
    insee_com: str = ""
    latitude: float | None = None
    longitude: float | None = None
    email: str = ""
    phone: str = ""
    hours: dict[str, str] = Field(default_factory=dict)
    appointment: bool | None = None
    comment: str = ""
    type_fs: str = ""
    format_fs: str = ""
    group_fs: str = ""
    labelled_on: dt.date | None = None
    labellisation_raw: str = ""
    #: False once a re-import no longer lists the site (kept under its last name)
    in_directory: bool = True
    source: str = "annuaire"

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("le nom de la structure est vide")
        return value.strip()


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    status: AnswerStatus | None = None
    value: int | float | str | None = None
    comment: str = ""
    #: pre-filled from the directory, to be confirmed on site
    prefilled: bool = False
    #: set by the app at visit start (e.g. Sans objet for another site format); editable
    automatic: bool = False

    @property
    def is_answered(self) -> bool:
        return self.status is not None or self.value not in (None, "")


class VisitEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    what: str  # "finalisee" | "reouverte"
    at: dt.datetime
    by: str = ""


class Visit(Record):
    kind: ClassVar[str] = "visit"
    maps: ClassVar[tuple[str, ...]] = ("answers", "events", "sendings", "reply_items")
    #: ``created_at`` is a plain field of a visit (written when it is started), not metadata
    #: read from its first write, so authorship does not depend on how writes are kept.
    META: ClassVar[frozenset[str]] = Record.META - {"created_at"}

    site_id: str
    #: the animator who started the visit (its author on every report)
    created_by: str = ""
    date: dt.date
    visit_type: VisitType = VisitType.SUIVI
    participants: str = ""
    status: VisitStatus = VisitStatus.DRAFT
    template_id: str
    template_version: int
    answers: dict[str, Answer] = Field(default_factory=dict)
    events: dict[str, VisitEvent] = Field(default_factory=dict)
    notes: str = ""
    #: the report sent, once per sending (see ``fsfield/domain/reply.py``)
    sendings: dict[str, Sending] = Field(default_factory=dict)
    #: the structure's reply
    reply_on: dt.date | None = None
    reply_text: str = ""
    reply_items: dict[str, Stance] = Field(default_factory=dict)

    @field_validator("reply_items", mode="before")
    @classmethod
    def _drop_withdrawn(cls, value: Any) -> Any:
        # A stance withdrawn is written as None (a write never disappears).
        return {k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else value

    def answer(self, item_id: str) -> Answer:
        return self.answers.get(item_id) or Answer()

    @property
    def version(self) -> str:
        """Fingerprint of the report's content (see :func:`content_version`)."""
        return content_version(self.to_fields())

    def sent(self) -> list[Sending]:
        """The sendings of the report, oldest first."""
        return sorted(self.sendings.values(), key=lambda s: (s.on, s.to))

    @property
    def changed_since_sent(self) -> bool:
        """True when the report was sent and the visit changed after the last sending."""
        sent = self.sent()
        return bool(sent) and sent[-1].version != self.version

    @property
    def has_reply(self) -> bool:
        """True when the structure's reply was recorded."""
        return self.reply_on is not None or bool(self.reply_text.strip() or self.reply_items)

    def history(self) -> list[VisitEvent]:
        return sorted(self.events.values(), key=lambda e: e.at)

    @property
    def made_by(self) -> str:
        """Who started the visit (older visits: the author of its first write)."""
        return self.created_by or self.author

    @property
    def finalised_by(self) -> str:
        """Who finalised it last ("" while it is a draft)."""
        if self.status is not VisitStatus.FINALISED:
            return ""
        done = [e for e in self.history() if e.what == "finalisee"]
        return done[-1].by if done else ""


class FollowUp(Record):
    kind: ClassVar[str] = "followup"

    text: str
    site_id: str
    visit_id: str | None = None
    item_id: str | None = None
    mission_id: str | None = None
    owner_kind: OwnerKind = OwnerKind.ANIMATOR
    owner_name: str = ""
    due: dt.date | None = None
    priority: Priority = Priority.NORMAL
    status: FollowUpStatus = FollowUpStatus.OPEN
    notes: str = ""
    closing_note: str = ""
    closed_on: dt.date | None = None

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("le texte du suivi est vide")
        return value.strip()

    @property
    def owner_label(self) -> str:
        if self.owner_kind is OwnerKind.PARTNER and self.owner_name:
            return self.owner_name
        return self.owner_kind.label

    def is_overdue(self, today: dt.date) -> bool:
        return not self.status.is_closed and self.due is not None and self.due < today


class Settings(BaseModel):
    """Per-laptop settings (not synced)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    animator: str = ""
    department: str = ""
    template_path: str | None = None
    central: str | None = None
    #: the animator's office, home base of the plan's day trips (latitude, longitude)
    office_latitude: float | None = None
    office_longitude: float | None = None
    #: the plan's rules file (None: the packaged templates/plan.toml)
    plan_rules_path: str | None = None
    #: personal token for a sync server (never printed: kept out of repr)
    sync_token: str | None = Field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.animator.strip() and self.department.strip())


__all__ = [name for name in dir() if not name.startswith("_")] + [
    "french_date", "parse_french_date"]
