"""After the switch to checklist v2, a visit made with v1 still opens, reports and compares.

The store never saw v1 (the visit came by sync from a laptop that had it): the packaged archive
(templates/archive/) makes it readable.
"""

from __future__ import annotations

import datetime as dt

from fsfield.domain.models import Answer, Site, Visit, VisitStatus
from fsfield.domain.template import AnswerStatus
from fsfield.reports.visit_report import render_markdown, visit_report
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from fsfield.store.templates import current_template

C, NC = AnswerStatus.CONFORME, AnswerStatus.NON_CONFORME


def _v1_visit(store, site, day, answers):
    return store.create(Visit(
        id="", site_id=site.id, date=day, template_id="fs-visite-standard", template_version=1,
        status=VisitStatus.FINALISED, answers={k: Answer(status=v) for k, v in answers.items()}))


def _site(store, name="Châlus"):
    return next(s for s in store.sites() if name in s.name)


async def test_a_v1_visit_opens_with_its_own_items(store, make_app):
    site = _site(store)
    old = _v1_visit(store, site, dt.date(2025, 3, 1), {"m2-conseillers-formes": NC})
    assert current_template(store).version == 2
    template = ops.template_of(store, old)
    assert (template.version, len(template.items())) == (1, 31)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(VisitScreen(old.id))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VisitScreen)
        assert screen.template.version == 1
        assert any(i.id == "m2-conseillers-formes" for i in screen.template.items())


def test_a_v1_visit_reports_and_compares_with_v2(store):
    site = _site(store)
    old = _v1_visit(store, site, dt.date(2025, 3, 1),
                    {"m2-conseillers-formes": NC, "m2-horaires-24h": NC})
    text = render_markdown(visit_report(store, old))
    assert "Conseillers formés (formation initiale obligatoire)" in text
    assert "Éléments hors de la grille" not in text
    new = ops.start_visit(store, site, date=dt.date(2026, 3, 1))
    assert new.template_version == 2
    last, recurring = ops.history_of(store, new)
    # the renamed item remembers what v1 said, through the mapping
    assert last["m2-formation-initiale"].answer.status is NC
    assert last["m2-horaires-24h"].date == dt.date(2025, 3, 1)
    new = ops.set_answer(store, new, "m2-formation-initiale", status=C)
    new = ops.set_answer(store, new, "m2-horaires-24h", status=C)
    store.set_fields(Visit, new.id, {"status": "finalisee"})
    from fsfield.domain.score import mission_trend, score_history

    history = score_history(store.visits(site.id), lambda v: ops.template_of(store, v),
                            current_template(store))
    assert [h.scores["m2"].value for h in history] == [0.0, 1.0]
    assert mission_trend(history, "m2").arrow == "↗"


def test_format_items_set_automatic_at_visit_start_and_editable(store):
    bus = next(s for s in store.sites() if s.format_fs == "Bus_équivalent")
    visit = ops.start_visit(store, bus)
    answer = visit.answer("m2-signaletique-accessibilite")
    assert (answer.status, answer.automatic) == (AnswerStatus.SANS_OBJET, True)
    assert visit.answer("m1-tournee-publiee").status is None  # a bus item: to check
    visit = ops.set_answer(store, visit, "m2-signaletique-accessibilite", status=C)
    assert (visit.answer("m2-signaletique-accessibilite").status, visit.answer(
        "m2-signaletique-accessibilite").automatic) == (C, False)
    # an automatic Sans objet is an answer: finalising does not ask for it
    assert "m2-signaletique-accessibilite" not in ops.missing_required_ids(
        visit, ops.template_of(store, visit))
    assert isinstance(store.get(Site, bus.id), Site)


def test_a_finding_recurring_across_v1_and_v2_is_recognised(store):
    site = _site(store)
    _v1_visit(store, site, dt.date(2025, 3, 1), {"m2-conseillers-formes": NC})
    new = ops.start_visit(store, site, date=dt.date(2026, 3, 1))
    ops.set_answer(store, new, "m2-formation-initiale", status=NC)
    assert "m2-formation-initiale" in ops.recurring_findings(store, site.id)
