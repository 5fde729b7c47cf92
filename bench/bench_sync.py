"""Benchmark sync on a national-scale central folder store, at the engine and in the real app.

Scale 1: 100 animators x 40 visits/year x 5 years = 20,000 visits (~1.2 M writes), shaped like
the app's: a record per visit (uuid4), fields ``site_id``, ``answers.<item>.status`` /
``.comment`` / ``.value``, ``events.<key>.what`` ..., some follow-ups, and each laptop's
directory import (24 sites per département, ids derived from ``id_fs`` as the app does); dots
``<device uuid>:<n>``, the animator as author. One batch per 3-visit trip, spread over 99
départements (87 has two animators, who both changed laptop half-way; half of the others did too).

Measured in the same run, best of ``--repeat`` interleaved rounds:

* floor: reading the département's batch files and parsing them with orjson, nothing else;
* engine (``sync.engine.sync_once`` with an in-memory device): the first sync of a new laptop of
  département 87, and its sync after one trip (3 visits) was pushed, with the same
  ``FolderStore`` as before (warm) or a new one (cold);
* strays: a no-op and an incremental app sync with 0, 1, 100 and 10,000 foreign or stray files
  in the folder (cost in proportion to the files present);
* app (``fsfield.store.syncing.run_sync`` on a real ``Store`` in a temp data dir): the same two
  syncs as ``fsfield sync`` runs them, each round in a new ``Store`` and a new ``FolderStore``
  (a new process each time); opening and closing the ``Store`` are reported apart.

    PYTHONPATH=. python bench/bench_sync.py [--scale 0.1] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from fsfield.domain.models import FollowUp, Settings, Site
from fsfield.domain.template import load_template
from fsfield.store.repo import Store
from fsfield.store.sites import site_record_id
from fsfield.store.syncing import run_sync
from sync.batch import BATCH_FORMAT, batch_name
from sync.engine import sync_once
from sync.folder import FolderStore
from sync.memory import MemoryDevice
from sync.writes import Write, gc_paused

DEPARTEMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "974"]
ITEMS = [(item.id, item.kind.value, item.prefill) for item in load_template().items()]
STATUSES = ["conforme", "conforme", "conforme", "a_ameliorer", "non_conforme", "sans_objet"]
COMMENTS = [
    "Affichage des horaires à refaire à l'entrée",
    "Conseillère formée au parcours CAF, RAS",
    "Borne en panne depuis deux semaines, ticket ouvert",
    "Vu avec la responsable",
]
FIRST = ["Claire", "Karim", "Sophie", "Julien", "Nadia", "Pierre", "Inès", "Marc"]
LAST = ["Dupont", "Benali", "Martin", "Lefèvre", "Roux", "Moreau", "Faure", "Girard"]
T0 = 1_560_000_000_000  # mid-2019
YEAR_MS = 365 * 24 * 3600 * 1000
SITES_PER_DEPT = 24


def dept_sites(dept: str) -> list[tuple[str, dict[str, Any]]]:
    """The directory sites of a département: (record id, fields), the same on every laptop."""
    rnd = random.Random(f"sites-{dept}")
    out = []
    for n in range(SITES_PER_DEPT):
        id_fs = str(1000 + 50 * DEPARTEMENTS.index(dept) + n)
        site = Site(
            id="x",
            id_fs=id_fs,
            name=f"France services {dept}-{n}",
            department=dept,
            address=f"{rnd.randint(1, 80)} rue de la République",
            postal_code=f"{dept[:2]}{rnd.randint(100, 999)}",
            commune=f"Commune {n}",
            latitude=45 + rnd.random(),
            longitude=1 + rnd.random(),
            email=f"fs{id_fs}@example.fr",
            phone="05 55 00 00 00",
            hours={"lundi": "9h-12h 14h-17h", "mardi": "9h-12h", "jeudi": "14h-17h"},
            appointment=rnd.random() < 0.5,
            type_fs="Fixe",
            labelled_on=dt.date(2020, 1, 1),
        )
        fields = site.to_fields()
        fields.pop("deleted")
        out.append((site_record_id(id_fs), fields))
    return out


class Animator:
    """One animator, the laptops they used, and the writes they made (as the app makes them)."""

    def __init__(self, dept: str, rnd: random.Random) -> None:
        self.dept = dept
        self.rnd = rnd
        self.name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        self.sites = dept_sites(dept)
        self.devices: list[str] = []
        self.counter: dict[str, int] = {}
        self.files: list[Path] = []
        self.new_laptop()

    def new_laptop(self) -> None:
        dev = str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))
        self.devices.append(dev)
        self.counter[dev] = 0

    def _save(
        self,
        dev: str,
        record: str,
        kind: str,
        fields: dict[str, Any],
        wall: int,
        sup: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """One ``Store.write_fields``: a write per field, one HLC tick each."""
        out = []
        for k, (field, value) in enumerate(fields.items()):
            self.counter[dev] += 1
            dot = f"{dev}:{self.counter[dev]}"
            prev = (sup or {}).get(field)
            out.append(
                {
                    "dot": dot,
                    "record": record,
                    "kind": kind,
                    "field": field,
                    "value": value,
                    "hlc": [wall, k, dev],
                    "supersedes": [prev] if prev else [],
                    "author": self.name,
                }
            )
        return out

    def site_import(self, dev: str, wall: int) -> list[dict[str, Any]]:
        """The directory import of a new laptop (``fsfield sites import``)."""
        return [w for rid, fields in self.sites for w in self._save(dev, rid, "site", fields, wall)]

    def visit(self, dev: str, wall: int) -> list[dict[str, Any]]:
        rnd = self.rnd
        vid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        site = rnd.choice(self.sites)[0]
        day = dt.date.fromtimestamp(wall / 1000).isoformat()
        create = {
            "site_id": site,
            "date": day,
            "visit_type": "suivi",
            "participants": "Mme Roux",
            "status": "brouillon",
            "template_id": "fs-visite-standard",
            "template_version": 1,
        }
        prefilled = [i for i, _, p in ITEMS if p == "hours_minimum"]
        for i in prefilled:
            create.update(
                {
                    f"answers.{i}.status": "conforme",
                    f"answers.{i}.value": None,
                    f"answers.{i}.comment": "Horaires publiés : 26 h sur 5 jours",
                    f"answers.{i}.prefilled": True,
                }
            )
        create["notes"] = ""
        out = self._save(dev, vid, "visit", create, wall)
        live = {w["field"]: w["dot"] for w in out}
        for item, kind, _ in ITEMS:  # set_answer, one save per answered item
            wall += rnd.randint(20_000, 120_000)
            p = f"answers.{item}."
            if kind == "status":
                fields: dict[str, Any] = {p + "status": rnd.choice(STATUSES)}
                if rnd.random() < 0.5:
                    fields[p + "comment"] = rnd.choice(COMMENTS)
                if item in prefilled:
                    fields[p + "prefilled"] = False
            elif kind == "number":
                fields = {p + "value": rnd.randint(0, 400)}
            elif rnd.random() < 0.6:
                fields = {p + "value": rnd.choice(COMMENTS)}
            else:
                continue
            ws = self._save(dev, vid, "visit", fields, wall, live)
            live.update({w["field"]: w["dot"] for w in ws})
            out += ws
            if kind == "status" and rnd.random() < 0.05:  # corrected later during the visit
                wall += 30_000
                fix = {p + "status": rnd.choice(STATUSES)}
                out += self._save(dev, vid, "visit", fix, wall, live)
                live[p + "status"] = out[-1]["dot"]
        wall += 60_000
        key = f"{rnd.getrandbits(48):012x}"
        at = dt.datetime.fromtimestamp(wall / 1000, tz=dt.UTC).isoformat()
        done = {
            "status": "finalisee",
            f"events.{key}.what": "finalisee",
            f"events.{key}.at": at,
            f"events.{key}.by": self.name,
        }
        out += self._save(dev, vid, "visit", done, wall, live)
        if rnd.random() < 0.3:
            fid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            fu = FollowUp(
                id=fid,
                text="Relancer l'opérateur",
                site_id=site,
                visit_id=vid,
                item_id=ITEMS[3][0],
                due=dt.date.fromtimestamp(wall / 1000 + 30 * 86400),
            )
            fields = fu.to_fields()
            fields.pop("deleted")
            out += self._save(dev, fid, "followup", fields, wall + 1000)
        return out

    def trip(self, dev: str, wall: int, visits: int = 3) -> list[dict[str, Any]]:
        first = [] if self.counter[dev] else self.site_import(dev, wall - 86_400_000)
        return first + [w for k in range(visits) for w in self.visit(dev, wall + k * 86_400_000)]


def write_batch(root: Path, a: Animator, dev: str, writes: list[dict[str, Any]], wall: int) -> None:
    d = root / "devices" / dev
    d.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": BATCH_FORMAT,
        "device": dev,
        "scope": a.dept,
        "created_ms": wall,
        "writes": writes,
    }
    data = orjson.dumps(doc)
    path = d / batch_name(wall, a.dept, data)
    path.write_bytes(data)
    a.files.append(path)


def generate(root: Path, scale: float, seed: int = 87) -> list[Animator]:
    """Write the national store directly (no fsync per file: generation is not measured)."""
    rnd = random.Random(seed)
    depts = ["87"] + [d for d in DEPARTEMENTS if d != "87"]
    animators = [Animator(depts[i % len(depts)], rnd) for i in range(100)]
    trips = max(1, round(200 * scale / 3))  # 40 visits/yr x 5 yrs, 3 visits per trip
    for a in animators:
        if rnd.random() < 0.5 or a.dept == "87":
            a.new_laptop()  # some animators changed laptop half-way
        for t in range(trips):
            dev = a.devices[0] if t < trips // 2 or len(a.devices) == 1 else a.devices[1]
            wall = T0 + int(5 * YEAR_MS * t / trips)
            write_batch(root, a, dev, a.trip(dev, wall), wall)
    return animators


# CPU time of this process: other processes sharing the machine do not inflate it (the data is
# in the page cache after generation, so there is no disk wait to miss). The app-level numbers
# are also given in wall time, which includes the fsyncs of the local store.
cpu, wall = time.process_time, time.perf_counter


def gc_time() -> float:
    t = cpu()
    gc.collect()
    return cpu() - t


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """``fn()``, its CPU and wall time as it runs, then the CPU time of the garbage collection it
    left for later (a full collection after the call minus one just before it).

    The sync, like the floor, pauses the cyclic collector while it builds objects; when the pause
    ends, the collector visits the young objects (inside the call), and visits them again later
    as they age (after it). The second figure is that later work, so that no function pays for
    the garbage of another and the floor and the syncs can be compared with it or without it."""
    base = gc_time()
    c, w = cpu(), wall()
    result = fn()
    spent, waited = cpu() - c, wall() - w
    return result, spent, waited, max(0.0, gc_time() - base)


def fmt(times: list[float]) -> str:
    return f"best {min(times) * 1000:7.1f} ms, median {statistics.median(times) * 1000:7.1f} ms"


class AppRun:
    """One laptop of département 87 as ``fsfield sync`` sees it: a data dir, a Store per run."""

    def __init__(self, base: Path, central: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="laptop-", dir=base))
        self.central = central
        with Store(self.dir) as store:
            store.save_settings(Settings(animator="Nouvel animateur", department="87"))

    def sync(self, problems: int = 0) -> dict[str, float]:
        """Open, run_sync, close, like one ``fsfield sync`` process; CPU and wall per step."""
        out: dict[str, float] = {}
        gc.collect()
        c, w = cpu(), wall()
        store = Store(self.dir)
        out["open_cpu"], out["open_wall"] = cpu() - c, wall() - w
        report, out["sync_cpu"], out["sync_wall"], out["sync_gc"] = timed(
            lambda: run_sync(store, self.central)
        )
        c, w = cpu(), wall()
        store.close()
        out["close_cpu"], out["close_wall"] = cpu() - c, wall() - w
        out["received"] = report.received
        assert len(report.problems) == problems, report.problems[:3]
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the 5 years of visits")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=["engine", "app"], help="run one level only")
    args = ap.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="fsfield-bench-"))
    root = base / "central"
    root.mkdir(parents=True, exist_ok=True)
    t = wall()
    animators = generate(root, args.scale)
    files = list((root / "devices").glob("*/*.json"))
    size = sum(f.stat().st_size for f in files)
    n_all = sum(a.counter[d] for a in animators for d in a.devices)
    print(f"generated {n_all} writes, {len(files)} files, {size / 1e6:.0f} MB in {wall() - t:.1f}s")
    a87 = [a for a in animators if a.dept == "87"]
    dept_files = [p for a in a87 for p in a.files]
    n87 = sum(a.counter[d] for a in a87 for d in a.devices)
    print(
        f"département 87: {n87} writes in {len(dept_files)} batches "
        f"({sum(p.stat().st_size for p in dept_files) / 1e6:.1f} MB); "
        f"{len(list((root / 'devices').iterdir()))} device folders in the store"
    )
    engine, app = args.only != "app", args.only != "engine"

    def floor() -> list:
        # Parse and keep, as any consumer must, with the garbage collector paused as sync does
        # during bulk work: the cheapest way to get the département's data into Python objects.
        with gc_paused():
            return [orjson.loads(p.read_bytes()) for p in dept_files]

    def pull_only():
        return FolderStore(root).read_all("87")

    def engine_full() -> MemoryDevice:
        laptop = MemoryDevice(str(uuid.uuid4()), "87", "nouvel animateur")
        sync_once(laptop, FolderStore(root))
        return laptop

    # First syncs, interleaved (a noisy machine must not favour whichever runs first).
    cpu_t: dict[str, list[float]] = {"floor": [], "pull": [], "engine": []}
    gc_t: dict[str, list[float]] = {"floor": [], "engine": []}
    apps: list[AppRun] = []
    firsts: list[dict[str, float]] = []
    laptop = None
    for _ in range(args.repeat):
        parsed, spent, _, collect = timed(floor)
        assert sum(len(d["writes"]) for d in parsed) == n87
        del parsed
        cpu_t["floor"].append(spent)
        gc_t["floor"].append(collect)
        if engine:
            cpu_t["pull"].append(timed(pull_only)[1])
            laptop = None
            laptop, spent, _, collect = timed(engine_full)
            assert len(laptop.replica) == n87
            cpu_t["engine"].append(spent)
            gc_t["engine"].append(collect)
        if app:
            apps.append(AppRun(base, root))
            firsts.append(apps[-1].sync())
            assert firsts[-1]["received"] == n87

    # Incremental: an animator of 87 pushes one trip (durably, for real), then each laptop syncs:
    # the engine one with the same FolderStore as before (warm: the app's session) or a new one
    # (cold: a new process; format 2 keeps nothing per instance, so both list every folder); the
    # app one with a new Store and a new FolderStore.
    pusher = FolderStore(root)
    dev = a87[0].devices[-1]
    rounds: dict[str, list[float]] = {"warm": [], "cold": [], "app": []}
    app_steps: list[dict[str, float]] = []
    session = FolderStore(root)
    if laptop is not None:
        sync_once(laptop, session)
    unseen = {"engine": 0, "app": 0}  # writes pushed since the laptop last synced
    trips = iter(range(10_000))

    def push_trip() -> None:
        trip = [Write.from_dict(d) for d in a87[0].trip(dev, T0 + 6 * YEAR_MS + 9 * next(trips))]
        pusher.push(dev, "87", trip)
        for who in unseen:
            unseen[who] += len(trip)

    for _ in range(args.repeat):
        for mode in rounds:
            if mode == "app" and not apps or mode != "app" and laptop is None:
                continue
            push_trip()
            if mode == "app":
                for other in apps[1:]:  # keep the other laptops up to date, untimed
                    other.sync()
                got = apps[0].sync()
                app_steps.append(got)
                rounds[mode].append(got["sync_cpu"])
                assert got["received"] == unseen["app"], (got, unseen)
                unseen["app"] = 0
                continue
            target = session if mode == "warm" else FolderStore(root)
            got, spent, _, _ = timed(lambda: sync_once(laptop, target))  # noqa: B023
            rounds[mode].append(spent)
            assert len(got.received) == unseen["engine"] and not got.problems
            unseen["engine"] = 0

    # Foreign and stray files (issue #8): 0, 1, 100 and 10,000 files that are no batches, spread
    # over the device folders (numbered names like 99999999.json among them), then a no-op sync
    # and an incremental one (one trip) of the app: their cost must follow the files present,
    # never the numbers in their names.
    strays: list[tuple[int, float, float, int]] = []
    if apps:
        folders = sorted((root / "devices").iterdir())
        placed = 0
        for n in (0, 1, 100, 10_000):
            for k in range(placed, n):
                name = f"{99_999_999 - k:08d}.json" if k % 2 else f"notes-{k}.txt"
                (folders[k % len(folders)] / name).write_bytes(b"{}")
            placed = n
            for other in apps:
                other.sync(problems=n)
            noop = [apps[0].sync(problems=n)["sync_cpu"] for _ in range(args.repeat)]
            inc = []
            for _ in range(args.repeat):
                push_trip()
                for other in apps[1:]:
                    other.sync(problems=n)
                got = apps[0].sync(problems=n)
                assert got["received"] == unseen["app"]
                unseen["app"] = 0
                inc.append(got["sync_cpu"])
            present = sum(1 for f in folders for _ in f.iterdir())
            strays.append((n, min(noop), min(inc), present))

    def best(xs: list[float]) -> float:
        return min(xs) * 1000

    def per_round(xs: list[float]) -> str:
        """Median over the rounds of each round's ratio to that round's floor (the floor and
        the first syncs of a round ran back to back: this cancels slow spells of the machine)."""
        return f"{statistics.median(x / f for x, f in zip(xs, cpu_t['floor'], strict=True)):.2f}x"

    floor_ms, floor_gc = best(cpu_t["floor"]), statistics.median(gc_t["floor"]) * 1000
    print(f"\n{args.repeat} interleaved rounds, CPU time in ms (wall time where said); GC: the")
    print("collection left for after the call (median), not included in the times")
    print(
        f"floor: read + orjson.loads the 87 batches      {fmt(cpu_t['floor'])}; GC {floor_gc:.1f}"
    )
    if laptop is not None:
        full = best(cpu_t["engine"])
        full_gc = statistics.median(gc_t["engine"]) * 1000
        print(f"engine: pull only (read + validate)           {fmt(cpu_t['pull'])}")
        print(
            f"engine: full first sync (pull + merge)        {fmt(cpu_t['engine'])}; GC {full_gc:.1f}"
        )
        print(f"engine: incremental, 1 trip, same FolderStore {fmt(rounds['warm'])}")
        print(f"engine: incremental, 1 trip, new FolderStore  {fmt(rounds['cold'])}")
        print(
            f"  => engine full / floor = {full / floor_ms:.2f}x best/best, {per_round(cpu_t['engine'])}"
            f" per round, {(full + full_gc) / (floor_ms + floor_gc):.2f}x with the GC left for later; pull / floor = "
            f"{best(cpu_t['pull']) / floor_ms:.2f}x, {per_round(cpu_t['pull'])} per round"
            " (target <= 3x)"
        )
        ratios = ", ".join(
            f"1/{full / best(rounds[m]):.0f} {m}" for m in ("warm", "cold") if rounds[m]
        )
        print(f"  => incremental / full = {ratios} (target < 1/50)")
    if apps:
        first = {k: min(r[k] for r in firsts) for k in firsts[0]}
        inc = {k: min(r[k] for r in app_steps) for k in app_steps[0]}
        first_gc = statistics.median(r["sync_gc"] for r in firsts) * 1000
        sync_cpu = [r["sync_cpu"] for r in firsts]
        print(f"app: first sync, run_sync                     {fmt(sync_cpu)}; GC {first_gc:.1f}")
        print(f"app: incremental, 1 trip, run_sync            {fmt(rounds['app'])}")
        for label, r in (("first", first), ("incremental", inc)):
            print(
                f"  app {label:11} best: open {r['open_cpu'] * 1000:6.1f} cpu"
                f" / {r['open_wall'] * 1000:6.1f} wall; run_sync {r['sync_cpu'] * 1000:6.1f} cpu"
                f" / {r['sync_wall'] * 1000:6.1f} wall; close {r['close_cpu'] * 1000:6.1f} cpu"
                f" / {r['close_wall'] * 1000:6.1f} wall"
            )
        sync_ms = first["sync_cpu"] * 1000
        print(
            f"  => app run_sync first / floor = {sync_ms / floor_ms:.2f}x best/best, "
            f"{per_round(sync_cpu)} per round, "
            f"{(sync_ms + first_gc) / (floor_ms + floor_gc):.2f}x with the GC left for later, "
            f"{first['sync_wall'] * 1000 / floor_ms:.2f}x wall (target <= 3x)"
        )
        print(
            f"  => app incremental / first = 1/{first['sync_cpu'] / inc['sync_cpu']:.0f} cpu, "
            f"1/{first['sync_wall'] / inc['sync_wall']:.0f} wall (target < 1/50)"
        )
        whole = [r["open_wall"] + r["sync_wall"] + r["close_wall"] for r in app_steps]
        print(
            f"  whole `fsfield sync` after a trip (open + run_sync + close, wall, without "
            f"interpreter start): best {min(whole) * 1000:.0f} ms"
        )
    if strays:
        print("\nforeign/stray files in the folder: app run_sync CPU, best (ms)")
        base_noop, base_inc = strays[0][1], strays[0][2]
        for n, noop, inc, present in strays:
            print(
                f"  {n:6d} strays ({present:6d} files in device folders): no-op {noop * 1000:7.1f}"
                f" ({noop / base_noop:5.2f}x), incremental {inc * 1000:7.1f} ({inc / base_inc:5.2f}x)"
            )
        n, noop, _, present = strays[-1]
        per = (noop - base_noop) / n * 1e6
        print(f"  => each stray file costs ~{per:.0f} µs of a sync (listing, one line of report)")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
