"""A complete in-memory device: the reference implementation of :class:`LocalReplicaPort`.

Used by the tests and the benchmark, and as the model the app's persistent local store follows:
how a local write is built (counter, HLC tick, supersedes), how a delete and a conflict
resolution are built, and what the outbox holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .engine import CentralState
from .hlc import HybridClock, wall_clock_ms
from .replica import DELETED, Replica
from .writes import _HLC, Write, counters_of, make_dot


class MemoryDevice:
    """One device's replica, clock, counter, outbox and cursor, all in memory."""

    def __init__(
        self,
        device_id: str,
        scope: str,
        author: str = "",
        now_ms: Callable[[], int] = wall_clock_ms,
        replica: Any = None,
    ) -> None:
        self.device_id = device_id
        self.scope = scope
        self.author = author
        #: a Replica, or any store of writes with its API (sync.docreplica.DocReplica)
        self.replica = Replica() if replica is None else replica
        self.clock = HybridClock(device_id, now_ms=now_ms)
        self.counter = 0
        self.centrals: dict[str, CentralState] = {}
        """What this device knows of each central store, by store identity."""
        self._outbox: dict[str, Write] = {}

    # --- making local writes ------------------------------------------------------------------

    def write(
        self,
        record: str,
        kind: str,
        field: str,
        value: Any,
        supersedes: tuple[str, ...] | None = None,
    ) -> Write:
        """Record a local edit of ``record.field``; it supersedes the field's live writes."""
        # The app persists the counter before using it, so a dot is never reused after a crash.
        self.counter += 1
        sup = self.replica.supersedes_for(record, field) if supersedes is None else supersedes
        w = Write(
            make_dot(self.device_id, self.counter),
            record,
            kind,
            field,
            value,
            self.clock.tick(),
            sup,
            self.author,
        )
        self.replica.add(w)
        self._outbox[w.dot] = w
        return w

    def delete(self, record: str) -> Write:
        """Delete ``record`` (or keep it deleted, resolving a delete-versus-edit conflict)."""
        kind = self.replica.kind_of(record) or "unknown"
        return self.write(record, kind, DELETED, True, self.replica.delete_supersedes(record))

    def restore(self, record: str) -> Write:
        """Undelete ``record``; its fields come back as they were."""
        kind = self.replica.kind_of(record) or "unknown"
        return self.write(record, kind, DELETED, False)

    def resolve(self, record: str, field: str, value: Any) -> Write:
        """Resolve a conflict on ``record.field`` with ``value`` (superseding all live writes)."""
        kind = self.replica.kind_of(record) or "unknown"
        return self.write(record, kind, field, value)

    # --- LocalReplicaPort ---------------------------------------------------------------------

    def central_state(self, store_id: str) -> CentralState | None:
        """What this device knows of ``store_id`` (a copy: the engine saves it back)."""
        state = self.centrals.get(store_id)
        if state is None:
            return None
        seen = {d: set(n) for d, n in state.seen.items()}
        return CentralState(seen, state.acked, state.complete)

    def save_central_state(self, store_id: str, state: CentralState) -> None:
        """Remember it."""
        self.centrals[store_id] = state

    def own_writes_after(self, counter: int) -> list[Write]:
        """Own writes above ``counter``, oldest first."""
        found = (self.replica.get(make_dot(self.device_id, n)) for n in range(counter + 1,
                                                                             self.counter + 1))
        return [w for w in found if w is not None]

    def held(self) -> list[Write]:
        """Every write of the replica."""
        return list(self.replica)

    def outbox(self) -> list[Write]:
        """Local writes never acknowledged by a central store, oldest first."""
        return sorted(self._outbox.values(), key=lambda w: w.counter)

    def mark_sent(self, dots: Iterable[str]) -> None:
        """Drop acknowledged writes from the outbox."""
        for dot in dots:
            self._outbox.pop(dot, None)

    def apply_remote(self, writes: list[Write]) -> list[Write]:
        """Merge remote writes; the clock observes them so later local writes sort after."""
        new = self.replica.add_all(writes)
        self.clock.observe_all(map(_HLC, new))
        mine = counters_of(new, self.device_id)
        if mine:  # our own writes, lost locally (older backup): never reuse their counters
            self.counter = max(self.counter, *mine)
        return new

    def has_conflict(self, record: str) -> bool:
        """Delegates to the replica."""
        return self.replica.has_conflict(record)
