"""Batch files of the central store: encoding, and validation of everything read back.

A batch is one immutable JSON file published by one device (its folder's device)::

    {"format": "fsfield-batch/2", "device": "<uuid>", "scope": "87",
     "created_ms": 1718000000000, "writes": [ ... ]}

It holds that device's own writes and, when it republishes what a store lacks, writes it received
from others (relayed writes keep their dots). Its file name is ``<created_ms>-<scope>-<digest>``
(:func:`batch_name`), the digest being the first 128 bits of the SHA-256 of its bytes: names never
repeat, and a reader checks that the bytes are the ones named.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .lazy import from_schema
from .wire import validate_writes, wire_to_writes, writes_from_json
from .writes import DEVICE_RE, InvalidWrite, Write

if TYPE_CHECKING:
    from pydantic import ValidationError

BATCH_FORMAT = "fsfield-batch/2"
SCOPE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
"""A scope is a département code ("87", "2A", "974"), kept generic."""
BATCH_NAME = re.compile(r"([0-9]{1,15})-([A-Za-z0-9_-]{1,32})-([0-9a-f]{32})\.json")
"""``<created_ms>-<scope>-<digest>.json``; use with ``fullmatch``."""
MAX_BATCH_BYTES = 64 << 20
"""Larger files are not read (a batch of 5,000 writes is a few MB)."""

_LAZY = {"_BATCH": "BATCH", "_BatchModel": "BatchModel"}
"""The pydantic schema of a batch (``sync.schema``), loaded on first use (PEP 562): a plainly
valid batch is checked without it (:func:`_plain_batch`)."""

__getattr__ = from_schema(__name__, _LAZY, globals())


@dataclass(frozen=True, slots=True)
class Batch:
    """A validated batch file."""

    path: Path
    device: str
    scope: str
    created_ms: int
    writes: list[Write]


class BadFile(ValueError):
    """A store file that failed validation: ``code`` and ``params`` say why (worded by the app).

    Codes: ``bad_batch`` (params ``write`` and ``field`` when known), ``damaged_batch`` (bytes
    differ from the digest in its name), ``newer_batch_format``, ``too_large`` (``size``),
    ``wrong_device``, ``wrong_scope``.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


def digest_of(data: bytes) -> str:
    """The digest a batch's file name carries."""
    return hashlib.sha256(data).hexdigest()[:32]


def batch_name(created_ms: int, scope: str, data: bytes) -> str:
    """The file name of a batch with these bytes."""
    return f"{created_ms:013d}-{scope}-{digest_of(data)}.json"


def _bad(err: ValidationError) -> BadFile:
    first = err.errors(include_url=False)[0]
    loc = first["loc"]
    if len(loc) >= 2 and loc[0] == "writes":
        return BadFile("bad_batch", write=int(loc[1]) + 1, field=".".join(map(str, loc[2:])))
    if loc and loc[0] == "format":
        return BadFile("newer_batch_format")
    return BadFile("bad_batch", field=".".join(map(str, loc)))


_WRITE_AT = re.compile(r"write #([0-9]+): ([a-z_.]+)")


def _bad_write(err: InvalidWrite) -> BadFile:
    m = _WRITE_AT.match(str(err))
    if m is None:
        return BadFile("bad_batch")
    return BadFile("bad_batch", write=int(m.group(1)) + 1, field=m.group(2))


def encode_batch(device: str, scope: str, created_ms: int, writes: list[Write]) -> bytes:
    """Serialise a batch. The writes are validated first: never publish what readers reject."""
    dicts = [w.to_dict() for w in writes]
    validate_writes(dicts)
    doc = {
        "format": BATCH_FORMAT,
        "device": device,
        "scope": scope,
        "created_ms": created_ms,
        "writes": dicts,
    }
    return orjson.dumps(doc)


_BATCH_KEYS = frozenset(("format", "device", "scope", "created_ms", "writes"))
_SCOPE_RE = re.compile(SCOPE_PATTERN[1:-1])  # use with fullmatch ("$" accepts a final newline)
_MAX_INT = 2**63 - 1


def _plain_batch(path: Path, data: bytes, device: str) -> Batch | None:
    """The batch if it is plainly valid (orjson, then checks in bulk), else None: the fast path
    of :func:`decode_batch`, which accepts a subset of what the pydantic path accepts."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(doc) is not dict or doc.keys() != _BATCH_KEYS:
        return None
    scope, created = doc["scope"], doc["created_ms"]
    if (
        doc["format"] != BATCH_FORMAT
        or doc["device"] != device
        or DEVICE_RE.fullmatch(device) is None
        or type(scope) is not str
        or _SCOPE_RE.fullmatch(scope) is None
        or type(created) is not int
        or not 0 <= created <= _MAX_INT
    ):
        return None
    # Usually the folder device's own writes (one regex, one shared device string); else a
    # batch that relays others' writes too.
    writes = writes_from_json(doc["writes"], device)
    if writes is None:
        writes = writes_from_json(doc["writes"])
    if writes is None:
        return None
    return Batch(path, device, scope, created, writes)


def decode_batch(path: Path, data: bytes, device: str, scope: str | None = None) -> Batch:
    """Validate the bytes of a batch of folder ``device`` (named with ``scope``); raise
    :class:`BadFile` with the reason.

    Plainly valid batches take a fast path; anything else goes through the pydantic schema,
    which accepts it or gives the precise reason.
    """
    batch = _plain_batch(path, data, device)
    if batch is None:
        from pydantic import ValidationError

        from .schema import BATCH

        try:
            doc = BATCH.validate_json(data)
        except ValidationError as err:
            raise _bad(err) from None
        if doc["device"] != device:
            raise BadFile("wrong_device", device=doc["device"])
        try:
            writes = wire_to_writes(doc["writes"])
        except InvalidWrite as err:
            raise _bad_write(err) from None
        batch = Batch(path, device, doc["scope"], doc["created_ms"], writes)
    if scope is not None and batch.scope != scope:
        raise BadFile("wrong_scope", scope=batch.scope)
    return batch
