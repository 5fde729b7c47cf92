"""Snapshots of the key screens at 80x24 (regenerate: pytest --snapshot-update)."""

from __future__ import annotations

from fsfield.domain.models import FollowUp
from fsfield.domain.template import AnswerStatus
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops

from .conftest import TODAY

SIZE = (80, 24)


def _with_a_visit(store):
    site = next(s for s in store.sites() if "Aixe" in s.name)
    visit = ops.start_visit(store, site, date=TODAY)
    ops.set_answer(store, visit, "m1-saisie-demandes", status=AnswerStatus.A_AMELIORER,
                   comment="Saisie en retard de deux semaines")
    store.create(FollowUp(id="", text="Former la nouvelle conseillère", site_id=site.id,
                          visit_id=visit.id, item_id="m1-saisie-demandes", mission_id="m1",
                          due=TODAY.replace(day=1)))
    return visit


def test_sites_screen(store, make_app, snap_compare):
    _with_a_visit(store)
    assert snap_compare(make_app(store), terminal_size=SIZE)


def test_visit_screen(store, make_app, snap_compare):
    visit = _with_a_visit(store)

    async def open_visit(pilot):
        pilot.app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        await pilot.press("down", "down")

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=open_visit)


def test_followups_screen(store, make_app, snap_compare):
    _with_a_visit(store)
    assert snap_compare(make_app(store), terminal_size=SIZE, press=["f"])
