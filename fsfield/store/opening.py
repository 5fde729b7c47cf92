"""Opening a data dir: the newest sound snapshot plus the journals, every entry checked.

Anything damaged (unreadable, failing its checksum or the app's schema) is handled the same
way: set aside (``<name>.corrupt-<time>``, never deleted), the backup and the journals replayed,
and the user told what was restored and what was lost. Journal entries carry consecutive
sequence numbers, so a lost save shows as a hole in the numbers and is counted exactly; entries
after a hole are still replayed (whole tables, or documents added by id: each entry stands on
its own). Only a journal cut inside a line hides how many saves followed: that is said too.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsfield.store import messages
from fsfield.store.entries import Damaged, TableCheck, Tables, decode_entry, decode_snapshot, lines

SNAPSHOT = "fsfield.json"
BACKUP = "fsfield.json.bak"
JOURNAL = "fsfield.journal"
JOURNAL_PREV = "fsfield.journal.prev"


@dataclass
class Recovery:
    """What opening the store had to repair, for the user to be told."""

    messages: list[str] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)
    #: saves known to be lost (holes in the sequence numbers)
    lost: int = 0
    #: a journal ended inside a line (a save cut short by a crash, or a truncated file)
    cut: bool = False


@dataclass
class Opened:
    """The state read from disk, and what is left to do once a clean snapshot is written."""

    seq: int
    tables: Tables
    snapshot_size: int
    recovery: Recovery
    #: write a clean snapshot now (repairs, or saves only the previous journal holds)
    repair: bool
    #: (aside, original): files set aside, put back if the repair cannot be written
    undo: list[tuple[Path, Path]] = field(default_factory=list)
    #: the damaged journal, to set aside (it is the previous journal after the repair)
    journal_aside: Path | None = None


def aside_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    return aside


def _apply(entry: dict[str, Any], tables: Tables) -> None:
    for name, table in entry["t"].items():
        if table is None:
            tables.pop(name, None)
        else:
            tables[name] = table
    for name, docs in entry.get("a", {}).items():
        tables.setdefault(name, {}).update(docs)  # keyed by id: replaying twice changes nothing


class _Replay:
    """Applies journal entries above a base, noting holes, damage and duplicates."""

    def __init__(self, seq: int, tables: Tables) -> None:
        self.seq, self.tables = seq, tables
        self.lost: list[tuple[int, int]] = []
        self.tail_damaged = False
        self.from_prev = False
        self.duplicates = 0

    def file(self, raw: bytes, is_prev: bool, check: TableCheck | None) -> tuple[list[int], bool]:
        """Replay one journal; returns its damaged line numbers and whether it is cut."""
        bad: list[int] = []
        last: int | None = None
        for number, (_, line, whole) in enumerate(lines(raw), 1):
            if not whole:
                self.tail_damaged = True
                return bad, True
            try:
                entry = decode_entry(line, check)
            except Damaged:
                bad.append(number)
                self.tail_damaged = True
                continue
            seq = entry["seq"]
            if last is not None and seq <= last:
                self.duplicates += 1  # two writers on one journal: never silently
                continue
            last, self.tail_damaged = seq, False
            if seq <= self.seq:
                continue  # already in the snapshot
            if seq > self.seq + 1:
                self.lost.append((self.seq + 1, seq - 1))
            _apply(entry, self.tables)
            self.seq = seq
            self.from_prev = self.from_prev or is_prev
        return bad, False


def _read_base(path: Path, check: TableCheck | None) -> tuple[int, Tables]:
    try:
        return decode_snapshot(path.read_bytes(), check)
    except OSError as exc:
        raise Damaged(exc.strerror or str(exc)) from exc


def open_files(directory: Path, check: TableCheck | None = None) -> Opened:
    """Read the data dir (see module docstring). Sets damaged snapshots and the previous
    journal aside at once; the damaged current journal is set aside after the repair."""
    recovery = Recovery()
    undo: list[tuple[Path, Path]] = []
    notes: list[str] = []

    def set_aside(path: Path) -> Path:
        aside = aside_name(path)
        os.replace(path, aside)
        undo.append((aside, path))
        recovery.moved_aside.append(aside)
        return aside

    snapshot, backup = directory / SNAPSHOT, directory / BACKUP
    base: tuple[int, Tables] | None = None
    size = 0
    if snapshot.exists():
        try:
            base = _read_base(snapshot, check)
            size = snapshot.stat().st_size
        except Damaged as exc:
            notes.append(messages.snapshot_damaged(str(exc), set_aside(snapshot)))
    if base is None and backup.exists():
        try:
            base = _read_base(backup, check)
        except Damaged as exc:
            notes.append(messages.backup_damaged(str(exc), set_aside(backup)))
    seq, tables = base if base is not None else (0, {})
    replay = _Replay(seq, tables)
    journal_aside: Path | None = None
    unknown_after: int | None = None
    for name in (JOURNAL_PREV, JOURNAL):
        path = directory / name
        if not path.exists():
            continue
        bad, cut = replay.file(path.read_bytes(), name == JOURNAL_PREV, check)
        if not bad and not cut:
            continue
        # The previous journal is only a bridge from the backup: set it aside now. The current
        # one is needed until a clean snapshot holds what it gave: set aside after the repair.
        aside = set_aside(path) if name == JOURNAL_PREV else aside_name(path)
        if name == JOURNAL:
            journal_aside = aside
            recovery.moved_aside.append(aside)
        if bad:
            notes.append(messages.journal_damaged(name, bad, aside))
        if cut:
            recovery.cut = True
            notes.append(messages.journal_cut(name, replay.seq, aside))
    if replay.duplicates:
        notes.append(messages.duplicates(replay.duplicates))
    if replay.tail_damaged:
        unknown_after = replay.seq
    if notes:
        recovery.lost = sum(b - a + 1 for a, b in replay.lost)
        notes.append(messages.summary(replay.seq, replay.lost, unknown_after))
    recovery.messages.extend(notes)
    repair = bool(notes) or replay.from_prev or (
        not snapshot.exists() and bool(replay.seq or tables)
    )
    return Opened(replay.seq, tables, size, recovery, repair, undo, journal_aside)
