"""The operators' part of the annual report: requests per operator for the département.

Each visit's grid (domain/operators.py) covers a period. The year adds the periods inside it;
a period that crosses the first or last day of the year counts in proportion of its days in
the year (figures are then rounded for display only). Grids of deleted visits are left out.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from fsfield.domain.operators import OperatorFigures

TOP = 5


@dataclass(frozen=True)
class OperatorYear:
    """One operator or partner over the year."""

    key: str
    name: str
    requests: float
    #: sites whose grid gave a number of requests for this operator
    sites: int
    median_delay: float | None
    referents_reachable: int
    referents_asked: int


@dataclass(frozen=True)
class OperatorsYear:
    """Requests per operator, biggest first, and the share of the five biggest."""

    rows: list[OperatorYear]
    total: float
    grids: int
    covered_from: dt.date | None
    covered_to: dt.date | None

    @property
    def top_share(self) -> float | None:
        """Share of the :data:`TOP` biggest operators in all requests (None without requests)."""
        if not self.total:
            return None
        return sum(r.requests for r in self.rows[:TOP]) / self.total

    def share(self, row: OperatorYear) -> float | None:
        """Share of one operator in all requests."""
        return row.requests / self.total if self.total else None


def _weight(f: OperatorFigures, start: dt.date, end: dt.date) -> float:
    days = (f.period_to - f.period_from).days + 1
    inside = (min(f.period_to, end) - max(f.period_from, start)).days + 1
    return max(0, inside) / days


def operators_year(figures: list[OperatorFigures], names: dict[str, str],
                   live_visits: set[str], start: dt.date, end: dt.date) -> OperatorsYear:
    """Sum the grids of the period ``start`` … ``end``; ``names``: partner key -> name."""
    requests: dict[str, float] = defaultdict(float)
    sites: dict[str, set[str]] = defaultdict(set)
    delays: dict[str, list[int]] = defaultdict(list)
    reach: dict[str, list[bool]] = defaultdict(list)
    used = [f for f in figures if f.visit_id in live_visits and not f.deleted
            and _weight(f, start, end) > 0]
    for f in used:
        weight = _weight(f, start, end)
        for key, row in f.rows.items():
            if row.requests is not None:
                requests[key] += row.requests * weight
                sites[key].add(f.site_id)
            if row.delay_days is not None:
                delays[key].append(row.delay_days)
            if row.reachable is not None:
                reach[key].append(row.reachable)
    keys = set(requests) | set(delays) | set(reach)
    rows = [OperatorYear(k, names.get(k, k), requests.get(k, 0.0), len(sites.get(k, ())),
                         statistics.median(delays[k]) if delays.get(k) else None,
                         sum(reach.get(k, [])), len(reach.get(k, [])))
            for k in keys]
    rows.sort(key=lambda r: (-r.requests, r.name.casefold()))
    return OperatorsYear(
        rows, sum(requests.values()), len(used),
        max(start, min(f.period_from for f in used)) if used else None,
        min(end, max(f.period_to for f in used)) if used else None)


def percent(value: float | None) -> str:
    """``19 %`` or ``—``."""
    return "—" if value is None else f"{round(value * 100)} %"


HEADER = ["Opérateur / partenaire", "Demandes", "Part", "Structures", "Délai médian (j)",
          "Référent joignable"]


def table_rows(year: OperatorsYear) -> list[list[object]]:
    """Rows of the requests-per-operator table."""
    return [[r.name, round(r.requests), percent(year.share(r)), r.sites,
             "—" if r.median_delay is None else f"{r.median_delay:g}".replace(".", ","),
             f"{r.referents_reachable} / {r.referents_asked}" if r.referents_asked else "—"]
            for r in year.rows]


NOTE = ("Chiffres de la grille des opérateurs de chaque visite, sur la période qu'elle couvre ; "
        "une période à cheval sur deux années compte au prorata de ses jours dans l'année.")
