"""The visit as animators work it: Sans objet on any item, the cursor moves on after every
answer, the header and the required marks at 80×24, a long text answer shown whole."""

from __future__ import annotations

from textual.widgets import Input, Static

from fsfield.domain.models import Visit
from fsfield.domain.template import AnswerStatus
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from fsfield.widgets.checklist import Checklist
from tests.tui.conftest import TODAY

NUMBER = "m1-demandes-periode"  # first item of mission 1, required, a number
TEXT = "m1-demandes-par-operateur"  # second item, text


async def open_visit(app, pilot, store, **info) -> Visit:
    visit = ops.start_visit(store, store.sites()[0], date=TODAY, **info)
    app.push_screen(VisitScreen(visit.id))
    await pilot.pause()
    return visit


async def test_sans_objet_on_a_number_item_is_an_answer_and_moves_on(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store)
        checklist = app.screen.query_one(Checklist)
        assert checklist.cursor_row == 0
        await pilot.press("4")
        await pilot.pause()
        assert app.screen.query_one("#inline", Input).has_class("-hidden"), "no editor opened"
        answer = store.get(Visit, visit.id).answer(NUMBER)
        assert answer.status is AnswerStatus.SANS_OBJET and answer.value is None
        assert checklist.cursor_row == 1, "the cursor moved on"
        assert "Sans objet" in checklist.get_row_at(0)[0]
        assert NUMBER not in ops.missing_required_ids(store.get(Visit, visit.id), ops.template_of(store, visit))


async def test_a_typed_figure_then_sans_objet_drops_the_figure(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store)
        await pilot.press("equals_sign", *"12", "enter")
        await pilot.pause()
        assert store.get(Visit, visit.id).answer(NUMBER).value == 12
        await pilot.press("up", "0")
        await pilot.pause()
        answer = store.get(Visit, visit.id).answer(NUMBER)
        assert answer.status is AnswerStatus.NON_VERIFIE and answer.value is None


async def test_the_cursor_moves_on_after_a_number_answer(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store)
        checklist = app.screen.query_one(Checklist)
        await pilot.press("enter", *"1 250", "enter")
        await pilot.pause()
        assert store.get(Visit, visit.id).answer(NUMBER).value == 1250
        assert checklist.cursor_row == 1
        await pilot.press("2")  # answers the next item, does not reopen the editor
        await pilot.pause()
        assert app.screen.query_one("#inline", Input).has_class("-hidden")
        assert store.get(Visit, visit.id).answer(TEXT).status is AnswerStatus.A_AMELIORER
        assert store.get(Visit, visit.id).answer(NUMBER).value == 1250
        assert checklist.cursor_row == 2


async def test_a_bad_figure_keeps_the_editor_and_saves_nothing(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store)
        await pilot.press("enter", *"douze", "enter")
        await pilot.pause()
        box = app.screen.query_one("#inline", Input)
        assert not box.has_class("-hidden") and box.value == "douze"
        assert store.get(Visit, visit.id).answer(NUMBER).value is None


async def test_header_required_marks_and_long_text_at_80x24(store, make_app):
    long = "CAF 120, France Travail 85, CPAM 60, MSA 12, DGFiP 40, ANTS 33, La Poste 9, Chèque énergie 4"
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store,
                                 participants="Mme Roux, M. Dupont, Mme Martin, M. Bernard, Mme Petit")
        ops.set_answer(store, store.get(Visit, visit.id), TEXT, value=long)
        app.screen.refresh_data()
        await pilot.pause()
        head = str(app.screen.query_one("#visit-head", Static).render())
        assert head.startswith("Brouillon") and len(head) <= 80
        checklist = app.screen.query_one(Checklist)
        template = ops.template_of(store, visit)
        for row, item in enumerate(template.missions[0].items):
            if item.required:
                rendered = checklist.row_text(row)
                assert rendered.rstrip().endswith("*"), rendered
        await pilot.press("down")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail", Static).render())
        assert long in detail.replace("\n", " ") or long in " ".join(detail.split())


async def test_a_follow_up_created_from_an_item_is_confirmed(store, make_app):
    from fsfield.domain.models import FollowUp

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        visit = await open_visit(app, pilot, store)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Relever les chiffres", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        assert any(n.message == "Suivi créé : Relever les chiffres" for n in app._notifications)
    [fu] = store.all(FollowUp)
    assert fu.visit_id == visit.id and fu.item_id == NUMBER
