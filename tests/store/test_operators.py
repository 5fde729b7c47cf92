"""The grid per operator: partners listed, periods, rows, local partners as synced records,
and the département's sums in the annual report (checked by hand)."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.models import Site, Visit, VisitStatus
from fsfield.domain.operators import LocalPartner, OperatorFigures
from fsfield.domain.template import load_partners
from fsfield.reports.annual import annual_figures
from fsfield.reports.annual_render import render_csv, render_html, render_markdown
from fsfield.store import operators as grid
from fsfield.store.repo import Store

D = dt.date


def _visit(store, site, day):
    return store.create(Visit(id="", site_id=site.id, date=day, template_id="fs-visite-standard",
                              template_version=2, status=VisitStatus.FINALISED))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "d") as opened:
        yield opened


def test_one_row_per_partner_of_the_list_plus_local_partners(store):
    listed = load_partners().partners
    keys = [p.key for p in grid.grid_partners(store)]
    assert keys == [p.id for p in listed if not p.local] + [p.id for p in listed if p.local]
    added = grid.add_local_partner(store, "Point justice de Bellac", "Point justice")
    assert grid.grid_partners(store)[-1].key == added.id
    # a synced record, not a setting: it goes out with the next sync
    assert store.replica.kind_of(added.id) == "partner"
    assert any(w.record == added.id for w in store.outbox())
    with pytest.raises(ValueError, match="figure déjà"):
        grid.add_local_partner(store, "mission locale")
    with pytest.raises(ValueError, match="vide"):
        grid.add_local_partner(store, "  ")
    assert isinstance(store.get(LocalPartner, added.id), LocalPartner)


def test_period_since_the_previous_visit_and_rows(store):
    site = store.create(Site(id="", name="A"))
    _visit(store, site, D(2025, 3, 10))
    visit = _visit(store, site, D(2025, 9, 1))
    figures = grid.start_figures(store, visit)
    assert (figures.period_from, figures.period_to) == (D(2025, 3, 11), D(2025, 9, 1))
    assert grid.start_figures(store, visit).id == figures.id  # one grid per visit
    figures = grid.set_row(store, figures, "caf", referent="Mme Caf", reachable=True,
                           delay_days=12, requests=140)
    row = figures.row("caf")
    assert (row.referent, row.reachable, row.delay_days, row.requests) == ("Mme Caf", True, 12, 140)
    with pytest.raises(ValueError):
        grid.set_row(store, figures, "caf", requests=-3)
    with pytest.raises(ValueError, match="après sa fin"):
        grid.set_period(store, figures, D(2025, 9, 2), D(2025, 9, 1))
    assert store.get(OperatorFigures, figures.id).row("caf").requests == 140
    first = _visit(store, store.create(Site(id="", name="B")), D(2025, 6, 30))
    alone = grid.start_figures(store, first)
    assert (alone.period_from, alone.period_to) == (D(2024, 7, 1), D(2025, 6, 30))


def test_annual_requests_per_operator_by_hand(store):
    a, b = store.create(Site(id="", name="A")), store.create(Site(id="", name="B"))
    local = grid.add_local_partner(store, "Point justice")
    rows = [
        # A, whole period in 2025
        (a, D(2025, 6, 1), D(2025, 1, 1), {"france-titres": 100, "caf": 80, "assurance-maladie": 60,
                                            "finances-publiques": 50, "assurance-retraite": 30,
                                            "msa": 20, local.id: 10}),
        # B, 2025 only
        (b, D(2025, 10, 1), D(2025, 4, 1), {"caf": 40, "france-titres": 20}),
        # B, 01/11/2025 - 31/01/2026: 92 days, 61 in 2025 -> 61/92 of 92 = 61 requests of MSA
        (b, D(2026, 1, 31), D(2025, 11, 1), {"msa": 92}),
        # A, 2024 only: left out
        (a, D(2024, 12, 1), D(2024, 6, 1), {"caf": 999}),
    ]
    for site, day, start, numbers in rows:
        visit = _visit(store, site, day)
        figures = grid.set_period(store, grid.start_figures(store, visit), start, day)
        for key, n in numbers.items():
            figures = grid.set_row(store, figures, key, requests=n)
    figures = grid.set_row(store, grid.figures_of(store, store.visits(a.id)[0]), "caf",
                           delay_days=10, reachable=True)
    ops = annual_figures(store, 2025, today=D(2026, 3, 1)).operators
    got = {r.key: round(r.requests, 6) for r in ops.rows}
    assert got == {"france-titres": 120, "caf": 120, "msa": 81, "assurance-maladie": 60,
                   "finances-publiques": 50, "assurance-retraite": 30, local.id: 10}
    assert ops.total == pytest.approx(471)
    # five biggest: 120 + 120 + 81 + 60 + 50 = 431
    assert ops.top_share == pytest.approx(431 / 471)
    assert [r.key for r in ops.rows][:2] == ["caf", "france-titres"]  # tie: by name
    caf = next(r for r in ops.rows if r.key == "caf")
    assert (caf.sites, caf.median_delay, caf.referents_reachable, caf.referents_asked) == (2, 10, 1, 1)
    assert ops.grids == 3
    text = render_markdown(annual_figures(store, 2025, today=D(2026, 3, 1)))
    assert "part des cinq premiers opérateurs : 92 %" in text
    assert "| Point justice | 10 |" in text
    csv = render_csv(annual_figures(store, 2025, today=D(2026, 3, 1))).decode("utf-8-sig")
    assert "Demandes par opérateur;cinq premiers opérateurs;part;92 %" in csv


def test_annual_operators_paragraph_agrees_one_grid_and_one_request(store):
    site = store.create(Site(id="", name="A"))
    visit = _visit(store, site, D(2025, 6, 1))
    figures = grid.set_period(store, grid.start_figures(store, visit), D(2025, 1, 1), D(2025, 6, 1))
    grid.set_row(store, figures, "caf", requests=1)
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    for text in (render_markdown(fig), render_html(fig)):
        assert "1 demande sur 1 grille, du" in text
        assert "(s)" not in text
