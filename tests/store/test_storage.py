"""The journaled storage never loses a save that returned."""

from __future__ import annotations

import errno
import os

import pytest
from tinydb import TinyDB

from fsfield.store import storage as storage_mod
from fsfield.store.storage import (
    BACKUP,
    JOURNAL,
    JOURNAL_PREV,
    SNAPSHOT,
    JournaledStorage,
    SaveFailed,
)


def open_db(path, **kw):
    st = JournaledStorage(path, **kw)
    return st, TinyDB(storage=lambda: st)


def test_saves_survive_reopen(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"x": 1})
    db.table("b").insert({"y": "é"})
    db.table("a").update({"x": 2}, doc_ids=[1])
    # No close: the process could die here; the journal alone must hold everything.
    st2, db2 = open_db(tmp_path)
    assert db2.table("a").get(doc_id=1) == {"x": 2}
    assert db2.table("b").all() == [{"y": "é"}]
    assert st2.recovery.messages == []


def test_one_save_journals_only_the_changed_table(tmp_path):
    st, db = open_db(tmp_path)
    db.table("big").insert_multiple({"n": i, "pad": "x" * 100} for i in range(200))
    before = (tmp_path / JOURNAL).stat().st_size
    db.table("small").insert({"answer": 1})
    appended = (tmp_path / JOURNAL).stat().st_size - before
    assert appended < 200, "a small change must not rewrite unrelated tables"


def test_compaction_keeps_previous_snapshot_as_backup(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    st.compact()
    st.close()
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 2})
    st.compact()
    st.close()
    assert (tmp_path / SNAPSHOT).exists() and (tmp_path / BACKUP).exists()
    assert not (tmp_path / JOURNAL).exists()
    _, db = open_db(tmp_path)
    assert [d["v"] for d in db.table("a").all()] == [1, 2]


def test_close_leaves_a_small_journal_to_replay_and_folds_a_large_one(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    st.close()
    assert (tmp_path / JOURNAL).exists(), "a small journal is not worth a snapshot rewrite"
    _, db = open_db(tmp_path)
    assert db.table("a").all() == [{"v": 1}]
    st, db = open_db(tmp_path, compact_min_bytes=1 << 30)  # no compaction while saving
    db.table("b").insert_multiple({"pad": "x" * 1000} for _ in range(400))
    st.close()
    assert not (tmp_path / JOURNAL).exists(), "a large journal is folded at close"
    _, db = open_db(tmp_path)
    assert len(db.table("b")) == 400


def test_compaction_triggers_when_journal_outgrows_snapshot(tmp_path):
    st, db = open_db(tmp_path, compact_min_bytes=2000)
    for i in range(100):
        db.table(f"r:{i}").insert({"i": i, "pad": "y" * 50})
    assert (tmp_path / SNAPSHOT).exists()
    assert (tmp_path / JOURNAL).stat().st_size < 10_000
    _, db2 = open_db(tmp_path)
    assert len(db2.tables()) == 100


def test_torn_last_journal_line_is_dropped_and_earlier_saves_kept(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    with open(tmp_path / JOURNAL, "ab") as fh:
        fh.write(b'0000abcd {"seq": 2, "t": {"a": {"1": {"v"')  # killed mid-append
    st2, db2 = open_db(tmp_path)
    assert db2.table("a").all() == [{"v": 1}]
    db2.table("a").insert({"v": 3})
    _, db3 = open_db(tmp_path)
    assert [d["v"] for d in db3.table("a").all()] == [1, 3]


def _history(tmp_path):
    """Two compactions, then more saves: snapshot, backup, both journals all in use."""
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    st.compact()
    db.table("a").insert({"v": 2})
    st.compact()
    db.table("a").insert({"v": 3})
    db.table("b").insert({"w": 1})
    return st


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_unreadable_snapshot_is_moved_aside_and_nothing_is_lost(tmp_path, damage):
    _history(tmp_path)
    snap = tmp_path / SNAPSHOT
    original = snap.read_bytes()
    if damage == "garbage":
        snap.write_bytes(b"\x00\x01 not json")
    elif damage == "truncated":
        snap.write_bytes(original[: len(original) // 2])
    else:
        snap.write_bytes(b"")
    st, db = open_db(tmp_path)
    assert [d["v"] for d in db.table("a").all()] == [1, 2, 3]
    assert db.table("b").all() == [{"w": 1}]
    assert st.recovery.messages and "mis de côté" in st.recovery.messages[0]
    [aside] = st.recovery.moved_aside
    assert aside.name.startswith(SNAPSHOT + ".corrupt-")
    assert aside.exists(), "the damaged file is kept for inspection, never deleted"


def test_interrupted_compaction_after_snapshot_moved_to_backup(tmp_path):
    st = _history(tmp_path)
    st.flush()
    # Simulate a crash in compact() between "snapshot -> backup" and "tmp -> snapshot".
    os.replace(tmp_path / JOURNAL, tmp_path / JOURNAL_PREV)
    os.replace(tmp_path / SNAPSHOT, tmp_path / BACKUP)
    st2, db = open_db(tmp_path)
    assert [d["v"] for d in db.table("a").all()] == [1, 2, 3]
    assert st2.recovery.messages == []


def test_failed_write_raises_keeps_change_in_memory_and_disk_intact(tmp_path, monkeypatch):
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    on_disk = (tmp_path / JOURNAL).read_bytes()
    real_write = os.write

    def disk_full(fd, data):
        real_write(fd, bytes(data)[:5])  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_mod.os, "write", disk_full)
    with pytest.raises(SaveFailed, match="NON ENREGISTRÉ"):
        db.table("a").insert({"v": 2})
    assert st.unsaved
    assert (tmp_path / JOURNAL).read_bytes() == on_disk, "the partial line was cut"
    assert [d["v"] for d in db.table("a").all()] == [1, 2], "the change stays in memory"
    monkeypatch.setattr(storage_mod.os, "write", real_write)
    st.flush()  # the retry, once space is back
    assert not st.unsaved
    _, db2 = open_db(tmp_path)
    assert [d["v"] for d in db2.table("a").all()] == [1, 2]


def test_failed_compaction_is_not_a_failed_save(tmp_path, monkeypatch):
    st, db = open_db(tmp_path, compact_min_bytes=10)
    real_fsync = os.fsync

    def fail_tmp_fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc to tell the temp file apart")
    monkeypatch.setattr(storage_mod.os, "fsync", fail_tmp_fsync)
    db.table("a").insert({"v": "x" * 50})  # journal > threshold: compaction tried, fails
    assert not st.unsaved
    assert not list(tmp_path.glob(".*.tmp")), "a failed compaction leaves no temp file"
    monkeypatch.undo()
    _, db2 = open_db(tmp_path)
    assert db2.table("a").all() == [{"v": "x" * 50}]


def test_append_only_tables_journal_only_their_new_documents(tmp_path):
    st, db = open_db(tmp_path, append_only_prefix="r:")
    db.table("r:visit").insert_multiple({"n": i, "pad": "x" * 200} for i in range(50))
    before = (tmp_path / JOURNAL).stat().st_size
    db.table("r:visit").insert({"n": 50})
    assert (tmp_path / JOURNAL).stat().st_size - before < 200, "not the whole record again"
    db.table("meta").insert({"counter": 1})
    db.table("meta").update({"counter": 2}, doc_ids=[1])  # an ordinary table: whole
    _, db2 = open_db(tmp_path, append_only_prefix="r:")
    assert [d["n"] for d in db2.table("r:visit").all()] == list(range(51))
    assert db2.table("meta").get(doc_id=1) == {"counter": 2}
    st3, db3 = open_db(tmp_path, append_only_prefix="r:")
    st3.compact()
    _, db4 = open_db(tmp_path, append_only_prefix="r:")
    assert len(db4.table("r:visit")) == 51


def test_dropped_tables_stay_dropped_after_reopen(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"v": 1})
    db.table("b").insert({"v": 2})
    db.drop_table("a")
    _, db2 = open_db(tmp_path)
    assert db2.tables() == {"b"}
    st3, db3 = open_db(tmp_path)
    db3.drop_tables()
    db3.table("c").insert({"v": 3})
    _, db4 = open_db(tmp_path)
    assert db4.tables() == {"c"}
