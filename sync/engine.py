"""One sync round between the local replica (implemented by the app) and a central store.

Two kinds of central store share this one round (docs/sync-model.md, "One round, two kinds of
store"): a folder lists its batches by name (:class:`CentralStore`), a server returns the writes
above a cursor it assigns (:class:`CursorStore`). Only the reading step differs.

Order (docs/sync-model.md): identify the store -> list it -> read the batches not seen yet ->
apply them (one union) -> publish what the store lacks -> save what this device knows of the
store. What the store lacks is the outbox, unless the store is new to this device, a republish
there did not complete, or a batch seen before is gone: then every write this device holds that no
batch present contains (own or relayed). A failed push leaves the state as it was: the next round
publishes again, which readers absorb (union by dot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .batch import BadFile, Batch
from .folder import BatchRef, Listing, Problem
from .hlc import MAX_SKEW_MS, wall_clock_ms
from .writes import _DOT, DotCollision, Write, gc_paused

MAX_BATCH_WRITES = 5_000
"""Largest batch pushed at once: bounds file size after a long offline period."""

Progress = Callable[[int, int], None]
"""Called with (batches read so far, batches to read) during a round."""


@dataclass(slots=True)
class CentralState:
    """What a device knows of one central store (kept per store identity by the app).

    ``seen``: device folder -> names of the batches read or written there; ``acked``: every own
    write up to this counter is in one of them; ``complete``: the last republish there finished;
    ``cursor``: for a cursor store (a server), the last position read there.
    """

    seen: dict[str, set[str]] = field(default_factory=dict)
    acked: int = 0
    complete: bool = False
    cursor: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON document (sorted, so that an unchanged state compares equal)."""
        doc: dict[str, Any] = {
            "seen": {d: sorted(n) for d, n in sorted(self.seen.items()) if n},
            "acked": self.acked,
            "complete": self.complete,
        }
        if self.cursor:
            doc["cursor"] = self.cursor
        return doc

    @classmethod
    def from_json(cls, doc: Any) -> CentralState | None:
        """The state saved by :meth:`to_json`, or None if ``doc`` is not one (local data, but
        never worth a crash: a device that forgot a store reads it all again)."""
        if not isinstance(doc, dict):
            return None
        seen, acked, complete = doc.get("seen"), doc.get("acked"), doc.get("complete")
        cursor = doc.get("cursor", 0)
        if not isinstance(seen, dict) or type(acked) is not int or type(complete) is not bool:
            return None
        if type(cursor) is not int:
            return None
        out: dict[str, set[str]] = {}
        for device, names in seen.items():
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return None
            out[str(device)] = set(names)
        return cls(out, acked, complete, cursor)


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

    def central_state(self, store_id: str) -> CentralState | None:
        """What this device knows of store ``store_id`` (None: never synced with it)."""
        ...

    def save_central_state(self, store_id: str, state: CentralState) -> None:
        """Persist it (the app saves it with the round's other changes)."""
        ...

    def own_writes_after(self, counter: int) -> list[Write]:
        """This device's writes with a counter above ``counter``, oldest first."""
        ...

    def held(self) -> Iterable[Write]:
        """Every write of the replica (own and received)."""
        ...

    def outbox(self) -> list[Write]:
        """Own writes never acknowledged by any central store, oldest first."""
        ...

    def mark_sent(self, dots: Iterable[str]) -> None:
        """Record that these writes are durably in a central store."""
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
    it stays in the outbox. ``reason`` is a code (worded by the app), ``message`` the server's
    own French wording, used for a code the app does not know."""

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
    """What the engine needs from a batch-listing central store (:class:`~sync.folder.FolderStore`).
    ``push`` may raise :class:`PushRefused` after publishing only part of the writes."""

    def identify(self, create: bool = True) -> tuple[str, bool]:
        """The store's identity, and whether this call made the folder a store."""
        ...

    def list(self, scope: str | None) -> Listing:
        """The batch files of ``scope``, unread."""
        ...

    def read(self, ref: BatchRef) -> Batch:
        """Read and validate one batch (BadFile, OSError)."""
        ...

    def check(self) -> None:
        """Raise :class:`~sync.folder.StoreUnavailable` if the store cannot be reached now."""
        ...

    def push(self, device: str, scope: str, writes: list[Write]) -> str:
        """Durably publish a batch; return its name."""
        ...


@dataclass(slots=True)
class Pulled:
    """The writes a cursor store holds above a position, as pages (``batches``), the position
    after them, and the pages it could not use (read again next time: the cursor stays before)."""

    batches: list[Batch]
    cursor: int
    problems: list[Problem] = field(default_factory=list)


@runtime_checkable
class CursorStore(Protocol):
    """A central store that orders its writes itself (:class:`~sync.http.HttpCentralStore`): it
    returns the writes above a cursor instead of listing batches. ``push`` returns the store's
    position after it and may raise :class:`PushRefused`."""

    def identify(self, create: bool = True) -> tuple[str, bool]:
        """The store's identity (a new one: a new or reset store), and whether it was made now."""
        ...

    def pull(self, after: int, scope: str | None) -> Pulled:
        """Every write above ``after`` that this device may read (``scope``: one département)."""
        ...

    def push(self, device: str, scope: str, writes: list[Write]) -> int:
        """Durably publish the writes; return the store's position after them."""
        ...


@dataclass(slots=True)
class SyncResult:
    """What one round did: dots pushed, new writes received, records now in conflict among those
    touched by received writes, problems met, and received writes from a clock in the future.

    ``republished``: writes pushed beyond the outbox (the store lacked them); ``full``: the round
    read every batch (the store is new to this device or lost some); ``gone``: batches seen
    before that are no longer there; ``created``: this round made the folder a store;
    ``refused``: writes the store refused (kept in the outbox when they are this device's)."""

    sent: list[str] = field(default_factory=list)
    received: list[Write] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    future: list[Write] = field(default_factory=list)
    store_id: str = ""
    created: bool = False
    full: bool = False
    gone: int = 0
    republished: int = 0
    refused: list[RefusedWrite] = field(default_factory=list)


LocalStep = Callable[[Callable[[], Any]], Any]
"""Runs a function where the local replica may be read and changed, and returns its result: by
default right here; the TUI runs it on its main thread inside its save guard, so that the slow
parts of a round (listing, reading, validating, pushing) never touch the replica."""


def _here(fn: Callable[[], Any]) -> Any:
    return fn()


def sync_once(
    local: LocalReplicaPort,
    store: CentralStore | CursorStore,
    *,
    create: bool = True,
    progress: Progress | None = None,
    local_step: LocalStep = _here,
) -> SyncResult:
    """One round (see the module docstring). ``create``: an empty folder may become a store.

    Raises :class:`~sync.folder.StoreUnavailable` if the store cannot be reached (what was
    pushed before the failure stays acknowledged; the rest is published next time), and
    whatever ``local_step`` raises (a failed local save: nothing is pushed after it)."""
    result = SyncResult()
    device, scope = local.device_id, local.scope
    result.store_id, result.created = store.identify(create)
    state = local_step(lambda: local.central_state(result.store_id))
    cursor_store = isinstance(store, CursorStore)
    # A first sync builds an object per write and field, none in a cycle: one GC pause.
    with gc_paused():
        if cursor_store:
            batches, cursor = _pull(store, state, scope, result, progress)
            seen: dict[str, set[str]] = {}
        else:
            batches, seen = _list_and_read(store, state, scope, result, progress)
            cursor = 0
        acked = state.acked if state is not None else 0
        in_store = set(map(_DOT, chain.from_iterable(b.writes for b in batches)))
        prefix = device + ":"

        def merge() -> tuple[list[Write], int, set[str]]:
            _apply(local, batches, result)
            after = local.own_writes_after(acked)  # what is pending: usually few or none
            own = [w.counter for w in after]
            if result.full:
                lacking = [w for w in local.held() if w.dot not in in_store]
                if len(lacking) > MAX_BATCH_WRITES:  # own writes first, in counter order
                    lacking.sort(key=lambda w: (not w.dot.startswith(prefix), w.counter))
            else:
                lacking = [w for w in after if w.dot not in in_store]
            outbox = local.outbox()
            # Own writes already there (a push whose answer was lost) are acknowledged now.
            there = [w.dot for w in outbox if w.dot in in_store]
            if there:
                local.mark_sent(there)
                outbox = local.outbox()
            # Writes a store refused stay in the outbox below ``acked``: offered again each round.
            offered = {w.dot for w in lacking}
            lacking += [w for w in outbox if w.dot not in in_store and w.dot not in offered]
            if not lacking:
                state = CentralState(seen, max(own, default=acked), True, cursor)
                local.save_central_state(result.store_id, state)
            return lacking, max(own, default=acked), {w.dot for w in outbox}

        lacking, top, outbox = local_step(merge)
    chunks = [lacking[i : i + MAX_BATCH_WRITES] for i in range(0, len(lacking), MAX_BATCH_WRITES)]
    for n, chunk in enumerate(chunks, 1):
        try:
            name = store.push(device, scope, chunk)
            dots = [w.dot for w in chunk]
        except PushRefused as err:  # the rest was published; the refused stay in the outbox
            name, dots = None, err.accepted
            result.refused.extend(err.refused)
        if isinstance(name, str):  # a batch name (a folder); a cursor store reads by position
            seen.setdefault(device, set()).add(name)
        done = n == len(chunks)

        def acknowledge(dots: list[str] = dots, done: bool = done) -> None:
            local.mark_sent([d for d in dots if d.startswith(prefix)])
            # Own writes above ``acked`` are pushed in counter order in the usual case; a
            # republish (full) counts as done only once every chunk is in.
            if done:
                state = CentralState(seen, max(top, acked), True, cursor)
            elif result.full:
                state = CentralState(seen, acked, False, cursor)
            else:
                mine = [int(d.rpartition(":")[2]) for d in dots if d.startswith(prefix)]
                state = CentralState(seen, max(mine, default=acked), True, cursor)
            local.save_central_state(result.store_id, state)

        local_step(acknowledge)
        result.sent.extend(dots)
        result.republished += sum(1 for d in dots if d not in outbox)

    def conclude() -> None:
        touched = sorted({w.record for w in result.received})
        result.conflicts = [r for r in touched if local.has_conflict(r)]

    local_step(conclude)
    limit = wall_clock_ms() + MAX_SKEW_MS
    result.future = [w for w in result.received if w.hlc[0] > limit]
    return result


def _list_and_read(
    store: CentralStore,
    state: CentralState | None,
    scope: str,
    result: SyncResult,
    progress: Progress | None,
) -> tuple[list[Batch], dict[str, set[str]]]:
    """A folder: list it, read the batches not seen yet (all of them on a full round), and say
    which batch names this device now knows there."""
    listing = store.list(scope)
    result.problems.extend(listing.problems)
    present = {d: set(names) for d, names in listing.batches.items()}
    old_seen = state.seen if state is not None else {}
    result.gone = sum(len(n - present.get(d, set())) for d, n in old_seen.items())
    result.full = state is None or not state.complete or result.gone > 0
    refs = listing.refs()
    if not result.full:
        refs = [r for r in refs if r.name not in old_seen.get(r.device, ())]
    batches = _read(store, refs, result, progress)
    seen: dict[str, set[str]] = {}
    if not result.full:
        for d, names in old_seen.items():
            if d in present:
                seen[d] = names & present[d]
    for b in batches:
        seen.setdefault(b.device, set()).add(b.path.name)
    return batches, seen


def _pull(
    store: CursorStore,
    state: CentralState | None,
    scope: str,
    result: SyncResult,
    progress: Progress | None,
) -> tuple[list[Batch], int]:
    """A cursor store: the writes above the cursor, or all of them on a full round (a store new
    to this device, or whose last republish did not finish). A new or reset server has a new
    identity, hence no state here: a full round."""
    result.full = state is None or not state.complete
    after = 0 if state is None or result.full else state.cursor
    pulled = store.pull(after, scope)
    result.problems.extend(pulled.problems)
    if progress is not None:
        progress(len(pulled.batches), len(pulled.batches))
    return pulled.batches, pulled.cursor


def _read(
    store: CentralStore, refs: list[BatchRef], result: SyncResult, progress: Progress | None
) -> list[Batch]:
    batches: list[Batch] = []
    for i, ref in enumerate(refs, 1):
        try:
            batches.append(store.read(ref))
        except BadFile as err:
            result.problems.append(Problem(Path(ref.path), err.code, err.params))
        except OSError as err:
            store.check()  # the root itself gone (unplugged mid-sync, share lost) raises
            if not isinstance(err, FileNotFoundError):  # else it went since the listing
                problem = Problem(Path(ref.path), "unreadable", {"errno": err.errno or 0})
                result.problems.append(problem)
        if progress is not None:
            progress(i, len(refs))
    return batches


def _apply(local: LocalReplicaPort, batches: list[Batch], result: SyncResult) -> None:
    try:
        # Everything in one call: one merge and one durable save, however many batches.
        result.received.extend(local.apply_remote([w for b in batches for w in b.writes]))
    except DotCollision:
        # apply_remote changed nothing. One reused dot must not hold back the rest: apply
        # batch by batch, and a batch with a collision write by write. A device's own folder
        # speaks for its dots: writes published by their author go first, relayed ones after.
        for own in (True, False):
            for batch in batches:
                prefix = batch.device + ":"
                part = [w for w in batch.writes if w.dot.startswith(prefix) is own]
                try:
                    result.received.extend(local.apply_remote(part))
                except DotCollision:
                    for w in part:
                        try:
                            result.received.extend(local.apply_remote([w]))
                        except DotCollision as err:
                            result.problems.append(
                                Problem(batch.path, "dot_collision", {"dot": err.incoming.dot})
                            )
