"""TUI benchmark (issue #3): startup, keypress to durably saved, store open.

Run from the repository root::

    PYTHONPATH=. python bench/bench_tui.py            # full run (a few minutes: data generation)
    PYTHONPATH=. python bench/bench_tui.py --quick    # smoke run (small data, few repeats)
    # issue #10's runs, data dirs cached in /tmp/benchwd (10,000 visits: ~3 min to make, once)
    PYTHONPATH=. python bench/bench_tui.py --workdir /tmp/benchwd --only startup \
        --sizes 0,400,2000,10000
    PYTHONPATH=. python bench/bench_tui.py --workdir /tmp/benchwd --only keypress \
        --keypress-visits 10000

Data (bench/tui_data.py, ``generate(..., fast=True, synced=True)``): 24 sites, N visits over ten
years, 2–3 writes per answered field (1 for the 400-visit open set), made through the store's
own write path (the same writes as the record modules, checked by
tests/store/test_bench_data.py), then left as after a successful ``fsfield sync``: outbox
acknowledged, journal folded. Cached in ``--workdir`` under ``<name>/`` with ``<name>.json``
(``DATA_VERSION`` invalidates older caches; the names ``synced-*`` keep them apart from the
unsynced ``visits-*`` / ``startup-*`` sets older versions of this bench made).

Numbers are medians over repeats, printed as ratios against a baseline measured in the
same run (the machine is shared and noisy; absolute times move between runs, ratios less):

1. Startup (``--sizes``, default 0, 400, 2,000 and 10,000 visits, data dirs cached in
   ``--workdir``): a fresh interpreter per run, from just before the parent spawns ``python``
   to the home screen complete: the table has its rows and the footer its keys, checked after
   each refresh, then one more paint (``call_after_refresh``). Against a bare Textual app with
   a Header, a 24-row DataTable and a Footer with 8 bindings, stopped on the same condition.
   Both run ``App.run(headless=True)`` at 100×32 (headless still lays out and renders every
   line; only the terminal write is skipped). fsfield runs through its real entry point
   ``fsfield.cli.main``. Runs alternate between the two apps; one warm-up run each is
   discarded. Peak memory is each child's own peak RSS (``VmHWM`` read from /proc at the end
   of its run; ``ru_maxrss`` is not used: it carries the parent's peak across exec).
2. Keypress: on a store with edit history (``--keypress-visits``, default 2,000), a key event is sent through the
   headless driver exactly as a terminal key would be (``driver.send_message``); the clock
   stops in a ``call_after_refresh`` queued at the end of the action, i.e. once the save
   returned (journal append + fdatasync) and the screen has been repainted. Each press is
   checked: one more journal entry, indicator "● Enregistré", the new answer in the store.
   Baselines: a raw append + fdatasync of a line of the same size in the same folder (disk
   floor), and a cursor-down key on the same screen (Textual's key-to-paint floor).
   (``Pilot.press`` itself is not timed: it sleeps at least 2 x 20 ms waiting for idle.)
   Then ``set_answer`` alone, without the UI, timed part by part.
3. Store open: ``Store(data_dir)`` at 400 and 2,000 visits, against parsing the snapshot
   file alone (``decode_snapshot``: orjson per table line and its crc32; the floor for reading
   that data); plus two one-off whole-store costs: the
   first ``site_rows`` (the sites screen's data) and a journal compaction.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "bench")) if p not in sys.path]

from tui_data import Generated, generate  # noqa: E402

SIZE = (100, 32)
SMALL_LINE = 1000  # bytes: about what a journal entry holding only the new write would be
GAP = 0.02  # seconds between saves in the store-only loop (Pilot.pause waits about as long)
DATA_VERSION = 4  # bump when tui_data.generate changes what it makes (invalidates --workdir)
# 4: documents per site (main 2860a29); 3: made by the fast path, synced (outbox
# acknowledged, journal folded), as bench_docstore's

# -- child processes for the startup bench ---------------------------------------------------
# Same prologue (clock, ready hook) for both apps; only what follows differs.

CHILD_PROLOGUE = """
import time
T_START = time.monotonic()
import json, sys
from textual.widgets import DataTable, Footer
MARKS = {"interp": T_START}
SIZE = ({width}, {height})

def ready_screen(base):
    # Ready = the table's rows AND the footer's keys painted: the footer composes its keys
    # after the screen's bindings settle, so the check repeats after each refresh until the
    # footer holds keys, then waits for one more paint.
    class Ready(base):
        def on_mount(self) -> None:  # runs before base.on_mount (MRO), fires after its paint
            self.call_after_refresh(self._bench_check)

        def _bench_check(self) -> None:
            footers = self.query(Footer)
            if not footers or not footers.first().children or not self.query_one(DataTable).row_count:
                self.call_after_refresh(self._bench_check)
                return
            self.call_after_refresh(self._bench_ready)

        def _bench_ready(self) -> None:
            MARKS["ready"] = time.monotonic()
            MARKS["d_cpu"] = time.process_time()  # CPU time to ready: less noisy when shared
            MARKS["rows"] = self.query_one(DataTable).row_count
            MARKS["footer_keys"] = len(self.query_one(Footer).children)
            self.app.exit()

    Ready.__name__ = Ready.__qualname__ = base.__name__
    return Ready

def report():
    MARKS["closed"] = time.monotonic()
    # VmHWM: the peak RSS of this process image. ru_maxrss would not do: it keeps the peak of
    # the parent that forked it (the bench, ~110 MB) across exec.
    with open("/proc/self/status") as f:
        MARKS["d_hwm_kb"] = int(next(l for l in f if l.startswith("VmHWM")).split()[1])
    print(json.dumps(MARKS))
""".replace("{width}", str(SIZE[0])).replace("{height}", str(SIZE[1]))

CHILD_BARE = CHILD_PROLOGUE + """
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

class BareScreen(Screen):
    # As many footer keys as fsfield's home screen shows, so both footers do the same work.
    BINDINGS = [Binding(k, "app.bell", label) for k, label in (
        ("enter", "Dossier"), ("n", "Visite"), ("f", "Suivis"), ("slash", "Filtrer"),
        ("s", "Synchroniser"), ("a", "Ajouter"), ("c", "Conflits"), ("q", "Quitter"))]

    def compose(self):
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Structure", "Commune", "Format", "Visite", "Jours", "Suivis", "Retard")
        for n in range(24):
            table.add_row(f"Site {n}", f"Commune {n}", "Fixe", "01/02/2026", str(n), "1", "")
        table.focus()

class BareApp(App):
    def on_mount(self) -> None:
        self.push_screen(ready_screen(BareScreen)())

MARKS["imported"] = time.monotonic()
BareApp().run(headless=True, size=SIZE)
report()
"""

CHILD_FSFIELD = CHILD_PROLOGUE + """
from textual.app import App
import fsfield.app as fs_app
import fsfield.screens.sites as fs_sites
from fsfield.cli import main

def timed(name, fn):
    def wrapper(*args, **kwargs):
        start = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            MARKS[name] = MARKS.get(name, 0.0) + time.monotonic() - start
            MARKS[name + "_calls"] = MARKS.get(name + "_calls", 0) + 1
    return wrapper

# Durations (not timestamps) of the sites screen's data work, for the breakdown.
fs_sites.site_rows = timed("d_site_rows", fs_sites.site_rows)
_load = "_load" if hasattr(fs_sites.SitesScreen, "_load") else "refresh_data"  # older checkouts
setattr(fs_sites.SitesScreen, _load, timed("d_refresh_data", getattr(fs_sites.SitesScreen, _load)))
fs_sites.SitesScreen = ready_screen(fs_sites.SitesScreen)

if hasattr(fs_app, "Store"):  # the store's open, timed where the app calls it
    class TimedStore(fs_app.Store):
        def __init__(self, *args, **kwargs) -> None:
            MARKS["store_start"] = time.monotonic()
            super().__init__(*args, **kwargs)
            MARKS["store_open"] = time.monotonic()

    fs_app.Store = TimedStore

def headless_run(self, **kwargs):
    return App.run(self, headless=True, size=SIZE)

fs_app.FsFieldApp.run = headless_run  # patched on the class: CSS_PATH stays relative to app.py
MARKS["imported"] = time.monotonic()
rc = main(["--data-dir", sys.argv[1]])
report()
sys.exit(rc)
"""


# -- small helpers ---------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def line(label: str, value: str, extra: str = "") -> None:
    print(f"  {label:<50}{value}{('  ' + extra) if extra else ''}")


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSpec:
    name: str
    visits: int
    rounds: tuple[int, int]


def prepare(workdir: Path, spec: DataSpec) -> Generated:
    """Generate a data dir, or reuse one in ``workdir`` made with the same parameters."""
    target = workdir / spec.name
    stamp = workdir / f"{spec.name}.json"
    wanted = {"version": DATA_VERSION, "visits": spec.visits, "rounds": list(spec.rounds)}
    if stamp.exists() and target.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("params") == wanted:
            g = saved["generated"]
            return Generated(target, g["sites"], g["visits"], g["followups"], g["writes"],
                             tuple(g["drafts"]))
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    made = generate(target, visits=spec.visits, rounds=spec.rounds, fast=True, synced=True)
    elapsed = time.perf_counter() - start
    stamp.write_text(json.dumps({"params": wanted, "generated": {
        "sites": made.sites, "visits": made.visits, "followups": made.followups,
        "writes": made.writes, "drafts": list(made.drafts)}}))
    print(f"  generated {spec.name}: {made.visits} visits in {elapsed:.1f} s", flush=True)
    return made


def describe(g: Generated) -> str:
    snap = g.data_dir / "docs.json"
    snap = snap if snap.exists() else g.data_dir / "fsfield.json"
    size = snap.stat().st_size / 1e6 if snap.exists() else 0.0
    return (f"{g.sites} sites, {g.visits} visits, {g.followups} follow-ups, {g.writes} writes, "
            f"snapshot {size:.1f} MB")


# -- 1. startup ------------------------------------------------------------------------------


def run_child(code: str, args: Sequence[str], root: Path = ROOT) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(root))
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        # As an installed app runs: from bytecode, written by the warm-up run (with the variable
        # set, every child would compile fsfield's sources again; the bare app's are compiled).
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "fsfield-bench-pycache"
                                         / str(abs(hash(str(root)))))
    start = time.monotonic()  # CLOCK_MONOTONIC: the same clock in parent and child (Linux)
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=root, timeout=300)
    end = time.monotonic()
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    marks = json.loads(proc.stdout.strip().splitlines()[-1])
    if marks.get("rows") != 24 or not marks.get("footer_keys"):
        raise RuntimeError(f"ready with {marks.get('rows')} rows and "
                           f"{marks.get('footer_keys')} footer keys instead of 24 and some")
    out = {k: v if k.startswith("d_") else v - start for k, v in marks.items()
           if k not in ("rows", "footer_keys")}
    out["exit"] = end - start
    return out


def bench_startup(datasets: Sequence[Generated], runs: int, against: Path | None = None) -> None:
    print("\n== 1. Startup to a complete home screen (rows and footer painted)")
    print(f"     fresh interpreter per run, {runs} runs each (+1 warm-up), headless {SIZE[0]}x{SIZE[1]},"
          " runs alternate between the apps")
    if against is not None:
        print(f"     'before' = fsfield from {against}, run alternately with this checkout's")
    summary = []
    for data in datasets:
        summary.append(_startup_one(data, runs, against))
    print("\n  summary (medians; memory = the child's own peak RSS, VmHWM; cpu = CPU time to ready):")
    print("    visits   bare ms  fsfield ms   ratio   diff ms   bare MB  fsfield MB  mem ratio"
          "  cpu ratio" + ("   before: ratio  cpu ratio" if against is not None else ""))
    for visits, bare, fs, before in summary:
        extra = "" if before is None else (
            f"   {before['ready'] / bare['ready']:12.2f}x {before['d_cpu'] / bare['d_cpu']:9.2f}x")
        print(f"    {visits:6d} {bare['ready'] * 1000:9.1f} {fs['ready'] * 1000:11.1f}"
              f" {fs['ready'] / bare['ready']:7.2f}x {(fs['ready'] - bare['ready']) * 1000:9.1f}"
              f" {bare['d_hwm_kb'] / 1024:9.1f} {fs['d_hwm_kb'] / 1024:11.1f}"
              f" {fs['d_hwm_kb'] / bare['d_hwm_kb']:9.2f}x"
              f" {fs['d_cpu'] / bare['d_cpu']:9.2f}x{extra}")


def _startup_one(
    data: Generated, runs: int, against: Path | None = None
) -> tuple[int, dict[str, float], dict[str, float], dict[str, float] | None]:
    print(f"\n  -- {describe(data)}")
    apps: dict[str, tuple[str, list[str], Path]] = {
        "bare": (CHILD_BARE, [], ROOT),
        "fsfield": (CHILD_FSFIELD, [str(data.data_dir)], ROOT),
    }
    if against is not None:
        apps["before"] = (CHILD_FSFIELD, [str(data.data_dir)], against)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
    for code, args, root in apps.values():
        run_child(code, args, root)  # warm-up: pyc files, page cache
    for i in range(runs):
        order = list(apps) if i % 2 == 0 else list(reversed(apps))
        for name in order:
            code, args, root = apps[name]
            results[name].append(run_child(code, args, root))
    med = {name: {k: median([r[k] for r in rs if k in r]) for k in rs[0]}
           for name, rs in results.items()}
    bare = med["bare"]
    line("bare Textual app (header, 24-row table, footer)", ms(bare["ready"]),
         f"p95 {p95([r['ready'] for r in results['bare']]) * 1000:.1f} ms")
    for name in apps:
        if name != "bare":
            _startup_report(name, med[name], bare, results[name])
    return data.visits, bare, med["fsfield"], med.get("before")


def _startup_report(
    name: str, fs: dict[str, float], bare: dict[str, float], runs: list[dict[str, float]]
) -> None:
    label = "fsfield, sites screen" if name == "fsfield" else "fsfield before, sites screen"
    line(label, ms(fs["ready"]), f"p95 {p95([r['ready'] for r in runs]) * 1000:.1f} ms")
    ratio = fs["ready"] / bare["ready"]
    line("ratio fsfield / bare", f"{ratio:8.2f} x", f"target <= 1.3x: {verdict(ratio <= 1.3)}")
    line("CPU time to ready, fsfield / bare", f"{fs['d_cpu'] / bare['d_cpu']:8.2f} x",
         f"({fs['d_cpu'] * 1000:.0f} / {bare['d_cpu'] * 1000:.0f} ms)")
    line("peak memory fsfield / bare",
         f"{fs['d_hwm_kb'] / bare['d_hwm_kb']:8.2f} x",
         f"({fs['d_hwm_kb'] / 1024:.0f} / {bare['d_hwm_kb'] / 1024:.0f} MB)")
    line("to process exit (incl. teardown), fsfield/bare",
         f"{fs['exit'] / bare['exit']:8.2f} x", f"({fs['exit'] * 1000:.0f} / {bare['exit'] * 1000:.0f} ms)")
    store_open = fs.get("store_open", float("nan"))
    print("  medians from spawn (ms):      interpreter  imports  Store open  ready")
    print(f"    bare                        {bare['interp'] * 1000:9.1f} {bare['imported'] * 1000:8.1f}"
          f" {'-':>11} {bare['ready'] * 1000:6.1f}")
    print(f"    fsfield                     {fs['interp'] * 1000:9.1f} {fs['imported'] * 1000:8.1f}"
          f" {store_open * 1000:11.1f} {fs['ready'] * 1000:6.1f}")
    if "store_open" in fs:
        extra = {
            "imports (fsfield's own, beyond the bare app's)":
                (fs["imported"] - fs["interp"]) - (bare["imported"] - bare["interp"]),
            "Store(data_dir)": fs["store_open"] - fs["store_start"],
            "App() to painted, beyond the bare app's":
                (fs["ready"] - fs["store_open"]) - (bare["ready"] - bare["imported"]),
        }
        print("  fsfield's extra time over the bare app, by phase (medians):")
        for label, value in extra.items():
            line("  " + label, ms(value))
    line(f"  (SitesScreen's data read ran x{fs['d_refresh_data_calls']:.0f}: mount + resume)",
         ms(fs["d_refresh_data"]), f"site_rows x{fs['d_site_rows_calls']:.0f}: {ms(fs['d_site_rows']).strip()}")


# -- 3. store open ---------------------------------------------------------------------------


def bench_open(datasets: Sequence[Generated], repeats: int, scratch: Path) -> None:
    import datetime as dt

    from fsfield.store.entries import decode_snapshot
    from fsfield.store.overview import site_rows
    from fsfield.store.repo import Store

    print(f"\n== 3. Store(data_dir) open, in-process, {repeats} repeats, median")
    later: list[tuple[str, str, str]] = []
    for data in datasets:
        opens, parses, rows, no_gc = [], [], [], []
        for n in range(repeats):
            # The same open with the garbage collector paused (a candidate fix: the fold builds
            # ~10 objects per write, and every full collection re-walks all of them).
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            Store(data.data_dir).close()
            no_gc.append(time.perf_counter() - start)
            gc.enable()
            start = time.perf_counter()
            decode_snapshot((data.data_dir / "fsfield.json").read_bytes())
            parses.append(time.perf_counter() - start)
            gc.collect()  # the previous store's garbage (a reference cycle) is not this open's cost
            start = time.perf_counter()
            store = Store(data.data_dir)
            opens.append(time.perf_counter() - start)
            if n < 3:
                start = time.perf_counter()
                site_rows(store, dt.date.today())
                rows.append(time.perf_counter() - start)
            store.close()
        line(f"{data.visits} visits ({data.writes} writes)", ms(median(opens)),
             f"= {median(opens) / median(parses):.1f}x parsing the snapshot alone"
             f" ({median(parses) * 1000:.1f} ms)")
        line("  the same with gc paused during the open", ms(median(no_gc)),
             f"= {median(no_gc) / median(opens):.2f}x the normal open (includes close)")
        later.append((f"site_rows, first call, {data.visits} visits", ms(median(rows)),
                      "every visit and follow-up built as a pydantic model"))
        # A compaction runs inside the save that pushes the journal past the snapshot size.
        copy = scratch / f"compact-{data.visits}"
        shutil.copytree(data.data_dir, copy)
        store = Store(copy)
        try:
            start = time.perf_counter()
            store.storage.compact()
            later.append((f"journal compaction, {data.visits} visits", ms(time.perf_counter() - start),
                          "runs inside one keypress once the journal outgrows the snapshot"))
        finally:
            store.close()
            shutil.rmtree(copy)
    print("  other whole-store costs (one-off):")
    for label, value, note in later:
        line("  " + label, value, note)


# -- 2. keypress -----------------------------------------------------------------------------


class DiskFloor:
    """Raw append + fdatasync to a scratch file beside the journal: what durability costs here.

    Sampled between the measured saves, with the same line size, so that both see the same
    disk (fdatasync latency on a shared VM moves a lot from one minute to the next).
    """

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"fdatasync-floor-{name}.tmp"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.times: list[float] = []
        self.small: list[float] = []  # the same with a SMALL_LINE-byte line

    def sample(self, size: int) -> None:
        self.times.append(self._once(size))
        self.small.append(self._once(SMALL_LINE))

    def _once(self, size: int) -> float:
        payload = os.urandom(max(1, size - 1)) + b"\n"
        start = time.perf_counter()
        os.write(self.fd, payload)
        os.fdatasync(self.fd)
        return time.perf_counter() - start

    def close(self) -> None:
        os.close(self.fd)
        self.path.unlink()


@dataclass
class Press:
    total: float
    dispatch: float  # key sent -> action starts
    store: float  # fsfield.store.visits.set_answer
    fsync: float  # journal append + fdatasync (inside store)
    action_rest: float  # the action minus the save: the row, the figures, the cursor
    paint: float  # action returned -> screen repainted
    line_bytes: int
    gc: float  # time in the garbage collector during the press
    gc_full: int  # full (generation 2) collections during the press


async def _keypresses(
    data_dir: Path, visit_id: str, presses: int, floor_presses: int, disk: DiskFloor
) -> dict[str, Any]:
    from textual import events

    from fsfield.app import FsFieldApp
    from fsfield.domain.models import Visit
    from fsfield.domain.template import AnswerStatus, answer_status_from_key
    from fsfield.screens.visit import VisitScreen
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store
    from fsfield.widgets.checklist import Checklist
    from fsfield.widgets.save_status import SaveStatus

    store = Store(data_dir)
    app = FsFieldApp(store)
    cur: dict[str, float] = {}
    done = asyncio.Event()
    original_set_answer = ops.set_answer
    original_append = store.storage._append

    def finish() -> None:
        cur["end"] = time.perf_counter()
        done.set()

    def timed_set_answer(*args: Any, **kwargs: Any) -> Visit:
        start = time.perf_counter()
        try:
            return original_set_answer(*args, **kwargs)
        finally:
            cur["store"] = cur.get("store", 0.0) + time.perf_counter() - start

    def timed_append(payload: bytes) -> None:
        start = time.perf_counter()
        try:
            original_append(payload)
        finally:
            cur["fsync"] = cur.get("fsync", 0.0) + time.perf_counter() - start
            cur["bytes"] = cur.get("bytes", 0) + len(payload)

    def timed(action: Callable[..., None]) -> Callable[..., None]:
        def wrapper(*args: Any) -> None:
            cur["action_start"] = time.perf_counter()
            action(*args)
            cur["action_end"] = time.perf_counter()
            app.screen.call_after_refresh(finish)

        return wrapper

    async def send(key: str) -> float:
        cur.clear()
        done.clear()
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        assert app._driver is not None
        cur["start"] = time.perf_counter()
        app._driver.send_message(event)
        await asyncio.wait_for(done.wait(), timeout=30)
        return cur["end"] - cur["start"]

    gc_started: list[float] = []

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.perf_counter()]
        elif gc_started and "start" in cur:
            cur["gc"] = cur.get("gc", 0.0) + time.perf_counter() - gc_started[0]
            if info.get("generation") == 2:
                cur["gc2"] = cur.get("gc2", 0) + 1

    result: dict[str, Any] = {}
    gc.callbacks.append(gc_watch)
    ops.set_answer = timed_set_answer
    store.storage._append = timed_append  # type: ignore[method-assign]
    try:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            screen = VisitScreen(visit_id)
            opened = asyncio.Event()
            await app.push_screen(screen)
            screen.call_after_refresh(opened.set)
            await opened.wait()
            result["open_visit"] = time.perf_counter() - start
            await pilot.press("tab")  # mission 2: eight status items
            await pilot.pause()
            table = screen.query_one("#items", Checklist)
            rows = [i for i, item in enumerate(screen.mission.items) if item.kind == "status"]
            screen.action_answer = timed(screen.action_answer)  # type: ignore[method-assign]
            indicator = screen.query_one(SaveStatus)
            samples: list[Press] = []
            for n in range(presses):
                row = rows[n % len(rows)]
                table.move_cursor(row=row)
                await pilot.pause()
                item = screen.mission.items[row]
                was = screen.visit.answer(item.id).status
                key = "3" if was is AnswerStatus.A_AMELIORER else "2"
                seq = store.storage._seq
                total = await send(key)
                # Durably saved (one more journal entry, nothing pending), shown as saved, right value:
                wanted = answer_status_from_key(key)
                checks = {
                    "one journal entry": store.storage._seq == seq + 1 and not store.unsaved,
                    "indicator": indicator.saved and str(indicator.render()) == "● Enregistré",
                    "stored value": store.get(Visit, visit_id).answer(item.id).status is wanted,
                    "shown value": screen.visit.answer(item.id).status is wanted,
                }
                failed = [name for name, ok in checks.items() if not ok]
                if failed:
                    raise RuntimeError(f"press {n}: check failed: {', '.join(failed)}")
                samples.append(Press(
                    total=total,
                    dispatch=cur["action_start"] - cur["start"],
                    store=cur["store"],
                    fsync=cur["fsync"],
                    action_rest=cur["action_end"] - cur["action_start"] - cur["store"],
                    paint=cur["end"] - cur["action_end"],
                    line_bytes=int(cur["bytes"]),
                    gc=cur.get("gc", 0.0),
                    gc_full=int(cur.get("gc2", 0)),
                ))
                await pilot.pause()  # quiet before and after the floor sample, as for the press
                disk.sample(int(cur["bytes"]))
            result["presses"] = samples
            # UI floor: cursor down on the same screen (no save, one row highlight + detail).
            table.action_cursor_down = timed(table.action_cursor_down)  # type: ignore[method-assign]
            floor = []
            for n in range(floor_presses):
                table.move_cursor(row=n % (len(screen.mission.items) - 1))
                await pilot.pause()
                floor.append(await send("down"))
            result["ui_floor"] = floor
    finally:
        gc.callbacks.remove(gc_watch)
        ops.set_answer = original_set_answer
        store.close()
    return result


STORE_PARTS = {
    "write_fields": "store",
    "_make_writes": "store",
    "_merge": "store",  # format 3: merge into the documents + journal (was _persist)
    "get": "store",
    "flush": "storage",
    "_dirty": "storage",
    "_append": "storage",
}


def store_only(data_dir: Path, visit_id: str, repeats: int, disk: DiskFloor) -> dict[str, list[float]]:
    """``set_answer`` alone (no UI) on another draft, timed part by part.

    Returns per-save lists: "total" and one entry per wrapped method of STORE_PARTS.
    """
    from fsfield.domain.models import Visit
    from fsfield.domain.template import AnswerStatus
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store
    from fsfield.store.templates import current_template

    store = Store(data_dir)
    cur: dict[str, float] = {}

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                cur[name] = cur.get(name, 0.0) + time.perf_counter() - start
                if name == "_append":
                    cur["bytes"] = len(args[0])

        return wrapper

    out: dict[str, list[float]] = {"total": [], **{name: [] for name in STORE_PARTS}}
    try:
        items = [i for i in current_template(store).items() if i.kind == "status"]
        visit = store.get(Visit, visit_id)
        for name, owner in STORE_PARTS.items():
            target = store if owner == "store" else store.storage
            setattr(target, name, timed(name, getattr(target, name)))
        for n in range(repeats):
            item = items[n % len(items)]
            was = visit.answer(item.id).status
            status = (AnswerStatus.NON_CONFORME if was is AnswerStatus.A_AMELIORER
                      else AnswerStatus.A_AMELIORER)
            cur.clear()
            time.sleep(GAP)  # typing pace: each save and floor sample starts from a quiet disk
            start = time.perf_counter()
            visit = ops.set_answer(store, visit, item.id, status=status)
            out["total"].append(time.perf_counter() - start)
            for name in STORE_PARTS:
                out[name].append(cur.get(name, 0.0))
            time.sleep(GAP)
            disk.sample(int(cur["bytes"]))
        return out
    finally:
        store.close()


def bench_keypress(data: Generated, scratch: Path, presses: int) -> None:
    print(f"\n== 2. Keypress to durably saved + repainted ({describe(data)})")
    if len(data.drafts) < 2:
        raise RuntimeError("the data set needs two draft visits")
    work = scratch / "keypress"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data.data_dir, work)  # the bench adds writes: keep the generated set clean
    disk_ui, disk_store = DiskFloor(work, "ui"), DiskFloor(work, "store")
    try:
        result = asyncio.run(
            _keypresses(work, data.drafts[0], presses, max(20, presses // 2), disk_ui)
        )
        parts = store_only(work, data.drafts[1], presses, disk_store)
    finally:
        disk_ui.close()
        disk_store.close()
    samples: list[Press] = result["presses"]
    totals = [s.total for s in samples]
    stores = [s.store for s in samples]
    sizes = [s.line_bytes for s in samples]
    floor_ui = result["ui_floor"]
    floor_disk = disk_ui.times

    def part(values: Sequence[float]) -> str:
        return f"{ms(median(values))}  p95 {p95(values) * 1000:6.1f} ms"

    print(f"     {presses} presses of '2' ('3' when the item already says À améliorer) on the 8"
          " status items of mission 2, each checked")
    line("opening the visit screen (after the sites screen)", ms(result["open_visit"]))
    line("keypress -> saved + repainted", part(totals),
         f"target median < 8 ms (issue #10): {verdict(median(totals) < 0.008)}")
    line("  store save (visits.set_answer)", part(stores))
    line("    of which journal append + fdatasync", part([s.fsync for s in samples]))
    line("  UI (press minus store save)", part([s.total - s.store for s in samples]))
    line("    key dispatch to action", part([s.dispatch for s in samples]))
    line("    rest of the action (row, figures, cursor)", part([s.action_rest for s in samples]))
    line("    action end -> screen repainted", part([s.paint for s in samples]))
    collected = [s.gc for s in samples if s.gc]
    full = sum(s.gc_full for s in samples)
    line("  presses that ran the garbage collector", f"{len(collected):8d}",
         f"{full} full collections; longest {max(collected, default=0) * 1000:.1f} ms,"
         f" total {sum(collected) * 1000:.0f} ms")
    line("  journal line per press (first / median / last)",
         f"{sizes[0] / 1000:.1f} / {median(sizes) / 1000:.1f} / {sizes[-1] / 1000:.1f} kB")
    print("  baselines, sampled between the presses:")
    line("  disk floor: same-size append + fdatasync", part(floor_disk))
    line(f"  disk floor: {SMALL_LINE} B append + fdatasync", part(disk_ui.small))
    line("  UI floor: cursor-down key to repainted", part(floor_ui))
    line("  ratio press / (disk floor + UI floor)",
         f"{median(totals) / (median(floor_disk) + median(floor_ui)):8.2f} x")
    line("  ratio store save / disk floor", f"{median(stores) / median(floor_disk):8.2f} x")
    line("  ratio UI part / UI floor",
         f"{median([s.total - s.store for s in samples]) / median(floor_ui):8.2f} x")
    print(f"  store save alone, no UI ({presses} saves on another draft), medians:")
    total = parts["total"]
    derived = {
        "set_answer total": total,
        "validate the changed answer, build the saved model": [
            t - w - g for t, w, g in zip(total, parts["write_fields"], parts["get"], strict=True)],
        "make writes (_make_writes)": parts["_make_writes"],
        "merge into the documents (_merge minus flush)": [
            max(0.0, p - f) for p, f in zip(parts["_merge"], parts["flush"], strict=True)],
        "flush: changed-table scan (_dirty)": parts["_dirty"],
        "flush: encode + bookkeeping": [
            f - d - a for f, d, a in zip(parts["flush"], parts["_dirty"], parts["_append"],
                                         strict=True)],
        "flush: append + fdatasync": parts["_append"],
        "read the draft (Store.get, cached model)": parts["get"],
        "disk floor (same size, interleaved)": disk_store.times,
    }
    for label, values in derived.items():
        line("  " + label, ms(median(values)))


def startup_spec(visits: int, *known: DataSpec) -> DataSpec:
    """The data dir for ``visits`` (the keypress/open ones reused when they match): 2-3 writes
    per answered field, as in the issue's table."""
    for spec in known:
        if spec.visits == visits and spec.rounds == (2, 3):
            return spec
    return DataSpec(f"synced-{visits}", visits, (2, 3))


# -- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, few repeats (smoke run)")
    parser.add_argument("--runs", type=int, help="startup runs per app (default 10; quick 3)")
    parser.add_argument("--presses", type=int, help="keypresses (default 200; quick 20)")
    parser.add_argument("--workdir", type=Path,
                        help="keep generated data dirs here and reuse them on the next run")
    parser.add_argument("--sizes", default=None,
                        help="visits per data dir for the startup bench, comma-separated "
                             "(default 0,400,2000,10000; quick 0,60)")
    parser.add_argument("--only", default="startup,keypress,open",
                        help="comma-separated subset of startup,keypress,open")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout (e.g. of main): its fsfield runs too, alternately "
                             "with this one's, in the startup bench (before/after in one run)")
    parser.add_argument("--keypress-visits", type=int, default=2000,
                        help="visits in the keypress data set (2-3 writes per field; default 2000)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    runs = args.runs or (3 if args.quick else 10)
    presses = args.presses or (20 if args.quick else 200)
    small = DataSpec("synced-400-once" if not args.quick else "quick-60", 60 if args.quick else 400,
                     (1, 1))
    big = args.keypress_visits
    large = DataSpec(f"synced-{big}" if not args.quick else "quick-150", 150 if args.quick else big,
                     (2, 3))

    scratch = Path(tempfile.mkdtemp(prefix="fsfield-bench-"))
    workdir = args.workdir or scratch / "data"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"fsfield TUI bench{' (quick)' if args.quick else ''}: python {sys.version.split()[0]},"
          f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, data in {workdir}")
    try:
        sets = {}
        if only & {"keypress", "open"}:
            sets = {"small": prepare(workdir, small), "large": prepare(workdir, large)}
        if "startup" in only:
            sizes = [int(n) for n in (args.sizes or ("0,60" if args.quick else "0,400,2000,10000"))
                     .split(",")]
            bench_startup([prepare(workdir, startup_spec(n, small, large)) for n in sizes], runs,
                          args.against)
        if "keypress" in only:
            bench_keypress(sets["large"], scratch, presses)
        if "open" in only:
            bench_open(list(sets.values()), 3 if args.quick else 7, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
