"""What happens to the central folder must never lose or hide an animator's work (issue #8):
laptops (data dirs) and one folder, synced with the real `fsfield sync` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

# FSFIELD_ROOT: run these tests against another checkout (how they were seen failing on main).
ROOT = Path(os.environ.get("FSFIELD_ROOT") or Path(__file__).resolve().parents[2])
ENGLISH = ("unexpected", "missing batch", "Field required", "No space", "not synced", "Traceback")


def fsfield(data_dir: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fsfield.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert not any(word in result.stderr for word in ENGLISH), result.stderr
    return result


def laptop(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    ok(fsfield(d, "config", "--animateur", name.title(), "--departement", "87"))
    return d


def import_sites(tmp_path: Path, data_dir: Path, *names: str) -> None:
    csv = tmp_path / f"{data_dir.name}-{len(names)}.csv"
    rows = "".join(f"{zlib.crc32(n.encode()) % 99_999},87,{n},Limoges\n" for n in names)
    csv.write_text("id_fs,insee_dep,lib_fs,lib_com\n" + rows, encoding="utf-8")
    ok(fsfield(data_dir, "sites", "import", str(csv)))


def sites(data_dir: Path) -> set[str]:
    return {s["name"] for s in json.loads(ok(fsfield(data_dir, "sites", "list", "--json")).stdout)}


def device_folder(central: Path) -> Path:
    (folder,) = (central / "devices").iterdir()
    return folder


def newest_batch(folder: Path) -> Path:
    return max((p for p in folder.iterdir() if p.name[0].isdigit()), key=lambda p: p.name)


@pytest.fixture
def central(tmp_path: Path) -> Path:
    root = tmp_path / "central"
    root.mkdir()
    return root


# 1. A restored or pruned central folder silently dropped edits.
def test_case1_a_batch_gone_from_the_folder_is_republished_and_the_next_one_is_read(
    tmp_path, central
):
    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    ok(fsfield(b, "sync", "--central", str(central)))
    import_sites(tmp_path, a, "FS Un", "FS Deux")
    ok(fsfield(a, "sync"))
    ok(fsfield(b, "sync"))
    assert sites(b) == {"FS Un", "FS Deux"}
    newest = newest_batch(device_folder(central))
    newest.unlink()  # the backup restored a copy without Anne's latest batch
    import_sites(tmp_path, a, "FS Un", "FS Deux", "FS Trois")
    told = ok(fsfield(a, "sync"))
    ok(fsfield(b, "sync"))
    assert sites(b) == {"FS Un", "FS Deux", "FS Trois"}, "the next batch is read"
    c = laptop(tmp_path, "chloe")
    ok(fsfield(c, "sync", "--central", str(central)))
    assert sites(c) == {"FS Un", "FS Deux", "FS Trois"}, "the lost batch came back"
    assert "lot a disparu" in told.stdout and "republiée" in told.stdout, "and Anne is told"


# 2. A new, empty central folder received nothing.
def test_case2_a_new_empty_folder_gets_the_whole_shared_history(tmp_path, central):
    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    import_sites(tmp_path, b, "FS Un", "FS Bruno")
    for d in (a, b, a):
        ok(fsfield(d, "sync", "--central", str(central)))
    new = tmp_path / "nouvelle-cle"
    new.mkdir()
    moved = ok(fsfield(a, "sync", "--central", str(new)))
    c = laptop(tmp_path, "chloe")
    ok(fsfield(c, "sync", "--central", str(new)))
    assert sites(c) == {"FS Un", "FS Bruno"}, "Bruno's writes came through Anne's laptop"
    assert "Nouveau dossier central : " in moved.stdout and "écritures republiées" in moved.stdout


# 3. One stray file stalled every sync.
def test_case3_stray_numbered_files_cost_one_line_each_and_block_nothing(tmp_path, central):
    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    ok(fsfield(b, "sync", "--central", str(central)))
    folder = device_folder(central)
    (folder / "99999999.json").write_text("{}")
    (folder / "00000999.json").write_text("{}")
    import_sites(tmp_path, a, "FS Un", "FS Deux")
    start = time.monotonic()
    pushed = ok(fsfield(a, "sync", timeout=60))
    got = ok(fsfield(b, "sync", timeout=60))
    assert time.monotonic() - start < 30
    for out in (pushed, got):
        assert len(out.stderr.splitlines()) <= 3, out.stderr  # two files, one summary line
        assert "99999999.json" in out.stderr and "2 fichiers étrangers" in out.stderr
    assert sites(b) == {"FS Un", "FS Deux"}, "the push after the stray file is read"


# 7. Concurrent nested values were compared with Python ==.
@pytest.mark.parametrize(("mine", "theirs"), [([1], [True]), ({"k": 0}, {"k": False})])
def test_case7_json_values_python_thinks_equal_are_a_conflict(tmp_path, central, mine, theirs):
    from fsfield.store.repo import Store

    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    ok(fsfield(a, "sync", "--central", str(central)))
    ok(fsfield(b, "sync", "--central", str(central)))
    for d, value in ((a, mine), (b, theirs)):
        with Store(d) as store:
            store.write_fields("visit", "v1", {"answers.m1-x.value": value})
    ok(fsfield(a, "sync"))
    result = ok(fsfield(b, "sync"))
    assert "Conflits : 1" in result.stdout


def test_case7_the_store_saves_true_over_1_and_not_1_0_over_1(tmp_path):
    from fsfield.store.repo import Store

    with Store(tmp_path / "a") as store:
        store.write_fields("visit", "v1", {"answers.m1-x.value": True})
        assert len(store.write_fields("visit", "v1", {"answers.m1-x.value": 1})) == 1
        assert store.replica.value("v1", "answers.m1-x.value") is not True
        assert store.write_fields("visit", "v1", {"answers.m1-x.value": 1.0}) == []


# 8. Links inside the central folder were followed out of it.
def test_case8_a_link_out_of_the_folder_is_reported_and_never_followed(tmp_path, central):
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (outside / "00000001.json").write_text("{}")
    (outside / "passwd").write_text("x")
    a = laptop(tmp_path, "anne")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    os.symlink(outside, central / "devices" / "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    result = ok(fsfield(a, "sync"))
    assert "lien vers l'extérieur" in result.stderr
    assert "passwd" not in result.stderr and "00000001" not in result.stderr


# 9. Problem reasons reached the French screens in English.
def test_case9_every_reason_is_in_french_with_a_summary(tmp_path, central):
    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    import_sites(tmp_path, a, "FS Un", "FS Deux")
    ok(fsfield(a, "sync"))
    batch = newest_batch(device_folder(central))
    batch.write_bytes(batch.read_bytes()[:-30])  # cut by a sync client
    (device_folder(central) / "notes.txt").write_text("x")
    result = ok(fsfield(b, "sync", "--central", str(central)))  # ok() checks no English
    assert "fichier étranger" in result.stderr and "lot abîmé" in result.stderr
    assert "Laissés en place dans le dossier central : " in result.stderr


# Bad input: nothing on the laptop or in the folder is deleted or lost.
def test_a_folder_in_a_newer_format_is_refused_and_left_alone(tmp_path, central):
    a = laptop(tmp_path, "anne")
    import_sites(tmp_path, a, "FS Un")
    (central / "format-3").write_text("")
    result = fsfield(a, "sync", "--central", str(central))
    assert result.returncode == 1 and "mettez fsfield à jour" in result.stderr
    assert [p.name for p in central.iterdir()] == ["format-3"]


def test_a_folder_holding_other_files_is_not_made_a_store(tmp_path):
    a = laptop(tmp_path, "anne")
    docs = tmp_path / "Documents"
    docs.mkdir()
    (docs / "rapport.odt").write_text("x")
    result = fsfield(a, "sync", "--central", str(docs))
    assert result.returncode == 1 and "n'est pas un dossier central" in result.stderr
    assert [p.name for p in docs.iterdir()] == ["rapport.odt"]


def test_a_reused_dot_a_file_for_a_folder_and_a_50_mb_file_are_listed_and_sync_goes_on(
    tmp_path, central
):
    from sync.batch import batch_name, encode_batch
    from sync.writes import Write

    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    mine = device_folder(central)
    device = mine.name
    forger = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    fake = Write(f"{device}:1", "r-x", "site", "name", "Faux", (1, 0, device), (), "X")
    data = encode_batch(forger, "87", 1, [fake])
    (central / "devices" / forger).mkdir()
    (central / "devices" / forger / batch_name(1, "87", data)).write_bytes(data)
    (central / "devices" / "1a2b3c4d-0000-4000-8000-000000000000").write_text("x")
    with open(mine / "video.mp4", "wb") as f:
        f.truncate(50 << 20)
    result = ok(fsfield(b, "sync", "--central", str(central)))
    assert "existe déjà avec un autre contenu" in result.stderr
    assert "c'est un fichier" in result.stderr and "video.mp4" in result.stderr
    assert sites(b) == {"FS Un"}
    assert (mine / "video.mp4").stat().st_size == 50 << 20


def test_an_unplugged_folder_exits_1_and_keeps_everything_to_send(tmp_path, central):
    a = laptop(tmp_path, "anne")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    import_sites(tmp_path, a, "FS Un", "FS Deux")
    central.rename(tmp_path / "debranchee")
    result = fsfield(a, "sync")
    assert result.returncode == 1 and "Rien n'a été perdu" in result.stderr
    assert not central.exists(), "never recreated on the local disk"
    (tmp_path / "debranchee").rename(central)
    assert json.loads(ok(fsfield(a, "sync", "--json")).stdout)["sent"] > 0
    b = laptop(tmp_path, "bruno")
    ok(fsfield(b, "sync", "--central", str(central)))
    assert sites(b) == {"FS Un", "FS Deux"}


def test_a_folder_restored_from_last_weeks_copy_loses_nothing(tmp_path, central):
    a, b = laptop(tmp_path, "anne"), laptop(tmp_path, "bruno")
    import_sites(tmp_path, a, "FS Un")
    ok(fsfield(a, "sync", "--central", str(central)))
    ok(fsfield(b, "sync", "--central", str(central)))
    shutil.copytree(central, tmp_path / "backup")
    import_sites(tmp_path, a, "FS Un", "FS Deux")
    import_sites(tmp_path, b, "FS Bruno")
    ok(fsfield(a, "sync"))
    ok(fsfield(b, "sync"))
    shutil.rmtree(central)
    shutil.copytree(tmp_path / "backup", central)  # restored, marker and all
    ok(fsfield(b, "sync"))  # Bruno relays Anne's writes too
    c = laptop(tmp_path, "chloe")
    ok(fsfield(c, "sync", "--central", str(central)))
    assert sites(c) == {"FS Un", "FS Deux", "FS Bruno"}
