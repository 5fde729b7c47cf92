"""On-disk formats of the document store (``fsfield-store/4``), every piece checksummed.

Framed line (as entries.py): ``<crc32 hex, 8> <space> <JSON body> \\n``.

Snapshot ``docs.json``: a framed header, then one framed line per table::

    <crc> {"format": "fsfield-store/4", "seq": N, "tables": {name: [offset, length]},
           "history": [size_bytes, last_seq]}
    <crc> ["<table name>", {key: doc, ...}]
    ...

``offset`` counts from the end of the header line (the header's own length depends on the
offsets), ``length`` includes the line's newline. Opening reads the header only; a table is
read, checked and parsed when first asked for, and copied byte for byte into the next snapshot
if nobody asked for it.

Journal line ``docs.journal`` (one durable save)::

    <crc> {"seq": N, "t": {table: whole table | null}, "u": {table: {key: doc | null}},
           "h": [history entries]}

where a doc in ``"u"`` may be a *patch* of the document already under its key:
``{"~p": {every top-level key but "f"}, "f": {field: entries | null}}`` (only the fields that
changed: a press journals one answer, not the whole visit).

Format 3 is format 4 without patches and with one table per kind: it is read, and rewritten as
format 4 (a compaction) when opened, before anything is journaled.

History ``history.log``: binary records appended at compaction, each holding the history
entries of the journal lines folded into that snapshot (``seq``: the last one)::

    magic(4) seq(8) len(4) crc32(4) zlib(orjson(list of entries)) len(4) magic(4)
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from fsfield.store import messages
from fsfield.store.entries import Damaged, TableCheck, _check
from fsfield.store.storage import StoreError

FORMAT = "fsfield-store/4"
VERSION = 4
READABLE = frozenset(("fsfield-store/3", FORMAT))
PATCH = "~p"
_FORMAT_RE = re.compile(r"fsfield-store/(\d+)\Z")

MAGIC = b"FSH3"
_HEAD = struct.Struct(">4sQII")  # magic, seq, len, crc
_TAIL = struct.Struct(">I4s")  # len, magic
RECORD_OVERHEAD = _HEAD.size + _TAIL.size

__all__ = [
    "FORMAT", "MAGIC", "PATCH", "Patch", "apply_docs", "apply_patch", "merge_patch", "Damaged", "Header", "NewerFormat", "Record", "TableCheck",
    "decode_entry", "decode_header", "decode_table", "encode_entry", "encode_header",
    "encode_record", "encode_table", "frame", "scan_records", "unframe",
]


class NewerFormat(StoreError):
    """The data dir was written by a newer fsfield: refused, never rewritten."""


def frame(body: bytes) -> bytes:
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def unframe(line: bytes | memoryview) -> bytes | memoryview | None:
    """The body of a framed line (without its newline), or None if it fails its checksum."""
    if len(line) < 9 or line[8] != 0x20:
        return None
    body = line[9:]
    try:
        crc = int(bytes(line[:8]), 16)
    except ValueError:
        return None
    return body if crc == zlib.crc32(body) else None


# -- snapshot ------------------------------------------------------------------------------


@dataclass
class Header:
    seq: int
    #: name -> (offset from the end of the header line, length with the newline)
    tables: dict[str, tuple[int, int]]
    history_size: int
    history_last: int
    #: length of the header line, newline included
    size: int
    #: the format it was written in (``FORMAT``, or format 3 to rewrite)
    format: str = FORMAT


def encode_header(seq: int, tables: dict[str, tuple[int, int]], history: tuple[int, int]) -> bytes:
    head = {"format": FORMAT, "seq": seq, "tables": tables, "history": list(history)}
    return frame(orjson.dumps(head))


def check_format(found: Any) -> None:
    """Raise NewerFormat for ``fsfield-store/N`` with N > 4, Damaged for anything not 3 or 4."""
    if isinstance(found, str):
        match = _FORMAT_RE.match(found)
        if match and int(match.group(1)) > VERSION:
            raise NewerFormat(messages.newer_format(found))
    if found not in READABLE:
        raise Damaged(messages.UNKNOWN_FORMAT)


def decode_header(line: bytes) -> Header:
    """The header of a snapshot from its first line (newline included)."""
    if not line.endswith(b"\n"):
        raise Damaged(messages.TRUNCATED)
    body = unframe(line[:-1])
    if body is None:
        # A newer version may frame differently: its format name is still readable.
        try:
            found = orjson.loads(line[9:-1]).get("format")
        except (orjson.JSONDecodeError, AttributeError):
            found = None
        if isinstance(found, str) and found not in READABLE:
            check_format(found)
        raise Damaged(messages.BAD_CHECKSUM)
    try:
        head = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Damaged(messages.BAD_STRUCTURE) from None
    if not isinstance(head, dict):
        raise Damaged(messages.BAD_STRUCTURE)
    check_format(head.get("format"))
    seq, tables, history = head.get("seq"), head.get("tables"), head.get("history")
    if type(seq) is not int or not isinstance(tables, dict) or not isinstance(history, list):
        raise Damaged(messages.BAD_STRUCTURE)
    index: dict[str, tuple[int, int]] = {}
    for name, where in tables.items():
        if (not isinstance(where, list) or len(where) != 2
                or not all(type(n) is int and n >= 0 for n in where)):
            raise Damaged(messages.BAD_STRUCTURE)
        index[name] = (where[0], where[1])
    if len(history) != 2 or not all(type(n) is int and n >= 0 for n in history):
        raise Damaged(messages.BAD_STRUCTURE)
    return Header(seq, index, history[0], history[1], len(line), head["format"])


def encode_table(name: str, table: dict[str, Any]) -> bytes:
    return frame(orjson.dumps([name, table]))


def decode_table(raw: bytes, name: str, check: TableCheck | None) -> dict[str, Any]:
    """The table of one snapshot line (newline included); Damaged if it is not sound."""
    if not raw.endswith(b"\n"):
        raise Damaged(messages.TRUNCATED)
    body = unframe(raw[:-1])
    if body is None:
        raise Damaged(messages.BAD_CHECKSUM)
    try:
        found, table = orjson.loads(body)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        raise Damaged(messages.BAD_STRUCTURE) from None
    if found != name:
        raise Damaged(messages.BAD_STRUCTURE)
    _check(name, table, check)
    return table


def line_sound(raw: bytes) -> bool:
    """Whether a snapshot line passes its checksum (copied unparsed into the next snapshot)."""
    return raw.endswith(b"\n") and unframe(memoryview(raw)[:-1]) is not None


# -- journal -------------------------------------------------------------------------------


class Patch:
    """A pending patch (see module docstring): ``doc`` changed in place, in ``fields``."""

    __slots__ = ("doc", "fields")

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc, self.fields = doc, set()

    def encode(self) -> dict[str, Any]:
        doc = self.doc
        f = doc.get("f") or {}
        return {PATCH: {k: v for k, v in doc.items() if k != "f"},
                "f": {name: f.get(name) for name in self.fields}}


def apply_patch(doc: dict[str, Any], patch: dict[str, Any]) -> None:
    """Apply a decoded patch to the document it was made of, in place."""
    fields = doc.get("f") or {}
    doc.clear()
    doc.update(patch[PATCH])
    for name, entries in patch["f"].items():
        if entries is None:
            fields.pop(name, None)
        else:
            fields[name] = entries
    doc["f"] = fields


def merge_patch(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any]:
    """What applying ``older`` (a document or a patch) then the patch ``newer`` gives."""
    if PATCH not in older:
        apply_patch(older, newer)
        return older
    return {PATCH: newer[PATCH], "f": {**older["f"], **newer["f"]}}


def apply_docs(table: dict[str, Any], docs: dict[str, Any]) -> None:
    """Journaled document changes (whole documents, None, patches) applied to a table."""
    for key, doc in docs.items():
        if doc is None:
            table.pop(key, None)
        elif PATCH in doc:
            base = table.get(key)
            if base is None:  # a patch is only journaled over a saved document
                raise Damaged(key)
            table[key] = merge_patch(base, doc)
        else:
            table[key] = doc


def encode_entry(seq: int, whole: dict[str, Any], docs: dict[str, dict[str, Any]],
                 history: list[Any]) -> bytes:
    entry: dict[str, Any] = {"seq": seq, "t": whole}
    if docs:
        entry["u"] = {name: {k: d.encode() if type(d) is Patch else d for k, d in t.items()}
                      for name, t in docs.items()}
    if history:
        entry["h"] = history
    return frame(orjson.dumps(entry))


def decode_entry(line: bytes | memoryview, check: TableCheck | None = None) -> dict[str, Any]:
    """The entry of a journal line (without its newline), with "t", "u" and "h" always set."""
    body = unframe(line)
    if body is None:
        raise Damaged(messages.BAD_CHECKSUM)
    try:
        entry = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Damaged(messages.BAD_STRUCTURE) from None
    if not isinstance(entry, dict) or type(entry.get("seq")) is not int:
        raise Damaged(messages.BAD_STRUCTURE)
    whole, docs = entry.setdefault("t", {}), entry.setdefault("u", {})
    if not isinstance(whole, dict) or not isinstance(docs, dict):
        raise Damaged(messages.BAD_STRUCTURE)
    if not isinstance(entry.setdefault("h", []), list):
        raise Damaged(messages.BAD_STRUCTURE)
    for name, table in whole.items():
        if table is not None:
            _check(name, table, check)
    for name, changes in docs.items():
        if not isinstance(changes, dict):
            raise Damaged(messages.bad_table(str(name), messages.BAD_STRUCTURE))
        shown = {}
        for k, d in changes.items():
            if type(d) is dict and PATCH in d:  # checked as the document it gives
                top, fields = d[PATCH], d.get("f")
                if type(top) is not dict or type(fields) is not dict or "f" in top:
                    raise Damaged(messages.bad_table(str(name), messages.BAD_STRUCTURE))
                shown[k] = {**top, "f": {f: e for f, e in fields.items() if e is not None}}
            elif d is not None:
                shown[k] = d
        _check(name, shown, check)
    return entry


# -- history -------------------------------------------------------------------------------


def encode_record(seq: int, entries: list[Any]) -> bytes:
    payload = zlib.compress(orjson.dumps(entries), 6)
    return (_HEAD.pack(MAGIC, seq, len(payload), zlib.crc32(payload)) + payload
            + _TAIL.pack(len(payload), MAGIC))


@dataclass
class Record:
    offset: int
    end: int
    seq: int
    #: None: the record is whole but fails its checksum (or does not decode)
    entries: list[Any] | None


def scan_records(raw: bytes | memoryview, base: int = 0) -> Iterator[Record]:
    """The records of ``raw`` (read from file offset ``base``), in order. Stops at the first
    place that is not a whole record (a cut append, or garbage): ``Record.end`` of the last
    one yielded is where the sound part ends."""
    view = memoryview(raw)
    pos, size = 0, len(view)
    while pos + RECORD_OVERHEAD <= size:
        magic, seq, length, crc = _HEAD.unpack_from(view, pos)
        end = pos + RECORD_OVERHEAD + length
        if magic != MAGIC or end > size:
            return
        tail_len, tail_magic = _TAIL.unpack_from(view, end - _TAIL.size)
        if tail_len != length or tail_magic != MAGIC:
            return
        payload = view[pos + _HEAD.size:end - _TAIL.size]
        entries: list[Any] | None = None
        if zlib.crc32(payload) == crc:
            try:
                decoded = orjson.loads(zlib.decompress(payload))
                entries = decoded if isinstance(decoded, list) else None
            except (zlib.error, orjson.JSONDecodeError):
                entries = None
        yield Record(base + pos, base + end, seq, entries)
        pos = end
