"""Format-2 data dirs made by the old code (commit c9e3027, before the document store), and what
the old code shows of them, for the migration tests.

The old tree is extracted with ``git archive`` into a temp dir and run in a subprocess with
PYTHONPATH pointing there. Generation is deterministic: uuid4, the wall clock and the date are
replaced by seeded or counted values in the child.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

OLD_COMMIT = "c9e3027"
REPO = Path(__file__).resolve().parents[2]

_CHILD = r'''
import datetime as dt, json, random, sys, time, uuid
from pathlib import Path

_rng = random.Random(7)
uuid.uuid4 = lambda: uuid.UUID(int=_rng.getrandbits(128), version=4)
_now = [1_700_000_000_000_000_000]
def _time_ns():
    _now[0] += 1_000_000_000  # one second per tick
    return _now[0]
time.time_ns = _time_ns

from fsfield.domain.models import FollowUp, Settings, Site, Visit
from fsfield.store.repo import Store
from fsfield.store.syncing import run_sync

def build(root, visits):
    from bench import tui_data
    a_dir, b_dir, central = root / "data", root / "b", root / "central"
    central.mkdir()
    tui_data.generate(a_dir, visits=visits, rounds=(2, 3), today=dt.date(2026, 6, 1))
    a = Store(a_dir)
    run_sync(a, central)
    b = Store(b_dir)
    b.save_settings(Settings(animator="Bruno", department="87"))
    run_sync(b, central)
    sites = a.sites()
    vs = sorted(a.all(Visit), key=lambda v: v.id)
    fus = sorted(a.all(FollowUp), key=lambda f: f.id)
    # Conflicts between two devices: the same fields edited on both laptops.
    for s in sites[:3]:
        a.update(Site, s.id, address="1 rue de A")
        b.update(Site, s.id, address="2 rue de B")
    if vs:
        # delete on B, edit on A: a delete-versus-edit conflict
        b.delete(Visit, vs[0].id)
        a.update(Visit, vs[0].id, participants="Mme A")
    # a tombstone, and a record deleted then restored
    a.delete(Site, sites[-1].id)
    if fus:
        a.delete(FollowUp, fus[0].id)
        a.write_fields("followup", fus[0].id, {"deleted": False})
    run_sync(b, central)
    run_sync(a, central)
    # an unsynced outbox (acknowledged part before it) and changed settings
    for s in sites[3:6]:
        a.update(Site, s.id, address="3 rue après la synchro")
    if len(vs) > 1:
        a.delete(Visit, vs[1].id)
    a.save_settings(Settings(animator="Anne Après", department="87"))
    a.close()
    b.close()

def dump(data_dir):
    s = Store(data_dir)
    rep = s.replica
    out = {
        "records": {r: (lambda m: None if m is None else m.model_dump(mode="json"))(s.record(r))
                    for r in sorted(rep.records())},
        "conflicts": sorted([r, f, sorted(w.to_dict()["dot"] for w in ws)]
                            for r, f, ws in rep.conflicts()),
        "writes": {r: sorted(json.dumps(w.to_dict(), sort_keys=True) for w in rep.writes_of(r))
                   for r in sorted(rep.records())},
        "live": {r: {f: sorted(w.dot for w in st.live) for f, st in rep.fields(r).items()}
                 for r in sorted(rep.records())},
        "device": s.device_id,
        "counter": s._counter,
        "clock": list(s.clock.last),
        "settings": s.settings.model_dump(mode="json"),
        "central_state": s.meta("central_state"),
        "acked": s.meta("acked", 0),
        "outbox": [w.dot for w in s.outbox()],
        "messages": list(s.storage.recovery.messages),
    }
    s.close()
    print(json.dumps(out, sort_keys=True, default=str))

if sys.argv[1] == "build":
    build(Path(sys.argv[2]), int(sys.argv[3]))
else:
    dump(Path(sys.argv[2]))
'''


def old_tree(root: Path) -> Path:
    """The old code (fsfield, sync, bench) extracted under ``root/old``."""
    dest = root / "old"
    if not (dest / "fsfield").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", OLD_COMMIT, "fsfield", "sync", "bench"],
            check=True, capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        (dest / "child.py").write_text(_CHILD, encoding="utf-8")
    return dest


def _run_old(old: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(old)}
    done = subprocess.run(
        [sys.executable, str(old / "child.py"), *args],
        env=env, capture_output=True, text=True, cwd=str(old),
    )
    if done.returncode:
        raise AssertionError(f"old code failed:\n{done.stderr}")
    return done.stdout


def build_old(old: Path, root: Path, visits: int) -> Path:
    """Make ``root/data`` (format 2, device A), ``root/b`` and ``root/central`` with the old code."""
    root.mkdir(parents=True, exist_ok=True)
    _run_old(old, "build", str(root), str(visits))
    return root / "data"


def old_view(old: Path, data_dir: Path, scratch: Path) -> dict:
    """What the old code shows of ``data_dir`` (opened on a copy: the original is untouched)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(data_dir, scratch)
    return json.loads(_run_old(old, "dump", str(scratch)))


def files_of(data_dir: Path) -> dict[str, bytes]:
    """The bytes of each format-2 file of a data dir."""
    from fsfield.store.legacy import OLD_FILES

    return {n: (data_dir / n).read_bytes() for n in OLD_FILES if (data_dir / n).exists()}
