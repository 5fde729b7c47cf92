"""CSV exports: no cell becomes a formula in Excel, numbers stay numbers, labels not ids."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from fsfield.domain.models import FollowUp, Settings, Site
from fsfield.domain.template import AnswerStatus
from fsfield.reports.export import export, neutralise
from fsfield.store.repo import Store
from fsfield.store.visits import set_answer, start_visit


def _rows(payload: bytes) -> list[list[str]]:
    assert payload.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(payload[3:].decode()), delimiter=";"))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data") as s:
        s.save_settings(Settings(animator="A", department="87"))
        yield s


@pytest.mark.parametrize("text, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+33 5 55 00 00 00", "'+33 5 55 00 00 00"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Porte à prévoir", "Porte à prévoir"),
    ("-3", "-3"), ("12.5", "12,5"), ("412", "412"),
])
def test_formula_cells_are_neutralised_and_numbers_kept(text, cell):
    assert neutralise(text) == cell


def test_exports_neutralise_typed_text_and_keep_numbers(store):
    site = store.create(Site(id="", id_fs="1", name="=cmd|'/C calc'!A0", commune="@Bellac",
                             department="87", phone="+33555000000"))
    visit = start_visit(store, site, date=dt.date(2026, 11, 26))
    visit = set_answer(store, visit, "m1-demandes-periode", value=12.5)
    set_answer(store, visit, "m2-bureau-confidentiel", status=AnswerStatus.NON_CONFORME,
               comment="-2 portes")
    header, *rows = _rows(export(store, "sites", "csv"))
    row = dict(zip(header, rows[0], strict=True))
    assert row["nom"] == "'=cmd|'/C calc'!A0" and row["commune"] == "'@Bellac"
    assert row["téléphone"] == "'+33555000000" and row["heures hebdo"] == "0"
    header, *rows = _rows(export(store, "visits", "csv"))
    by_item = {r[header.index("élément")]: dict(zip(header, r, strict=True)) for r in rows}
    number = next(r for label, r in by_item.items() if r["valeur"])
    assert number["valeur"] == "12,5"  # a number, with a decimal comma
    assert any(r["commentaire"] == "'-2 portes" for r in by_item.values())
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r)


def test_followups_export_names_the_item_not_its_id(store):
    site = store.create(Site(id="", id_fs="1", name="France services Nexon", commune="Nexon",
                             department="87"))
    visit = start_visit(store, site, date=dt.date(2026, 11, 26))
    store.create(FollowUp(id="", text="Mettre l'annuaire à jour", site_id=site.id,
                          visit_id=visit.id, item_id="m1-donnees-annuaire"))
    header, row = _rows(export(store, "followups", "csv"))
    origin = row[header.index("origine")]
    assert origin.startswith("visite du 26/11/2026 — ")
    assert "m1-donnees-annuaire" not in origin and len(origin) > len("visite du 26/11/2026 — ")
