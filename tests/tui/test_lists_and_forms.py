"""Home list order and columns, form keys, confirmations, feedback on a new follow-up."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, Select

from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.models import Site
from fsfield.screens.activity import ActivityScreen
from fsfield.screens.followup_form import FollowUpForm
from fsfield.screens.forms import ConfirmDialog

from .test_visit_flow import select_site


def _names(table: DataTable) -> list[str]:
    return [str(table.get_row_at(r)[0]) for r in range(table.row_count)]


async def test_home_list_is_in_french_order_of_the_short_name(store, make_app):
    for name, commune in [("France services de Bellac", "Bellac"),
                          ("France services Châteauponsac", "Châteauponsac"),
                          ("France services Éymoutiers", "Eymoutiers"),
                          ("France services du Dorat", "Le Dorat")]:
        store.create(Site(id="", name=name, commune=commune, department="87"))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        names = _names(app.screen.query_one("#sites", DataTable))
        # Bellac came after Châteauponsac (sorted on "France services de …"), and É after Z
        assert names == ["Aixe-sur-Vienne", "Bellac", "Bus Ambazac", "Châlus", "Châteauponsac",
                         "Dorat", "Éymoutiers"]


async def test_commune_is_whole_when_the_terminal_is_wide(store, make_app):
    long_commune = "Saint-Léonard-de-Noblat"
    store.create(Site(id="", name="France services Saint-Léonard", commune=long_commune,
                      department="87"))
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sites", DataTable)
        communes = [str(table.get_row_at(r)[1]) for r in range(table.row_count)]
        assert long_commune in communes  # was cut at 16 characters
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sites", DataTable)
        assert all(len(str(table.get_row_at(r)[0])) <= 26 for r in range(table.row_count))


async def test_enter_on_a_drop_down_goes_to_the_next_field_and_space_opens_it(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FollowUpForm)
        await pilot.press(*"Relancer la CAF", "enter")
        owner = form.query_one("#owner", Select)
        assert form.focused is owner
        await pilot.press("enter")  # the hint says "champ suivant": it used to open the list
        await pilot.pause()
        assert not owner.expanded and form.focused is form.query_one("#due", Input)
        await pilot.press("shift+tab", "space")
        await pilot.pause()
        assert owner.expanded
        overlay = owner.query_one("SelectOverlay")
        dialog = form.query_one(".dialog")
        assert overlay.region.bottom <= dialog.region.bottom  # not over the footer below
        await pilot.press("down", "enter")  # Entrée in the open list picks the option
        await pilot.pause()
        assert not owner.expanded and owner.value == "structure"
        await pilot.press("enter", "enter")  # next field (due), then priority, the last one
        await pilot.pause()
        assert form.focused is form.query_one("#priority", Select)
        assert store.followups() == []
        await pilot.press("enter")  # from the last field: saves
        await pilot.pause()
        [fu] = store.followups()
        assert fu.text == "Relancer la CAF" and fu.owner_kind.value == "structure"
        # created from an item of the visit: the user is told
        assert any(n.message == "Suivi créé : Relancer la CAF" for n in app._notifications)


async def test_deleting_a_journal_entry_needs_o_enter_means_no(store, make_app):
    store.create(Activity(id="", activity_type=ActivityType.VISIO, date=dt.date(2026, 3, 12),
                          title="Visio de mars"))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ActivityScreen())
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ActivityScreen) and len(store.all(Activity)) == 1
        await pilot.press("d", "o")
        await pilot.pause()
        assert store.all(Activity) == []
        assert isinstance(app.screen, ActivityScreen)
