"""Follow-ups: the only way to create, change, close or delete one.

The rules screens used to hold live here: closing one dates it (``closed_on``, today unless
given), reopening it clears that date; the text is never empty. Every change is validated
on the whole resulting follow-up before anything is written (ValueError, French reason).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from fsfield.domain.models import FollowUp, FollowUpStatus
from fsfield.store import messages as msg
from fsfield.store.repo import Store, validation_message


def _closing_rule(current: FollowUp | None, changes: dict[str, Any], today: dt.date) -> None:
    """``closed_on`` follows the status: set when it closes, cleared when it reopens."""
    if "status" not in changes:
        return
    status = FollowUpStatus(changes["status"])
    was_closed = current is not None and current.status.is_closed
    if status.is_closed and not was_closed:
        changes.setdefault("closed_on", today)
    elif not status.is_closed:
        changes["closed_on"] = None


def create_followup(store: Store, draft: FollowUp, today: dt.date, **changes: Any) -> FollowUp:
    """Save a new follow-up from ``draft`` with ``changes`` applied; returns it."""
    data = draft.model_dump() | changes | {"id": ""}
    if not str(data.get("text") or "").strip():
        raise ValueError(msg.FOLLOWUP_EMPTY)
    _closing_rule(None, data, today)
    try:
        model = FollowUp.model_validate(data)
    except ValidationError as exc:
        raise ValueError(validation_message(exc)) from None
    return store.create(model)


def update_followup(store: Store, followup_id: str, today: dt.date, **changes: Any) -> FollowUp:
    """Change fields of a follow-up (only the changed ones are written); returns it."""
    current = store.get(FollowUp, followup_id)
    if "text" in changes and not str(changes["text"] or "").strip():
        raise ValueError(msg.FOLLOWUP_EMPTY)
    _closing_rule(current, changes, today)
    return store.update(FollowUp, followup_id, **changes)


def close_followup(store: Store, followup_id: str, today: dt.date, note: str = "") -> FollowUp:
    """Mark a follow-up done today, with an optional closing note."""
    return update_followup(store, followup_id, today, status=FollowUpStatus.DONE,
                           closing_note=note.strip())


def delete_followup(store: Store, followup_id: str) -> None:
    """Delete a follow-up (a tombstone that syncs)."""
    store.delete(FollowUp, followup_id)
