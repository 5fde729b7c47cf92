"""The store's format 3: one document per record (sync/docreplica.py) in lazily loaded TinyDB
tables (docstorage.py), superseded writes in the history file, read only when asked for.

Tables: ``d:<kind>`` or ``d:<kind>@<site id>`` (record id -> document), ``index`` (record id ->
where its document is), ``vv`` (device -> version vector entry), ``conflicted`` (record id ->
kind), ``outbox`` (own writes not yet acknowledged by a central store: counter -> write), and
the app's small tables (``meta``, ``central_state``) through TinyDB.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from fsfield.store import messages, summary
from fsfield.store.docstorage import DocStorage, SaveFailed
from fsfield.store.schema import check_table as check_old_table
from sync.docreplica import CONFLICTED, DOCS, INDEX, VV, DocReplica
from sync.writes import Write

OUTBOX = "outbox"
PLACE_BY: dict[str, str] = {"visit": "site_id", "followup": "site_id"}
"""Visits and follow-ups are kept in one table per site (``d:visit@<site id>``): a site's dossier,
a visit and the comparisons with that site's earlier visits read that table only."""
SUMMARY: dict[str, tuple[str, ...]] = summary.FIELDS
"""The home screen's fields: these fields of every record of these kinds are also kept in a
small table ``s:<kind>`` (record id -> values), saved with the documents they come from; the
figures the home screen shows are folded from them per site into ``s:site`` (summary.py), so
that the first screen reads one small entry per site and no visit or follow-up document."""
SUMMARY_VERSION = 1
_MARK = summary.Keeper.MARK  # the version mark of a summary table
_DOC_KEYS = frozenset(("k", "d", "a", "fw", "lh", "f"))


def check_table(name: str, table: dict[str, Any]) -> str | None:
    """None if ``table`` holds what its name says, else a French reason (a few type tests per
    document: every record's document is checked when its table is first read)."""
    if name.startswith(DOCS):
        for key, doc in table.items():
            if not (_DOC_KEYS <= doc.keys() and type(doc["f"]) is dict
                    and type(doc["d"]) is list and type(doc["fw"]) is list):
                return messages.bad_write(key, "document")
    elif name == VV:
        for key, doc in table.items():
            entry = doc.get("v")
            if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int:
                return messages.bad_write(key, "vv")
    elif name in (INDEX, CONFLICTED):
        if any(type(doc.get("v")) is not str for doc in table.values()):
            return messages.bad_write(name, "kind")
    elif name == summary.TABLE:
        if not summary.check(table):
            return messages.bad_write(name, "v")
    elif name.startswith("s:"):
        if any(type(doc.get("v")) is not list and key != _MARK for key, doc in table.items()):
            return messages.bad_write(name, "v")
    elif name == OUTBOX:
        for key, doc in table.items():
            w = doc.get("w")
            if type(w) is not list or len(w) != 8 or type(w[5]) is not list:
                return messages.bad_write(key, "w")
    else:
        return check_old_table(name, table)
    return None


_WRAPPED = frozenset((INDEX, VV, CONFLICTED))
"""Tables whose values are not documents (TinyDB keeps dicts): kept as ``{"v": value}``."""


def outbox_doc(w: Write) -> dict[str, Any]:
    """An own write waiting for the central store, as kept in the outbox table."""
    return {"w": [w.record, w.kind, w.field, w.value, w.dot, w.hlc, w.supersedes, w.author]}


def outbox_write(doc: dict[str, Any]) -> Write:
    r, k, f, v, dot, h, sup, author = doc["w"]
    return Write(dot, r, k, f, v, (h[0], h[1], h[2]), tuple(sup), author)


class StoreBackend:
    """The DocReplica's tables and history, kept by a DocStorage (sync.docreplica.DocBackend)."""

    def __init__(self, storage: DocStorage) -> None:
        self.storage = storage

    def get(self, table: str, key: str) -> Any:
        t = self.storage.read().get(table)
        if t is None:
            return None
        value = t.get(key)
        return value["v"] if value is not None and table in _WRAPPED else value

    def put(self, table: str, key: str, value: Any, fields: set[str] | None = None) -> None:
        if value is not None and table in _WRAPPED:
            value = {"v": value}
        self.storage.put(table, key, value, fields)

    def keys(self, table: str) -> Iterable[str]:
        t = self.storage.read().get(table)
        return list(t) if t else []

    def locator(self) -> int:
        return self.storage.next_seq()

    def log(self, entries: list[Any]) -> None:
        self.storage.log_history(entries)

    def history(self, where: set[int] | None = None) -> Iterator[Any]:
        return self.storage.history(where)

    def rewrite_history(self, fn: Callable[[Any], Any]) -> None:
        self.storage.rewrite_history(fn)


class DocFormat:
    """Writes kept as documents plus history (see module docstring)."""

    legacy = False

    def __init__(
        self, data_dir: Path, compact_min_bytes: int, owner: Callable[[], None]
    ) -> None:
        self.storage = DocStorage(
            data_dir, compact_min_bytes=compact_min_bytes, check=check_table, owner=owner
        )
        self.replica = DocReplica(StoreBackend(self.storage), PLACE_BY)
        self._settle_places()

    def _settle_places(self) -> None:
        """Documents of format 3's layout (one ``d:visit`` table) move to their site's table,
        when that format is first opened, in one save (a refused save is retried with the
        next one). A record with no site yet stays in ``d:visit`` and moves when saved."""
        if not self.storage.upgraded:
            return
        tables = self.storage.read()
        for kind in PLACE_BY:
            if DOCS + kind in tables:  # ``in`` loads nothing
                with contextlib.suppress(SaveFailed), self.storage.batch():
                    self.replica.settle_places(kind)
                    if not tables[DOCS + kind]:
                        self.storage.drop(DOCS + kind)

    def own_top(self, device: str) -> int:
        entry = self.replica.backend.get(VV, device)  # type: ignore[attr-defined]
        return 0 if entry is None else max([entry[0], *entry[1]])

    def merge(self, writes: list[Write], device: str) -> list[Write]:
        """Merge writes into the documents; own new ones join the outbox (caller's batch).
        The summaries (per record, per site) follow in the same batch."""
        before = self._summarised_now(writes)
        new = self.replica.add_all(writes)
        prefix = device + ":"
        touched: dict[str, str] = {}
        for w in new:
            touched[w.record] = w.kind
            if w.dot.startswith(prefix):
                self.storage.put(OUTBOX, str(w.counter), outbox_doc(w))
        kept = self.sites.kept() is not None
        changes = {}
        for record, kind in touched.items():
            old_kind, old_values = before.get(record, (None, None))
            after = self._summarise(record, kind, old_kind)
            if kept:
                changes[record] = (summary.contribution(old_kind, old_values, record),
                                   summary.contribution(*after, record))
        if changes:
            self.sites.apply(changes)
        return new

    def _summarised_now(self, writes: list[Write]) -> dict[str, tuple[str, list[Any] | None]]:
        """Kind and summarised values of the records ``writes`` are about, before they merge."""
        out: dict[str, tuple[str, list[Any] | None]] = {}
        for w in writes:
            if w.record not in out:
                found = self._summary_values(w.record)
                if found is not None:
                    out[w.record] = found
        return out

    def _summary_values(self, record: str) -> tuple[str, list[Any] | None] | None:
        """The record's kind and its summarised values (None if not summarised), reading only
        those fields of its document; None for an unknown record."""
        actual = self.replica.kind_of(record)
        if actual is None:
            return None
        fields = SUMMARY.get(actual)
        return actual, (self.replica.values(record, fields, kind=actual) if fields else None)

    def _summarise(
        self, record: str, kind: str, old_kind: str | None = None
    ) -> tuple[str | None, list[Any] | None]:
        """Save the record's summarised values; returns its kind and them (None: none kept)."""
        found = self._summary_values(record)
        if found is None:
            return None, None
        actual, summarised = found
        for other in {kind, old_kind}:  # an earlier write gave the record another kind
            if other is not None and other != actual and other in SUMMARY:
                self.storage.put("s:" + other, record, None)
        if summarised is not None:
            self.storage.put("s:" + actual, record, {"v": summarised})
        return actual, summarised

    @functools.cached_property
    def sites(self) -> summary.Keeper:
        """The per-site summary of the home screen (summary.py)."""
        return summary.Keeper(self.storage, self._summarised)

    def _summarised(self) -> Iterator[tuple[str, str, list[Any]]]:
        for kind, fields in SUMMARY.items():
            for record, values in self.figures(kind, fields):
                yield kind, record, values

    def site_figures(self, today: dt.date) -> dict[str, summary.SiteFigures]:
        """The home screen's figures per site id on ``today``, from the per-site summary
        (one small entry per site, built once if missing); from the per-record summaries
        for a day the entries cannot answer (a clock set back by months)."""
        found = self.sites.figures(today)
        if found is None:
            return summary.figures_from_summaries(self.figures, today)
        return found

    def figures(self, kind: str, fields: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        """``(record id, displayed values of fields)`` of every record of ``kind``: from the
        summary table when it holds these fields (built once if missing, e.g. after the
        conversion), else from the documents."""
        if SUMMARY.get(kind) != fields:
            return [(r, self.replica.values(r, fields, kind=kind))
                    for r in self.replica.records(kind)]
        table = self.storage.read().get("s:" + kind)
        if table is None or (table.get(_MARK) or {}).get("v") != SUMMARY_VERSION:
            with self.storage.batch():
                for record in self.replica.records(kind):
                    self._summarise(record, kind)
                self.storage.put("s:" + kind, _MARK, {"v": SUMMARY_VERSION})
            table = self.storage.read()["s:" + kind]
        return [(r, doc["v"]) for r, doc in table.items() if r != _MARK]

    def own_writes(self, device: str, after: int, top: int) -> list[Write]:
        """Own writes above ``after``: from the outbox when it holds them all, else every write
        is read (a republish to a new central store: rare)."""
        table = self.storage.read().get(OUTBOX) or {}
        counters = sorted(int(k) for k in table)
        if len(counters) == top - after and (not counters or counters[0] == after + 1):
            return [outbox_write(table[str(c)]) for c in counters]
        return [w for w in self.replica.by_device(device) if w.counter > after]

    def sent(self, device: str, acked: int) -> None:
        """Drop acknowledged writes from the outbox."""
        table = self.storage.read().get(OUTBOX) or {}
        for key in [k for k in table if int(k) <= acked]:
            self.storage.put(OUTBOX, key, None)


__all__ = ["CONFLICTED", "DocFormat", "OUTBOX", "PLACE_BY", "StoreBackend", "check_table"]
