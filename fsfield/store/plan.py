"""The visit plan read from the store: the facts of every site, the rules, the home base.

Facts are read straight from the replica's live values (ISO dates compare as text), without a
pydantic model per visit: the national list with ten years of visits must plan in well under a
second (bench/bench_plan.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fsfield.domain.models import FollowUpStatus, VisitStatus, VisitType
from fsfield.domain.plan import PlanEntry, SiteFacts, compute_plan
from fsfield.domain.plan_rules import PlanRules, load_plan_rules
from fsfield.domain.template import AnswerStatus
from fsfield.domain.trips import Point, Trip, centroid, plan_trips, working_days
from fsfield.store.repo import Store

_MYSTERE = VisitType.VISITE_MYSTERE.value
_FINAL = VisitStatus.FINALISED.value
_NC = AnswerStatus.NON_CONFORME.value
_CLOSED = (FollowUpStatus.DONE.value, FollowUpStatus.ABANDONED.value)


def site_facts(store: Store, today: dt.date) -> list[SiteFacts]:
    """Facts of every site still in the directory (or added by hand), deleted ones excluded."""
    rep, now = store.replica, today.isoformat()
    last: dict[str, str] = {}
    last_final: dict[str, tuple[str, str]] = {}
    # Ten years of a whole country is ~30,000 visits: their fields are read in bulk.
    deleted, values = rep.is_deleted, rep.values
    visit_fields = ("date", "site_id", "visit_type", "status")
    for rec in rep.records("visit"):
        date, site, kind, status = values(rec, visit_fields)
        date = date or ""
        if date > now or deleted(rec):
            continue
        if kind != _MYSTERE and date > last.get(site, ""):
            last[site] = date
        if status == _FINAL and (date, rec) > last_final.get(site, ("", "")):
            last_final[site] = (date, rec)
    overdue: dict[str, int] = {}
    for rec in rep.records("followup"):
        status, due, site = values(rec, ("status", "due", "site_id"))
        if status in _CLOSED or not due or due >= now or deleted(rec):
            continue
        overdue[site] = overdue.get(site, 0) + 1
    facts = []
    status_fields = _status_fields(store)
    site_fields = ("in_directory", "labelled_on", "name", "id_fs", "commune", "address",
                   "format_fs", "latitude", "longitude")
    for rec in rep.records("site"):
        in_dir, labelled, name, id_fs, commune, address, fmt, lat, lon = values(rec, site_fields)
        if in_dir is False or deleted(rec):
            continue
        nc = False
        if rec in last_final:
            visit = last_final[rec][1]
            names = status_fields(*values(visit, ("template_id", "template_version")))
            if names is None:  # a template this laptop cannot read: look at every field
                names = tuple(n for n in rep.fields(visit) if n.startswith("answers.")
                              and n.endswith(".status"))
            nc = _NC in values(visit, names)
        facts.append(SiteFacts(
            site_id=rec, name=name or "", id_fs=id_fs or "", commune=commune or "",
            address=address or "", format_fs=fmt or "",
            latitude=_float(lat), longitude=_float(lon),
            labelled_on=dt.date.fromisoformat(labelled) if labelled else None,
            last_visit=dt.date.fromisoformat(last[rec]) if rec in last else None,
            open_non_conforme=nc, overdue_followups=overdue.get(rec, 0),
        ))
    return facts


def _status_fields(store: Store) -> Callable[[object, object], tuple[str, ...] | None]:
    """Field names of the status answers of a template version (None if unknown), cached."""
    from fsfield.domain.template import ItemKind, TemplateError
    from fsfield.store.templates import template_for

    cache: dict[tuple[object, object], tuple[str, ...] | None] = {}

    def names(template_id: object, version: object) -> tuple[str, ...] | None:
        key = (template_id, version)
        if key not in cache:
            try:
                template = template_for(store, str(template_id), int(version))  # type: ignore[arg-type]
            except (TemplateError, TypeError, ValueError):
                template = None
            cache[key] = None if template is None else tuple(
                f"answers.{i.id}.status" for i in template.items() if i.kind is ItemKind.STATUS)
        return cache[key]

    return names


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def office_location(store: Store, text: str) -> Point:
    """``45.83,1.26`` (a French ``45,83;1,26`` too) or the id_fs of a site with coordinates.

    ValueError with a French reason otherwise.
    """
    cleaned = text.strip()
    parts = cleaned.split(";") if ";" in cleaned else cleaned.split(",")
    if len(parts) == 2:
        try:
            lat, lon = (float(p.strip().replace(",", ".")) for p in parts)
        except ValueError:
            raise ValueError(f"bureau « {text} » : attendu LATITUDE,LONGITUDE, "
                             "ex. 45.8336,1.2611") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"bureau « {text} » : coordonnées hors limites")
        return (lat, lon)
    site = store.site_by_id_fs().get(cleaned)
    if site is None:
        raise ValueError(f"bureau « {text} » : ni des coordonnées LATITUDE,LONGITUDE, "
                         "ni l'id_fs d'une structure connue")
    if site.latitude is None or site.longitude is None:
        raise ValueError(f"bureau « {text} » : la structure {site.name} n'a pas de coordonnées")
    return (site.latitude, site.longitude)


def plan_rules(store: Store, path: Path | None = None) -> PlanRules:
    """The rules: ``path``, else the settings' file, else the packaged default.

    Raises PlanRulesError (file, line, reason).
    """
    chosen = path or (Path(store.settings.plan_rules_path)
                      if store.settings.plan_rules_path else None)
    return load_plan_rules(chosen)


@dataclass(frozen=True)
class Plan:
    """The plan: every site's entry, and the day trips of the next weeks."""

    today: dt.date
    entries: list[PlanEntry]
    trips: list[Trip]
    #: due within the horizon but not fitted in a trip (too many for the days)
    left_over: list[PlanEntry]
    home: Point | None
    #: True when the home base is the animator's office (else the sites' centre)
    home_is_office: bool
    weeks: int
    stops_per_day: int


def build_plan(store: Store, today: dt.date, *, weeks: int = 8,
               rules: PlanRules | None = None, stops_per_day: int | None = None) -> Plan:
    """The whole plan as of ``today``: trips on the working days of the next ``weeks`` weeks."""
    rules = rules or plan_rules(store)
    return _build(store, today, weeks, rules, stops_per_day)


def _build(store: Store, today: dt.date, weeks: int, rules: PlanRules,
           stops_per_day: int | None) -> Plan:
    entries = compute_plan(site_facts(store, today), rules, today)
    settings = store.settings
    home: Point | None
    if settings.office_latitude is not None and settings.office_longitude is not None:
        home, is_office = (settings.office_latitude, settings.office_longitude), True
    else:
        home = centroid([(e.site.latitude, e.site.longitude) for e in entries
                         if e.site.latitude is not None and e.site.longitude is not None])
        is_office = False
    k = stops_per_day or rules.trips.stops_per_day
    days = working_days(today + dt.timedelta(days=1), today + dt.timedelta(weeks=weeks))
    trips, left = plan_trips(entries, home or (0.0, 0.0), days, stops_per_day=k,
                             advance_days=rules.trips.advance_days)
    return Plan(today, entries, trips, left, home, is_office, weeks, k)
