"""The unit of sync: an immutable field-level write, and its validation at trust boundaries.

A write is identified by its *dot* ``"<device>:<counter>"``: the device that made it and a
counter that device never reuses. Writes read from our own local file take the fast trusted path
(:meth:`Write.from_dict`); writes read from anywhere else go through
:func:`sync.wire.validate_writes`.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import orjson

HLC = tuple[int, int, str]
"""Hybrid logical clock timestamp ``(wall_ms, counter, device_id)``; compared as a tuple."""

DEVICE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
"""A device id (a UUID in practice). Also used as a directory name by the folder store, so no
dots, slashes or colons can ever appear in it."""

COUNTER_PATTERN = r"0|[1-9][0-9]{0,17}"
"""Canonical decimal counter (no leading zeros, so one dot has exactly one spelling; fits int64)."""

DOT_RE = re.compile(rf"({DEVICE_PATTERN}):({COUNTER_PATTERN})")
"""Use with ``fullmatch``: groups are the device and the counter."""
DEVICE_RE = re.compile(DEVICE_PATTERN)
"""Use with ``fullmatch``."""


class InvalidWrite(ValueError):
    """Untrusted input that is not a well-formed list of writes; the message says where and why."""


class DotCollision(Exception):
    """Two writes share a dot but differ in content: a device reused a counter, or data was
    tampered with. Never merged silently; ``existing`` and ``incoming`` are both kept for the report.
    """

    def __init__(self, existing: Write, incoming: Write) -> None:
        super().__init__(
            f"dot {existing.dot} already holds a different write "
            f"(record {existing.record}, field {existing.field})"
        )
        self.existing = existing
        self.incoming = incoming


BULK = 1_000
"""Above this many writes, bulk operations pause the cyclic garbage collector (see gc_paused)."""


@contextmanager
def gc_paused(active: bool = True) -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk load, if ``active``.

    Loading writes allocates millions of small objects and creates no reference cycles (reference
    counting frees everything). The generational collector would still keep traversing the
    growing set of live objects, which measured at more than half of the time of loading 200k
    writes. The previous state is restored on exit; another thread only sees collection postponed.
    """
    if not active or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def make_dot(device: str, counter: int) -> str:
    """Return the dot ``"<device>:<counter>"`` naming a device's ``counter``-th write."""
    return f"{device}:{counter}"


class _WriteSlots:
    """Storage layout of :class:`Write`, with a plain (fast) ``__init__``.

    A frozen dataclass ``__init__`` goes through ``object.__setattr__`` per field, which made
    building a write ~4x slower; loading a national store builds millions of them. :func:`_new_write`
    fills this base and then switches the instance's class to :class:`Write` (same slots, so the
    layout is identical). Nothing else may use this class.
    """

    __slots__ = ("dot", "record", "kind", "field", "value", "hlc", "supersedes", "author")

    def __init__(
        self,
        dot: str,
        record: str,
        kind: str,
        field: str,
        value: Any,
        hlc: HLC,
        supersedes: tuple[str, ...],
        author: str,
    ) -> None:
        self.dot = dot
        self.record = record
        self.kind = kind
        self.field = field
        self.value = value
        self.hlc = hlc
        self.supersedes = supersedes
        self.author = author


@dataclass(frozen=True, slots=True)
class Write(_WriteSlots):
    """One immutable field-level edit. ``value`` is a JSON value; ``supersedes`` lists the dots of
    the writes on the same field that the author saw (for a delete: on the whole record)."""

    dot: str
    record: str
    kind: str
    field: str
    value: Any
    hlc: HLC
    supersedes: tuple[str, ...]
    author: str

    # Writes are keyed by dot everywhere; the value may be an unhashable list or dict.
    def __hash__(self) -> int:
        return hash(self.dot)

    @property
    def device(self) -> str:
        """The device id part of the dot."""
        return self.dot.rpartition(":")[0]

    @property
    def counter(self) -> int:
        """The counter part of the dot."""
        return int(self.dot.rpartition(":")[2])

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``hlc`` and ``supersedes`` as lists)."""
        return {
            "dot": self.dot,
            "record": self.record,
            "kind": self.kind,
            "field": self.field,
            "value": self.value,
            "hlc": list(self.hlc),
            "supersedes": list(self.supersedes),
            "author": self.author,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Write:
        """Build a write from :meth:`to_dict` output WITHOUT validation (our own local file only)."""
        h = d["hlc"]
        return _new_write(
            d["dot"],
            d["record"],
            d["kind"],
            d["field"],
            d["value"],
            (h[0], h[1], h[2]),
            tuple(d["supersedes"]),
            d["author"],
        )

    def same_content(self, other: Write) -> bool:
        """True if ``other`` is the very same write (values compared as JSON, so 1 != 1.0 != True)."""
        if self != other:
            return False
        if self.value is other.value:
            return True
        return _canonical(self.value) == _canonical(other.value)


def _new_write(
    dot: str,
    record: str,
    kind: str,
    field: str,
    value: Any,
    hlc: HLC,
    supersedes: tuple[str, ...],
    author: str,
) -> Write:
    """Same as ``Write(...)``, without the frozen-dataclass ``__init__`` cost (see _WriteSlots)."""
    w = _WriteSlots(dot, record, kind, field, value, hlc, supersedes, author)
    w.__class__ = Write
    return w  # type: ignore[return-value]


_DOT, _HLC = attrgetter("dot"), attrgetter("hlc")


def counters_of(writes: Iterable[Write], device: str) -> list[int]:
    """Counters of the writes made by ``device``, in order: usually none (a device gets its own
    writes back only after a restore), so one scan of all the dots joined answers first."""
    writes = writes if isinstance(writes, list | tuple) else list(writes)
    prefix = device + ":"
    if ("\n" + "\n".join(map(_DOT, writes))).find("\n" + prefix) < 0:
        return []
    return [w.counter for w in writes if w.dot.startswith(prefix)]


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
