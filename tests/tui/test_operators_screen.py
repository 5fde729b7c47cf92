"""The operator grid from the visit screen: `o`, edit a row, numbers checked before saving."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from fsfield.screens.operators import OperatorRowForm, OperatorsScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import operators as grid
from fsfield.store import visits as ops


async def test_fill_an_operator_row_from_the_visit(store, make_app):
    site = next(s for s in store.sites() if "Châlus" in s.name)
    visit = ops.start_visit(store, site)
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OperatorsScreen)
        table = screen.query_one("#operators", DataTable)
        assert table.row_count == len(grid.grid_partners(store))
        await pilot.press("enter")  # first row: CAF
        await pilot.pause()
        form = app.screen
        assert isinstance(form, OperatorRowForm)
        form.query_one("#referent", Input).value = "Mme Durand"
        form.query_one("#delay", Input).value = "dix"
        form.query_one("#requests", Input).value = "42"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "nombre entier attendu" in str(form.query_one("#error", Static).render())
        form.query_one("#delay", Input).value = "10"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OperatorsScreen)
        period = str(app.screen.query_one("#operators-period", Static).render())
        assert "42 demandes" in period
    row = grid.figures_of(store, store.get(type(visit), visit.id)).row("caf")
    assert (row.referent, row.delay_days, row.requests) == ("Mme Durand", 10, 42)
