"""The app's sync rounds as ``fsfield sync`` runs them: a new Store and a new FolderStore each
time. What they cost must follow what changed, and what they save must be exactly right."""

import copy
import os
from pathlib import Path

import pytest

from fsfield.domain.models import Settings
from fsfield.store.docstorage import JOURNAL
from fsfield.store.repo import Store
from fsfield.store.syncing import CENTRAL_TABLE, run_sync
from sync.folder import FolderStore
from sync.writes import DotCollision, Write, make_dot


def writes_of(device: str, start: int, n: int, rec: str = "v1") -> list[Write]:
    return [
        Write(
            make_dot(device, i),
            rec,
            "visit",
            f"answers.m1-{i}.status",
            "conforme",
            (1_700_000_000_000 + i, 0, device),
            (),
            "Karim",
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def central(tmp_path: Path) -> Path:
    root = tmp_path / "central"
    root.mkdir()
    for k in range(3):
        FolderStore(root).push(f"dev-{k}", "87", writes_of(f"dev-{k}", 1, 5, rec=f"v{k}"))
    FolderStore(root).push("dev-9", "23", writes_of("dev-9", 1, 5, rec="v9"))
    return root


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    with Store(tmp_path / "laptop") as store:
        store.save_settings(Settings(animator="Claire", department="87"))
    return tmp_path / "laptop"


def sync_process(data_dir: Path, central: Path) -> tuple[int, int]:
    """One ``fsfield sync``: open, sync, close."""
    with Store(data_dir) as store:
        report = run_sync(store, central)
        assert report.problems == []
        return report.sent, report.received


def test_every_round_in_a_new_process_gets_exactly_the_news(laptop, central, monkeypatch):
    assert sync_process(laptop, central) == (0, 15)
    read: list[str] = []
    real = FolderStore.read
    monkeypatch.setattr(FolderStore, "read", lambda self, ref: read.append(ref.device)
                        or real(self, ref))
    assert sync_process(laptop, central) == (0, 0)
    assert read == [], "batches already read are not opened again"
    FolderStore(central).push("dev-1", "87", writes_of("dev-1", 6, 3, rec="v1"))
    assert sync_process(laptop, central) == (0, 3)
    assert read == ["dev-1"]
    with Store(laptop) as store:
        assert store.replica.value("v1", "answers.m1-8.status") == "conforme"
        assert len(store.replica) == 18
        (doc,) = store.db.table(CENTRAL_TABLE).all()
        assert set(doc["state"]["seen"]) == {"dev-0", "dev-1", "dev-2"}, "87 only"
        assert store.meta("central_state") is None, "not saved with each edit"


def test_a_round_with_nothing_new_saves_nothing(laptop, central):
    sync_process(laptop, central)
    with Store(laptop) as store:
        run_sync(store, central)  # first round of this process: state as saved
        size = os.path.getsize(laptop / JOURNAL) if (laptop / JOURNAL).exists() else 0
        run_sync(store, central)
        after = os.path.getsize(laptop / JOURNAL) if (laptop / JOURNAL).exists() else 0
        assert after == size


def test_received_writes_are_saved_like_local_ones_and_reopen_identically(laptop, central):
    sync_process(laptop, central)
    with Store(laptop) as store:
        assert sorted(w.dot for w in store.replica.writes_of("v2")) == sorted(
            w.dot for w in writes_of("dev-2", 1, 5)
        )
        before = {w.dot: w for w in store.replica}
    with Store(laptop) as store:
        assert {w.dot: w for w in store.replica} == before
        store.write_fields("visit", "v2", {"notes": "vu"})  # appends to a received record
        assert len(store.replica.writes_of("v2")) == 6
    with Store(laptop) as store:
        assert store.replica.value("v2", "notes") == "vu" and len(store.replica) == 16


def test_a_collision_changes_nothing_locally(laptop, central):
    with Store(laptop) as store:
        good = writes_of("dev-5", 1, 2)
        store.apply_remote(good[:1])
        reused = Write(good[0].dot, "v7", "visit", "notes", "other", good[0].hlc, (), "")
        tables = copy.deepcopy(dict(store.storage.read()))
        with pytest.raises(DotCollision):
            store.apply_remote([good[1], reused])
        assert good[1].dot not in store.replica and store.storage.read() == tables


def test_the_outbox_holds_only_what_is_not_acknowledged(laptop, central):
    with Store(laptop) as store:
        for k in range(30):
            store.write_fields("visit", "mine", {f"answers.m1-{k}.status": "conforme"})
        assert run_sync(store, central).sent == 30 and store.outbox() == []
        store.write_fields("visit", "mine", {"notes": "après"})
        assert [w.field for w in store.outbox()] == ["notes"]
    with Store(laptop) as store:
        assert [w.field for w in store.outbox()] == ["notes"]
        assert sync_process_in(store, central) == (1, 0)


def sync_process_in(store: Store, central: Path) -> tuple[int, int]:
    report = run_sync(store, central)
    return report.sent, report.received


def test_own_writes_coming_back_move_the_counter_past_them(laptop, central):
    with Store(laptop) as store:
        device = store.device_id
        store.write_fields("visit", "mine", {"notes": "a"})
        run_sync(store, central)
    FolderStore(central).push(device, "87", writes_of(device, 2, 3))  # made before a restore
    with Store(laptop) as store:
        assert run_sync(store, central).received == 3
        (new,) = store.write_fields("visit", "mine", {"notes": "b"})
        assert new.counter == 5
