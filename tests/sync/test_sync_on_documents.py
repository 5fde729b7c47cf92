"""The merge properties and the 3-device state machine, run unchanged against the document
store of writes (sync/docreplica.py) instead of the in-memory union, with documents placed in
tables by a field (as the app places visits by site).

Each test module is loaded a second time under another name with ``Replica`` and
``MemoryDevice`` rebound to the document store, so its tests run as written, on both."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sync.docreplica import DocReplica
from sync.memory import MemoryDevice

HERE = Path(__file__).parent


PLACED = {"site": "city"}
"""Documents placed by a field that the tests edit and put in conflict (the app places visits
by ``site_id``): every record moves between tables as its displayed city changes."""


def on_documents(writes: Any = ()) -> DocReplica:
    r = DocReplica(place_by=PLACED)
    r.add_all(writes)
    return r


def device_on_documents(*args: Any, **kwargs: Any) -> MemoryDevice:
    return MemoryDevice(*args, replica=DocReplica(place_by=PLACED), **kwargs)


def _rebound(name: str) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location(f"{name}_on_documents", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Replica = on_documents  # type: ignore[attr-defined]
    module.MemoryDevice = device_on_documents  # type: ignore[attr-defined]
    return {k: v for k, v in vars(module).items() if k.startswith(("test_", "Test"))}


globals().update(_rebound("test_sync_merge_properties"))
globals().update(_rebound("test_sync_state_machine"))
