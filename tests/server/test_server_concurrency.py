"""Concurrent pushes and pulls never let a cursor skip a write; several server processes on one
PostgreSQL serve one store; clients through the engine converge."""

from __future__ import annotations

import threading
import uuid

import pytest

from sync.engine import sync_once
from sync.http import HttpCentralStore
from sync.server.access import Principal

from .conftest import PG_DSN
from .live import free_port, serve_process, serving, wait_healthy
from .server_testlib import add_token, device, new_site

ANNE = Principal("t0", "Anne", "animator", "87")


def test_concurrent_pushes_and_pulls_never_skip_a_write(backend):
    pushers, batches = 6, 15
    pushed: list[str] = []
    lock = threading.Lock()
    done = threading.Event()
    errors: list[BaseException] = []

    def push(n: int) -> None:
        try:
            dev = device()
            for _ in range(batches):
                for _ in range(3):
                    new_site(dev, "87")
                ws = dev.outbox()
                backend.push(ANNE, uuid.uuid4().hex, dev.device_id, "87", ws)
                dev.mark_sent(w.dot for w in ws)
                with lock:
                    pushed.extend(w.dot for w in ws)
        except BaseException as err:  # reported by the test, not lost in a thread
            errors.append(err)

    seen: list[list[str]] = [[], []]

    def pull(i: int) -> None:
        try:
            cursor = 0
            while True:
                finished = done.is_set()  # read before the pull: a last full pass after the end
                page = backend.pull(frozenset({"87"}), cursor, 7)
                seen[i].extend(w["dot"] for w in map(_json, page.bodies))
                cursor = page.cursor
                if finished and not page.more:
                    return
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(pushers)]
    readers = [threading.Thread(target=pull, args=(i,)) for i in range(2)]
    for t in threads + readers:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in readers:
        t.join()
    assert not errors, errors
    assert len(pushed) == pushers * batches * 6
    for dots in seen:
        assert sorted(dots) == sorted(pushed), "every write seen exactly once: no cursor skipped one"


def _json(body: bytes) -> dict:
    import orjson

    return orjson.loads(body)


def _converge(urls: list[str], tokens: list[str]) -> None:
    devices = [device() for _ in range(4)]
    stores = [HttpCentralStore(urls[i % len(urls)], tokens[i % len(tokens)]) for i in range(4)]
    try:
        site = new_site(devices[0], "87")
        sync_once(devices[0], stores[0])
        for rnd in range(3):
            for i, (dev, store) in enumerate(zip(devices, stores, strict=True)):
                sync_once(dev, store)
                dev.write(site, "site", f"note-{i}", f"round {rnd}")
                new_site(dev, "87", f"FS {i}-{rnd}")
                sync_once(dev, store)
        for dev, store in zip(devices, stores, strict=True):
            sync_once(dev, store)
        dots = [sorted(w.dot for w in dev.replica) for dev in devices]
        assert all(d == dots[0] for d in dots), "every client holds every write"
        assert len(dots[0]) == 2 + 4 * 3 * 3
        assert all(dev.outbox() == [] for dev in devices)
    finally:
        for store in stores:
            store.close()


def test_clients_converge_through_a_server(tmp_path):
    from sync.server.jsonfile import JsonFileBackend

    backend = JsonFileBackend(tmp_path / "s")
    tokens = [add_token(backend, f"P{i}", "animator", "87") for i in range(2)]
    try:
        with serving(backend) as url:
            _converge([url], tokens)
    finally:
        backend.close()


@pytest.mark.skipif(not PG_DSN, reason="no PostgreSQL: set FSFIELD_TEST_PG_DSN (.ci/run starts one)")
def test_two_server_processes_on_one_postgresql_serve_one_store():
    from sync.server.postgres import PostgresBackend, drop_all

    drop_all(PG_DSN)
    setup = PostgresBackend(PG_DSN)
    tokens = [add_token(setup, f"P{i}", "animator", "87") for i in range(2)]
    setup.close()
    ports = [free_port(), free_port()]
    procs = [serve_process(PG_DSN, port) for port in ports]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url, proc in zip(urls, procs, strict=True):
            wait_healthy(url, proc)
        ids = {HttpCentralStore(url, tokens[0]).store_id for url in urls}
        assert len(ids) == 1, "one store behind both processes"
        _converge(urls, tokens)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
