"""Two laptops sharing one central folder, for the records tests."""

from __future__ import annotations

import datetime as dt

from fsfield.store.repo import Store
from fsfield.store.syncing import central_path, run_sync
from tests.tui.conftest import make_app, store  # noqa: F401 - fixtures shared with tests/tui

DAY = dt.date(2026, 11, 26)


def sync(data: Store, central) -> None:
    run_sync(data, central_path(data, central))
