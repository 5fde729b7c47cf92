"""Crash safety of DocStorage: a process killed at any moment never loses a save that returned,
and every history entry of those saves is read back exactly once.

As tests/store/test_crash.py: a child saves in a loop (``put`` + ``log_history`` in one save,
now and then a purge-like ``rewrite_history``) and prints each save *after* it returned; the
parent kills it with SIGKILL after a random delay, or the child kills itself right before or
after a chosen fsync / fdatasync / rename (which lands kills inside compactions, history
appends, history rewrites and backup refreshes: every 40th save drops most of the data). The
data dir is reused across kills so that it grows.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fsfield.store.docopening import read_header
from fsfield.store.docstorage import HISTORY, SNAPSHOT, DocStorage

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, signal, sys
from fsfield.store.docstorage import DocStorage

data, compact_min, die_in, die_at, when = sys.argv[1:6]
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

st = DocStorage(data, compact_min_bytes=int(compact_min))
torn = "torn:" if st.recovery.cut and st.recovery.lost == 0 else "recovery:"
for message in st.recovery.messages:
    print(torn, message.replace("\n", " "), flush=True)
print("ready", flush=True)
n = len(st.read().get("docs", {}))
while True:
    n += 1
    with st.batch():
        st.put("docs", f"d{n}", {"n": n, "pad": "x" * 40})
        st.put("meta", "m", {"last": n})
        pt = (st.read().get("patched") or {}).get("p")  # one document saved as patches
        if pt is None:
            st.put("patched", "p", {"k": 0, "f": {"n": n}})
        else:
            pt["f"]["n"], pt["k"] = n, pt["k"] + 1
            st.put("patched", "p", pt, {"n"})
        st.log_history([{"n": n, "v": "old"}])
    print("S", n, flush=True)
    if n % 40 == 0:  # most of the data dropped (a sync empties the outbox): backup refreshed
        with st.batch():
            for key in list(st.read().get("bulk", {})):
                st.put("bulk", key, None)
    else:
        st.put("bulk", f"b{n}", {"pad": "y" * 300})
    if n % 25 == 0:
        st.rewrite_history(lambda e: {**e, "v": "purged"})
        print("R", n, flush=True)
"""


def run_and_kill(data: Path, rng: random.Random, compact_min: int) -> dict[str, object]:
    if rng.random() < 0.5:
        die = ("none", "0", "before")
        delay = rng.uniform(0.0, 0.25)
    else:
        name = rng.choice(["replace", "fsync", "fdatasync"])
        die = (name, str(rng.randint(1, 30 if name == "fdatasync" else 6)),
               rng.choice(["before", "after"]))
        delay = 5.0  # the child kills itself well before; this only bounds a stuck child
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(compact_min), *die],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    before_ready = []
    for line in child.stdout:
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
    saved = [int(ln.split()[1]) for ln in lines if ln.startswith("S ") and ln.endswith("\n")]
    return {
        "recovery": [ln for ln in before_ready if ln.startswith("recovery:")],
        "saved": saved,
        "self_kill": next((ln.split()[1:] for ln in lines if ln.startswith("X ")), None),
    }


def check_store(data: Path, copy: Path, printed: set[int]) -> int:
    shutil.copytree(data, copy)
    try:
        st = DocStorage(copy)
        torn = st.recovery.cut and st.recovery.lost == 0
        assert torn or st.recovery.messages == [], st.recovery.messages
        docs = st.read().get("docs", {})
        assert st.problems == [], st.problems
        numbers = {doc["n"] for doc in docs.values()}
        last = max(numbers, default=0)
        assert numbers == set(range(1, last + 1)), "saves happen in order: no holes"
        assert printed <= numbers, "a save that returned is lost"
        if last:
            assert st.read()["meta"]["m"] == {"last": last}
            assert st.read()["patched"]["p"]["f"] == {"n": last}
        history = [e["n"] for e in st.history()]
        assert history == list(range(1, last + 1)), "each entry once, in order"
        assert st.problems == [], st.problems
        st.close()
        return last
    finally:
        shutil.rmtree(copy)


def history_past_header(data: Path) -> bool:
    """Whether the kill left history.log longer than the snapshot says (an append not
    committed by its snapshot yet)."""
    if not (data / SNAPSHOT).exists() or not (data / HISTORY).exists():
        return False
    header, _ = read_header(data / SNAPSHOT)
    return (data / HISTORY).stat().st_size > header.history_size


def kill_loop(tmp_path: Path, kills: int, per_data_dir: int) -> None:
    seed = int(os.environ.get("FSFIELD_CRASH_SEED") or int.from_bytes(os.urandom(4), "little"))
    rng = random.Random(seed)
    self_kills: list[list[str]] = []
    printed: set[int] = set()
    cut_appends = 0
    for i in range(kills):
        if i % per_data_dir == 0:
            data = tmp_path / f"data-{i}"
            data.mkdir()
            printed = set()
        result = run_and_kill(data, rng, compact_min=2048)
        context = f"(seed {seed}, kill {i}, {result['self_kill'] or 'timer'})"
        assert result["recovery"] == [], f"a crash needed a repair {context}"
        printed.update(result["saved"])
        if result["self_kill"]:
            self_kills.append(result["self_kill"])
        cut_appends += history_past_header(data)
        try:
            check_store(data, tmp_path / "copy", printed)
        except AssertionError as exc:
            raise AssertionError(f"{exc} {context}") from exc
    assert printed, "the child saved between kills"
    if kills >= 100:
        assert any(k[0] == "replace" for k in self_kills), f"no kill in a compaction ({seed})"
        assert cut_appends, f"no kill between a history append and its snapshot ({seed})"


def test_twenty_sigkills_never_lose_a_returned_save_nor_duplicate_history(tmp_path):
    kill_loop(tmp_path, kills=20, per_data_dir=10)


@pytest.mark.slow
def test_two_hundred_sigkills_never_lose_a_returned_save_nor_duplicate_history(tmp_path):
    kill_loop(tmp_path, kills=220, per_data_dir=20)
