"""`s` in the TUI: the round runs in a worker through the save guard (a failed save is NON
ENREGISTRÉ and retried, never a crash or a lost change), the central folder is shown and can be
changed, and an empty folder becomes a store only when the animator says so."""

from __future__ import annotations

import errno
import re

from textual.widgets import Input

from fsfield.domain.models import Settings, Site
from fsfield.screens.forms import ConfirmDialog, TextPrompt
from fsfield.screens.sync import SyncScreen
from fsfield.store import storage as storage_mod
from fsfield.store.repo import Store
from fsfield.store.syncing import run_sync
from fsfield.widgets.save_status import SaveStatus


def disk_full(fd: int, data: bytes) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def summary(app) -> str:
    return str(app.screen.query_one("#sync-summary").render())


async def finish(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_folder(app, pilot, path) -> None:
    assert isinstance(app.screen, TextPrompt)
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    await finish(app, pilot)


def other_laptop(tmp_path, central) -> None:
    with Store(tmp_path / "other") as other:
        other.save_settings(Settings(animator="Karim", department="87"))
        other.create(Site(id="", name="FS Bellac", department="87"))
        run_sync(other, central)


def central_with_a_colleague(store, tmp_path, remember: bool = True):
    """A central folder where a colleague already synced one site; remembered by ``store``."""
    central = tmp_path / "central"
    central.mkdir()
    other_laptop(tmp_path, central)
    if remember:
        store.save_settings(store.settings.model_copy(update={"central": str(central)}))
    return central


async def test_case4_s_with_a_pending_failed_save_neither_crashes_nor_loses_it(
    store, make_app, monkeypatch, tmp_path
):
    central_with_a_colleague(store, tmp_path)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr(storage_mod.os, "write", disk_full)
        site = app.save(lambda: store.create(Site(id="", name="FS Nexon", department="87")))
        assert site is None and store.unsaved and not app.saved  # NON ENREGISTRÉ
        await pilot.press("s")
        await finish(app, pilot)
        assert app.is_running and isinstance(app.screen, SyncScreen)
        assert "enregistrement local impossible" in summary(app)
        sites_screen = app.screen_stack[-2]
        assert "NON ENREGISTRÉ" in str(sites_screen.query_one(SaveStatus).render())
        monkeypatch.undo()
        assert app.retry_save()
        await pilot.press("r")
        await finish(app, pilot)
        assert "Synchronisation terminée" in summary(app)
    data_dir = store.data_dir
    store.close()
    with Store(data_dir) as reopened:
        assert {s.name for s in reopened.sites()} >= {"FS Nexon", "FS Bellac"}


async def test_case4_a_save_failing_during_the_round_is_kept_and_retried(
    store, make_app, monkeypatch, tmp_path
):
    central_with_a_colleague(store, tmp_path)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr(storage_mod.os, "write", disk_full)
        await pilot.press("s")
        await finish(app, pilot)
        assert app.is_running and "enregistrement local impossible" in summary(app)
        assert not app.saved and store.unsaved
        assert "FS Bellac" in {s.name for s in store.sites()}, "received, held in memory"
        monkeypatch.undo()
        assert app.retry_save()
    data_dir = store.data_dir
    store.close()
    with Store(data_dir) as reopened:
        assert "FS Bellac" in {s.name for s in reopened.sites()}


async def test_the_central_folder_is_shown_and_a_wrong_one_is_not_kept(store, make_app, tmp_path):
    central = central_with_a_colleague(store, tmp_path, remember=False)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await type_folder(app, pilot, tmp_path / "cle-debranchee")
        assert "Synchronisation impossible" in summary(app)
        shown = str(app.screen.query_one("#sync-central").render())
        assert "cle-debranchee" in shown
        assert not store.settings.central, "a folder that failed is not remembered"
        await pilot.press("d")
        await pilot.pause()
        await type_folder(app, pilot, central)
        assert "Synchronisation terminée" in summary(app)
        assert str(central) in str(app.screen.query_one("#sync-central").render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")  # remembered: synced right away, the folder shown
        await finish(app, pilot)
        assert isinstance(app.screen, SyncScreen) and "Synchronisation terminée" in summary(app)
    assert store.settings.central == str(central)


async def test_an_empty_folder_becomes_the_central_folder_only_when_confirmed(
    store, make_app, tmp_path
):
    empty = tmp_path / "nouvelle-cle"
    empty.mkdir()
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await type_folder(app, pilot, empty)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert list(empty.iterdir()) == [], "nothing written without a yes"
        await pilot.press("r")
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        await finish(app, pilot)
        assert "Nouveau dossier central : " in summary(app)
    assert any(p.name.startswith("store-") for p in empty.iterdir())


async def test_the_round_summary_agrees_its_counts_without_parenthesised_plurals(
    store, make_app, tmp_path
):
    central_with_a_colleague(store, tmp_path)  # one site to receive
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await finish(app, pilot)
        text = summary(app)
        assert "Synchronisation terminée" in text
        assert "(s)" not in text
        for label in ("Envoyées", "Reçues"):
            count, word = re.search(label + r" : (\d+) (\w+)", text).groups()
            assert word == ("modification" if int(count) < 2 else "modifications"), text
