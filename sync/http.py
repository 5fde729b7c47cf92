"""The central store behind the sync server: :class:`HttpCentralStore`, the engine's
``CursorStore`` over HTTP (docs/sync-model.md, "The sync server").

Timeouts on every request; connection errors, timeouts and 429/502/503/504 are retried with
exponential backoff (a push keeps its idempotency key across retries, so a push whose answer was
lost is stored once). A push is acknowledged only on a 200: a cut connection loses nothing, the
writes stay in the outbox. The token goes in a header only: never in a URL, a message or a log.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from .batch import Batch
from .engine import Pulled, PushRefused, RefusedWrite
from .folder import Problem, StoreUnavailable
from .wire import validate_writes, writes_from_json
from .writes import InvalidWrite, Write

CENTRAL_FORMAT = "fsfield-central/1"
"""The server format this client speaks (sync/server/backend.py says the same)."""
PAGE = 5_000
_RETRY_STATUS = frozenset({429, 502, 503, 504})


class ServerUnavailable(StoreUnavailable):
    """The server cannot be used now; ``code`` says why (worded by the app, like a folder's):
    ``unreachable``, ``timeout``, ``token_missing``, ``token_invalid``, ``newer_format``
    (``found``), ``not_a_server``, ``server_error`` (``status``), ``server_unavailable``."""

    def __init__(self, url: str, code: str, **params: Any) -> None:
        super().__init__(Path(url), code, **params)
        self.url = url


class HttpCentralStore:
    """The central store at ``url`` (``https://host/…``), reached with a personal ``token``."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "fsfield"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
        )
        self._info: dict[str, Any] | None = None

    # --- identity -----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """``{"format", "store_id", "token": {name, role, department}}`` (asked once)."""
        if self._info is None:
            r = self._request("GET", "/v1/store")
            try:
                info = r.json()
                fmt, store_id = info["format"], info["store_id"]
            except (ValueError, KeyError, TypeError):
                raise ServerUnavailable(self.url, "not_a_server") from None
            if fmt != CENTRAL_FORMAT:
                raise ServerUnavailable(self.url, "newer_format", found=str(fmt))
            if not isinstance(store_id, str) or not store_id:
                raise ServerUnavailable(self.url, "not_a_server")
            self._info = info
        return self._info

    @property
    def store_id(self) -> str:
        """The server store's identity: a new one means a new or reset server (to republish)."""
        return str(self.info()["store_id"])

    # --- CursorStore --------------------------------------------------------------------------

    def identify(self, create: bool = True) -> tuple[str, bool]:
        """The server's store identity; a server is never made a store by a client."""
        return self.store_id, False

    def push(self, device: str, scope: str, writes: list[Write]) -> int:
        """Publish a batch; return the server's seq after it. Records the server refuses are
        left out and the rest pushed again; then :class:`PushRefused` says which."""
        self.info()
        refused: list[RefusedWrite] = []
        pending = list(writes)
        seq = 0
        while pending:
            body = {"device": device, "scope": scope, "writes": [w.to_dict() for w in pending]}
            r = self._request("POST", "/v1/push", json_body=body, key=uuid.uuid4().hex)
            if r.status_code == 200:
                seq = int(r.json()["seq"])
                break
            out = self._refusals(r, pending)
            refused += out
            gone = {x.dot for x in out}
            pending = [w for w in pending if w.dot not in gone]
        if refused:
            raise PushRefused([w.dot for w in pending], refused)
        return seq

    def _refusals(self, r: httpx.Response, pending: list[Write]) -> list[RefusedWrite]:
        """The writes a 403 (records refused) or 409 (dot collision) names."""
        try:
            doc = r.json()
        except ValueError:
            doc = {}
        if r.status_code == 403 and doc.get("refused"):
            why = {x["record"]: (x["reason"], x.get("message", x["reason"])) for x in doc["refused"]}
            out = [RefusedWrite(w.dot, w.record, *why[w.record]) for w in pending if w.record in why]
        elif r.status_code == 409 and doc.get("dots"):
            dots = set(doc["dots"])
            out = [RefusedWrite(w.dot, w.record, "dot_collision", "") for w in pending if w.dot in dots]
        else:
            out = []
        if not out:  # nothing we can leave out: the server refuses the batch as such
            raise ServerUnavailable(self.url, "server_error", status=r.status_code)
        return out

    def pull(self, after: int, scope: str | None) -> Pulled:
        """Every write above ``after`` that the token may read (``scope``: one département), in
        pages; a page it cannot use is a ``bad_page`` problem and the cursor stays before it."""
        result = Pulled([], after)
        while True:
            params: dict[str, Any] = {"after": after, "limit": PAGE}
            if scope is not None:
                params["department"] = scope
            r = self._request("GET", "/v1/writes", params=params)
            if r.status_code != 200:
                raise ServerUnavailable(self.url, "server_error", status=r.status_code)
            where = Path(f"{self.url}/v1/writes?after={after}")
            try:
                doc = orjson.loads(r.content)
                writes = _writes(doc["writes"])
                nxt, more = doc["cursor"], doc["more"]
                if type(nxt) is not int or nxt < after or type(more) is not bool:
                    raise ValueError("bad cursor")
            except (ValueError, KeyError, TypeError, InvalidWrite):
                result.problems.append(Problem(where, "bad_page", {"after": after}))
                break  # the cursor stays before this page: read again next time
            result.batches.append(Batch(where, "server", scope or "", 0, writes))
            after = result.cursor = nxt
            if not more:
                break
        return result

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    # --- transport ----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        content = orjson.dumps(json_body) if json_body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        last = "unreachable"
        for attempt in range(self._retries + 1):
            if attempt:
                delay = self._backoff * 2 ** (attempt - 1)
                self._sleep(delay * (0.5 + random.random()))
            try:
                r = self._client.request(method, path, content=content, headers=headers, params=params)
            except httpx.TimeoutException:
                last = "timeout"
                continue
            except httpx.TransportError:
                last = "unreachable"
                continue
            if r.status_code in _RETRY_STATUS:
                last = "server_unavailable"
                continue
            if r.status_code == 401:
                try:
                    code = r.json().get("code")
                except ValueError:
                    code = None
                why = "token_missing" if code == "token_missing" else "token_invalid"
                raise ServerUnavailable(self.url, why)
            if r.status_code in (403, 409) or r.status_code == 200:
                return r
            raise ServerUnavailable(self.url, "server_error", status=r.status_code)
        raise ServerUnavailable(self.url, last)


def _writes(items: Any) -> list[Write]:
    writes = writes_from_json(items)
    return writes if writes is not None else validate_writes(items)


def is_server_url(central: str) -> bool:
    """True when a ``--central`` value names a server rather than a folder."""
    return central.startswith(("https://", "http://"))
