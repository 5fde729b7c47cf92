"""The folder store under faults: concurrent pushes, crashes, read-only or missing folders, and
bad files that must be reported, skipped and left on disk."""

import errno
import multiprocessing
import os
from pathlib import Path

import orjson
import pytest

from sync.batch import batch_name
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


def pull(store: FolderStore, scope: str | None = "87"):
    batches, problems = store.read_all(scope)
    return [w for b in batches for w in b.writes], problems


def rewrite(path: Path, data: bytes) -> Path:
    """Replace a batch's bytes, renamed so that its name carries their digest (a tampered file
    that still looks right): the checks must then come from the content."""
    _, scope, _ = path.name.split("-", 2)
    new = path.with_name(batch_name(1, scope, data))
    path.unlink()
    new.write_bytes(data)
    return new


def test_push_writes_a_durable_batch_and_a_reader_gets_it(store):
    ws = writes_of("dev-a", 1, 3)
    first = store.push("dev-a", "87", ws)
    second = store.push("dev-a", "87", writes_of("dev-a", 4, 1))
    assert first != second and first.endswith(".json") and "-87-" in first
    doc = orjson.loads((store.devices_dir / "dev-a" / first).read_bytes())
    assert doc["format"] == "fsfield-batch/2" and doc["scope"] == "87" and doc["device"] == "dev-a"
    writes, problems = pull(store)
    assert sorted(w.dot for w in writes) == sorted(w.dot for w in writes_of("dev-a", 1, 4))
    assert problems == []


def test_a_batch_may_relay_writes_of_other_devices_keeping_their_dots(store):
    store.push("dev-a", "87", writes_of("dev-b", 1, 2) + writes_of("dev-a", 1, 1))
    writes, problems = pull(store)
    assert problems == [] and sorted(w.dot for w in writes) == ["dev-a:1", "dev-b:1", "dev-b:2"]


def test_other_departements_batches_are_skipped_without_being_opened(store):
    name = store.push("dev-b", "23", writes_of("dev-b", 1, 2))
    (store.devices_dir / "dev-b" / name).write_bytes(b"garbage the 87 laptop never reads")
    assert pull(store, "87") == ([], [])
    assert [p.code for p in pull(store, None)[1]] == ["damaged_batch"]


def _push_many(root: str, device: str, barrier, n: int, offset: int = 0) -> None:
    store = FolderStore(Path(root))
    barrier.wait()
    for k in range(n):
        store.push(device, "87", writes_of(device, offset + k * 10 + 1, 10))


@pytest.mark.parametrize("devices", [("dev-a", "dev-b"), ("dev-a", "dev-a")])
def test_two_processes_pushing_at_the_same_moment_never_overwrite_a_batch(store, devices):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_push_many, args=(str(store.root), dev, barrier, 15, offset))
        for dev, offset in zip(devices, (0, 1000), strict=True)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    writes, problems = pull(store)
    assert problems == [] and len({w.dot for w in writes}) == 300


def _push_then_die_before_rename(root: str) -> None:
    # Publishing is a hard link (or a rename where links are unsupported): die right there.
    import sync.durable

    def killed(*_args: object) -> None:
        os._exit(9)  # the process dies between the temp write and the rename

    sync.durable.os.link = killed  # type: ignore[assignment]
    sync.durable.os.replace = killed  # type: ignore[assignment]
    FolderStore(Path(root)).push("dev-a", "87", writes_of("dev-a", 1, 5))


def test_a_push_killed_before_the_rename_leaves_only_an_ignored_temp_file(store):
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_push_then_die_before_rename, args=(str(store.root),))
    p.start()
    p.join(60)
    assert p.exitcode == 9
    dev_dir = store.devices_dir / "dev-a"
    leftovers = [f.name for f in dev_dir.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".")
    assert pull(store) == ([], [])
    store.push("dev-a", "87", writes_of("dev-a", 1, 5))  # the resend succeeds
    assert sorted(w.dot for w in pull(store)[0]) == [f"dev-a:{i}" for i in range(1, 6)]
    assert (dev_dir / leftovers[0]).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; see the EROFS test")
def test_read_only_central_folder_is_refused_with_a_code(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    for d in (store.root, store.devices_dir, store.devices_dir / "dev-a"):
        d.chmod(0o555)
    try:
        with pytest.raises(StoreUnavailable) as err:
            store.push("dev-a", "87", writes_of("dev-a", 2, 1))
        assert err.value.code == "denied"
        assert [w.dot for w in pull(store)[0]] == ["dev-a:1"]  # reading still works
    finally:
        for d in (store.root, store.devices_dir, store.devices_dir / "dev-a"):
            d.chmod(0o755)


@pytest.mark.parametrize(("err", "code"), [(errno.EROFS, "read_only"), (errno.ENOSPC, "full")])
def test_read_only_or_full_medium_is_refused_with_its_code(store, monkeypatch, err, code):
    def refused(*_args: object, **_kw: object) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr("sync.durable.open", refused, raising=False)
    with pytest.raises(StoreUnavailable) as raised:
        store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    assert raised.value.code == code and raised.value.path == store.root
    monkeypatch.undo()
    assert list((store.devices_dir / "dev-a").iterdir()) == []  # no temp file left behind
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))


def test_missing_root_is_unavailable_and_never_recreated(tmp_path):
    gone = FolderStore(tmp_path / "unplugged-usb-key")
    with pytest.raises(StoreUnavailable) as err:
        gone.list("87")
    assert err.value.code == "missing"
    with pytest.raises(StoreUnavailable):
        gone.push("dev-a", "87", writes_of("dev-a", 1, 1))
    with pytest.raises(StoreUnavailable):
        gone.identify()
    assert not (tmp_path / "unplugged-usb-key").exists()


def test_foreign_and_truncated_files_are_reported_skipped_and_left_on_disk(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 2))
    second = store.devices_dir / "dev-a" / store.push("dev-a", "87", writes_of("dev-a", 3, 2))
    truncated = second.read_bytes()[:-20]
    second.write_bytes(truncated)
    foreign = store.devices_dir / "dev-a" / "notes.json"
    foreign.write_bytes(b'{"hello": "world"}')
    stray = store.devices_dir / "README.json"
    stray.write_bytes(b"{}")
    writes, problems = pull(store)
    assert sorted(w.dot for w in writes) == ["dev-a:1", "dev-a:2"]
    assert {(p.path, p.code) for p in problems} == {
        (second, "damaged_batch"),
        (foreign, "foreign_file"),
        (stray, "foreign_entry"),
    }
    assert second.read_bytes() == truncated and foreign.exists() and stray.exists()


@pytest.mark.parametrize(
    ("doc", "code", "params"),
    [
        ({"format": "fsfield-batch/3"}, "newer_batch_format", {}),
        ({"device": "dev-b"}, "wrong_device", {"device": "dev-b"}),
        ({"scope": "23"}, "wrong_scope", {"scope": "23"}),
        ({"extra": True}, "bad_batch", {"field": "extra"}),
        ({"writes": [{"dot": "dev-a:1"}]}, "bad_batch", {"write": 1}),
    ],
)
def test_tampered_batches_are_reported_with_their_reason(store, doc, code, params):
    path = store.devices_dir / "dev-a" / store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    path = rewrite(path, orjson.dumps({**orjson.loads(path.read_bytes()), **doc}))
    writes, problems = pull(store)
    assert writes == [] and [(p.path, p.code) for p in problems] == [(path, code)]
    assert params.items() <= dict(problems[0].params).items() and path.exists()


def test_os_droppings_and_temp_files_are_ignored(store):
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    for name in (".DS_Store", "desktop.ini", ".00000002.json.abc.tmp"):
        (store.devices_dir / "dev-a" / name).write_bytes(b"x")
    (store.devices_dir / ".dropbox.cache").mkdir()
    writes, problems = pull(store)
    assert problems == [] and len(writes) == 1


def test_push_works_on_file_systems_without_hard_links(store, monkeypatch):
    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # what FAT/exFAT answer

    monkeypatch.setattr("sync.durable.os.link", no_links)
    names = {store.push("dev-a", "87", writes_of("dev-a", 1, 2)),
             store.push("dev-a", "87", writes_of("dev-a", 3, 2))}
    assert {f.name for f in (store.devices_dir / "dev-a").iterdir()} == names
    assert len(pull(store)[0]) == 4


def test_identity_is_a_create_only_marker_and_the_smallest_uuid_wins(store):
    ident, created = store.identify()
    assert created and (store.root / f"store-{ident}").is_file()
    assert store.identify() == (ident, False)
    smaller = "0" * 32
    (store.root / f"store-{smaller}").write_bytes(b"")  # a sync client kept two laptops' markers
    assert FolderStore(store.root).identify() == (smaller, False)


def test_an_empty_folder_becomes_a_store_only_when_allowed(store):
    with pytest.raises(StoreUnavailable) as err:
        store.identify(create=False)
    assert err.value.code == "new_store_refused" and list(store.root.iterdir()) == []


def test_a_folder_with_other_files_is_not_made_a_store(store):
    (store.root / "Mes documents.docx").write_bytes(b"x")
    with pytest.raises(StoreUnavailable) as err:
        store.identify()
    assert err.value.code == "not_a_store"
    assert [p.name for p in store.root.iterdir()] == ["Mes documents.docx"]


def test_a_newer_format_is_never_written_to(store):
    (store.root / "format-3").write_bytes(b"")
    with pytest.raises(StoreUnavailable) as err:
        store.identify()
    assert err.value.code == "newer_format" and err.value.params == {"found": 3}
    assert [p.name for p in store.root.iterdir()] == ["format-3"]


def test_links_out_of_the_store_are_reported_and_never_followed(store, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "dev-x").mkdir(parents=True)
    (outside / "dev-x" / "secret.txt").write_text("x")
    store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    os.symlink(outside / "dev-x", store.devices_dir / "dev-x")
    os.symlink(outside / "dev-x" / "secret.txt",
               store.devices_dir / "dev-a" / batch_name(1, "87", b"x"))
    writes, problems = pull(store)
    assert [w.dot for w in writes] == ["dev-a:1"]
    assert sorted(p.path.name for p in problems if p.code == "link_outside") == sorted(
        ["dev-x", batch_name(1, "87", b"x")]
    )
    assert not any("secret" in str(p.path) for p in problems)


def test_a_device_folder_that_is_a_file_and_a_huge_batch_are_reported(store, monkeypatch):
    (store.devices_dir / "dev-f").parent.mkdir(parents=True, exist_ok=True)
    (store.devices_dir / "dev-f").write_bytes(b"x")
    path = store.devices_dir / "dev-a" / store.push("dev-a", "87", writes_of("dev-a", 1, 1))
    monkeypatch.setattr("sync.folder.MAX_BATCH_BYTES", 10)
    writes, problems = pull(store)
    assert writes == []
    assert {(p.path, p.code) for p in problems} == {
        (store.devices_dir / "dev-f", "not_a_folder"),
        (path, "too_large"),
    }
