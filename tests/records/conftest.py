"""Two laptops sharing one central folder, for the records tests."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.models import Settings
from fsfield.store.repo import Store
from fsfield.store.syncing import central_path, run_sync
from tests.tui.conftest import make_app, store  # noqa: F401 - fixtures shared with tests/tui

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def laptops(tmp_path):
    central = tmp_path / "central"
    central.mkdir()
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    a.save_settings(Settings(animator="Anne", department="87"))
    b.save_settings(Settings(animator="Bruno", department="87"))
    yield a, b, central
    a.close()
    b.close()


def sync(data: Store, central) -> None:
    run_sync(data, central_path(data, central))
