"""Where the animator's data lives."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ENV_DATA_DIR = "FSFIELD_DATA_DIR"


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: ``--data-dir`` first, then ``FSFIELD_DATA_DIR``, then the user data dir."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("fsfield", appauthor=False))
