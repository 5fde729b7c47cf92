"""Crash-safe TinyDB storage of the document store, format ``fsfield-store/4`` (docfiles.py).

As storage.py (one checksummed journal line and one ``fdatasync`` per durable save, sequence
numbers, compaction by temp file + ``os.replace`` + fsync of the folder, the previous snapshot
kept as the backup, ``lock``, ``batch()``, ``owner``, ``DataDirLost``), with three differences:

* opening reads the snapshot's header, not its tables: a table is read, checked and parsed
  when first asked for (doctables.py), and copied unparsed into the next snapshot if never;
* besides TinyDB's whole-table writes (``"t"``), a save carries document changes made with
  ``put`` (``"u"``) and history entries given to ``log_history`` (``"h"``), in the same line;
* history entries move, at compaction and before the new snapshot is written, into the
  append-only ``history.log``, read only by ``history()``.

Files in the data dir: ``docs.json`` (snapshot), ``docs.json.bak`` (the previous one),
``docs.journal``, ``docs.journal.prev`` (the journal the snapshot folded), ``history.log``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from fsfield.domain.messages import describe_os_error
from fsfield.store import messages
from fsfield.store.docfiles import (
    FORMAT,
    Header,
    NewerFormat,
    Patch,
    decode_table,
    encode_entry,
)
from fsfield.store.dochistory import HistoryFile
from fsfield.store.docjournal import JournalFile
from fsfield.store.docopening import (
    BACKUP,
    HISTORY,
    JOURNAL,
    JOURNAL_PREV,
    SNAPSHOT,
    file_id,
    last_seq,
    open_dir,
)
from fsfield.store.doctables import (
    UNLOADED,
    LazyTables,
    apply_docs,
    read_line,
    rebuild,
    write_snapshot,
)
from fsfield.store.entries import Damaged, TableCheck
from fsfield.store.files import fsync_dir
from fsfield.store.opening import Recovery, aside_name
from fsfield.store.storage import DataDirLost, SaveFailed, StoreError

__all__ = [
    "BACKUP", "FORMAT", "HISTORY", "JOURNAL", "JOURNAL_PREV", "SNAPSHOT", "DataDirLost",
    "DocStorage", "NewerFormat", "Recovery", "SaveFailed", "StoreError",
]
CLOSE_COMPACT_BYTES = 256 << 10
_NOTHING: Any = object()


class DocStorage(Storage):
    """TinyDB storage that never loses a save that returned, opening in constant time."""

    def __init__(
        self,
        directory: Path | str,
        compact_min_bytes: int = 1 << 20,
        check: TableCheck | None = None,
        owner: Callable[[], None] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.compact_min_bytes = compact_min_bytes
        self.check = check
        self.owner = owner
        self.lock = threading.RLock()
        self.recovery = Recovery()
        #: tables found damaged when loaded (French), for the app to show
        self.problems: list[str] = []
        self.unsaved = False
        self.upgraded = False
        self._data = LazyTables(self._load_table)
        self._seq = 0
        self._flushed: dict[str, Any] = {}  # loaded table -> the object last made durable
        self._on_disk: set[str] = set()  # table names a replay would produce
        self._docs: dict[str, dict[str, Any]] = {}  # put() since the last save
        self._history: list[Any] = []  # log_history() since the last save
        self._batch_depth = 0
        self._journal = JournalFile(self.directory / JOURNAL)
        self._header: Header | None = None
        self._source: Path | None = None
        self._source_id: tuple[int, int, int] | None = None
        self._overlay: dict[str, dict[str, Any]] = {}
        self._damaged_snapshot = False
        self._lost: DataDirLost | None = None
        self._hist = HistoryFile(self.directory / HISTORY, self._report)
        self._open()

    # -- TinyDB interface ---------------------------------------------------

    def read(self) -> LazyTables:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        with self.lock:
            if data is not self._data:  # a whole new database (TinyDB's drop_tables)
                fresh = LazyTables(self._load_table, data)
                fresh.touched = set(data) | self._on_disk | self._data.touched
                self._data = fresh
            self.unsaved = True
            if self._batch_depth == 0:
                self.flush()

    def loaded(self, name: str) -> bool:
        """Whether table ``name`` is in memory (False for a table that does not exist)."""
        return self._data.is_loaded(name)

    # -- documents and history ------------------------------------------------

    def put(
        self, table: str, key: str, doc: dict[str, Any] | None, fields: set[str] | None = None
    ) -> None:
        """Set (None: delete) one document, durably unless inside ``batch()``. The table is
        loaded if needed, created if it does not exist. Changes the table dict in place: a
        TinyDB ``Table`` over the same table must not rely on its query cache. ``fields``: the
        document under ``key`` was changed in place and only these fields of its ``"f"`` (and
        its other top-level keys): the journal then holds only those (a patch)."""
        with self.lock:
            if table in self._data:
                docs = self._data[table]
            else:
                docs = {}
                dict.__setitem__(self._data, table, docs)
                self._flushed[table] = docs
            pending = self._docs.setdefault(table, {})
            before = pending.get(key, _NOTHING)
            if doc is not None and fields is not None and docs.get(key) is doc and (
                before is _NOTHING or type(before) is Patch
            ):  # only what changed of a document already saved whole
                if before is _NOTHING:
                    before = pending[key] = Patch(doc)
                before.fields |= fields
                self.unsaved = True
                if self._batch_depth == 0:
                    self.flush()
                return
            if doc is None:
                docs.pop(key, None)
            else:
                docs[key] = doc
            pending[key] = doc
            self.unsaved = True
            if self._batch_depth == 0:
                self.flush()

    def drop(self, table: str) -> None:
        """Remove a whole table, durably unless inside ``batch()``."""
        with self.lock:
            if table not in self._data:
                return
            dict.pop(self._data, table)
            self._docs.pop(table, None)
            self._data.touched.add(table)
            self.unsaved = True
            if self._batch_depth == 0:
                self.flush()

    def log_history(self, entries: list[Any]) -> None:
        """History entries (JSON values), made durable by the next save, in its line."""
        with self.lock:
            self._history.extend(entries)
            self.unsaved = True

    def next_seq(self) -> int:
        """The sequence number the next save will have (history entries logged now go in it)."""
        return self._seq + 1

    def history(self, seqs: set[int] | None = None) -> Iterator[Any]:
        """Every history entry ever logged, oldest first (saved or not); with ``seqs``, only
        (at least) those logged by these saves, reading only the records that hold them."""
        with self.lock:
            if seqs is None:
                reader = self._hist.reader()
                later = [e for _, entries in self._hist.pending for e in entries]
                later += self._history
            else:
                reader = self._hist.reader_for(seqs)
                later = [e for seq, entries in self._hist.pending if seq in seqs for e in entries]
                if self._seq + 1 in seqs:
                    later += self._history
        yield from reader
        yield from later

    def rewrite_history(self, fn: Callable[[Any], Any]) -> None:
        """Map every history entry through ``fn`` (the RGPD purge): afterwards no file of the
        data dir managed here holds an entry as it was (the journals are folded first, twice,
        so that neither journal still holds one). Raises SaveFailed if the disk refuses."""
        with self.lock:
            try:
                self.compact()
                self._hist.rewrite(fn)
                self.compact()
            except OSError as exc:
                raise SaveFailed(
                    messages.save_failed(self.directory, describe_os_error(exc))
                ) from exc

    def stats(self) -> dict[str, int]:
        """Sizes in bytes of the files (for benchmarks)."""
        out: dict[str, int] = {}
        for key, name in (("snapshot", SNAPSHOT), ("backup", BACKUP), ("journal", JOURNAL),
                          ("journal_prev", JOURNAL_PREV), ("history", HISTORY)):
            try:
                out[key] = os.stat(self.directory / name).st_size
            except FileNotFoundError:
                out[key] = 0
        return out

    # -- lazy loading ---------------------------------------------------------

    def _load_table(self, name: str) -> dict[str, Any]:
        with self.lock:
            current = dict.get(self._data, name)
            if current is not None and current is not UNLOADED:
                return current  # another thread loaded it while this one waited
            table: dict[str, Any] = {}
            header, source = self._header, self._source
            if header is not None and source is not None and name in header.tables:
                raw = self._read_source(name)
                try:
                    table = decode_table(raw, name, self.check)
                except Damaged as exc:
                    table = self._rebuild(name, str(exc))
            apply_docs(table, self._overlay.pop(name, {}))
            self._flushed[name] = table
            return table

    def _read_source(self, name: str) -> bytes:
        assert self._header is not None and self._source is not None
        try:
            st = os.stat(self._source)
        except FileNotFoundError:
            st = None
        if st is None or file_id(st) != self._source_id:
            self._lost = self._lost or DataDirLost(messages.lost_other_writer(self.directory))
            raise DataDirLost(str(self._lost))
        return read_line(self._source, self._header, name)

    def _rebuild(self, name: str, reason: str) -> dict[str, Any]:
        assert self._header is not None
        try:
            if self._source != self.directory / SNAPSHOT:
                raise Damaged(reason)
            table = rebuild(self.directory, name, self._header.seq, self.check)
        except (Damaged, OSError):
            raise StoreError(messages.table_lost(name, reason)) from None
        self._damaged_snapshot = True
        self._report(messages.table_rebuilt(name, reason))
        return table

    def _report(self, message: str) -> None:
        self.problems.append(message)
        self.recovery.messages.append(message)

    # -- durability ---------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group several operations into one durable save (all or nothing on disk); holds
        ``lock`` throughout."""
        with self.lock:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
            if self._batch_depth == 0:
                self.flush()

    def _dirty(self) -> dict[str, Any]:
        changed: dict[str, Any] = {}
        for name in self._data.touched:
            table = dict.get(self._data, name)
            if table is None:
                if name in self._on_disk:
                    changed[name] = None
            elif table is not UNLOADED and self._flushed.get(name) is not table:
                changed[name] = table
        return changed

    def flush(self) -> None:
        """Make every pending change durable; raise SaveFailed (data kept) if the disk refuses,
        DataDirLost (data kept) if this process no longer owns the data dir."""
        with self.lock:
            changed = self._dirty()
            if not changed and not self._docs and not self._history:
                self._data.touched.clear()
                self.unsaved = False
                return
            line = encode_entry(self._seq + 1, changed, self._docs, self._history)
            try:
                self._append(line)
            except OSError as exc:
                raise SaveFailed(
                    messages.save_failed(self.directory, describe_os_error(exc))
                ) from exc
            self._seq += 1
            for name, table in changed.items():
                if table is None:
                    self._flushed.pop(name, None)
                    self._on_disk.discard(name)
                else:
                    self._flushed[name] = table
                    self._on_disk.add(name)
            self._on_disk.update(self._docs)
            if self._history:
                self._hist.pending.append((self._seq, self._history))
            self._docs, self._history = {}, []
            self._data.touched.clear()
            self.unsaved = False
            if self._journal.size > max(self.compact_min_bytes, 0):
                # Compaction is an optimisation: the journal already holds everything.
                with contextlib.suppress(OSError, StoreError):
                    self.compact()

    def _still_ours(self) -> None:
        if self._lost is None:
            try:
                if self.owner is not None:
                    self.owner()
                self._journal.untouched(self.directory)
            except DataDirLost as exc:
                self._lost = exc
        if self._lost is not None:
            raise DataDirLost(str(self._lost))

    def _append(self, line: bytes) -> None:
        self._still_ours()
        self._journal.append(line)

    # -- compaction -----------------------------------------------------------

    def compact(self) -> None:
        """Fold the journal: its history entries into history.log first, then a new snapshot
        (tables never loaded copied as bytes), then rotate the files (module docstring)."""
        with self.lock:
            self.flush()
            self._still_ours()
            self._hist.fold(self._seq)
            tmp = self.directory / f".{SNAPSHOT}.tmp"
            keep_raw: set[str] = set()
            while True:
                try:
                    header = write_snapshot(
                        tmp, self._data, self._header, self._overlay, self._seq,
                        (self._hist.size, self._hist.last), self._read_source, keep_raw)
                    break
                except Damaged as exc:  # a table line never loaded fails its checksum
                    name = str(exc)
                    try:
                        self._data[name]  # rebuilt, then re-encoded
                    except StoreError:
                        keep_raw.add(name)  # kept as found; the damaged file goes aside
                        self._damaged_snapshot = True
            self._journal.close()
            journal, prev = self.directory / JOURNAL, self.directory / JOURNAL_PREV
            rotated = journal.exists()
            if rotated:
                os.replace(journal, prev)
            self._journal.rotated()
            snapshot = self.directory / SNAPSHOT
            backed_up = snapshot.exists() and not self._damaged_snapshot
            old_seq = self._header.seq if self._header is not None else 0
            if snapshot.exists():
                if self._damaged_snapshot:
                    aside = aside_name(snapshot)
                    os.replace(snapshot, aside)
                    self.recovery.moved_aside.append(aside)
                    self._report(messages.snapshot_set_aside(aside))
                else:
                    os.replace(snapshot, self.directory / BACKUP)
            os.replace(tmp, snapshot)
            fsync_dir(self.directory)
            if backed_up:
                self._refresh_backup(snapshot)
            if not rotated and backed_up and prev.exists():
                # Nothing was saved since the last snapshot, now the backup: the previous
                # journal bridges nothing any more (unless it is what brought the saves since).
                covered = last_seq(prev)
                if covered is not None and covered <= old_seq:
                    os.unlink(prev)
            self._damaged_snapshot = bool(keep_raw)
            self._header, self._source = header, snapshot
            self._source_id = file_id(os.stat(snapshot))
            self._overlay = {}
            self._on_disk = set(self._data)

    def _refresh_backup(self, snapshot: Path) -> None:
        """Replace a backup more than twice the new snapshot's size (a sync emptied the outbox,
        a purge erased values) by a copy of the new snapshot. The old backup stays until the
        copy is durable; a failed copy leaves it (this only saves disk)."""
        backup, tmp = self.directory / BACKUP, self.directory / f".{BACKUP}.tmp"
        try:
            if os.stat(backup).st_size <= 2 * os.stat(snapshot).st_size:
                return
            shutil.copyfile(snapshot, tmp)
            with open(tmp, "r+b") as f:  # writable: Windows flushes only those
                os.fsync(f.fileno())
            os.replace(tmp, backup)
            fsync_dir(self.directory)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    # -- opening and closing --------------------------------------------------

    def _open(self) -> None:
        opened = open_dir(self.directory, self.check)
        self.recovery = opened.recovery
        self._seq, self._header = opened.seq, opened.header
        self._source, self._source_id = opened.source, opened.source_id
        self._overlay = opened.overlay
        self._hist.size, self._hist.last = opened.history_size, opened.history_last
        self._hist.pending = opened.pending
        names: dict[str, Any] = dict.fromkeys(opened.header.tables if opened.header else (),
                                              UNLOADED)
        for name in opened.overlay:
            names.setdefault(name, UNLOADED)
        for name, table in opened.whole.items():
            if table is None:
                names.pop(name, None)
            else:
                names[name] = table
                self._flushed[name] = table
        self._data = LazyTables(self._load_table, names)
        self._on_disk = set(names)
        self._journal = JournalFile(self.directory / JOURNAL)
        older = opened.header is not None and opened.header.format != FORMAT
        #: opened from an older format (3): the app reorganises what that format laid out
        self.upgraded = older
        if not opened.repair and not older:  # format 3 is rewritten before any patch is saved
            return
        try:
            self.compact()
        except OSError as exc:
            for aside, original in reversed(opened.undo):  # as found: the next open repairs
                with contextlib.suppress(OSError):
                    os.replace(aside, original)
            if self._hist.size > opened.history_size:  # the record no snapshot committed
                with contextlib.suppress(OSError):
                    os.truncate(self.directory / HISTORY, opened.history_size)
            raise StoreError(
                messages.repair_failed(self.directory, describe_os_error(exc))
            ) from exc
        if opened.journal_aside is not None:  # the damaged journal is now the previous one
            os.replace(self.directory / JOURNAL_PREV, opened.journal_aside)
            fsync_dir(self.directory)

    def close(self) -> list[str]:
        """Flush what is pending, fold a large journal, release files. Raises SaveFailed only
        if a pending change cannot be saved; returns what could not be tidied (French)."""
        notices: list[str] = []
        with self.lock:
            try:
                self.flush()
                if self._lost is None and self._journal.size > CLOSE_COMPACT_BYTES:
                    try:
                        self.compact()
                    except (DataDirLost, StoreError):
                        pass
                    except OSError as exc:
                        notices.append(messages.close_untidy(describe_os_error(exc)))
            finally:
                self._journal.close()
                if self._lost is None:
                    self._lost = DataDirLost(messages.closed(self.directory))
        return notices

    @property
    def lost(self) -> bool:
        """True once a save was refused because this process no longer owns the data dir."""
        return self._lost is not None
