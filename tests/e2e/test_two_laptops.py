"""Two laptops, one central folder: what one does appears on the other, conflicts are kept."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.app import FsFieldApp
from fsfield.domain.models import FollowUp, FollowUpStatus, Settings, Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.screens.conflicts import ConflictsScreen
from fsfield.store import visits as ops
from fsfield.store.conflicts import conflicts
from fsfield.store.repo import Store
from fsfield.store.sites import site_record_id
from fsfield.store.syncing import SyncFailed, central_path, run_sync

DAY = dt.date(2026, 11, 26)


@pytest.fixture(params=["folder", "server"])
def laptops(request, tmp_path):
    """Two laptops of 87 and their central store: a folder, or a sync server on loopback (a
    real uvicorn, JSON file backend) reached with a personal token each."""
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    if request.param == "folder":
        central = tmp_path / "central"
        central.mkdir()
        a.save_settings(Settings(animator="Anne", department="87"))
        b.save_settings(Settings(animator="Bruno", department="87"))
        yield a, b, central
    else:
        from sync.server.jsonfile import JsonFileBackend
        from tests.server.live import serving
        from tests.server.server_testlib import add_token

        backend = JsonFileBackend(tmp_path / "server-store")
        ta = add_token(backend, "Anne", "animator", "87")
        tb = add_token(backend, "Bruno", "animator", "87")
        a.save_settings(Settings(animator="Anne", department="87", sync_token=ta))
        b.save_settings(Settings(animator="Bruno", department="87", sync_token=tb))
        with serving(backend) as url:
            yield a, b, url
        backend.close()
    a.close()
    b.close()


def sync(store: Store, central) -> tuple[int, int, int]:
    r = run_sync(store, central_path(store, central))
    return r.sent, r.received, r.conflicts


def test_visit_made_on_a_appears_on_b_and_closing_on_b_shows_on_a(laptops):
    a, b, central = laptops
    site = a.create(Site(id=site_record_id("2844"), id_fs="2844", name="FS Aixe", department="87"))
    visit = ops.start_visit(a, site, date=DAY)
    visit = ops.set_answer(a, visit, "m1-saisie-demandes", status=AnswerStatus.NON_CONFORME,
                           comment="retard")
    fu = a.create(FollowUp(id="", text="Relancer", site_id=site.id, visit_id=visit.id))
    sent, received, conflicts = sync(a, central)
    assert sent > 0 and received == 0 and conflicts == 0
    assert a.outbox() == [], "acknowledged writes leave the outbox"

    assert sync(b, central)[1] == sent
    seen = b.get(Visit, visit.id)
    assert seen.answer("m1-saisie-demandes").status is AnswerStatus.NON_CONFORME
    assert seen.answer("m1-saisie-demandes").comment == "retard"
    b.update(FollowUp, fu.id, status=FollowUpStatus.DONE, closed_on=DAY)
    assert sync(b, central)[0] == 2
    assert sync(a, central) == (0, 2, 0)
    assert a.get(FollowUp, fu.id).status is FollowUpStatus.DONE
    assert sync(a, central) == (0, 0, 0), "nothing new: nothing sent, nothing received"
    assert sync(b, central) == (0, 0, 0)


def test_same_followup_edited_on_both_is_one_conflict_settled_once_everywhere(laptops):
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Châlus", department="87"))
    fu = a.create(FollowUp(id="", text="Relancer la CAF", site_id=site.id))
    sync(a, central)
    sync(b, central)
    a.update(FollowUp, fu.id, due=dt.date(2026, 12, 1))
    b.update(FollowUp, fu.id, due=dt.date(2027, 1, 15))
    assert sync(a, central)[2] == 0
    assert sync(b, central)[2] == 1
    assert sync(a, central)[2] == 1
    [(record, field, writes)] = a.replica.conflicts()
    assert (record, field) == (fu.id, "due")
    assert sorted(w.value for w in writes) == ["2026-12-01", "2027-01-15"], "both values kept"
    assert {w.author for w in writes} == {"Anne", "Bruno"}
    assert a.get(FollowUp, fu.id).conflicted

    a.write_fields("followup", fu.id, {"due": "2027-01-15"}, force=True)  # keep Bruno's
    assert a.replica.conflicts() == []
    sync(a, central)
    sync(b, central)
    for store in (a, b):
        assert store.replica.conflicts() == []
        assert store.get(FollowUp, fu.id).due == dt.date(2027, 1, 15)
        assert not store.get(FollowUp, fu.id).conflicted


def test_delete_against_concurrent_edit_is_a_conflict(laptops):
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Nexon", department="87"))
    fu = a.create(FollowUp(id="", text="Signalétique", site_id=site.id))
    sync(a, central)
    sync(b, central)
    a.delete(FollowUp, fu.id)
    b.update(FollowUp, fu.id, notes="devis reçu")
    sync(a, central)
    sync(b, central)
    assert b.replica.has_conflict(fu.id)
    [(_, field, _)] = b.replica.conflicts()
    assert field == "deleted"
    b.write_fields("followup", fu.id, {"deleted": False}, force=True)  # restore
    sync(b, central)
    sync(a, central)
    assert a.get(FollowUp, fu.id).notes == "devis reçu"
    assert not a.replica.has_conflict(fu.id)


def test_directory_imported_on_both_laptops_merges_without_duplicates(laptops):
    from fsfield.domain.directory import DirectoryEntry
    from fsfield.store.sites import import_sites

    a, b, central = laptops
    entries = [DirectoryEntry(id_fs="1", insee_dep="87", name="FS Un", commune="Limoges")]
    import_sites(a, entries, "87")
    import_sites(b, entries, "87")
    sync(a, central)
    _, _, conflicts = sync(b, central)
    assert len(b.sites()) == 1
    assert conflicts == 0, "the same value written on both laptops is no conflict"


def test_edits_made_before_sync_is_configured_are_sent_at_the_first_sync(laptops):
    a, b, central = laptops
    a.create(Site(id="", name="FS Bellac", department="87"))
    with pytest.raises(SyncFailed, match="non configurée"):
        central_path(a)
    assert len(a.outbox()) > 0
    sync(a, central)
    sync(b, central)
    assert [s.name for s in b.sites()] == ["FS Bellac"]


def test_unreachable_central_store_changes_nothing(laptops, tmp_path):
    a, _, _ = laptops
    a.create(Site(id="", name="FS Bellac", department="87"))
    pending = a.outbox()
    with pytest.raises(SyncFailed, match="inaccessible"):
        run_sync(a, tmp_path / "unplugged-usb-key")
    assert a.outbox() == pending
    assert a.settings.central is None, "a folder that failed is not remembered"


async def test_conflicts_screen_lists_values_and_settles_with_a_key(laptops):
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Châlus", department="87"))
    fu = a.create(FollowUp(id="", text="Relancer la CAF", site_id=site.id))
    sync(a, central)
    sync(b, central)
    a.update(FollowUp, fu.id, text="Relancer la CAF (courrier)")
    b.update(FollowUp, fu.id, text="Relancer la CAF (téléphone)")
    sync(b, central)
    sync(a, central)
    app = FsFieldApp(a, today=lambda: DAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")  # shown on the home screen while there are conflicts
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "(courrier) — Anne" in detail and "(téléphone) — Bruno" in detail
        labels = [label for label, _ in app.screen.options(conflicts(a)[0])]
        choice = next(n for n, label in enumerate(labels, 1) if "téléphone" in label)
        await pilot.press(str(choice))
        await pilot.pause()
        assert "aucun" in str(app.screen.query_one("#conflict-detail").render()).lower() or \
            app.screen.query_one("DataTable").row_count == 0
    assert a.get(FollowUp, fu.id).text == "Relancer la CAF (téléphone)"
    sync(a, central)
    sync(b, central)
    assert b.get(FollowUp, fu.id).text == "Relancer la CAF (téléphone)"
    assert b.replica.conflicts() == []


async def test_s_in_the_tui_asks_the_central_folder_once_then_syncs_and_shows_the_summary(laptops):
    from textual.widgets import Input

    from fsfield.screens.forms import TextPrompt
    from fsfield.screens.sync import SyncScreen

    a, b, central = laptops
    a.create(Site(id="", name="FS Bellac", department="87"))
    app = FsFieldApp(b, today=lambda: DAY)
    sync(a, central)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = str(central)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        summary = str(app.screen.query_one("#sync-summary").render())
        assert "Reçues : " in summary and "Conflits à régler : 0" in summary
        if isinstance(central, str):  # which server, and as whom
            assert f"Serveur : {central} — Bruno (animator, 87)" in summary
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#sites")
        assert table.row_count == 1, "the received site is listed"
        await pilot.press("s")  # remembered: no question this time
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert "Synchronisation terminée" in str(app.screen.query_one("#sync-summary").render())
    assert b.settings.central == (central if isinstance(central, str) else str(central.absolute()))


def test_data_dir_restored_from_an_old_copy_gets_its_writes_back_and_never_reuses_a_dot(laptops, tmp_path):
    import shutil

    a, b, central = laptops
    site = a.create(Site(id="", name="FS Bellac", department="87"))
    sync(a, central)
    a_dir = a.data_dir
    a.close()
    shutil.copytree(a_dir, tmp_path / "old-copy")
    a = Store(a_dir)
    fu = a.create(FollowUp(id="", text="Relancer", site_id=site.id))
    sync(a, central)
    a.close()
    shutil.rmtree(a_dir)
    shutil.copytree(tmp_path / "old-copy", a_dir)  # the laptop is restored from the old copy
    restored = Store(a_dir)
    try:
        assert restored.find(FollowUp, fu.id) is None
        sync(restored, central)
        assert restored.get(FollowUp, fu.id).text == "Relancer", "own writes come back"
        new = restored.create(FollowUp(id="", text="Nouveau", site_id=site.id))
        sync(restored, central)
        sync(b, central)
        assert b.get(FollowUp, new.id).text == "Nouveau", "no dot collision: the new write syncs"
        assert b.get(FollowUp, fu.id).text == "Relancer"
    finally:
        restored.close()
