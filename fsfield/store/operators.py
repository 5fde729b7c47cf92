"""The grid per operator in the store: partners to list, a visit's figures, local partners."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fsfield.domain.models import Visit
from fsfield.domain.operators import LocalPartner, OperatorFigures, OperatorRow
from fsfield.domain.template import load_partners
from fsfield.store.repo import Store

#: default period when the site has no earlier visit: the 12 months before the visit
DEFAULT_PERIOD_DAYS = 365


@dataclass(frozen=True)
class GridPartner:
    """One row of the grid: a partner of partners.toml, or a local partner record."""

    key: str
    name: str
    short: str
    local: bool


def grid_partners(store: Store) -> list[GridPartner]:
    """National operators, then the local partners (partners.toml's, then the added ones)."""
    listed = load_partners().partners
    out = [GridPartner(p.id, p.name, p.short, p.local) for p in listed if not p.local]
    out += [GridPartner(p.id, p.name, p.short, True) for p in listed if p.local]
    added = sorted(store.all(LocalPartner), key=lambda p: p.name.casefold())
    out += [GridPartner(p.id, p.name, p.short or p.name, True) for p in added]
    return out


def add_local_partner(store: Store, name: str, short: str = "") -> LocalPartner:
    """Add a local partner (a synced record). ValueError (French) for a blank or known name."""
    from fsfield.store.overview import fold

    if not name.strip():
        raise ValueError("le nom du partenaire est vide")
    known = {fold(p.name) for p in grid_partners(store)} | {fold(p.short) for p in grid_partners(store)}
    if fold(name.strip()) in known:
        raise ValueError(f"le partenaire « {name.strip()} » figure déjà dans la grille")
    return store.create(LocalPartner(id="", name=name.strip(), short=short.strip()))


def figures_of(store: Store, visit: Visit) -> OperatorFigures | None:
    """The visit's operator grid, or None if none was started."""
    found = [f for f in store.all(OperatorFigures) if f.visit_id == visit.id]
    return min(found, key=lambda f: (f.created_at or dt.datetime.min.replace(tzinfo=dt.UTC), f.id),
               default=None)


def default_period(store: Store, visit: Visit) -> tuple[dt.date, dt.date]:
    """Since the site's previous visit (the day after it) up to this visit's date."""
    earlier = [v.date for v in store.visits(visit.site_id) if v.id != visit.id and v.date < visit.date]
    start = max(earlier) + dt.timedelta(days=1) if earlier else \
        visit.date - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return start, visit.date


def start_figures(store: Store, visit: Visit) -> OperatorFigures:
    """The visit's grid, created (empty, default period) if there is none yet."""
    found = figures_of(store, visit)
    if found is not None:
        return found
    start, end = default_period(store, visit)
    return store.create(OperatorFigures(id="", site_id=visit.site_id, visit_id=visit.id,
                                        period_from=start, period_to=end))


def set_row(store: Store, figures: OperatorFigures, key: str, **values: Any) -> OperatorFigures:
    """Change some fields of one partner's row (referent, reachable, delay_days, requests).

    ValueError (French reason) for an invalid value: nothing is written.
    """
    allowed = set(OperatorRow.model_fields)
    fields = {}
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"champ inconnu « {name} »")
        fields[f"rows.{key}.{name}"] = value
    return store.set_fields(OperatorFigures, figures.id, fields)


def set_period(store: Store, figures: OperatorFigures, start: dt.date, end: dt.date) -> OperatorFigures:
    """Change the period the figures cover. ValueError (French) when it is reversed."""
    if start > end:
        raise ValueError("la période couverte commence après sa fin")
    return store.set_fields(OperatorFigures, figures.id,
                            {"period_from": start.isoformat(), "period_to": end.isoformat()})
