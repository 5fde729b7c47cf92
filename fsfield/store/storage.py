"""Crash-safe TinyDB storage: a snapshot file plus an append-only journal.

Stock ``JSONStorage`` rewrites the whole file in place on every change: slow, and a
crash mid-write leaves it unparseable (TinyDB issues #467, #113, #301). This storage
keeps the whole database in memory (the read cache) and makes each change durable by
appending one checksummed journal line holding only the tables that changed, then
fsync. The journal is folded into a new snapshot (temp file, fsync, ``os.replace``,
fsync of the folder) once it grows, the previous snapshot being kept as the backup.

Files in the data dir::

    fsfield.json           snapshot, one checksummed line per table (entries.py)
    fsfield.json.bak       the previous snapshot (the backup)
    fsfield.journal        entries after the snapshot, one per durable save
    fsfield.journal.prev   entries between the backup and the snapshot

Every journal entry carries a sequence number and replaces whole tables (or, for
append-only tables, adds documents by id), so replaying is idempotent and any crash
point leaves (snapshot or backup) + journals covering every save that returned. The
app stores one append-only table per record, so a saved answer costs one small append
whatever the size of the store or the history of the record. Opening, and what is done
with damaged files, is in opening.py.

One writer at a time: ``lock`` (re-entrant) is held by every save, by ``batch()`` for its
whole duration and by compaction, so a job in a worker thread and the UI never interleave
their changes, and an edit made while a job's batch is open waits for the job's save, then
is saved on its own (never swallowed into the job's batch). Before each append the storage
checks that this process still owns the data dir (``owner``, the data dir lock) and that
nobody else appended to or replaced its journal; if not, the save is refused
(``DataDirLost``) and nothing is ever written over another writer's saves.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from fsfield.store import messages
from fsfield.store.entries import FORMAT, TableCheck, Tables, encode_entry, encode_snapshot
from fsfield.store.files import fsync_dir
from fsfield.store.opening import (
    BACKUP,
    JOURNAL,
    JOURNAL_PREV,
    SNAPSHOT,
    Recovery,
    open_files,
)

__all__ = [
    "BACKUP", "FORMAT", "JOURNAL", "JOURNAL_PREV", "SNAPSHOT", "DataDirLost", "JournaledStorage",
    "Recovery", "SaveFailed", "StoreError",
]
CLOSE_COMPACT_BYTES = 256 << 10


class StoreError(Exception):
    """A store problem with a message meant for the user (in French)."""


class SaveFailed(StoreError):
    """A change could not be made durable; it is kept in memory and retried."""


class DataDirLost(SaveFailed):
    """This process no longer owns its data dir: it refuses to save (the change stays in memory)."""


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


class _Tables(dict):
    """The database dict, noting which tables TinyDB assigns or drops since the last save.

    TinyDB replaces a table's dict in the top-level dict whenever it changes one, so the
    names noted here are the only candidates for the next journal line (no scan of every
    table of a large store on each keypress).
    """

    def __init__(self, data: Tables | None = None) -> None:
        super().__init__(data or {})
        self.touched: set[str] = set()

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        self.touched.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.touched.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.touched.add(key)
        return super().pop(key, *default)


class JournaledStorage(Storage):
    """TinyDB storage that never loses a save that returned (see module docstring)."""

    def __init__(
        self,
        directory: Path | str,
        compact_min_bytes: int = 1 << 20,
        append_only_prefix: str | None = None,
        check: TableCheck | None = None,
        owner: Callable[[], None] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.compact_min_bytes = compact_min_bytes
        #: tables named so only ever get new documents (the app's record tables): a save
        #: journals just the new documents instead of the whole table
        self.append_only_prefix = append_only_prefix
        #: the app's schema check of each table read from disk (entries.py)
        self.check = check
        #: raises DataDirLost unless this process still owns the data dir (lock.py)
        self.owner = owner
        #: held by every change, by batch() throughout, and by compaction (module docstring)
        self.lock = threading.RLock()
        self.recovery = Recovery()
        self._data: _Tables = _Tables()
        self._seq = 0
        self._flushed: dict[str, Any] = {}
        self._batch_depth = 0
        self._journal_fd: int | None = None
        self._journal_id: tuple[int, int] | None = None  # the journal file we append to
        self._journal_size = 0
        self._snapshot_size = 0
        self._lost: DataDirLost | None = None
        self.unsaved = False
        self._load()

    # -- TinyDB interface ---------------------------------------------------

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        with self.lock:
            if data is not self._data:  # a whole new database (TinyDB's drop_tables)
                fresh = _Tables(data)
                fresh.touched = set(data) | set(self._flushed) | self._data.touched
                self._data = fresh
            self.unsaved = True
            if self._batch_depth == 0:
                self.flush()

    def close(self) -> list[str]:
        """Flush what is pending, fold a large journal into the snapshot, release files.

        Raises SaveFailed only if a pending change cannot be saved. Never an OSError for the
        tidying: what was saved is already durable; returns what could not be done (French).
        """
        notices: list[str] = []
        with self.lock:
            try:
                self.flush()
                # A small journal is replayed in no time at the next start; rewriting the
                # whole snapshot on every close (every `fsfield sync`) is not worth it.
                if self._lost is None and self._journal_size > max(
                    CLOSE_COMPACT_BYTES, self._snapshot_size // 16
                ):
                    try:
                        self.compact()
                    except DataDirLost:
                        pass  # never fold over another writer's files
                    except OSError as exc:
                        notices.append(messages.close_untidy(exc.strerror or str(exc)))
            finally:
                if self._journal_fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(self._journal_fd)
                    self._journal_fd = None
                if self._lost is None:  # the lock is released next: no save after close
                    self._lost = DataDirLost(messages.closed(self.directory))
        return notices

    @property
    def lost(self) -> bool:
        """True once a save was refused because this process no longer owns the data dir."""
        return self._lost is not None

    # -- durability ---------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group several TinyDB operations into one durable save (all or nothing on disk).

        Holds ``lock`` throughout: another thread's change waits until the batch is saved."""
        with self.lock:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
            if self._batch_depth == 0:
                self.flush()

    def _dirty(self) -> dict[str, Any]:
        # TinyDB builds a new dict for every table it updates, so identity tells which of
        # the tables it touched changed since the last durable save.
        changed: dict[str, Any] = {}
        for name in self._data.touched:
            table = self._data.get(name)
            if table is None:
                if name in self._flushed:
                    changed[name] = None
            elif self._flushed.get(name) is not table:
                changed[name] = table
        return changed

    def flush(self) -> None:
        """Make every pending change durable; raise SaveFailed (data kept) if the disk refuses,
        DataDirLost (data kept) if this process no longer owns the data dir."""
        with self.lock:
            changed = self._dirty()
            if not changed:
                self._data.touched.clear()
                self.unsaved = False
                return
            line = encode_entry(self._seq + 1, *self._split(changed))
            try:
                self._append(line)
            except OSError as exc:
                raise SaveFailed(
                    messages.save_failed(self.directory, exc.strerror or str(exc))
                ) from exc
            self._seq += 1
            for name, table in changed.items():
                if table is None:
                    self._flushed.pop(name, None)
                else:
                    self._flushed[name] = table
            self._data.touched.clear()
            self.unsaved = False
            if self._journal_size > max(self.compact_min_bytes, self._snapshot_size):
                # Compaction is an optimisation: the journal already holds everything.
                with contextlib.suppress(OSError, DataDirLost):
                    self.compact()

    def _split(self, changed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Whole tables to journal, and documents added to append-only tables."""
        prefix = self.append_only_prefix
        if not prefix:
            return changed, {}
        whole: dict[str, Any] = {}
        added: dict[str, Any] = {}
        for name, table in changed.items():
            old = self._flushed.get(name)
            if table is not None and old is not None and name.startswith(prefix):
                new_ids = table.keys() - old.keys()
                if len(table) == len(old) + len(new_ids):  # nothing removed
                    added[name] = {doc_id: table[doc_id] for doc_id in new_ids}
                    continue
            whole[name] = table
        return whole, added

    def _still_ours(self) -> None:
        """Raise DataDirLost unless the data dir and the journal are still this process's."""
        if self._lost is None:
            try:
                if self.owner is not None:
                    self.owner()
                self._journal_untouched()
            except DataDirLost as exc:
                self._lost = exc  # for good: this process's view of the data is stale
        if self._lost is not None:
            raise DataDirLost(str(self._lost))

    def _journal_untouched(self) -> None:
        # Only this process appends to its journal, so the file at the path must be the one
        # it knows, at the size it left it; anything else is another writer (a second process
        # that ignored the lock, or the data dir restored from a copy under us).
        try:
            st = os.stat(self.directory / JOURNAL)
        except FileNotFoundError:
            st = None
        if self._journal_id is None:
            same = st is None or st.st_size == 0
        else:
            size = os.fstat(self._journal_fd).st_size if self._journal_fd is not None else None
            same = (
                st is not None
                and _identity(st) == self._journal_id
                and st.st_size == self._journal_size
                and size in (None, self._journal_size)
            )
        if not same:
            raise DataDirLost(messages.lost_other_writer(self.directory))

    def _append(self, line: bytes) -> None:
        self._still_ours()
        if self._journal_fd is None:
            path = self.directory / JOURNAL
            created = not path.exists()
            self._journal_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            st = os.fstat(self._journal_fd)
            self._journal_id, self._journal_size = _identity(st), st.st_size
            if created:
                fsync_dir(self.directory)
        fd = self._journal_fd
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)
        except OSError:
            # Cut a partial line so the journal stays a sequence of whole entries.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._journal_size)
            raise
        self._journal_size += len(line)

    def compact(self) -> None:
        """Write a new snapshot of everything and rotate the journal (see module docstring)."""
        with self.lock:
            self.flush()
            self._still_ours()
            payload = encode_snapshot(self._seq, self._data)
            snapshot = self.directory / SNAPSHOT
            tmp = self.directory / f".{SNAPSHOT}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    view = memoryview(payload)
                    while view:  # os.write may write less than asked
                        view = view[os.write(fd, view):]
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            journal = self.directory / JOURNAL
            if journal.exists():
                os.replace(journal, self.directory / JOURNAL_PREV)
            self._journal_id, self._journal_size = None, 0
            if snapshot.exists():
                os.replace(snapshot, self.directory / BACKUP)
            os.replace(tmp, snapshot)
            fsync_dir(self.directory)
            self._snapshot_size = len(payload)

    # -- opening --------------------------------------------------------------

    def _load(self) -> None:
        opened = open_files(self.directory, self.check)
        self.recovery = opened.recovery
        self._seq, self._data = opened.seq, _Tables(opened.tables)
        self._flushed = dict(opened.tables)
        self._snapshot_size = opened.snapshot_size
        journal = self.directory / JOURNAL
        if journal.exists():
            st = journal.stat()
            self._journal_id, self._journal_size = _identity(st), st.st_size
        if not opened.repair:
            return
        # Write a clean snapshot now so the repaired state is the one on disk. Saves read
        # from the previous journal mean a compaction was cut short after rotating the
        # journal: the next rotation would overwrite them while no snapshot holds them.
        try:
            self.compact()
        except OSError as exc:
            for aside, original in reversed(opened.undo):  # as found: the next open repairs
                with contextlib.suppress(OSError):
                    os.replace(aside, original)
            raise StoreError(
                messages.repair_failed(self.directory, exc.strerror or str(exc))
            ) from exc
        if opened.journal_aside is not None:  # the damaged journal is now the previous one
            os.replace(self.directory / JOURNAL_PREV, opened.journal_aside)
            fsync_dir(self.directory)
