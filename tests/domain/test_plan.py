"""The visit plan's rules, one by one, and the day trips (domain/plan.py, domain/trips.py)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fsfield.domain.plan import PlanEntry, SiteFacts, compute_plan, plan_entry
from fsfield.domain.plan_rules import load_plan_rules
from fsfield.domain.trips import (
    distance_km,
    nearest_neighbour_order,
    plan_trips,
    public_holidays,
    shortest_order,
    tour_length,
    working_days,
)

D = dt.date
TODAY = D(2026, 12, 1)
RULES = load_plan_rules()


def facts(**kw) -> SiteFacts:
    base = {"site_id": kw.pop("site_id", "s1"), "name": kw.pop("name", "FS Test")}
    return SiteFacts(**base, **kw)


def test_cycle_rule_due_twelve_months_after_the_last_visit():
    e = plan_entry(facts(last_visit=D(2026, 3, 10), labelled_on=D(2020, 1, 1)), RULES, TODAY)
    assert (e.due, e.rule_id) == (D(2027, 3, 10), "cycle-annuel")
    assert e.reason == "Chaque France services est visitée au moins une fois par an."
    assert e.overdue_days(TODAY) == 0


def test_never_visited_counts_from_the_labelling_and_says_so():
    e = plan_entry(facts(labelled_on=D(2020, 1, 1)), RULES, TODAY)
    assert e.due == D(2021, 1, 1) and e.reason.startswith("Jamais visitée.")
    unknown = plan_entry(facts(), RULES, TODAY)
    assert unknown.due == TODAY and unknown.reason.startswith("Jamais visitée.")


def test_new_site_first_within_three_months_then_every_six():
    new = facts(labelled_on=D(2026, 10, 15))
    first = plan_entry(new, RULES, TODAY)
    assert (first.due, first.rule_id) == (D(2027, 1, 15), "nouvelle-structure")
    seen = facts(labelled_on=D(2026, 1, 15), last_visit=D(2026, 4, 1))
    again = plan_entry(seen, RULES, TODAY)
    assert (again.due, again.rule_id) == (D(2026, 10, 1), "nouvelle-structure")
    assert again.overdue_days(TODAY) == 61
    # labelled more than 24 months ago: no longer new, the yearly cycle applies
    old = plan_entry(facts(labelled_on=D(2024, 6, 1), last_visit=D(2026, 4, 1)), RULES, TODAY)
    assert (old.due, old.rule_id) == (D(2027, 4, 1), "cycle-annuel")


def test_open_non_conforme_brings_the_visit_forward():
    e = plan_entry(facts(last_visit=D(2026, 10, 1), open_non_conforme=True), RULES, TODAY)
    assert (e.due, e.rule_id) == (D(2027, 1, 1), "non-conforme")
    assert [a[0] for a in e.applies] == ["non-conforme", "cycle-annuel"]


def test_overdue_followups_bring_the_visit_forward():
    e = plan_entry(facts(last_visit=D(2026, 10, 1), overdue_followups=1), RULES, TODAY)
    assert (e.due, e.rule_id) == (D(2026, 12, 1), "suivis-en-retard")


def test_plan_lists_every_site_overdue_first_flagging_missing_coordinates():
    sites = [facts(site_id="a", name="A", last_visit=D(2026, 6, 1), latitude=45.0, longitude=1.0),
             facts(site_id="b", name="B", last_visit=D(2025, 6, 1)),
             facts(site_id="c", name="C", last_visit=D(2025, 1, 1), latitude=45.1, longitude=1.1)]
    plan = compute_plan(sites, RULES, TODAY)
    assert [e.site.site_id for e in plan] == ["c", "b", "a"]
    assert plan[1].flags == ["sans coordonnées"] and plan[0].flags == []


def test_working_days_skip_weekends_and_french_public_holidays():
    days = working_days(D(2026, 12, 21), D(2027, 1, 3))
    assert D(2026, 12, 25) not in days and D(2027, 1, 1) not in days
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == 8
    assert {D(2026, 4, 6), D(2026, 5, 14), D(2026, 5, 25)} <= public_holidays(2026)  # Pâques+


def test_distance_is_great_circle():
    limoges, paris = (45.8336, 1.2611), (48.8566, 2.3522)
    assert 345 < distance_km(limoges, paris) < 350


def _random_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    return [(45.5 + rng.random(), 0.8 + rng.random()) for _ in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 10])
def test_route_is_never_longer_than_nearest_neighbour(n):
    rng = random.Random(n)
    home = (45.83, 1.26)
    for _ in range(20):
        pts = _random_points(rng, n)
        best = shortest_order(home, pts)
        nn = nearest_neighbour_order(home, pts)
        assert sorted(best) == list(range(n))
        assert tour_length(home, [pts[i] for i in best]) <= tour_length(home, [pts[i] for i in nn]) + 1e-9


def test_exhaustive_order_is_optimal_for_small_trips():
    import itertools

    rng = random.Random(7)
    home = (45.83, 1.26)
    pts = _random_points(rng, 5)
    best = tour_length(home, [pts[i] for i in shortest_order(home, pts)])
    assert best == min(tour_length(home, [pts[i] for i in p])
                       for p in itertools.permutations(range(5)))


def _entries(n: int, rng: random.Random, due: dt.date = TODAY, prefix: str = "s") -> list[PlanEntry]:
    out = []
    for i, (lat, lon) in enumerate(_random_points(rng, n)):
        site = facts(site_id=f"{prefix}{i:02d}", name=f"S{i:02d}", latitude=lat, longitude=lon)
        out.append(PlanEntry(site, due - dt.timedelta(days=n - i), "r", "why"))
    return out


def test_trips_hold_at_most_k_stops_on_working_days_most_urgent_first():
    rng = random.Random(3)
    entries = _entries(14, rng)
    days = working_days(D(2026, 12, 2), D(2026, 12, 31))
    trips, left = plan_trips(entries, (45.83, 1.26), days, stops_per_day=3)
    assert all(1 <= len(t.stops) <= 3 for t in trips)
    assert [t.date for t in trips] == days[:5]
    planned = [s.site.site_id for t in trips for s in t.stops]
    assert sorted(planned) == sorted(e.site.site_id for e in entries) and not left
    assert "s00" in {s.site.site_id for s in trips[0].stops}  # the most urgent opens day one
    for trip in trips:
        pts = [(s.site.latitude, s.site.longitude) for s in trip.stops]
        nn = nearest_neighbour_order((45.83, 1.26), pts)
        assert trip.distance_km <= tour_length((45.83, 1.26), [pts[i] for i in nn]) + 1e-9


def test_sites_not_due_in_the_horizon_are_not_proposed_and_overflow_is_kept():
    rng = random.Random(4)
    later = _entries(2, rng, due=D(2027, 6, 1), prefix="later")
    urgent = _entries(5, rng)
    days = [D(2026, 12, 2)]
    trips, left = plan_trips(urgent + later, (45.83, 1.26), days, stops_per_day=3)
    assert len(trips) == 1 and len(trips[0].stops) == 3
    assert len(left) == 2  # due but no room left in the horizon: listed, never dropped
    assert not {e.site.site_id for e in later} & {s.site.site_id for t in trips for s in t.stops}


def test_sites_without_coordinates_are_planned_among_themselves():
    a = PlanEntry(facts(site_id="x", name="X"), TODAY, "r", "why")
    b = PlanEntry(facts(site_id="y", name="Y", latitude=45.9, longitude=1.3), TODAY, "r", "why")
    trips, _ = plan_trips([a, b], (45.83, 1.26), working_days(D(2026, 12, 2), D(2026, 12, 4)))
    assert [[s.site.site_id for s in t.stops] for t in trips] == [["x"], ["y"]]
    assert trips[0].distance_km is None and trips[0].stops[0].flags == ["sans coordonnées"]
