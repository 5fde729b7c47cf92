"""``fsfield export``: CSV that French Excel opens as is (BOM, ``;``, dd/mm/yyyy), and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import run_cli, run_cli_bytes

from fsfield.domain.models import FollowUp, Priority
from fsfield.domain.template import AnswerStatus
from fsfield.store.lock import LOCK_NAME
from fsfield.store.repo import Store
from fsfield.store.visits import set_answer, start_visit

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def _worked(tmp_path_factory, _hv_loaded) -> Path:
    data = tmp_path_factory.mktemp("worked") / "data"
    shutil.copytree(_hv_loaded, data, ignore=shutil.ignore_patterns(LOCK_NAME))
    with Store(data) as store:
        nexon = next(s for s in store.sites() if s.id_fs == "515")
        visit = start_visit(store, nexon, date=dt.date(2026, 11, 26))
        visit = set_answer(store, visit, "m1-demandes-periode", value=412)
        visit = set_answer(store, visit, "m2-bureau-confidentiel",
                           status=AnswerStatus.NON_CONFORME, comment="Pas de porte; à prévoir")
        store.create(FollowUp(id="", text="Installer une porte au bureau", site_id=nexon.id,
                              visit_id=visit.id, item_id="m2-bureau-confidentiel",
                              due=dt.date(2027, 1, 15), priority=Priority.HIGH))
    return data


@pytest.fixture
def worked(tmp_path, _worked) -> Path:
    """The 24 sites, one visit of Nexon on 26/11/2026 with answers, one follow-up due 15/01/2027."""
    return Path(shutil.copytree(_worked, tmp_path / "data",
                                ignore=shutil.ignore_patterns(LOCK_NAME)))


def export(data: Path, *args: str | Path) -> bytes:
    result = run_cli_bytes(data, "export", *args)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def french_rows(payload: bytes) -> list[list[str]]:
    assert payload.startswith(BOM), "Excel needs the BOM to read UTF-8"
    text = payload[len(BOM):].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_sites_csv_opens_in_french_excel(worked):
    rows = french_rows(export(worked, "sites", "--format", "csv"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id_fs", "nom", "commune"]
    assert len(body) == 24 and all(len(r) == len(header) for r in body)
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_id["511"]["commune"] == "Châlus"
    assert by_id["511"]["24 h / 5 jours"] == "conforme"
    assert by_id["1839"]["24 h / 5 jours"] == "à vérifier", "the bus publishes no hours"
    assert by_id["511"]["dans l'annuaire"] == "oui"


def test_visits_csv_has_french_dates_and_one_row_per_answer(worked):
    rows = french_rows(export(worked, "visits", "--format", "csv"))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert header[0] == "date"
    assert {r["date"] for r in body} == {"26/11/2026"}
    assert {r["structure"] for r in body} == {"France services Nexon"}
    door = next(r for r in body if r["élément"].lower().startswith("bureau"))
    assert door["réponse"] == "Non conforme"
    assert door["commentaire"] == "Pas de porte; à prévoir", "a ; inside a cell stays in it"
    assert any(r["valeur"] == "412" for r in body)


def test_followups_csv_has_french_dates(worked):
    rows = french_rows(export(worked, "followups", "--format", "csv"))
    [row] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert row["suivi"] == "Installer une porte au bureau"
    assert row["échéance"] == "15/01/2027"
    assert row["priorité"] == "Haute" and row["statut"] == "Ouvert"
    assert row["origine"].startswith("visite du 26/11/2026")


@pytest.mark.parametrize(("what", "count"), [("sites", 24), ("visits", 1), ("followups", 1)])
def test_json_export_parses(worked, what, count):
    records = json.loads(export(worked, what, "--format", "json"))
    assert len(records) == count and all(r["id"] for r in records)


def test_export_to_a_file_writes_the_same_bytes(worked, tmp_path):
    out = tmp_path / "suivis.csv"
    result = run_cli(worked, "export", "followups", "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stderr and result.stdout == ""
    assert out.read_bytes() == export(worked, "followups", "--format", "csv")


def test_export_to_an_unwritable_path_fails_and_creates_nothing(worked, tmp_path):
    target = tmp_path / "dossier-absent" / "structures.csv"
    result = run_cli(worked, "export", "sites", "--format", "csv", "-o", target)
    assert result.returncode == 1
    assert "impossible d'écrire" in result.stderr and str(target) in result.stderr
    assert "Aucun fichier créé" in result.stderr
    assert not target.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_export_of_an_empty_store_is_just_the_header(tmp_path):
    rows = french_rows(export(tmp_path, "visits", "--format", "csv"))
    assert rows == [rows[0]] and rows[0][0] == "date"
    assert json.loads(export(tmp_path, "visits", "--format", "json")) == []
