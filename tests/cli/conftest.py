"""Fixtures for the CLI tests: the real directory files and a data dir with them imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import DATA, HAUTE_VIENNE, NATIONAL, run_cli

from fsfield.store.lock import LOCK_NAME


@pytest.fixture(scope="session")
def hv_csv() -> Path:
    if not HAUTE_VIENNE.is_file():
        pytest.skip(f"real data not found in {DATA.resolve()}")
    return HAUTE_VIENNE


@pytest.fixture(scope="session")
def national_csv() -> Path:
    if not NATIONAL.is_file():
        pytest.skip(f"real data not found in {DATA.resolve()}")
    return NATIONAL


@pytest.fixture(scope="session")
def _hv_loaded(tmp_path_factory, hv_csv) -> Path:
    data = tmp_path_factory.mktemp("hv") / "data"
    result = run_cli(data, "sites", "import", hv_csv, "--department", "87")
    assert result.returncode == 0, result.stderr
    return data


@pytest.fixture
def loaded(tmp_path, _hv_loaded) -> Path:
    """A data dir of its own holding the 24 Haute-Vienne sites, imported through the CLI."""
    return Path(shutil.copytree(_hv_loaded, tmp_path / "data",
                                ignore=shutil.ignore_patterns(LOCK_NAME)))
