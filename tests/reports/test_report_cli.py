"""``fsfield report …`` and ``fsfield activity …`` as the user runs them, bad input included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "fsfield.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


# -- report visit ---------------------------------------------------------------------------


def test_report_visit_by_prefix_to_stdout(dataset):
    visit_id = dataset.visits["V2"]
    result = run(dataset.data_dir, "report", "visit", visit_id[:8])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Compte rendu de visite — France services Alpha")
    assert "## Points d'attention (2)" in result.stdout


def test_report_visit_html_to_file(dataset, tmp_path):
    out = tmp_path / "cr.html"
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"], "--format", "html",
                 "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in page
    assert str(out) in result.stderr and result.stdout == ""


def test_report_visit_unknown_id(dataset, tmp_path):
    out = tmp_path / "cr.md"
    result = run(dataset.data_dir, "report", "visit", "ffffffff", "-o", str(out))
    assert result.returncode == 1
    assert "aucune visite avec l'identifiant « ffffffff »" in result.stderr
    assert not out.exists()


def test_report_to_a_path_that_cannot_be_written(dataset, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target in (tmp_path / "missing" / "cr.md", blocker / "cr.md",
                   tmp_path / "missing" / "deeper" / "cr.md"):
        result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"], "-o", str(target))
        assert result.returncode == 1, target
        assert "Aucun fichier créé" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data"]


def test_report_to_a_folder_takes_the_documented_name(dataset, tmp_path):
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"], "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "2025-03-10_aubusson_101_compte-rendu.md"
    assert out.read_text(encoding="utf-8").startswith("# Compte rendu de visite")


def test_report_over_an_existing_file_replaces_it_whole(dataset, tmp_path):
    out = tmp_path / "cr.md"
    out.write_text("ancien")
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V1"], "-o", str(out))
    assert result.returncode == 0
    assert out.read_text(encoding="utf-8").startswith("# Compte rendu de visite")


# -- report prepare -------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["102", "beta", "BÊTA", "Bourganeuf"])
def test_report_prepare_finds_the_site(dataset, ref):
    result = run(dataset.data_dir, "report", "prepare", ref)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Préparation de visite — France services Bêta")
    assert "Obtenir un contact MSA" in result.stdout


def test_report_prepare_by_uuid_prefix_and_html(dataset):
    result = run(dataset.data_dir, "report", "prepare", dataset.sites["C"][:6], "--format",
                 "html")
    assert result.returncode == 0, result.stderr
    assert "France services Gamma" in result.stdout
    assert "ne figure plus dans l&#x27;annuaire" in result.stdout


def test_report_prepare_ambiguous_or_unknown(dataset):
    result = run(dataset.data_dir, "report", "prepare", "France services")
    assert result.returncode == 1
    assert "désigne 4 structures" in result.stderr
    result = run(dataset.data_dir, "report", "prepare", "Limoges")
    assert result.returncode == 1
    assert "aucune structure ne correspond à « Limoges »" in result.stderr


# -- report annual --------------------------------------------------------------------------


def test_report_annual_markdown(dataset):
    result = run(dataset.data_dir, "report", "annual", "2025")
    assert result.returncode == 0, result.stderr
    assert "- **6** visites de structures" in result.stdout
    assert "- **10** visioconférences du réseau" in result.stdout
    assert "- **2** séminaires" in result.stdout


def test_report_annual_csv_and_html_files(dataset, tmp_path):
    csv_file, html_file = tmp_path / "bilan.csv", tmp_path / "bilan.html"
    assert run(dataset.data_dir, "report", "annual", "2025", "--format", "csv", "--months", "6",
               "-o", str(csv_file)).returncode == 0
    text = csv_file.read_bytes().decode("utf-8-sig")
    assert "Structures non visitées;France services Bêta;dernière visite;05/06/2025" in text
    assert run(dataset.data_dir, "report", "annual", "2025", "--format", "html",
               "-o", str(html_file)).returncode == 0
    assert html_file.read_text(encoding="utf-8").count('class="bar-row"') == 12


def test_report_annual_year_without_visits(dataset):
    result = run(dataset.data_dir, "report", "annual", "2019")
    assert result.returncode == 0, result.stderr
    assert "Aucune visite, aucune activité ni aucun suivi enregistré en 2019" in result.stdout


@pytest.mark.parametrize("args", [["20x5"], ["2025", "--months", "0"]])
def test_report_annual_bad_arguments(dataset, args):
    result = run(dataset.data_dir, "report", "annual", *args)
    assert result.returncode == 1
    assert "invalide" in result.stderr


# -- activity -------------------------------------------------------------------------------


def test_activity_add_then_list(dataset):
    result = run(dataset.data_dir, "activity", "add", "--type", "visio", "--date", "12/03/2026",
                 "--titre", "Visio de mars", "--participants", "17", "--sites", "101,beta",
                 "--partenaires", "CAF,msa")
    assert result.returncode == 0, result.stderr
    assert "Activité enregistrée : 12/03/2026" in result.stdout
    listed = run(dataset.data_dir, "activity", "list", "--year", "2026")
    assert listed.returncode == 0
    assert listed.stdout.count("\n") == 1
    assert "Visio de mars — 17 participant(s) — CAF, MSA, France services Alpha" in listed.stdout
    data = json.loads(run(dataset.data_dir, "activity", "list", "--year", "2026",
                          "--json").stdout)
    assert data[0]["partners"] == ["Caisse d'allocations familiales",
                                   "Mutualité sociale agricole"]
    assert data[0]["site_ids"] == [dataset.sites["A"], dataset.sites["B"]]
    assert data[0]["attendance"] == 17 and data[0]["activity_type"] == "visio"


def test_activity_list_all_and_by_year(dataset):
    everything = run(dataset.data_dir, "activity", "list")
    assert everything.returncode == 0 and len(everything.stdout.splitlines()) == 15
    assert len(run(dataset.data_dir, "activity", "list", "--year", "2024").stdout
               .splitlines()) == 1
    empty = run(dataset.data_dir, "activity", "list", "--year", "2030")
    assert empty.returncode == 0 and "Aucune activité enregistrée en 2030" in empty.stdout


@pytest.mark.parametrize("args, reason", [
    (["--date", "31/02/2026"], "31/02/2026 n'existe pas"),
    (["--date", "hier"], "date invalide"),
    (["--type", "apéro"], "type d'activité inconnu « apéro »"),
    (["--participants", "-2"], "nombre de participants négatif"),
    (["--participants", "beaucoup"], "nombre de participants invalide"),
    (["--partenaires", "CAF,Banque de France"], "partenaire(s) inconnu(s) : Banque de France"),
    (["--sites", "999"], "aucune structure ne correspond à « 999 »"),
    (["--titre", "  "], "le titre de l'activité est vide"),
])
def test_activity_add_refuses_bad_input(dataset, args, reason):
    base = {"--type": "seminaire", "--date": "12/03/2026", "--titre": "Séminaire"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    result = run(dataset.data_dir, "activity", "add",
                 *[part for pair in base.items() for part in pair])
    assert result.returncode == 1
    assert reason in result.stderr and "Rien n'a été enregistré" in result.stderr
    listed = run(dataset.data_dir, "activity", "list", "--year", "2026")
    assert "Aucune activité" in listed.stdout
