"""Durable file writes for ``sync/`` (which imports nothing of fsfield), portable (no POSIX-only
call without a Windows branch): create-only files for the central folder (a file, once there, is
never replaced, and is complete and on disk when the call returns), and for the sync server's
JSON file backend a file replaced whole and a log appended to."""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: Path | str) -> None:
    if os.name == "nt":  # Windows cannot open a directory; NTFS journals the rename itself.
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# errno values meaning "this file system has no hard links" (FAT/exFAT keys, some SMB shares).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV}


def write_new_file(final: Path, data: bytes) -> None:
    """Durably create ``final`` with ``data``, never replacing an existing file (FileExistsError).

    Temp file in the same folder, flush + fsync, then a hard link to the final name, which fails
    if the name is taken. Where hard links do not exist, falls back to check-then-rename.
    """
    if final.exists():
        raise FileExistsError(errno.EEXIST, "file exists", str(final))
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
                raise FileExistsError(errno.EEXIST, "file exists", str(final)) from None
            os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(final.parent)



def create_new_file(path: Path, data: bytes) -> None:
    """Create a small marker file if it does not exist yet (no temp file: its content does not
    matter, only that it exists), durably."""
    try:
        with open(path, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except FileExistsError:
        return
    fsync_dir(path.parent)


def create_new(path: Path, data: bytes) -> bool:
    """:func:`write_new_file`, saying whether this call created ``path`` (False: it existed)."""
    try:
        write_new_file(path, data)
    except FileExistsError:
        return False
    return True


def atomic_replace(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def append_durably(f: BinaryIO, data: bytes) -> None:
    """Append ``data`` to the log open in ``f`` (binary, append mode) and fsync it. On failure
    the log is cut back to where it was, so it never keeps half a record, and the error raised."""
    start = f.seek(0, os.SEEK_END)
    try:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            f.truncate(start)
        raise
