"""One fsfield process per data dir, and a lock that never outlives its process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fsfield.store.docstorage import JOURNAL
from fsfield.store.lock import StoreLocked
from fsfield.store.repo import Store
from fsfield.store.storage import StoreError

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from fsfield.store.repo import Store
store = Store(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()  # hold the store until the parent closes our stdin (or kills us)
"""


def test_a_second_store_on_the_same_data_dir_is_refused_in_french(tmp_path):
    with Store(tmp_path):
        with pytest.raises(StoreLocked) as info:
            Store(tmp_path)
    message = str(info.value)
    assert "déjà ouvert" in message
    assert str(tmp_path) in message
    assert "--data-dir" in message, "the message says what to do"


def test_the_data_dir_can_be_opened_again_after_close(tmp_path):
    first = Store(tmp_path)
    first.close()
    with Store(tmp_path) as second:
        assert second.device_id == first.device_id


def test_a_store_that_fails_to_open_does_not_keep_the_data_dir_locked(tmp_path):
    (tmp_path / JOURNAL).mkdir()  # unreadable as a journal
    with pytest.raises(StoreError, match="Impossible d'ouvrir"):
        Store(tmp_path)
    (tmp_path / JOURNAL).rmdir()
    with Store(tmp_path) as store:
        assert store.recovery.messages == []


def _spawn_holder(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert child.stdout.readline() == "ready\n"
    return child


def test_a_store_held_by_another_process_is_refused(tmp_path):
    child = _spawn_holder(tmp_path)
    try:
        with pytest.raises(StoreLocked, match="déjà ouvert"):
            Store(tmp_path)
    finally:
        child.communicate(input="")  # closes stdin: the child exits normally
    with Store(tmp_path):
        pass


def test_a_killed_process_leaves_no_stale_lock(tmp_path):
    child = _spawn_holder(tmp_path)
    with pytest.raises(StoreLocked):
        Store(tmp_path)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdin.close()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with Store(tmp_path) as store:  # no "stale lock" to remove by hand
        assert store.recovery.messages == []
