"""Opening a ``fsfield-store/3`` data dir: the snapshot's header, the history's size, the journals.

Nothing proportional to the data is read: the snapshot's header (the table index), the tail of
``history.log`` past what the header covers (appends a crash left uncommitted), the current
journal, and the previous journal only when the snapshot does not already hold its last line.
Damage is handled as in opening.py (set aside as ``<name>.corrupt-<time>``, backup and journals
replayed, lost saves counted, the user told); a header from a newer fsfield is refused before
anything is moved or written.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsfield.domain.messages import describe_os_error
from fsfield.store import messages
from fsfield.store.docfiles import (
    MAGIC,
    PATCH,
    RECORD_OVERHEAD,
    Header,
    NewerFormat,
    apply_docs,
    decode_entry,
    decode_header,
    merge_patch,
    scan_records,
    unframe,
)
from fsfield.store.entries import Damaged, TableCheck, lines
from fsfield.store.opening import Recovery, aside_name

SNAPSHOT = "docs.json"
BACKUP = "docs.json.bak"
JOURNAL = "docs.journal"
JOURNAL_PREV = "docs.journal.prev"
HISTORY = "history.log"
_CHUNK = 1 << 16
_SEQ_RE = re.compile(rb'\{"seq":(\d+)')


@dataclass
class Opened:
    """The state read from disk (tables not loaded: the index, and the journals' changes)."""

    seq: int
    header: Header | None
    #: the snapshot file tables are read from (the backup if the snapshot was damaged)
    source: Path | None
    source_id: tuple[int, int, int] | None
    #: tables the journals replaced whole since the snapshot (None: dropped)
    whole: dict[str, dict[str, Any] | None]
    #: document changes the journals made since the snapshot, for tables not in ``whole``
    overlay: dict[str, dict[str, Any]]
    #: (seq, entries) of journal lines whose history is not in history.log yet
    pending: list[tuple[int, list[Any]]]
    history_size: int
    history_last: int
    recovery: Recovery
    repair: bool
    undo: list[tuple[Path, Path]] = field(default_factory=list)
    journal_aside: Path | None = None


def file_id(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_dev, st.st_ino, st.st_size


def read_header(path: Path) -> tuple[Header, tuple[int, int, int]]:
    """The header of a snapshot, reading only its first line; Damaged if unsound."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise Damaged(describe_os_error(exc)) from exc
    try:
        ident = file_id(os.fstat(fd))
        buf = b""
        while True:
            chunk = os.read(fd, _CHUNK if len(buf) < _CHUNK else len(buf))
            buf += chunk
            end = buf.find(b"\n")
            if end >= 0:
                header = decode_header(buf[:end + 1])
                # The index says where every table ends: a shorter file was cut (a snapshot
                # truncated mid-write), found here rather than when that table is first read.
                needed = end + 1 + max((o + n for o, n in header.tables.values()), default=0)
                if ident[2] < needed:
                    raise Damaged(messages.TRUNCATED)
                return header, ident
            if not chunk:
                raise Damaged(messages.TRUNCATED)
    except OSError as exc:
        raise Damaged(describe_os_error(exc)) from exc
    finally:
        os.close(fd)


def last_seq(path: Path) -> int | None:
    """The seq of a journal's last line, reading the file from its end; None if that line is
    not sound (the whole journal is then read, with the usual damage handling)."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        f.seek(size - 1)
        if f.read(1) != b"\n":
            return None
        pos, chunks = size - 1, []  # the last line, newline excluded, read backwards
        while pos > 0:
            step = min(_CHUNK, pos)
            pos -= step
            f.seek(pos)
            chunk = f.read(step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                chunks.append(chunk[cut + 1:])
                break
            chunks.append(chunk)
        line = b"".join(reversed(chunks))
    body = unframe(memoryview(line))
    match = _SEQ_RE.match(bytes(body[:32])) if body is not None else None
    return int(match.group(1)) if match else None


def check_history(directory: Path, size: int, last: int, notes: list[str],
                  aside: list[Path]) -> tuple[int, int, bool]:
    """(size, last seq) of history.log as it stands once made sound, and whether records a
    crash left past the header were kept (the header should be rewritten)."""
    path = directory / HISTORY
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        actual = 0
    if actual == size:
        return size, last, False
    if actual > size:
        with open(path, "rb") as f:
            f.seek(max(size - 4, 0))
            raw = f.read()
        tail = raw[4:] if size else raw
        if size == 0 or raw[:4] == MAGIC:
            end, found, kept, sound = size, last, False, True
            for record in scan_records(tail, size):
                if record.entries is None or record.seq <= found:
                    sound = False
                    break
                end, found, kept = record.end, record.seq, True
            rest = tail[end - size:]
            if sound and (not rest or _cut_append(rest)):
                if rest:  # an append a crash cut short, never committed: cut it away
                    _truncate(path, end)
                return end, found, kept
    # The file does not match the header (damage, or a rewrite cut short): read it all.
    raw = path.read_bytes() if actual else b""
    end, found, bad = 0, 0, 0
    for record in scan_records(raw):
        bad += record.entries is None
        end, found = record.end, max(found, record.seq)
    if bad:
        notes.append(messages.history_bad_records(bad))
    if end < actual:
        copy = aside_name(path)
        shutil.copyfile(path, copy)
        aside.append(copy)
        notes.append(messages.history_garbage(copy))
        _truncate(path, end)
    if found < last:
        notes.append(messages.history_shorter(found))
    return end, found, True


def _cut_append(rest: bytes) -> bool:
    """Whether ``rest`` is the start of a record whose end was never written."""
    if len(rest) < len(MAGIC):
        return MAGIC.startswith(rest)
    if rest[:4] != MAGIC or len(rest) < RECORD_OVERHEAD - 8:
        return rest[:4] == MAGIC
    length = int.from_bytes(rest[12:16], "big")
    return RECORD_OVERHEAD + length > len(rest)


def _truncate(path: Path, size: int) -> None:
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


class _Replay:
    """Applies journal entries above the snapshot's seq (as opening.py: holes, damage)."""

    def __init__(self, seq: int, history_last: int) -> None:
        self.seq, self.history_last = seq, history_last
        self.whole: dict[str, dict[str, Any] | None] = {}
        self.overlay: dict[str, dict[str, Any]] = {}
        self.pending: list[tuple[int, list[Any]]] = []
        self.lost: list[tuple[int, int]] = []
        self.tail_damaged = False
        self.from_prev = False
        self.duplicates = 0

    def apply(self, entry: dict[str, Any]) -> None:
        for name, table in entry["t"].items():
            self.whole[name] = table
            self.overlay.pop(name, None)
        for name, docs in entry["u"].items():
            if name in self.whole:
                table = self.whole[name]
                if table is None:
                    table = self.whole[name] = {}
                apply_docs(table, docs)
            else:  # the table is read later: its changes wait, patches merged in order
                waiting = self.overlay.setdefault(name, {})
                for key, doc in docs.items():
                    older = waiting.get(key)
                    if doc is not None and PATCH in doc and older is not None:
                        doc = merge_patch(older, doc)
                    waiting[key] = doc

    def file(self, raw: bytes, is_prev: bool, check: TableCheck | None) -> tuple[list[int], bool]:
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
                self.duplicates += 1
                continue
            last, self.tail_damaged = seq, False
            if entry["h"] and seq > self.history_last and (
                    not self.pending or self.pending[-1][0] < seq):
                self.pending.append((seq, entry["h"]))
            if seq <= self.seq:
                continue
            if seq > self.seq + 1:
                self.lost.append((self.seq + 1, seq - 1))
            self.apply(entry)
            self.seq = seq
            self.from_prev = self.from_prev or is_prev
        return bad, False


def open_dir(directory: Path, check: TableCheck | None = None) -> Opened:
    """Read the data dir (module docstring). A newer format raises NewerFormat, nothing moved."""
    recovery = Recovery()
    undo: list[tuple[Path, Path]] = []
    notes: list[str] = []
    snapshot, backup = directory / SNAPSHOT, directory / BACKUP

    def attempt(path: Path) -> tuple[Header, tuple[int, int, int]] | Damaged | None:
        if not path.exists():
            return None
        try:
            return read_header(path)
        except NewerFormat:
            raise
        except Damaged as exc:
            return exc

    def set_aside(path: Path) -> Path:
        aside = aside_name(path)
        os.replace(path, aside)
        undo.append((aside, path))
        recovery.moved_aside.append(aside)
        return aside

    found = attempt(snapshot)
    source: Path | None = snapshot
    if isinstance(found, Damaged) or found is None:
        fallback = attempt(backup) if backup.exists() else None
        if isinstance(found, Damaged):
            notes.append(messages.snapshot_damaged(str(found), set_aside(snapshot)))
        if isinstance(fallback, Damaged):
            notes.append(messages.backup_damaged(str(fallback), set_aside(backup)))
            fallback = None
        found, source = fallback, backup if fallback is not None else None
    header, source_id = found if found is not None else (None, None)
    hsize, hlast = (header.history_size, header.history_last) if header else (0, 0)
    hsize, hlast, history_kept = check_history(directory, hsize, hlast, notes,
                                               recovery.moved_aside)
    replay = _Replay(header.seq if header else 0, hlast)
    journal_aside: Path | None = None
    for name in (JOURNAL_PREV, JOURNAL):
        path = directory / name
        if not path.exists():
            continue
        if name == JOURNAL_PREV and header is not None:
            covered = last_seq(path)
            if covered is not None and covered <= header.seq:
                continue  # every line of it is in the snapshot: not even read
        bad, cut = replay.file(path.read_bytes(), name == JOURNAL_PREV, check)
        if not bad and not cut:
            continue
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
    if notes:
        recovery.lost = sum(b - a + 1 for a, b in replay.lost)
        notes.append(messages.summary(replay.seq, replay.lost,
                                      replay.seq if replay.tail_damaged else None))
    recovery.messages.extend(notes)
    repair = bool(notes) or replay.from_prev or history_kept or source == backup or (
        not snapshot.exists() and bool(replay.seq)
    )
    return Opened(
        replay.seq, header, source, source_id, replay.whole, replay.overlay, replay.pending,
        hsize, hlast, recovery, repair, undo, journal_aside,
    )
