"""The Planning screen: `p` from the home screen, the plan computed in a worker."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from fsfield.screens.planning import PlanningScreen


async def test_planning_lists_every_site_with_reason_and_trips(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PlanningScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#plan-entries", DataTable)
        assert table.row_count == 3  # every site, none dropped
        names = [str(table.get_row_at(i)[1]) for i in range(3)]
        # the conftest's sites have no coordinates: planned all the same, flagged
        assert all("sans coordonnées" in n for n in names)
        status = str(screen.query_one("#plan-status", Static).render())
        assert "3 structures" in status
        trips = str(screen.query_one("#plan-trips", Static).render())
        assert "sans coordonnées" in trips
        await pilot.press("enter")
        await pilot.pause()
        from fsfield.screens.dossier import DossierScreen

        assert isinstance(app.screen, DossierScreen)


async def test_the_reason_column_ends_on_screen_at_120_columns(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#plan-entries", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size.width, table.scrollable_content_region.width)


async def test_one_visit_a_day_is_worded_in_the_singular(store, make_app):
    import dataclasses

    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        text = screen._trips_text(dataclasses.replace(screen.plan, stops_per_day=1))
        assert "au plus 1 visite par jour" in text, text
