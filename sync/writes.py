"""The unit of sync: an immutable field-level write, and its validation at trust boundaries.

A write is identified by its *dot* ``"<device>:<counter>"``: the device that made it and a
counter that device never reuses. Writes read from our own local file take the fast trusted path
(:meth:`Write.from_dict`); writes read from anywhere else go through :func:`validate_writes`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from pydantic import ConfigDict, Field, Strict, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

HLC = tuple[int, int, str]
"""Hybrid logical clock timestamp ``(wall_ms, counter, device_id)``; compared as a tuple."""

DEVICE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
"""A device id (a UUID in practice). Also used as a directory name by the folder store, so no
dots, slashes or colons can ever appear in it."""

COUNTER_PATTERN = r"0|[1-9][0-9]{0,17}"
"""Canonical decimal counter (no leading zeros, so one dot has exactly one spelling; fits int64)."""

DOT_RE = re.compile(rf"^({DEVICE_PATTERN}):({COUNTER_PATTERN})$")
DEVICE_RE = re.compile(rf"^{DEVICE_PATTERN}$")


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


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


# --- validation of untrusted writes -------------------------------------------------------------

_StrictInt = Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)]
_StrictStr = Annotated[str, Strict()]
_Dot = Annotated[str, Field(pattern=DOT_RE.pattern)]


@with_config(ConfigDict(extra="forbid", strict=True))
class WireWrite(TypedDict):
    """Wire shape of a write (pydantic-validated); cross-field rules are checked in ``wire_to_write``.

    A TypedDict rather than a BaseModel: validating into plain dicts is ~2.5x faster, which matters
    when a new laptop pulls a whole département.
    """

    dot: _Dot
    record: Annotated[str, Field(pattern=r"^[!-~]{1,128}$")]
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    field: Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]{1,256}$")]
    value: Any
    # JSON has no tuples: accept a list here, but keep the items strict.
    hlc: Annotated[tuple[_StrictInt, _StrictInt, _StrictStr], Strict(False)]
    supersedes: Annotated[list[_Dot], Field(max_length=10_000)]
    author: Annotated[str, Field(max_length=200)]


_WRITES: TypeAdapter[list[WireWrite]] = TypeAdapter(list[WireWrite])

_MAX_DEPTH = 32


def _is_json(v: Any, depth: int = 0) -> bool:
    t = type(v)
    if t is str or t is int or t is bool or v is None:
        return True
    if t is float:
        return math.isfinite(v)
    if depth >= _MAX_DEPTH:
        return False
    if t is list:
        return all(_is_json(x, depth + 1) for x in v)
    if t is dict:
        return all(type(k) is str and _is_json(x, depth + 1) for k, x in v.items())
    return False


def wire_to_write(i: int, m: WireWrite) -> Write:
    """Apply the cross-field rules to validated wire write number ``i``; return the Write."""
    dot = m["dot"]
    hlc = m["hlc"]
    device = dot.rpartition(":")[0]
    if hlc[2] != device:
        raise InvalidWrite(f"write #{i}: hlc: device {hlc[2]!r} differs from dot device {device!r}")
    sup = m["supersedes"]
    if sup:
        if dot in sup:
            raise InvalidWrite(f"write #{i}: supersedes: lists its own dot {dot}")
        if len(set(sup)) != len(sup):
            raise InvalidWrite(f"write #{i}: supersedes: duplicate dots")
    value = m["value"]
    if not _is_json(value):
        raise InvalidWrite(f"write #{i}: value: not a JSON value (or nested too deep)")
    return _new_write(dot, m["record"], m["kind"], m["field"], value, hlc, tuple(sup), m["author"])


def _raise_from(err: ValidationError, what: str = "write") -> InvalidWrite:
    first = err.errors(include_url=False)[0]
    loc = first["loc"]
    where = ".".join(str(p) for p in loc[1:]) or "(whole item)"
    return InvalidWrite(f"{what} #{loc[0]}: {where}: {first['msg']}" if loc else first["msg"])


def validate_writes(obj: Any) -> list[Write]:
    """Validate untrusted data (e.g. a parsed central-store file) as a list of writes.

    Raises :class:`InvalidWrite` naming the first bad write (index) and field. Checks: exact keys,
    strict types, dot format, hlc device equal to the dot's device, ``supersedes`` free of the
    write's own dot and of duplicates, ``value`` a JSON value.
    """
    if not isinstance(obj, list):
        raise InvalidWrite(f"writes: expected a list, got {type(obj).__name__}")
    try:
        models = _WRITES.validate_python(obj)
    except ValidationError as err:
        raise _raise_from(err) from None
    return [wire_to_write(i, m) for i, m in enumerate(models)]
