"""A field's history: every value it has had, who wrote it and when, and the conflicts it went
through, read from the record's writes on demand (never at start-up).

It costs one read of the record's writes (``replica.writes_of``), whatever the size of the
store. Values erased by a purge (RGPD, store/purge.py) read as erased, with who purged and
when, even before the store replaces them physically: the rule is applied on read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fsfield.store.repo import Store
from sync.canonical import same_value
from sync.purge import cutoff, erased, is_purge, is_purged, purge_field_name, purged_field
from sync.writes import Write


@dataclass(frozen=True)
class HistoryEntry:
    """One value a field has had (or, with ``purge``, one purge of that field)."""

    field: str
    """The write's field (``phone``, ``answers.m1-horaires.status``…): a label for the caller."""
    value: Any
    """The value as stored (None once erased), for the caller to word as its forms do."""
    author: str
    at: dt.datetime
    """When it was written, in local time."""
    live: bool = False
    """The field holds this value now (one of several during a conflict)."""
    conflict: bool = False
    """Written without seeing another write of the field with a different value."""
    settled: bool = False
    """Settled a conflict: it replaced two or more values at once."""
    erased: bool = False
    """The value was erased by a purge (shown « valeur effacée (RGPD) »)."""
    purge: bool = False
    """This entry is a purge of ``field`` (who erased its past values, and when)."""

    @property
    def when(self) -> str:
        """``dd/mm/yyyy HH:MM``, local time."""
        return self.at.strftime("%d/%m/%Y %H:%M")


def _local(hlc: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(hlc[0] / 1000, tz=dt.UTC).astimezone()


def covers(field: str | None, name: str) -> bool:
    """True if the write field ``name`` belongs to ``field`` (itself, or a sub-field of it:
    ``answers.m1-horaires`` covers its ``.status``, ``.value``, ``.comment``); None covers all."""
    return field is None or name == field or name.startswith(field + ".")


def _ancestors(writes: list[Write]) -> dict[str, set[str]]:
    """For each dot, every dot it saw on the same field (supersedes, followed through)."""
    by_dot = {w.dot: w for w in writes}
    memo: dict[str, set[str]] = {}
    for w in writes:  # oldest first: a write's ancestors are usually already known
        seen: set[str] = set()
        stack = list(w.supersedes)
        while stack:
            dot = stack.pop()
            if dot in seen:
                continue
            seen.add(dot)
            if dot in memo:
                seen |= memo[dot]
            elif dot in by_dot:
                stack.extend(by_dot[dot].supersedes)
        memo[w.dot] = seen
    return memo


def _live_purges(store: Store, record_id: str, name: str, purges: list[Write]) -> list[Write]:
    """The field's live purge writes: the highest of their cutoffs applies (sync/purge.py)."""
    if not purges:
        return []
    live = {w.dot for w in store.replica.live(record_id, purge_field_name(name))}
    return [w for w in purges if w.dot in live]


def _field_entries(store: Store, record_id: str, name: str, writes: list[Write],
                   purges: list[Write]) -> list[HistoryEntry]:
    live = {w.dot for w in store.replica.live(record_id, name)}
    limit = cutoff(_live_purges(store, record_id, name, purges))
    seen = _ancestors(writes)
    out = []
    for w in writes:
        concurrent = any(
            x is not w and x.dot not in seen[w.dot] and w.dot not in seen[x.dot]
            and not same_value(x.value, w.value)
            for x in writes
        )
        gone = is_purged(w.value) or erased(w, w.dot in live, limit)
        out.append(HistoryEntry(
            field=name, value=None if gone else w.value, author=w.author, at=_local(w.hlc),
            live=w.dot in live, conflict=concurrent, settled=len(w.supersedes) >= 2,
            erased=gone,
        ))
    return out


def field_history(store: Store, record_id: str, field: str | None = None) -> list[HistoryEntry]:
    """Every value of ``record_id.field`` (and of its sub-fields), oldest first, with the
    purges of those fields in their place in time. ``None``: every field of the record.

    Each write of a field is one entry; the field's purge writes are entries with ``purge``.
    """
    by_field: dict[str, list[Write]] = {}
    purges: dict[str, list[Write]] = {}
    for w in store.replica.writes_of(record_id):  # oldest HLC first
        target = purged_field(w.field)
        if target is not None:
            if covers(field, target):
                purges.setdefault(target, []).append(w)
        elif covers(field, w.field):
            by_field.setdefault(w.field, []).append(w)
    entries: list[tuple[Any, HistoryEntry]] = []
    for name, writes in by_field.items():
        for w, entry in zip(writes, _field_entries(store, record_id, name, writes,
                                                   purges.get(name, [])), strict=True):
            entries.append(((w.hlc, w.dot), entry))
    for name, ws in purges.items():
        for w in ws:
            entries.append(((w.hlc, w.dot), HistoryEntry(
                field=name, value=None, author=w.author, at=_local(w.hlc), purge=True)))
    entries.sort(key=lambda pair: pair[0])
    return [entry for _, entry in entries]


def erasable(store: Store, record_id: str, field: str | None) -> dict[str, tuple[int, Any]]:
    """For each field covered by ``field`` that has past values left to erase: how many, and
    the HLC of its newest write (the cutoff a purge of it writes). Read by store/purge.py."""
    by_field: dict[str, list[Write]] = {}
    purges: dict[str, list[Write]] = {}
    for w in store.replica.writes_of(record_id):
        target = purged_field(w.field)
        if target is not None:
            purges.setdefault(target, []).append(w)
        elif covers(field, w.field) and not is_purge(w.field):
            by_field.setdefault(w.field, []).append(w)
    out: dict[str, tuple[int, Any]] = {}
    for name, writes in by_field.items():
        live = {w.dot for w in store.replica.live(record_id, name)}
        limit = cutoff(_live_purges(store, record_id, name, purges.get(name, [])))
        left = sum(
            1 for w in writes
            if w.dot not in live and not is_purged(w.value) and not erased(w, False, limit)
        )
        if left:
            out[name] = (left, max(w.hlc for w in writes))
    return out


def has_writes(store: Store, record_id: str, field: str | None) -> bool:
    """True if the record has at least one write covered by ``field``."""
    return any(covers(field, w.field) and not is_purge(w.field)
               for w in store.replica.writes_of(record_id))
