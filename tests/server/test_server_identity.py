"""A new or reset server (another store identity) gets everything a laptop holds that it lacks:
the laptop's own writes and those it received, and the user is told how many were republished."""

from __future__ import annotations

from fsfield.domain.models import Settings, Site
from fsfield.store.repo import Store
from fsfield.store.syncing import run_sync
from sync.server.jsonfile import JsonFileBackend

from .live import serving
from .server_testlib import add_token


def test_a_new_server_receives_every_write_the_laptop_holds_and_the_user_is_told(tmp_path):
    old, new = JsonFileBackend(tmp_path / "old"), JsonFileBackend(tmp_path / "new")
    tokens = {
        (b, who): add_token(b, who, "animator", "87") for b in (old, new) for who in ("Anne", "Bruno")
    }
    anne, bruno, carla = (Store(tmp_path / n) for n in ("anne", "bruno", "carla"))
    try:
        with serving(old) as old_url:
            for s, who in ((anne, "Anne"), (bruno, "Bruno")):
                s.save_settings(Settings(animator=who, department="87", sync_token=tokens[old, who]))
            anne.create(Site(id="", name="FS Bellac", department="87"))
            run_sync(anne, old_url)
            bruno.create(Site(id="", name="FS Nexon", department="87"))
            run_sync(bruno, old_url)
            run_sync(anne, old_url)  # Anne now holds Bruno's writes too
            held = {w.dot for w in anne.replica}
            assert run_sync(anne, old_url).republished == 0, "a known server: nothing again"

        with serving(new) as new_url:  # the server was reset: a new store, another identity
            settings = anne.settings
            settings.sync_token = tokens[new, "Anne"]
            anne.save_settings(settings)
            report = run_sync(anne, new_url)
            assert report.republished == len(held), "own and relayed writes"
            assert "écritures republiées" in report.notice and "serveur central" in report.notice
            carla.save_settings(Settings(animator="Bruno", department="87", sync_token=tokens[new, "Bruno"]))
            run_sync(carla, new_url)
            assert sorted(s.name for s in carla.sites()) == ["FS Bellac", "FS Nexon"]
            assert run_sync(anne, new_url).republished == 0, "done once"
    finally:
        for s in (anne, bruno, carla):
            s.close()
        old.close()
        new.close()
