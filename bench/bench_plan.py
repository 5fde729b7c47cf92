"""Benchmark of the visit plan: the whole country's sites with ten years of visits.

What is compared, in the same run, on the same open store:

* **ours**: ``fsfield.store.plan.build_plan`` (facts read from the replica's live values,
  rules, day trips for 8 weeks): what ``fsfield plan`` and the Planning screen run;
* **baseline**: the obvious way through the model API: ``store.all(Visit)`` and
  ``store.all(FollowUp)`` (a pydantic model per record), facts grouped per site from the
  models, then the same rules and the same trips;
* **command**: ``fsfield plan --weeks 8`` in a fresh process (Python start-up, opening the
  store, planning, printing), reported apart: opening the store is the store's cost (see
  "Opening the store" in docs/benchmarks.md), not the plan's.

Wall and CPU time are both printed: on a shared machine the CPU time of the process is the
steadier figure. Ours and the baseline are timed on a freshly opened store each (what a command
pays), in alternating rounds.

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


def _timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call. On a shared machine the CPU time is the steadier
    figure: wall time also counts the time other processes held the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no rusage of children
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ms(pairs: list[tuple[float, float]]) -> str:
    walls, cpus = [p[0] for p in pairs], [p[1] for p in pairs]
    return (f"wall median {statistics.median(walls) * 1000:.0f} ms (min {min(walls) * 1000:.0f}), "
            f"CPU median {statistics.median(cpus) * 1000:.0f} ms (min {min(cpus) * 1000:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2845)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--answers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", type=int, default=2, help="fresh-store rounds (ours, baseline)")
    args = parser.parse_args()
    from fsfield.store.plan import build_plan
    from fsfield.store.repo import Store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        made = build(data, args.sites, args.years, args.answers)
        print(f"data: {made} (built in {time.perf_counter() - t0:.0f} s)", flush=True)
        opens: list[tuple[float, float]] = []
        store = None

        def reopen() -> Store:
            nonlocal store
            if store is not None:
                store.close()
            box: list[Store] = []
            opens.append(_timed(lambda: box.append(Store(data))))
            store = box[0]
            return store

        first, base = [], []
        try:
            s = reopen()
            ours_plan = build_plan(s, TODAY, weeks=8)
            base_entries, _ = baseline_plan(s, TODAY)
            assert [(e.site.site_id, e.due) for e in ours_plan.entries] == \
                [(e.site.site_id, e.due) for e in base_entries], "baseline disagrees"
            warm = [_timed(lambda: build_plan(s, TODAY, weeks=8)) for _ in range(args.repeat)]
            # a command pays the first pass on a freshly opened store: rounds alternate so that
            # both sides meet the same load of the machine
            for _ in range(args.fresh):
                s = reopen()
                first.append(_timed(lambda s=s: build_plan(s, TODAY, weeks=8)))
                s = reopen()
                base.append(_timed(lambda s=s: baseline_plan(s, TODAY)))
        finally:
            if store is not None:
                store.close()
        cmd = []
        for _ in range(2):
            cpu0 = _children_cpu()
            wall = _timed(lambda: subprocess.run(
                [sys.executable, "-m", "fsfield.cli", "--data-dir", str(data), "plan", "--weeks",
                 "8", "--today", TODAY.isoformat()], check=True, cwd=ROOT, capture_output=True))[0]
            cmd.append((wall, _children_cpu() - cpu0))
    print(f"entries: {len(ours_plan.entries)}, trips: {len(ours_plan.trips)}")
    print(f"store open: {_ms(opens)}")
    print(f"ours, warm store: {_ms(warm)}")
    print(f"ours, fresh store: {_ms(first)}")
    print(f"baseline, fresh store: {_ms(base)}")
    ratio_cpu = statistics.median(b[1] for b in base) / statistics.median(f[1] for f in first)
    ratio_wall = statistics.median(b[0] for b in base) / statistics.median(f[0] for f in first)
    print(f"baseline/ours (fresh store): CPU {ratio_cpu:.1f}x, wall {ratio_wall:.1f}x")
    print(f"fsfield plan --weeks 8 (fresh process, open + plan + print): {_ms(cmd)}")


if __name__ == "__main__":
    main()
