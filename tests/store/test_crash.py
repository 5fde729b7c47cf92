"""Crash safety: a process killed at any moment never loses a save that returned.

A child process saves in a loop and prints what it saved *after* each save returns. The parent
kills it with SIGKILL (after a random delay, or the child kills itself right before or after a
chosen fsync / rename, which lands kills inside compactions), then checks on a copy of the data
dir that the store opens without any repair and holds every printed save and nothing broken.
The same data dir is reused across kills so that it grows and compacts often.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fsfield.domain.models import FollowUp, Site, Visit
from fsfield.store import storage as storage_mod
from fsfield.store.docstorage import JOURNAL, SNAPSHOT
from fsfield.store.lock import LOCK_NAME
from fsfield.store.repo import Store

ROOT = Path(__file__).resolve().parents[2]
ITEM = "m1-demandes-periode"
VISIT_EVERY = 20  # a new visit every 20 follow-ups keeps each record's history bounded

CHILD = r"""
import datetime as dt, os, signal, sys
from fsfield.domain.models import FollowUp, Site, Visit
from fsfield.store.repo import Store

data, compact_min, die_in, die_at, when, EVERY, ITEM = sys.argv[1:8]
EVERY = int(EVERY)
die_at = int(die_at)
calls = {}

def mortal(name, real):
    def call(*args):
        calls[name] = calls.get(name, 0) + 1
        if calls[name] == die_at and when == "before":
            print("X", name, "before", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args)
        if calls[name] == die_at and when == "after":
            print("X", name, "after", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call

if die_in != "none":
    setattr(os, die_in, mortal(die_in, getattr(os, die_in)))

store = Store(data, compact_min_bytes=int(compact_min))
# A kill inside a multi-page write() can leave a line cut short: a save that never returned,
# which the user is told about (it cannot be told apart from a truncated journal).
torn = "torn:" if store.recovery.cut and store.recovery.lost == 0 else "recovery:"
for message in store.recovery.messages:
    print(torn, message.replace("\n", " "), flush=True)
for problem in store.problems:
    print("problem:", problem, flush=True)
print("ready", flush=True)
if store.find(Site, "site-1") is None:
    store.create(Site(id="site-1", id_fs="515", name="France services Nexon", department="87"))
    print("S 1", flush=True)
n = max((int(f.id[3:]) for f in store.all(FollowUp, include_deleted=True)), default=0)
while True:
    n += 1
    store.create(FollowUp(id=f"fu-{n}", text=f"suivi {n}", site_id="site-1"))
    print("F", n, flush=True)
    visit_id = f"visit-{n // EVERY}"
    if store.find(Visit, visit_id) is None:
        store.create(Visit(id=visit_id, site_id="site-1", date=dt.date(2026, 11, 26),
                           template_id="fs-visite-standard", template_version=1))
    store.set_fields(Visit, visit_id, {f"answers.{ITEM}.value": n})
    print("A", n, flush=True)
    if n % 7 == 0:
        store.delete(FollowUp, f"fu-{n}")
        print("D", n, flush=True)
"""


def run_and_kill(data: Path, rng: random.Random, compact_min: int) -> dict[str, object]:
    """Start the child, kill it (or let it kill itself), return what it printed."""
    if rng.random() < 0.5:
        die = ("none", "0", "before")
        delay = rng.uniform(0.0, 0.25)
    else:
        # fdatasync: one per save; fsync and replace: two or three per compaction.
        name = rng.choice(["replace", "fsync", "fdatasync"])
        die = (name, str(rng.randint(1, 30 if name == "fdatasync" else 4)),
               rng.choice(["before", "after"]))
        delay = 5.0  # the child kills itself well before; this only bounds a stuck child
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(compact_min), *die, str(VISIT_EVERY), ITEM],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    before_ready = []
    for line in child.stdout:  # wait until the store is open (or the child died opening it)
        if line == "ready\n":
            break
        before_ready.append(line)
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
    out, err = child.communicate()
    assert child.returncode == -signal.SIGKILL, f"the child failed on its own:\n{err}"
    lines = before_ready + out.splitlines(keepends=True)
    done: dict[str, list[int]] = {"S": [], "F": [], "A": [], "D": []}
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind in done and line.endswith("\n"):
            done[kind].append(int(rest))
    return {
        "recovery": [ln for ln in before_ready if ln.startswith(("recovery:", "problem:"))],
        "done": done,
        "self_kill": next((ln.split()[1:] for ln in lines if ln.startswith("X ")), None),
    }


def check_store(data: Path, copy: Path, printed: dict[str, set[int]]) -> int:
    """Open a copy of the crashed data dir: no repair needed, every returned save present."""
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns(LOCK_NAME))
    try:
        with Store(copy) as store:
            torn = store.recovery.cut and store.recovery.lost == 0
            assert torn or store.recovery.messages == [], store.recovery.messages
            followups = {int(f.id[3:]): f for f in store.all(FollowUp, include_deleted=True)}
            assert store.problems == [], "every record is readable"
            last = max(followups, default=0)
            assert set(followups) == set(range(1, last + 1)), "saves happen in order: no holes"
            assert printed["F"] <= set(followups), "a follow-up whose save returned is lost"
            assert all(followups[n].deleted for n in printed["D"]), "a returned delete is lost"
            assert all(followups[n].text == f"suivi {n}" for n in followups)
            if printed["A"]:
                top = max(printed["A"])
                visit = store.get(Visit, f"visit-{top // VISIT_EVERY}")
                assert top <= visit.answer(ITEM).value <= last
            if printed["S"]:
                assert store.get(Site, "site-1").name == "France services Nexon"
            counters = [w.counter for w in store.outbox()]
            assert counters == list(range(1, len(counters) + 1)), "no counter lost or reused"
            return last
    finally:
        shutil.rmtree(copy)


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_a_returned_save(tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    self_kills: list[list[str]] = []
    kills, per_data_dir = 60, 15  # a fresh data dir now and then keeps the run short
    for i in range(kills):
        if i % per_data_dir == 0:
            data = tmp_path / f"data-{i}"
            printed: dict[str, set[int]] = {"S": set(), "F": set(), "A": set(), "D": set()}
        result = run_and_kill(data, rng, compact_min=2048)
        context = f"(seed {seed}, kill {i}, {result['self_kill'] or 'timer'})"
        assert result["recovery"] == [], f"a crash needed a repair {context}"
        for kind, numbers in result["done"].items():
            printed[kind].update(numbers)
        if result["self_kill"]:
            self_kills.append(result["self_kill"])
        try:
            check_store(data, tmp_path / "copy", printed)
        except AssertionError as exc:
            raise AssertionError(f"{exc} {context}") from exc
    assert len(printed["F"]) > per_data_dir, "the child saved between kills"
    assert any(k[0] == "replace" for k in self_kills), f"no kill inside a compaction (seed {seed})"


ROTATE_THEN_DIE = """
import os, signal, sys
from fsfield.domain.models import FollowUp
from fsfield.store.repo import Store
store = Store(sys.argv[1])
store.create(FollowUp(id=sys.argv[2], text="suivi", site_id="s"))
# What compact() does first, then the process dies before the new snapshot is in place:
os.replace(os.path.join(sys.argv[1], "docs.journal"),
           os.path.join(sys.argv[1], "docs.journal.prev"))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_two_compactions_cut_short_in_a_row_lose_nothing(tmp_path):
    """Found by the crash loop: killed after the journal rotation, twice, the saves of the
    first session were overwritten by the second rotation while no snapshot held them."""
    with Store(tmp_path) as store:
        store.create(FollowUp(id="fu-1", text="suivi", site_id="s"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for fu in ("fu-2", "fu-3"):
        child = subprocess.run([sys.executable, "-c", ROTATE_THEN_DIE, str(tmp_path), fu],
                               env=env, cwd=ROOT, capture_output=True, text=True)
        assert child.returncode == -signal.SIGKILL, child.stderr
    with Store(tmp_path) as store:
        assert store.recovery.messages == []
        assert [f.id for f in store.followups()] == ["fu-1", "fu-2", "fu-3"]


def test_a_short_write_during_compaction_loses_nothing(tmp_path, monkeypatch):
    """POSIX lets write() write fewer bytes than asked; the snapshot must still be whole."""
    real_write = os.write

    def short_write(fd, data):
        return real_write(fd, bytes(data)[:4096])

    with Store(tmp_path) as store:
        for n in range(30):
            store.create(FollowUp(id=f"fu-{n}", text=f"suivi {n} " + "x" * 500, site_id="s"))
        monkeypatch.setattr(storage_mod.os, "write", short_write)
        store.storage.compact()
        monkeypatch.undo()
        assert (tmp_path / SNAPSHOT).stat().st_size > 4096
    with Store(tmp_path) as store:
        assert store.recovery.messages == []
        assert len(store.followups()) == 30


def test_a_failed_save_leaves_no_partial_line_in_the_journal(tmp_path, monkeypatch):
    """Disk full in the middle of a save: the saves before it stay readable, without repair."""
    with Store(tmp_path) as store:
        store.create(FollowUp(id="fu-1", text="suivi 1", site_id="s"))
        real_write = os.write

        def disk_full(fd, data):
            real_write(fd, bytes(data)[:7])
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage_mod.os, "write", disk_full)
        with pytest.raises(storage_mod.SaveFailed):
            store.create(FollowUp(id="fu-2", text="suivi 2", site_id="s"))
        monkeypatch.undo()
        journal = (tmp_path / JOURNAL).read_bytes()
        assert journal.endswith(b"\n"), "the torn line was cut away"
        store.retry_save()
    with Store(tmp_path) as store:
        assert store.recovery.messages == []
        assert [f.id for f in store.followups()] == ["fu-1", "fu-2"]
