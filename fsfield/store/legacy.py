"""The store's format 2 (every write of a record in a TinyDB table of its own, all of them
folded into an in-memory ``Replica`` at open): what data dirs held before the document store.

Kept for two uses only: the migration reads it (migrate.py), and when a migration cannot be
done (a full disk) the laptop keeps working on its old store with this code, told so, until
the next start retries. The Store's logic is shared; only how writes are kept differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from fsfield.store.schema import RECORD_PREFIX, check_table
from fsfield.store.storage import JournaledStorage
from sync.replica import Replica
from sync.writes import Write, counters_of, gc_paused, make_dot

OLD_FILES = ("fsfield.json", "fsfield.json.bak", "fsfield.journal", "fsfield.journal.prev")
"""The files of a format-2 data dir (the lock file is not part of the data)."""


def has_old_files(data_dir: Path) -> bool:
    """True when ``data_dir`` holds a format-2 store."""
    return any((data_dir / name).exists() for name in OLD_FILES)


def record_tables(tables: dict) -> Iterable[tuple[str, dict]]:
    """``(record id, its table of write dicts)`` of a format-2 database."""
    for name, table in tables.items():
        if name.startswith(RECORD_PREFIX):
            yield name[len(RECORD_PREFIX):], table


class LegacyFormat:
    """Writes kept as format 2: one append-only table of writes per record (see module doc)."""

    legacy = True

    def __init__(
        self, data_dir: Path, compact_min_bytes: int, owner: Callable[[], None]
    ) -> None:
        with gc_paused():
            self.storage = JournaledStorage(
                data_dir,
                compact_min_bytes=compact_min_bytes,
                append_only_prefix=RECORD_PREFIX,
                check=check_table,
                owner=owner,
            )
            self.replica = Replica.load(
                doc
                for _, table in record_tables(self.storage.read())
                for doc in table.values()
            )

    def own_top(self, device: str) -> int:
        return max(counters_of(self.replica, device), default=0)

    def merge(self, writes: list[Write], device: str) -> list[Write]:
        """Add writes to the replica and their record tables (inside the caller's batch)."""
        new = self.replica.add_all(writes)
        by_record: dict[str, list[Write]] = {}
        for write in new:
            by_record.setdefault(write.record, []).append(write)
        tables = self.storage.read()
        for record, record_writes in by_record.items():
            name = RECORD_PREFIX + record
            old = tables.get(name)
            table = dict(old) if old else {}
            first = max(map(int, table), default=0) + 1
            for doc_id, w in enumerate(record_writes, first):
                table[str(doc_id)] = w.to_dict()
            tables[name] = table  # a new dict: how the storage tells what to journal
        if by_record:
            self.storage.write(tables)
        return new

    def own_writes(self, device: str, after: int, top: int) -> list[Write]:
        get = self.replica.get
        found = (get(make_dot(device, n)) for n in range(after + 1, top + 1))
        return [w for w in found if w is not None]

    def figures(self, kind: str, fields: tuple[str, ...]) -> list[tuple[str, list]]:
        """``(record id, displayed values of fields)`` of every record of ``kind``."""
        return [(r, self.replica.values(r, fields)) for r in self.replica.records(kind)]

    def sent(self, device: str, acked: int) -> None:
        """Nothing to tidy: the outbox is read from the replica."""
