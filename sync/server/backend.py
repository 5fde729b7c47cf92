"""What the HTTP layer needs from a backend, and the push rules both backends share.

A backend stores writes under a server-assigned sequence, with each record's département and
current document, the idempotency keys of pushes, and the tokens. The push algorithm
(:func:`plan_push`) is the same for both; a backend supplies the lookups and the storage, inside
its own critical section (one process lock for the JSON file, an advisory lock in PostgreSQL).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from sync.writes import Write

from .access import Principal, RecordInfo, Refusal, TokenRow, check_batch

CENTRAL_FORMAT = "fsfield-central/1"
"""Format of the store as the API shows it; a client meeting another one refuses to write."""
EXPORT_FORMAT = "fsfield-export/1"


class BackendError(Exception):
    """Base of the errors a push can end with (nothing of the batch stored)."""


class Refused(BackendError):
    """Some records of the batch may not be written or placed (403)."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} record(s) refused")
        self.refusals = refusals


class Collision(BackendError):
    """Known dots with different content (409)."""

    def __init__(self, dots: list[str]) -> None:
        super().__init__(f"dot collision: {', '.join(dots[:5])}")
        self.dots = dots


class KeyReused(BackendError):
    """An idempotency key already used for another request (422)."""


class Unavailable(BackendError):
    """The storage cannot be used right now (503); the client retries."""


class StoreLocked(Exception):
    """Another process serves this JSON file store."""


@dataclass(slots=True)
class Page:
    """Stored bodies of the writes above a cursor, the next cursor, and whether more follow."""

    bodies: list[bytes]
    cursor: int
    more: bool

    def to_json(self) -> bytes:
        """The pull answer, built from the stored bodies without parsing them."""
        more = b"true" if self.more else b"false"
        return b'{"writes":[%s],"cursor":%d,"more":%s}' % (b",".join(self.bodies), self.cursor, more)


@dataclass(slots=True)
class PushPlan:
    """What a push stores: new rows ``(write, département, body)`` and how many were known."""

    rows: list[tuple[Write, str, bytes]] = field(default_factory=list)
    known: int = 0


def write_body(w: Write) -> bytes:
    """The stored (and served) JSON of a write: canonical, so equal content is equal bytes."""
    return orjson.dumps(w.to_dict(), option=orjson.OPT_SORT_KEYS)


def request_digest(device: str, scope: str, writes: list[Write]) -> str:
    """Digest of a push request, to tell a replay from a reused idempotency key."""
    h = hashlib.sha256(f"{device}\n{scope}\n".encode())
    for w in writes:
        h.update(write_body(w))
        h.update(b"\n")
    return h.hexdigest()


def plan_push(
    principal: Principal,
    scope: str,
    writes: list[Write],
    known: Mapping[str, RecordInfo],
    existing: Mapping[str, bytes],
) -> PushPlan:
    """Check a batch against the store (``known`` records, ``existing`` dot -> body) and say
    what to store. Raises :class:`Refused` or :class:`Collision`; then nothing may be stored."""
    placed, refused = check_batch(principal, scope, writes, known)
    if refused:
        raise Refused(refused)
    plan = PushPlan()
    seen: dict[str, bytes] = {}
    collisions: list[str] = []
    for w in writes:
        body = write_body(w)
        old = existing.get(w.dot, seen.get(w.dot))
        if old is None:
            seen[w.dot] = body
            plan.rows.append((w, placed[w.record], body))
        elif old != body:
            collisions.append(w.dot)
        else:
            plan.known += 1
    if collisions:
        raise Collision(sorted(set(collisions)))
    return plan


class Backend(Protocol):
    """A store the HTTP layer serves (see :mod:`.jsonfile`, :mod:`.postgres`)."""

    store_id: str

    def health(self) -> None:
        """Raise :class:`Unavailable` if the storage cannot be used."""
        ...

    def find_token(self, token_id: str) -> TokenRow | None:
        """The stored token of that id (revoked ones included), or None."""
        ...

    def push(
        self, principal: Principal, key: str, device: str, scope: str, writes: list[Write]
    ) -> dict[str, int]:
        """Store a batch (all or nothing); return ``{"seq", "stored", "known"}``. A replayed
        ``key`` with the same request returns the first answer."""
        ...

    def pull(self, readable: frozenset[str] | None, after: int, limit: int) -> Page:
        """Writes above ``after`` in the départements ``readable`` (None: all), in seq order."""
        ...

    def records(
        self, readable: frozenset[str] | None, kind: str | None, limit: int, after: str
    ) -> list[dict[str, Any]]:
        """Current documents, by record id above ``after``."""
        ...

    def add_token(self, row: TokenRow) -> None:
        """Store a new token."""
        ...

    def tokens(self) -> list[TokenRow]:
        """Every token, revoked ones included."""
        ...

    def revoke_token(self, name: str, now_ms: int) -> list[TokenRow]:
        """Revoke the active tokens named ``name`` (or of that id); return them."""
        ...

    def export(self) -> Iterator[dict[str, Any]]:
        """Every write in seq order: ``{"seq", "department", "write"}``."""
        ...

    def import_rows(self, rows: Iterable[tuple[str, Write]]) -> tuple[int, int]:
        """Store ``(département, write)`` rows not yet known; return (stored, known). A known
        dot with other content raises :class:`Collision`."""
        ...

    def close(self) -> None:
        """Release files, connections, locks."""
        ...
