"""Erasing a field's past values (RGPD right to erasure), as a write that travels like any other.

A purge of ``record.field`` is an ordinary write on the field ``purge:<field>`` of the same
record and kind; its value is the HLC (a list of 3) of the newest write of ``field`` the purger
saw. The colon keeps the name out of every model field. Every write of ``record.field`` that is
not live and whose HLC is at most the *cutoff* has its value replaced by :data:`PURGED`; the
live value is never erased. The cutoff is the highest value of the field's purge writes: two
purges never undo each other, whichever arrives first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .writes import Write

PURGED: dict[str, bool] = {"$purged": True}
"""The placeholder that replaces an erased value (the purge itself keeps who and when)."""

PURGE_PREFIX = "purge:"
"""Field names starting with this are purges, never model fields nor conflicts for a user."""


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
    """The effective cutoff of a field's purge writes (the highest HLC they name), or None."""
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
