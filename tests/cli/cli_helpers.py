"""Driving ``fsfield`` as a user does: a subprocess, its exit code and its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# ../shared/data beside the checkout, or beside a folder holding it (a git worktree)
DATA = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
            ROOT / ".." / "shared" / "data")
NATIONAL = DATA / "france_services_liste_20240801.csv"
HAUTE_VIENNE = DATA / "france_services_87_haute-vienne_20240801.csv"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FSFIELD_DATA_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _argv(data_dir: Path, args: tuple[str | Path, ...]) -> list[str]:
    return [sys.executable, "-m", "fsfield.cli", "--data-dir", str(data_dir), *map(str, args)]


def run_cli(data_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``fsfield --data-dir DATA_DIR ARGS`` in a fresh process (never the user's data dir)."""
    return subprocess.run(_argv(data_dir, args), cwd=ROOT, env=_env(), capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def run_cli_bytes(data_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Same as ``run_cli``, with stdout and stderr as the exact bytes written."""
    return subprocess.run(_argv(data_dir, args), cwd=ROOT, env=_env(), capture_output=True,
                          timeout=120)


def sites_json(data_dir: Path) -> list[dict]:
    """What ``fsfield sites list --json`` shows (the user's view of the sites)."""
    result = run_cli(data_dir, "sites", "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
