"""What the store's checks cost: ownership at each save, checksums and schema at open.

Not a test: prints timings and ratios measured in the same run, interleaved, on the same data
(the data of bench_store.py: N visits of the default template, ~140 writes each).

* save: ``set_answer`` on an open ``Store`` (durable: journal append + fdatasync), with the
  checks made before each append (the data dir lock still ours, the journal untouched) and
  with them switched off, alternating one save of each.
* checks alone: the same checks timed without the save, in a loop.
* compaction: serialising the snapshot as format 1 vs format 2 (the rest of a compaction,
  writing and fsyncing the file, is the same for both).
* open: parsing the snapshot as format 1 (one ``orjson.loads``, no checksum: what main read)
  vs format 2 (crc32 and ``orjson.loads`` per table line) vs format 2 plus the app's schema
  check of every document (what ``Store()`` now does before building the replica).

Run from the project root::

    PYTHONPATH=. python bench/bench_store_checks.py --sizes 400 2000
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import orjson
from bench_store import build_tables, visit_ids

from fsfield.domain.models import Visit
from fsfield.domain.template import load_template
from fsfield.store.entries import FORMAT_V1, decode_snapshot, encode_snapshot
from fsfield.store.repo import Store
from fsfield.store.schema import check_table
from fsfield.store.storage import SNAPSHOT
from fsfield.store.visits import set_answer


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms"


def bench_saves(data: Path, tables: dict, saves: int) -> None:
    (data / SNAPSHOT).write_bytes(encode_snapshot(1, tables))
    store = Store(data)
    ids = visit_ids(tables)
    items = [i.id for i in load_template().items()]
    visits = [store.get(Visit, ids[n % len(ids)]) for n in range(saves)]
    storage = store.storage
    checked, unchecked = [], []
    real_check = storage._still_ours
    for n in range(saves):
        for on in (n % 2 == 0, n % 2 == 1):
            storage._still_ours = real_check if on else (lambda: None)
            start = time.perf_counter()
            set_answer(store, visits[n], items[n % len(items)], comment=f"passage {n} {on}")
            (checked if on else unchecked).append(time.perf_counter() - start)
    storage._still_ours = real_check
    loops = 2000
    start = time.perf_counter()
    for _ in range(loops):
        real_check()
    alone = (time.perf_counter() - start) / loops
    store.close()
    c, u = statistics.median(checked), statistics.median(unchecked)
    print(f"save, checks on       {ms(c)}   median of {len(checked)}")
    print(f"save, checks off      {ms(u)}   median of {len(unchecked)}")
    print(f"checks alone          {ms(alone)}   = {alone / u * 100:.2f} % of a save")
    print(f"on/off                {c / u:9.3f}x")


def bench_open(tables: dict, repeats: int) -> None:
    v1 = orjson.dumps({"format": FORMAT_V1, "seq": 1, "tables": tables})
    v2 = encode_snapshot(1, tables)
    writes: dict[str, list[float]] = {"v1": [], "v2": []}
    for _ in range(repeats):  # what a compaction serialises before writing the file
        start = time.perf_counter()
        orjson.dumps({"format": FORMAT_V1, "seq": 1, "tables": tables})
        writes["v1"].append(time.perf_counter() - start)
        start = time.perf_counter()
        encode_snapshot(1, tables)
        writes["v2"].append(time.perf_counter() - start)
    base = statistics.median(writes["v1"])
    for label, samples in writes.items():
        med = statistics.median(samples)
        print(f"encode {label:<13} {ms(med)}   {med / base:6.2f}x format 1")
    times: dict[str, list[float]] = {"v1": [], "v2": [], "v2+schema": []}
    for _ in range(repeats):
        for label, raw, check in (("v1", v1, None), ("v2", v2, None), ("v2+schema", v2, check_table)):
            gc.collect()
            gc.disable()  # as Store() does while it parses (sync.writes.gc_paused)
            start = time.perf_counter()
            decode_snapshot(raw, check)
            times[label].append(time.perf_counter() - start)
            gc.enable()
    base = statistics.median(times["v1"])
    for label, samples in times.items():
        med = statistics.median(samples)
        print(f"parse {label:<14} {ms(med)}   {med / base:6.2f}x format 1")
    print(f"snapshot size: format 1 {len(v1) / 1e6:.1f} MB, format 2 {len(v2) / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 2000])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    template = load_template()
    for visits in args.sizes:
        tables = build_tables(visits, template)
        writes = sum(len(t) for name, t in tables.items() if name.startswith("r:"))
        print(f"\n== {visits} visits: {writes:,} writes ==")
        root = Path(tempfile.mkdtemp(prefix=f"fsfield-checks-{visits}-"))
        try:
            bench_saves(root, tables, args.saves)
            bench_open(tables, args.repeats)
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
