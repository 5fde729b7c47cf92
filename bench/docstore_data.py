"""Synced data dirs for bench_docstore.py, cached under a work dir.

``prepare(workdir, n)`` returns ``workdir/<n>``: made once with ``tui_data.generate(dir,
visits=n, rounds=(2, 3), fast=True, synced=True)`` (24 sites, 2–3 writes per answered field),
i.e. as a laptop after a successful ``fsfield sync``: every own write acknowledged
(``mark_sent``) and the storage compacted, so the outbox is empty and the journal folded. The
fast path makes the same writes as the record modules (tests/store/test_bench_data.py); 10,000
visits take 3–4 minutes on a 2-core machine. Reused when ``<n>/.ready`` (what was made, as
JSON) has this module's ``DATA_VERSION``.

Made ahead of a bench run: ``python bench/docstore_data.py [--workdir /tmp/fsbench-data] 10000``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

READY = ".ready"
DATA_VERSION = 3  # bump when what prepare makes changes (invalidates the cached dirs)


def prepare(workdir: Path, n: int) -> Path:
    """The synced data dir with ``n`` visits (made unless already cached)."""
    from tui_data import generate

    data = Path(workdir) / str(n)
    if _made(data).get("version") == DATA_VERSION:
        return data
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    started = time.perf_counter()
    gen = generate(data, visits=n, rounds=(2, 3), fast=True, synced=True)
    elapsed = time.perf_counter() - started
    (data / READY).write_text(json.dumps({
        "version": DATA_VERSION, "visits": gen.visits, "sites": gen.sites, "followups": gen.followups,
        "writes": gen.writes, "drafts": list(gen.drafts), "seconds": round(elapsed, 1)}) + "\n")
    print(f"  generated {n} visits ({gen.writes} writes) in {elapsed:.1f} s", flush=True)
    return data


def _made(data: Path) -> dict:
    try:
        made = json.loads((data / READY).read_text())
    except (OSError, ValueError):
        return {}
    return made if isinstance(made, dict) else {}


def generated(data: Path):  # -> tui_data.Generated
    """What ``prepare`` made (from ``.ready``), for bench_tui.bench_keypress."""
    from tui_data import Generated

    made = _made(Path(data))
    return Generated(Path(data), made["sites"], made["visits"], made["followups"],
                     made["writes"], tuple(made["drafts"]))


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/fsbench-data"))
    p.add_argument("sizes", type=int, nargs="*", default=[0, 400, 2000, 10000])
    a = p.parse_args()
    for size in a.sizes:
        print(prepare(a.workdir, size))
