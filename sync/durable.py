"""Durable file writes for ``sync/`` (which imports nothing of fsfield): replace a file whole,
create one that must not exist, append to a log. Portable (no POSIX-only call without a Windows
branch)."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import BinaryIO


def fsync_dir(directory: Path) -> None:
    """Make a rename or a file creation in ``directory`` durable (Windows: NTFS journals it)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_tmp(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return tmp


def atomic_replace(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never half."""
    tmp = _write_tmp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def create_new(path: Path, data: bytes) -> bool:
    """Durably create ``path`` with ``data`` unless it exists; True if this call created it.

    Written whole to a temp file first, then hard-linked to its name (which fails if the name is
    taken), so a reader never sees a half-written file and two creators cannot both win.
    """
    if path.exists():
        return False
    tmp = _write_tmp(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here (FAT, some shares): check, then rename
            if path.exists():
                return False
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(path.parent)
    return True


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
            f.flush()
        raise
