"""Durable file writes: a file is either the old one or the new one, never half of each.

The helpers live in ``sync/durable.py`` (``sync/`` imports nothing of fsfield, so the app uses
them from there); these names are the store layer's."""

from __future__ import annotations

from pathlib import Path

from sync.durable import atomic_replace as atomic_write_bytes
from sync.durable import fsync_dir

__all__ = ["atomic_write_bytes", "fsync_dir", "write_user_file"]


def write_user_file(path: Path, payload: bytes) -> None:
    """Write a file the user named (an export, a report, a calendar): a regular file atomically,
    all of it or nothing; a device or a pipe (``-o /dev/null``, a named pipe) *into* it, since
    renaming over it would replace it by a regular file. Raises ``OSError``."""
    if path.exists() and not path.is_file() and not path.is_dir():
        with open(path, "wb") as out:
            out.write(payload)
        return
    atomic_write_bytes(path, payload)
