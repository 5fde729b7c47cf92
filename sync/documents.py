"""How a :class:`~sync.docreplica.DocReplica` keeps its writes: the tables it uses, where they
live (:class:`DocBackend`; :class:`MemoryBackend` in memory), the encoding of one record's
document (:class:`Document`) and of a history entry. See sync/docreplica.py for the rules."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from .canonical import canonical, same_value
from .writes import Write

INDEX = "index"
"""Backend table: record id -> where its document is: its kind (the kind of its earliest write),
or ``kind@value`` for a kind placed by a field (``DocReplica.place_by``)."""
VV = "vv"
"""Backend table: device -> ``[contiguous counter, [counters known above it]]``."""
CONFLICTED = "conflicted"
"""Backend table: record id -> its kind, for the records with an open conflict."""
DOCS = "d:"
"""Prefix of the backend tables holding the documents, one table per kind (``d:site``) or per
kind and placing value (``d:visit@<site id>``)."""


class DocBackend(Protocol):
    """Where a :class:`DocReplica` keeps its tables (key -> JSON value) and its history."""

    def get(self, table: str, key: str) -> Any:
        """The value under ``key`` (None if absent)."""

    def put(self, table: str, key: str, value: Any, fields: set[str] | None = None) -> None:
        """Set (None: remove) the value under ``key``. ``fields``, for a document already under
        ``key`` changed in place: the only fields of its ``"f"`` whose entries changed (the
        other top-level keys may all have changed); a backend may then save only those."""

    def keys(self, table: str) -> Iterable[str]:
        """Every key of ``table`` (empty if it does not exist)."""

    def locator(self) -> int:
        """Where the next ``log`` will file its entries (kept by documents to find theirs)."""

    def log(self, entries: list[Any]) -> None:
        """Append history entries (under ``locator()``)."""

    def history(self, where: set[int] | None = None) -> Iterator[Any]:
        """Every history entry, oldest first; only those logged under ``where`` (and perhaps
        others: the caller filters) if given."""

    def rewrite_history(self, fn: Callable[[Any], Any]) -> None:
        """Replace every history entry by ``fn(entry)``, everywhere it is kept."""


class MemoryBackend:
    """A :class:`DocBackend` in memory (tests, and the reference for the app's)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {}
        self.hist: list[Any] = []
        self.batches: list[int] = []  # locator of each entry of hist

    def get(self, table: str, key: str) -> Any:
        return self.tables.get(table, {}).get(key)

    def put(self, table: str, key: str, value: Any, fields: set[str] | None = None) -> None:
        if value is None:
            self.tables.get(table, {}).pop(key, None)
        else:
            self.tables.setdefault(table, {})[key] = value

    def keys(self, table: str) -> Iterable[str]:
        return list(self.tables.get(table, {}))

    def locator(self) -> int:
        return (self.batches[-1] + 1) if self.batches else 0

    def log(self, entries: list[Any]) -> None:
        loc = self.locator()
        self.hist.extend(entries)
        self.batches.extend([loc] * len(entries))

    def history(self, where: set[int] | None = None) -> Iterator[Any]:
        pairs = list(zip(self.batches, self.hist, strict=True))
        return iter([e for loc, e in pairs if where is None or loc in where])

    def rewrite_history(self, fn: Callable[[Any], Any]) -> None:
        self.hist = [fn(e) for e in self.hist]


def content_hash(w: Write) -> str:
    """A short hash of everything a write holds (values in canonical JSON)."""
    body = "\x1f".join(
        (w.dot, w.record, w.kind, w.field, canonical(w.value), canonical(list(w.hlc)),
         canonical(list(w.supersedes)), w.author)
    )
    return hashlib.blake2b(body.encode(), digest_size=10).hexdigest()


def split_dot(dot: str) -> tuple[str, int]:
    device, _, counter = dot.rpartition(":")
    return device, int(counter)


# History entry: [record, kind, field, value, dot, hlc, supersedes, author, hash]
def entry_write(e: list[Any]) -> Write:
    h = e[5]
    return Write(e[4], e[0], e[1], e[2], e[3], (h[0], h[1], h[2]), tuple(e[6]), e[7])


def history_entry(w: Write, digest: str) -> list[Any]:
    return [w.record, w.kind, w.field, w.value, w.dot, list(w.hlc), list(w.supersedes),
            w.author, digest]


class Document:
    """Encoding and decoding of one record's document (see module docstring).

    A live write is ``[value, device#, counter, dms, hlc_counter, author#, supersedes, extra]``
    where ``dms`` is its wall time minus the earliest write's (``fw``); trailing elements equal
    to their defaults (author 0, no supersedes, no extra) are left out.
    """

    __slots__ = ("record", "raw", "place")

    def __init__(self, record: str, raw: dict[str, Any], place: str | None = None) -> None:
        self.record, self.raw = record, raw
        #: the table it was read from (after DOCS), None for a new one
        self.place = place

    @classmethod
    def new(cls, record: str, w: Write) -> Document:
        doc = cls(record, {"k": w.kind, "d": [], "a": [], "fw": [], "lh": [], "f": {}})
        doc.set_first(w)
        doc.set_latest(w.hlc)
        return doc

    # The earliest write (the record's kind, creation time and author) and the latest clock:
    # fw = [wall_ms, hlc_counter, clock device#, device#, counter, author#], lh = [dms, c, device#]
    def first(self) -> tuple[tuple[Any, ...], str]:
        ms, c, hd, d, n, _ = self.raw["fw"]
        devs = self.raw["d"]
        return (ms, c, devs[hd]), f"{devs[d]}:{n}"

    def first_author(self) -> str:
        return self.raw["a"][self.raw["fw"][5]]

    def set_first(self, w: Write) -> None:
        device, counter = split_dot(w.dot)
        self.raw["fw"] = [w.hlc[0], w.hlc[1], self._index("d", w.hlc[2]),
                          self._index("d", device), counter, self._index("a", w.author)]

    def latest(self) -> tuple[Any, ...]:
        dms, c, hd = self.raw["lh"]
        return (self.raw["fw"][0] + dms, c, self.raw["d"][hd])

    def set_latest(self, hlc: tuple[Any, ...]) -> None:
        self.raw["lh"] = [hlc[0] - self.raw["fw"][0], hlc[1], self._index("d", hlc[2])]

    def _index(self, key: str, value: str) -> int:
        values = self.raw[key]
        try:
            return values.index(value)
        except ValueError:
            values.append(value)
            return len(values) - 1

    def encode(self, w: Write) -> list[Any]:
        device, counter = split_dot(w.dot)
        sup: list[Any] = []
        for s in w.supersedes:
            sd, sc = split_dot(s)
            sup.extend((self._index("d", sd), sc))
        extra: dict[str, Any] = {}
        if w.hlc[2] != device:
            extra["h"] = self._index("d", w.hlc[2])
        if w.kind != self.raw["k"]:
            extra["k"] = w.kind
        entry = [w.value, self._index("d", device), counter, w.hlc[0] - self.raw["fw"][0],
                 w.hlc[1], self._index("a", w.author), sup, extra]
        while len(entry) > 5 and not entry[-1]:  # 0, [] and {} are the defaults
            entry.pop()
        return entry

    def rebase(self, old_ms: int) -> None:
        """The earliest write changed: wall times are kept relative to the new one."""
        shift = old_ms - self.raw["fw"][0]
        for entries in self.raw["f"].values():
            for e in entries:
                e[3] += shift
        self.raw["lh"][0] += shift

    def rekind(self, kind: str) -> None:
        """The record's kind becomes ``kind`` (an earlier write arrived): entries keep theirs."""
        old = self.raw["k"]
        for entries in self.raw["f"].values():
            for i, e in enumerate(entries):
                extra = dict(e[7]) if len(e) > 7 else {}
                if extra.get("k") == kind:
                    del extra["k"]
                elif "k" not in extra:
                    extra["k"] = old
                full = e + [0, [], {}][len(e) - 5:] if len(e) < 8 else list(e)
                full[7] = extra
                while len(full) > 5 and not full[-1]:
                    full.pop()
                entries[i] = full
        self.raw["k"] = kind

    def dot(self, e: list[Any]) -> str:
        return f"{self.raw['d'][e[1]]}:{e[2]}"

    def _hdev(self, e: list[Any]) -> str:
        devs = self.raw["d"]
        if len(e) > 7 and "h" in e[7]:
            return devs[e[7]["h"]]
        return devs[e[1]]

    def key(self, e: list[Any]) -> tuple[Any, str]:
        return ((self.raw["fw"][0] + e[3], e[4], self._hdev(e)), self.dot(e))

    def sup_list(self, e: list[Any]) -> list[str]:
        if len(e) < 7:
            return []
        devs, sup = self.raw["d"], e[6]
        return [f"{devs[sup[i]]}:{sup[i + 1]}" for i in range(0, len(sup), 2)]

    def write(self, field: str, e: list[Any]) -> Write:
        kind = e[7].get("k", self.raw["k"]) if len(e) > 7 else self.raw["k"]
        return Write(
            self.dot(e), self.record, kind, field, e[0],
            (self.raw["fw"][0] + e[3], e[4], self._hdev(e)),
            tuple(self.sup_list(e)), self.raw["a"][e[5] if len(e) > 5 else 0],
        )

    def sup_dots(self, e: list[Any]) -> set[str]:
        return set(self.sup_list(e))

    def live(self, field: str) -> list[list[Any]]:
        return self.raw["f"].get(field) or []


def disagree(values: list[Any]) -> bool:
    return any(not same_value(v, values[0]) for v in values[1:])
