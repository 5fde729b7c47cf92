"""`fsfield sync` on the command line: the summary, --json, exit codes, the remembered folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fsfield(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fsfield.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_sync_json_counts_exit_codes_and_remembered_folder(tmp_path):
    a, b, central = tmp_path / "a", tmp_path / "b", tmp_path / "central"
    central.mkdir()
    for d, who in ((a, "Anne"), (b, "Bruno")):
        assert fsfield(d, "config", "--animateur", who, "--departement", "87").returncode == 0
    csv = tmp_path / "liste.csv"
    csv.write_text("id_fs,insee_dep,lib_fs,lib_com\n1,87,FS Un,Limoges\n2,87,FS Deux,Nexon\n",
                   encoding="utf-8")
    assert fsfield(a, "sites", "import", str(csv)).returncode == 0

    unconfigured = fsfield(a, "sync")
    assert unconfigured.returncode == 1 and "non configurée" in unconfigured.stderr

    first = fsfield(a, "sync", "--central", str(central), "--json")
    assert first.returncode == 0, first.stderr
    sent = json.loads(first.stdout)
    assert sent["sent"] > 0 and sent["received"] == 0 and sent["conflicts"] == 0

    got = json.loads(fsfield(b, "sync", "--central", str(central), "--json").stdout)
    assert got == {"sent": 0, "received": sent["sent"], "conflicts": 0}
    again = fsfield(b, "sync", "--json")  # the folder is remembered
    assert json.loads(again.stdout) == {"sent": 0, "received": 0, "conflicts": 0}

    human = fsfield(a, "sync")
    assert human.returncode == 0 and "Envoyées : 0 · Reçues : 0 · Conflits : 0" in human.stdout

    gone = fsfield(a, "sync", "--central", str(tmp_path / "unplugged"))
    assert gone.returncode == 1 and "inaccessible" in gone.stderr
    assert json.loads(fsfield(a, "sync", "--json").stdout)["sent"] == 0, "old folder still used"


def test_sync_with_a_conflict_exits_zero_and_says_so(tmp_path):
    from fsfield.domain.models import FollowUp, Settings, Site
    from fsfield.store.repo import Store

    a, b, central = tmp_path / "a", tmp_path / "b", tmp_path / "central"
    central.mkdir()
    with Store(a) as store:
        store.save_settings(Settings(animator="Anne", department="87"))
        site = store.create(Site(id="", name="FS", department="87"))
        fu = store.create(FollowUp(id="", text="Relancer", site_id=site.id))
    assert fsfield(a, "sync", "--central", str(central)).returncode == 0
    with Store(b) as store:
        store.save_settings(Settings(animator="Bruno", department="87"))
    assert fsfield(b, "sync", "--central", str(central)).returncode == 0
    for d, text in ((a, "Relancer par courrier"), (b, "Relancer par téléphone")):
        with Store(d) as store:
            store.update(FollowUp, fu.id, text=text)
    assert fsfield(a, "sync").returncode == 0
    result = fsfield(b, "sync")
    assert result.returncode == 0
    assert "Conflits : 1" in result.stdout and "conflits sont à régler" in result.stdout
