"""The central folder failing in the middle of a round (full, unplugged): a French message, and
nothing on the laptop or in the folder lost; the next round delivers everything."""

from __future__ import annotations

import builtins
import errno

import pytest

from fsfield.domain.models import Site
from fsfield.store.syncing import SyncFailed, run_sync


def test_a_full_central_disk_is_said_in_french_and_nothing_is_acknowledged(laptops, monkeypatch):
    a, b, central = laptops
    a.create(Site(id="", name="FS Un", department="87"))
    run_sync(a, central)
    a.create(Site(id="", name="FS Deux", department="87"))
    pending = a.outbox()
    real_open = builtins.open

    def full(file, mode="r", *args, **kwargs):
        if "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("sync.durable.open", full, raising=False)
    with pytest.raises(SyncFailed) as err:
        run_sync(a, central)
    assert "espace disque insuffisant" in str(err.value) and "Rien n'a été perdu" in str(err.value)
    assert "No space" not in str(err.value)
    assert a.outbox() == pending, "nothing marked sent"
    assert not any(p.name.startswith(".") for p in central.rglob("*")), "no temp file left"
    monkeypatch.undo()
    assert run_sync(a, central).sent == len(pending)
    run_sync(b, central)
    assert {s.name for s in b.sites()} == {"FS Un", "FS Deux"}


def test_a_folder_unplugged_mid_sync_fails_cleanly_and_the_next_round_gets_all(
    laptops, tmp_path
):
    a, b, central = laptops
    for k in range(5):  # five batches to read
        a.create(Site(id="", name=f"FS {k}", department="87"))
        run_sync(a, central)
    b.create(Site(id="", name="FS Bruno", department="87"))
    unplugged = tmp_path / "unplugged"

    def pull_the_key(done: int, total: int) -> None:
        if done == 2:
            central.rename(unplugged)

    with pytest.raises(SyncFailed) as err:
        run_sync(b, central, progress=pull_the_key)
    assert "dossier introuvable" in str(err.value) and "Rien n'a été perdu" in str(err.value)
    assert [w.field for w in b.outbox()] != [], "Bruno's site still to send"
    assert not central.exists(), "never recreated on the local disk"
    unplugged.rename(central)
    run_sync(b, central)
    run_sync(a, central)
    assert {s.name for s in a.sites()} == {s.name for s in b.sites()}
    assert len(b.sites()) == 6 and b.outbox() == []
