"""The Store: records are views of their field-level writes, and every save is durable."""

from __future__ import annotations

import datetime as dt
import errno
import shutil
from pathlib import Path

import pytest

from fsfield.domain.models import FollowUp, FollowUpStatus, Settings, Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.store import paths
from fsfield.store import storage as storage_mod
from fsfield.store.docstorage import JOURNAL, SNAPSHOT
from fsfield.store.lock import LOCK_NAME
from fsfield.store.repo import RecordNotFound, Store
from fsfield.store.storage import SaveFailed, StoreError
from fsfield.store.visits import set_answer, start_visit


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data")
    yield s
    s.close()


def make_site(store, name="France services Nexon", id_fs="515"):
    return store.create(Site(id="", id_fs=id_fs, name=name, department="87", commune="Nexon"))


def journal_bytes(store):
    path = store.data_dir / JOURNAL
    return path.read_bytes() if path.exists() else b""


def disk_copy(store, dest: Path) -> Path:
    """The files of an open store as they are on disk right now (as if the laptop died here)."""
    shutil.copytree(store.data_dir, dest, ignore=shutil.ignore_patterns(LOCK_NAME))
    return dest


# --- records are views of their writes -------------------------------------------------------


def test_an_edit_becomes_writes_in_the_outbox_with_increasing_counters(store):
    site = make_site(store)
    created = store.outbox()
    assert {w.field for w in created} >= {"name", "id_fs", "department"}
    assert all(w.record == site.id and w.kind == "site" for w in created)

    store.update(Site, site.id, phone="05 55 58 11 05", email="nexon@france-services.gouv.fr")
    outbox = store.outbox()
    new = outbox[len(created):]
    assert sorted(w.field for w in new) == ["email", "phone"]
    counters = [w.counter for w in outbox]
    assert counters == sorted(counters) and len(set(counters)) == len(counters)
    assert min(w.counter for w in new) > max(w.counter for w in created)
    assert {w.device for w in outbox} == {store.device_id}
    phone_write = next(w for w in new if w.field == "phone")
    assert phone_write.supersedes == tuple(
        w.dot for w in created if w.field == "phone"
    ), "an edit supersedes the write the user saw"
    assert store.get(Site, site.id).phone == "05 55 58 11 05"


def test_a_record_shows_the_latest_write_of_each_field(store):
    site = make_site(store)
    store.update(Site, site.id, phone="1")
    store.update(Site, site.id, phone="2")
    assert store.get(Site, site.id).phone == "2"
    assert store.replica.state(site.id, "phone").value == "2"
    assert not store.get(Site, site.id).conflicted


def test_an_edit_that_changes_nothing_writes_nothing(store):
    site = make_site(store)
    outbox, journal = store.outbox(), journal_bytes(store)
    store.update(Site, site.id, name=site.name, commune=site.commune)
    store.write_fields("site", site.id, {"phone": site.phone})
    assert store.outbox() == outbox
    assert journal_bytes(store) == journal, "a no-op edit must not touch the disk"


def test_an_invalid_update_is_refused_with_a_french_reason_and_writes_nothing(store):
    site = make_site(store)
    follow = store.create(FollowUp(id="", text="Relancer la CAF", site_id=site.id))
    outbox, journal = store.outbox(), journal_bytes(store)

    with pytest.raises(ValueError, match="le texte du suivi est vide"):
        store.update(FollowUp, follow.id, text="   ", notes="ne doit pas être gardé")
    with pytest.raises(ValueError, match="le nom de la structure est vide"):
        store.update(Site, site.id, name="")
    with pytest.raises(ValueError, match="statut : valeur inconnue"):
        store.update(FollowUp, follow.id, status="peut-être")

    assert store.outbox() == outbox
    assert journal_bytes(store) == journal
    assert store.get(FollowUp, follow.id).notes == ""


def test_an_invalid_answer_is_refused_and_writes_nothing(store):
    visit = start_visit(store, make_site(store), date=dt.date(2026, 11, 26))
    outbox = store.outbox()
    with pytest.raises(ValueError, match="statut : valeur inconnue"):
        store.set_fields(Visit, visit.id, {"answers.m2-bureau-confidentiel.status": "bof"})
    assert store.outbox() == outbox
    assert store.get(Visit, visit.id).answer("m2-bureau-confidentiel").status is None


def test_deleting_writes_a_tombstone_and_hides_the_record(tmp_path):
    store = Store(tmp_path / "data")
    site = make_site(store)
    follow = store.create(FollowUp(id="", text="Relancer la CAF", site_id=site.id))
    store.delete(FollowUp, follow.id)

    last = store.outbox()[-1]
    assert (last.record, last.field, last.value) == (follow.id, "deleted", True)
    assert store.find(FollowUp, follow.id) is None
    with pytest.raises(RecordNotFound):
        store.get(FollowUp, follow.id)
    assert store.followups() == []
    kept = store.all(FollowUp, include_deleted=True)
    assert [f.id for f in kept] == [follow.id], "the tombstone is kept for sync"
    assert kept[0].text == "Relancer la CAF"

    store.close()
    with Store(store.data_dir) as again:
        assert again.find(FollowUp, follow.id) is None
        assert [f.id for f in again.all(FollowUp, include_deleted=True)] == [follow.id]


def test_deleting_an_unknown_record_raises_and_writes_nothing(store):
    outbox = store.outbox()
    with pytest.raises(RecordNotFound, match="Aucun enregistrement"):
        store.delete(Site, "pas-un-id")
    assert store.outbox() == outbox


# --- durability ----------------------------------------------------------------------------------


def test_every_save_is_on_disk_as_soon_as_it_returns(store, tmp_path):
    """Copy the files of the still-open store (no close, no flush): as if the power went off."""
    site = make_site(store)
    visit = start_visit(store, site, date=dt.date(2026, 11, 26))
    visit = set_answer(store, visit, "m2-bureau-confidentiel", status=AnswerStatus.NON_CONFORME,
                       comment="Pas de porte")
    follow = store.create(FollowUp(id="", text="Installer une porte", site_id=site.id,
                                   visit_id=visit.id, due=dt.date(2027, 1, 15)))
    store.update(FollowUp, follow.id, status=FollowUpStatus.IN_PROGRESS)
    store.save_settings(Settings(animator="Jeanne Martin", department="87"))

    with Store(disk_copy(store, tmp_path / "copy")) as copy:
        assert copy.recovery.messages == []
        assert copy.get(Site, site.id) == store.get(Site, site.id)
        assert copy.get(Visit, visit.id) == store.get(Visit, visit.id)
        answer = copy.get(Visit, visit.id).answer("m2-bureau-confidentiel")
        assert (answer.status, answer.comment) == (AnswerStatus.NON_CONFORME, "Pas de porte")
        assert copy.get(FollowUp, follow.id).status is FollowUpStatus.IN_PROGRESS
        assert copy.settings.animator == "Jeanne Martin"
        assert copy.outbox() == store.outbox()


def test_every_save_survives_close_and_reopen(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        site = make_site(store)
        visit = start_visit(store, site, date=dt.date(2026, 11, 26))
        set_answer(store, visit, "m1-demandes-periode", value=412)
        expected = store.get(Visit, visit.id)
        outbox = store.outbox()
    with Store(data) as store:
        assert store.recovery.messages == []
        assert store.get(Visit, visit.id) == expected
        assert store.get(Visit, visit.id).answer("m1-demandes-periode").value == 412
        assert store.outbox() == outbox


def test_counters_are_never_reused_after_reopen(tmp_path):
    """A reused counter would be a dot collision for sync: the counter is saved with the writes."""
    data = tmp_path / "data"
    with Store(data) as store:
        make_site(store)
        device, used = store.device_id, {w.dot for w in store.outbox()}
    with Store(data) as store:
        assert store.device_id == device
        make_site(store, name="France services Châlus", id_fs="511")
        new = {w.dot for w in store.outbox()} - used
        assert new and min(int(d.rsplit(":", 1)[1]) for d in new) > max(
            int(d.rsplit(":", 1)[1]) for d in used
        )


def test_settings_persist_and_are_local_to_this_laptop(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        assert store.settings == Settings()
        store.save_settings(Settings(animator="Jeanne Martin", department="87"))
        assert store.outbox() == [], "settings are not synced"
    with Store(data) as store:
        assert store.settings.animator == "Jeanne Martin"
        assert store.settings.department == "87"
        assert store.settings.configured


def test_a_save_the_disk_refuses_is_kept_in_memory_and_saved_by_retry(tmp_path, monkeypatch):
    """In-process: os.write is patched to raise EROFS (the disk turned read-only)."""
    store = Store(tmp_path / "data")
    site = make_site(store)
    journal = journal_bytes(store)
    real_write = storage_mod.os.write

    def read_only(fd, data):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(storage_mod.os, "write", read_only)
    with pytest.raises(SaveFailed, match="NON ENREGISTRÉ"):
        store.update(Site, site.id, phone="05 55 00 00 00")
    assert store.unsaved
    assert store.get(Site, site.id).phone == "05 55 00 00 00", "the change is still shown"
    assert journal_bytes(store) == journal, "nothing already saved was touched"
    with pytest.raises(SaveFailed):
        store.retry_save()

    monkeypatch.setattr(storage_mod.os, "write", real_write)
    store.retry_save()
    assert not store.unsaved
    store.close()
    with Store(store.data_dir) as again:
        assert again.get(Site, site.id).phone == "05 55 00 00 00"


# --- opening -------------------------------------------------------------------------------------


def test_a_damaged_snapshot_is_restored_and_the_user_is_told(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        site = make_site(store)
    with Store(data) as store:  # a second session: the backup now holds the first one
        store.update(Site, site.id, phone="05 55 58 11 05")
    snapshot = data / SNAPSHOT
    snapshot.write_bytes(snapshot.read_bytes()[:100])  # torn by a crash or a bad disk

    with Store(data) as store:
        assert store.get(Site, site.id).phone == "05 55 58 11 05"
        message, summary = store.recovery.messages
        assert "mis de côté" in message and "restaurée" in message
        assert "aucune modification perdue" in summary
        [aside] = store.recovery.moved_aside
        assert aside.name.startswith(SNAPSHOT + ".corrupt-") and aside.exists()
    with Store(data) as store:
        assert store.recovery.messages == [], "the repair is written: told once"


def _unclosed_session(data: Path) -> tuple[str, Store]:
    """A store with saves in its journal, left as a crash leaves it (files as on disk)."""
    with Store(data) as store:
        site = make_site(store)
    store = Store(data)
    store.update(Site, site.id, phone="05 55 58 11 05")
    return site.id, store


def test_an_interrupted_last_save_is_dropped_and_the_user_is_told(tmp_path):
    """A journal line cut short (no end of line): a save that never returned, or a journal
    truncated by a disk or a tool. The two look alike, so the user is told either way."""
    site_id, store = _unclosed_session(tmp_path / "data")
    crashed = disk_copy(store, tmp_path / "crashed")
    store.close()
    with open(crashed / JOURNAL, "ab") as fh:
        fh.write(b'0badc0de {"seq": 99, "t": {"r:x": {"1": {"do')
    with Store(crashed) as again:
        assert again.recovery.cut
        assert "coupé" in again.recovery.messages[0]
        assert again.get(Site, site_id).phone == "05 55 58 11 05"
    with Store(crashed) as again:
        assert again.recovery.messages == [], "the repair is written: told once"


def test_a_damaged_journal_line_is_kept_aside_and_the_user_is_told(tmp_path):
    """A whole line failing its checksum is damage, not a crash: never dropped silently."""
    site_id, store = _unclosed_session(tmp_path / "data")
    damaged = disk_copy(store, tmp_path / "damaged")
    store.close()
    with open(damaged / JOURNAL, "ab") as fh:
        fh.write(b"00000000 garbage\n")
    with Store(damaged) as again:
        assert again.get(Site, site_id).phone == "05 55 58 11 05"
        message, summary = again.recovery.messages
        assert "endommagé à la ligne 2" in message
        assert "pas pu être compté" in summary, "a damaged last line: the count is unknown"
        [aside] = again.recovery.moved_aside
        assert aside.read_bytes().endswith(b"00000000 garbage\n"), "kept for inspection"
    with Store(damaged) as again:
        assert again.recovery.messages == []
        assert again.get(Site, site_id).phone == "05 55 58 11 05"


def test_a_data_dir_that_is_a_file_gives_a_french_error(tmp_path):
    not_a_dir = tmp_path / "fichier"
    not_a_dir.write_text("x")
    with pytest.raises(StoreError, match="dossier de données"):
        Store(not_a_dir)


def test_data_dir_option_wins_over_environment_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.resolve_data_dir(str(tmp_path / "opt")) == tmp_path / "opt"


def test_data_dir_environment_wins_over_default(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.resolve_data_dir(None) == tmp_path / "env"


def test_data_dir_defaults_to_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    resolved = paths.resolve_data_dir(None)
    assert resolved.name == "fsfield"
    assert resolved == Path(paths.user_data_dir("fsfield", appauthor=False))
    assert str(tmp_path) in str(resolved), "follows the platform's per-user location"


def test_data_dir_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(paths.ENV_DATA_DIR, "~/fsfield-env")
    assert paths.resolve_data_dir(None) == tmp_path / "fsfield-env"
    assert paths.resolve_data_dir("~/fsfield-opt") == tmp_path / "fsfield-opt"
