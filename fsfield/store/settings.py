"""The animator's settings (this laptop only): the only way to change them.

Who signs the visits, which département, which checklist, which central folder. Each change
is checked before it is saved (ValueError with the French reason, nothing saved).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fsfield.domain.directory import normalize_department
from fsfield.domain.models import Settings
from fsfield.store import messages as msg
from fsfield.store.repo import Store, validation_message


def update_settings(store: Store, **changes: Any) -> Settings:
    """Change some settings; returns the saved settings."""
    values = store.settings.model_dump() | changes
    if "animator" in changes:
        values["animator"] = str(changes["animator"] or "").strip()
        if not values["animator"]:
            raise ValueError(msg.SETTINGS_ANIMATOR_EMPTY)
    if "department" in changes:
        code = normalize_department(changes["department"])
        if code is None:
            raise ValueError(msg.SETTINGS_DEPARTMENT_UNKNOWN.format(code=changes["department"]))
        values["department"] = code
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        raise ValueError(validation_message(exc)) from None
    store.save_settings(settings)
    return settings
