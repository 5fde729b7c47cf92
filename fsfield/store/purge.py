"""The RGPD purge: the only writer of purge writes (see sync/purge.py for the rule).

Purging a field writes, in one durable save, one ``purge:<field>`` write per field that still
has past values, naming the newest write of that field this laptop has seen. The write syncs
like any edit, so every laptop erases the same values; the live value is never erased, and
who purged and when is kept (store/history.py shows it), not what was erased.
"""

from __future__ import annotations

from fsfield.store import messages as msg
from fsfield.store.history import erasable, has_writes
from fsfield.store.repo import Store
from sync.purge import is_purge, purge_field_name


def purge_field(store: Store, kind: str, record_id: str, field: str | None) -> int:
    """Erase the past values of ``record_id.field`` (and of its sub-fields: a checklist item's
    ``answers.<item>`` covers its status, value and comment). Returns how many values were
    erased; 0 writes nothing. ``None``: every field of the record (a site's whole card). ValueError (French) if the record or the field is unknown."""
    with store.exclusive():
        if store.replica.kind_of(record_id) != kind or store.replica.is_deleted(record_id):
            raise ValueError(msg.purge_unknown_record(record_id))
        if field is not None and (not field or is_purge(field)
                                  or not has_writes(store, record_id, field)):
            raise ValueError(msg.purge_unknown_field(field))
        left = erasable(store, record_id, field)
        if not left:
            return 0
        store.write_fields(
            kind, record_id, {purge_field_name(name): list(hlc) for name, (_, hlc) in left.items()}
        )
        return sum(n for n, _ in left.values())
