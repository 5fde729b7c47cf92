"""Devices editing and syncing at random through a real FolderStore, while the folder is restored
to an earlier copy, loses batches, or is replaced by an empty one: nothing acknowledged is ever
lost, other départements never leak in, and after a full exchange every replica holds every
acknowledged write (and everyone converges)."""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sync_testlib import check_against_oracle, observed, values

from sync.engine import sync_once
from sync.folder import FolderStore, StoreUnavailable
from sync.memory import MemoryDevice

RECORDS = ("site-1", "site-2", "visit-1")
FIELDS = ("name", "hours", "answers.m1.status")
SCOPE = "87"


class DevicesSyncingThroughAFolder(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="fsfield-sm-"))
        self.root = self.tmp / "central"
        self.root.mkdir()
        self.now = 1_000
        self.devices = [
            MemoryDevice(f"dev-{i}", SCOPE, author=f"animateur {i}", now_ms=self._clock)
            for i in range(3)
        ]
        self.outsider = MemoryDevice("dev-23", "23", author="Creuse", now_ms=self._clock)
        self.acked: set[str] = set()
        self.made: set[str] = set()
        self.copies: list[Path] = []
        self.damaged = False  # the folder lost batches since the last full exchange

    def _clock(self) -> int:
        return self.now

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    devices_idx = st.integers(0, 2)

    @rule(i=devices_idx, rec=st.sampled_from(RECORDS), field=st.sampled_from(FIELDS), value=values)
    def edit(self, i: int, rec: str, field: str, value: object) -> None:
        self.made.add(self.devices[i].write(rec, "site", field, value).dot)

    @rule(i=devices_idx, rec=st.sampled_from(RECORDS))
    def delete(self, i: int, rec: str) -> None:
        self.made.add(self.devices[i].delete(rec).dot)

    @rule(i=devices_idx, rec=st.sampled_from(RECORDS))
    def restore(self, i: int, rec: str) -> None:
        self.made.add(self.devices[i].restore(rec).dot)

    @precondition(lambda self: any(d.replica.conflicts() for d in self.devices))
    @rule(i=devices_idx)
    def resolve_first_conflict(self, i: int) -> None:
        dev = self.devices[i]
        conflicts = dev.replica.conflicts()
        if conflicts:
            rec, field, writes = conflicts[0]
            w = dev.delete(rec) if field == "deleted" else dev.resolve(rec, field, writes[-1].value)
            self.made.add(w.dot)

    @rule(step=st.integers(-50, 500))
    def clocks_move(self, step: int) -> None:
        self.now += step  # may go backwards: the HLC must stay monotonic anyway

    @rule(i=devices_idx)
    def sync(self, i: int) -> None:
        self._sync(self.devices[i])

    def _sync(self, dev: MemoryDevice) -> None:
        before = {w.dot for w in dev.outbox()}
        result = sync_once(dev, FolderStore(self.root))
        assert set(result.sent) >= before and dev.outbox() == []
        assert result.problems == []
        self.acked |= before

    @rule(i=devices_idx)
    def sync_while_store_is_unplugged(self, i: int) -> None:
        dev = self.devices[i]
        before = dev.outbox()
        self.root.rename(self.tmp / "unplugged")
        try:
            with pytest.raises(StoreUnavailable) as err:
                sync_once(dev, FolderStore(self.root))
            assert err.value.code == "missing"
        finally:
            (self.tmp / "unplugged").rename(self.root)
        assert dev.outbox() == before  # nothing acknowledged

    @rule()
    def outsider_syncs(self) -> None:
        self.outsider.write("creuse-site", "site", "name", "Guéret")
        sync_once(self.outsider, FolderStore(self.root))

    @rule()
    def folder_is_copied(self) -> None:
        copy = self.tmp / f"copy-{len(self.copies)}"
        shutil.copytree(self.root, copy)
        self.copies.append(copy)

    @precondition(lambda self: self.copies)
    @rule(k=st.integers(0, 10))
    def folder_is_restored_to_an_earlier_copy(self, k: int) -> None:
        shutil.rmtree(self.root)
        shutil.copytree(self.copies[k % len(self.copies)], self.root)
        self.damaged = True

    @rule(data=st.data())
    def batches_are_deleted(self, data: st.DataObject) -> None:
        files = sorted(self.root.glob("devices/*/*.json"))
        if files:
            for f in data.draw(st.lists(st.sampled_from(files), min_size=1, unique=True)):
                f.unlink()
            self.damaged = True

    @rule()
    def store_is_replaced_by_an_empty_one(self) -> None:
        shutil.rmtree(self.root)
        self.root.mkdir()
        self.damaged = True

    @invariant()
    def every_acknowledged_write_is_in_the_store(self) -> None:
        if not self.damaged:
            batches, problems = FolderStore(self.root).read_all(None)
            assert problems == []
            assert self.acked <= {w.dot for b in batches for w in b.writes}
        assert self.acked | {w.dot for d in self.devices for w in d.outbox()} == self.made
        assert {w.dot for d in self.devices for w in d.replica} == self.made, "nothing lost"

    @invariant()
    def replicas_follow_the_definitions_and_stay_in_their_scope(self) -> None:
        for dev in self.devices:
            check_against_oracle(dev.replica)
            assert "creuse-site" not in dev.replica.records()
        assert set(self.outsider.replica.records()) <= {"creuse-site"}

    @rule()
    def everyone_syncs_twice_and_converges(self) -> None:
        self.check_convergence()

    def check_convergence(self) -> None:
        for dev in self.devices + self.devices:  # second round: everyone has pushed
            self._sync(dev)
        views = [observed(d.replica) for d in self.devices]
        assert views[0] == views[1] == views[2]
        for dev in self.devices:
            assert {w.dot for w in dev.replica} >= self.acked
        assert {w.dot for w in self.devices[0].replica} == self.made
        self.damaged = False
        self.every_acknowledged_write_is_in_the_store()


class ConvergingMachine(DevicesSyncingThroughAFolder):
    def teardown(self) -> None:
        try:
            self.check_convergence()
        finally:
            super().teardown()


ConvergingMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
TestDevicesSyncingThroughAFolder = ConvergingMachine.TestCase
