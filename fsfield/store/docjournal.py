"""The journal file DocStorage appends to: one framed line and one ``fdatasync`` per save.

Only this process appends to its journal, so the file at the path must be the one it knows, at
the size it left it; anything else is another writer (a second process that ignored the lock,
or the data dir restored from a copy under us): ``DataDirLost``, nothing written over it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fsfield.store import messages
from fsfield.store.files import fsync_dir
from fsfield.store.storage import DataDirLost

_BINARY = getattr(os, "O_BINARY", 0)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # os.write may write less than asked
        view = view[os.write(fd, view):]


def _sync(fd: int) -> None:
    os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)


class JournalFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.ident: tuple[int, int] | None = None
        self.size = 0
        with contextlib.suppress(FileNotFoundError):
            st = os.stat(path)
            self.ident, self.size = (st.st_dev, st.st_ino), st.st_size

    def untouched(self, directory: Path) -> None:
        """Raise DataDirLost unless the journal is the one this process left."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if self.ident is None:
            same = st is None or st.st_size == 0
        else:
            size = os.fstat(self.fd).st_size if self.fd is not None else None
            same = (
                st is not None
                and (st.st_dev, st.st_ino) == self.ident
                and st.st_size == self.size
                and size in (None, self.size)
            )
        if not same:
            raise DataDirLost(messages.lost_other_writer(directory))

    def append(self, line: bytes) -> None:
        """Append one line durably; on OSError the partial line is cut away."""
        if self.fd is None:
            created = not self.path.exists()
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _BINARY, 0o600)
            st = os.fstat(self.fd)
            self.ident, self.size = (st.st_dev, st.st_ino), st.st_size
            if created:
                fsync_dir(self.path.parent)
        fd = self.fd
        try:
            write_all(fd, line)
            _sync(fd)
        except OSError:
            with contextlib.suppress(OSError):  # the journal stays a sequence of whole lines
                os.ftruncate(fd, self.size)
            raise
        self.size += len(line)

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None

    def rotated(self) -> None:
        """The file was renamed away (compaction): the next append starts a new one."""
        self.close()
        self.ident, self.size = None, 0
