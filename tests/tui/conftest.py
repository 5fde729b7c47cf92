"""Fixtures for driving the TUI with Pilot on a store of our own."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.app import FsFieldApp
from fsfield.domain.models import Settings, Site
from fsfield.store.repo import Store

TODAY = dt.date(2026, 11, 26)
FULL_WEEK = {d: "09:00 - 12:00 / 14:00 - 17:00" for d in ("lundi", "mardi", "mercredi", "jeudi", "vendredi")}


def make_sites(store: Store) -> list[Site]:
    """Three sites like the directory's (one bus without hours)."""
    specs = [
        ("2844", "France services Aixe-sur-Vienne", "Aixe-sur-Vienne", FULL_WEEK, "Fixe"),
        ("511", "France services Châlus", "Châlus", {"lundi": "09:00 - 12:00"}, "Fixe"),
        ("1839", "Bus France services Ambazac", "Ambazac", {}, "Bus_équivalent"),
    ]
    return [
        store.create(Site(id="", id_fs=i, name=n, commune=c, hours=h, format_fs=f, department="87"))
        for i, n, c, h, f in specs
    ]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data")
    s.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
    make_sites(s)
    yield s
    s.close()


@pytest.fixture
def make_app():
    def factory(store: Store) -> FsFieldApp:
        return FsFieldApp(store, today=lambda: TODAY)

    return factory
