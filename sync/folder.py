"""Central store on a plain folder: network share, Dropbox/OneDrive folder, USB key.

Layout (format 2, see docs/sync-model.md)::

    <root>/format-2                          create-only: the folder's format
    <root>/store-<uuid>                      create-only identity marker (smallest uuid wins)
    <root>/devices/<device>/<created_ms>-<scope>-<digest>.json   immutable batch files

Each device only ever creates files in its own folder and never rewrites one, so no lock is
needed and a sync client never sees two edits of one file. A batch is written to a hidden temp
file in the same folder, flushed and fsynced, then linked into place (never replacing a file) and
the folder fsynced: once :meth:`FolderStore.push` returns, the batch is durable. Batch names carry
a digest of their bytes, so they never repeat.

Everything read is validated; a bad, truncated or foreign file is reported as a :class:`Problem`
(a code and parameters, worded by the app) and skipped, never deleted and never fatal. Links
resolving outside the root are never followed.
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .batch import (
    BATCH_NAME,
    MAX_BATCH_BYTES,
    SCOPE_PATTERN,
    BadFile,
    Batch,
    batch_name,
    decode_batch,
    digest_of,
    encode_batch,
)
from .durable import create_new_file, write_new_file
from .hlc import wall_clock_ms
from .writes import DEVICE_RE, Write, gc_paused

FORMAT = 2
"""The central folder format this code reads and writes."""
_FORMAT_FILE = re.compile(r"format-([0-9]{1,6})")
_MARKER = re.compile(r"store-([0-9a-f]{32})")
DEVICES = "devices"
def _scope_of(name: str) -> str:
    return name[:-5].rsplit("-", 1)[0].split("-", 1)[1]
# Files operating systems and sync clients drop everywhere; hidden names (ours: temp files) too.
_IGNORED_NAMES = frozenset({"desktop.ini", "Thumbs.db", "Icon\r", "$RECYCLE.BIN",
                            "System Volume Information"})


@dataclass(frozen=True, slots=True)
class Problem:
    """A store file that was skipped, and why (``code`` and ``params``). It is left untouched.

    Codes: ``foreign_file``, ``foreign_entry`` (in ``devices/``), ``not_a_folder``,
    ``link_outside``, ``unreadable`` (``errno``), ``dot_collision`` (``dot``), and the codes of
    :class:`~sync.batch.BadFile`.
    """

    path: Path
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchRef:
    """A batch file found in a listing (not read yet)."""

    device: str
    name: str
    path: str
    scope: str


@dataclass(slots=True)
class Listing:
    """Batch files of one scope per device folder, and the problems met while listing."""

    batches: dict[str, dict[str, BatchRef]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def refs(self) -> list[BatchRef]:
        """Every batch found, in a stable order (device, then name: creation time)."""
        return [r for d in sorted(self.batches) for _, r in sorted(self.batches[d].items())]


class StoreUnavailable(Exception):
    """The central store cannot be used at all; ``code`` says why (worded by the app).

    Codes: ``missing``, ``not_a_folder``, ``read_only``, ``denied``, ``full``, ``not_a_store``
    (a non-empty folder that is no central store), ``newer_format`` (``params["found"]``),
    ``new_store_refused`` (empty folder, creating a store was not allowed), ``other``.
    """

    def __init__(self, path: Path, code: str, **params: Any) -> None:
        super().__init__(f"central store unavailable: {path} ({code})")
        self.path = path
        self.code = code
        self.params = params


def unavailable_code(err: OSError) -> str:
    """The :class:`StoreUnavailable` code of an ``OSError``."""
    if isinstance(err, FileNotFoundError):
        return "missing"
    if isinstance(err, NotADirectoryError):
        return "not_a_folder"
    if err.errno == errno.EROFS:
        return "read_only"
    if isinstance(err, PermissionError) or err.errno in (errno.EACCES, errno.EPERM):
        return "denied"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    return "other"


def _unavailable(root: Path, err: OSError) -> StoreUnavailable:
    return StoreUnavailable(root, unavailable_code(err), errno=err.errno or 0)


_JUNCTIONS = os.name == "nt"
"""Windows folders can be junctions, which are no symlinks to ``islink``: resolve them all."""


def _maybe_link(path: str) -> bool:
    return _JUNCTIONS or os.path.islink(path)


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_NAMES


class FolderStore:
    """The central store in folder ``root``, which must exist: a missing root usually means an
    unmounted share or an unplugged key, and must not be silently recreated on the local disk.

    The root is resolved once (first use); no path inside it that resolves outside is followed.
    """

    def __init__(self, root: Path, now_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.given = Path(root)
        self._root: Path | None = None
        self._now = now_ms

    @property
    def root(self) -> Path:
        """The resolved root (resolved on first use)."""
        if self._root is None:
            try:
                st = os.stat(self.given)
            except OSError as err:
                raise _unavailable(self.given, err) from err
            if not os.path.isdir(self.given) or st is None:
                raise StoreUnavailable(self.given, "not_a_folder")
            self._root = self.given.resolve()
        return self._root

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` if the root is gone (unplugged, unmounted)."""
        root = self.root
        try:
            os.stat(root)
        except OSError as err:
            raise _unavailable(self.given, err) from err

    @property
    def devices_dir(self) -> Path:
        """``<root>/devices``."""
        return self.root / DEVICES

    def _inside(self, path: str) -> bool:
        """True if ``path`` (a link) resolves inside the root."""
        try:
            real = os.path.realpath(path)
        except OSError:
            return False
        root = str(self.root)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    # --- identity -----------------------------------------------------------------------------

    def identify(self, create: bool = True) -> tuple[str, bool]:
        """The store's identity and whether this call created it.

        An existing empty folder (or one holding only ``devices/``: a store of format 1, or one
        whose marker was lost) becomes a store when ``create`` (else ``new_store_refused``).
        Raises :class:`StoreUnavailable`: missing root, a newer format (``newer_format``, never
        written to), a non-empty folder that is no store (``not_a_store``).
        """
        root = self.root
        markers, formats, other = self._root_entries()
        newer = [n for n in formats if n > FORMAT]
        if newer:
            raise StoreUnavailable(root, "newer_format", found=max(newer))
        if markers:
            return min(markers), False
        if other - {DEVICES}:
            raise StoreUnavailable(root, "not_a_store")
        if not create:
            raise StoreUnavailable(root, "new_store_refused", empty=not other)
        try:
            if FORMAT not in formats:
                self._create_marker(f"format-{FORMAT}")
            self._create_marker(f"store-{uuid.uuid4().hex}")
        except OSError as err:
            raise _unavailable(root, err) from err
        markers, _, _ = self._root_entries()
        return min(markers), True  # another laptop may have made one at the same time

    def is_empty(self) -> bool:
        """True if the root holds nothing but hidden and system files."""
        markers, formats, other = self._root_entries()
        return not (markers or formats or other)

    def _root_entries(self) -> tuple[list[str], list[int], set[str]]:
        try:
            names = os.listdir(self.root)
        except OSError as err:
            raise _unavailable(self.root, err) from err
        markers, formats, other = [], [], set()
        for name in names:
            if (m := _MARKER.fullmatch(name)) is not None:
                markers.append(m.group(1))
            elif (m := _FORMAT_FILE.fullmatch(name)) is not None:
                formats.append(int(m.group(1)))
            elif not _ignored(name):
                other.add(name)
        return markers, formats, other

    def _create_marker(self, name: str) -> None:
        create_new_file(self.root / name, b"fsfield\n")

    # --- writing (a device, in its own folder only) -------------------------------------------

    def push(self, device: str, scope: str, writes: list[Write]) -> str:
        """Publish ``writes`` (own or relayed) as a new batch of ``device``; return its name.

        The batch is durable when this returns. Raises :class:`StoreUnavailable` if the store
        cannot be written, :class:`~sync.writes.InvalidWrite` if a write is malformed.
        """
        if not DEVICE_RE.fullmatch(device):
            raise ValueError(f"invalid device id {device!r}")
        if not re.fullmatch(SCOPE_PATTERN, scope):
            raise ValueError(f"invalid scope {scope!r}")
        root = self.root
        dev_dir = self.devices_dir / device
        try:
            if not os.path.isdir(root):
                raise StoreUnavailable(self.given, "missing")
            for path in (self.devices_dir, dev_dir):
                if _maybe_link(str(path)) and not self._inside(str(path)):
                    raise StoreUnavailable(root, "link_outside")
            dev_dir.mkdir(parents=True, exist_ok=True)
            for _ in range(10):
                created = self._now()
                data = encode_batch(device, scope, created, writes)
                name = batch_name(created, scope, data)
                try:
                    write_new_file(dev_dir / name, data)
                    return name
                except FileExistsError:
                    continue  # same bytes in the same millisecond: the batch is already there
        except OSError as err:
            raise _unavailable(root, err) from err
        return name  # pragma: no cover - ten identical batches: the file with those bytes exists

    # --- reading ------------------------------------------------------------------------------

    def list(self, scope: str | None) -> Listing:
        """Every batch file of ``scope`` (all scopes if None), per device folder, without
        opening any; problems for foreign files, links out of the store, unreadable folders.
        Costs one directory listing per device folder and a name match per file."""
        out = Listing()
        devices_dir = str(self.devices_dir)
        try:
            if _maybe_link(devices_dir) and not self._inside(devices_dir):
                out.problems.append(Problem(Path(devices_dir), "link_outside"))
                return out
            entries = sorted(os.scandir(devices_dir), key=lambda e: e.name)
        except FileNotFoundError:
            if not os.path.isdir(self.root):
                raise StoreUnavailable(self.given, "missing") from None
            return out  # a store nobody has pushed to yet
        except NotADirectoryError:
            out.problems.append(Problem(Path(devices_dir), "not_a_folder"))
            return out
        except OSError as err:
            raise _unavailable(self.root, err) from err
        for entry in entries:
            name = entry.name
            if _ignored(name):
                continue
            path = Path(entry.path)
            if (entry.is_symlink() or _JUNCTIONS) and not self._inside(entry.path):
                out.problems.append(Problem(path, "link_outside"))
            elif not DEVICE_RE.fullmatch(name):
                out.problems.append(Problem(path, "foreign_entry"))
            elif not entry.is_dir():
                out.problems.append(Problem(path, "not_a_folder"))
            else:
                self._list_device(entry.path, name, scope, out)
        return out

    def _list_device(self, dev_dir: str, device: str, scope: str | None, out: Listing) -> None:
        # A sync with nothing new is mostly this, for every file of every device folder: one
        # listdir per folder, then string tests that run in C; the batch-name regex only runs on
        # the names of our scope and on names not shaped like a batch (foreign files). A name
        # shaped like another scope's batch is never opened, so it is not checked further.
        # Links are checked when a batch is read (only new batches are read).
        try:
            names = os.listdir(dev_dir)
        except OSError as err:
            out.problems.append(Problem(Path(dev_dir), "unreadable", {"errno": err.errno or 0}))
            return
        if not names:
            return
        shaped = [n for n in names if n[-5:] == ".json" and n[-38:-37] == "-"]
        match = BATCH_NAME.fullmatch
        foreign = set()
        if len(shaped) != len(names):
            foreign = {n for n in names if match(n) is None and not _ignored(n)}
        if scope is not None:
            tail = f"-{scope}-"
            batches = [n for n in shaped if tail in n]
            bad = {n for n in batches if match(n) is None or _scope_of(n) != scope}
            foreign |= {n for n in bad if match(n) is None}
            batches = [n for n in batches if n not in bad] if bad else batches
        else:
            batches = [n for n in shaped if match(n) is not None]
        for name in sorted(foreign):
            out.problems.append(Problem(Path(dev_dir, name), "foreign_file"))
        if not batches:
            return
        prefix = dev_dir + os.sep
        if scope is not None:
            found = {n: BatchRef(device, n, prefix + n, scope) for n in batches}
        else:
            found = {n: BatchRef(device, n, prefix + n, _scope_of(n)) for n in batches}
        out.batches[device] = found

    def read(self, ref: BatchRef) -> Batch:
        """Read and validate one listed batch. Raises :class:`~sync.batch.BadFile` (the file is
        bad, or a link out of the store: never opened) or ``OSError`` (it cannot be read)."""
        if os.path.islink(ref.path) and not self._inside(ref.path):
            raise BadFile("link_outside")
        with open(ref.path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BATCH_BYTES:
                raise BadFile("too_large", size=size)
            data = f.read()
        if digest_of(data) != ref.name.rsplit("-", 1)[1][:-5]:
            raise BadFile("damaged_batch")
        return decode_batch(Path(ref.path), data, ref.device, ref.scope)

    def read_all(self, scope: str | None) -> tuple[list[Batch], list[Problem]]:
        """Every valid batch of ``scope`` and the problems met (tests, verification)."""
        listing = self.list(scope)
        batches, problems = [], list(listing.problems)
        with gc_paused():  # tens of thousands of objects, no cycles
            for ref in listing.refs():
                try:
                    batches.append(self.read(ref))
                except BadFile as err:
                    problems.append(Problem(Path(ref.path), err.code, err.params))
                except OSError as err:
                    code = {"errno": err.errno or 0}
                    problems.append(Problem(Path(ref.path), "unreadable", code))
        return batches, problems
