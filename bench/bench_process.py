"""Whole-process benchmark (issue #10): ``fsfield sync`` as the user runs it, against the
interpreter's own start.

Run from the repository root::

    PYTHONPATH=. python bench/bench_process.py              # 400 and 2,000 visits
    PYTHONPATH=. python bench/bench_process.py --quick      # small data, few runs
    PYTHONPATH=. python bench/bench_process.py --baseline ../main-checkout   # before/after
    # issue #10's run, data dirs cached in /tmp/benchwd (10,000 visits: a few minutes, once)
    PYTHONPATH=. python bench/bench_process.py --workdir /tmp/benchwd --sizes 400,2000,10000

What is timed, from just before the parent spawns ``python`` to the child's exit (wall clock,
``time.monotonic``), medians over runs that alternate between the commands:

- ``python -c pass``: the interpreter's start and exit (the floor; ``site`` included);
- the bare Textual app of ``bench_tui.py`` (header, 24-row table, footer) from spawn to exit;
- ``fsfield sync`` with nothing to send or receive (right after a sync);
- ``fsfield sync`` after a trip: 3 visits made (untimed, through the record modules) since the
  last sync, sent to the central folder.

Every ``fsfield`` run goes through ``fsfield.cli.main()``, as the ``fsfield`` script does, on a
folder central store, and is timed by phase inside the child (``CHILD_SYNC``): imports, the
store's open, the round, the close, the rest of ``main``; "interpreter + exit" is the rest of
the wall time (the interpreter's start and its exit), to read against ``python -c pass``.
``--baseline CHECKOUT`` runs that checkout's ``fsfield sync`` too, alternating with this one's on
the same data dirs: before/after figures from one run. The children run from bytecode, as an
installed fsfield does (``PYTHONDONTWRITEBYTECODE`` is dropped for them; their ``.pyc`` files
go under the workdir). The data dir: ``fsfield config``, 24 sites through ``Store.create``, then N
finalised visits (every item answered once) made by the fast path of bench/tui_data.py (the
writes the record modules make, through the store's own write path; see
tests/store/test_bench_data.py) and synced in-process with the central folder every
``SYNC_EVERY`` visits, then a last ``fsfield sync``. The trip's 3 visits go through the record
modules (``fsfield.store.visits``). The issue's target: both syncs within 100 ms of
``python -c pass``.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "bench")) if p not in sys.path]

from bench_tui import CHILD_BARE  # noqa: E402

FSFIELD = "import sys\nfrom fsfield.cli import main\nsys.exit(main())\n"
SITES = 24
DATA_VERSION = 3  # 3: documents per site; 2: the fast path, synced every SYNC_EVERY visits
SYNC_EVERY = 500


def spawn(args: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from spawn to exit of ``python ARGS`` (fails loudly on a non-zero exit)."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed


def fsfield(data_dir: Path, *argv: str) -> list[str]:
    return ["-c", FSFIELD, "--data-dir", str(data_dir), *argv]


# -- data ------------------------------------------------------------------------------------


def _batch(store: object) -> contextlib.AbstractContextManager[object]:
    """One durable save per visit when the store offers it (the data is the same either way)."""
    storage = getattr(store, "storage", None)
    batch = getattr(storage, "batch", None)
    return batch() if callable(batch) else contextlib.nullcontext()


def make_visits(data_dir: Path, visits: int, seed: int, today: dt.date, *,
                central: Path | None = None) -> None:
    """Add ``visits`` finalised visits (every item answered) to the sites of ``data_dir``.

    Without ``central``: through the record modules, one durable save per visit (a trip).
    With it: the fast path of tui_data.py (the same writes through the store's own write path,
    ``tui_data.BATCH`` visits per save), and the data dir synced with ``central`` in-process
    every ``SYNC_EVERY`` visits, as a laptop that syncs regularly (the central folder then holds
    one file of writes per sync, not one file of every write)."""
    from tui_data import BATCH, FAST_COMPACT_BYTES, FastVisit, SlowVisit

    from fsfield.domain.template import AnswerStatus
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store
    from fsfield.store.syncing import run_sync
    from fsfield.store.templates import current_template

    rng = random.Random(seed)
    statuses = [AnswerStatus.CONFORME, AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME]
    fast = central is not None
    per_save = BATCH if fast else 1
    answering = FastVisit if fast else SlowVisit
    opened = Store(data_dir, compact_min_bytes=FAST_COMPACT_BYTES) if fast else Store(data_dir)
    with opened as store:
        template = current_template(store)
        sites = store.sites()
        save = contextlib.ExitStack()
        for n in range(visits):
            if n % per_save == 0:
                save.close()
                if fast and n and n % SYNC_EVERY == 0:
                    run_sync(store, central)
                save.enter_context(_batch(store))
            site = sites[n % len(sites)]
            visit = answering(store, ops.start_visit(
                store, site, template=template,
                date=today - dt.timedelta(days=rng.randrange(3652))))
            for item in template.items():
                if item.kind == "status":
                    visit.set_answer(item.id, status=rng.choice(statuses))
                elif item.kind == "number":
                    visit.set_answer(item.id, value=rng.randrange(400))
                else:
                    visit.set_answer(item.id, value="RAS")
            visit.finalise(template)
        save.close()
        if fast:
            run_sync(store, central)
            store.storage.compact()  # twice: no journal left, as after a session's close
            store.storage.compact()


def prepare(workdir: Path, visits: int, env: dict[str, str]) -> tuple[Path, Path]:
    """A data dir with ``visits`` visits, synced with its own central folder (reused from
    ``workdir`` when made with the same parameters)."""
    data, central = workdir / f"process-{visits}", workdir / f"process-{visits}-central"
    stamp = workdir / f"process-{visits}.json"
    wanted = {"version": DATA_VERSION, "visits": visits, "sites": SITES}
    if stamp.exists() and data.exists() and json.loads(stamp.read_text()) == wanted:
        return data, central
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(central, ignore_errors=True)
    central.mkdir(parents=True)
    started = time.perf_counter()
    spawn(fsfield(data, "config", "--animateur", "Géraldine Loiraud", "--departement", "87"), env)
    from fsfield.domain.models import Site
    from fsfield.store.repo import Store

    with Store(data) as store, _batch(store):
        for n in range(SITES):
            store.create(Site(id="", id_fs=str(2800 + n), name=f"France services {n}",
                              commune=f"Commune {n}", department="87", format_fs="Fixe"))
    make_visits(data, visits, seed=visits, today=dt.date.today(), central=central)
    spawn(fsfield(data, "sync", "--central", str(central)), env)
    stamp.write_text(json.dumps(wanted))
    print(f"  generated {visits} visits in {time.perf_counter() - started:.1f} s", flush=True)
    return data, central


# -- bench -----------------------------------------------------------------------------------

CHILD_SYNC = """
import sys, time
t0 = time.perf_counter()
import fsfield.cli, fsfield.store.paths, fsfield.store.storage, fsfield.store.syncing
from fsfield.store.repo import Store
spent = {"open": 0.0, "sync": 0.0, "close": 0.0}
def timed(name, fn):
    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start
    return run
Store.__init__ = timed("open", Store.__init__)
Store.close = timed("close", Store.close)
fsfield.store.syncing.run_sync = timed("sync", fsfield.store.syncing.run_sync)
t1 = time.perf_counter()
code = fsfield.cli.main()
t2 = time.perf_counter()
sys.stdout.flush()
phases = {"imports": t1 - t0, "main": t2 - t1, **spent}
sys.stderr.write("\\nPHASES " + ",".join(f"{k}={v!r}" for k, v in phases.items()) + "\\n")
sys.exit(code)
"""
"""``fsfield sync`` as ``fsfield.cli.main`` runs it, timed by phase inside the child: the
modules the sync imports (imported first, in the order ``main`` imports them, so that ``main``
then finds them loaded), the store's open, the round (``run_sync``), the close (compaction, the
lock), and the rest of ``main`` (arguments, printing). The wrappers cost microseconds."""

PHASES = ("imports", "open", "sync", "close", "main, rest", "interpreter + exit")


def spawn_sync(data_dir: Path, env: dict[str, str], root: Path) -> tuple[float, dict[str, float]]:
    """Seconds from spawn to exit of ``fsfield sync`` (code of checkout ``root``), and its
    phases; ``interpreter + exit`` is what the child did not see: the interpreter's start
    (``site``) and its exit (module teardown)."""
    env = dict(env, PYTHONPATH=str(root))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD_SYNC, "--data-dir", str(data_dir), "sync"],
                          capture_output=True, text=True, env=env, cwd=root, timeout=600)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"fsfield sync failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    line = proc.stderr.strip().splitlines()[-1]
    phases = {k: float(v) for k, v in (p.split("=") for p in line.removeprefix("PHASES ").split(","))}
    phases["main, rest"] = phases.pop("main") - phases["open"] - phases["sync"] - phases["close"]
    phases["interpreter + exit"] = elapsed - phases["imports"] - phases["main, rest"] - (
        phases["open"] + phases["sync"] + phases["close"])
    return elapsed, phases


NOOP, TRIP = "fsfield sync, nothing to do", "fsfield sync after 3 visits"


def bench(data: Path, runs: int, env: dict[str, str], baseline: Path | None = None
          ) -> tuple[dict[str, list[float]], dict[str, list[dict[str, float]]]]:
    """Alternating runs of each command; the trip's 3 visits are made before its run. With
    ``baseline`` (another checkout), its ``fsfield sync`` runs too, alternating with this one's,
    on the same data dir."""
    trips = iter(range(10**6))
    phases: dict[str, list[dict[str, float]]] = {}
    roots = {"": ROOT, **({" [baseline]": baseline} if baseline is not None else {})}

    def sync(name: str, root: Path, trip: bool) -> Callable[[], float]:
        def run() -> float:
            if trip:
                make_visits(data, 3, seed=1000 + next(trips), today=dt.date.today())
            else:
                spawn_sync(data, env, root)  # whatever a trip left is sent first
            elapsed, parts = spawn_sync(data, env, root)
            phases.setdefault(name, []).append(parts)
            return elapsed

        return run

    commands: dict[str, Callable[[], float]] = {
        "python -c pass": lambda: spawn(["-c", "pass"], env),
        "bare Textual app": lambda: spawn(["-c", CHILD_BARE], env),
    }
    for tag, root in roots.items():
        commands[NOOP + tag] = sync(NOOP + tag, root, trip=False)
        commands[TRIP + tag] = sync(TRIP + tag, root, trip=True)
    for run in commands.values():
        run()  # warm-up: pyc files, page cache
    phases.clear()
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for i in range(runs):
        for name in names if i % 2 == 0 else reversed(names):
            times[name].append(commands[name]())
    return times, phases


def report(visits: int, times: dict[str, list[float]],
           phases: dict[str, list[dict[str, float]]]) -> None:
    med = {name: statistics.median(values) for name, values in times.items()}
    floor, bare = med["python -c pass"], med["bare Textual app"]
    print(f"\n  -- {visits} visits, {len(times['python -c pass'])} runs each, medians, "
          f"load average {os.getloadavg()[0]:.1f}")
    width = max(map(len, med)) + 2
    print(f"    {'':<{width}}{'ms':>9}{'/ python':>10}{'- python':>11}{'/ bare':>9}")
    for name, value in med.items():
        print(f"    {name:<{width}}{value * 1000:9.1f}{value / floor:9.2f}x"
              f"{(value - floor) * 1000:9.1f}ms{value / bare:8.2f}x")
    print(f"    phases, ms (median of each; 'interpreter + exit' against python -c pass: "
          f"{floor * 1000:.1f})")
    print(f"    {'':<{width}}" + "".join(f"{p:>{max(9, len(p) + 2)}}" for p in PHASES))
    for name, runs in phases.items():
        cells = [statistics.median(r[p] for r in runs) * 1000 for p in PHASES]
        print(f"    {name:<{width}}" + "".join(
            f"{c:>{max(9, len(p) + 2)}.1f}" for p, c in zip(PHASES, cells, strict=True)))
    for name in med:
        if name.startswith((NOOP, TRIP)):
            over = (med[name] - floor) * 1000
            print(f"    {name}: {over:.0f} ms over python -c pass, target <= 100 ms: "
                  f"{'OK' if over <= 100 else 'MISSED'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, few runs")
    parser.add_argument("--runs", type=int, help="runs per command (default 15; quick 3)")
    parser.add_argument("--sizes", help="visits per data dir, comma-separated (default 400,2000)")
    parser.add_argument("--workdir", type=Path, help="keep generated data dirs here for next time")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout (e.g. of main): its fsfield sync alternates with "
                             "this one's on the same data dirs")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 15)
    sizes = [int(n) for n in (args.sizes or ("40" if args.quick else "400,2000")).split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="fsfield-process-"))
    workdir = args.workdir or scratch
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("FSFIELD_DATA_DIR", None)
    # An installed fsfield runs from bytecode (pip compiles it; an editable install writes it
    # on first import): with PYTHONDONTWRITEBYTECODE set, every child would compile fsfield's
    # sources again (~80 ms a process here). The children write theirs under the workdir.
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    print(f"fsfield process bench: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, data in {workdir}, bytecode "
          f"{env.get('PYTHONPYCACHEPREFIX', 'beside the sources')}")
    try:
        for visits in sizes:
            data, _ = prepare(workdir, visits, env)
            report(visits, *bench(data, runs, env, args.baseline))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
