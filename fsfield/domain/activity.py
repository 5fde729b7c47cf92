"""The activity journal: what the animator does beyond site visits.

Monthly video meetings of the network, seminars, meetings with operators and partners, the
October open days, trainings... Each is an :class:`Activity` record, stored and synced like a
visit (one write per field; the site and partner lists are each one field).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, field_validator

from fsfield.domain.messages import plural
from fsfield.domain.models import Record
from fsfield.domain.template import PartnerList, load_partners


class ActivityType(StrEnum):
    """Kinds of activity the annual report counts separately."""

    VISIO = "visio"
    SEMINAIRE = "seminaire"
    REUNION = "reunion_partenaires"
    PORTES_OUVERTES = "portes_ouvertes"
    FORMATION = "formation"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        """French label shown to the user."""
        return _TYPE_LABELS[self]

    @property
    def short_label(self) -> str:
        """Short French label for narrow tables."""
        return _SHORT_LABELS[self]

    @property
    def cli_name(self) -> str:
        """Short name typed on the command line (``--type visio``)."""
        return _CLI_NAMES[self]


_TYPE_LABELS = {
    ActivityType.VISIO: "Visioconférence du réseau",
    ActivityType.SEMINAIRE: "Séminaire",
    ActivityType.REUNION: "Réunion opérateurs / partenaires",
    ActivityType.PORTES_OUVERTES: "Journées portes ouvertes",
    ActivityType.FORMATION: "Formation",
    ActivityType.AUTRE: "Autre",
}
_SHORT_LABELS = {
    ActivityType.VISIO: "Visio réseau",
    ActivityType.SEMINAIRE: "Séminaire",
    ActivityType.REUNION: "Réunion partenaires",
    ActivityType.PORTES_OUVERTES: "Portes ouvertes",
    ActivityType.FORMATION: "Formation",
    ActivityType.AUTRE: "Autre",
}
_CLI_NAMES = {
    ActivityType.VISIO: "visio",
    ActivityType.SEMINAIRE: "seminaire",
    ActivityType.REUNION: "reunion",
    ActivityType.PORTES_OUVERTES: "portes-ouvertes",
    ActivityType.FORMATION: "formation",
    ActivityType.AUTRE: "autre",
}


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed (for matching what people type)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def parse_activity_type(text: str) -> ActivityType:
    """The type named by ``text`` (short name, stored value or label, any case or accents).

    Raises ValueError with a French reason listing the accepted names.
    """
    wanted = fold(text).replace("_", "-").replace(" ", "-")
    for kind in ActivityType:
        names = {kind.cli_name, kind.value.replace("_", "-"), fold(kind.label).replace(" ", "-")}
        if wanted in names:
            return kind
    if wanted in ("visioconference", "reunion-mensuelle"):
        return ActivityType.VISIO
    accepted = ", ".join(k.cli_name for k in ActivityType)
    raise ValueError(f"type d'activité inconnu « {text} » (attendu : {accepted})")


def parse_attendance(text: str) -> int | None:
    """Number of participants typed by the user; None when empty. ValueError (French) otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"nombre de participants invalide « {text} » (nombre entier attendu)") from None
    if value < 0:
        raise ValueError(f"nombre de participants négatif ({value})")
    return value


def resolve_partners(tokens: Iterable[str], partners: PartnerList | None = None) -> list[str]:
    """Full partner names for what the user typed (id, short name, name or former name).

    Matching ignores case and accents. Raises ValueError naming the unknown entries and the
    accepted short names. Duplicates are dropped; the order typed is kept.
    """
    partners = partners or load_partners()
    index: dict[str, str] = {}
    for partner in partners.partners:
        for name in (partner.id, partner.short, partner.name, partner.formerly or ""):
            if name:
                index.setdefault(fold(name), partner.name)
    out: list[str] = []
    unknown: list[str] = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        name = index.get(fold(token))
        if name is None:
            unknown.append(token)
        elif name not in out:
            out.append(name)
    if unknown:
        accepted = ", ".join(p.short for p in partners.partners)
        raise ValueError(
            f"{plural(len(unknown), 'partenaire inconnu', 'partenaires inconnus')} : "
            f"{', '.join(unknown)} (connus : {accepted})"
        )
    return out


def partner_short(name: str, partners: PartnerList | None = None) -> str:
    """The short name of a partner stored under its full name (the name itself if unknown)."""
    partners = partners or load_partners()
    return next((p.short for p in partners.partners if p.name == name), name)


class Activity(Record):
    """One entry of the activity journal."""

    kind: ClassVar[str] = "activity"

    date: dt.date
    activity_type: ActivityType = ActivityType.AUTRE
    title: str
    #: Site record ids (uuids) of the France services involved
    site_ids: list[str] = Field(default_factory=list)
    #: Full names of the operators and partners involved (see partners.toml)
    partners: list[str] = Field(default_factory=list)
    #: Number of participants; None when not recorded
    attendance: int | None = Field(default=None, ge=0)
    notes: str = ""

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("le titre de l'activité est vide")
        return value.strip()
