"""The home screen's rows, read from the replica without building a model per site, say what
the models say (and keep their order), and give the model to the actions that need it."""

from __future__ import annotations

from fsfield.domain.models import FollowUpStatus, Site, VisitStatus
from fsfield.store import overview
from fsfield.store.overview import site_rows
from tests.tui.conftest import TODAY


def test_rows_show_the_fields_of_the_sites_models_in_their_order(store) -> None:
    gone = store.create(Site(id="", id_fs="9", name="France services Nexon", department="87"))
    store.delete(Site, gone.id)
    rows = site_rows(store, TODAY)
    sites = store.sites()
    assert [r.site_id for r in rows] == [s.id for s in sites] and gone.id not in {s.id for s in sites}
    assert len(rows) == 3
    for row, site in zip(rows, sites, strict=True):
        assert (row.name, row.commune, row.format_fs, row.in_directory, row.conflicted) == (
            site.name, site.commune, site.format_fs, site.in_directory, site.conflicted)
        assert row.site == site


def test_the_statuses_compared_as_text_are_the_models() -> None:
    assert overview.DRAFT == VisitStatus.DRAFT.value
    assert set(overview.FOLLOWUP_CLOSED) == {FollowUpStatus.DONE.value,
                                             FollowUpStatus.ABANDONED.value}


async def test_the_home_screen_refits_its_columns_when_the_terminal_is_resized(store, make_app):
    from textual.widgets import DataTable

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#sites", DataTable)
        assert "Format" not in [str(c.label) for c in table.columns.values()]
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert "Format" in [str(c.label) for c in table.columns.values()]
        assert table.row_count == 3
        assert not app.screen.query("#filter"), "the filter box is made when `/` is pressed"
