"""``fsfield plan`` on the real Haute-Vienne directory, its .ics read back by icalendar."""

from __future__ import annotations

import datetime as dt
import json

from cli_helpers import run_cli

TODAY = "01/12/2026"


def _plan(data, *args):
    result = run_cli(data, "plan", "--today", TODAY, *args)
    assert result.returncode == 0, result.stderr
    return result


def test_every_site_of_87_gets_a_plan_entry(loaded):
    plan = json.loads(_plan(loaded, "--json", "--weeks", "8").stdout)
    sites = json.loads(run_cli(loaded, "sites", "list", "--json").stdout)
    assert len(sites) == 24
    assert sorted(e["site_id"] for e in plan["entries"]) == sorted(s["id"] for s in sites)
    assert all(e["due"] and e["reason"] for e in plan["entries"])
    dues = [e["due"] for e in plan["entries"]]
    assert dues == sorted(dues)  # overdue first
    # never visited, labelled in 2020: due a year after the labelling, hence overdue
    assert all(e["overdue_days"] > 0 for e in plan["entries"])
    for trip in plan["trips"]:
        day = dt.date.fromisoformat(trip["date"])
        assert day.weekday() < 5 and 1 <= len(trip["stops"]) <= 3
    planned = [s for t in plan["trips"] for s in t["stops"]]
    assert sorted(planned) == sorted(e["site_id"] for e in plan["entries"])
    assert plan["home"]["office"] is False  # no office configured: the sites' centre


def test_office_and_stops_per_day(loaded):
    result = run_cli(loaded, "config", "--bureau", "45.8336,1.2611")
    assert result.returncode == 0, result.stderr
    plan = json.loads(_plan(loaded, "--json", "--stops", "2").stdout)
    assert plan["home"] == {"latitude": 45.8336, "longitude": 1.2611, "office": True}
    assert max(len(t["stops"]) for t in plan["trips"]) == 2
    text = _plan(loaded).stdout
    assert "Point de départ : le bureau" in text and "km à vol d'oiseau" in text


def test_ics_is_read_back_with_stable_uids(loaded, tmp_path):
    import icalendar

    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    _plan(loaded, "--ics", first)
    _plan(loaded, "--ics", second)
    plan = json.loads(_plan(loaded, "--json").stdout)
    cals = [icalendar.Calendar.from_ical(p.read_bytes()) for p in (first, second)]
    events = [list(cal.walk("VEVENT")) for cal in cals]
    assert len(events[0]) == sum(len(t["stops"]) for t in plan["trips"]) == 24
    uids = [str(e["UID"]) for e in events[0]]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["UID"]) for e in events[1]]  # importing again updates, not duplicates
    by_site = {s: t["date"] for t in plan["trips"] for s in t["stops"]}
    names = {e["site_id"]: e["name"] for e in plan["entries"]}
    for event in events[0]:
        site = next(s for s in by_site if s in str(event["UID"]))
        assert event.decoded("DTSTART") == dt.date.fromisoformat(by_site[site])
        assert str(event["SUMMARY"]) == f"Visite — {names[site]}"
        assert "Raison :" in str(event["DESCRIPTION"])


def test_bad_rules_file_names_file_line_and_reason(loaded, tmp_path):
    rules = tmp_path / "mon-plan.toml"
    rules.write_text('version = 1\n\n[[rules]]\nid = "c"\nkind = "tous-les-mois"\n'
                     'months = 1\nwhy = "x"\n', encoding="utf-8")
    result = run_cli(loaded, "plan", "--regles", rules)
    assert result.returncode == 1
    assert "mon-plan.toml, ligne 5 : " in result.stderr
    assert "sorte de règle inconnue « tous-les-mois »" in result.stderr
    refused = run_cli(loaded, "config", "--regles-plan", rules)
    assert refused.returncode == 1 and "ligne 5" in refused.stderr


def test_bad_weeks_and_office_are_refused(loaded):
    bad = run_cli(loaded, "plan", "--weeks", "zéro")
    assert bad.returncode == 1 and "nombre de semaines invalide" in bad.stderr
    office = run_cli(loaded, "config", "--bureau", "nulle part")
    assert office.returncode == 1 and "bureau « nulle part »" in office.stderr


def test_the_text_plan_agrees_its_counts_without_parenthesised_plurals(loaded):
    text = _plan(loaded, "--weeks", "1", "--stops", "1").stdout
    assert "(s)" not in text, text
    assert "— 24 structures" in text and "1 semaine, au plus 1 visite par jour" in text
