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
    assert sync_once(b, store).received == []


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
    assert got.received == [w] and len(b.replica) == 1


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
    assert [(p.code, dict(p.params)) for p in result.problems] == [
        ("dot_collision", {"dot": w1.dot})
    ]
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
    (path,) = (store.devices_dir / "laptop-a").iterdir()
    doc = orjson.loads(path.read_bytes())
    assert doc["writes"][0]["value"] == "Mairie" and doc["writes"][0]["author"] == "Alice"


def test_a_laptop_restored_from_an_old_backup_gets_its_acknowledged_writes_back(store):
    a = MemoryDevice("laptop-a", "87", "Alice")
    a.write("visit-1", "visit", "answers.m1.status", "ok")
    sync_once(a, store)
    backup = {k: a.central_state(k) for k in a.centrals}
    a.write("visit-1", "visit", "answers.m2.status", "ko")
    sync_once(a, store)  # acknowledged: only the store and this laptop hold it

    restored = MemoryDevice("laptop-a", "87", "Alice")  # data dir back from the old backup
    restored.apply_remote([w for w in a.replica if w.counter == 1])
    restored.counter, restored.centrals = 1, backup
    sync_once(restored, store)
    assert restored.replica.value("visit-1", "answers.m2.status") == "ko"
    new = restored.write("visit-1", "visit", "answers.m3.status", "ok")
    assert new.counter == 3  # dot laptop-a:2 is not reused


def test_a_republish_cut_halfway_is_finished_by_the_next_round(store, monkeypatch, tmp_path):
    monkeypatch.setattr("sync.engine.MAX_BATCH_WRITES", 2)
    a, b = MemoryDevice("laptop-a", "87"), MemoryDevice("laptop-b", "87")
    for k in range(3):
        b.write(f"site-{k}", "site", "name", f"B{k}")
    sync_once(b, store)
    sync_once(a, store)  # a now holds b's writes too
    for k in range(2):
        a.write(f"site-a{k}", "site", "name", f"A{k}")
    new_root = tmp_path / "new-key"
    new_root.mkdir()
    new = FolderStore(new_root)
    real_push, calls = new.push, []

    def unplugged_after_one(device, scope, writes):
        calls.append(len(writes))
        if len(calls) == 2:
            raise StoreUnavailable(new_root, "missing")
        return real_push(device, scope, writes)

    monkeypatch.setattr(new, "push", unplugged_after_one)
    with pytest.raises(StoreUnavailable):
        sync_once(a, new)
    monkeypatch.undo()
    again = sync_once(a, FolderStore(new_root))
    assert again.full, "the republish was not complete: the next round reads and publishes again"
    c = MemoryDevice("laptop-c", "87")
    sync_once(c, FolderStore(new_root))
    assert {w.dot for w in c.replica} == {w.dot for w in a.replica} and len(c.replica) == 5
