"""The lazy database dict of DocStorage, and reading a table back from the backup.

``LazyTables`` lists every table name but holds a table only once someone asks for it
(``[]``, ``get``, ``items()``/``values()``); ``in``, ``len`` and iterating over names load
nothing. TinyDB works through it unchanged (it does ``read()[name]`` and ``write(tables)``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, ItemsView, Iterator, ValuesView
from pathlib import Path
from typing import Any

from fsfield.store import docjournal
from fsfield.store.docfiles import (
    Header,
    apply_docs,
    decode_entry,
    decode_table,
    encode_header,
    encode_table,
    line_sound,
)
from fsfield.store.docopening import JOURNAL_PREV, read_header
from fsfield.store.entries import Damaged, TableCheck, lines

_BINARY = getattr(os, "O_BINARY", 0)

#: the value of a table not loaded yet
UNLOADED: Any = type("Unloaded", (), {"__repr__": lambda self: "<not loaded>"})()


class LazyTables(dict):
    """The database dict: tables loaded on first access; notes the names TinyDB assigns or
    drops since the last save (the only candidates for the next journal line)."""

    def __init__(self, loader: Callable[[str], dict[str, Any]],
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self._loader = loader
        self.touched: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if value is UNLOADED:
            value = self._loader(key)
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:  # also makes dict(lazy) go through __getitem__
        return iter(dict.keys(self))

    def load_all(self) -> None:
        for key in list(dict.keys(self)):
            self[key]

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        self.load_all()
        return dict.values(self)

    def items(self) -> ItemsView[str, Any]:  # type: ignore[override]
        self.load_all()
        return dict.items(self)

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        self.load_all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self.load_all()
        if isinstance(other, LazyTables):
            other.load_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        self.touched.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.touched.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self[key]
        self.touched.add(key)
        return super().pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def update(self, *args: Any, **kw: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kw).items():
            self[key] = value

    def is_loaded(self, key: str) -> bool:
        return key in self and dict.__getitem__(self, key) is not UNLOADED

    def raw(self, key: str) -> Any:
        """The value as held: a table, or UNLOADED."""
        return dict.__getitem__(self, key)


def read_line(path: Path, header: Header, name: str) -> bytes:
    offset, length = header.tables[name]
    with open(path, "rb") as f:
        f.seek(header.size + offset)
        return f.read(length)


def rebuild(directory: Path, name: str, upto: int, check: TableCheck | None) -> dict[str, Any]:
    """Table ``name`` as of seq ``upto`` from the backup's line plus the previous journal;
    Damaged if they do not bridge the gap."""
    backup = directory / "docs.json.bak"
    header, _ = read_header(backup)
    table: dict[str, Any] | None = None
    if name in header.tables:
        table = decode_table(read_line(backup, header, name), name, check)
    seq = header.seq
    prev = directory / JOURNAL_PREV
    raw = prev.read_bytes() if seq < upto and os.path.exists(prev) else b""
    for _, line, whole in lines(raw):
        if not whole:
            break
        try:
            entry = decode_entry(line, check)
        except Damaged:
            break
        if entry["seq"] <= seq:
            continue
        if entry["seq"] != seq + 1 or entry["seq"] > upto:
            break
        seq = entry["seq"]
        if name in entry["t"]:
            table = entry["t"][name]
        if name in entry["u"]:
            table = {} if table is None else table
            apply_docs(table, entry["u"][name])
    if seq != upto or table is None:
        raise Damaged(name)
    return table


def write_snapshot(
    tmp: Path, data: LazyTables, old: Header | None, overlay: dict[str, Any], seq: int,
    history: tuple[int, int], read_source: Callable[[str], bytes], keep_raw: set[str],
) -> Header:
    """Write a snapshot of ``data`` to ``tmp`` (fsynced): tables never loaded (and without
    journal changes) copied as bytes from the current snapshot, checksum checked, the others
    encoded. Raises Damaged(name) for a copied line that fails its checksum (unless in
    ``keep_raw``: copied as found), OSError if the disk refuses; ``tmp`` is then removed."""
    plan: list[bytes | str] = []  # encoded line, or the name of a line copied as bytes
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    for name in list(dict.keys(data)):
        if (data.raw(name) is UNLOADED and name not in overlay
                and old is not None and name in old.tables):
            plan.append(name)
            length = old.tables[name][1]
        else:
            line = encode_table(name, data[name])
            plan.append(line)
            length = len(line)
        index[name] = (offset, length)
        offset += length
    head = encode_header(seq, index, history)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o600)
        try:
            docjournal.write_all(fd, head)
            for item in plan:
                if isinstance(item, str):
                    raw = read_source(item)
                    if item not in keep_raw and not line_sound(raw):
                        raise Damaged(item)
                    item = raw
                docjournal.write_all(fd, item)
            os.fsync(fd)
        finally:
            os.close(fd)
    except (OSError, Damaged):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Header(seq, index, history[0], history[1], len(head))
