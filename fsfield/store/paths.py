"""Where the animator's data lives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENV_DATA_DIR = "FSFIELD_DATA_DIR"


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: ``--data-dir`` first, then ``FSFIELD_DATA_DIR``, then the user data dir."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("fsfield", appauthor=False))


def __getattr__(name: str) -> Any:
    """``user_data_dir`` (platformdirs), imported when first asked for: a data dir given with
    ``--data-dir`` or ``FSFIELD_DATA_DIR`` needs none of platformdirs (~4 ms of imports)."""
    if name == "user_data_dir":
        from platformdirs import user_data_dir

        return user_data_dir
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
