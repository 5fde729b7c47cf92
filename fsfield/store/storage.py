"""Crash-safe TinyDB storage: a snapshot file plus an append-only journal.

Stock ``JSONStorage`` rewrites the whole file in place on every change: slow, and a
crash mid-write leaves it unparseable (TinyDB issues #467, #113, #301). This storage
keeps the whole database in memory (the read cache) and makes each change durable by
appending one checksummed journal line holding only the tables that changed, then
fsync. The journal is folded into a new snapshot (temp file, fsync, ``os.replace``,
fsync of the folder) once it grows, the previous snapshot being kept as the backup.

Files in the data dir::

    fsfield.json           snapshot  {"format", "seq", "tables"}
    fsfield.json.bak       the previous snapshot (the backup)
    fsfield.journal        entries after the snapshot, one per durable save
    fsfield.journal.prev   entries between the backup and the snapshot

Every journal entry carries a sequence number and replaces whole tables (or, for
append-only tables, adds documents by id), so replaying is idempotent and any crash
point leaves (snapshot or backup) + journals covering every save that returned. The
app stores one append-only table per record, so a saved answer costs one small append
whatever the size of the store or the history of the record.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from fsfield.domain.messages import describe_os_error
from fsfield.store.files import fsync_dir

SNAPSHOT = "fsfield.json"
BACKUP = "fsfield.json.bak"
JOURNAL = "fsfield.journal"
JOURNAL_PREV = "fsfield.journal.prev"
FORMAT = "fsfield-store/1"
CLOSE_COMPACT_BYTES = 256 << 10

Tables = dict[str, dict[str, Any]]


class StoreError(Exception):
    """A store problem with a message meant for the user (in French)."""


class SaveFailed(StoreError):
    """A change could not be made durable; it is kept in memory and retried."""


@dataclass
class Recovery:
    """What opening the store had to repair, for the user to be told."""

    messages: list[str] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)


def _encode_entry(seq: int, tables: dict[str, Any], added: dict[str, Any] | None = None) -> bytes:
    entry: dict[str, Any] = {"seq": seq, "t": tables}
    if added:
        entry["a"] = added  # documents added to append-only tables
    body = orjson.dumps(entry)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _decode_entry(line: bytes) -> dict[str, Any] | None:
    """Return the entry of a journal line, or None when it is torn or damaged."""
    if len(line) < 10 or line[8:9] != b" " or not line.endswith(b"\n"):
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        entry = orjson.loads(body)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return None
    if not isinstance(entry.get("t"), dict) or not isinstance(entry.get("a", {}), dict):
        return None
    return entry


def _read_snapshot(path: Path) -> tuple[int, Tables]:
    """Parse a snapshot file; raise ValueError when it is not a valid one."""
    raw = orjson.loads(path.read_bytes())
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("format inconnu")
    seq, tables = raw.get("seq"), raw.get("tables")
    if not isinstance(seq, int) or not isinstance(tables, dict):
        raise ValueError("structure invalide")
    if not all(isinstance(t, dict) for t in tables.values()):
        raise ValueError("table invalide")
    return seq, tables


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
    ) -> None:
        self.directory = Path(directory)
        self.compact_min_bytes = compact_min_bytes
        #: tables named so only ever get new documents (the app's record tables): a save
        #: journals just the new documents instead of the whole table
        self.append_only_prefix = append_only_prefix
        self.recovery = Recovery()
        self._data: _Tables = _Tables()
        self._seq = 0
        self._flushed: dict[str, Any] = {}
        self._batch_depth = 0
        self._journal_fd: int | None = None
        self._journal_size = 0
        self._snapshot_size = 0
        self.unsaved = False
        self._load()

    # -- TinyDB interface ---------------------------------------------------

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        if data is not self._data:  # a whole new database (TinyDB's drop_tables)
            fresh = _Tables(data)
            fresh.touched = set(data) | set(self._flushed) | self._data.touched
            self._data = fresh
        self.unsaved = True
        if self._batch_depth == 0:
            self.flush()

    def close(self) -> None:
        """Flush what is pending, fold the journal into the snapshot, release files."""
        try:
            self.flush()
            # A small journal is replayed in no time at the next start; rewriting the
            # whole snapshot on every close (every `fsfield sync`) is not worth it.
            if self._journal_size > max(CLOSE_COMPACT_BYTES, self._snapshot_size // 16):
                self.compact()
        finally:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None

    # -- durability ---------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group several TinyDB operations into one durable save (all or nothing on disk)."""
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
        """Make every pending change durable; raise SaveFailed (data kept) if the disk refuses."""
        changed = self._dirty()
        if not changed:
            self._data.touched.clear()
            self.unsaved = False
            return
        line = _encode_entry(self._seq + 1, *self._split(changed))
        try:
            self._append(line)
        except OSError as exc:
            raise SaveFailed(
                f"NON ENREGISTRÉ : écriture impossible dans {self.directory} ({describe_os_error(exc)})."
                " La modification est gardée et sera réessayée."
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
            with contextlib.suppress(OSError):
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

    def _append(self, line: bytes) -> None:
        if self._journal_fd is None:
            path = self.directory / JOURNAL
            created = not path.exists()
            self._journal_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._journal_size = os.fstat(self._journal_fd).st_size
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
        self.flush()
        payload = orjson.dumps({"format": FORMAT, "seq": self._seq, "tables": self._data})
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
        if snapshot.exists():
            os.replace(snapshot, self.directory / BACKUP)
        os.replace(tmp, snapshot)
        fsync_dir(self.directory)
        self._journal_size = 0
        self._snapshot_size = len(payload)

    # -- opening and recovery -----------------------------------------------

    def _load(self) -> None:
        snapshot, backup = self.directory / SNAPSHOT, self.directory / BACKUP
        base: tuple[int, Tables] | None = None
        if snapshot.exists():
            try:
                base = _read_snapshot(snapshot)
                self._snapshot_size = snapshot.stat().st_size
            except (ValueError, OSError) as exc:
                aside = self._move_aside(snapshot)
                self.recovery.messages.append(
                    f"Le fichier de données était illisible ({exc}) : il a été mis de côté"
                    f" sous {aside.name} et la sauvegarde précédente a été restaurée."
                )
        if base is None and backup.exists():
            try:
                base = _read_snapshot(backup)
            except (ValueError, OSError) as exc:
                aside = self._move_aside(backup)
                self.recovery.messages.append(
                    f"La sauvegarde était illisible elle aussi ({exc}) : mise de côté sous {aside.name}."
                )
        seq, tables = base if base is not None else (0, {})
        replayed, from_prev = self._replay(seq, tables)
        self._seq, self._data = replayed, _Tables(tables)
        self._flushed = dict(tables)
        if self.recovery.messages or from_prev or not snapshot.exists() and (replayed or tables):
            # Write a clean snapshot now so the repaired state is the one on disk. Saves read
            # from the previous journal mean a compaction was cut short after rotating the
            # journal: the next rotation would overwrite them while no snapshot holds them.
            self.compact()

    def _replay(self, seq: int, tables: Tables) -> tuple[int, bool]:
        """Apply the journals above ``seq``; return the last seq and whether the
        previous journal held any of it."""
        from_prev = False
        for name in (JOURNAL_PREV, JOURNAL):
            path = self.directory / name
            if not path.exists():
                continue
            lines = path.read_bytes().splitlines(keepends=True)
            for index, line in enumerate(lines):
                entry = _decode_entry(line)
                if entry is None:
                    if name == JOURNAL and index == len(lines) - 1 and not line.endswith(b"\n"):
                        # A last line cut short is a save that never returned: drop it.
                        # (A whole line that fails its checksum is damage: kept aside below.)
                        self._truncate_torn_tail(path, len(line))
                        break
                    aside = self._move_aside(path)
                    self.recovery.messages.append(
                        f"Le journal {name} est endommagé à la ligne {index + 1} : les"
                        f" modifications suivantes n'ont pas pu être relues (copie sous {aside.name})."
                    )
                    break
                if entry["seq"] <= seq:
                    continue
                if entry["seq"] != seq + 1:
                    self.recovery.messages.append(
                        f"Des modifications manquent entre les enregistrements {seq} et {entry['seq']}."
                    )
                for table_name, table in entry["t"].items():
                    if table is None:
                        tables.pop(table_name, None)
                    else:
                        tables[table_name] = table
                for table_name, docs in entry.get("a", {}).items():
                    # Keyed by document id: replaying twice changes nothing.
                    tables.setdefault(table_name, {}).update(docs)
                seq = entry["seq"]
                from_prev = from_prev or name == JOURNAL_PREV
        return seq, from_prev

    def _truncate_torn_tail(self, path: Path, torn: int) -> None:
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size - torn)
            os.fsync(fh.fileno())

    def _move_aside(self, path: Path) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        os.replace(path, aside)
        self.recovery.moved_aside.append(aside)
        return aside
