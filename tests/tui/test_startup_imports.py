"""The home screen appears before anything it does not need is imported (issue #10: start-up
does only start-up work): no sync engine, no reports, no typst, no plan.

The app runs in a fresh interpreter (this test process has imported everything already), on a
configured data dir with sites, until the sites screen has been painted with its footer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fsfield.domain.models import Settings
from fsfield.store.repo import Store
from tests.tui.conftest import make_sites

ROOT = Path(__file__).resolve().parents[2]

#: modules the home screen must not load (they load with the action that needs them)
NOT_AT_HOME = (
    "sync.engine", "sync.batch", "sync.wire", "sync.folder", "sync.http",
    "fsfield.store.syncing", "fsfield.reports", "typst", "httpx",
    "fsfield.domain.plan", "fsfield.store.plan", "fsfield.screens.sync",
    "fsfield.screens.visit", "fsfield.screens.dossier", "fsfield.screens.first_run",
    "pydantic", "fsfield.domain.models",
)

PROBE = """
import asyncio, json, sys
from fsfield.app import FsFieldApp
from fsfield.store.repo import Store

async def main():
    store = Store(sys.argv[1])
    app = FsFieldApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one("FsFooter")
        shown = {
            "screen": type(app.screen).__name__,
            "rows": app.screen.query_one("DataTable").row_count,
            "footer_keys": len(footer.children),
            "modules": sorted(sys.modules),
        }
        await app.action_quit()
    store.close()
    print(json.dumps(shown))

asyncio.run(main())
"""


def test_home_screen_loads_no_sync_engine_reports_or_plan(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data) as store:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        make_sites(store)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (shown["screen"], shown["rows"]) == ("SitesScreen", 3)
    assert shown["footer_keys"] > 0
    loaded = [m for m in shown["modules"]
              if any(m == name or m.startswith(name + ".") for name in NOT_AT_HOME)]
    assert loaded == []
