"""Durable, create-only file writes for the central folder: a file, once there, is never
replaced, and is complete and on disk when the call returns."""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path


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
