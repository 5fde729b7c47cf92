"""The dossier shows the last finalised visits' scores side by side, with a trend arrow."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from fsfield.domain.models import Answer, Visit, VisitStatus
from fsfield.domain.template import AnswerStatus
from fsfield.store.templates import current_template
from tests.tui.test_screens import select_site


def _visit(store, site, day, answers, status=VisitStatus.FINALISED):
    template = current_template(store)
    return store.create(Visit(
        id="", site_id=site.id, date=day, template_id=template.id,
        template_version=template.version, status=status,
        answers={k: Answer(status=v) for k, v in answers.items()}))


async def test_dossier_scores_side_by_side_with_trend(store, make_app):
    from fsfield.screens.dossier import DossierScreen

    site = next(s for s in store.sites() if "Châlus" in s.name)
    C, NC = AnswerStatus.CONFORME, AnswerStatus.NON_CONFORME
    _visit(store, site, dt.date(2025, 3, 1), {"m2-horaires-24h": NC, "m2-deux-conseillers": NC})
    _visit(store, site, dt.date(2026, 3, 1), {"m2-horaires-24h": C, "m2-deux-conseillers": NC})
    # a draft is not scored: it must not show as a third column
    _visit(store, site, dt.date(2026, 9, 1), {"m2-horaires-24h": NC}, VisitStatus.DRAFT)
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await select_site(pilot, "Châlus")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        text = str(app.screen.query_one("#scores", Static).render())
    assert "01/03/2025" in text and "01/03/2026" in text and "01/09/2026" not in text
    line = next(li for li in text.splitlines() if li.startswith("Accompagnement"))
    assert "0 %" in line and "50 %" in line and "↗" in line


async def test_dossier_scores_line_up_with_the_other_sections(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Châlus")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        left = {name: screen.query_one(f"#{name}", Static).content_region.x
                for name in ("directory", "scores", "open-followups", "recurring")}
    assert len(set(left.values())) == 1, left
