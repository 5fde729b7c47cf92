"""HttpCentralStore against answers a real server would rarely give: a newer format, a page it
cannot read, a token refused."""

from __future__ import annotations

import httpx
import pytest

from fsfield.store import messages
from sync.engine import sync_once
from sync.http import HttpCentralStore, ServerUnavailable

from .server_testlib import device, new_site


def store_with(handler) -> HttpCentralStore:
    return HttpCentralStore("https://sync.test", "fsf_x", transport=httpx.MockTransport(handler), sleep=lambda s: None)


def test_a_newer_server_format_refuses_to_write_and_says_to_upgrade():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"format": "fsfield-central/2", "store_id": "s", "token": {}})

    dev = device()
    new_site(dev, "87")
    pending = dev.outbox()
    with pytest.raises(ServerUnavailable) as info:
        sync_once(dev, store_with(handler))
    assert info.value.code == "newer_format"
    assert "mettez à jour fsfield" in messages.unavailable(info.value)
    assert seen == ["/v1/store"], "nothing pushed"
    assert dev.outbox() == pending


def test_a_refused_token_says_so_in_french():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": "token_invalid", "message": "Jeton inconnu ou révoqué."})

    with pytest.raises(ServerUnavailable) as info:
        sync_once(device(), store_with(handler))
    assert "jeton refusé" in messages.unavailable(info.value)


def test_an_unreadable_page_is_a_problem_and_the_cursor_stays():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/store":
            return httpx.Response(200, json={"format": "fsfield-central/1", "store_id": "s1", "token": {}})
        return httpx.Response(200, json={"writes": [{"dot": "not a dot"}], "cursor": 9, "more": False})

    dev = device()
    result = sync_once(dev, store_with(handler))
    [problem] = result.problems
    assert problem.code == "bad_page" and "illisible" in messages.problem_reason(problem)
    state = dev.central_state("s1")
    assert state is not None and state.cursor == 0, "read again next time"


def test_the_token_is_in_a_header_only():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/store":
            return httpx.Response(200, json={"format": "fsfield-central/1", "store_id": "s1", "token": {}})
        if request.url.path == "/v1/push":
            return httpx.Response(200, json={"seq": 2, "stored": 2, "known": 0})
        return httpx.Response(200, json={"writes": [], "cursor": 2, "more": False})

    dev = device()
    new_site(dev, "87")
    sync_once(dev, store_with(handler))
    assert {r.url.path for r in seen} == {"/v1/store", "/v1/push", "/v1/writes"}
    for r in seen:
        assert r.headers["Authorization"] == "Bearer fsf_x"
        assert "fsf_x" not in str(r.url)
