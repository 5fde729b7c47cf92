"""The document store's storage when things go wrong: cut appends, damage, full disk, a second
writer, and the RGPD purge leaving no copy behind."""

from __future__ import annotations

import errno
import os
import shutil
import zlib

import pytest

from fsfield.store import docjournal
from fsfield.store.docfiles import scan_records
from fsfield.store.dochistory import HistoryFile
from fsfield.store.docstorage import (
    BACKUP,
    HISTORY,
    JOURNAL,
    JOURNAL_PREV,
    SNAPSHOT,
    DataDirLost,
    DocStorage,
    SaveFailed,
    StoreError,
)


def save(st: DocStorage, n: int) -> None:
    with st.batch():
        st.put("visits", f"v{n % 4}", {"n": n})
        st.log_history([{"n": n}])


def test_a_history_append_cut_at_any_byte_yields_each_entry_once(tmp_path):
    """Killed while compaction appends to history.log, before the new snapshot: whatever
    part of the record reached the disk, every saved entry is read back exactly once."""
    data = tmp_path / "data"
    data.mkdir()
    st = DocStorage(data)
    for n in range(3):
        save(st, n)
    st.compact()
    for n in range(3, 6):
        save(st, n)
    st.close()
    before = tmp_path / "before"
    shutil.copytree(data, before)  # snapshot + journal as the crash leaves them
    st = DocStorage(data)
    st.compact()
    st.close()
    full = (data / HISTORY).read_bytes()
    start = (before / HISTORY).stat().st_size
    assert len(full) > start
    for cut in range(start, len(full) + 1):
        trial = tmp_path / f"cut-{cut}"
        shutil.copytree(before, trial)
        (trial / HISTORY).write_bytes(full[:cut])
        st = DocStorage(trial)
        assert [e["n"] for e in st.history()] == list(range(6)), cut
        assert st.recovery.messages == [], cut
        assert st.read()["visits"]["v1"] == {"n": 5}
        st.close()
        again = DocStorage(trial)
        assert [e["n"] for e in again.history()] == list(range(6)), cut
        again.close()
        shutil.rmtree(trial)


def test_a_history_file_shorter_than_the_snapshot_says_is_reported_not_fatal(tmp_path):
    st = DocStorage(tmp_path)
    for n in range(3):
        save(st, n)
    st.compact()
    for n in range(3, 6):
        save(st, n)
    st.compact()
    st.close()
    raw = (tmp_path / HISTORY).read_bytes()
    (tmp_path / HISTORY).write_bytes(raw[:-5])
    st = DocStorage(tmp_path)
    assert any("historique" in m for m in st.recovery.messages)
    assert [e["n"] for e in st.history()] == [0, 1, 2]
    assert st.read()["visits"]["v1"] == {"n": 5}, "current data untouched"


def test_a_history_record_failing_its_checksum_is_skipped_and_said_once(tmp_path):
    st = DocStorage(tmp_path)
    for n in range(3):
        save(st, n)
    st.compact()
    save(st, 3)
    st.compact()
    st.close()
    raw = bytearray((tmp_path / HISTORY).read_bytes())
    raw[25] ^= 0xFF  # inside the first record's payload
    (tmp_path / HISTORY).write_bytes(bytes(raw))
    st = DocStorage(tmp_path)
    assert st.recovery.messages == [], "history is not read at open"
    assert [e["n"] for e in st.history()] == [3]
    assert [e["n"] for e in st.history()] == [3]
    assert len([m for m in st.problems if "historique" in m]) == 1


def all_bytes(directory) -> bytes:
    """Every file of the data dir, history records decompressed."""
    out = []
    for path in directory.iterdir():
        raw = path.read_bytes()
        out.append(raw)
        if path.name == HISTORY:
            out.extend(zlib.decompress(raw[r.offset + 20:r.end - 8]) for r in scan_records(raw))
    return b"".join(out)


def test_rewrite_history_leaves_no_old_value_in_any_file(tmp_path):
    st = DocStorage(tmp_path, compact_min_bytes=400)
    st.put("visits", "v1", {"name": "SECRET-DUPONT"})
    for n in range(20):  # several compactions: values in the backup, both journals, history
        st.put("visits", f"w{n}", {"n": n})
        st.log_history([{"n": n, "v": "SECRET-DUPONT"}])
    st.put("visits", "v1", {"name": "[effacé]"})
    st.log_history([{"v": "SECRET-DUPONT", "field": "name"}])
    st.flush()
    assert b"SECRET-DUPONT" in all_bytes(tmp_path)
    st.rewrite_history(lambda e: {**e, "v": "[effacé]"})
    assert b"SECRET-DUPONT" not in all_bytes(tmp_path)
    assert [e["v"] for e in st.history()] == ["[effacé]"] * 21
    st.close()
    st = DocStorage(tmp_path)
    assert st.recovery.messages == []
    assert [e.get("n") for e in st.history()] == [*range(20), None]


def damaged_table_dir(tmp_path):
    st = DocStorage(tmp_path)
    st.put("meta", "m", {"v": 1})
    st.put("big", "a", {"secret": "abcdef"})
    st.compact()
    st.put("big", "b", {"v": 2})
    st.put("big", "a", {"secret": "abcdef", "v": 3})
    st.compact()
    st.put("big", "c", {"v": 4})
    st.close()
    raw = (tmp_path / SNAPSHOT).read_bytes()
    (tmp_path / SNAPSHOT).write_bytes(raw.replace(b"abcdef", b"abcdeX"))
    return {"a": {"secret": "abcdef", "v": 3}, "b": {"v": 2}, "c": {"v": 4}}


def test_a_damaged_table_is_rebuilt_from_the_backup_and_the_journals(tmp_path):
    expected = damaged_table_dir(tmp_path)
    st = DocStorage(tmp_path)
    assert st.recovery.messages == []
    assert st.read()["big"] == expected
    assert len(st.problems) == 1 and "big" in st.problems[0] and "reconstruite" in st.problems[0]
    assert st.recovery.messages == st.problems
    st.compact()  # a clean snapshot; the damaged one is set aside, never deleted
    st.close()
    assert any(p.name.startswith(f"{SNAPSHOT}.corrupt-") for p in tmp_path.iterdir())
    st = DocStorage(tmp_path)
    assert st.read()["big"] == expected and st.problems == [] and st.recovery.messages == []


def test_a_damaged_table_without_a_bridge_is_refused_by_name(tmp_path):
    damaged_table_dir(tmp_path)
    (tmp_path / JOURNAL_PREV).unlink()
    st = DocStorage(tmp_path)
    assert st.read()["meta"] == {"m": {"v": 1}}
    with pytest.raises(StoreError, match="table big"):
        st.read()["big"]


def test_a_damaged_header_is_restored_from_the_backup_and_the_journals(tmp_path):
    st = DocStorage(tmp_path)
    for n in range(4):
        save(st, n)
        if n == 1:
            st.compact()
    st.compact()
    save(st, 4)
    st.close()
    raw = bytearray((tmp_path / SNAPSHOT).read_bytes())
    raw[12] ^= 0x01
    (tmp_path / SNAPSHOT).write_bytes(bytes(raw))
    st = DocStorage(tmp_path)
    assert st.recovery.messages and st.recovery.lost == 0
    assert st.read()["visits"] == {"v0": {"n": 4}, "v1": {"n": 1}, "v2": {"n": 2}, "v3": {"n": 3}}
    assert [e["n"] for e in st.history()] == [0, 1, 2, 3, 4]
    st.close()
    st = DocStorage(tmp_path)
    assert st.recovery.messages == []


def test_a_damaged_journal_line_is_counted_and_the_others_replayed(tmp_path):
    st = DocStorage(tmp_path)
    for n in range(3):
        st.put("t", f"k{n}", {"n": n})
    st.close()
    lines = (tmp_path / JOURNAL).read_bytes().splitlines(keepends=True)
    lines[0] = lines[0].replace(b'"n":0', b'"n":9')
    (tmp_path / JOURNAL).write_bytes(b"".join(lines))
    st = DocStorage(tmp_path)
    assert st.recovery.lost == 1
    assert st.read()["t"] == {"k1": {"n": 1}, "k2": {"n": 2}}
    assert any(p.name.startswith(f"{JOURNAL}.corrupt-") for p in tmp_path.iterdir())


def test_disk_full_keeps_the_change_in_memory_and_retries(tmp_path, monkeypatch):
    st = DocStorage(tmp_path)
    st.put("t", "a", {"n": 1})
    real_write = os.write

    def disk_full(fd, data):
        real_write(fd, bytes(data)[:7])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(docjournal.os, "write", disk_full)
    with pytest.raises(SaveFailed, match="NON ENREGISTRÉ"):
        with st.batch():
            st.put("t", "b", {"n": 2})
            st.log_history(["old b"])
    assert st.unsaved and st.read()["t"]["b"] == {"n": 2}
    assert (tmp_path / JOURNAL).read_bytes().endswith(b"\n"), "the torn line was cut away"
    monkeypatch.undo()
    st.flush()
    assert not st.unsaved
    st2 = DocStorage(tmp_path)
    assert st2.recovery.messages == []
    assert st2.read()["t"] == {"a": {"n": 1}, "b": {"n": 2}}
    assert list(st2.history()) == ["old b"]


def test_a_journal_appended_by_someone_else_stops_every_save(tmp_path):
    st = DocStorage(tmp_path)
    st.put("t", "a", {"n": 1})
    other = DocStorage(tmp_path)  # a second process that ignored the lock
    other.put("t", "b", {"n": 2})
    with pytest.raises(DataDirLost):
        st.put("t", "c", {"n": 3})
    assert st.lost
    with pytest.raises(DataDirLost):
        st.flush()
    assert DocStorage(tmp_path).read()["t"] == {"a": {"n": 1}, "b": {"n": 2}}


def test_a_snapshot_replaced_under_a_lazy_reader_is_never_read(tmp_path):
    st = DocStorage(tmp_path)
    st.put("t", "a", {"n": 1})
    st.compact()
    st.close()
    st = DocStorage(tmp_path)
    other = DocStorage(tmp_path)
    other.put("t", "a", {"n": 2})
    other.compact()
    with pytest.raises(DataDirLost):
        st.read()["t"]
    assert (tmp_path / BACKUP).exists()


def test_losing_the_data_dir_lock_stops_every_save_and_keeps_the_change(tmp_path):
    owned = [True]

    def owner():
        if not owned[0]:
            raise DataDirLost("NON ENREGISTRÉ : verrou perdu")

    st = DocStorage(tmp_path, owner=owner)
    st.put("t", "a", {"n": 1})
    owned[0] = False
    with pytest.raises(DataDirLost):
        st.put("t", "b", {"n": 2})
    assert st.lost and st.unsaved and st.read()["t"]["b"] == {"n": 2}
    assert DocStorage(tmp_path).read()["t"] == {"a": {"n": 1}}


def test_close_never_raises_for_the_tidying_and_says_what_was_not_done(tmp_path, monkeypatch):
    st = DocStorage(tmp_path)
    with st.batch():
        for n in range(3000):  # a journal above what close() folds
            st.put("t", f"k{n}", {"pad": "x" * 100})
    st.flush()
    for n in range(3):
        st.put("t", f"k{n}", {"n": n})
    st.log_history(["h"])
    st.flush()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(HistoryFile, "_append", full)
    notices = st.close()
    assert len(notices) == 1 and "rien n'est perdu" in notices[0]
    monkeypatch.undo()
    st = DocStorage(tmp_path)
    assert st.recovery.messages == [] and list(st.history()) == ["h"]
    assert st.read()["t"]["k1"] == {"n": 1}


def test_a_repair_that_cannot_be_written_puts_everything_back_as_found(tmp_path, monkeypatch):
    st = DocStorage(tmp_path)
    save(st, 0)
    st.compact()
    save(st, 1)
    st.compact()
    save(st, 2)
    st.close()
    raw = bytearray((tmp_path / SNAPSHOT).read_bytes())
    raw[12] ^= 0x01
    (tmp_path / SNAPSHOT).write_bytes(bytes(raw))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_open = os.open

    def full(path, flags, *args):
        if str(path).endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", full)
    with pytest.raises(StoreError, match="libérez de la place"):
        DocStorage(tmp_path)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    st = DocStorage(tmp_path)
    assert st.read()["visits"] == {"v0": {"n": 0}, "v1": {"n": 1}, "v2": {"n": 2}}
    assert [e["n"] for e in st.history()] == [0, 1, 2]


class Killed(BaseException):
    """The process dies here: nothing after it runs, no clean-up."""


def test_a_repair_killed_before_its_snapshot_keeps_the_journal_it_replayed(tmp_path, monkeypatch):
    """Found by the crash loop: a compaction killed after rotating the journal, then the repair
    at the next start killed before its snapshot was in place, lost the rotated saves."""
    st = DocStorage(tmp_path)
    save(st, 0)
    st.compact()
    for n in range(1, 4):
        save(st, n)
    st.close()
    (tmp_path / JOURNAL).replace(tmp_path / JOURNAL_PREV)  # killed right after the rotation
    real_replace = os.replace

    def dies_before_the_snapshot(src, dst):
        if str(dst).endswith(SNAPSHOT):
            raise Killed
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dies_before_the_snapshot)
    with pytest.raises(Killed):
        DocStorage(tmp_path)
    monkeypatch.undo()
    st = DocStorage(tmp_path)
    assert st.recovery.messages == []
    assert st.read()["visits"] == {"v0": {"n": 0}, "v1": {"n": 1}, "v2": {"n": 2}, "v3": {"n": 3}}
    assert [e["n"] for e in st.history()] == [0, 1, 2, 3]


def test_a_purge_killed_before_its_last_snapshot_is_silent(tmp_path):
    """Killed between rewriting history.log and the snapshot recording its new size: the file
    no longer matches the header, but nothing was lost and nothing is reported."""
    st = DocStorage(tmp_path)
    for n in range(3):
        save(st, n)
        st.compact()
    st.put("visits", "v9", {"n": 9})  # saves without history after the last record
    st.compact()
    st.put("visits", "v8", {"n": 8})
    st.compact()  # what rewrite_history does first
    header_before = (tmp_path / SNAPSHOT).read_bytes()
    st.rewrite_history(lambda e: {"n": e["n"]} if e["n"] else {})
    st.close()
    after = DocStorage(tmp_path)
    assert list(after.history()) == [{}, {"n": 1}, {"n": 2}]
    after.close()
    (tmp_path / SNAPSHOT).write_bytes(header_before)  # as if killed before the last snapshot
    (tmp_path / JOURNAL_PREV).unlink(missing_ok=True)
    st = DocStorage(tmp_path)
    assert st.recovery.messages == []
    assert list(st.history()) == [{}, {"n": 1}, {"n": 2}]
    assert st.read()["visits"]["v8"] == {"n": 8}


def test_a_compaction_that_drops_most_of_the_data_keeps_a_backup_of_its_size(tmp_path):
    """After a sync empties a large outbox the backup is no longer the large pre-sync snapshot,
    and it still repairs a damaged table of the new one, with nothing lost."""
    st = DocStorage(tmp_path)
    for n in range(300):  # an outbox of a long time offline
        st.put("outbox", str(n), {"w": ["x" * 200, n]})
    st.put("big", "a", {"secret": "abcdef"})
    st.compact()
    st.put("big", "b", {"v": 2})
    st.compact()
    assert (tmp_path / BACKUP).stat().st_size > 40_000
    with st.batch():  # the central store acknowledged everything
        for n in range(300):
            st.put("outbox", str(n), None)
        st.put("big", "a", {"secret": "abcdef", "v": 3})
    st.compact()
    snapshot = (tmp_path / SNAPSHOT).stat().st_size
    assert (tmp_path / BACKUP).stat().st_size == snapshot < 2_000
    assert not list(tmp_path.glob(".*.tmp"))
    st.put("big", "c", {"v": 4})
    st.close()
    raw = (tmp_path / SNAPSHOT).read_bytes()
    (tmp_path / SNAPSHOT).write_bytes(raw.replace(b"abcdef", b"abcdeX"))
    st = DocStorage(tmp_path)
    assert st.read()["big"] == {"a": {"secret": "abcdef", "v": 3}, "b": {"v": 2}, "c": {"v": 4}}
    assert st.read()["outbox"] == {}
    assert len(st.problems) == 1 and "reconstruite" in st.problems[0]


def test_a_backup_of_similar_size_is_the_previous_snapshot(tmp_path):
    st = DocStorage(tmp_path)
    st.put("big", "a", {"v": 1})
    st.compact()
    first = (tmp_path / SNAPSHOT).read_bytes()
    st.put("big", "b", {"v": 2})
    st.compact()
    assert (tmp_path / BACKUP).read_bytes() == first
