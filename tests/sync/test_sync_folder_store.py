"""The folder store under faults: concurrent pushes, crashes, read-only or missing folders, and
bad files that must be reported, skipped and left on disk."""

import errno
import multiprocessing
import os
from pathlib import Path

import orjson
import pytest

from sync.folder import FolderStore, StoreUnavailable
from sync.writes import Write, make_dot


def writes_of(device: str, start: int, n: int, rec: str = "r1") -> list[Write]:
    return [
        Write(make_dot(device, i), rec, "visit", "note", f"v{i}", (i, 0, device), (), "me")
        for i in range(start, start + n)
    ]


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    root = tmp_path / "central"
    root.mkdir()
    return FolderStore(root)


def batch_path(store: FolderStore, device: str, seq: int) -> Path:
    return store.devices_dir / device / f"{seq:08d}.json"


def test_push_writes_a_durable_batch_and_pull_returns_it(store):
    ws = writes_of("dev-a", 1, 3)
    assert store.push("dev-a", "87", ws) == 1
    assert store.push("dev-a", "87", writes_of("dev-a", 4, 1)) == 2
    assert store.push("dev-a", "87", []) == 2  # nothing to send: no file
    doc = orjson.loads(batch_path(store, "dev-a", 1).read_bytes())
    assert doc["format"] == "fsfield-batch/1" and doc["seq"] == 1 and doc["scope"] == "87"
    result = store.pull({}, "87")
    assert [w.dot for w in result.writes] == [w.dot for w in writes_of("dev-a", 1, 4)]
    assert result.writes[:3] == ws and result.cursor == {"dev-a": 2} and result.problems == []
    assert store.pull(result.cursor, "87").writes == []


def test_pull_skips_own_device_and_other_departements(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 2))
    store.push("dev-b", "23", writes_of("dev-b", 1, 2))
    assert {w.device for w in store.pull({}, "87").writes} == {"dev-a"}
    assert store.pull({}, "87", exclude_device="dev-a").writes == []
    assert {w.device for w in store.pull({}, None).writes} == {"dev-a", "dev-b"}


def test_other_departements_batches_are_skipped_without_being_opened(store):
    store.push("dev-b", "23", writes_of("dev-b", 1, 2))
    batch_path(store, "dev-b", 1).write_bytes(b"garbage the 87 laptop never reads")
    result = store.pull({}, "87")
    assert result.problems == [] and result.cursor == {"dev-b": 1}
    assert [p.path.name for p in store.verify()] == ["00000001.json"]


def test_a_missing_or_bad_manifest_only_costs_reading_the_batches(store):
    store.push("dev-b", "23", writes_of("dev-b", 1, 2))
    store.push("dev-b", "87", writes_of("dev-b", 3, 1))
    manifest = store.devices_dir / "dev-b" / "manifest.json"
    manifest.write_bytes(b'{"format": "fsfield-manifest/1", "device": "dev-b"}')
    result = store.pull({}, "87")
    assert [w.dot for w in result.writes] == ["dev-b:3"] and result.cursor == {"dev-b": 2}
    assert [p.path for p in result.problems] == [manifest]
    manifest.unlink()
    assert [w.dot for w in store.pull({}, "87").writes] == ["dev-b:3"]
    rebuilt = store.rebuild_manifest("dev-b")
    assert rebuilt.scopes == {"23": [1], "87": [2]} and store.verify() == []


def _push_many(root: str, device: str, barrier, n: int) -> None:
    store = FolderStore(Path(root))
    barrier.wait()
    for k in range(n):
        store.push(device, "87", writes_of(device, k * 10 + 1, 10))


def test_two_devices_pushing_at_the_same_moment_from_two_processes(store):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_push_many, args=(str(store.root), dev, barrier, 20))
        for dev in ("dev-a", "dev-b")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    result = store.pull({}, None)
    assert result.problems == [] and result.cursor == {"dev-a": 20, "dev-b": 20}
    assert len(result.writes) == 400 and len({w.dot for w in result.writes}) == 400


def _push_then_die_before_rename(root: str) -> None:
    import sync.folder

    def killed(*_args: object) -> None:
        os._exit(9)  # the process dies between the temp write and the rename

    sync.folder.os.replace = killed  # type: ignore[assignment]
    FolderStore(Path(root)).push("dev-a", "87", writes_of("dev-a", 1, 5))


def test_a_push_killed_before_the_rename_leaves_only_an_ignored_temp_file(store):
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_push_then_die_before_rename, args=(str(store.root),))
    p.start()
    p.join(60)
    assert p.exitcode == 9
    dev_dir = store.devices_dir / "dev-a"
    leftovers = [f.name for f in dev_dir.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".00000001.json.")
    assert store.pull({}, "87").writes == [] and store.pull({}, "87").problems == []
    assert store.push("dev-a", "87", writes_of("dev-a", 1, 5)) == 1  # the resend succeeds
    assert [w.dot for w in store.pull({}, "87").writes] == [f"dev-a:{i}" for i in range(1, 6)]
    assert (dev_dir / leftovers[0]).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; see the EROFS test")
def test_read_only_central_folder_gives_a_clear_french_error(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    for d in (store.root, store.devices_dir, store.devices_dir / "dev-a"):
        d.chmod(0o555)
    try:
        with pytest.raises(StoreUnavailable, match="Stockage central inaccessible .*refusé"):
            store.push("dev-a", "87", writes_of("dev-a", 2, 1))
        assert [w.dot for w in store.pull({}, "87").writes] == ["dev-a:1"]  # reading still works
    finally:
        for d in (store.root, store.devices_dir, store.devices_dir / "dev-a"):
            d.chmod(0o755)


def test_read_only_medium_gives_a_clear_french_error(store, monkeypatch):
    def read_only(*_args: object, **_kw: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("sync.folder.open", read_only, raising=False)
    with pytest.raises(StoreUnavailable) as err:
        store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    assert (
        str(err.value) == f"Stockage central inaccessible : {store.root} (support en lecture seule)"
    )
    monkeypatch.undo()
    assert list((store.devices_dir / "dev-a").iterdir()) == []  # no temp file left behind
    assert store.push("dev-a", "87", writes_of("dev-a", 1, 1)) == 1


def test_missing_root_is_unavailable_and_never_recreated(tmp_path):
    gone = FolderStore(tmp_path / "unplugged-usb-key")
    with pytest.raises(StoreUnavailable, match="dossier introuvable"):
        gone.pull({}, "87")
    with pytest.raises(StoreUnavailable, match="dossier introuvable"):
        gone.push("dev-a", "87", writes_of("dev-a", 1, 1))
    assert not gone.root.exists()


def test_foreign_and_truncated_files_are_reported_skipped_and_left_on_disk(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 2))
    store.push("dev-a", "87", writes_of("dev-a", 3, 2))
    store.push("dev-a", "87", writes_of("dev-a", 5, 2))
    second = batch_path(store, "dev-a", 2)
    truncated = second.read_bytes()[:-20]
    second.write_bytes(truncated)
    foreign = store.devices_dir / "dev-a" / "notes.json"
    foreign.write_bytes(b'{"hello": "world"}')
    stray = store.devices_dir / "README.json"
    stray.write_bytes(b"{}")
    result = store.pull({}, "87")
    assert [w.dot for w in result.writes] == ["dev-a:1", "dev-a:2", "dev-a:5", "dev-a:6"]
    assert {p.path for p in result.problems} == {second, foreign, stray}
    assert result.cursor == {"dev-a": 1}  # batch 2 is retried next time (it may still be syncing)
    assert second.read_bytes() == truncated and foreign.exists() and stray.exists()


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"format": "other/1"}, "format"),
        ({"device": "dev-b"}, "does not match its folder"),
        ({"seq": 7}, "does not match its file name"),
        ({"extra": True}, "extra"),
        ({"writes": [{"dot": "dev-a:1"}]}, "write #0"),
    ],
)
def test_tampered_batches_are_reported_with_their_reason(store, doc, reason):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    path = batch_path(store, "dev-a", 1)
    path.write_bytes(orjson.dumps({**orjson.loads(path.read_bytes()), **doc}))
    result = store.pull({}, "87")
    assert result.writes == [] and len(result.problems) == 1
    assert reason in result.problems[0].reason and path.exists()


def test_a_batch_cannot_carry_writes_of_another_device(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    path = batch_path(store, "dev-a", 1)
    doc = orjson.loads(path.read_bytes())
    doc["writes"] = [w.to_dict() for w in writes_of("dev-b", 1, 1)]
    path.write_bytes(orjson.dumps(doc))
    (problem,) = store.pull({}, "87").problems
    assert "not a write of device dev-a" in problem.reason
    with pytest.raises(ValueError):
        store.push("dev-a", "87", writes_of("dev-b", 2, 1))


def test_a_batch_not_yet_delivered_by_the_sync_client_holds_the_cursor(store):
    for k in range(3):
        store.push("dev-a", "87", writes_of("dev-a", k + 1, 1))
    hidden = batch_path(store, "dev-a", 2)
    content = hidden.read_bytes()
    hidden.unlink()
    result = store.pull({}, "87")
    assert [w.dot for w in result.writes] == ["dev-a:1", "dev-a:3"] and result.cursor == {
        "dev-a": 1
    }
    assert [p.reason for p in result.problems] == ["missing batch (not synced yet?)"]
    hidden.write_bytes(content)  # delivered later
    again = store.pull(result.cursor, "87")
    assert [w.dot for w in again.writes] == ["dev-a:2", "dev-a:3"] and again.cursor == {"dev-a": 3}


def test_os_droppings_and_temp_files_are_ignored(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    for name in (".DS_Store", "desktop.ini", ".00000002.json.abc.tmp"):
        (store.devices_dir / "dev-a" / name).write_bytes(b"x")
    (store.devices_dir / ".dropbox.cache").mkdir()
    result = store.pull({}, "87")
    assert result.problems == [] and len(result.writes) == 1
