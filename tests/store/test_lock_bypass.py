"""Case 5 of issue #8: a data dir belongs to one process, whatever happens to its lock file.

Before: deleting ``fsfield.lock`` while fsfield ran let a second process open the same data
dir, and half of the acknowledged saves of one of them were then lost, silently.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from store_helpers import ROOT, Holder, env, followups, run_cli

from fsfield.store.lock import LOCK_NAME

BYPASS = r"""
import sys
from fsfield.domain.models import FollowUp
from fsfield.store import lock
from fsfield.store.repo import Store

# A writer that does not honour the lock (an older fsfield, a filesystem without locks).
lock.DataDirLock.acquire = lambda self: None
lock.DataDirLock.release = lambda self: None
lock.DataDirLock.verify = lambda self: None
store = Store(sys.argv[1])
store.create(FollowUp(id="fu-other", text="suivi other", site_id="site-1"))
store.close()
"""


def test_deleting_the_lock_file_does_not_let_a_second_fsfield_in(tmp_path):
    data = tmp_path / "data"
    holder = Holder(data)
    try:
        assert holder.save(1) == "saved"
        (data / LOCK_NAME).unlink()  # a clean-up tool, a sync client, a user

        second = run_cli(data, "config", "--animateur", "Intrus")
        assert second.returncode == 1, second.stdout
        assert "déjà ouvert" in second.stderr and "Traceback" not in second.stderr

        assert holder.save(2) == "saved", "the first process still owns its data dir"
        again = run_cli(data, "config", "--animateur", "Intrus")
        assert again.returncode == 1 and "déjà ouvert" in again.stderr
    finally:
        holder.close()
    assert followups(data) == {"fu-1": "suivi 1", "fu-2": "suivi 2"}
    config = run_cli(data, "config")
    assert "Intrus" not in config.stdout


def test_a_process_whose_data_dir_was_written_by_another_refuses_to_save(tmp_path):
    data = tmp_path / "data"
    holder = Holder(data)
    try:
        assert holder.save(1) == "saved"
        subprocess.run([sys.executable, "-c", BYPASS, str(data)], check=True, env=env(), cwd=ROOT)

        answer = holder.save(2)
        assert answer.startswith("refused NON ENREGISTRÉ"), answer
        assert "un autre" in answer, "the message says why"
    finally:
        out, err = holder.close()
    assert "Traceback" not in err
    # Nothing the other process saved is written over; the refused save is not on disk.
    assert followups(data) == {"fu-1": "suivi 1", "fu-other": "suivi other"}


def test_a_data_dir_restored_under_a_running_fsfield_is_not_written_over(tmp_path):
    data = tmp_path / "data"
    holder = Holder(data)
    try:
        assert holder.save(1) == "saved"
        copy = tmp_path / "copy"
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns(LOCK_NAME))
        data.rename(tmp_path / "moved")
        copy.rename(data)  # the user restores the folder from a copy while fsfield runs

        answer = holder.save(2)
        assert answer.startswith("refused NON ENREGISTRÉ"), answer
    finally:
        holder.close()
    assert followups(data) == {"fu-1": "suivi 1"}
    assert followups(tmp_path / "moved") == {"fu-1": "suivi 1"}


def test_without_a_folder_lock_a_lock_file_taken_by_another_process_stops_the_saves(
    tmp_path, monkeypatch
):
    """Windows, or a share that cannot lock folders: the lock file alone, checked at each save."""
    from fsfield.domain.models import FollowUp
    from fsfield.store.lock import DataDirLock
    from fsfield.store.repo import Store
    from fsfield.store.storage import DataDirLost

    monkeypatch.setattr(DataDirLock, "_lock_directory", lambda self: None)
    store = Store(tmp_path)
    store.create(FollowUp(id="fu-1", text="suivi 1", site_id="site-1"))
    (tmp_path / LOCK_NAME).unlink()
    store.create(FollowUp(id="fu-2", text="suivi 2", site_id="site-1"))  # free: taken again
    assert (tmp_path / LOCK_NAME).exists()

    (tmp_path / LOCK_NAME).unlink()
    other = DataDirLock(tmp_path)
    other.acquire()  # another process locks the new file (flock: per open file, like a process)
    try:
        with pytest.raises(DataDirLost, match="NON ENREGISTRÉ : le verrou"):
            store.create(FollowUp(id="fu-3", text="suivi 3", site_id="site-1"))
        assert store.unsaved and store.lost
        assert store.find(FollowUp, "fu-3") is not None, "the change stays in memory"
    finally:
        other.release()
    with pytest.raises(DataDirLost):  # the pending change: this process may not save it
        store.close()
    with Store(tmp_path) as again:
        assert {f.id for f in again.followups()} == {"fu-1", "fu-2"}
