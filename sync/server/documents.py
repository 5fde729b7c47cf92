"""Current documents: each record's displayed values, derived from its writes.

Derived data, never the source of truth (docs/sync-model.md): a backend recomputes a record's
document from all of the record's writes whenever a push brings new ones, with the very rules the
laptops use (:class:`~sync.replica.Replica`), and may drop and rebuild them at any time.
"""

from __future__ import annotations

from typing import Any

from sync.replica import Replica
from sync.writes import Write

from .access import RecordInfo


def current_document(record: str, department: str, writes: list[Write]) -> dict[str, Any]:
    """``{"record", "kind", "department", "fields", "conflicted", "deleted"}`` of one record."""
    replica = Replica(writes)
    states = replica.fields(record)
    return {
        "record": record,
        "kind": replica.kind_of(record) or "",
        "department": department,
        "fields": {name: st.value for name, st in sorted(states.items())},
        "conflicted": replica.has_conflict(record),
        "deleted": replica.is_deleted(record),
    }


def record_info(doc: dict[str, Any]) -> RecordInfo:
    """What placing and authorising need from a current document."""
    owner = doc["fields"].get("owner_kind") if doc["kind"] == "followup" else None
    return RecordInfo(doc["department"], doc["kind"], owner if isinstance(owner, str) else None)
