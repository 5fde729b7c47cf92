"""Benchmark of the visit plan: the whole country's sites with ten years of visits.

What is compared, in the same run, on the same open store:

* **ours**: ``fsfield.store.plan.build_plan`` (facts read from the replica's live values,
  rules, day trips for 8 weeks): what ``fsfield plan`` and the Planning screen run;
* **baseline**: the obvious way through the model API: ``store.all(Visit)`` and
  ``store.all(FollowUp)`` (a pydantic model per record), facts grouped per site from the
  models, then the same rules and the same trips;
* **command**: ``fsfield plan --weeks 8`` in a fresh process, wall time (Python start-up,
  opening the store, planning, printing), reported apart: opening the store is the store's
  cost (see "Opening the store" in docs/benchmarks.md), not the plan's.

Data: the national list (../shared/data, 2,845 sites; synthetic coordinates if absent),
``--years`` years of visits (one a year per site on average, 1 in 12 a mystery visit, the
latest of some sites a draft), ``--answers`` status answers per visit, a follow-up every
third visit (some overdue).

    PYTHONPATH=. python bench/bench_plan.py                  # 2,845 sites × 10 years
    PYTHONPATH=. python bench/bench_plan.py --sites 300      # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 1)


def _national() -> Path | None:
    for parent in ROOT.parents:
        path = parent / "shared" / "data" / "france_services_liste_20240801.csv"
        if path.is_file():
            return path
    return None


def build(data_dir: Path, sites: int, years: int, answers: int, seed: int = 5) -> dict[str, int]:
    from fsfield.domain.directory import read_directory
    from fsfield.domain.models import (
        Answer,
        FollowUp,
        FollowUpStatus,
        Settings,
        Site,
        Visit,
        VisitStatus,
        VisitType,
    )
    from fsfield.domain.template import AnswerStatus, ItemKind, load_template
    from fsfield.store.repo import Store
    from fsfield.store.sites import import_sites

    rng = random.Random(seed)
    template = load_template()
    items = [i.id for i in template.items() if i.kind is ItemKind.STATUS]
    statuses = list(AnswerStatus)
    weights = (0.6, 0.2, 0.1, 0.07, 0.03)
    with Store(data_dir) as store:
        store.save_settings(Settings(animator="Bench", department="87",
                                     office_latitude=45.8336, office_longitude=1.2611))
        csv = _national()
        if csv is not None:
            entries = read_directory(csv).entries[:sites]
            import_sites(store, entries, "87")
        else:
            with store.storage.batch():
                for n in range(sites):
                    store.create(Site(id="", name=f"FS {n}", id_fs=str(n),
                                      latitude=42 + rng.random() * 8, longitude=-4 + rng.random() * 12))
        made = store.all(Site)
        visits = followups = 0
        with store.storage.batch():
            for site in made:
                day = TODAY - dt.timedelta(days=365 * years - rng.randrange(0, 200))
                while day < TODAY:
                    kind = VisitType.VISITE_MYSTERE if rng.random() < 1 / 12 else VisitType.SUIVI
                    final = rng.random() > 0.03
                    chosen = rng.sample(items, min(answers, len(items)))
                    visit = store.create(Visit(
                        id="", site_id=site.id, date=day, visit_type=kind,
                        template_id=template.id, template_version=template.version,
                        status=VisitStatus.FINALISED if final else VisitStatus.DRAFT,
                        answers={i: Answer(status=rng.choices(statuses, weights)[0])
                                 for i in chosen}))
                    visits += 1
                    if visits % 3 == 0:
                        store.create(FollowUp(
                            id="", text="Relancer", site_id=site.id, visit_id=visit.id,
                            due=day + dt.timedelta(days=rng.randrange(20, 400)),
                            status=FollowUpStatus.DONE if rng.random() < 0.8 else FollowUpStatus.OPEN))
                        followups += 1
                    day += dt.timedelta(days=rng.randrange(200, 530))
        return {"sites": len(made), "visits": visits, "followups": followups,
                "writes": len(store.replica)}


def baseline_plan(store, today: dt.date, weeks: int = 8):
    """The plan the obvious way: a pydantic model per record, grouped per site."""
    from fsfield.domain.models import FollowUp, Site, Visit, VisitStatus, VisitType
    from fsfield.domain.plan import SiteFacts, compute_plan
    from fsfield.domain.template import AnswerStatus
    from fsfield.domain.trips import plan_trips, working_days
    from fsfield.store.plan import plan_rules

    rules = plan_rules(store)
    by_site: dict[str, list[Visit]] = {}
    for v in store.all(Visit):
        if v.date <= today:
            by_site.setdefault(v.site_id, []).append(v)
    overdue: dict[str, int] = {}
    for f in store.all(FollowUp):
        if f.is_overdue(today):
            overdue[f.site_id] = overdue.get(f.site_id, 0) + 1
    facts = []
    for site in store.all(Site):
        if not site.in_directory:
            continue
        mine = by_site.get(site.id, [])
        counting = [v.date for v in mine if v.visit_type is not VisitType.VISITE_MYSTERE]
        finals = [v for v in mine if v.status is VisitStatus.FINALISED]
        last_final = max(finals, key=lambda v: (v.date, v.id), default=None)
        nc = any(a.status is AnswerStatus.NON_CONFORME
                 for a in last_final.answers.values()) if last_final else False
        facts.append(SiteFacts(site.id, site.name, site.id_fs, site.commune, site.address,
                               site.format_fs, site.latitude, site.longitude, site.labelled_on,
                               max(counting, default=None), nc, overdue.get(site.id, 0)))
    entries = compute_plan(facts, rules, today)
    settings = store.settings
    home = (settings.office_latitude or 0.0, settings.office_longitude or 0.0)
    days = working_days(today + dt.timedelta(days=1), today + dt.timedelta(weeks=weeks))
    return entries, plan_trips(entries, home, days, stops_per_day=rules.trips.stops_per_day,
                               advance_days=rules.trips.advance_days)


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2845)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--answers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from fsfield.store.plan import build_plan
    from fsfield.store.repo import Store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        made = build(data, args.sites, args.years, args.answers)
        print(f"data: {made} (built in {time.perf_counter() - t0:.0f} s)")
        t0 = time.perf_counter()
        store = Store(data)
        opened = time.perf_counter() - t0
        try:
            ours_plan = build_plan(store, TODAY, weeks=8)
            base_entries, _ = baseline_plan(store, TODAY)
            assert [(e.site.site_id, e.due) for e in ours_plan.entries] == \
                [(e.site.site_id, e.due) for e in base_entries], "baseline disagrees"
            ours = _timed(lambda: build_plan(store, TODAY, weeks=8), args.repeat)
            # the baseline's models are cached by the store after a first pass: time the first
            # pass of a freshly opened store each time (what a command would pay)
            base = []
            for _ in range(max(2, args.repeat // 2)):
                store.close()
                store = Store(data)
                base += _timed(lambda s=store: baseline_plan(s, TODAY), 1)
            store.close()
            store = Store(data)
            first = _timed(lambda: build_plan(store, TODAY, weeks=8), 1)[0]
        finally:
            store.close()
        cmd = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "fsfield.cli", "--data-dir", str(data), "plan",
                            "--weeks", "8", "--today", TODAY.isoformat()], check=True,
                           cwd=ROOT, capture_output=True)
            cmd.append(time.perf_counter() - t0)
    med_o, med_b = statistics.median(ours), statistics.median(base)
    print(f"entries: {len(ours_plan.entries)}, trips: {len(ours_plan.trips)}")
    print(f"store open: {opened * 1000:.0f} ms")
    print(f"ours (build_plan, open store): median {med_o * 1000:.0f} ms, "
          f"first on a fresh store {first * 1000:.0f} ms")
    print(f"baseline (models, fresh store): median {med_b * 1000:.0f} ms")
    print(f"baseline/ours: {med_b / med_o:.1f}x")
    print(f"fsfield plan --weeks 8 (fresh process, wall): median "
          f"{statistics.median(cmd) * 1000:.0f} ms  [{', '.join(f'{c * 1000:.0f}' for c in cmd)}]")


if __name__ == "__main__":
    main()
