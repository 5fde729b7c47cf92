"""Format-2 data dirs made once per session by the old code (see migration_data.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.store import migration_data as md


@dataclass(frozen=True)
class OldDir:
    """A generated format-2 data dir (``root/data``, its central folder ``root/central``)."""

    root: Path
    expected: dict
    files: dict[str, bytes]

    def copy_to(self, dest: Path) -> Path:
        """A private copy of the whole root (data dir and central folder); the data dir."""
        shutil.copytree(self.root, dest, symlinks=True)
        return dest / "data"


@pytest.fixture(scope="session")
def old_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return md.old_tree(tmp_path_factory.mktemp("oldcode"))


@pytest.fixture(scope="session")
def old_dir(tmp_path_factory: pytest.TempPathFactory, old_code: Path) -> Callable[[int], OldDir]:
    made: dict[int, OldDir] = {}

    def make(visits: int) -> OldDir:
        if visits not in made:
            root = tmp_path_factory.mktemp(f"format2-{visits}")
            data = md.build_old(old_code, root, visits)
            expected = md.old_view(old_code, data, root.parent / f"{root.name}-scratch")
            (root.parent / f"{root.name}.json").write_text(json.dumps(expected))
            made[visits] = OldDir(root, expected, md.files_of(data))
        return made[visits]

    return make
