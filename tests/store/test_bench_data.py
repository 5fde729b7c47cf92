"""The benchmarks' fast data generator makes the data the record modules make.

bench/tui_data.py answers visits either through ``visits.set_answer`` / ``finalise`` (slow,
validated) or one level lower through the store's write-making and merge path (fast, batched,
acknowledged as it goes). The 10,000-visit benchmarks rely on the fast one, so its data dirs
must be the ones a user of the app would have: same records, same displayed values, same writes
(dots, fields, values, supersedes, authors), in the same order of clock.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
TODAY = dt.date(2026, 6, 15)


@pytest.fixture()
def tui_data() -> Any:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return pytest.importorskip("tui_data")


def _timeless(fields: dict[str, Any]) -> dict[str, Any]:
    """Displayed values minus those that hold the moment they were written."""
    return {k: v for k, v in fields.items()
            if k != "created_at" and not (k.startswith("events.") and k.endswith(".at"))}


def _generate(tui_data: Any, where: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    """One generation with record ids (and the device id) drawn from a seeded generator."""
    from fsfield.store import repo, visits

    rng = random.Random(42)
    ids = SimpleNamespace(uuid4=lambda: uuid.UUID(int=rng.getrandbits(128), version=4))
    monkeypatch.setattr(repo, "uuid", ids)
    monkeypatch.setattr(visits, "uuid", ids)
    return tui_data.generate(where, visits=30, rounds=(2, 3), seed=7, today=TODAY, synced=True,
                             **kw)


def _contents(data_dir: Path) -> dict[str, Any]:
    from fsfield.store.repo import Store

    with Store(data_dir) as store:
        replica = store.replica
        records = {}
        for record in replica.records():
            model = store.record(record)
            assert model is not None
            records[record] = (model.kind, model.deleted, model.conflicted,
                               _timeless(model.to_fields()))
        writes = []
        for w in replica:
            stamped = w.field == "created_at" or (w.field.startswith("events.")
                                                  and w.field.endswith(".at"))
            writes.append((w.counter, w.dot, w.record, w.field, None if stamped else w.value,
                           tuple(sorted(w.supersedes)), w.author, w.hlc))
        writes.sort()
        return {
            "records": records,
            "writes": [w[:-1] for w in writes],
            "clock_in_counter_order": [w[-1] for w in writes] == sorted(w[-1] for w in writes),
            "conflicts": replica.conflicts(),
            "outbox": store.outbox(),
            "acked": store.meta("acked"),
            "counter": store._counter,
        }


def test_fast_generator_makes_what_the_record_modules_make(
    tui_data: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_made = _generate(tui_data, tmp_path / "slow", monkeypatch)
    fast_made = _generate(tui_data, tmp_path / "fast", monkeypatch, fast=True)
    slow, fast = _contents(tmp_path / "slow"), _contents(tmp_path / "fast")

    assert slow_made.drafts == fast_made.drafts and len(slow_made.drafts) >= 2
    assert (slow_made.followups, slow_made.writes) == (fast_made.followups, fast_made.writes)
    assert fast["records"] == slow["records"]
    assert fast["writes"] == slow["writes"]  # dots, fields, values, supersedes, authors
    assert fast["clock_in_counter_order"] and slow["clock_in_counter_order"]
    assert fast["conflicts"] == slow["conflicts"] == []
    assert fast["outbox"] == slow["outbox"] == []  # synced: every own write acknowledged
    assert fast["acked"] == slow["acked"] == slow["counter"] == fast["counter"]
    # as left by a session: the home screen's figures exist, so the next start saves nothing
    from fsfield.store.overview import site_rows
    from fsfield.store.repo import Store

    with Store(tmp_path / "fast") as store:
        assert len(site_rows(store, TODAY)) == 24
    journal = tmp_path / "fast" / "docs.journal"
    assert not journal.exists() or journal.stat().st_size == 0
    # an edit history: most answered fields were written more than once
    per_field: dict[tuple[str, str], int] = {}
    for _, _, record, field, *_ in fast["writes"]:
        per_field[record, field] = per_field.get((record, field), 0) + 1
    assert sum(1 for n in per_field.values() if n >= 2) > len(per_field) / 3
