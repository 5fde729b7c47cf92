"""One process per data dir, and a check at each save that this process still owns it.

Deleting a lock file must not let a second process in (issue #8, case 5):

* POSIX: the data dir *itself* is locked (``flock`` on a descriptor of the folder), then the
  lock file. Deleting or replacing ``fsfield.lock`` does not release the folder's lock; a
  filesystem that cannot lock folders (some network shares) falls back on the lock file.
* Windows: the lock file is locked with ``msvcrt.locking``; Windows refuses to delete or rename
  a file that a process holds open, so the file cannot be swapped under us.
* Both: after locking, the file at the path must be the file we locked (same ``st_dev`` and
  ``st_ino``: inode on POSIX, file index on Windows), else another process replaced it between
  our open and our lock and we start again. Every lock dies with its process: no stale lock.

``verify()`` runs before each save: the folder must still be the one locked (not moved or
replaced, e.g. restored from a copy while fsfield runs) and the lock file still ours. A deleted
or replaced lock file is taken again when nobody else holds it; if someone does, this process
has lost the data dir and the save is refused (``DataDirLost``). The storage also checks that
nobody else appended to or replaced its journal (storage.py), so a writer that ignores locks
altogether cannot make this process write over its saves either.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fsfield.store import messages
from fsfield.store.storage import DataDirLost, StoreError

LOCK_NAME = "fsfield.lock"

if os.name == "nt":  # pragma: no cover - exercised on Windows laptops
    import msvcrt

    def _lock_fd(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


class StoreLocked(StoreError):
    """Another fsfield process holds this data dir."""


class DataDirLock:
    """Exclusive ownership of a data dir for this process (see module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOCK_NAME
        self._dir_fd: int | None = None
        self._dir_id: tuple[int, int] | None = None
        self._fd: int | None = None
        self._file_id: tuple[int, int] | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreLocked (or StoreError) with a message for the user."""
        try:
            self._lock_directory()
            if not self._lock_file():
                self.release()
                raise StoreLocked(messages.locked(self.directory))
        except OSError as exc:
            self.release()
            raise StoreError(messages.dir_unusable(self.directory, exc.strerror or str(exc))) from exc

    def _lock_directory(self) -> None:
        if os.name == "nt":
            return  # folders cannot be opened as files there; the lock file cannot be deleted
        fd = os.open(self.directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            locked = _lock_fd(fd)
        except OSError:  # this filesystem cannot lock a folder: the lock file alone
            os.close(fd)
            return
        if not locked:
            os.close(fd)
            raise StoreLocked(messages.locked(self.directory))
        self._dir_fd, self._dir_id = fd, _identity(os.fstat(fd))

    def _lock_file(self) -> bool:
        """Lock the file at ``self.path`` (made if missing); False if another process holds it."""
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _lock_fd(fd):
                os.close(fd)
                return False
            held = _identity(os.fstat(fd))
            try:
                current = _identity(os.stat(self.path))
            except FileNotFoundError:
                current = None
            if current == held:  # not replaced between our open and our lock
                self._fd, self._file_id = fd, held
                return True
            _unlock_fd(fd)
            os.close(fd)
        return False

    def verify(self) -> None:
        """Raise DataDirLost unless this process still owns the data dir (before each save)."""
        if self._dir_id is not None:
            try:
                same_dir = _identity(os.stat(self.directory)) == self._dir_id
            except OSError:
                same_dir = False
            if not same_dir:
                raise DataDirLost(messages.lost_dir_replaced(self.directory))
        try:
            current = _identity(os.stat(self.path))
        except OSError:
            current = None
        if current is not None and current == self._file_id:
            return
        # The lock file was deleted or replaced. Take the new one if nobody holds it: with the
        # folder locked nobody can; without, any save made meanwhile shows in the journal check.
        old = self._fd
        try:
            taken = self._lock_file()
        except OSError:
            taken = False
        if not taken:
            raise DataDirLost(messages.lost_lock_taken(self.directory))
        if old is not None:
            with contextlib.suppress(OSError):
                os.close(old)

    def release(self) -> None:
        """Release the lock (idempotent, never raises). The lock file is left in place:
        deleting it would let a process that opened it meanwhile lock a file nobody sees."""
        for fd in (self._fd, self._dir_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    _unlock_fd(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._dir_fd = None
        self._file_id = self._dir_id = None
