"""``history.log``: the append-only file of history entries (records as in docfiles.py).

Entries reach it at compaction only, as records holding the entries of the journal lines the
new snapshot folds (a few thousand entries each, split between saves), appended and fsynced in
one write *before* that snapshot is written; the snapshot's
header then records the file's size and the last seq it covers (docopening.py checks both).
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fsfield.store import docjournal, messages
from fsfield.store.docfiles import MAGIC, RECORD_OVERHEAD, encode_record, scan_records
from fsfield.store.files import fsync_dir

_BINARY = getattr(os, "O_BINARY", 0)
_HEAD = struct.Struct(">4sQII")
RECORD_ENTRIES = 2000
"""About how many history entries one record holds at most (a save's entries stay together)."""


class HistoryFile:
    """The history file of one data dir, and the entries the journal holds not yet in it."""

    def __init__(self, path: Path, report: Callable[[str], None]) -> None:
        self.path = path
        self.size = 0
        #: the seq of the file's last record: every history entry of a save up to it is in the
        #: file (and of every save up to the snapshot's seq, since each compaction folds all)
        self.last = 0
        #: (seq, entries) of saves since, in the journal only
        self.pending: list[tuple[int, list[Any]]] = []
        self._report = report
        self._bad_reported = False

    def reader(self) -> Iterator[Any]:
        """The entries of the file as it is now, oldest first (bad records skipped, said once)."""
        size = self.size
        if size == 0:
            return iter(())
        f = open(self.path, "rb")  # noqa: SIM115 (closed by the generator)
        return self._read(f, size)

    def _read(self, f: Any, size: int) -> Iterator[Any]:
        with f:
            pos, bad = 0, 0
            while pos + RECORD_OVERHEAD <= size:
                head = f.read(_HEAD.size)
                magic, _, length, _ = _HEAD.unpack(head)
                if magic != MAGIC or pos + RECORD_OVERHEAD + length > size:
                    bad += 1
                    break
                raw = head + f.read(length + RECORD_OVERHEAD - _HEAD.size)
                records = list(scan_records(raw, pos))
                pos += len(raw)
                if not records or records[0].entries is None:
                    bad += 1
                    continue
                yield from records[0].entries
            if bad and not self._bad_reported:
                self._bad_reported = True
                self._report(messages.history_bad_records(bad))

    def reader_for(self, seqs: set[int]) -> Iterator[Any]:
        """The entries of the records holding saves ``seqs`` only: record headers are walked
        (a seek each), and only the records covering a wanted save are read and inflated."""
        size = self.size
        if size == 0 or not seqs:
            return iter(())
        f = open(self.path, "rb")  # noqa: SIM115 (closed by the generator)
        return self._read_for(f, size, seqs)

    def _read_for(self, f: Any, size: int, seqs: set[int]) -> Iterator[Any]:
        with f:
            pos, previous = 0, 0
            while pos + RECORD_OVERHEAD <= size:
                f.seek(pos)
                head = f.read(_HEAD.size)
                magic, seq, length, _ = _HEAD.unpack(head)
                if magic != MAGIC or pos + RECORD_OVERHEAD + length > size:
                    break  # reported by reader() when the whole history is read
                end = pos + RECORD_OVERHEAD + length
                if any(previous < s <= seq for s in seqs):
                    raw = head + f.read(length + RECORD_OVERHEAD - _HEAD.size)
                    records = list(scan_records(raw, pos))
                    if records and records[0].entries is not None:
                        yield from records[0].entries
                pos, previous = end, seq

    def fold(self, seq: int) -> None:
        """Append the pending entries, durably, as records covering saves up to ``seq``: split
        between saves every ``RECORD_ENTRIES`` entries, so that reading one record's history
        (``reader_for``) inflates a bounded piece, not ten years folded by one compaction."""
        chunks: list[tuple[int, list[Any]]] = []
        for save, batch in self.pending:
            if not batch:
                continue
            if chunks and len(chunks[-1][1]) < RECORD_ENTRIES:
                chunks[-1] = (save, chunks[-1][1] + batch)
            else:
                chunks.append((save, list(batch)))
        if chunks:
            chunks[-1] = (seq, chunks[-1][1])  # the last record covers every save up to seq
            self._append(b"".join(encode_record(s, entries) for s, entries in chunks))
            self.last = seq
        self.pending = []

    def _append(self, record: bytes) -> None:
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | _BINARY, 0o600)
        try:
            if os.fstat(fd).st_size != self.size:  # an append that failed half-way
                os.ftruncate(fd, self.size)
            os.lseek(fd, self.size, os.SEEK_SET)
            try:
                docjournal.write_all(fd, record)
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self.size)
                raise
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)
        self.size += len(record)

    def rewrite(self, fn: Callable[[Any], Any]) -> None:
        """Rewrite the file with every entry mapped through ``fn`` (temp file, os.replace,
        fsync of the folder); records failing their checksum are dropped."""
        if self.pending:
            raise RuntimeError("fold the pending entries first")
        if self.size == 0:
            return
        raw = self.path.read_bytes()[: self.size]
        out = [encode_record(r.seq, [fn(e) for e in r.entries])
               for r in scan_records(raw) if r.entries is not None]
        payload = b"".join(out)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o600)
            try:
                docjournal.write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(self.path.parent)
        self.size = len(payload)
