"""The RGPD purge of a field's past values (docs/sync-model.md, "Purge").

A purge of ``record.field`` is an ordinary write on the field ``purge:<field>`` of the same
record, whose value is the HLC (a list of three) of the newest write of that field the purger
saw. Every write of ``record.field`` that is not live and whose HLC is at most the highest live
purge value has its value replaced by :data:`PURGED`, on every replica, when the purge arrives
and whenever such a write moves to the history later. The live value is never erased; the purge
itself (who, when) stays, not what was erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .writes import Write

PURGE_PREFIX = "purge:"
"""Field name prefix of purge writes (the colon keeps them out of every model field)."""

PURGED = {"$purged": True}
"""What an erased value becomes."""

# --- helpers of the read side (fsfield/store/history.py, store/purge.py) ---------------------


def purge_field_name(field: str) -> str:
    """The field a purge of ``field`` is written on."""
    return PURGE_PREFIX + field


def is_purge(field: str) -> bool:
    """True for the field of a purge write."""
    return field.startswith(PURGE_PREFIX)


def purged_field(field: str) -> str | None:
    """The field a purge field erases (``purge:phone`` -> ``phone``), or None."""
    return field[len(PURGE_PREFIX):] if field.startswith(PURGE_PREFIX) else None


def is_purged(value: Any) -> bool:
    """True if ``value`` is the placeholder of an erased value."""
    return isinstance(value, dict) and value.get("$purged") is True and len(value) == 1


def cutoff(purges: Iterable[Write]) -> tuple[Any, ...] | None:
    """The effective cutoff of a field's live purge writes (the highest HLC they name), or None."""
    best: tuple[Any, ...] | None = None
    for w in purges:
        v = w.value
        if isinstance(v, list | tuple) and len(v) == 3:
            t = (v[0], v[1], v[2])
            try:
                if best is None or t > best:
                    best = t
            except TypeError:  # a malformed value from elsewhere erases nothing
                continue
    return best


def erased(write: Write, live: bool, limit: tuple[Any, ...] | None) -> bool:
    """True if ``write`` (of the purged field) must show, or be stored, as :data:`PURGED`."""
    if live or limit is None:
        return False
    try:
        return tuple(write.hlc) <= limit
    except TypeError:
        return False
