"""Local partners and operator figures are synced records: made on one laptop, seen on the other."""

from __future__ import annotations

import datetime as dt

from fsfield.domain.models import Settings, Site
from fsfield.store import operators as grid
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.syncing import central_path, run_sync


def test_local_partner_and_grid_reach_the_other_laptop(tmp_path):
    central = tmp_path / "central"
    central.mkdir()
    with Store(tmp_path / "a") as a, Store(tmp_path / "b") as b:
        a.save_settings(Settings(animator="Anne", department="87"))
        b.save_settings(Settings(animator="Bruno", department="87"))
        site = a.create(Site(id="", name="FS Aixe", department="87"))
        visit = ops.start_visit(a, site, date=dt.date(2026, 11, 26))
        partner = grid.add_local_partner(a, "Point justice")
        figures = grid.set_row(a, grid.start_figures(a, visit), partner.id, requests=7)
        run_sync(a, central_path(a, central))
        run_sync(b, central_path(b, central))
        assert partner.id in [p.key for p in grid.grid_partners(b)]
        seen = grid.figures_of(b, b.get(type(visit), visit.id))
        assert seen is not None and seen.id == figures.id and seen.row(partner.id).requests == 7
