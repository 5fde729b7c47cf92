"""Closing on a full disk (issue #8, case 4, CLI part) and the one store lock (Settled rule).

* A command whose save succeeded must not end in an ``OSError`` traceback because tidying the
  data dir at close (folding the journal into the snapshot) hit a full disk.
* A job (sync, import) running in a worker thread never swallows the user's edits into its
  batch: an edit made meanwhile waits for the job's save, then is saved on its own.
"""

from __future__ import annotations

import shutil
import threading

from store_helpers import FULL_DISK, followups, run_cli

from fsfield.domain.models import FollowUp, Site
from fsfield.store.docstorage import JOURNAL
from fsfield.store.lock import LOCK_NAME
from fsfield.store.repo import Store


def test_a_command_whose_save_succeeded_ends_cleanly_when_close_cannot_tidy(tmp_path):
    data = tmp_path / "data"
    store = Store(tmp_path / "first", compact_min_bytes=1 << 30)
    store.storage.compact()  # a snapshot, as after any earlier session
    for n in range(300):  # a journal large enough to be folded at close
        store.create(FollowUp(id=f"fu-{n}", text="x" * 1000, site_id="site-1"))
    # A session that ended without folding its journal (killed, or the disk was full then too).
    shutil.copytree(tmp_path / "first", data, ignore=shutil.ignore_patterns(LOCK_NAME))
    store.close()
    assert (data / JOURNAL).stat().st_size > 300_000

    result = run_cli(data, "config", "--animateur", "Jeanne Martin", prelude=FULL_DISK)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "Animateur : Jeanne Martin" in result.stdout
    assert result.stderr.startswith("fsfield : ") and "rien n'est perdu" in result.stderr

    assert "Animateur : Jeanne Martin" in run_cli(data, "config").stdout, "the save is durable"
    assert len(followups(data)) == 300


def test_an_edit_made_during_a_running_job_is_saved_on_its_own(tmp_path):
    store = Store(tmp_path)
    site = store.create(Site(id="site-1", id_fs="515", name="France services Nexon",
                             department="87"))
    job_saving = threading.Event()
    edit_returned = threading.Event()
    seen: dict[str, object] = {}

    def job() -> None:  # what sync and import do: many changes, one durable save
        with store.storage.batch():
            store.write_fields("site", site.id, {"commune": "Saint-Yrieix"})
            job_saving.set()
            # The edit below must not return while the batch is open (bounded: it never does).
            seen["returned_inside_batch"] = edit_returned.wait(timeout=1.0)

    def ui_edit() -> None:
        assert job_saving.wait(timeout=30)
        store.write_fields("site", site.id, {"phone": "05 55 00 00 00"})
        seen["journal_when_returned"] = (tmp_path / JOURNAL).read_bytes()
        edit_returned.set()

    threads = [threading.Thread(target=f, daemon=True) for f in (job, ui_edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert seen["returned_inside_batch"] is False, "the edit was swallowed into the job's batch"
    lines = seen["journal_when_returned"].splitlines()
    assert any(b"05 55 00 00 00" in line for line in lines), "durable when the edit returned"
    # A journal line holds the whole document as saved: the edit's line also shows the commune
    # the job wrote, but the job's own save is a line without the phone.
    job_lines = [line for line in lines if b"Saint-Yrieix" in line and b"05 55 00 00 00" not in line]
    assert len(job_lines) == 1, "the job's changes are one save, without the edit"
    store.close()
    with Store(tmp_path) as again:
        reopened = again.get(Site, site.id)
        assert (reopened.commune, reopened.phone) == ("Saint-Yrieix", "05 55 00 00 00")
