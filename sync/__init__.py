"""Sync engine: field-level writes, union merge, central stores. Imports nothing from fsfield or
textual. See docs/sync-model.md.

The names below are loaded on first use (PEP 562): ``import sync.replica`` must not pull the
engine, the batch format and pydantic in with it (the app's start-up needs the replica only).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "CentralState": "engine",
    "LocalReplicaPort": "engine",
    "SyncResult": "engine",
    "sync_once": "engine",
    "FolderStore": "folder",
    "Listing": "folder",
    "Problem": "folder",
    "StoreUnavailable": "folder",
    "HLC": "hlc",
    "MAX_SKEW_MS": "hlc",
    "HybridClock": "hlc",
    "is_future": "hlc",
    "DELETED": "replica",
    "FieldState": "replica",
    "Replica": "replica",
    "validate_writes": "wire",
    "PURGED": "purge",
    "PURGE_PREFIX": "purge",
    "DotCollision": "writes",
    "InvalidWrite": "writes",
    "Write": "writes",
    "make_dot": "writes",
}

__all__ = [
    "CentralState",
    "DELETED",
    "DotCollision",
    "FieldState",
    "FolderStore",
    "HLC",
    "HybridClock",
    "InvalidWrite",
    "Listing",
    "LocalReplicaPort",
    "PURGED",
    "PURGE_PREFIX",
    "MAX_SKEW_MS",
    "Problem",
    "Replica",
    "StoreUnavailable",
    "SyncResult",
    "Write",
    "is_future",
    "make_dot",
    "sync_once",
    "validate_writes",
]

if TYPE_CHECKING:
    from .engine import CentralState, LocalReplicaPort, SyncResult, sync_once
    from .folder import FolderStore, Listing, Problem, StoreUnavailable
    from .hlc import HLC, MAX_SKEW_MS, HybridClock, is_future
    from .replica import DELETED, FieldState, Replica
    from .wire import validate_writes
    from .writes import DotCollision, InvalidWrite, Write, make_dot


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
