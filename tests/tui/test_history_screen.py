"""`h` shows a field's history (who, when, every value, in the app's words); `e` then `o`
erases its past values (RGPD), and only `o` does."""

from __future__ import annotations

from fsfield.domain.models import FollowUp, Site
from fsfield.domain.template import AnswerStatus
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.followups import FollowUpsScreen
from fsfield.screens.history import HistoryScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import followups, visits
from fsfield.store.sites import update_site
from tests.tui.conftest import TODAY


def _lines(app) -> list[str]:
    assert isinstance(app.screen, HistoryScreen)
    return app.screen.lines()


async def test_h_on_a_checklist_item_lists_its_answers_and_comments_in_french(store, make_app):
    site = store.sites()[0]
    visit = visits.start_visit(store, site, date=TODAY)
    item = visits.template_of(store, visit).missions[0].items[0]
    visit = visits.set_answer(store, visit, item.id, status=AnswerStatus.NON_CONFORME)
    visit = visits.set_answer(store, visit, item.id, comment="porte fermée")
    visit = visits.set_answer(store, visit, item.id, status=AnswerStatus.CONFORME)
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        lines = _lines(app)
        text = "\n".join(lines)
        assert "réponse : « Non conforme »" in text
        assert "commentaire : « porte fermée »" in text
        assert "réponse : « Conforme »  [valeur actuelle]" in lines[-1] or \
            any("« Conforme »  [valeur actuelle]" in line for line in lines)
        assert "Géraldine Loiraud" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)


async def test_h_on_a_follow_up_words_statuses_and_dates(store, make_app):
    site = store.sites()[0]
    draft = FollowUp(id="", site_id=site.id, text="Afficher les horaires")
    fu = followups.create_followup(store, draft, TODAY, due="2026-12-15")
    followups.update_followup(store, fu.id, TODAY, due="2026-12-20")
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(FollowUpsScreen())
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        text = "\n".join(_lines(app))
        assert "échéance : « 15/12/2026 »" in text and "échéance : « 20/12/2026 »" in text
        assert "statut : « Ouvert »" in text


async def test_e_then_o_erases_the_past_values_of_the_card_and_only_o_does(store, make_app):
    site = store.sites()[0]
    update_site(store, site.id, phone="05 55 00 00 01")
    update_site(store, site.id, phone="05 55 00 00 02")
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(DossierScreen(site.id))
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "« 05 55 00 00 01 »" in "\n".join(_lines(app))
        await pilot.press("e", "enter")  # a reflex Entrée is a no
        await pilot.pause()
        assert "« 05 55 00 00 01 »" in "\n".join(_lines(app))
        await pilot.press("e", "o")
        await pilot.pause()
        text = "\n".join(_lines(app))
        assert "05 55 00 00 01" not in text
        assert "téléphone : « valeur effacée (RGPD) »" in text
        assert "Géraldine Loiraud a effacé les anciennes valeurs — téléphone" in text
        assert "« 05 55 00 00 02 »  [valeur actuelle]" in text
    assert store.get(Site, site.id).phone == "05 55 00 00 02"


def test_every_part_of_an_answer_has_a_french_name_in_the_history():
    from fsfield.domain.models import Answer
    from fsfield.screens.messages import HISTORY_ANSWER_PARTS

    assert set(Answer.model_fields) <= set(HISTORY_ANSWER_PARTS)


async def test_h_on_a_prefilled_item_names_every_part_in_french(store, make_app):
    from fsfield.screens.messages import HISTORY_ANSWER_PARTS

    site = update_site(store, store.sites()[0].id, hours={
        d: "09:00 - 12:00 / 14:00 - 17:00" for d in ("lundi", "mardi", "mercredi", "jeudi")})
    visit = visits.start_visit(store, site, date=TODAY)
    filled = [i for i, a in visit.answers.items() if a.prefilled or a.automatic]
    assert filled, "the site's hours pre-fill an item"
    visit = visits.set_answer(store, visit, filled[0], status=AnswerStatus.CONFORME)
    app = make_app(store)
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        template = visits.template_of(store, visit)
        mission = next(n for n, m in enumerate(template.missions)
                       if any(i.id == filled[0] for i in m.items))
        for _ in range(mission):
            await pilot.press("tab")
        items = [i.id for i in template.missions[mission].items]
        for _ in range(items.index(filled[0])):
            await pilot.press("down")
        await pilot.press("h")
        await pilot.pause()
        lines = _lines(app)
        named = {line.split(" — ", 1)[1].split(" : ", 1)[0] for line in lines if " — " in line}
        assert named and named <= set(HISTORY_ANSWER_PARTS.values()), lines
        assert HISTORY_ANSWER_PARTS["prefilled"] in named or HISTORY_ANSWER_PARTS["automatic"] in named
