"""Driving the store as a user does: real data dirs, the real ``fsfield`` CLI, other processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "FSFIELD_DATA_DIR"}
    out["PYTHONPATH"] = str(ROOT)
    out["PYTHONIOENCODING"] = "utf-8"
    return out


def run_cli(data_dir: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """``fsfield --data-dir DATA_DIR ARGS`` in a fresh process; ``prelude`` runs first (faults)."""
    code = f"{prelude}\nimport sys\nfrom fsfield.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(data_dir), *args],
        cwd=ROOT, env=env(), capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def followups(data_dir: Path) -> dict[str, str]:
    """What ``fsfield export followups --format json`` shows: id -> text."""
    result = run_cli(data_dir, "export", "followups", "--format", "json")
    assert result.returncode == 0, result.stderr
    return {f["id"]: f["text"] for f in json.loads(result.stdout)}


FULL_DISK = """
import errno, os
_real_open = os.open
def _full(path, *args, **kwargs):
    if str(path).endswith(".tmp"):  # any new file: the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")
    return _real_open(path, *args, **kwargs)
os.open = _full
"""
"""A ``run_cli`` prelude: the disk is full for any new file (compactions, exports)."""


HOLDER = r"""
import sys
from fsfield.domain.models import FollowUp
from fsfield.store.repo import Store
from fsfield.store.storage import SaveFailed

store = Store(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    n = line.strip()
    try:
        store.create(FollowUp(id=f"fu-{n}", text=f"suivi {n}", site_id="site-1"))
        print("saved", flush=True)
    except SaveFailed as exc:
        print("refused", str(exc).replace("\n", " "), flush=True)
try:
    store.close()
    print("closed", flush=True)
except SaveFailed as exc:  # a change still pending that this process may not save
    print("close refused", str(exc).replace("\n", " "), flush=True)
"""


class Holder:
    """Another fsfield process holding a data dir open; saves a follow-up on request."""

    def __init__(self, data_dir: Path) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(data_dir)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=ROOT,
        )
        assert self.child.stdout.readline() == "ready\n", self.child.stderr.read()

    def save(self, n: int) -> str:
        """Ask for follow-up ``fu-<n>``; returns the holder's answer line ("saved" / "refused ...")."""
        self.child.stdin.write(f"{n}\n")
        self.child.stdin.flush()
        return self.child.stdout.readline().rstrip("\n")

    def close(self) -> tuple[str, str]:
        out, err = self.child.communicate(timeout=60)
        return out, err
