"""Bad input and bad conditions: a clear French message, exit 1, and nothing already saved lost.

Each test starts from a data dir holding the 24 Haute-Vienne sites and checks, after the
failure, that ``sites list --json`` still shows exactly what it showed before.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import run_cli, sites_json

from fsfield import cli
from fsfield.domain.models import Settings, Site
from fsfield.store import storage as storage_mod
from fsfield.store.docstorage import JOURNAL, SNAPSHOT
from fsfield.store.lock import LOCK_NAME
from fsfield.store.repo import Store

TEMPLATES = Path(__file__).resolve().parents[1] / "domain" / "fixtures_tpl"

SMALL_CSV = (
    "id_fs,insee_dep,lib_fs,adresse,code_postal,lib_com,telephone\n"
    "9001,87,France services Châlus,Place de l'Église,87230,Châlus,05 55 00 00 01\n"
    "9002,87,France services Éymoutiers,Rue Léon Blum,87120,Eymoutiers,05 55 00 00 02\n"
)


def refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit 1, a message on stderr (in French, prefixed), nothing on stdout."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("fsfield : ")
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def import_file(data: Path, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data, "sites", "import", path, "--department", "87", *extra)


# --- bad files -------------------------------------------------------------------------------


def test_a_csv_with_an_unclosed_quote_is_refused(loaded, hv_csv, tmp_path):
    before = sites_json(loaded)
    text = hv_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    text[3] = text[3].replace("France services", '"France services', 1)
    bad = tmp_path / "guillemet.csv"
    bad.write_text("".join(text), encoding="utf-8")
    refused(import_file(loaded, bad), "mal formé", "ligne 4", "Rien n'a été importé")
    assert sites_json(loaded) == before


def test_a_csv_truncated_mid_row_is_refused_with_the_line(loaded, hv_csv, tmp_path):
    before = sites_json(loaded)
    data = hv_csv.read_bytes()
    cut = tmp_path / "tronque.csv"
    cut.write_bytes(data[: data.index(b"\n", len(data) // 2) + 40])  # 40 bytes into a row
    result = import_file(loaded, cut)
    assert result.returncode == 1
    assert "rejetée : " in result.stderr and "ligne incomplète" in result.stderr
    assert "rien n'a été importé" in result.stderr
    assert sites_json(loaded) == before


def test_a_latin1_file_is_refused_with_how_to_fix_it(loaded, tmp_path):
    before = sites_json(loaded)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(SMALL_CSV.encode("latin-1"))
    refused(import_file(loaded, latin1), "n'est pas encodé en UTF-8", "ligne 2", "Latin-1",
            "CSV UTF-8")
    assert sites_json(loaded) == before


def test_an_empty_file_is_refused(loaded, tmp_path):
    before = sites_json(loaded)
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    refused(import_file(loaded, empty), "est vide", "Rien n'a été importé")
    assert sites_json(loaded) == before


def test_an_unknown_department_is_refused(loaded, hv_csv):
    before = sites_json(loaded)
    refused(run_cli(loaded, "sites", "import", hv_csv, "--department", "99"),
            "département inconnu", "99")
    assert sites_json(loaded) == before


def test_a_department_absent_from_the_file_is_refused(loaded, hv_csv):
    before = sites_json(loaded)
    refused(run_cli(loaded, "sites", "import", hv_csv, "--department", "23"),
            "Aucune ligne pour le département 23")
    assert sites_json(loaded) == before


def test_a_missing_file_is_refused(loaded, tmp_path):
    before = sites_json(loaded)
    refused(import_file(loaded, tmp_path / "absent.csv"), "fichier introuvable", "absent.csv")
    assert sites_json(loaded) == before


# --- damaged data files --------------------------------------------------------------------------


def test_a_data_file_truncated_mid_write_is_restored_and_kept_aside(loaded):
    before = sites_json(loaded)
    # A second session so that the backup exists, as after any real use.
    assert run_cli(loaded, "config", "--animateur", "Jeanne Martin").returncode == 0
    snapshot = loaded / SNAPSHOT
    snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 2])

    result = run_cli(loaded, "sites", "list")
    assert result.returncode == 0, result.stderr
    assert "illisible" in result.stderr and "restaurée" in result.stderr
    assert len(result.stdout.splitlines()) == 24
    [aside] = loaded.glob(SNAPSHOT + ".corrupt-*")
    assert aside.name in result.stderr, "the message says where the damaged file is"
    assert sites_json(loaded) == before
    assert run_cli(loaded, "sites", "list").stderr == "", "the repair is written: told once"


def _with_unfolded_journal(loaded: Path, dest: Path) -> Path:
    """A data dir whose last session ended without close: its saves are only in the journal."""
    store = Store(loaded)
    site = next(s for s in store.sites() if s.id_fs == "515")
    store.update(Site, site.id, phone="05 55 00 00 00")
    shutil.copytree(loaded, dest, ignore=shutil.ignore_patterns(LOCK_NAME))
    store.close()
    assert (dest / JOURNAL).stat().st_size > 0
    return dest


def test_garbage_after_the_journal_is_reported_and_kept_aside(loaded, tmp_path):
    data = _with_unfolded_journal(loaded, tmp_path / "crashed")
    with open(data / JOURNAL, "ab") as fh:
        fh.write(b"\x00\x17 ceci n'est pas une entree\n")
    result = run_cli(data, "sites", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert "journal" in result.stderr and "endommagé" in result.stderr
    [aside] = data.glob(JOURNAL + ".corrupt-*")
    assert aside.name in result.stderr
    assert b"ceci n'est pas une entree" in aside.read_bytes()
    assert {s["id_fs"]: s["phone"] for s in sites_json(data)}["515"] == "05 55 00 00 00"


def test_a_save_cut_short_at_the_end_of_the_journal_is_dropped_and_told(loaded, tmp_path):
    # The process died while appending, or the file was truncated: they look alike (#8).
    data = _with_unfolded_journal(loaded, tmp_path / "crashed")
    with open(data / JOURNAL, "ab") as fh:
        fh.write(b'1234abcd {"seq": 999, "t": {"r:')
    result = run_cli(data, "sites", "list", "--json")
    assert result.returncode == 0 and "coupé" in result.stderr, result.stderr
    assert run_cli(data, "sites", "list").stderr == "", "the repair is written: told once"
    sites = {s["id_fs"]: s for s in sites_json(data)}
    assert len(sites) == 24 and sites["515"]["phone"] == "05 55 00 00 00"


# --- the data dir cannot be used -----------------------------------------------------------------


@contextlib.contextmanager
def read_only(directory: Path):
    """Make ``directory`` and its files read-only for real, even for root.

    Not root: ``chmod a-w``. Root ignores permissions, so: ``chattr +i`` (immutable files and
    directory, enforced for root too; needs an ext2/3/4-like file system and
    CAP_LINUX_IMMUTABLE). When neither works, the test is skipped with the reason.
    """
    paths = [*directory.iterdir(), directory]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p in reversed(paths):
                p.chmod(modes[p])
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: no way to make a directory read-only")
    done = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run([chattr, "-i", *map(str, paths)], capture_output=True)
        pytest.skip(f"running as root and chattr +i is refused here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def test_a_read_only_data_dir_is_refused_and_left_intact(loaded, hv_csv, tmp_path):
    before = sites_json(loaded)
    newer = tmp_path / "87.csv"
    newer.write_text(hv_csv.read_text(encoding="utf-8").replace("05 55 58 11 05", "05 55 99"),
                     encoding="utf-8")
    with read_only(loaded):
        for result in (run_cli(loaded, "sites", "list"), import_file(loaded, newer),
                       run_cli(loaded, "config", "--animateur", "Jeanne")):
            refused(result, "dossier de données", str(loaded), "accessible en écriture")
    assert sites_json(loaded) == before


def test_a_save_refused_by_the_disk_mid_command_says_nothing_was_changed(
    loaded, hv_csv, tmp_path, monkeypatch, capsys
):
    """In-process (``cli.main``): os.write is patched to fail with ENOSPC (the disk is full)."""
    before = sites_json(loaded)
    newer = tmp_path / "87.csv"
    newer.write_text(hv_csv.read_text(encoding="utf-8").replace("05 55 58 11 05", "05 55 99"),
                     encoding="utf-8")

    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_mod.os, "write", disk_full)
    code = cli.main(["--data-dir", str(loaded), "sites", "import", str(newer),
                     "--department", "87"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 1
    assert "NON ENREGISTRÉ" in err and "plus de place sur le disque" in err and "No space" not in err
    assert "Rien n'a été modifié" in err and "réessayée" not in err
    assert sites_json(loaded) == before


def test_a_second_instance_is_refused(loaded):
    before = sites_json(loaded)
    with Store(loaded):  # the app is open on this data dir
        for result in (run_cli(loaded, "sites", "list"),
                       run_cli(loaded, "config", "--animateur", "Jeanne")):
            refused(result, "déjà ouvert", str(loaded))
    assert sites_json(loaded) == before


# --- settings --------------------------------------------------------------------------------------


def settings_of(data: Path) -> Settings:
    with Store(data) as store:
        return store.settings


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("duplicate_id.toml", ("duplicate_id.toml", "m1-demandes", "identifiant en double")),
        ("unknown_kind.toml", ("unknown_kind.toml", "m2-horaires", "type inconnu « nombre »")),
        ("syntax_error.toml", ("syntax_error.toml", "syntaxe TOML")),
    ],
)
def test_an_invalid_template_is_refused_naming_file_item_and_reason(loaded, template, expected):
    assert run_cli(loaded, "config", "--animateur", "Jeanne Martin",
                   "--departement", "87").returncode == 0
    settings = settings_of(loaded)
    result = run_cli(loaded, "config", "--animateur", "Autre", "--modele", TEMPLATES / template)
    refused(result, *expected)
    assert settings_of(loaded) == settings, "nothing of the command is applied"


def test_a_missing_template_file_is_refused(loaded, tmp_path):
    settings = settings_of(loaded)
    refused(run_cli(loaded, "config", "--modele", tmp_path / "absent.toml"),
            "absent.toml", "introuvable")
    assert settings_of(loaded) == settings


def test_a_valid_template_is_remembered(loaded):
    template = Path(__file__).resolve().parents[2] / "fsfield" / "templates" / "default.toml"
    result = run_cli(loaded, "config", "--modele", template)
    assert result.returncode == 0, result.stderr
    assert settings_of(loaded).template_path == str(template)
