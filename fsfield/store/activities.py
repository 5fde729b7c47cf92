"""Activities of the journal: the only way to add, change or delete one.

The typed text is read by reports/journal.py (shared with the command line); here the
values are validated on the whole resulting Activity before anything is written.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fsfield.domain.activity import Activity
from fsfield.store import messages as msg
from fsfield.store.repo import Store, validation_message


def _check(values: dict[str, Any]) -> None:
    if "title" in values and not str(values["title"] or "").strip():
        raise ValueError(msg.ACTIVITY_TITLE_EMPTY)


def create_activity(store: Store, **values: Any) -> Activity:
    """Save a new activity; returns it (ValueError with the reason, nothing written)."""
    _check(values)
    try:
        model = Activity.model_validate({**values, "id": ""})
    except ValidationError as exc:
        raise ValueError(validation_message(exc)) from None
    return store.create(model)


def update_activity(store: Store, activity_id: str, **changes: Any) -> Activity:
    """Change an activity (only the changed fields are written); returns it."""
    _check(changes)
    return store.update(Activity, activity_id, **changes)


def delete_activity(store: Store, activity_id: str) -> None:
    """Delete an activity (a tombstone that syncs)."""
    store.delete(Activity, activity_id)
