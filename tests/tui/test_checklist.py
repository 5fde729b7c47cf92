"""The visit's checklist as drawn: every line the user reads after a key, at 80x24."""

from __future__ import annotations

import html
import re

from fsfield.domain.models import Visit
from fsfield.domain.template import AnswerStatus
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from fsfield.widgets.checklist import Checklist
from fsfield.widgets.save_status import SaveStatus

from .conftest import TODAY

SIZE = (80, 24)
TEXT = re.compile(r'<text[^>]*x="([\d.]+)"[^>]*clip-path="url\(#terminal-(?:\d+-)?line-(\d+)\)"'
                  r'[^>]*>([^<]*)</text>')
CELL = 12.2  # width of a column in Textual's screenshots


def screen_lines(app) -> list[str]:
    """The screen as painted (from Textual's screenshot), one string per terminal line."""
    lines = [[" "] * SIZE[0] for _ in range(SIZE[1])]
    for x, number, text in TEXT.findall(app.export_screenshot()):
        column = round(float(x) / CELL)
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ").rstrip("\n")):
            if column + offset < SIZE[0]:
                lines[int(number)][column + offset] = char
    return ["".join(line).rstrip() for line in lines]


async def open_visit(app, pilot, store, mission: int = 0):
    visit = ops.start_visit(store, store.sites()[0], date=TODAY)
    app.push_screen(VisitScreen(visit.id))
    await pilot.pause()
    for _ in range(mission):
        await pilot.press("tab")
    await pilot.pause()
    return visit, app.screen


async def test_every_required_item_keeps_its_mark_when_the_list_scrolls(store, make_app):
    # Mission 2 has more items than the 80x24 screen shows: a scroll bar takes two columns.
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        visit, screen = await open_visit(app, pilot, store, mission=1)
        checklist = screen.query_one("#items", Checklist)
        assert checklist.max_scroll_y > 0, "the list scrolls"
        items = screen.mission.items
        for row, item in enumerate(items):
            checklist.move_cursor(row=row)
            await pilot.pause()
            drawn = [line for line in screen_lines(app) if item.label[:30] in line]
            assert drawn, f"row {row} is on screen once the cursor is on it"
            if item.required:
                assert drawn[0].rstrip(" ▁▂▃▄▅▆▇█▔").endswith("*"), drawn[0]


async def test_the_cursor_scrolls_down_the_mission_and_back_to_the_header(store, make_app):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        visit, screen = await open_visit(app, pilot, store, mission=1)
        checklist = screen.query_one("#items", Checklist)
        last = screen.mission.items[-1]
        await pilot.press("end")
        await pilot.pause()
        assert checklist.cursor_row == checklist.row_count - 1
        assert any(last.label[:30] in line for line in screen_lines(app))
        assert not any(line.startswith(" Réponse") for line in screen_lines(app)), "header scrolled away"
        await pilot.press("home")
        await pilot.pause()
        assert checklist.cursor_row == 0
        assert any(line.startswith(" Réponse") for line in screen_lines(app)), "header back"


async def test_a_click_on_a_row_moves_the_cursor_there(store, make_app):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        visit, screen = await open_visit(app, pilot, store)
        checklist = screen.query_one("#items", Checklist)
        await pilot.click(Checklist, offset=(30, 3))  # line 0 is the header: row 2
        await pilot.pause()
        assert checklist.cursor_row == 2
        detail = "\n".join(screen_lines(app)[-6:])
        assert screen.mission.items[2].help[:20] in " ".join(detail.split())


async def test_an_answer_repaints_its_line_the_figures_and_the_indicator(store, make_app):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        visit, screen = await open_visit(app, pilot, store, mission=1)
        row = next(n for n, i in enumerate(screen.mission.items)
                   if not screen.visit.answer(i.id).is_answered and i.kind == "status")
        item, following = screen.mission.items[row], screen.mission.items[row + 1]
        screen.query_one("#items", Checklist).move_cursor(row=row)
        await pilot.pause()
        done = ops.progress(store.get(Visit, visit.id), screen.template)[screen.mission.id][0]
        before = screen_lines(app)
        assert f"2 Accompagnement {done}/16" in before[2], before[2]
        await pilot.press("2")
        await pilot.pause()
        lines = screen_lines(app)
        assert store.get(Visit, visit.id).answer(item.id).status is AnswerStatus.A_AMELIORER
        row = next(line for line in lines if item.label[:30] in line)
        assert row.lstrip().startswith("~ À améliorer"), row
        assert f"2 Accompagnement {done + 1}/16" in lines[2], lines[2]
        assert lines[0].endswith("● Enregistré")
        assert app.screen.query_one(SaveStatus).saved
        # the cursor moved on, and the detail shows the next item
        detail = " ".join(" ".join(lines[-7:-1]).split())
        assert following.help[:20] in detail
        await pilot.press("up", "3")
        await pilot.pause()
        row = next(line for line in screen_lines(app) if item.label[:30] in line)
        assert row.lstrip().startswith("✗ Non conforme"), row
        assert f"2 Accompagnement {done + 1}/16" in screen_lines(app)[2]


async def test_page_down_and_up_move_the_cursor_with_the_page(store, make_app):
    # A press answers the item under the cursor: the cursor must never be off the screen.
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        visit, screen = await open_visit(app, pilot, store, mission=1)
        checklist = screen.query_one("#items", Checklist)
        items = screen.mission.items
        await pilot.press("pagedown")
        await pilot.pause()
        row = checklist.cursor_row
        assert row > 0
        assert any(items[row].label[:30] in line for line in screen_lines(app))
        await pilot.press("1")
        await pilot.pause()
        saved = store.get(Visit, visit.id)
        assert saved.answer(items[row].id).status is AnswerStatus.CONFORME
        assert saved.answer(items[0].id) == visit.answer(items[0].id), "not the item above"
        await pilot.press("pageup")
        await pilot.pause()
        assert checklist.cursor_row == 0
        assert any(line.startswith(" Réponse") for line in screen_lines(app)), "header back"
