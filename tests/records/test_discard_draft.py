"""A draft started by mistake can be discarded; the tombstone syncs so every copy goes,
and whose draft it is shows when a colleague resumes it."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from fsfield.app import FsFieldApp
from fsfield.domain.models import Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.reports.annual import annual_figures
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.forms import ConfirmDialog
from fsfield.screens.sites import SitesScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from fsfield.store.overview import site_rows
from fsfield.store.sites import site_record_id
from tests.records.conftest import DAY, sync


def shared_draft(laptops) -> tuple[Site, Visit]:
    a, b, central = laptops
    site = a.create(Site(id=site_record_id("2844"), id_fs="2844", name="FS Aixe", department="87"))
    visit = ops.start_visit(a, site, date=DAY)
    sync(a, central)
    sync(b, central)
    assert b.get(Visit, visit.id)
    return site, visit


async def test_colleague_resuming_a_draft_is_told_whose_it_is(laptops):
    _, b, _ = laptops
    shared_draft(laptops)
    app = FsFieldApp(b, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "✎" in str(app.screen.query_one("#sites", DataTable).get_row_at(0)[0])
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        assert any("brouillon de Anne" in n.message for n in app._notifications)
        head = str(app.screen.query_one("#visit-head", Static).render())
        assert head.startswith("Brouillon de Anne")
        await pilot.press("escape", "enter")  # the dossier lists it as hers too
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        row = app.screen.query_one("#visits", DataTable).get_row_at(0)
        assert "Brouillon de Anne" in [str(c) for c in row][2]


async def test_discarded_draft_goes_from_home_annual_report_and_the_colleague(laptops):
    a, b, central = laptops
    site, visit = shared_draft(laptops)
    app = FsFieldApp(a, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen) and app.screen.visit_id == visit.id
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "asks first"
        await pilot.press("n")
        await pilot.pause()
        assert a.find(Visit, visit.id) is not None, "no: kept"
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        row = app.screen.query_one("#sites", DataTable).get_row_at(0)
        assert "✎" not in str(row[0]) and "jamais" in [str(c) for c in row]
    assert a.find(Visit, visit.id) is None
    [home] = site_rows(a, DAY)
    assert home.last_visit is None and home.draft_id is None
    fig = annual_figures(a, DAY.year, today=DAY)
    assert (fig.visits_total, fig.visits_draft) == (0, 0)

    sync(a, central)
    sync(b, central)
    assert b.find(Visit, visit.id) is None, "the colleague's copy goes too"
    [home_b] = site_rows(b, DAY)
    assert home_b.last_visit is None and home_b.draft_id is None
    assert b.replica.conflicts() == []


def test_only_a_draft_can_be_discarded(laptops):
    a, _, _ = laptops
    site = a.create(Site(id="", name="FS Bellac", department="87"))
    visit = ops.start_visit(a, site, date=DAY)
    template = ops.template_of(a, visit)
    for item in template.required_items():
        kw = {"status": AnswerStatus.CONFORME} if item.kind == "status" else {"value": 1}
        visit = ops.set_answer(a, visit, item.id, **kw)
    ops.finalise(a, a.get(Visit, visit.id), template)
    try:
        ops.discard_draft(a, visit.id)
    except ValueError as exc:
        assert "Seul un brouillon" in str(exc)
    else:
        raise AssertionError("a finalised visit was discarded")
    assert a.find(Visit, visit.id) is not None
