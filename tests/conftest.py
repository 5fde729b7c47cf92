"""Fixtures shared across test folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fsfield.domain.models import Settings
from fsfield.store.repo import Store


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Store, Store, Path]]:
    """Two data dirs of département 87 (Anne on A, Bruno on B) and one empty central folder."""
    central = tmp_path / "central"
    central.mkdir()
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    a.save_settings(Settings(animator="Anne", department="87"))
    b.save_settings(Settings(animator="Bruno", department="87"))
    yield a, b, central
    a.close()
    b.close()
