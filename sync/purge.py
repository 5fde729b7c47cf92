"""The RGPD purge of a field's past values (docs/sync-model.md, "Purge").

A purge of ``record.field`` is an ordinary write on the field ``purge:<field>`` of the same
record, whose value is the HLC (a list of three) of the newest write of that field the purger
saw. Every write of ``record.field`` that is not live and whose HLC is at most the highest live
purge value has its value replaced by :data:`PURGED`, on every replica, when the purge arrives
and whenever such a write moves to the history later. The live value is never erased; the purge
itself (who, when) stays, not what was erased.
"""

from __future__ import annotations

PURGE_PREFIX = "purge:"
"""Field name prefix of purge writes (the colon keeps them out of every model field)."""

PURGED = {"$purged": True}
"""What an erased value becomes."""
