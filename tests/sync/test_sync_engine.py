"""sync_once: push then pull, acknowledgement only after a durable push, harmless repeats."""

from pathlib import Path

import orjson
import pytest

from sync.engine import sync_once
from sync.folder import FolderStore, StoreUnavailable
from sync.hlc import MAX_SKEW_MS
from sync.memory import MemoryDevice
from sync.writes import Write


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    (tmp_path / "central").mkdir()
    return FolderStore(tmp_path / "central")


def test_a_visit_made_offline_reaches_the_other_laptop(store):
    a, b = MemoryDevice("laptop-a", "87", "Alice"), MemoryDevice("laptop-b", "87", "Bob")
    a.write("visit-1", "visit", "answers.m1-horaires.status", "ok")
    first = sync_once(a, store)
    assert len(first.sent) == 1 and a.outbox() == []
    got = sync_once(b, store)
    assert [w.value for w in got.received] == ["ok"] and got.conflicts == []
    assert b.replica.value("visit-1", "answers.m1-horaires.status") == "ok"
    assert b.cursor == {"laptop-a": 1} and sync_once(b, store).received == []


def test_a_failed_push_acknowledges_nothing_and_the_next_sync_sends_it(store, tmp_path):
    a = MemoryDevice("laptop-a", "87")
    w = a.write("site-1", "site", "name", "Mairie")
    unplugged = FolderStore(tmp_path / "not-mounted")
    with pytest.raises(StoreUnavailable):
        sync_once(a, unplugged)
    assert a.outbox() == [w]
    assert sync_once(a, store).sent == [w.dot] and a.outbox() == []


def test_resending_an_already_stored_outbox_is_a_no_op_for_readers(store):
    a, b = MemoryDevice("laptop-a", "87"), MemoryDevice("laptop-b", "87")
    w = a.write("site-1", "site", "name", "Mairie")
    store.push("laptop-a", "87", [w])  # pushed, but the ack was lost (crash before mark_sent)
    sync_once(a, store)  # sends it again in a second batch
    got = sync_once(b, store)
    assert got.received == [w] and len(b.replica) == 1 and b.cursor == {"laptop-a": 2}


def test_concurrent_edits_are_reported_as_conflicts_after_sync(store):
    a, b = MemoryDevice("laptop-a", "87", "Alice"), MemoryDevice("laptop-b", "87", "Bob")
    a.write("site-1", "site", "name", "Mairie")
    sync_once(a, store)
    sync_once(b, store)
    a.write("site-1", "site", "name", "Mairie de Bellac")
    b.write("site-1", "site", "name", "France services Bellac")
    sync_once(a, store)
    result = sync_once(b, store)
    assert result.conflicts == ["site-1"]
    ((rec, field, live),) = b.replica.conflicts()
    assert (rec, field) == ("site-1", "name")
    assert {(w.value, w.author) for w in live} == {
        ("Mairie de Bellac", "Alice"),
        ("France services Bellac", "Bob"),
    }


def test_a_reused_dot_is_reported_and_does_not_block_the_rest_of_the_batch(store):
    a, b = MemoryDevice("laptop-a", "87"), MemoryDevice("laptop-b", "87")
    w1 = a.write("site-1", "site", "name", "Mairie")
    b.apply_remote([w1])
    reused = Write(w1.dot, "site-9", "site", "name", "other", w1.hlc, (), "")
    good = a.write("site-2", "site", "name", "Poste")
    store.push("laptop-a", "87", [reused, good])
    result = sync_once(b, store)
    assert result.received == [good]
    assert len(result.problems) == 1 and w1.dot in result.problems[0].reason
    assert b.replica.get(w1.dot) == w1


def test_writes_from_a_clock_in_the_future_are_flagged(store):
    a, b = MemoryDevice("laptop-a", "87"), MemoryDevice("laptop-b", "87")
    w = a.write("site-1", "site", "name", "Mairie")
    far = Write(
        "laptop-a:2",
        "site-1",
        "site",
        "city",
        "Bellac",
        (w.hlc[0] + 2 * MAX_SKEW_MS, 0, "laptop-a"),
        (),
        "",
    )
    store.push("laptop-a", "87", [w, far])
    result = sync_once(b, store)
    assert result.future == [far]
    assert b.clock.tick()[0] < far.hlc[0]  # the future time was not adopted


def test_store_files_hold_plain_json_a_human_can_read(store):
    a = MemoryDevice("laptop-a", "87", "Alice")
    a.write("site-1", "site", "name", "Mairie")
    sync_once(a, store)
    doc = orjson.loads((store.devices_dir / "laptop-a" / "00000001.json").read_bytes())
    assert doc["writes"][0]["value"] == "Mairie" and doc["writes"][0]["author"] == "Alice"
