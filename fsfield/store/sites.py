"""Sites: the only way to add or change one, by hand or by importing the official directory
(all or nothing).

What the animator types goes through the card rules (domain/site_card.py: postal code and
commune code of the département, phone, e-mail, hours) and then the whole Site model; a
refusal is a ValueError with the French reason, and nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from fsfield.domain.directory import DirectoryEntry
from fsfield.domain.messages import how_many, plural
from fsfield.domain.models import Site
from fsfield.domain.site_card import CardError, check_card, check_hours
from fsfield.store import messages as msg
from fsfield.store.repo import Store, validation_message
from fsfield.store.storage import StoreError


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    left: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One French line for the user."""
        parts = [
            how_many(len(self.added), "ajoutée"),
            how_many(len(self.updated), "mise à jour", "mises à jour"),
            how_many(self.unchanged, "inchangée"),
        ]
        if self.left:
            left = len(self.left)
            parts.append(f"{how_many(left, 'absente')} de l'annuaire "
                         f"({plural(left, 'conservée', 'conservées')})")
        return "Structures : " + ", ".join(parts) + "."


SITE_NAMESPACE = uuid.UUID("5d3f1f0e-6a0b-4c39-9a51-f5f1e0c0a087")


def site_record_id(id_fs: str) -> str:
    """The record id of a directory site: the same on every laptop that imports it, so two
    imports of the directory merge instead of making duplicates."""
    return str(uuid.uuid5(SITE_NAMESPACE, f"france-services:{id_fs}"))


def site_from_entry(entry: DirectoryEntry, site_id: str = "") -> Site:
    """The Site a directory row describes."""
    return Site(
        id=site_id,
        id_fs=entry.id_fs,
        name=entry.name,
        department=entry.insee_dep,
        address=entry.address or "",
        address_extra=entry.address_extra or "",
        postal_code=entry.postal_code or "",
        commune=entry.commune or "",
        insee_com=entry.insee_com or "",
        latitude=entry.latitude,
        longitude=entry.longitude,
        email=entry.email or "",
        phone=entry.phone or "",
        hours=dict(entry.hours),
        appointment=entry.appointment,
        comment=entry.comment or "",
        type_fs=entry.type_fs or "",
        format_fs=entry.format_fs or "",
        group_fs=entry.group_fs or "",
        labelled_on=entry.labelled_on,
        labellisation_raw=entry.labellisation_raw or "",
        in_directory=True,
        source="annuaire",
    )


def import_sites(store: Store, entries: list[DirectoryEntry], department: str) -> ImportResult:
    """Upsert sites by ``id_fs`` in one durable save; a re-import never duplicates.

    Sites of the département that the list no longer has are kept, flagged
    ``in_directory = False`` (their visits and follow-ups stay readable).
    Raises StoreError (nothing written) when a row cannot become a Site.
    """
    existing = store.site_by_id_fs()
    result = ImportResult()
    planned: list[tuple[str, str, dict]] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.id_fs in seen:
            continue
        seen.add(entry.id_fs)
        current = existing.get(entry.id_fs)
        try:
            site = site_from_entry(entry, current.id if current else "")
        except ValidationError as exc:
            raise StoreError(
                f"Structure {entry.id_fs} refusée : {validation_message(exc)}. Rien n'a été importé."
            ) from None
        fields = site.to_fields()
        fields.pop("deleted", None)
        if current is None:
            planned.append(("add", site_record_id(entry.id_fs), fields))
            result.added.append(site.name)
            continue
        old = current.to_fields()
        diff = {k: v for k, v in fields.items() if old.get(k, object()) != v}
        if diff:
            planned.append(("update", current.id, diff))
            result.updated.append(site.name)
        else:
            result.unchanged += 1
    for id_fs, site in existing.items():
        if id_fs not in seen and site.department == department and site.in_directory:
            planned.append(("update", site.id, {"in_directory": False}))
            result.left.append(site.name)
    with store.storage.batch():
        for action, site_id, fields in planned:
            if action == "add":
                store.create(Site.model_validate({**fields, "id": site_id}))
            else:
                store.write_fields(Site.kind, site_id, fields)
    return result


def _card(values: dict[str, Any], department: str,
          hours_before: dict[str, str] | None = None) -> dict[str, Any]:
    """Card fields typed by hand, checked and normalised (ValueError naming the field)."""
    out = check_card({k: v for k, v in values.items() if isinstance(v, str)}, department)
    out = {**values, **out}
    if "name" in out and not str(out["name"]).strip():
        raise CardError("name", msg.SITE_NAME_EMPTY)
    if isinstance(out.get("hours"), dict):
        hours = {}
        for day, text in out["hours"].items():
            if (hours_before or {}).get(day) == text:
                hours[day] = text  # as it was (the directory's own words): not re-checked
                continue
            try:
                checked = check_hours(day, str(text))
            except ValueError as exc:
                raise CardError(f"hours.{day}", str(exc)) from None
            if checked:
                hours[day] = checked
        out["hours"] = hours
    return out


def create_site(store: Store, **values: Any) -> Site:
    """Add a site by hand (``source = "manuel"``); returns it."""
    department = str(values.get("department") or store.settings.department)
    fields = _card({"source": "manuel", **values,
                    "department": department}, department)
    try:
        site = Site.model_validate({"id": "", **fields})
    except ValidationError as exc:
        raise ValueError(validation_message(exc)) from None
    return store.create(site)


def update_site(store: Store, site_id: str, **changes: Any) -> Site:
    """Correct a site's card (phone, e-mail, hours…); only changed fields are written."""
    current = store.get(Site, site_id)
    department = str(changes.get("department") or current.department)
    typed = {k: v for k, v in changes.items() if getattr(current, k, None) != v}
    checked = _card(typed, department, current.hours)
    return store.update(Site, site_id, **checked)
