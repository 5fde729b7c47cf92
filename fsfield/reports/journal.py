"""Activity journal operations shared by the command line and the TUI."""

from __future__ import annotations

from dataclasses import dataclass

from fsfield.domain.activity import (
    Activity,
    parse_activity_type,
    parse_attendance,
    partner_short,
    resolve_partners,
)
from fsfield.domain.messages import how_many
from fsfield.domain.models import Site, french_date, parse_french_date
from fsfield.reports.lookup import ReportError, find_site
from fsfield.store import activities as activities_store
from fsfield.store.repo import Store


@dataclass(frozen=True)
class ActivityInput:
    """What the user typed for an activity (every field as text)."""

    activity_type: str
    date: str
    title: str
    attendance: str = ""
    sites: str = ""
    partners: str = ""
    notes: str = ""


def split_list(text: str) -> list[str]:
    """``"CAF, MSA"`` -> ``["CAF", "MSA"]`` (commas or semicolons)."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def resolve_sites(store: Store, text: str) -> list[str]:
    """Site record ids for a list of references (id_fs, uuid prefix, part of the name)."""
    ids: list[str] = []
    for ref in split_list(text):
        try:
            site = find_site(store, ref)
        except ReportError as exc:
            raise ValueError(f"structure : {exc}") from None
        if site.id not in ids:
            ids.append(site.id)
    return ids


def activity_fields(store: Store, typed: ActivityInput) -> dict[str, object]:
    """Validated field values for an activity; ValueError with the French reason otherwise."""
    try:
        date = parse_french_date(typed.date)
    except ValueError as exc:
        raise ValueError(f"date refusée : {exc}") from None
    if not typed.title.strip():
        raise ValueError("le titre de l'activité est vide")
    return {
        "activity_type": parse_activity_type(typed.activity_type or "autre"),
        "date": date,
        "title": typed.title.strip(),
        "attendance": parse_attendance(typed.attendance),
        "site_ids": resolve_sites(store, typed.sites),
        "partners": resolve_partners(split_list(typed.partners)),
        "notes": typed.notes.strip(),
    }


def add_activity(store: Store, typed: ActivityInput) -> Activity:
    """Validate and save a new activity (nothing is written when refused: ValueError)."""
    return activities_store.create_activity(store, **activity_fields(store, typed))


def edit_activity(store: Store, activity_id: str, typed: ActivityInput) -> Activity:
    """Validate and save changes to an activity (only changed fields are written)."""
    return activities_store.update_activity(store, activity_id, **activity_fields(store, typed))


def activities(store: Store, year: int | None = None) -> list[Activity]:
    """Activities of the journal (of ``year`` if given), by date."""
    items = [a for a in store.all(Activity) if year is None or a.date.year == year]
    return sorted(items, key=lambda a: (a.date, a.title.casefold(), a.id))


def site_names(store: Store, activity: Activity) -> list[str]:
    """Names of the activity's sites (the id when the site is unknown here)."""
    names = []
    for site_id in activity.site_ids:
        site = store.find(Site, site_id)
        names.append(site.name if site else site_id)
    return names


def as_input(store: Store, activity: Activity) -> ActivityInput:
    """The text form of an activity, to edit it."""
    sites = []
    for site_id in activity.site_ids:
        site = store.find(Site, site_id)
        sites.append((site.id_fs or site.id) if site else site_id)
    return ActivityInput(
        activity_type=activity.activity_type.cli_name,
        date=french_date(activity.date),
        title=activity.title,
        attendance="" if activity.attendance is None else str(activity.attendance),
        sites=", ".join(sites),
        partners=", ".join(partner_short(p) for p in activity.partners),
        notes=activity.notes,
    )


def summary_line(store: Store, activity: Activity) -> str:
    """One line for ``fsfield activity list``."""
    who = "" if activity.attendance is None else f" — {how_many(activity.attendance, 'participant')}"
    extra = [partner_short(p) for p in activity.partners] + site_names(store, activity)
    more = f" — {', '.join(extra)}" if extra else ""
    return (f"{french_date(activity.date)}  {activity.activity_type.label:<32}  "
            f"{activity.title}{who}{more}  [{activity.id[:8]}]")

