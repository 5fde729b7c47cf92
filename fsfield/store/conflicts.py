"""Conflicts: fields edited in two places, and the only way to settle one.

Settling writes one value that supersedes every conflicting write (docs/sync-model.md). A
kept or typed value goes through the same rules as any edit: a typed value is read by the
parser of the field's own form (domain/parsing.py: a date typed 15/12/2026 is stored
2026-12-15), then the whole resulting record is validated; a refusal is a ValueError with the
French reason and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from fsfield.domain.models import Visit
from fsfield.domain.parsing import parse_field
from fsfield.store import messages as msg
from fsfield.store.overview import has_conflicts  # noqa: F401 (re-exported)
from fsfield.store.repo import KINDS, Store, validation_message
from fsfield.store.templates import current_template
from sync.purge import is_purge
from sync.replica import DELETED

#: the field of a delete-versus-edit conflict
DELETE_FIELD = DELETED


@dataclass(frozen=True)
class ConflictValue:
    """One of the values in conflict, with who wrote it and when."""

    field: str
    value: Any
    author: str
    at: dt.datetime


@dataclass(frozen=True)
class Conflict:
    """A field with two or more live values (or a delete that did not see an edit)."""

    record: str
    kind: str
    field: str
    values: tuple[ConflictValue, ...]

    @property
    def is_delete(self) -> bool:
        return self.field == DELETE_FIELD

    @property
    def edits(self) -> tuple[ConflictValue, ...]:
        """For a delete conflict: the edits the delete did not see."""
        return tuple(v for v in self.values if v.field != DELETE_FIELD)


def _at(hlc: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(hlc[0] / 1000, tz=dt.UTC)


def conflicts(store: Store) -> list[Conflict]:
    """Every conflict of the store, in a stable order."""
    return [
        Conflict(record, store.replica.kind_of(record) or "", field,
                 tuple(ConflictValue(w.field, w.value, w.author, _at(w.hlc)) for w in writes))
        for record, field, writes in store.replica.conflicts()
        if not is_purge(field)  # two purges never conflict: the higher cutoff wins
    ]


def item_kind(store: Store, conflict: Conflict) -> str | None:
    """The checklist item's kind (number, text, status) for an answer's field."""
    if not conflict.field.startswith("answers."):
        return None
    item_id = conflict.field.split(".")[1]
    model = store.record(conflict.record)
    template = None
    if isinstance(model, Visit):
        from fsfield.store.visits import template_of

        template = template_of(store, model)
    try:
        return str((template or current_template(store)).item(item_id).kind)
    except KeyError:
        return None


def _still_open(store: Store, conflict: Conflict) -> None:
    if not any(c.record == conflict.record and c.field == conflict.field
               for c in conflicts(store)):
        raise ValueError(msg.CONFLICT_GONE)


def keep(store: Store, conflict: Conflict, value: Any) -> None:
    """Settle with ``value`` (one of the conflicting ones, or True / False for a delete)."""
    _still_open(store, conflict)
    cls = KINDS.get(conflict.kind)
    if cls is not None and not conflict.is_delete:
        merged = {name: st.value for name, st in store.replica.fields(conflict.record).items()}
        merged[conflict.field] = value
        try:
            cls.from_fields(conflict.record, merged)
        except ValidationError as exc:
            raise ValueError(validation_message(exc)) from None
    store.write_fields(conflict.kind, conflict.record, {conflict.field: value}, force=True)


def parse_typed(store: Store, conflict: Conflict, text: str) -> Any:
    """The value ``text`` stands for, read as the field's own form reads it (ValueError)."""
    if conflict.is_delete:
        raise ValueError(msg.CONFLICT_DELETE_TYPED)
    cls = KINDS.get(conflict.kind)
    if cls is None:
        return text.strip()
    return parse_field(cls, conflict.field, text, item_kind=item_kind(store, conflict))


def settle_typed(store: Store, conflict: Conflict, text: str) -> Any:
    """Settle with a value typed by the user; returns the stored value."""
    value = parse_typed(store, conflict, text)
    keep(store, conflict, value)
    return value
