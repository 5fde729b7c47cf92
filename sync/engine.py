"""One sync round between the local replica (implemented by the app) and a central store.

Order: push the outbox (durable) -> mark it sent -> pull above the cursor -> apply -> save the
cursor. A failed push marks nothing sent, so the writes are pushed again next time; a failed apply
does not move the cursor, so the batches are read again next time. Both repeats are harmless:
merging is a union by dot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .folder import Problem, PullResult
from .hlc import MAX_SKEW_MS, wall_clock_ms
from .writes import DotCollision, Write, gc_paused

MAX_BATCH_WRITES = 5_000
"""Largest batch pushed at once: bounds file size after a long offline period."""


class LocalReplicaPort(Protocol):
    """What the app's local store provides to the sync engine."""

    @property
    def device_id(self) -> str:
        """This data dir's device id."""
        ...

    @property
    def scope(self) -> str:
        """The département code this device works on."""
        ...

    cursor: dict[str, int]
    """Last batch seq read per remote device; persisted by the app when set."""

    def outbox(self) -> list[Write]:
        """Local writes not yet acknowledged by the central store, oldest first."""
        ...

    def mark_sent(self, dots: Iterable[str]) -> None:
        """Record that these writes are durably in the central store."""
        ...

    def apply_remote(self, writes: list[Write]) -> list[Write]:
        """Merge remote writes (persisting them, and letting the HLC observe them); return the
        new ones. May raise :class:`~sync.writes.DotCollision`, changing nothing.

        ``writes`` may include this device's own writes (read back from the store): if one has a
        counter above the local counter, the local counter must jump past it, or a dot would be
        reused (this happens after restoring the data dir from a backup)."""
        ...

    def has_conflict(self, record: str) -> bool:
        """True if ``record`` has a conflict (``Replica.has_conflict``)."""
        ...


@dataclass(frozen=True, slots=True)
class RefusedWrite:
    """A write the central store refused (a server: not this token's to write, or a reused dot);
    it stays in the outbox. ``reason`` is a code, ``message`` its French wording."""

    dot: str
    record: str
    reason: str
    message: str


class PushRefused(Exception):
    """Raised by a central store's ``push`` that stored ``accepted`` and refused ``refused``."""

    def __init__(self, accepted: list[str], refused: list[RefusedWrite]) -> None:
        super().__init__(f"{len(refused)} write(s) refused")
        self.accepted = accepted
        self.refused = refused


class CentralStore(Protocol):
    """What the engine needs from a central store (:class:`~sync.folder.FolderStore`)."""

    def push(self, device: str, scope: str, writes: list[Write]) -> int:
        """Durably publish a batch; return its seq. May raise :class:`PushRefused` after
        publishing only part of it."""
        ...

    def pull(
        self, cursor: dict[str, int], scope: str | None, exclude_device: str | None = None
    ) -> PullResult:
        """Read the batches above the cursor."""
        ...


@dataclass(slots=True)
class SyncResult:
    """What one round did: dots pushed, new writes received, records now in conflict among those
    touched by received writes, problems met, received writes from a clock in the future, and
    writes the store refused (kept in the outbox)."""

    sent: list[str] = field(default_factory=list)
    received: list[Write] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    future: list[Write] = field(default_factory=list)
    refused: list[RefusedWrite] = field(default_factory=list)


def sync_once(local: LocalReplicaPort, store: CentralStore) -> SyncResult:
    """Push the outbox, then pull and apply what others wrote. Raises
    :class:`~sync.folder.StoreUnavailable` if the store cannot be reached (what was pushed
    before the failure stays marked sent; the rest stays in the outbox)."""
    result = SyncResult()
    device, scope = local.device_id, local.scope
    outbox = local.outbox()
    for i in range(0, len(outbox), MAX_BATCH_WRITES):
        chunk = outbox[i : i + MAX_BATCH_WRITES]
        try:
            store.push(device, scope, chunk)
            dots = [w.dot for w in chunk]
        except PushRefused as err:  # the rest was published; the refused stay in the outbox
            dots = err.accepted
            result.refused.extend(err.refused)
        local.mark_sent(dots)
        result.sent.extend(dots)

    # A first sync builds an object per write and field, none in a cycle: one GC pause from
    # reading to merging (a pause only defers the collector, so one pause, not several).
    with gc_paused():
        # Our own folder is read too: normally that only re-reads what we just pushed (a no-op),
        # but a data dir restored from an older backup (with its older cursor) gets back its own
        # acknowledged writes, which exist nowhere else.
        pulled = store.pull(dict(local.cursor), scope)
        result.problems.extend(pulled.problems)
        try:
            # Everything in one call: one merge and one durable save, however many batches.
            result.received.extend(local.apply_remote(pulled.writes))
        except DotCollision:
            # apply_remote changed nothing. One reused dot must not hold back the rest: apply
            # batch by batch, and a batch with a collision write by write.
            for batch in pulled.batches:
                try:
                    result.received.extend(local.apply_remote(batch.writes))
                except DotCollision:
                    for w in batch.writes:
                        try:
                            result.received.extend(local.apply_remote([w]))
                        except DotCollision as err:
                            result.problems.append(Problem(batch.path, str(err)))
        local.cursor = pulled.cursor

        touched = sorted({w.record for w in result.received})
        result.conflicts = [r for r in touched if local.has_conflict(r)]
        limit = wall_clock_ms() + MAX_SKEW_MS
        result.future = [w for w in result.received if w.hlc[0] > limit]
    return result
