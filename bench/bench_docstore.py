"""Document store (issue #10): disk, memory, keypress and open cost at 0–10,000 visits.

Run from the repository root (data dirs cached in /tmp/fsbench-data; 10,000 visits take about
3 minutes to make, once)::

    PYTHONPATH=. python bench/bench_docstore.py [--workdir /tmp/fsbench-data] \
        [--sizes 0,400,2000,10000] [--only disk,memory,open,keypress]

Every ratio is measured in the same run as its baseline; times are medians.

Data (bench/docstore_data.py): ``tui_data.generate(dir, visits=N, rounds=(2, 3), fast=True,
synced=True)`` (24 sites, 2–3 writes per answered field, the writes the record modules make:
tests/store/test_bench_data.py), *synced*: every own write acknowledged (``mark_sent``) and
the storage compacted, i.e. a laptop right after a successful ``fsfield sync``. A laptop that
never synced keeps its outbox and is not measured here.

Baselines, stated honestly:
- disk: the same records as *plain documents*, one JSON document per record
  ``{"id": ..., field: current value ...}`` (``Record.to_fields()``: the displayed values) for
  every site, visit, follow-up, activity, in a TinyDB file written with ``tinydb.TinyDB(path)``'s
  default storage. It holds no write metadata (dots, clocks, authors), no history, no backup: it
  cannot merge or show who changed what, so it is a floor, not a competitor.
  "documents alone" is the sum of the ``d:*`` table lines of docs.json (read from its header);
  "snapshot + history" is docs.json + history.log; "on disk" is every store file (backup and
  journals included; the backup is a full previous snapshot, so it roughly doubles the figure).
- memory: peak RSS of a child (``VmHWM``; ``ru_maxrss`` keeps the parent's peak across exec) against ``python -c pass`` and against a child
  that imports Textual and runs a bare ``App`` with a 24-row DataTable headless until mounted
  (no fsfield code, no data: weaker than ours in what it shows).
- open: ``Store(dir)`` in a fresh process (imports excluded) and in-process; bytes read during
  the open from ``/proc/self/io`` (``rchar``: every ``read`` syscall, cached or not).
- keypress: bench_tui.py's own measurement (saved + repainted, each press checked), run on
  these data dirs; ``set_answer`` alone from the same function.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "bench")) if p not in sys.path]

from docstore_data import prepare  # noqa: E402

STORE_FILES = ("docs.json", "docs.json.bak", "docs.journal", "docs.journal.prev", "history.log")
MB = 1e6


def run_py(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed:\n{proc.stderr[-3000:]}")
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


# -- 1. disk ----------------------------------------------------------------------------------

PLAIN = r"""
import json, sys, tinydb
from fsfield.store.repo import Store
from fsfield.domain.models import Site, Visit, FollowUp
from fsfield.domain.activity import Activity
store = Store(sys.argv[1])
db = tinydb.TinyDB(sys.argv[2])
n = 0
for cls in (Site, Visit, FollowUp, Activity):
    docs = [{"id": r.id, **r.to_fields()} for r in store.all(cls)]
    db.table(cls.kind).insert_multiple(docs)
    n += len(docs)
db.close(); store.close()
print(json.dumps({"records": n}))
"""


COMPACT = r"""
import sys
from fsfield.store.repo import Store
s = Store(sys.argv[1]); s.storage.compact(); s.close()
"""


def documents_bytes(snapshot: Path) -> int:
    from fsfield.store.docfiles import decode_header

    with open(snapshot, "rb") as f:
        header = decode_header(f.readline())
    return sum(length for name, (_, length) in header.tables.items() if name.startswith("d:"))


def bench_disk(data: Path, scratch: Path) -> dict:
    sizes = {name: (data / name).stat().st_size if (data / name).exists() else 0
             for name in STORE_FILES}
    plain_path = scratch / f"plain-{data.name}.json"
    plain_path.unlink(missing_ok=True)
    records = run_py(PLAIN, str(data), str(plain_path))["records"]
    plain = plain_path.stat().st_size
    docs = documents_bytes(data / "docs.json") if sizes["docs.json"] else 0
    total = sum(sizes.values())
    again = scratch / f"again-{data.name}"  # one more compaction, as the next session's close
    shutil.copytree(data, again)
    run_py(COMPACT, str(again))
    later = sum((again / n).stat().st_size for n in STORE_FILES if (again / n).exists())
    shutil.rmtree(again)
    return {"later": later, "files": sizes, "plain": plain, "records": records, "documents": docs,
            "snap_hist": sizes["docs.json"] + sizes["history.log"], "total": total}


# -- 2. memory --------------------------------------------------------------------------------

MEM_STORE = r"""
import datetime as dt, json, sys
def hwm():  # VmHWM: peak RSS of this process image (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmHWM")).split()[1])
from fsfield.store.repo import Store
from fsfield.store.overview import site_rows
store = Store(sys.argv[1])
rows = site_rows(store, dt.date.today())
out = {"rows": len(rows), "home": hwm()}
if sys.argv[2] == "edit":
    from fsfield.domain.models import Site, VisitStatus
    from fsfield.domain.template import AnswerStatus
    from fsfield.store import visits as ops
    from fsfield.store.templates import current_template
    site = next((s for s in store.all(Site)  # a site with a draft (the first screen's pick)
                 if any(v.status == VisitStatus.DRAFT for v in store.visits(s.id))), None)
if sys.argv[2] == "edit" and site is not None:
    visits = store.visits(site.id)
    item = next(i for i in current_template(store).items() if i.kind == "status")
    draft = next(v for v in visits if v.status == VisitStatus.DRAFT)
    was = draft.answer(item.id).status
    ops.set_answer(store, draft, item.id, status=AnswerStatus.NON_CONFORME
                   if was is not AnswerStatus.NON_CONFORME else AnswerStatus.A_AMELIORER)
    out["edit"] = hwm()
store.close()
print(json.dumps(out))
"""

MEM_BARE = r"""
import json
def hwm():  # VmHWM: peak RSS of this process image (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmHWM")).split()[1])
from textual.app import App
from textual.widgets import DataTable, Footer, Header
class Bare(App):
    def compose(self):
        yield Header(); yield DataTable(); yield Footer()
    def on_mount(self):
        t = self.query_one(DataTable); t.add_columns("a", "b", "c")
        t.add_rows([(str(i), "x" * 20, "y") for i in range(24)])
        self.call_after_refresh(self.exit)
Bare().run(headless=True, size=(100, 32))
print(json.dumps({"peak": hwm()}))
"""

MEM_PASS = r"""
import json
def hwm():  # VmHWM: peak RSS of this process image (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmHWM")).split()[1])
print(json.dumps({"peak": hwm()}))
"""


# -- 3. open ----------------------------------------------------------------------------------

OPEN = r"""
import json, sys, time
from fsfield.store.repo import Store
def rchar():
    with open("/proc/self/io") as f:
        return int(next(l for l in f if l.startswith("rchar")).split()[1])
times = []
r0 = rchar(); t0 = time.perf_counter(); s = Store(sys.argv[1]); t1 = time.perf_counter()
r1 = rchar(); s.close()
first = t1 - t0; read = r1 - r0
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter(); s = Store(sys.argv[1]); times.append(time.perf_counter() - t0)
    s.close()
print(json.dumps({"first": first, "read": read, "again": times}))
"""


def med(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workdir", type=Path, default=Path("/tmp/fsbench-data"))
    p.add_argument("--sizes", default="0,400,2000,10000")
    p.add_argument("--runs", type=int, default=5, help="child processes per memory/open figure")
    p.add_argument("--presses", type=int, default=100)
    p.add_argument("--only", default="disk,memory,open,keypress")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    only = set(a.only.split(","))
    scratch = Path(tempfile.mkdtemp(prefix="fsfield-docbench-"))
    print(f"fsfield document-store bench: python {sys.version.split()[0]}, {os.cpu_count()} CPUs,"
          f" load average {os.getloadavg()[0]:.1f}, data in {a.workdir}", flush=True)
    try:
        dirs = {n: prepare(a.workdir, n) for n in sizes}
        if "disk" in only:
            print("\n== Disk (MB; ratios against the same records as plain TinyDB documents)")
            print(f"  {'visits':>6} {'records':>7} {'docs.json':>9} {'.bak':>7} {'journals':>8}"
                  f" {'history':>7} {'plain':>7} | {'docs/plain':>10} {'snap+hist':>9}"
                  f" {'on disk':>7} {'later':>6}")
            for n, d in dirs.items():
                r = bench_disk(d, scratch)
                f = r["files"]
                pl = r["plain"]
                print(f"  {n:>6} {r['records']:>7} {f['docs.json'] / MB:>9.2f}"
                      f" {f['docs.json.bak'] / MB:>7.2f}"
                      f" {(f['docs.journal'] + f['docs.journal.prev']) / MB:>8.3f}"
                      f" {f['history.log'] / MB:>7.2f} {pl / MB:>7.2f} |"
                      f" {r['documents'] / pl:>9.2f}x {r['snap_hist'] / pl:>8.2f}x"
                      f" {r['total'] / pl:>6.2f}x {r['later'] / pl:>5.2f}x", flush=True)
            print("  later: every file after one more compaction (the next session's close)")
            print("  targets: documents <= 1.5x, documents + history <= 5x, on disk <= 3x")
        if "memory" in only:
            print(f"\n== Peak RSS (MB, median of {a.runs} children)")
            bare = med([run_py(MEM_BARE)["peak"] for _ in range(a.runs)]) / 1000
            nothing = med([run_py(MEM_PASS)["peak"] for _ in range(a.runs)]) / 1000
            print(f"  python -c pass {nothing:8.1f}   bare Textual app (24-row table) {bare:8.1f}")
            for n, d in dirs.items():
                mode = "edit" if n == max(sizes) and n else "home"
                if mode == "edit":  # the save must not change the cached data dir
                    work = scratch / f"edit-{n}"
                    shutil.copytree(d, work)
                    d = work
                res = [run_py(MEM_STORE, str(d), mode) for _ in range(a.runs)]
                home = med([r["home"] for r in res]) / 1000
                extra = ""
                if mode == "edit":
                    edit = med([r["edit"] for r in res]) / 1000
                    extra = (f"; + one site's visits and one save {edit:7.1f} ="
                             f" {edit / bare:.2f}x bare (target <= 3x)")
                print(f"  {n:>6} visits: open + home rows {home:7.1f} = {home / bare:.2f}x bare,"
                      f" {home / nothing:.2f}x python{extra}", flush=True)
        if "open" in only:
            print("\n== Store open (fresh process: first open; in-process: median of re-opens)")
            for n, d in dirs.items():
                res = [run_py(OPEN, str(d), "5") for _ in range(a.runs)]
                first = med([r["first"] for r in res])
                again = med([t for r in res for t in r["again"]])
                read = med([r["read"] for r in res])
                snap = (d / "docs.json").stat().st_size
                print(f"  {n:>6} visits: fresh {first * 1000:7.1f} ms, in-process"
                      f" {again * 1000:7.1f} ms, read at open {read / 1000:8.1f} kB"
                      f" (docs.json {snap / MB:.1f} MB)", flush=True)
        if "keypress" in only:
            import bench_tui
            from docstore_data import generated

            for n in (s for s in sizes if s >= 2000):
                bench_tui.bench_keypress(generated(dirs[n]), scratch, a.presses)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
