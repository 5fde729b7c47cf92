"""Day trips for the visit plan: straight-line distances, working days, short routes.

No network: distances are great-circle distances between the directory's coordinates.
A trip leaves the home base (the animator's office), visits at most K sites and comes back.
Within a trip the order is the shortest one: exhaustive search up to
:data:`EXHAUSTIVE_MAX` stops, nearest neighbour improved by 2-opt beyond (never longer than the
nearest-neighbour tour).

Grouping, day after day (working days: Monday to Friday, French public holidays excepted):
the most urgent site still unplanned that may be visited that day (due within
``advance_days``) opens the trip; the sites nearest to it that may also be visited that day
join it, up to K (nearest on a flat projection around it, which ranks like the great circle at
the scale of a day trip). Sites without coordinates are grouped among themselves, in urgency order,
and flagged "sans coordonnées".
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from fsfield.domain.plan import PlanEntry

EARTH_RADIUS_KM = 6371.0088
EXHAUSTIVE_MAX = 7
Point = tuple[float, float]


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (latitude, longitude) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def tour_length(home: Point, stops: Sequence[Point]) -> float:
    """Home → stops in order → home, in km."""
    path = [home, *stops, home]
    return sum(distance_km(a, b) for a, b in itertools.pairwise(path))


def nearest_neighbour_order(home: Point, stops: Sequence[Point]) -> list[int]:
    """Indexes of ``stops`` in nearest-neighbour order from home."""
    left, order, here = set(range(len(stops))), [], home
    while left:
        nxt = min(left, key=lambda i: (distance_km(here, stops[i]), i))
        order.append(nxt)
        left.remove(nxt)
        here = stops[nxt]
    return order


def shortest_order(home: Point, stops: Sequence[Point]) -> list[int]:
    """Indexes of ``stops`` in the shortest round trip found from home."""
    if len(stops) <= 1:
        return list(range(len(stops)))
    if len(stops) <= EXHAUSTIVE_MAX:
        best = min(itertools.permutations(range(len(stops))),
                   key=lambda p: tour_length(home, [stops[i] for i in p]))
        return list(best)
    order = nearest_neighbour_order(home, stops)
    improved = True
    while improved:  # 2-opt: only ever shortens the tour
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                candidate = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
                if (tour_length(home, [stops[k] for k in candidate])
                        < tour_length(home, [stops[k] for k in order]) - 1e-9):
                    order, improved = candidate, True
    return order


def easter(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> set[dt.date]:
    """French public holidays (metropolitan France) of a year."""
    sunday = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [sunday + dt.timedelta(days=n) for n in (1, 39, 50)]  # lundi de Pâques, Ascension, Pentecôte
    return {dt.date(year, m, d) for m, d in fixed} | set(moving)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days from ``start`` to ``end`` included (no weekend, no public holiday)."""
    holidays: dict[int, set[dt.date]] = {}
    out, day = [], start
    while day <= end:
        year_off = holidays.setdefault(day.year, public_holidays(day.year))
        if day.weekday() < 5 and day not in year_off:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class Trip:
    """One day's visits, in route order."""

    date: dt.date
    stops: tuple[PlanEntry, ...]
    #: home → stops → home in km; None when the trip's sites have no coordinates
    distance_km: float | None


def plan_trips(entries: list[PlanEntry], home: Point, days: list[dt.date], *,
               stops_per_day: int = 3, advance_days: int = 30) -> tuple[list[Trip], list[PlanEntry]]:
    """Group due entries into day trips; returns the trips and the due entries left over.

    ``entries`` in urgency order (compute_plan). An entry may go on a day when its due date
    is at most ``advance_days`` after it; entries not due by the last day are not proposed.
    """
    last = days[-1] if days else None
    waiting = [e for e in entries if last is not None
               and e.due <= last + dt.timedelta(days=advance_days)
               and e.due != dt.date.max]
    flat = {id(e): _flat(e) for e in waiting if e.site.has_coordinates}
    trips = []
    for day in days:
        limit = day + dt.timedelta(days=advance_days)
        eligible = [e for e in waiting if e.due <= limit]
        if not eligible:
            continue
        seed = eligible[0]
        if seed.site.has_coordinates:
            slat, slon = flat[id(seed)]
            scale = math.cos(slat)
            # ranked on a flat projection around the seed (cheap; the same order at the scale
            # of a day trip); trip lengths are great-circle distances
            others = heapq.nsmallest(
                stops_per_day - 1, (e for e in eligible[1:] if e.site.has_coordinates),
                key=lambda e: ((flat[id(e)][1] - slon) * scale) ** 2 + (flat[id(e)][0] - slat) ** 2)
            group = [seed, *others]
            points = [_point(e) for e in group]
            order = shortest_order(home, points)
            stops = tuple(group[i] for i in order)
            length: float | None = tour_length(home, [points[i] for i in order])
        else:
            stops = tuple([seed, *[e for e in eligible[1:] if not e.site.has_coordinates]]
                          [:stops_per_day])
            length = None
        trips.append(Trip(day, stops, length))
        taken = {id(e) for e in stops}
        waiting = [e for e in waiting if id(e) not in taken]
    left = [e for e in waiting if last is not None and e.due <= last]
    return trips, left


def _flat(entry: PlanEntry) -> tuple[float, float]:
    """Latitude and longitude in radians, for ranking neighbours."""
    lat, lon = _point(entry)
    return (math.radians(lat), math.radians(lon))


def _point(entry: PlanEntry) -> Point:
    assert entry.site.latitude is not None and entry.site.longitude is not None
    return (entry.site.latitude, entry.site.longitude)


def centroid(points: Sequence[Point]) -> Point | None:
    """Mean of the points (a home base when the office is not configured), None if empty."""
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
