"""Benchmark the sync server (issue #11): its own figures, apart from the app's sync target.

1. Pushes: ``--clients`` threads (50) each pushing ``--batches`` batches of ``--batch`` writes
   through ``HttpCentralStore.push`` to a real ``fsfield-sync serve`` process on loopback:
   writes per second and p50/p95 latency of a push. Baseline in the same run: the same clients
   sending ``GET /v1/health`` (the HTTP floor: a round trip that touches no storage).
2. Incremental pull against a growing store (12 k, 120 k, 1.2 M writes over 99 départements, 87
   holding 1/99 of them): a laptop of 87 whose cursor is at the head minus one trip (60 writes)
   pulls them, through HTTP. The cost must not grow with the store: reported as a ratio to the
   same pull at the smallest size, measured in the same run.

    PYTHONPATH=. python bench/bench_server.py [--backend json|postgres] [--dsn postgresql://…]
        [--sizes 12000,120000,1200000] [--clients 50] [--batches 20] [--batch 20]

The PostgreSQL runs need a database you may wipe (``--dsn``; .ci/postgres.sh starts one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.http import HttpCentralStore  # noqa: E402
from sync.server.access import TokenRow, new_token  # noqa: E402
from sync.writes import Write, make_dot  # noqa: E402
from tests.server.live import free_port, serve_process, wait_healthy  # noqa: E402

DEPARTMENTS = [f"{n:02d}" for n in range(1, 100)]


def _backend(kind: str, dsn: str | None, root: Path):
    if kind == "json":
        from sync.server.jsonfile import JsonFileBackend

        return str(root), JsonFileBackend(root)
    from sync.server.postgres import PostgresBackend, drop_all

    drop_all(dsn)
    return dsn, PostgresBackend(dsn)


def _token(backend, name: str) -> str:
    token, tid, digest = new_token()
    backend.add_token(TokenRow(tid, name, "animator", "87", digest, 0))
    return token


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _writes(device: str, start: int, n: int, dep: str, site: str | None) -> list[Write]:
    """``n`` writes of one device: a site (if ``site`` is None), then visit fields naming it."""
    out: list[Write] = []
    c = start
    if site is None:
        site = str(uuid.uuid4())
        for field, value in (("name", f"FS {dep}-{c}"), ("department", dep)):
            c += 1
            out.append(Write(make_dot(device, c), site, "site", field, value, (1_700_000_000_000 + c, 0, device), (), "Bench"))
    visit = str(uuid.uuid4())
    c += 1
    out.append(Write(make_dot(device, c), visit, "visit", "site_id", site, (1_700_000_000_000 + c, 0, device), (), "Bench"))
    while len(out) < n:
        c += 1
        k = len(out)
        out.append(Write(make_dot(device, c), visit, "visit", f"answers.m{k % 40}.status", "ok", (1_700_000_000_000 + c, 0, device), (), "Bench"))
    return out


def bench_pushes(kind: str, dsn: str | None, clients: int, batches: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, backend = _backend(kind, dsn, Path(tmp) / "store")
        tokens = [_token(backend, f"P{i}") for i in range(clients)]
        backend.close()
        port = free_port()
        proc = serve_process(store, port)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            floor: list[float] = []
            pushes: list[float] = []
            lock = threading.Lock()

            def health(i: int) -> None:
                with httpx.Client(base_url=url) as c:
                    for _ in range(batches):
                        t = time.perf_counter()
                        c.get("/v1/health")
                        with lock:
                            floor.append(time.perf_counter() - t)

            def push(i: int) -> None:
                device = f"bench-{i}"
                central = HttpCentralStore(url, tokens[i], timeout=120)
                site, counter = None, 0
                for _ in range(batches):
                    ws = _writes(device, counter, batch, "87", site)
                    site = site or ws[0].record
                    counter = ws[-1].counter
                    t = time.perf_counter()
                    central.push(device, "87", ws)
                    with lock:
                        pushes.append(time.perf_counter() - t)
                central.close()

            for name, fn, out in (("health", health, floor), ("push", push, pushes)):
                threads = [threading.Thread(target=fn, args=(i,)) for i in range(clients)]
                t0 = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - t0
                n = len(out)
                per_s = n * (batch if name == "push" else 1) / wall
                unit = "writes/s" if name == "push" else "requests/s"
                print(f"{kind:8} {name:6} {clients} clients: {per_s:9.0f} {unit}, "
                      f"p50 {statistics.median(out) * 1000:7.1f} ms, p95 {_pct(out, 0.95) * 1000:7.1f} ms")
            print(f"{kind:8} push p95 / health p95 = {_pct(pushes, 0.95) / _pct(floor, 0.95):.1f}")
        finally:
            proc.terminate()
            proc.wait(30)


def bench_pull(kind: str, dsn: str | None, sizes: list[int], repeat: int = 15, folder: bool = False) -> None:
    base: float | None = None
    base_in: float | None = None
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store, backend = _backend(kind, dsn, Path(tmp) / "store")
            token = _token(backend, "Anne")
            folder_store = None
            if folder:
                from sync.folder import FolderStore

                (Path(tmp) / "folder").mkdir()
                folder_store = FolderStore(Path(tmp) / "folder")
                folder_store.identify(True)
            t0 = time.perf_counter()
            per_trip, total = 60, 0
            for n in range(-(-size // (per_trip * 99))):
                rows = []
                for dep in DEPARTMENTS:
                    device = f"dev-{dep}-{n % 4}"
                    trip = _writes(device, 1_000_000 * (n // 4) + n * per_trip, per_trip, dep, None)
                    rows += [(dep, w) for w in trip]
                    if folder_store is not None:  # the same trip as a batch of the folder store
                        folder_store.push(device, dep, trip)
                backend.import_rows(rows)
                total += len(rows)
            fill = time.perf_counter() - t0
            head = total
            if kind == "postgres":  # statistics as autovacuum would have them on a live store
                with backend._conn() as conn:
                    conn.execute("ANALYZE fsfield_writes")
            # The backend alone, in process: the same pull without HTTP.
            page, after87 = backend.pull(frozenset({"87"}), 0, 5000), 0
            bodies87: list[int] = []
            while True:
                bodies87.append(len(page.bodies))
                if not page.more:
                    break
                after87 = page.cursor
                page = backend.pull(frozenset({"87"}), after87, 5000)
            inproc = []
            skip = sum(bodies87) - per_trip
            cur = 0
            while skip > 0:
                p = backend.pull(frozenset({"87"}), cur, min(5000, skip))
                skip -= len(p.bodies)
                cur = p.cursor
            for _ in range(repeat):
                t = time.perf_counter()
                backend.pull(frozenset({"87"}), cur, 5000)
                inproc.append(time.perf_counter() - t)
            backend.close()
            port = free_port()
            t_start = time.perf_counter()
            proc = serve_process(store, port)
            url = f"http://127.0.0.1:{port}"
            try:
                wait_healthy(url, proc, timeout=600)
                started = time.perf_counter() - t_start
                with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
                    t = time.perf_counter()
                    n87, after = 0, 0
                    while True:  # a new laptop of 87: its first sync, in pages
                        p = c.get("/v1/writes", params={"after": after, "limit": 5000, "department": "87"}).json()
                        n87 += len(p["writes"])
                        after = p["cursor"]
                        if not p["more"]:
                            break
                    first = time.perf_counter() - t
                    # a laptop of 87 one trip behind: its cursor just before 87's last trip
                    start_after = _seq_before_last(c, n87 - per_trip)
                    times = []
                    for _ in range(repeat):
                        t = time.perf_counter()
                        r = c.get("/v1/writes", params={"after": start_after, "limit": 5000, "department": "87"})
                        got = len(r.json()["writes"])
                        times.append(time.perf_counter() - t)
                    assert got == per_trip, got
                client_first = []
                for _ in range(3):  # the client's whole first pull: fetch, validate, build writes
                    central = HttpCentralStore(url, token, timeout=120)
                    t = time.perf_counter()
                    n_client = sum(len(b.writes) for b in central.pull(0, "87").batches)
                    client_first.append(time.perf_counter() - t)
                    central.close()
                line = (f"{kind:8} {head:>9} writes: first sync of 87 through the server "
                        f"(HttpCentralStore.pull, {n_client} writes) best {min(client_first) * 1000:.0f} ms")
                if folder_store is not None:
                    from sync.folder import FolderStore

                    folder_first = []
                    for _ in range(3):
                        t = time.perf_counter()
                        batches, _ = FolderStore(Path(tmp) / "folder").read_all("87")
                        n_folder = sum(len(b.writes) for b in batches)
                        folder_first.append(time.perf_counter() - t)
                    line += (f"; through the folder store (FolderStore.read_all, {n_folder} writes) best "
                             f"{min(folder_first) * 1000:.0f} ms: server/folder = "
                             f"{min(client_first) / min(folder_first):.2f}")
                print(line)
                best = min(times)
                base = base or best
                base_in = base_in or min(inproc)
                print(f"{kind:8} store of {head:>9} writes (fill {fill:6.1f} s): incremental pull of {per_trip} "
                      f"writes of 87: best {best * 1000:6.1f} ms, median {statistics.median(times) * 1000:6.1f} ms, "
                      f"x{best / base:.2f} the smallest store; first sync of 87 ({n87} writes) {first * 1000:.0f} ms; "
                      f"backend alone {min(inproc) * 1000:.3f} ms (x{min(inproc) / base_in:.2f}); "
                      f"server start {started:.1f} s")
            finally:
                proc.terminate()
                proc.wait(30)


def _seq_before_last(c: httpx.Client, skip: int) -> int:
    """The cursor after reading the first ``skip`` writes of 87."""
    after, left = 0, skip
    while left > 0:
        p = c.get("/v1/writes", params={"after": after, "limit": min(5000, left), "department": "87"}).json()
        left -= len(p["writes"])
        after = p["cursor"]
    return after


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["json", "postgres"], default="json")
    ap.add_argument("--dsn")
    ap.add_argument("--sizes", default="12000,120000,1200000")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--skip-pushes", action="store_true")
    ap.add_argument("--skip-pulls", action="store_true")
    ap.add_argument("--folder", action="store_true", help="also a first sync of 87 through the folder store")
    args = ap.parse_args()
    if args.backend == "postgres" and not args.dsn:
        ap.error("--dsn is needed for postgres")
    if not args.skip_pushes:
        bench_pushes(args.backend, args.dsn, args.clients, args.batches, args.batch)
    if not args.skip_pulls:
        bench_pull(args.backend, args.dsn, [int(s) for s in args.sizes.split(",")], folder=args.folder)


if __name__ == "__main__":
    main()
