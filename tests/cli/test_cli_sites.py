"""``fsfield sites import / list``: the official directory, imported and listed as the user does."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cli_helpers import run_cli, sites_json

from fsfield.domain.names import site_sort_key


def rewrite_csv(source: Path, dest: Path, change) -> Path:
    """Copy a directory CSV, letting ``change(rows)`` edit the list of row dicts."""
    with open(source, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    dest.write_text(out.getvalue(), encoding="utf-8")
    return dest


def test_national_file_with_department_87_imports_the_24_haute_vienne_sites(tmp_path, national_csv):
    result = run_cli(tmp_path, "sites", "import", national_csv, "--department", "87")
    assert result.returncode == 0, result.stderr
    assert "24 ajoutées" in result.stdout
    sites = sites_json(tmp_path)
    assert len(sites) == 24
    assert {s["department"] for s in sites} == {"87"}
    assert len({s["id_fs"] for s in sites}) == 24


def test_importing_the_same_file_twice_never_duplicates(loaded, hv_csv):
    before = sites_json(loaded)
    result = run_cli(loaded, "sites", "import", hv_csv, "--department", "87")
    assert result.returncode == 0, result.stderr
    assert "0 ajoutée, 0 mise à jour, 24 inchangées" in result.stdout
    assert sites_json(loaded) == before, "same ids, same values, nothing rewritten"


def test_a_changed_phone_in_the_directory_is_one_update_of_the_same_site(loaded, hv_csv, tmp_path):
    before = {s["id_fs"]: s for s in sites_json(loaded)}

    def new_phone(rows):
        row = next(r for r in rows if r["id_fs"] == "515")
        row["telephone"] = "05 55 00 00 00"
        return rows

    changed = rewrite_csv(hv_csv, tmp_path / "87-modifie.csv", new_phone)
    result = run_cli(loaded, "sites", "import", changed, "--department", "87")
    assert result.returncode == 0, result.stderr
    assert "0 ajoutée, 1 mise à jour, 23 inchangées" in result.stdout
    after = {s["id_fs"]: s for s in sites_json(loaded)}
    assert len(after) == 24
    assert after["515"]["phone"] == "05 55 00 00 00"
    assert after["515"]["id"] == before["515"]["id"], "the site keeps its identity (and visits)"
    assert {k: v for k, v in after.items() if k != "515"} == {
        k: v for k, v in before.items() if k != "515"
    }


def test_a_site_no_longer_listed_is_kept_and_flagged(loaded, hv_csv, tmp_path):
    smaller = rewrite_csv(hv_csv, tmp_path / "87-sans-515.csv",
                          lambda rows: [r for r in rows if r["id_fs"] != "515"])
    result = run_cli(loaded, "sites", "import", smaller, "--department", "87")
    assert result.returncode == 0, result.stderr
    assert "1 absente de l'annuaire (conservée)" in result.stdout
    sites = {s["id_fs"]: s for s in sites_json(loaded)}
    assert len(sites) == 24 and sites["515"]["in_directory"] is False
    listing = run_cli(loaded, "sites", "list").stdout
    nexon = next(line for line in listing.splitlines() if "Nexon" in line)
    assert "[absente de l'annuaire]" in nexon


def test_rejected_rows_are_reported_with_line_and_reason_and_nothing_is_imported(
    loaded, hv_csv, tmp_path
):
    before = sites_json(loaded)

    def break_two(rows):
        rows[2]["lib_fs"] = ""  # data line 4 (header is line 1)
        rows[5]["id_fs"] = rows[4]["id_fs"]  # line 7 repeats the id of line 6
        rows[0]["telephone"] = "05 55 00 00 00"  # a valid change that must not be applied
        return rows

    bad = rewrite_csv(hv_csv, tmp_path / "87-deux-rejets.csv", break_two)
    result = run_cli(loaded, "sites", "import", bad, "--department", "87")
    assert result.returncode == 1
    assert "ligne 4 rejetée" in result.stderr
    assert "ligne 7 rejetée" in result.stderr and "déjà présent ligne 6" in result.stderr
    assert "2 lignes rejetées : rien n'a été importé" in result.stderr
    assert "--skip-rejected" in result.stderr
    assert sites_json(loaded) == before


def test_skip_rejected_imports_the_valid_rows_and_still_reports_the_rejected(
    tmp_path, hv_csv
):
    def break_one(rows):
        rows[2]["lib_fs"] = ""
        return rows

    bad = rewrite_csv(hv_csv, tmp_path / "87-un-rejet.csv", break_one)
    data = tmp_path / "data"
    result = run_cli(data, "sites", "import", bad, "--department", "87", "--skip-rejected")
    assert result.returncode == 0, result.stderr
    assert "ligne 4 rejetée" in result.stderr
    assert "23 ajoutées" in result.stdout
    assert len(sites_json(data)) == 23


def test_the_department_comes_from_the_settings_when_not_given(tmp_path, hv_csv):
    assert run_cli(tmp_path, "config", "--departement", "87").returncode == 0
    result = run_cli(tmp_path, "sites", "import", hv_csv)
    assert result.returncode == 0, result.stderr
    assert len(sites_json(tmp_path)) == 24


def test_import_without_any_department_says_how_to_give_one(tmp_path, hv_csv):
    result = run_cli(tmp_path, "sites", "import", hv_csv)
    assert result.returncode == 1
    assert "--department 87" in result.stderr and "fsfield config" in result.stderr
    assert sites_json(tmp_path) == []


def test_the_haute_vienne_bus_has_no_published_hours(loaded):
    bus = next(s for s in sites_json(loaded) if s["format_fs"] == "Bus_équivalent")
    assert bus["id_fs"] == "1839"
    assert not any(bus["hours"].values())
    listing = run_cli(loaded, "sites", "list").stdout
    line = next(x for x in listing.splitlines() if x.split()[0] == "1839")
    assert "horaires non publiés" in line and "non conforme" not in line


def test_sites_list_shows_one_line_per_site_sorted_by_name(loaded):
    result = run_cli(loaded, "sites", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 24
    names = [s["name"] for s in sites_json(loaded)]
    assert names == sorted(names, key=site_sort_key)  # French order of the short name
    assert names.index("France services de Bellac") < names.index("France services Châteauponsac")
    chalus = next(x for x in lines if x.split()[0] == "511")
    assert "Châlus" in chalus and "30 h sur 5 jours" in chalus


def test_sites_list_on_an_empty_store_says_how_to_import(tmp_path):
    result = run_cli(tmp_path, "sites", "list")
    assert result.returncode == 0
    assert "Aucune structure" in result.stdout and "sites import" in result.stdout
    assert sites_json(tmp_path) == []
