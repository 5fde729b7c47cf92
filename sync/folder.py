"""Central store on a plain folder: network share, Dropbox/OneDrive folder, USB key.

Layout::

    <root>/devices/<device>/00000001.json   immutable batch files, written only by <device>
    <root>/devices/<device>/manifest.json   derived: scope of each batch (readers skip others)

Each device only ever creates files in its own folder, and never rewrites a batch, so no lock is
needed and a sync client never sees two edits of one file (no "conflicted copies"). A batch is
written to a hidden temp file in the same folder, flushed and fsynced, then renamed into place and
the folder fsynced: once :meth:`FolderStore.push` returns, the batch is durable.

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
from collections.abc import Callable
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
from .writes import DEVICE_RE, Write

BATCH_NAME = re.compile(r"^([0-9]{8})\.json$")
MANIFEST_NAME = "manifest.json"
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


def _write_new_file(final: Path, data: bytes) -> None:
    """Durably create ``final`` with ``data`` (temp file, fsync, rename, fsync folder)."""
    if final.exists():
        raise FileExistsError(errno.EEXIST, "batch already exists", str(final))
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

    def __init__(self, root: Path, now_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.root = Path(root)
        self.devices_dir = self.root / "devices"
        self._now = now_ms

    # --- writing (a device, in its own folder only) -------------------------------------------

    def push(self, device: str, scope: str, writes: list[Write]) -> int:
        """Publish ``writes`` (all made by ``device``) as a new batch; return its seq.

        The batch is durable when this returns. An empty list writes nothing and returns the last
        seq of the device (0 if none). Raises :class:`StoreUnavailable` if the store cannot be
        written, :class:`~sync.writes.InvalidWrite` if a write is malformed or not ``device``'s.
        """
        if not DEVICE_RE.match(device):
            raise ValueError(f"invalid device id {device!r}")
        if not re.match(SCOPE_PATTERN, scope):
            raise ValueError(f"invalid scope {scope!r}")
        dev_dir = self.devices_dir / device
        self._check_root()
        try:
            if not writes:
                return max(self._listing(dev_dir)[0], default=0) if dev_dir.is_dir() else 0
            dev_dir.mkdir(parents=True, exist_ok=True)
            seq = max(self._listing(dev_dir)[0], default=0) + 1
            data = encode_batch(device, seq, scope, self._now(), writes)
            _write_new_file(dev_dir / f"{seq:08d}.json", data)
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
        """
        self._check_root()
        result = PullResult([], dict(cursor))
        try:
            entries = sorted(os.scandir(self.devices_dir), key=lambda e: e.name)
        except FileNotFoundError:
            return result  # a store nobody has pushed to yet
        except OSError as err:
            raise StoreUnavailable(self.root, _french_reason(err)) from err
        for entry in entries:
            name = entry.name
            if _ignored(name):
                continue
            if not DEVICE_RE.match(name) or not entry.is_dir():
                result.problems.append(Problem(Path(entry.path), "unexpected entry in devices/"))
                continue
            if name != exclude_device:
                self._pull_device(Path(entry.path), name, scope, result)
        result.writes = [w for b in result.batches for w in b.writes]
        return result

    def _pull_device(self, dev_dir: Path, device: str, scope: str | None, out: PullResult) -> None:
        start = out.cursor.get(device, 0)
        try:
            seqs, foreign = self._listing(dev_dir)
        except OSError as err:
            out.problems.append(Problem(dev_dir, f"cannot list folder: {err}"))
            return
        out.problems.extend(Problem(dev_dir / n, "unexpected file") for n in foreign)
        todo = [s for s in seqs if s > start]
        if not todo:
            return
        other_scope: dict[int, str] = {}
        if scope is not None:
            try:
                manifest = self._load_manifest(dev_dir, device)
            except (OSError, BadFile) as err:
                out.problems.append(Problem(dev_dir / MANIFEST_NAME, f"manifest ignored: {err}"))
                manifest = None
            if manifest is not None:
                other_scope = {
                    s: sc for sc, ss in manifest.scopes.items() if sc != scope for s in ss
                }
        expected = start + 1
        contiguous = True
        for seq in todo:
            path = dev_dir / f"{seq:08d}.json"
            if seq != expected and contiguous:
                out.problems.extend(
                    Problem(dev_dir / f"{m:08d}.json", "missing batch (not synced yet?)")
                    for m in range(expected, seq)
                )
                contiguous = False
            ok = True
            if seq not in other_scope:
                try:
                    batch = decode_batch(path, path.read_bytes(), device, seq)
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
    def _listing(dev_dir: Path) -> tuple[list[int], list[str]]:
        """Batch seqs (sorted) and unexpected file names in a device folder."""
        seqs: list[int] = []
        foreign: list[str] = []
        for name in os.listdir(dev_dir):
            m = BATCH_NAME.match(name)
            if m:
                seqs.append(int(m.group(1)))
            elif name != MANIFEST_NAME and not _ignored(name):
                foreign.append(name)
        seqs.sort()
        return seqs, sorted(foreign)

    @staticmethod
    def _load_manifest(dev_dir: Path, device: str) -> Manifest | None:
        try:
            data = (dev_dir / MANIFEST_NAME).read_bytes()
        except FileNotFoundError:
            return None
        return decode_manifest(data, device)
