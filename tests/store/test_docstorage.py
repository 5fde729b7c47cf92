"""The document store's storage (fsfield-store/4): saves survive, opening reads no table."""

from __future__ import annotations

import orjson
import pytest
from tinydb import TinyDB

from fsfield.store.docfiles import NewerFormat, encode_header, frame
from fsfield.store.docstorage import (
    BACKUP,
    HISTORY,
    JOURNAL,
    JOURNAL_PREV,
    SNAPSHOT,
    DocStorage,
)


def open_db(path, **kw):
    st = DocStorage(path, **kw)
    return st, TinyDB(storage=lambda: st)


def everything(st: DocStorage) -> dict:
    return {name: dict(st.read()[name]) for name in st.read()}


def test_puts_tinydb_writes_and_history_survive_reopen_without_close(tmp_path):
    st, db = open_db(tmp_path)
    db.table("meta").insert({"counter": 1})
    st.put("visits", "v1", {"site": "s1", "answers": {"q": 1}})
    st.put("visits", "v2", {"site": "s2"})
    st.log_history([{"dot": ["a", 1], "value": 0}])
    st.put("visits", "v1", {"site": "s1", "answers": {"q": 2}})
    st.put("visits", "v2", None)
    db.table("meta").update({"counter": 2}, doc_ids=[1])
    # No close: the process could die here; the journal alone must hold everything.
    st2, db2 = open_db(tmp_path)
    assert st2.recovery.messages == []
    assert everything(st2) == {
        "meta": {"1": {"counter": 2}},
        "visits": {"v1": {"site": "s1", "answers": {"q": 2}}},
    }
    assert db2.table("meta").all() == [{"counter": 2}]
    assert list(st2.history()) == [{"dot": ["a", 1], "value": 0}]


def test_one_save_is_one_journal_line_with_docs_and_history(tmp_path):
    st = DocStorage(tmp_path)
    with st.batch():
        st.put("visits", "v1", {"a": 1})
        st.log_history(["old value"])
        st.put("followups", "f1", {"b": 2})
    lines = (tmp_path / JOURNAL).read_bytes().splitlines()
    assert len(lines) == 1
    entry = orjson.loads(lines[0][9:])
    assert entry == {"seq": 1, "t": {}, "u": {"visits": {"v1": {"a": 1}},
                                             "followups": {"f1": {"b": 2}}}, "h": ["old value"]}


def test_a_small_put_does_not_journal_the_whole_table(tmp_path):
    st = DocStorage(tmp_path)
    with st.batch():
        for n in range(300):
            st.put("visits", f"v{n}", {"pad": "x" * 100})
    before = (tmp_path / JOURNAL).stat().st_size
    st.put("visits", "v1", {"pad": "y"})
    assert (tmp_path / JOURNAL).stat().st_size - before < 100


def test_round_trip_through_compactions_and_history_order(tmp_path):
    st = DocStorage(tmp_path, compact_min_bytes=0)  # compacts after every save
    expected = []
    for n in range(20):
        st.put("visits", f"v{n % 3}", {"n": n})
        st.log_history([f"h{n}"])
        expected.append(f"h{n}")
    st.log_history(["unsaved"])
    assert list(st.history()) == [*expected, "unsaved"]
    st.close()  # saves what is pending, the history too
    st2 = DocStorage(tmp_path)
    assert everything(st2) == {"visits": {"v0": {"n": 18}, "v1": {"n": 19}, "v2": {"n": 17}}}
    assert list(st2.history()) == [*expected, "unsaved"]
    assert st2.recovery.messages == []
    assert {p.name for p in tmp_path.iterdir()} >= {SNAPSHOT, BACKUP, HISTORY}


def test_opening_loads_no_table_and_a_table_is_checked_when_first_read(tmp_path):
    st = DocStorage(tmp_path)
    with st.batch():
        for n in range(1000):
            st.put("big", f"k{n}", {"n": n})
        st.put("meta", "m", {"v": 1})
    st.compact()
    st.close()
    checked = []

    def check(name, table):
        checked.append(name)
        return None

    st2 = DocStorage(tmp_path, check=check)
    tables = st2.read()
    assert sorted(tables) == ["big", "meta"] and "big" in tables and len(tables) == 2
    assert not st2.loaded("big") and not st2.loaded("meta") and checked == []
    assert tables["meta"] == {"m": {"v": 1}}
    assert st2.loaded("meta") and not st2.loaded("big") and checked == ["meta"]
    assert tables.get("big")["k999"] == {"n": 999}
    assert checked == ["meta", "big"]


def test_a_damaged_table_line_goes_unnoticed_until_that_table_is_read(tmp_path):
    st = DocStorage(tmp_path)
    st.put("meta", "m", {"v": 1})
    st.put("big", "k", {"secret": "abcdef"})
    st.compact()
    st.close()
    raw = (tmp_path / SNAPSHOT).read_bytes()
    (tmp_path / SNAPSHOT).write_bytes(raw.replace(b"abcdef", b"abcdeX"))
    st2 = DocStorage(tmp_path)
    assert st2.recovery.messages == []
    assert st2.read()["meta"] == {"m": {"v": 1}}
    assert st2.problems == []


def test_unloaded_tables_are_copied_as_bytes_into_the_next_snapshot(tmp_path):
    # A line as another encoder would write it (spaces): re-encoding it would change it.
    big = frame(b'["big", {"k": {"v": [1, 2, 3]}}]')
    meta = frame(b'["meta",{"m":{"v":1}}]')
    index = {"big": (0, len(big)), "meta": (len(big), len(meta))}
    (tmp_path / SNAPSHOT).write_bytes(encode_header(1, index, (0, 1)) + big + meta)
    st2 = DocStorage(tmp_path)
    st2.put("meta", "m", {"v": 2})
    st2.compact()
    assert not st2.loaded("big")
    assert big in (tmp_path / SNAPSHOT).read_bytes()
    st2.close()
    assert everything(DocStorage(tmp_path)) == {"big": {"k": {"v": [1, 2, 3]}},
                                                 "meta": {"m": {"v": 2}}}


def test_the_previous_journal_is_not_read_when_the_snapshot_holds_it(tmp_path):
    st = DocStorage(tmp_path)
    for n in range(5):
        st.put("t", f"k{n}", {"n": n})
    st.compact()
    st.close()
    prev = (tmp_path / JOURNAL_PREV).read_bytes()
    last = prev.splitlines()[-1]
    # Everything but its last line made garbage: a reader of the whole file would notice.
    (tmp_path / JOURNAL_PREV).write_bytes(b"\x00garbage\n" * 1000 + last + b"\n")
    st2 = DocStorage(tmp_path)
    assert st2.recovery.messages == []
    assert len(st2.read()["t"]) == 5


def test_the_previous_journal_is_replayed_when_a_compaction_was_cut_short(tmp_path):
    st = DocStorage(tmp_path)
    st.put("t", "a", {"n": 1})
    st.compact()
    st.put("t", "b", {"n": 2})
    st.log_history(["hb"])
    st.flush()
    st.close()
    # What compact() does first, then the process dies before the new snapshot is in place:
    (tmp_path / JOURNAL).replace(tmp_path / JOURNAL_PREV)
    st2 = DocStorage(tmp_path)
    assert st2.recovery.messages == []
    assert st2.read()["t"] == {"a": {"n": 1}, "b": {"n": 2}}
    assert list(st2.history()) == ["hb"]


def test_tinydb_drop_tables_and_drop_table(tmp_path):
    st, db = open_db(tmp_path)
    db.table("a").insert({"x": 1})
    st.put("b", "k", {"y": 1})
    st.compact()
    st.close()
    st, db = open_db(tmp_path)
    db.drop_table("b")
    assert db.tables() == {"a"}
    st2, db2 = open_db(tmp_path)
    assert db2.tables() == {"a"}
    db2.drop_tables()
    st3, db3 = open_db(tmp_path)
    assert db3.tables() == set()


def header_with_format(fmt: str) -> bytes:
    body = orjson.dumps({"format": fmt, "seq": 1, "tables": {}, "history": [0, 0]})
    return frame(body)


def test_a_newer_format_is_refused_and_nothing_is_written(tmp_path):
    st = DocStorage(tmp_path)
    st.put("t", "k", {"v": 1})
    st.compact()
    st.put("t", "k", {"v": 2})
    st.close()
    (tmp_path / SNAPSHOT).write_bytes(header_with_format("fsfield-store/5") + b"whatever\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(NewerFormat, match="plus récente de fsfield : mettez à jour"):
        DocStorage(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_covered_previous_journal_with_a_long_last_line_is_skipped(tmp_path):
    st = DocStorage(tmp_path)
    st.put("t", "small", {"n": 0})
    st.put("t", "big", {"pad": "x" * 300_000})  # a last line over several read chunks
    st.compact()
    st.close()
    last = (tmp_path / JOURNAL_PREV).read_bytes().splitlines()[-1]
    (tmp_path / JOURNAL_PREV).write_bytes(b"\x00garbage\n" * 10 + last + b"\n")
    st2 = DocStorage(tmp_path)
    assert st2.recovery.messages == []
    assert len(st2.read()["t"]["big"]["pad"]) == 300_000


def test_a_large_fold_is_split_into_records_and_one_saves_history_reads_one(tmp_path):
    from fsfield.store.dochistory import RECORD_ENTRIES

    st = DocStorage(tmp_path, compact_min_bytes=1 << 30)
    per_save = RECORD_ENTRIES // 4
    seqs = []
    for n in range(12):  # e.g. a conversion or a long session: many saves, one compaction
        with st.batch():
            st.put("t", "k", {"n": n})
            seqs.append(st.next_seq())  # the save these entries go in (DocReplica's locator)
            st.log_history([{"save": n, "i": i} for i in range(per_save)])
    st.compact()
    st.close()
    st = DocStorage(tmp_path)
    assert [e["save"] for e in st.history()] == [n for n in range(12) for _ in range(per_save)]
    wanted = list(st.history({seqs[5]}))
    assert {"save": 5, "i": 0} in wanted and len(wanted) <= RECORD_ENTRIES + per_save
    assert {"save": 11, "i": 0} not in wanted
    assert st.recovery.messages == []
