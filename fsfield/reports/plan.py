"""The visit plan as text, JSON and iCalendar (RFC 5545: Thunderbird, Outlook).

Each proposed visit is an all-day event. Its UID is made of the site's record id and of the
last visit the due date was computed from: planning again before the visit moves or keeps the
same event (importing updates it, never duplicates it); once the visit is made, the next
cycle gets a new event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fsfield.domain.messages import how_many
from fsfield.domain.models import french_date
from fsfield.domain.plan import PlanEntry
from fsfield.store.plan import Plan

PRODID = "-//fsfield//Plan de visites France services//FR"


def due_text(entry: PlanEntry, today: dt.date) -> str:
    """``15/03/2026`` or ``15/03/2026 (en retard de 12 j)``."""
    if entry.due == dt.date.max:
        return "—"
    late = entry.overdue_days(today)
    return french_date(entry.due) + (f" (en retard de {late} j)" if late else "")


def home_text(plan: Plan) -> str:
    """Where the trips start from, in French."""
    if plan.home is None:
        return "Point de départ : aucun (aucune structure n'a de coordonnées)."
    lat, lon = plan.home
    if plan.home_is_office:
        return f"Point de départ : le bureau ({lat:.4f}, {lon:.4f})."
    return (f"Point de départ : centre des structures ({lat:.4f}, {lon:.4f}) ; indiquez votre "
            "bureau : fsfield config --bureau LATITUDE,LONGITUDE")


def render_text(plan: Plan) -> str:
    """The plan for the terminal: every site due, overdue first, then the day trips."""
    today = plan.today
    out = [f"Plan de visites au {french_date(today)} — {how_many(len(plan.entries), 'structure')}", ""]
    if not plan.entries:
        return out[0] + "\nAucune structure. Importez l'annuaire : fsfield sites import FICHIER.csv\n"
    for e in plan.entries:
        flags = "".join(f" [{f}]" for f in e.flags)
        out.append(f"{due_text(e, today):<30} {e.site.name}{flags} — {e.reason}")
    out += ["", f"Tournées proposées ({how_many(plan.weeks, 'semaine')}, au plus "
            f"{how_many(plan.stops_per_day, 'visite')} par jour, jours ouvrés)", home_text(plan)]
    if not plan.trips:
        out.append("Aucune visite à proposer sur la période.")
    for trip in plan.trips:
        dist = f"{trip.distance_km:.0f} km à vol d'oiseau" if trip.distance_km is not None \
            else "sans coordonnées : itinéraire à établir"
        out.append(f"{_weekday(trip.date)} {french_date(trip.date)} — {dist}")
        for n, stop in enumerate(trip.stops, 1):
            flags = "".join(f" [{f}]" for f in stop.flags)
            out.append(f"  {n}. {stop.site.name} ({stop.site.commune or '—'}){flags} — "
                       f"échéance {due_text(stop, today)}")
    if plan.left_over:
        out += ["", f"{how_many(len(plan.left_over), 'structure')} à visiter sur la période sans place "
                "dans les tournées : " + ", ".join(e.site.name for e in plan.left_over)]
    return "\n".join(out) + "\n"


_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _weekday(day: dt.date) -> str:
    return _WEEKDAYS[day.weekday()].capitalize()


def _entry_json(e: PlanEntry, today: dt.date) -> dict[str, Any]:
    return {
        "site_id": e.site.site_id, "id_fs": e.site.id_fs, "name": e.site.name,
        "commune": e.site.commune, "format_fs": e.site.format_fs,
        "latitude": e.site.latitude, "longitude": e.site.longitude,
        "last_visit": e.site.last_visit.isoformat() if e.site.last_visit else None,
        "due": None if e.due == dt.date.max else e.due.isoformat(),
        "overdue_days": e.overdue_days(today) if e.due != dt.date.max else 0,
        "rule": e.rule_id, "reason": e.reason, "flags": e.flags,
    }


def render_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data."""
    return {
        "today": plan.today.isoformat(), "weeks": plan.weeks,
        "stops_per_day": plan.stops_per_day,
        "home": None if plan.home is None else {
            "latitude": plan.home[0], "longitude": plan.home[1], "office": plan.home_is_office},
        "entries": [_entry_json(e, plan.today) for e in plan.entries],
        "trips": [{"date": t.date.isoformat(), "distance_km": t.distance_km,
                   "stops": [s.site.site_id for s in t.stops]} for t in plan.trips],
        "left_over": [e.site.site_id for e in plan.left_over],
    }


def event_uid(entry: PlanEntry) -> str:
    """Stable UID of the proposed visit (same site and same cycle → same event)."""
    basis = entry.site.last_visit.isoformat() if entry.site.last_visit else "jamais"
    return f"fsfield-plan-{entry.site.site_id}-{basis}@fsfield"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: lines of at most 75 octets, continuation lines start with a space."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def render_ics(plan: Plan, stamp: dt.datetime | None = None) -> bytes:
    """The proposed visits as an iCalendar file (UTF-8, CRLF line ends)."""
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Plan de visites France services"]
    for trip in plan.trips:
        for n, stop in enumerate(trip.stops, 1):
            site = stop.site
            description = [f"Étape {n}/{len(trip.stops)} de la tournée du {french_date(trip.date)}.",
                           f"Échéance : {due_text(stop, plan.today)}.", f"Raison : {stop.reason}"]
            if not site.has_coordinates:
                description.append("Structure sans coordonnées : itinéraire à établir.")
            event = [
                "BEGIN:VEVENT",
                f"UID:{event_uid(stop)}",
                f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                f"DTSTART;VALUE=DATE:{trip.date:%Y%m%d}",
                f"DTEND;VALUE=DATE:{trip.date + dt.timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_escape(f'Visite — {site.name}')}",
                f"DESCRIPTION:{_escape(chr(10).join(description))}",
                "TRANSP:TRANSPARENT",
                "CATEGORIES:France services",
            ]
            location = ", ".join(p for p in (site.address, site.commune) if p)
            if location:
                event.append(f"LOCATION:{_escape(location)}")
            if site.has_coordinates:
                event.append(f"GEO:{site.latitude:.6f};{site.longitude:.6f}")
            event.append("END:VEVENT")
            lines += event
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line)).encode("utf-8")
