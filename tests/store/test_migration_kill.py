"""A conversion killed at any point (SIGKILL in a child process): the next start finishes or
restarts it, and the data is exactly what the old code showed, nothing lost."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fsfield.store.migrate import ASIDE, WORK
from fsfield.store.repo import Store
from tests.store.conftest import OldDir
from tests.store.test_migration import assert_same, new_view

ROOT = Path(__file__).resolve().parents[2]

# The child counts the calls that change the disk during the conversion (writes, fsyncs,
# renames, removals) and SIGKILLs itself at the k-th one (k = 0: count only, print the total).
_CHILD = r"""
import os, signal, sys
from pathlib import Path
import shutil
from fsfield.store import docjournal, migrate

k, only = int(sys.argv[2]), sys.argv[3]
calls = [0]
def counted(fn):
    def wrapper(*a, **kw):
        calls[0] += 1
        if calls[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*a, **kw)
    return wrapper
if only == "replace":
    os.replace = counted(os.replace)
else:
    docjournal.write_all = counted(docjournal.write_all)  # every file the new store writes
    os.replace = counted(os.replace)
    os.fsync = counted(os.fsync)
    if hasattr(os, "fdatasync"):
        os.fdatasync = counted(os.fdatasync)
    shutil.rmtree = counted(shutil.rmtree)
    os.unlink = counted(os.unlink)
    os.mkdir = counted(os.mkdir)
from fsfield.store.repo import Store
s = Store(Path(sys.argv[1]))
s.close()
print(calls[0])
"""


def _child(data: Path, k: int, only: str = "all") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CHILD, str(data), str(k), only],
                          capture_output=True, text=True, cwd=str(ROOT))


def _kill_and_reopen(made: OldDir, tmp_path: Path, kills: int, only: str, seed: int) -> None:
    pristine = made.copy_to(tmp_path / "pristine")
    counting = tmp_path / "count"
    shutil.copytree(pristine.parent, counting)
    done = _child(counting / "data", 0, only)
    assert done.returncode == 0, done.stderr
    total = int(done.stdout.split()[-1])
    assert total > 5
    rng = random.Random(seed)
    ks = list(range(1, total + 1)) if kills >= total else sorted(rng.sample(range(1, total + 1), kills))
    for k in ks:
        work = tmp_path / "run"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(pristine.parent, work)
        data = work / "data"
        killed = _child(data, k, only)
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr
        with Store(data) as s:
            assert not s.legacy, (k, s.recovery.messages)
            assert_same(new_view(s), made.expected)
        assert not (data / WORK).exists(), k
        kept = {p.read_bytes() for p in (data / ASIDE).iterdir()}
        assert set(made.files.values()) <= kept, ("old files kept", k)


def test_a_conversion_killed_at_some_points_is_finished_or_restarted(
    old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    _kill_and_reopen(old_dir(0), tmp_path, kills=15, only="all", seed=1)


def test_a_conversion_killed_between_the_verified_marker_and_the_last_move(
    old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    _kill_and_reopen(old_dir(0), tmp_path, kills=1000, only="replace", seed=2)


@pytest.mark.slow
def test_a_conversion_killed_200_times_loses_nothing(
    old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    _kill_and_reopen(old_dir(0), tmp_path, kills=200, only="all", seed=3)


def test_a_damaged_data_dir_whose_conversion_was_killed_still_says_what_was_lost(
    old_dir: Callable[[int], OldDir], old_code: Path, tmp_path: Path
) -> None:
    from tests.store.migration_data import old_view
    from tests.store.test_migration import _damage_snapshot

    made = old_dir(0)
    damaged = made.copy_to(tmp_path / "damaged")
    _damage_snapshot(damaged)
    expected = old_view(old_code, damaged, tmp_path / "scratch")
    assert expected["messages"]
    # k = 1 is the old reader setting the damaged snapshot aside; every later rename
    for k in range(2, 9):
        data = tmp_path / f"run{k}"
        shutil.copytree(damaged, data)
        killed = _child(data, k, "replace")
        assert killed.returncode == -signal.SIGKILL
        _reopen_and_check(data, expected)


def _reopen_and_check(data: Path, expected: dict) -> None:
    from tests.store.test_migration import _stamp

    with Store(data) as s:
        notice = _stamp(" ".join(s.recovery.messages))
        for line in expected["messages"]:
            assert _stamp(line) in notice
        assert_same(new_view(s), expected)
