"""Durable file writes: a file is either the old one or the new one, never half of each.

The helpers live in ``sync/durable.py`` (``sync/`` imports nothing of fsfield, so the app uses
them from there); these names are the store layer's."""

from __future__ import annotations

from sync.durable import atomic_replace as atomic_write_bytes
from sync.durable import fsync_dir

__all__ = ["atomic_write_bytes", "fsync_dir"]
