"""50 concurrent clients x 200 writes through a real server process, with answers lost and
requests failing at random: every write stored exactly once, every client converges."""

from __future__ import annotations

import random
import threading

import httpx
import pytest

from sync.engine import sync_once
from sync.folder import StoreUnavailable
from sync.http import HttpCentralStore

from .conftest import PG_DSN
from .live import free_port, serve_process, wait_healthy
from .server_testlib import add_token, device, new_site

CLIENTS, WRITES, ROUNDS = 50, 200, 5


class Flaky(httpx.BaseTransport):
    """Fails some requests before sending them, and loses the answer of some others."""

    def __init__(self, seed: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.rng = random.Random(seed)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        roll = self.rng.random()
        if roll < 0.05:
            raise httpx.ConnectError("refused", request=request)
        response = self.inner.handle_request(request)
        if roll > 0.9:
            response.read()
            raise httpx.ReadError("answer lost", request=request)
        return response


def _open(kind: str, tmp_path):
    if kind == "json":
        from sync.server.jsonfile import JsonFileBackend

        return str(tmp_path / "store"), JsonFileBackend(tmp_path / "store", serve=False)
    if not PG_DSN:
        pytest.skip("no PostgreSQL: set FSFIELD_TEST_PG_DSN (.ci/run starts one)")
    from sync.server.postgres import PostgresBackend, drop_all

    drop_all(PG_DSN)
    return PG_DSN, PostgresBackend(PG_DSN)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["json", "postgres"])
def test_50_clients_x_200_writes_with_random_failures_store_each_once_and_converge(tmp_path, kind):
    store, backend = _open(kind, tmp_path)
    tokens = [add_token(backend, f"P{i}", "animator", "87") for i in range(CLIENTS)]
    backend.close()
    port = free_port()
    proc = serve_process(store, port)
    url = f"http://127.0.0.1:{port}"
    devices = [device() for _ in range(CLIENTS)]
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            dev = devices[i]
            central = HttpCentralStore(url, tokens[i], transport=Flaky(i), sleep=lambda s: None, retries=6)
            site = new_site(dev, "87", f"FS {i}")
            per_round = (WRITES - 2) // ROUNDS
            made = 2
            for rnd in range(ROUNDS):
                n = per_round if rnd < ROUNDS - 1 else WRITES - made
                for k in range(n):
                    dev.write(site, "site", f"f{k % 7}", f"{i}-{rnd}-{k}")
                made += n
                try:
                    sync_once(dev, central)
                except StoreUnavailable:
                    pass  # every retry failed: the writes stay in the outbox for the next round
            central.close()
        except BaseException as err:
            errors.append(err)

    try:
        wait_healthy(url, proc)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:3]
        for _ in range(2):  # a calm network: finish what was left, then read everything
            for i, dev in enumerate(devices):
                central = HttpCentralStore(url, tokens[i])
                sync_once(dev, central)
                central.close()
    finally:
        proc.terminate()
        proc.wait(30)
    all_dots = sorted(w.dot for dev in devices for w in dev.replica if w.device == dev.device_id)
    assert len(all_dots) == CLIENTS * WRITES
    from sync.server.stores import open_backend

    backend = open_backend(store, serve=False)
    try:
        stored = [row["write"]["dot"] for row in backend.export()]
    finally:
        backend.close()
    assert sorted(stored) == all_dots, "every write stored exactly once"
    for dev in devices:
        assert dev.outbox() == []
        assert len(dev.replica) == CLIENTS * WRITES, "every client converges"
