"""Synced data dirs for bench_docstore.py, cached under a work dir.

``prepare(workdir, n)`` returns ``workdir/<n>``: made once with ``tui_data.generate(dir,
visits=n, rounds=(2, 3))`` (2–3 writes per answered field), then "synced" as a laptop after a
successful ``fsfield sync``: every own write acknowledged (``mark_sent``) and the storage
compacted, so the outbox is empty and the journal folded. Reused when ``<n>/.ready`` exists.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

READY = ".ready"


def prepare(workdir: Path, n: int) -> Path:
    """The synced data dir with ``n`` visits (made unless already cached)."""
    from tui_data import generate

    from fsfield.store.repo import Store

    data = Path(workdir) / str(n)
    if (data / READY).exists():
        return data
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    gen = generate(data, visits=n, rounds=(2, 3))
    store = Store(data)
    try:
        store.mark_sent([w.dot for w in store.outbox()])
        store.storage.compact()
    finally:
        store.close()
    (data / READY).write_text(f"{gen.visits} visits, {gen.writes} writes, drafts {gen.drafts}\n")
    return data


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/fsbench-data"))
    p.add_argument("sizes", type=int, nargs="*", default=[0, 400, 2000, 10000])
    a = p.parse_args()
    for size in a.sizes:
        print(prepare(a.workdir, size))


def generated(data: Path):  # -> tui_data.Generated
    """What ``prepare`` made, for bench_tui.bench_keypress (drafts read back from the store)."""
    from tui_data import Generated

    from fsfield.domain.models import Site, Visit, VisitStatus
    from fsfield.store.repo import Store

    store = Store(data)
    try:
        visits = store.all(Visit)
        drafts = tuple(v.id for v in visits if v.status == VisitStatus.DRAFT)
        return Generated(Path(data), len(store.all(Site)), len(visits), 0, 0, drafts)
    finally:
        store.close()
