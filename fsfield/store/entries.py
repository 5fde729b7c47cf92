"""On-disk formats of the local store, every piece checksummed and checked when read.

Journal line (one durable save)::

    <crc32 hex, 8> <space> {"seq": N, "t": {table: whole table | null}, "a": {table: {id: doc}}} \\n

Snapshot, format ``fsfield-store/2``: the same framing, one line per table, so that a damaged
byte is caught by the checksum of the table that holds it, and each table can be verified on its
own when it is read (an "open in constant time" store can keep the format and read lazily)::

    <crc> {"format": "fsfield-store/2", "seq": N, "tables": <number of table lines>}
    <crc> ["<table name>", {doc_id: doc, ...}]
    ...

Format ``fsfield-store/1`` (one JSON document, no checksum) is still read, with the schema
check; the next compaction writes format 2. A table is checked twice when read: its checksum,
then its schema (``TableCheck``, given by the app: e.g. every write has a dot and an HLC), so
damage that still parses as JSON is refused like an unreadable file (issue #8, case 6).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from fsfield.store import messages

FORMAT_V1 = "fsfield-store/1"
FORMAT = "fsfield-store/2"

Tables = dict[str, dict[str, Any]]
#: (table name, table) -> None, or a French reason why the table is not valid
TableCheck = Callable[[str, dict[str, Any]], str | None]


class Damaged(ValueError):
    """A file or an entry that fails its checksum, its structure or its schema (French reason)."""


def _frame(body: bytes) -> bytes:
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _unframe(line: memoryview) -> memoryview | None:
    """The body of a framed line (without its newline), or None if it fails its checksum."""
    if len(line) < 9 or line[8] != 0x20:
        return None
    body = line[9:]
    try:
        crc = int(bytes(line[:8]), 16)
    except ValueError:
        return None
    return body if crc == zlib.crc32(body) else None


def _check(name: str, table: Any, check: TableCheck | None) -> None:
    if not isinstance(name, str) or not isinstance(table, dict):
        raise Damaged(messages.bad_table(str(name), messages.BAD_STRUCTURE))
    for doc in table.values():
        if type(doc) is not dict:
            raise Damaged(messages.bad_table(name, messages.BAD_STRUCTURE))
    reason = check(name, table) if check is not None else None
    if reason:
        raise Damaged(messages.bad_table(name, reason))


# -- journal ---------------------------------------------------------------------------------


def encode_entry(seq: int, tables: dict[str, Any], added: dict[str, Any] | None = None) -> bytes:
    """One journal line: whole tables (None: dropped) and documents added to append-only ones."""
    entry: dict[str, Any] = {"seq": seq, "t": tables}
    if added:
        entry["a"] = added
    return _frame(orjson.dumps(entry))


def decode_entry(line: memoryview, check: TableCheck | None = None) -> dict[str, Any]:
    """The entry of a journal line (without its newline); raise Damaged if it is not sound."""
    body = _unframe(line)
    if body is None:
        raise Damaged(messages.BAD_CHECKSUM)
    try:
        entry = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Damaged(messages.BAD_STRUCTURE) from None
    if not isinstance(entry, dict) or type(entry.get("seq")) is not int:
        raise Damaged(messages.BAD_STRUCTURE)
    whole, added = entry.get("t"), entry.get("a", {})
    if not isinstance(whole, dict) or not isinstance(added, dict):
        raise Damaged(messages.BAD_STRUCTURE)
    for name, table in whole.items():
        if table is not None:
            _check(name, table, check)
    for name, docs in added.items():
        _check(name, docs, check)
    return entry


def lines(raw: bytes) -> Iterator[tuple[int, memoryview, bool]]:
    """(offset, line without newline, ends with a newline) for each line of ``raw``."""
    view = memoryview(raw)
    start, size = 0, len(raw)
    while start < size:
        end = raw.find(b"\n", start)
        if end < 0:
            yield start, view[start:], False
            return
        yield start, view[start:end], True
        start = end + 1


# -- snapshot --------------------------------------------------------------------------------


def encode_snapshot(seq: int, tables: Tables) -> bytes:
    """A format-2 snapshot of ``tables``."""
    dumps = orjson.dumps
    out = [_frame(dumps({"format": FORMAT, "seq": seq, "tables": len(tables)}))]
    out.extend(_frame(dumps([name, table])) for name, table in tables.items())
    return b"".join(out)


def decode_snapshot(raw: bytes, check: TableCheck | None = None) -> tuple[int, Tables]:
    """(seq, tables) of a snapshot of either format; raise Damaged if any of it is not sound."""
    if raw[:1] == b"{":
        return _decode_v1(raw, check)
    it = lines(raw)
    header = next(it, None)
    if header is None or not header[2]:
        raise Damaged(messages.TRUNCATED)
    body = _unframe(header[1])
    if body is None:
        raise Damaged(messages.BAD_CHECKSUM)
    try:
        head = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Damaged(messages.BAD_STRUCTURE) from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise Damaged(messages.UNKNOWN_FORMAT)
    seq, count = head.get("seq"), head.get("tables")
    if type(seq) is not int or type(count) is not int:
        raise Damaged(messages.BAD_STRUCTURE)
    tables: Tables = {}
    loads = orjson.loads
    for _, line, whole in it:
        body = _unframe(line) if whole else None
        if body is None:
            raise Damaged(messages.BAD_CHECKSUM if whole else messages.TRUNCATED)
        try:
            name, table = loads(body)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            raise Damaged(messages.BAD_STRUCTURE) from None
        _check(name, table, check)
        tables[name] = table
    if len(tables) != count:
        raise Damaged(messages.TRUNCATED)
    return seq, tables


def _decode_v1(raw: bytes, check: TableCheck | None) -> tuple[int, Tables]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Damaged(messages.BAD_STRUCTURE) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_V1:
        raise Damaged(messages.UNKNOWN_FORMAT)
    seq, tables = doc.get("seq"), doc.get("tables")
    if type(seq) is not int or not isinstance(tables, dict):
        raise Damaged(messages.BAD_STRUCTURE)
    for name, table in tables.items():
        _check(name, table, check)
    return seq, tables
