"""Names a module takes from ``sync.schema`` (pydantic) on first use, PEP 562: a sync that reads
only plainly valid input never imports pydantic (sync/wire.py, sync/batch.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def from_schema(module: str, names: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` giving ``names`` (module name -> name in ``sync.schema``)."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        from . import schema

        value = getattr(schema, names[name])
        namespace[name] = value
        return value

    return __getattr__
