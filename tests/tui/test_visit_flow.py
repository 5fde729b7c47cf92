"""End to end: sites → visit through the five missions → follow-up → quit → reopen → finalise."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from fsfield.domain.models import FollowUp, FollowUpStatus, Visit, VisitStatus
from fsfield.domain.template import AnswerStatus, load_template
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.followup_form import FollowUpForm
from fsfield.screens.followups import FollowUpsScreen
from fsfield.screens.sites import SitesScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.widgets.checklist import Checklist

from .conftest import TODAY

TEMPLATE = load_template()


async def select_site(pilot, name_part: str) -> None:
    table = pilot.app.screen.query_one("#sites", DataTable)
    for row in range(table.row_count):
        if name_part in str(table.get_row_at(row)[0]):
            table.move_cursor(row=row)
            await pilot.pause()
            return
    raise AssertionError(f"no site row containing {name_part!r}")


async def answer_whole_mission(pilot, mission) -> None:
    """Answer every item of the current mission: statuses with 1, numbers and text inline."""
    for item in mission.items:
        if item.kind == "status":
            await pilot.press("1")  # answers and moves down
            continue
        await pilot.press("enter")
        await pilot.press(*("12" if item.kind == "number" else "ok"))
        await pilot.press("enter")  # saves and moves down, like a status answer


async def test_whole_visit_flow_survives_quit_and_reopen(store, make_app, tmp_path):
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        assert isinstance(app.screen, SitesScreen)
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VisitScreen)
        for index, mission in enumerate(TEMPLATE.missions):
            assert screen.mission_index == index
            await answer_whole_mission(pilot, mission)
            if index == 1:
                # A follow-up on the first item of mission 2.
                screen.query_one("#items", Checklist).move_cursor(row=0)
                await pilot.press("a")
                await pilot.pause()
                assert isinstance(app.screen, FollowUpForm)
                await pilot.click("#text")
                await pilot.press(*"Afficher les horaires")
                await pilot.press("tab")  # to owner
                await pilot.press("tab")  # to due date
                await pilot.press(*"15/12/2026")
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert isinstance(app.screen, VisitScreen)
            await pilot.press("tab")
            await pilot.pause()
        assert screen.mission_index == 0, "tab wraps around after the fifth mission"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        await pilot.press("q")
    data_dir = store.data_dir
    store.close()

    # Reopen: everything is there, as a draft.
    store2 = Store(data_dir)
    [visit] = store2.visits()
    assert visit.status is VisitStatus.DRAFT
    assert visit.date == TODAY
    for item in TEMPLATE.items():
        answer = visit.answer(item.id)
        assert answer.is_answered, item.id
        assert not answer.prefilled, "answering confirms the pre-filled hours item"
        if item.kind == "status":
            assert answer.status is AnswerStatus.CONFORME
    assert visit.answer("m1-demandes-periode").value == 12
    [fu] = store2.followups()
    assert fu.text == "Afficher les horaires"
    assert fu.visit_id == visit.id and fu.mission_id == "m2" and fu.item_id == "m2-horaires-24h"
    assert fu.due is not None and fu.due.isoformat() == "2026-12-15"

    app2 = make_app(store2)
    async with app2.run_test(size=(100, 32)) as pilot:
        await select_site(pilot, "Aixe")
        assert "✎" in str(app2.screen.query_one("#sites", DataTable).get_row_at(
            app2.screen.query_one("#sites", DataTable).cursor_row)[0])
        await pilot.press("n")  # resumes the draft
        await pilot.pause()
        assert isinstance(app2.screen, VisitScreen) and app2.screen.visit_id == visit.id
        await pilot.press("F")
        await pilot.pause()
        assert store2.get(Visit, visit.id).status is VisitStatus.FINALISED
        await pilot.press("escape")
        await pilot.press("f")
        await pilot.pause()
        fus = app2.screen
        assert isinstance(fus, FollowUpsScreen)
        table = fus.query_one("#followups", DataTable)
        assert table.row_count == 1
        assert "Afficher les horaires" in str(table.get_row_at(0)[1])
        assert "Visite 26/11/2026" in str(fus.query_one("#fu-detail").render())
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"fait sur place", "enter")
        await pilot.pause()
        assert table.row_count == 0, "closed follow-ups are hidden by default"
        await pilot.press("o")
        await pilot.pause()
        assert table.row_count == 1
    done = store2.get(FollowUp, fu.id)
    assert done.status is FollowUpStatus.DONE
    assert done.closing_note == "fait sur place" and done.closed_on == TODAY
    store2.close()


async def test_finalise_is_refused_while_required_items_are_unanswered(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "F")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VisitScreen)
        assert store.get(Visit, screen.visit_id).status is VisitStatus.DRAFT
        assert any(n.title == "Visite non finalisée" for n in app._notifications)
        first = next(i for i in TEMPLATE.required_items())
        assert screen.mission.id == TEMPLATE.mission_of(first.id).id
        assert screen.current_item().id == first.id, "the first missing item is selected"


async def test_finalised_visit_is_read_only_until_reopened_and_reopening_is_recorded(store, make_app):
    from fsfield.store import visits as ops

    site = store.sites()[0]
    visit = ops.start_visit(store, site, date=TODAY)
    for item in TEMPLATE.required_items():
        kw = {"status": AnswerStatus.CONFORME} if item.kind == "status" else {"value": 3}
        visit = ops.set_answer(store, visit, item.id, **kw)
    visit = ops.finalise(store, visit, TEMPLATE)
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        first = TEMPLATE.missions[0].items[0].id
        assert store.get(Visit, visit.id).answer(first).value == 3, "unchanged while finalised"
        await pilot.press("F")  # reopen asks first
        await pilot.press("o")
        await pilot.pause()
        reopened = store.get(Visit, visit.id)
        assert reopened.status is VisitStatus.DRAFT
        assert [e.what for e in reopened.history()] == ["finalisee", "reouverte"]


async def test_dossier_shows_hours_verdict_history_and_opens_a_past_visit(store, make_app):
    from fsfield.store import visits as ops

    site = next(s for s in store.sites() if "Aixe" in s.name)
    past = ops.start_visit(store, site, date=TODAY.replace(month=3))
    ops.set_answer(store, past, "m2-bureau-confidentiel", status=AnswerStatus.NON_CONFORME)
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("enter")
        await pilot.pause()
        dossier = app.screen
        assert isinstance(dossier, DossierScreen)
        text = str(dossier.query_one("#directory").render())
        assert "30 h sur 5 jours — conforme" in text
        visits = dossier.query_one("#visits", DataTable)
        assert visits.row_count == 1 and "26/03/2026" in str(visits.get_row_at(0)[0])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen) and app.screen.visit_id == past.id


async def test_previous_answer_and_recurring_finding_shown_beside_the_item(store, make_app):
    from fsfield.store import visits as ops

    site = next(s for s in store.sites() if "Aixe" in s.name)
    for month in (3, 6):
        v = ops.start_visit(store, site, date=TODAY.replace(month=month))
        ops.set_answer(store, v, "m1-saisie-demandes", status=AnswerStatus.A_AMELIORER,
                       comment=f"retard {month}")
        ops.finalise  # noqa: B018 - drafts are history too
    current = ops.start_visit(store, site, date=TODAY)
    app = make_app(store)
    async with app.run_test(size=(120, 32)) as pilot:
        app.push_screen(VisitScreen(current.id))
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#items", Checklist)
        row = [i.id for i in TEMPLATE.missions[0].items].index("m1-saisie-demandes")
        table.move_cursor(row=row)
        await pilot.pause()
        assert "↻" in str(table.get_row_at(row)[1])
        assert "À améliorer" in str(table.get_row_at(row)[2])
        detail = str(screen.query_one("#detail").render())
        assert "Dernière visite : À améliorer — 26/06/2026" in detail
        assert "Constat récurrent" in detail


async def test_followup_form_refuses_empty_text_and_warns_on_past_due(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FollowUpForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "vide" in str(form.query_one("#error").render())
        assert store.followups() == []
        form.query_one("#text", Input).value = "Relancer la CAF"
        form.query_one("#due", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "n'existe pas" in str(form.query_one("#error").render())
        assert store.followups() == []
        form.query_one("#due", Input).value = "01/01/2026"
        owner = form.query_one("#owner", Select)
        owner.value = next(
            v for label, v in owner._options if str(v).startswith("partenaire:") and "CAF" in str(v)
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        [fu] = store.followups()
        assert fu.due.isoformat() == "2026-01-01" and fu.owner_kind.value == "partenaire"
        assert any("déjà passée" in n.message for n in app._notifications)


async def test_refused_finalise_words_the_missing_count_without_parenthesised_plurals(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "F")
        await pilot.pause()
        note = next(n for n in app._notifications if n.title == "Visite non finalisée")
        missing = len(ops.missing_required(store.get(Visit, app.screen.visit_id), TEMPLATE))
        assert missing > 1
        assert "(s)" not in note.message
        assert note.message.startswith(f"{missing} éléments obligatoires sans réponse"), note.message


async def test_followup_from_an_item_typed_with_enter_between_fields_is_told_once(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "a")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpForm)
        await pilot.press(*"Relancer", "enter", "enter", *"15/12/2026", "ctrl+s")
        await pilot.pause()
        [fu] = store.followups()
        assert fu.text == "Relancer" and fu.due.isoformat() == "2026-12-15"
        told = [n for n in app._notifications if "Suivi créé" in n.message]
        assert len(told) == 1, [n.message for n in told]


async def test_discarding_a_draft_with_d_is_told_once(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        visit_id = app.screen.visit_id
        await pilot.press("3", "D", "o")
        await pilot.pause()
        await pilot.pause()
        assert store.find(Visit, visit_id) is None
        assert not isinstance(app.screen, VisitScreen)
        told = [n.message for n in app._notifications if "abandonné" in n.message]
        assert len(told) == 1, told
