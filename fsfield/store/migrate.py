"""Converting a format-2 data dir (legacy.py) to the document store (docformat.py), in place,
on the first start of this version: all or nothing.

1. The old store is read as the old code reads it (damage set aside and reported, exactly as
   it would have been), and converted record by record into a new store built in
   ``migration-3/`` inside the data dir: each record's writes go into its document and history,
   and the old record's table is dropped from memory once converted (the old and the new store
   are never both whole in memory).
2. The new store is opened again from disk and **verified equal** to the old one, record by
   record: the same writes (content hashes), the same displayed values and live writes, the same
   conflicts. Anything else, or any error (a full disk), removes ``migration-3/`` and leaves the
   old files as they were: the old store stays in use and the user is told (MigrationFailed).
   What the old reader repaired (a damaged snapshot set aside, a cut journal) is kept in
   ``migration-3.damage`` before anything else: the old reader moves damaged files aside, so a
   conversion killed or failed after it would otherwise never tell the user what was lost.
3. A marker ``migration-3/verified`` is written, then the old files move to ``format-2/`` and
   the new ones into the data dir. A start that finds the marker finishes these moves; one that
   finds ``migration-3/`` without it (a conversion killed midway) starts the conversion again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from fsfield.domain.messages import describe_os_error
from fsfield.store import messages
from fsfield.store.docformat import OUTBOX, PLACE_BY, StoreBackend, check_table, outbox_doc
from fsfield.store.docstorage import HISTORY, JOURNAL, JOURNAL_PREV, SNAPSHOT, DocStorage
from fsfield.store.files import fsync_dir
from fsfield.store.legacy import OLD_FILES, has_old_files, record_tables
from fsfield.store.opening import open_files
from fsfield.store.schema import RECORD_PREFIX
from fsfield.store.schema import check_table as check_old_table
from fsfield.store.storage import StoreError
from sync.canonical import canonical
from sync.docreplica import DocReplica, content_hash
from sync.replica import Replica
from sync.writes import DotCollision, Write

WORK = "migration-3"
VERIFIED = "verified"
ASIDE = "format-2"
DAMAGE = "migration-3.damage"
"""The old reader's account of damage (JSON list of French lines), kept until the end."""
NEW_FILES = (SNAPSHOT, SNAPSHOT + ".bak", JOURNAL, JOURNAL_PREV, HISTORY)
CHUNK = 200  # records per durable save while converting
_MOD = 1 << 80


class MigrationFailed(StoreError):
    """The conversion could not be done; the old files are untouched (French message)."""


def migrate_if_needed(data_dir: Path) -> str | None:
    """Convert ``data_dir`` if it holds format 2; the French notice to show, or None."""
    work = data_dir / WORK
    if (work / VERIFIED).exists():
        damage = _damage(data_dir)
        _commit(data_dir)
        return " ".join([messages.MIGRATION_FINISHED, *damage])
    if work.exists():
        shutil.rmtree(work)  # a conversion cut short: it starts again from the old files
    if not has_old_files(data_dir) or any((data_dir / n).exists() for n in NEW_FILES):
        return None
    try:
        work.mkdir()
        notice = _convert(data_dir, work)
    except (OSError, StoreError) as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise MigrationFailed(
            " ".join([messages.migration_failed(reason), *_damage(data_dir)])
        ) from exc
    _commit(data_dir)
    return notice


def _damage(data_dir: Path) -> list[str]:
    """The old reader's account kept by an earlier attempt (empty if none or unreadable)."""
    # the .tmp: written and synced, a kill came before its rename
    for path in (data_dir / DAMAGE, data_dir / (DAMAGE + ".tmp"), data_dir / ASIDE / DAMAGE):
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(found, list):
                return [str(line) for line in found]
    return []


def _keep_damage(data_dir: Path, lines: list[str]) -> list[str]:
    """Add this reading's account to the kept one (durably, before anything else); all of it."""
    kept = _damage(data_dir)
    new = [line for line in lines if line not in kept]
    if new:
        kept += new
        tmp = data_dir / (DAMAGE + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, json.dumps(kept, ensure_ascii=False).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, data_dir / DAMAGE)
        fsync_dir(data_dir)
    return kept


def _view(replica: Replica | DocReplica, record: str) -> str:
    """What a user sees of a record: kind, displayed values, live writes, conflict."""
    fields = sorted(
        (f, canonical(st.value), sorted(w.dot for w in st.live))
        for f, st in replica.fields(record).items()
    )
    body = canonical([replica.kind_of(record), fields, replica.has_conflict(record)])
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def _writes_sum(hashes: Iterable[str]) -> tuple[int, int]:
    total = count = 0
    for h in hashes:
        total = (total + int(h, 16)) % _MOD
        count += 1
    return total, count


def _convert(data_dir: Path, work: Path) -> str:
    opened = open_files(data_dir, check_old_table)
    damage = _keep_damage(data_dir, opened.recovery.messages)
    tables = opened.tables
    meta = (tables.get("meta") or {}).get("1") or {}
    device, acked = meta.get("device", ""), meta.get("acked", 0)
    expected: dict[str, tuple[str, tuple[int, int]]] = {}
    skipped: list[str] = []
    storage = DocStorage(work, compact_min_bytes=1 << 62, check=check_table)
    try:
        replica = DocReplica(StoreBackend(storage), PLACE_BY)
        with storage.batch():  # the app's small tables (meta, central_state) as they are
            db = storage.read()
            for name, table in list(tables.items()):
                if not name.startswith(RECORD_PREFIX):
                    db[name] = table
            storage.write(db)
        records = [rec for rec, _ in record_tables(tables)]
        writes_total = 0
        for start in range(0, len(records), CHUNK):
            with storage.batch():
                for record in records[start:start + CHUNK]:
                    table = tables.pop(RECORD_PREFIX + record)
                    writes = [Write.from_dict(d) for d in table.values()]
                    old = Replica(writes)
                    expected[record] = (_view(old, record),
                                        _writes_sum(content_hash(w) for w in old))
                    try:
                        replica.add_all(old)
                    except DotCollision:
                        skipped.append(record)
                        del expected[record]
                        continue
                    writes_total += len(old)
                    for w in old:
                        if w.dot.startswith(device + ":") and w.counter > acked:
                            storage.put(OUTBOX, str(w.counter), outbox_doc(w))
        storage.compact()
    finally:
        storage.close()
    history = _verify(work, expected)
    (work / VERIFIED).write_bytes(b"")
    fsync_dir(work)
    return messages.migration_done(
        len(expected), writes_total, history, data_dir / ASIDE, damage, skipped
    )


def _verify(work: Path, expected: dict[str, tuple[str, tuple[int, int]]]) -> int:
    """Open the new store from disk and compare every record with the old one; the number of
    writes in the history. Raises StoreError when anything differs."""
    storage = DocStorage(work, check=check_table)
    try:
        replica = DocReplica(StoreBackend(storage), PLACE_BY)
        hashes: dict[str, list[str]] = {}
        count = 0
        for entry in storage.history():
            hashes.setdefault(entry[0], []).append(entry[8])
            count += 1
        found = set(replica.records())
        if found != set(expected):
            raise StoreError(messages.migration_differs(len(found ^ set(expected))))
        differ = 0
        for record, (view, writes) in expected.items():
            live = [content_hash(w) for st in replica.fields(record).values() for w in st.live]
            if _view(replica, record) != view or _writes_sum(
                [*live, *hashes.get(record, ())]
            ) != writes:
                differ += 1
        if differ:
            raise StoreError(messages.migration_differs(differ))
        return count
    finally:
        storage.close()


def _move(src: Path, dst: Path) -> None:
    if src.exists():
        os.replace(src, dst)


def _commit(data_dir: Path) -> None:
    """Old files aside, new files in place (idempotent: a start after a kill finishes it)."""
    work, aside = data_dir / WORK, data_dir / ASIDE
    aside.mkdir(exist_ok=True)
    old = [data_dir / n for n in OLD_FILES]
    old += [p for p in data_dir.glob("fsfield.*.corrupt-*")]
    old.append(data_dir / DAMAGE)
    (data_dir / (DAMAGE + ".tmp")).unlink(missing_ok=True)
    for path in old:
        _move(path, aside / path.name)
    for name in NEW_FILES:
        _move(work / name, data_dir / name)
    fsync_dir(aside)
    fsync_dir(data_dir)
    (work / VERIFIED).unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)

