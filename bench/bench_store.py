"""Saving one answer durably: our store vs stock TinyDB ``JSONStorage`` vs the floor.

Not a test: prints timings and ratios measured in the same run, on the same data.

* ours: ``set_answer`` on an open ``Store`` (what the app does when a comment is typed): the
  write is validated, added to the replica and made durable (one journal append + fdatasync).
* stock: TinyDB 4 with its default ``JSONStorage`` holding the same writes, one ``insert`` of the
  new write. Both layouts are measured (one table per record as we do; one big table of all
  writes) and the cheaper one is used for the ratio.
* floor: no database, the same data serialised with orjson and durably replaced (temp file,
  fsync, ``os.replace``, fsync of the folder) -- what "rewrite everything safely" costs.

Data: N visits (400 = ten years of one animator; 2,000), each with the 31 items of the default
template answered (status or value, and a comment), each of those fields written twice (an edit
superseding the first write), plus 24 sites and a follow-up every other visit.

Run from the project root::

    PYTHONPATH=. python bench/bench_store.py            # 400 and 2,000 visits
    PYTHONPATH=. python bench/bench_store.py --sizes 400 --saves 50 --baseline-saves 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from fsfield.domain.models import FollowUp, Site, Visit
from fsfield.domain.template import ChecklistTemplate, ItemKind, load_template
from fsfield.store.entries import encode_snapshot
from fsfield.store.files import atomic_write_bytes
from fsfield.store.repo import Store
from fsfield.store.storage import JOURNAL, SNAPSHOT
from fsfield.store.visits import set_answer

AUTHOR = "Jeanne Martin"
STATUSES = ["conforme", "a_ameliorer", "non_conforme", "sans_objet", "non_verifie"]

Tables = dict[str, dict[str, Any]]


# --- data ------------------------------------------------------------------------------------------


class Writer:
    """Makes writes the way the store does (dots, HLCs, supersedes), without the store."""

    def __init__(self) -> None:
        self.device = str(uuid.uuid4())
        self.counter = 0
        self.wall = int(dt.datetime(2016, 1, 4, 9, tzinfo=dt.UTC).timestamp() * 1000)
        self.last: dict[tuple[str, str], str] = {}

    def write(self, record: str, kind: str, field: str, value: Any) -> dict[str, Any]:
        self.counter += 1
        self.wall += 7_000
        dot = f"{self.device}:{self.counter}"
        previous = self.last.get((record, field))
        self.last[(record, field)] = dot
        return {"dot": dot, "record": record, "kind": kind, "field": field, "value": value,
                "hlc": [self.wall, 0, self.device], "supersedes": [previous] if previous else [],
                "author": AUTHOR}


def build_tables(visits: int, template: ChecklistTemplate, seed: int = 1) -> Tables:
    """The tables our store keeps: ``meta`` and one ``r:<uuid>`` table of writes per record."""
    rng = random.Random(seed)
    w = Writer()
    tables: Tables = {}

    def add(record: str, kind: str, fields: dict[str, Any]) -> None:
        table = tables.setdefault(f"r:{record}", {})
        for name, value in fields.items():
            table[str(len(table) + 1)] = w.write(record, kind, name, value)

    site_ids = []
    for n in range(24):
        site = Site(id=str(uuid.uuid4()), id_fs=str(500 + n), name=f"France services n° {n}",
                    department="87", commune=f"Commune {n}", address=f"{n} place de la Mairie",
                    postal_code="87000", phone="05 55 00 00 00", email=f"fs{n}@example.fr",
                    hours={d: "09:00 - 12:00 / 14:00 - 17:00" for d in
                           ("lundi", "mardi", "mercredi", "jeudi", "vendredi")},
                    labellisation_raw="Espace labellisé 01/09/2020")
        fields = site.to_fields()
        fields.pop("deleted")
        add(site.id, "site", fields)
        site_ids.append(site.id)
    day = dt.date(2016, 1, 4)
    for v in range(visits):
        visit = Visit(id=str(uuid.uuid4()), site_id=rng.choice(site_ids),
                      date=day + dt.timedelta(days=v * 3650 // max(visits, 1)),
                      template_id=template.id, template_version=template.version,
                      participants="Responsable, 2 conseillers", notes="RAS")
        fields = visit.to_fields()
        fields.pop("deleted")
        add(visit.id, "visit", fields)
        for edit in range(2):  # each answer field written, then edited once
            answers: dict[str, Any] = {}
            for item in template.items():
                key = f"answers.{item.id}."
                if item.kind is ItemKind.STATUS:
                    answers[key + "status"] = rng.choice(STATUSES)
                elif item.kind is ItemKind.NUMBER:
                    answers[key + "value"] = rng.randint(0, 900)
                else:
                    answers[key + "value"] = f"Texte libre {edit} " + "x" * rng.randint(0, 80)
                answers[key + "comment"] = f"Commentaire {edit} " + "y" * rng.randint(0, 60)
            add(visit.id, "visit", answers)
        if v % 2 == 0:
            follow = FollowUp(id=str(uuid.uuid4()), text=f"Suivi de la visite {v}",
                              site_id=visit.site_id, visit_id=visit.id,
                              due=visit.date + dt.timedelta(days=60))
            fields = follow.to_fields()
            fields.pop("deleted")
            add(follow.id, "followup", fields)
    tables["meta"] = {"1": {"device": w.device, "counter": w.counter,
                            "hlc": [w.wall, 0, w.device],
                            "settings": {"animator": AUTHOR, "department": "87"}}}
    return tables


def visit_ids(tables: Tables) -> list[str]:
    return [name[2:] for name, t in tables.items()
            if name.startswith("r:") and t["1"]["kind"] == "visit"]


# --- measurement -------------------------------------------------------------------------------------


def timed(action: Callable[[int], Any], count: int) -> list[float]:
    """Seconds taken by ``action(i)`` for i in range(count)."""
    out = []
    for i in range(count):
        start = time.perf_counter()
        action(i)
        out.append(time.perf_counter() - start)
    return out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


OPEN = """
import sys, time
from fsfield.store.repo import Store
start = time.perf_counter()
store = Store(sys.argv[1])
print(time.perf_counter() - start)
store.close()
"""


def open_in_fresh_process(data: Path) -> float:
    """Seconds ``Store(data)`` takes at app start (imports excluded), in a process of its own."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", OPEN, str(data)], capture_output=True,
                          text=True, check=True, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)})
    return float(done.stdout)


def bench_ours(root: Path, tables: Tables, template: ChecklistTemplate, saves: int,
               rng: random.Random) -> dict[str, Any]:
    data = root / "ours"
    data.mkdir()
    (data / SNAPSHOT).write_bytes(encode_snapshot(1, tables))
    size = (data / SNAPSHOT).stat().st_size
    opens = [open_in_fresh_process(data) for _ in range(3)]
    store = Store(data)
    ids = visit_ids(tables)
    items = [i.id for i in template.items()]
    targets = [(store.get(Visit, rng.choice(ids)), rng.choice(items)) for _ in range(saves)]

    def save(i: int) -> None:
        visit, item = targets[i]
        set_answer(store, visit, item, comment=f"Vu sur place, passage n° {i}")

    samples = timed(save, saves)
    journal = (data / JOURNAL).stat().st_size
    start = time.perf_counter()
    store.storage.compact()
    compaction = time.perf_counter() - start
    store.close()
    return {"samples": samples, "open": statistics.median(opens), "size": size,
            "entry": journal / saves, "compaction": compaction}


def bench_stock(root: Path, tables: Tables, layout: str, saves: int,
                rng: random.Random) -> list[float]:
    path = root / f"stock-{layout}.json"
    if layout == "per-record":
        stock_tables = tables
    else:
        everything = (doc for name, t in tables.items() if name.startswith("r:") for doc in t.values())
        stock_tables = {"meta": tables["meta"],
                        "writes": {str(n): doc for n, doc in enumerate(everything, 1)}}
    path.write_text(json.dumps(stock_tables), encoding="utf-8")
    del stock_tables
    db = TinyDB(path)  # default storage: JSONStorage (reads and rewrites the file every time)
    ids = visit_ids(tables)
    w = Writer()

    def save(i: int) -> None:
        record = rng.choice(ids)
        doc = w.write(record, "visit", "answers.m2-bureau-confidentiel.comment", f"passage {i}")
        db.table(f"r:{record}" if layout == "per-record" else "writes").insert(doc)

    try:
        return timed(save, saves)
    finally:
        db.close()
        path.unlink()


def bench_floor(root: Path, tables: Tables, saves: int, rng: random.Random) -> list[float]:
    path = root / "floor.json"
    ids = visit_ids(tables)
    w = Writer()
    copy = {name: dict(t) for name, t in tables.items()}

    def save(i: int) -> None:
        record = rng.choice(ids)
        table = copy[f"r:{record}"]
        table[str(len(table) + 1)] = w.write(record, "visit", "answers.x.comment", f"passage {i}")
        atomic_write_bytes(path, orjson.dumps(copy))

    try:
        return timed(save, saves)
    finally:
        path.unlink(missing_ok=True)


def run(visits: int, args: argparse.Namespace, template: ChecklistTemplate) -> None:
    rng = random.Random(visits)
    tables = build_tables(visits, template)
    writes = sum(len(t) for name, t in tables.items() if name.startswith("r:"))
    root = Path(tempfile.mkdtemp(prefix=f"fsfield-bench-{visits}-", dir=args.dir))
    try:
        ours = bench_ours(root, tables, template, args.saves, rng)
        stock = {layout: bench_stock(root, tables, layout, args.baseline_saves, rng)
                 for layout in ("per-record", "one-table")}
        floor = bench_floor(root, tables, args.baseline_saves, rng)
    finally:
        shutil.rmtree(root)
    cheaper = min(stock, key=lambda layout: statistics.median(stock[layout]))
    o, s, f = (statistics.median(x) for x in (ours["samples"], stock[cheaper], floor))
    between = ours["size"] / ours["entry"]
    print(f"\n== {visits} visits: {writes:,} writes, snapshot {ours['size'] / 1e6:.1f} MB ==")
    print(f"{'':34}{'median':>12}{'p95':>12}  samples")
    for label, samples in (("ours (set_answer, durable)", ours["samples"]),
                           *((f"stock JSONStorage, {k}", v) for k, v in stock.items()),
                           ("floor (orjson + atomic replace)", floor)):
        print(f"{label:34}{ms(statistics.median(samples))}{ms(p95(samples))}  {len(samples)}")
    print(f"stock/ours   = {s / o:8.1f}x   (stock = {cheaper}, the cheaper layout; target >= 8x)")
    print(f"ours/floor   = {o / f:8.3f}x   (target <= 1.3x)")
    print(f"open         = {ms(ours['open'])}   (Store() in a fresh process, median of 3: read"
          " snapshot, replay journals, index writes)")
    print(f"journal entry= {ours['entry'] / 1e3:8.1f} kB per save (the visit's whole table)")
    print(f"compaction   = {ms(ours['compaction'])}   every ~{between:,.0f} saves "
          f"(journal > snapshot): {ms(ours['compaction'] / between)} per save amortised")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 2000])
    parser.add_argument("--saves", type=int, default=200, help="saves timed on our store")
    parser.add_argument("--baseline-saves", type=int, default=25,
                        help="saves timed on stock TinyDB and on the floor (slow: whole file)")
    parser.add_argument("--dir", default=None, help="where to put the data (default: temp dir)")
    args = parser.parse_args()
    template = load_template()
    print(f"fsfield store benchmark — template {template.id} v{template.version}, "
          f"{len(template.items())} items")
    for visits in args.sizes:
        run(visits, args, template)


if __name__ == "__main__":
    main()
