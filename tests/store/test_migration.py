"""Converting a format-2 data dir on first start (fsfield/store/migrate.py): what the user had is
what the user gets, told once, the old files kept aside; damage, a full disk and a newer format."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from fsfield.store import docjournal
from fsfield.store.docfiles import MAGIC  # noqa: F401  (the framing the header test relies on)
from fsfield.store.migrate import ASIDE, WORK
from fsfield.store.repo import Store
from fsfield.store.storage import StoreError
from fsfield.store.syncing import run_sync
from sync.documents import entry_write
from sync.writes import Write
from tests.store.conftest import OldDir
from tests.store.migration_data import files_of


def new_view(s: Store) -> dict:
    """The new store seen as migration_data's dump shows the old one."""
    rep = s.replica
    recs = sorted(rep.records())
    return {
        "records": {r: (lambda m: None if m is None else m.model_dump(mode="json"))(s.record(r))
                    for r in recs},
        "conflicts": sorted([r, f, sorted(w.dot for w in ws)] for r, f, ws in rep.conflicts()),
        "writes": _all_writes(s, recs),
        "live": {r: {f: sorted(w.dot for w in st.live) for f, st in rep.fields(r).items()}
                 for r in recs},
        "device": s.device_id,
        "counter": s._counter,
        "clock": list(s.clock.last),
        "settings": s.settings.model_dump(mode="json"),
        "central_state": s.meta("central_state"),
        "acked": s.meta("acked", 0),
        "outbox": [w.dot for w in s.outbox()],
    }


def _dumps(writes: Iterable[Write]) -> list[str]:
    return sorted(json.dumps(w.to_dict(), sort_keys=True) for w in writes)


def _all_writes(s: Store, recs: list[str]) -> dict[str, list[str]]:
    """Every record's full write set. ``writes_of`` reads the whole history on each call (see
    the report), so the set is built in one pass over the history, and ``writes_of`` itself is
    checked against it on every conflicted or deleted record and a sample of the others."""
    rep = s.replica
    if s.legacy:  # the old format keeps every write in memory
        return {r: _dumps(rep.writes_of(r)) for r in recs}
    past: dict[str, list[Write]] = {}
    for entry in s.storage.history():  # type: ignore[attr-defined]
        past.setdefault(entry[0], []).append(entry_write(entry))
    out = {r: _dumps([*past.get(r, ()), *(w for st in rep.fields(r).values() for w in st.live)])
           for r in recs}
    odd = {r for r, _, _ in rep.conflicts()} | {r for r in recs if rep.is_deleted(r)}
    for r in sorted(odd) + random.Random(5).sample(recs, min(10, len(recs))):
        assert _dumps(rep.writes_of(r)) == out[r], r
    return out


def assert_same(got: dict, expected: dict) -> None:
    for key in ("device", "counter", "clock", "settings", "central_state", "acked", "outbox",
                "conflicts"):
        assert got[key] == expected[key], key
    assert got["records"].keys() == expected["records"].keys()
    for key in ("records", "live", "writes"):
        differ = [r for r in expected[key] if got[key].get(r) != expected[key][r]]
        assert not differ, (key, differ[:3])


def _notice(s: Store) -> str:
    return " ".join(s.recovery.messages)


@pytest.mark.parametrize("visits", [0, 400, pytest.param(2000, marks=pytest.mark.slow)])
def test_a_converted_data_dir_shows_what_the_old_one_showed(
    visits: int, old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    made = old_dir(visits)
    data = made.copy_to(tmp_path / "root")
    with Store(data) as s:
        assert not s.legacy
        assert "convertie" in _notice(s) and ASIDE in _notice(s)
        assert_same(new_view(s), made.expected)
        next_dot = s.write_fields("site", next(iter(s.replica.records("site"))),
                                  {"address": "après conversion"})[0].dot
        assert next_dot == f"{made.expected['device']}:{made.expected['counter'] + 1}"
    assert files_of(data / ASIDE) == made.files, "old files kept byte for byte"
    assert not (data / WORK).exists()
    assert not any((data / n).exists() for n in made.files)
    with Store(data) as s:
        assert s.recovery.messages == [], "the notice is shown once"


def test_a_sync_after_conversion_sends_exactly_the_unacknowledged_writes(
    old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    made = old_dir(0)
    data = made.copy_to(tmp_path / "root")
    with Store(data) as s:
        report = run_sync(s, tmp_path / "root" / "central")
        assert (report.sent, report.received, report.republished) == (
            len(made.expected["outbox"]), 0, 0)
        assert s.outbox() == []
        again = run_sync(s, tmp_path / "root" / "central")
        assert (again.sent, again.received, again.republished) == (0, 0, 0)
    # a third laptop gets every record as the old laptop showed it
    with Store(tmp_path / "c") as c:
        c.save_settings(c.settings.model_copy(update={"department": "87"}))
        run_sync(c, tmp_path / "root" / "central")
        assert new_view(c)["conflicts"] == made.expected["conflicts"]


# -- damage ----------------------------------------------------------------------------------


def _damage_snapshot(data: Path) -> str:
    """Change one byte inside a record table's snapshot line; the record's id."""
    raw = (data / "fsfield.json").read_bytes()
    lines = raw.split(b"\n")
    for i, line in enumerate(lines):
        at = line.find(b'"r:')
        if at > 0 and i > 0:
            record = line[at + 3:line.index(b'"', at + 3)].decode()
            pos = line.index(b'"value"') if b'"value"' in line else len(line) // 2
            lines[i] = line[:pos] + bytes([line[pos] ^ 0x20]) + line[pos + 1:]
            break
    else:
        raise AssertionError("no record line in the snapshot")
    (data / "fsfield.json").write_bytes(b"\n".join(lines))
    return record


def _stamp(text: str) -> str:
    return re.sub(r"corrupt-\d{8}-\d{6}", "corrupt-*", text)


def test_a_damaged_old_data_dir_converts_what_can_be_read_and_says_what_was_lost(
    old_dir: Callable[[int], OldDir], old_code: Path, tmp_path: Path
) -> None:
    from tests.store.migration_data import old_view

    made = old_dir(0)
    data = made.copy_to(tmp_path / "root")
    _damage_snapshot(data)
    journal = data / "fsfield.journal"
    if journal.exists() and journal.stat().st_size > 10:
        journal.write_bytes(journal.read_bytes()[:-7])  # a cut journal
    before = files_of(data)
    expected = old_view(old_code, data, tmp_path / "scratch")
    assert expected["messages"], "the old code reports the damage"
    with Store(data) as s:
        assert not s.legacy
        notice = _notice(s)
        for line in expected["messages"]:
            assert _stamp(line) in _stamp(notice), "the old code's account of what was lost"
        assert_same(new_view(s), expected)
    kept = {p.read_bytes() for p in (data / ASIDE).iterdir()}
    assert set(before.values()) <= kept, "original files kept"


# -- disk full -------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 8])
def test_a_full_disk_keeps_the_old_store_in_use_and_converts_at_the_next_start(
    k: int, old_dir: Callable[[int], OldDir], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = old_dir(0)
    data = made.copy_to(tmp_path / "root")
    real = docjournal.write_all
    calls = [0]

    def full(fd: int, payload: bytes) -> None:
        calls[0] += 1
        if calls[0] >= k:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, payload)

    monkeypatch.setattr(docjournal, "write_all", full)
    with Store(data) as s:
        assert s.legacy
        notice = _notice(s)
        assert "impossible" in notice and "intactes" in notice
        assert not (data / WORK).exists()
        assert_same(new_view(s), made.expected)
        site = next(iter(s.replica.records("site")))
        s.write_fields("site", site, {"address": "écrit dans l'ancien format"})
    monkeypatch.setattr(docjournal, "write_all", real)
    with Store(data) as s:
        assert not s.legacy
        assert s.replica.fields(site)["address"].value == "écrit dans l'ancien format"
        assert s._counter == made.expected["counter"] + 1


# -- a newer format --------------------------------------------------------------------------


def _newer_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store(data, compact_min_bytes=1) as s:
        s.write_fields("site", "s1", {"name": "Ambazac"})
        s.write_fields("site", "s1", {"name": "Ambazac 2"})
    raw = (data / "docs.json").read_bytes()
    assert raw.count(b"fsfield-store/4") == 1
    (data / "docs.json").write_bytes(raw.replace(b"fsfield-store/4", b"fsfield-store/5"))
    return data


def _state(data: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(data)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(data.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_a_data_dir_of_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = _newer_data_dir(tmp_path)
    before = _state(data)
    with pytest.raises(StoreError, match="mettez à jour"):
        Store(data)
    env = {**os.environ, "FSFIELD_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-m", "fsfield.cli", "sites", "list"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "mettez à jour" in done.stderr + done.stdout
    assert _state(data) == before
    shutil.rmtree(data)


def test_a_full_disk_on_a_damaged_data_dir_still_says_what_was_lost(
    old_dir: Callable[[int], OldDir], old_code: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.store.migration_data import old_view

    made = old_dir(0)
    data = made.copy_to(tmp_path / "root")
    _damage_snapshot(data)
    expected = old_view(old_code, data, tmp_path / "scratch")

    def full(fd: int, payload: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(docjournal, "write_all", full)
        with Store(data) as s:
            assert s.legacy
            notice = _stamp(" ".join(s.recovery.messages))
            assert all(_stamp(line) in notice for line in expected["messages"])
    with Store(data) as s:  # the next start, with room on the disk
        assert not s.legacy
        notice = _stamp(" ".join(s.recovery.messages))
        assert all(_stamp(line) in notice for line in expected["messages"])
        assert_same(new_view(s), expected)
