"""Batch files of the central store: encoding, and validation of everything read back.

A batch is one immutable JSON file holding writes of a single device::

    {"format": "fsfield-batch/1", "device": "<uuid>", "seq": 12, "scope": "87",
     "created_ms": 1718000000000, "writes": [ ... ]}

Every write in a batch carries the batch's device in its dot: a device only ever publishes its own
writes, so a file cannot inject writes in another device's name without being rejected whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import orjson
from pydantic import ConfigDict, Field, Strict, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from .wire import WireWrite, validate_writes, wire_to_writes, writes_from_json
from .writes import DEVICE_PATTERN, DEVICE_RE, InvalidWrite, Write

BATCH_FORMAT = "fsfield-batch/1"
MANIFEST_FORMAT = "fsfield-manifest/1"
SCOPE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
"""A scope is a département code ("87", "2A", "974"), kept generic."""

_Int = Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)]
_Device = Annotated[str, Field(pattern=rf"^{DEVICE_PATTERN}$")]
_Scope = Annotated[str, Field(pattern=SCOPE_PATTERN)]


@with_config(ConfigDict(extra="forbid", strict=True))
class _BatchModel(TypedDict):
    format: Literal["fsfield-batch/1"]
    device: _Device
    seq: Annotated[int, Strict(), Field(ge=1, le=99_999_999)]
    scope: _Scope
    created_ms: _Int
    writes: list[WireWrite]


@with_config(ConfigDict(extra="forbid", strict=True))
class _ManifestModel(TypedDict):
    format: Literal["fsfield-manifest/1"]
    device: _Device
    last_seq: _Int
    scopes: dict[_Scope, list[Annotated[int, Strict(), Field(ge=1)]]]


_BATCH = TypeAdapter(_BatchModel)
_MANIFEST = TypeAdapter(_ManifestModel)


@dataclass(frozen=True, slots=True)
class Batch:
    """A validated batch file."""

    path: Path
    device: str
    seq: int
    scope: str
    created_ms: int
    writes: list[Write]


@dataclass(frozen=True, slots=True)
class Manifest:
    """Derived per-device summary: the scope of each batch, so readers can skip other scopes."""

    device: str
    last_seq: int
    scopes: dict[str, list[int]]


class BadFile(ValueError):
    """A store file that failed validation; the message is the reason reported to the user."""


def _reason(err: ValidationError) -> str:
    first = err.errors(include_url=False)[0]
    loc = first["loc"]
    if len(loc) >= 2 and loc[0] == "writes":
        rest = ".".join(str(p) for p in loc[2:]) or "(whole item)"
        return f"write #{loc[1]}: {rest}: {first['msg']}"
    where = ".".join(str(p) for p in loc) or "(document)"
    return f"{where}: {first['msg']}"


def encode_batch(device: str, seq: int, scope: str, created_ms: int, writes: list[Write]) -> bytes:
    """Serialise a batch. The writes are validated first: never publish what readers reject."""
    if any(w.device != device for w in writes):
        raise InvalidWrite(f"batch of {device} holds writes of another device")
    dicts = [w.to_dict() for w in writes]
    validate_writes(dicts)
    doc = {
        "format": BATCH_FORMAT,
        "device": device,
        "seq": seq,
        "scope": scope,
        "created_ms": created_ms,
        "writes": dicts,
    }
    return orjson.dumps(doc)


_BATCH_KEYS = frozenset(_BatchModel.__annotations__)
_SCOPE_RE = re.compile(SCOPE_PATTERN[1:-1])  # use with fullmatch ("$" accepts a final newline)
_MAX_INT = 2**63 - 1


def _plain_batch(path: Path, data: bytes, device: str, seq: int) -> Batch | None:
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
        or type(doc["seq"]) is not int
        or doc["seq"] != seq
        or not 1 <= seq <= 99_999_999
        or type(scope) is not str
        or _SCOPE_RE.fullmatch(scope) is None
        or type(created) is not int
        or not 0 <= created <= _MAX_INT
    ):
        return None
    writes = writes_from_json(doc["writes"], device)
    if writes is None:
        return None
    return Batch(path, device, seq, scope, created, writes)


def decode_batch(path: Path, data: bytes, device: str, seq: int) -> Batch:
    """Validate the bytes of ``<device>/<seq>.json``; raise :class:`BadFile` with the reason.

    Plainly valid batches take a fast path; anything else goes through the pydantic schema,
    which accepts it or gives the precise reason.
    """
    batch = _plain_batch(path, data, device, seq)
    if batch is not None:
        return batch
    try:
        doc = _BATCH.validate_json(data)
    except ValidationError as err:
        raise BadFile(_reason(err)) from None
    if doc["device"] != device:
        raise BadFile(f"device {doc['device']!r} does not match its folder {device!r}")
    if doc["seq"] != seq:
        raise BadFile(f"seq {doc['seq']} does not match its file name ({seq})")
    try:
        writes = wire_to_writes(doc["writes"], device)
    except InvalidWrite as err:
        raise BadFile(str(err)) from None
    return Batch(path, device, seq, doc["scope"], doc["created_ms"], writes)


def encode_manifest(manifest: Manifest) -> bytes:
    """Serialise a manifest."""
    return orjson.dumps(
        {
            "format": MANIFEST_FORMAT,
            "device": manifest.device,
            "last_seq": manifest.last_seq,
            "scopes": manifest.scopes,
        }
    )


def decode_manifest(data: bytes, device: str) -> Manifest:
    """Validate a manifest of ``device``; raise :class:`BadFile` with the reason."""
    try:
        doc = _MANIFEST.validate_json(data)
    except ValidationError as err:
        raise BadFile(_reason(err)) from None
    if doc["device"] != device:
        raise BadFile(f"device {doc['device']!r} does not match its folder {device!r}")
    return Manifest(device, doc["last_seq"], doc["scopes"])
