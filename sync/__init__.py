"""Sync engine: field-level writes, union merge, central stores. Imports nothing from fsfield or
textual. See docs/sync-model.md."""

from .engine import CentralState, LocalReplicaPort, SyncResult, sync_once
from .folder import FolderStore, Listing, Problem, StoreUnavailable
from .hlc import HLC, MAX_SKEW_MS, HybridClock, is_future
from .purge import PURGE_PREFIX, PURGED
from .replica import DELETED, FieldState, Replica
from .wire import validate_writes
from .writes import DotCollision, InvalidWrite, Write, make_dot

__all__ = [
    "DELETED",
    "CentralState",
    "HLC",
    "MAX_SKEW_MS",
    "DotCollision",
    "FieldState",
    "FolderStore",
    "HybridClock",
    "InvalidWrite",
    "LocalReplicaPort",
    "PURGED",
    "PURGE_PREFIX",
    "Problem",
    "Listing",
    "Replica",
    "StoreUnavailable",
    "SyncResult",
    "Write",
    "is_future",
    "make_dot",
    "sync_once",
    "validate_writes",
]
