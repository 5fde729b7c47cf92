"""Listing hints: a new FolderStore (a new process) skips device folders left unchanged since a
clean listing, yet never misses a batch, and keeps reporting the folders that have problems."""

import os
from pathlib import Path

import pytest

from sync.folder import FolderStore
from sync.writes import Write, make_dot


def writes_of(device: str, start: int, n: int) -> list[Write]:
    return [
        Write(make_dot(device, i), "r1", "visit", "note", f"v{i}", (i, 0, device), (), "me")
        for i in range(start, start + n)
    ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "central"
    root.mkdir()
    store = FolderStore(root)
    store.push("dev-a", "87", writes_of("dev-a", 1, 2))
    store.push("dev-a", "87", writes_of("dev-a", 3, 2))
    store.push("dev-b", "23", writes_of("dev-b", 1, 2))
    return root


@pytest.fixture
def listed(monkeypatch) -> list[str]:
    """Names of the device folders listed in full."""
    names: list[str] = []
    real = os.listdir

    def spy(path):
        names.append(Path(path).name)
        return real(path)

    monkeypatch.setattr("sync.folder.os.listdir", spy)
    return names


def first_sync(root: Path) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    store = FolderStore(root)
    result = store.pull({}, "87")
    assert result.problems == [] and len(result.writes) == 4
    return result.cursor, store.hints


def test_a_new_instance_with_the_hints_lists_no_unchanged_folder(root, listed):
    cursor, hints = first_sync(root)
    assert set(hints) == {"dev-a", "dev-b"} and hints["dev-a"][1] == 2 == cursor["dev-a"]
    listed.clear()
    again = FolderStore(root, hints={d: list(h) for d, h in hints.items()})  # as saved in JSON
    result = again.pull(cursor, "87")
    assert result.writes == [] and result.problems == [] and result.cursor == cursor
    assert listed == [] and again.hints == hints


def test_a_new_batch_is_read_even_if_the_folder_mtime_did_not_change(root, listed):
    cursor, hints = first_sync(root)
    folder = root / "devices" / "dev-a"
    before = folder.stat()
    FolderStore(root).push("dev-a", "87", writes_of("dev-a", 5, 1))
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))  # FAT, coarse clock, client
    listed.clear()
    result = FolderStore(root, hints=hints).pull(cursor, "87")
    assert [w.dot for w in result.writes] == ["dev-a:5"] and result.cursor["dev-a"] == 3
    assert listed == ["dev-a"]


def test_a_folder_whose_mtime_changed_is_listed_and_its_problems_reported(root, listed):
    cursor, hints = first_sync(root)
    (root / "devices" / "dev-b" / "notes.txt").write_text("hello")
    listed.clear()
    store = FolderStore(root, hints=hints)
    result = store.pull(cursor, "87")
    assert listed == ["dev-b"] and [p.path.name for p in result.problems] == ["notes.txt"]
    assert "dev-b" not in store.hints  # not clean: listed (and reported) by every new instance
    result = FolderStore(root, hints=store.hints).pull(cursor, "87")
    assert [p.path.name for p in result.problems] == ["notes.txt"]


def test_a_gap_leaves_no_hint_so_every_new_instance_reports_it(root, listed):
    FolderStore(root).push("dev-a", "87", writes_of("dev-a", 5, 1))
    (root / "devices" / "dev-a" / "00000002.json").unlink()  # not delivered yet
    store = FolderStore(root)
    first = store.pull({}, "87")
    assert first.cursor["dev-a"] == 1 and "dev-a" not in store.hints
    again = FolderStore(root, hints=store.hints).pull(first.cursor, "87")
    assert [p.reason for p in again.problems] == ["missing batch (not synced yet?)"]
    assert [w.dot for w in again.writes] == ["dev-a:5"]


def test_a_hint_only_counts_at_the_cursor_it_was_taken_at(root, listed):
    cursor, hints = first_sync(root)
    older = {**cursor, "dev-a": 1}  # e.g. the cursor was not saved, or a backup was restored
    result = FolderStore(root, hints=hints).pull(older, "87")
    assert [w.dot for w in result.writes] == ["dev-a:3", "dev-a:4"] and "dev-a" in listed


def test_malformed_hints_are_ignored(root):
    cursor, _ = first_sync(root)
    store = FolderStore(root, hints={"dev-a": "x", "dev-b": [1, "2"], "dev-c": [1, 2, 3]})
    assert store.hints == {}
    assert store.pull(cursor, "87").writes == []
