"""Cut connections, lost answers, restarts and torn logs lose nothing and duplicate nothing."""

from __future__ import annotations

import httpx
import pytest

from fsfield.store import messages
from sync.engine import sync_once
from sync.folder import StoreUnavailable
from sync.http import HttpCentralStore
from sync.server.jsonfile import JsonFileBackend

from .live import free_port, serve_process, serving, wait_healthy
from .server_testlib import add_token, device, new_site


class LoseAnswers(httpx.BaseTransport):
    """Forwards requests to the server, then loses the answer of the first ``n`` pushes."""

    def __init__(self, n: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose = n
        self.pushes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path == "/v1/push":
            self.pushes += 1
            if self.lose > 0:
                self.lose -= 1
                response.read()
                raise httpx.ReadError("connection cut", request=request)
        return response


def count_stored(backend) -> int:
    return len(list(backend.export()))


def test_a_lost_answer_is_retried_under_the_same_key_and_stored_once(tmp_path):
    backend = JsonFileBackend(tmp_path / "s")
    token = add_token(backend, "Anne", "animator", "87")
    dev = device()
    new_site(dev, "87")
    try:
        with serving(backend) as url:
            transport = LoseAnswers(2)
            store = HttpCentralStore(url, token, transport=transport, sleep=lambda s: None)
            result = sync_once(dev, store)
            store.close()
        assert transport.pushes == 3 and len(result.sent) == 2
        assert dev.outbox() == []
        assert count_stored(backend) == 2, "stored once"
    finally:
        backend.close()


def test_a_connection_cut_on_every_try_loses_nothing_and_the_next_sync_completes(tmp_path):
    backend = JsonFileBackend(tmp_path / "s")
    token = add_token(backend, "Anne", "animator", "87")
    dev = device()
    new_site(dev, "87")
    pending = dev.outbox()
    try:
        with serving(backend) as url:
            store = HttpCentralStore(url, token, transport=LoseAnswers(99), retries=2, sleep=lambda s: None)
            with pytest.raises(StoreUnavailable) as info:
                sync_once(dev, store)
            assert "injoignable" in messages.unavailable(info.value)
            assert dev.outbox() == pending, "not acknowledged: still to send"
            # The server had stored the push whose answer was cut: the next round reads the writes
            # back, acknowledges them and pushes nothing again.
            sync_once(dev, HttpCentralStore(url, token))
            assert dev.outbox() == []
        assert count_stored(backend) == 2
    finally:
        backend.close()


def test_a_torn_last_line_is_dropped_at_start_and_the_retry_completes(tmp_path):
    backend = JsonFileBackend(tmp_path / "s")
    token = add_token(backend, "Anne", "animator", "87")
    store_id = backend.store_id
    dev = device()
    new_site(dev, "87")
    with serving(backend) as url:
        sync_once(dev, HttpCentralStore(url, token))
    backend.close()
    new_site(dev, "87", "FS Deux")
    log = tmp_path / "s" / "writes.jsonl"
    with open(log, "ab") as f:
        f.write(b'{"key":"k","digest":"d","by":"x","answer":{},"rows":[[3,"87",{"dot":')  # crash
    backend = JsonFileBackend(tmp_path / "s")
    try:
        assert backend.store_id == store_id, "the identity survives a restart"
        assert count_stored(backend) == 2
        with serving(backend) as url:
            assert len(sync_once(dev, HttpCentralStore(url, token)).sent) == 2
        assert count_stored(backend) == 4
        assert log.read_bytes().endswith(b"\n")
    finally:
        backend.close()


def test_a_bad_line_inside_the_log_refuses_to_start(tmp_path):
    from sync.server.jsonfile import CorruptLog

    backend = JsonFileBackend(tmp_path / "s")
    backend.close()
    (tmp_path / "s" / "writes.jsonl").write_bytes(b"garbage\n{}\n")
    with pytest.raises(CorruptLog) as info:
        JsonFileBackend(tmp_path / "s")
    assert info.value.line == 1


@pytest.mark.slow
def test_server_killed_mid_push_then_restarted_the_retry_completes(tmp_path):
    """SIGKILL the server process in a round of pushes (after the first client's, before the
    next ones: not at a chosen byte of a push); restarted, the retries complete."""
    store = tmp_path / "s"
    backend = JsonFileBackend(store, serve=False)
    token = add_token(backend, "Anne", "animator", "87")
    backend.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    devices = [device() for _ in range(3)]
    for round_no in range(6):
        proc = serve_process(store, port)
        wait_healthy(url, proc)
        for dev in devices:
            for _ in range(40):
                new_site(dev, "87")
        killer_armed = round_no % 2 == 0
        for i, dev in enumerate(devices):
            client = HttpCentralStore(url, token, retries=1, sleep=lambda s: None)
            if killer_armed and i == 1:
                proc.kill()  # SIGKILL (TerminateProcess on Windows), between two clients' pushes
            try:
                sync_once(dev, client)
            except StoreUnavailable:
                pass  # server gone: the writes stay in the outbox
            client.close()
        proc.kill()
        proc.wait(10)
    proc = serve_process(store, port)
    try:
        wait_healthy(url, proc)
        for dev in devices:
            sync_once(dev, HttpCentralStore(url, token))
            assert dev.outbox() == []
    finally:
        proc.terminate()
        proc.wait(10)
    backend = JsonFileBackend(store)
    try:
        dots = [row["write"]["dot"] for row in backend.export()]
        assert len(dots) == len(set(dots)) == 3 * 6 * 40 * 2, "nothing lost, nothing twice"
    finally:
        backend.close()
