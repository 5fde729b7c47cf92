"""Central store on a plain folder: network share, Dropbox/OneDrive folder, USB key.

Layout::

    <root>/devices/<device>/00000001.json   immutable batch files, written only by <device>
    <root>/devices/<device>/manifest.json   derived: scope of each batch (readers skip others)

Each device only ever creates files in its own folder, and never rewrites a batch, so no lock is
needed and a sync client never sees two edits of one file (no "conflicted copies"). A batch is
written to a hidden temp file in the same folder, flushed and fsynced, then linked into place
(never replacing a batch) and the folder fsynced: once :meth:`FolderStore.push` returns, the batch
is durable.

Readers take the union of all batches. Everything read is validated; a bad, truncated or foreign
file is reported as a :class:`Problem` and skipped, never deleted and never fatal. The manifest is
only used to skip batches it says belong to another scope; a missing, stale or bad manifest only
costs reading more batch files.
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batch import (
    SCOPE_PATTERN,
    BadFile,
    Batch,
    Manifest,
    decode_batch,
    decode_manifest,
    encode_batch,
    encode_manifest,
)
from .hlc import wall_clock_ms
from .writes import DEVICE_RE, Write, gc_paused

BATCH_NAME = re.compile(r"([0-9]{8})\.json")
"""Use with ``fullmatch``."""
# Batch names inside a NUL-joined directory listing (NUL cannot occur in a file name): one regex
# call per folder instead of one per file, which is most of the cost of a sync with nothing new.
_BATCH_NAMES_IN_LISTING = re.compile(r"(?<![^\0])([0-9]{8})\.json(?![^\0])")
MANIFEST_NAME = "manifest.json"
_SEQ_ATTEMPTS = 50
# Files operating systems and sync clients drop everywhere; hidden names (ours: temp files) too.
_IGNORED_NAMES = frozenset({"desktop.ini", "Thumbs.db", "Icon\r"})


@dataclass(frozen=True, slots=True)
class Problem:
    """A store file that was skipped, and why. The file is left untouched."""

    path: Path
    reason: str


@dataclass(slots=True)
class PullResult:
    """Writes read above the cursor, the advanced cursor, and the problems met."""

    writes: list[Write]
    cursor: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)


class StoreUnavailable(Exception):
    """The central store cannot be used at all (missing, unplugged, read-only, full).

    ``str(exc)`` is a French message ready for the UI.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Stockage central inaccessible : {path} ({reason})")
        self.path = path
        self.reason = reason


def _french_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "dossier introuvable"
    if isinstance(err, NotADirectoryError):
        return "ce n'est pas un dossier"
    if err.errno == errno.EROFS:
        return "support en lecture seule"
    if isinstance(err, PermissionError) or err.errno in (errno.EACCES, errno.EPERM):
        return "accès refusé (dossier en lecture seule ?)"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "espace disque insuffisant"
    return err.strerror or str(err)


def _batch_file(dev_dir: str, seq: int) -> str:
    return f"{dev_dir}{os.sep}{seq:08d}.json"


def _exists(path: str) -> bool:
    # os.access, not os.path.exists: no exception raised and caught for a missing file, which is
    # the usual answer, once per device folder and sync.
    return os.access(path, os.F_OK)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_NAMES


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory; NTFS journals the rename itself.
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# errno values meaning "this file system has no hard links" (FAT/exFAT keys, some SMB shares).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV}


def _write_new_file(final: Path, data: bytes) -> None:
    """Durably create ``final`` with ``data``, never replacing an existing file.

    Temp file in the same folder, flush + fsync, then a hard link to the final name, which fails
    if the name is taken (two processes pushing as the same device cannot overwrite each other's
    batch). Where hard links do not exist, falls back to check-then-rename. Raises
    FileExistsError if ``final`` exists.
    """
    if final.exists():
        raise FileExistsError(errno.EEXIST, "batch already exists", str(final))
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, final)
        except FileExistsError:
            raise
        except OSError as err:
            if err.errno not in _NO_HARD_LINKS:
                raise
            if final.exists():
                raise FileExistsError(errno.EEXIST, "batch already exists", str(final)) from None
            os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(final.parent)


def _replace_file(final: Path, data: bytes) -> None:
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class FolderStore:
    """The central store in folder ``root`` (which must exist: a missing root usually means an
    unmounted share or an unplugged key, and must not be silently recreated on the local disk)."""

    def __init__(
        self,
        root: Path,
        now_ms: Callable[[], int] = wall_clock_ms,
        hints: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        self.root = Path(root)
        self.devices_dir = self.root / "devices"
        self._now = now_ms
        # Devices whose folder was fully listed by this instance: afterwards a pull only lists a
        # folder again when the batch right after the cursor exists (one stat per device).
        self._listed: set[str] = set()
        self.hints: dict[str, tuple[int, int]] = {}
        """Per device folder found clean when last listed: (folder mtime_ns before that listing,
        the device's cursor after it). Keep it with the cursor and pass it back to the next
        instance (a new process) to spare listing unchanged folders; see :meth:`pull`."""
        for device, hint in (hints or {}).items():  # local data, but never worth a crash
            if type(hint) in (list, tuple) and len(hint) == 2:
                mtime, seq = hint
                if type(mtime) is int and type(seq) is int:
                    self.hints[device] = (mtime, seq)

    # --- writing (a device, in its own folder only) -------------------------------------------

    def push(self, device: str, scope: str, writes: list[Write]) -> int:
        """Publish ``writes`` (all made by ``device``) as a new batch; return its seq.

        The batch is durable when this returns. An empty list writes nothing and returns the last
        seq of the device (0 if none). Raises :class:`StoreUnavailable` if the store cannot be
        written, :class:`~sync.writes.InvalidWrite` if a write is malformed or not ``device``'s.
        """
        if not DEVICE_RE.fullmatch(device):
            raise ValueError(f"invalid device id {device!r}")
        if not re.fullmatch(SCOPE_PATTERN, scope):
            raise ValueError(f"invalid scope {scope!r}")
        dev_dir = self.devices_dir / device
        self._check_root()
        try:
            if not writes:
                return max(self._listing(dev_dir)[0], default=0) if dev_dir.is_dir() else 0
            dev_dir.mkdir(parents=True, exist_ok=True)
            for _ in range(_SEQ_ATTEMPTS):
                seq = max(self._listing(dev_dir)[0], default=0) + 1
                data = encode_batch(device, seq, scope, self._now(), writes)
                try:
                    _write_new_file(dev_dir / f"{seq:08d}.json", data)
                    break
                except FileExistsError:
                    continue  # another process of this device took the seq: take the next one
            else:
                raise StoreUnavailable(self.root, "lot impossible à numéroter")
        except OSError as err:
            raise StoreUnavailable(self.root, _french_reason(err)) from err
        self._update_manifest(dev_dir, device, seq, scope)
        return seq

    def _update_manifest(self, dev_dir: Path, device: str, seq: int, scope: str) -> None:
        # Derived data: a failure here leaves a stale manifest, which readers tolerate. The batch
        # is already durable, so the push must still be reported as done.
        try:
            manifest = self._load_manifest(dev_dir, device)
            if manifest is None or manifest.last_seq != seq - 1:
                manifest = self.rebuild_manifest(device)
            else:
                manifest.scopes.setdefault(scope, []).append(seq)
                manifest = Manifest(device, seq, manifest.scopes)
                _replace_file(dev_dir / MANIFEST_NAME, encode_manifest(manifest))
        except (OSError, BadFile):
            pass

    def rebuild_manifest(self, device: str) -> Manifest:
        """Recompute ``device``'s manifest from its batch files and write it (owner device only).

        Unreadable batches are left out, so readers will open them rather than skip them.
        """
        dev_dir = self.devices_dir / device
        seqs, _ = self._listing(dev_dir)
        scopes: dict[str, list[int]] = {}
        for seq in seqs:
            path = dev_dir / f"{seq:08d}.json"
            try:
                batch = decode_batch(path, path.read_bytes(), device, seq)
            except (OSError, BadFile):
                continue
            scopes.setdefault(batch.scope, []).append(seq)
        manifest = Manifest(device, max(seqs, default=0), scopes)
        _replace_file(dev_dir / MANIFEST_NAME, encode_manifest(manifest))
        return manifest

    # --- reading ------------------------------------------------------------------------------

    def pull(
        self,
        cursor: dict[str, int],
        scope: str | None,
        exclude_device: str | None = None,
    ) -> PullResult:
        """Read every batch above ``cursor`` (device -> last seq read), of ``scope`` if given.

        The returned cursor only advances over batches that were read (or known to be of another
        scope) without a gap, so a batch a sync client has not delivered yet, or a bad file, is
        retried next time; batches after it are still returned (resending is harmless).

        A device folder is listed in full (reporting gaps and foreign files) the first time this
        instance pulls it; later pulls only list it again when the batch right after the cursor
        exists. Keep one instance per session to make syncs with little news cheap.

        Across instances (each ``fsfield sync`` is a new process), :attr:`hints` spare listing a
        folder that was clean (no gap, no foreign or bad file, everything read) when last listed:
        it is skipped when its mtime is the one recorded then, the cursor is the one reached then,
        and the batch right after the cursor does not exist. The mtime is only a hint: a batch
        delivered out of order (with a gap before it) into a folder whose mtime did not change
        (timestamps as coarse as 2 s, a sync client restoring times) is read when the gap fills,
        as within a session; the cursor never passes a batch that was not read.
        """
        self._check_root()
        result = PullResult([], dict(cursor))
        try:
            entries = sorted(os.scandir(self.devices_dir), key=lambda e: e.name)
        except FileNotFoundError:
            return result  # a store nobody has pushed to yet
        except OSError as err:
            raise StoreUnavailable(self.root, _french_reason(err)) from err
        with gc_paused():  # a first sync builds tens of thousands of objects, no cycles
            for entry in entries:
                name = entry.name
                if _ignored(name):
                    continue
                if not DEVICE_RE.fullmatch(name) or not entry.is_dir():
                    problem = Problem(Path(entry.path), "unexpected entry in devices/")
                    result.problems.append(problem)
                    continue
                if name != exclude_device:
                    self._pull_device(entry, name, scope, result)
        result.writes = [w for b in result.batches for w in b.writes]
        return result

    def _pull_device(
        self, entry: os.DirEntry[str], device: str, scope: str | None, out: PullResult
    ) -> None:
        dev_dir = entry.path
        start = out.cursor.get(device, 0)
        listed = device in self._listed
        if listed and not _exists(_batch_file(dev_dir, start + 1)):
            return  # listed earlier in this session and nothing new right after the cursor
        try:
            mtime: int | None = entry.stat().st_mtime_ns  # before listing: later changes show
        except OSError:
            mtime = None
        if (
            not listed
            and mtime is not None
            and self.hints.get(device) == (mtime, start)
            and not _exists(_batch_file(dev_dir, start + 1))
        ):
            self._listed.add(device)
            return  # unchanged since a clean listing that left the cursor where it is
        self.hints.pop(device, None)
        try:
            seqs, foreign = self._listing(dev_dir)
        except OSError as err:
            out.problems.append(Problem(Path(dev_dir), f"cannot list folder: {err}"))
            return
        self._listed.add(device)
        out.problems.extend(Problem(Path(dev_dir, n), "unexpected file") for n in foreign)
        problems = len(out.problems)
        self._read_batches(dev_dir, device, seqs, scope, out)
        end = out.cursor.get(device, 0)
        if mtime is not None and not foreign and len(out.problems) == problems:
            if end == (seqs[-1] if seqs else 0):
                self.hints[device] = (mtime, end)

    def _read_batches(
        self, dev_dir: str, device: str, seqs: list[int], scope: str | None, out: PullResult
    ) -> None:
        start = out.cursor.get(device, 0)
        todo = [s for s in seqs if s > start]
        if not todo:
            return
        other_scope: dict[int, str] = {}
        if scope is not None:
            try:
                manifest = self._load_manifest(dev_dir, device)
            except (OSError, BadFile) as err:
                problem = Problem(Path(dev_dir, MANIFEST_NAME), f"manifest ignored: {err}")
                out.problems.append(problem)
                manifest = None
            if manifest is not None:
                other_scope = {
                    s: sc for sc, ss in manifest.scopes.items() if sc != scope for s in ss
                }
        expected = start + 1
        contiguous = True
        for seq in todo:
            if seq != expected and contiguous:
                out.problems.extend(
                    Problem(Path(_batch_file(dev_dir, m)), "missing batch (not synced yet?)")
                    for m in range(expected, seq)
                )
                contiguous = False
            ok = True
            if seq not in other_scope:
                name = _batch_file(dev_dir, seq)
                path = Path(name)
                try:
                    batch = decode_batch(path, _read(name), device, seq)
                except (OSError, BadFile) as err:
                    out.problems.append(Problem(path, str(err)))
                    ok = False
                else:
                    if scope is None or batch.scope == scope:
                        out.batches.append(batch)
            if contiguous and ok:
                expected = seq + 1
            else:
                contiguous = False
        if expected - 1 > start:
            out.cursor[device] = expected - 1

    def verify(self) -> list[Problem]:
        """Read the whole store: every bad batch file, and every manifest entry contradicting the
        batch files it summarises (fix those with :meth:`rebuild_manifest` on the owner device)."""
        result = self.pull({}, None)
        problems = list(result.problems)
        scope_of = {(b.device, b.seq): b.scope for b in result.batches}
        for device in sorted({b.device for b in result.batches}):
            dev_dir = self.devices_dir / device
            try:
                manifest = self._load_manifest(dev_dir, device)
            except (OSError, BadFile) as err:
                problems.append(Problem(dev_dir / MANIFEST_NAME, str(err)))
                continue
            if manifest is None:
                continue
            for sc, seqs in manifest.scopes.items():
                for seq in seqs:
                    if scope_of.get((device, seq), sc) != sc:
                        problems.append(
                            Problem(dev_dir / MANIFEST_NAME, f"batch {seq} is not of scope {sc}")
                        )
        return problems

    # --- helpers ------------------------------------------------------------------------------

    def _check_root(self) -> None:
        try:
            if not self.root.is_dir():
                reason = "dossier introuvable" if not self.root.exists() else "pas un dossier"
                raise StoreUnavailable(self.root, reason)
        except OSError as err:
            raise StoreUnavailable(self.root, _french_reason(err)) from err

    @staticmethod
    def _listing(dev_dir: Path | str) -> tuple[list[int], list[str]]:
        """Batch seqs (sorted) and unexpected file names in a device folder."""
        names = os.listdir(dev_dir)
        seqs = sorted(map(int, _BATCH_NAMES_IN_LISTING.findall("\0".join(names))))
        if len(seqs) + 1 >= len(names) and (len(seqs) == len(names) or MANIFEST_NAME in names):
            return seqs, []  # nothing but batches and the manifest
        foreign = [
            n
            for n in names
            if not BATCH_NAME.fullmatch(n) and n != MANIFEST_NAME and not _ignored(n)
        ]
        return seqs, sorted(foreign)

    @staticmethod
    def _load_manifest(dev_dir: Path | str, device: str) -> Manifest | None:
        try:
            data = _read(os.path.join(dev_dir, MANIFEST_NAME))
        except FileNotFoundError:
            return None
        return decode_manifest(data, device)
