"""CSV (French Excel: ``;``, UTF-8 with BOM, dd/mm/yyyy) and JSON exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from fsfield.domain.models import FollowUp, Site, Visit, french_date
from fsfield.store.repo import Store
from fsfield.store.templates import template_for


class ExportError(Exception):
    """The export cannot be made (message in French)."""


def french_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as French Excel opens it: ``;`` separated, UTF-8 with BOM, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


#: what makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return french_date(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return neutralise(str(value))


def neutralise(text: str) -> str:
    """A text cell Excel or LibreOffice would run as a formula gets a leading ``'`` (OWASP);
    a number typed as text (``-3``, ``12,5``) stays a number, with a decimal comma."""
    if _NUMBER.fullmatch(text):
        return text.replace(".", ",")
    return "'" + text if text.startswith(FORMULA_START) else text


def _sites_rows(store: Store) -> tuple[list[str], list[list[Any]]]:
    from fsfield.domain.hours import parse_week

    header = ["id_fs", "nom", "commune", "code postal", "adresse", "format", "téléphone",
              "courriel", "heures hebdo", "jours ouverts", "24 h / 5 jours", "dans l'annuaire"]
    rows = []
    for s in store.sites():
        week = parse_week(s.hours)
        verdict = {True: "conforme", False: "non conforme", None: "à vérifier"}[week.meets_minimum]
        rows.append([s.id_fs, s.name, s.commune, s.postal_code, s.address, s.format_fs, s.phone,
                     s.email, week.weekly_hours, week.days_open, verdict, s.in_directory])
    return header, rows


def _visits_rows(store: Store) -> tuple[list[str], list[list[Any]]]:
    header = ["date", "structure", "type", "statut", "mission", "élément", "réponse", "valeur",
              "commentaire", "id visite"]
    sites = {s.id: s for s in store.all(Site)}
    rows = []
    for visit in sorted(store.visits(), key=lambda v: v.date):
        site = sites.get(visit.site_id)
        template = template_for(store, visit.template_id, visit.template_version)
        order = {item.id: n for n, item in enumerate(template.items())} if template else {}
        for item_id in sorted(visit.answers, key=lambda i: (order.get(i, 10**6), i)):
            answer = visit.answers[item_id]
            item = template.item(item_id) if template and item_id in order else None
            mission = template.mission_of(item_id).title if item is not None else ""
            rows.append([visit.date, site.name if site else visit.site_id, visit.visit_type.label,
                         visit.status.label, mission, item.label if item else item_id,
                         answer.status.label if answer.status else "", answer.value,
                         answer.comment, visit.id])
    return header, rows


def _followups_rows(store: Store) -> tuple[list[str], list[list[Any]]]:
    header = ["structure", "suivi", "responsable", "échéance", "priorité", "statut", "origine",
              "notes", "clôture", "id"]
    sites = {s.id: s for s in store.all(Site)}
    visits = {v.id: v for v in store.all(Visit)}
    rows = []
    for f in store.followups():
        site = sites.get(f.site_id)
        visit = visits.get(f.visit_id or "")
        origin = f"visite du {french_date(visit.date)}" if visit else ""
        if f.item_id:
            label = _item_label(store, visit, f.item_id)
            origin = f"{origin} — {label}" if origin else label
        rows.append([site.name if site else f.site_id, f.text, f.owner_label, f.due,
                     f.priority.label, f.status.label, origin, f.notes, f.closing_note, f.id])
    return header, rows


def _item_label(store: Store, visit: Visit | None, item_id: str) -> str:
    """The label of a checklist item (the follow-up's origin), from the visit's own version of
    the checklist, else the current one; the id only when neither knows it."""
    from fsfield.domain.template import TemplateError
    from fsfield.store.templates import current_template

    templates = [template_for(store, visit.template_id, visit.template_version)] if visit else []
    try:
        templates.append(current_template(store))
    except TemplateError:
        pass
    for template in templates:
        if template is None:
            continue
        try:
            return template.item(item_id).label
        except KeyError:
            continue
    return item_id


def export(store: Store, what: str, fmt: str) -> bytes:
    """The bytes of an export of ``what`` (sites, visits, followups) as ``fmt`` (csv, json)."""
    if what not in ("sites", "visits", "followups"):
        raise ExportError(f"export inconnu : {what}")
    if fmt == "json":
        models = {"sites": store.sites, "visits": store.visits, "followups": store.followups}[what]()
        return orjson.dumps([m.model_dump(mode="json") for m in models],
                            option=orjson.OPT_INDENT_2) + b"\n"
    if fmt != "csv":
        raise ExportError(f"format inconnu : {fmt} (csv ou json)")
    builders = {"sites": _sites_rows, "visits": _visits_rows, "followups": _followups_rows}
    header, rows = builders[what](store)
    return french_csv(header, rows)


__all__ = ["export", "french_csv", "ExportError", "FollowUp"]
