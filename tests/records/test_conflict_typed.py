"""Settling a conflict by typing a value: read as the field's own form reads it."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Static

from fsfield.app import FsFieldApp
from fsfield.domain.models import FollowUp, Site
from fsfield.screens.conflicts import ConflictsScreen
from fsfield.screens.forms import TextPrompt
from tests.records.conftest import DAY, sync


def due_conflict(laptops):
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Châlus", department="87"))
    fu = a.create(FollowUp(id="", text="Relancer la CAF", site_id=site.id))
    sync(a, central)
    sync(b, central)
    a.update(FollowUp, fu.id, due=dt.date(2026, 12, 1))
    b.update(FollowUp, fu.id, due=dt.date(2027, 1, 15))
    sync(b, central)
    sync(a, central)
    assert a.replica.conflicts()
    return a, b, central, fu


async def open_prompt(app, pilot) -> None:
    app.push_screen(ConflictsScreen())
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, TextPrompt)


async def type_value(pilot, app, text: str) -> None:
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_a_due_date_typed_dd_mm_yyyy_is_stored_as_a_date_everywhere(laptops):
    a, b, central, fu = due_conflict(laptops)
    app = FsFieldApp(a, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_prompt(app, pilot)
        await type_value(pilot, app, "15/12/2026")
        assert isinstance(app.screen, ConflictsScreen)
    assert a.get(FollowUp, fu.id).due == dt.date(2026, 12, 15)
    assert [f.id for f in a.followups()] == [fu.id], "still listed"
    assert a.problems == []
    sync(a, central)
    sync(b, central)
    assert b.get(FollowUp, fu.id).due == dt.date(2026, 12, 15)
    assert [f.id for f in b.followups()] == [fu.id] and b.problems == []


async def test_an_impossible_date_keeps_the_prompt_with_the_text_and_the_reason(laptops):
    a, _, _, fu = due_conflict(laptops)
    writes_before = len(a.replica.writes_of(fu.id))
    app = FsFieldApp(a, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_prompt(app, pilot)
        await type_value(pilot, app, "31/11/2026")
        assert isinstance(app.screen, TextPrompt), "the prompt stays open"
        assert app.screen.query_one(Input).value == "31/11/2026"
        error = str(app.screen.query_one("#error", Static).render())
        assert "31/11/2026 n'existe pas" in error
    assert len(a.replica.writes_of(fu.id)) == writes_before, "nothing saved"
    assert a.replica.conflicts(), "still to settle"


async def test_dates_shown_dd_mm_yyyy_and_no_keys_once_settled(laptops):
    a, _, _, fu = due_conflict(laptops)
    app = FsFieldApp(a, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConflictsScreen())
        await pilot.pause()
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "01/12/2026 — Anne" in detail and "15/01/2027 — Bruno" in detail
        assert "2026-12-01" not in detail
        table = app.screen.query_one("DataTable")
        assert [str(c.label) for c in table.columns.values()][-1] == "Valeurs"
        assert min(c.width for c in table.columns.values()) >= len("Valeurs")
        shown = {b.binding.action for b in app.screen.active_bindings.values()
                 if b.enabled and b.binding.show}
        assert "new_value" in shown
        first = app.screen.options(app.screen._current())[0][1]
        await pilot.press("1")
        await pilot.pause()
        shown = {b.binding.action for b in app.screen.active_bindings.values()
                 if b.enabled and b.binding.show}
        assert shown.isdisjoint({"new_value", "keep(1)", "keep(2)"}), shown
    assert a.get(FollowUp, fu.id).due.isoformat() == first
