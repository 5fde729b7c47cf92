"""The save guard when another process wrote to the data dir (issue #8, case 5): every later
save is refused and shown NON ENREGISTRÉ, on every screen, and quitting is the way out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fsfield.domain.models import FollowUp, Visit
from fsfield.store.repo import Store
from fsfield.store.storage import DataDirLost
from fsfield.widgets.save_status import SaveStatus

from .test_visit_flow import select_site

ROOT = Path(__file__).resolve().parents[2]
BYPASS = r"""
import sys
from fsfield.domain.models import FollowUp
from fsfield.store import lock
from fsfield.store.repo import Store
from fsfield.store.storage import DataDirLost

lock.DataDirLock.acquire = lambda self: None  # a writer that ignores the lock
lock.DataDirLock.release = lambda self: None
lock.DataDirLock.verify = lambda self: None
with Store(sys.argv[1]) as store:
    store.create(FollowUp(id="fu-other", text="suivi other", site_id="site-1"))
"""


async def test_saves_are_refused_and_shown_once_another_process_wrote(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Aixe")
        subprocess.run([sys.executable, "-c", BYPASS, str(store.data_dir)], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        await pilot.press("n")  # start a visit: a save
        await pilot.pause()
        assert not app.saved and store.lost
        assert any("un autre programme" in n.message for n in app._notifications)
        for indicator in app.screen.query(SaveStatus):
            assert not indicator.saved, "a screen shown after the refusal says NON ENREGISTRÉ"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running, "quitting is allowed: this process may not save any more"
    data_dir = store.data_dir
    with pytest.raises(DataDirLost):  # the refused change: never saved over the other's
        store.close()
    with Store(data_dir) as again:
        assert again.find(FollowUp, "fu-other") is not None, "the other process's save is kept"
        assert again.all(Visit) == []
