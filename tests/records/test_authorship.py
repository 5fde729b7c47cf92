"""Reports name the visit's author (who started it), not whoever reads them."""

from __future__ import annotations

from fsfield.app import FsFieldApp
from fsfield.domain.models import Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.reports import prepare
from fsfield.screens.annual import annual_rendered
from fsfield.screens.report import ReportScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops
from tests.records.conftest import DAY, sync


def visit_by_anne(laptops) -> tuple[Site, Visit]:
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Aixe", department="87"))
    visit = ops.start_visit(a, site, date=DAY)
    ops.set_answer(a, visit, "m1-saisie-demandes", status=AnswerStatus.NON_CONFORME)
    sync(a, central)
    sync(b, central)
    return site, visit


async def report_markdown(store, visit_id: str) -> str:
    app = FsFieldApp(store, today=lambda: DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(VisitScreen(visit_id))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        return app.screen.rendered.markdown


def test_author_is_a_plain_field_written_when_the_visit_starts(laptops):
    _, b, _ = laptops
    _, visit = visit_by_anne(laptops)
    assert b.replica.value(visit.id, "created_by") == "Anne"
    assert b.replica.value(visit.id, "created_at")
    assert b.get(Visit, visit.id).made_by == "Anne"


async def test_reports_read_on_b_name_a(laptops):
    _, b, _ = laptops
    site, visit = visit_by_anne(laptops)
    text = await report_markdown(b, visit.id)
    assert "**Animateur départemental :** Anne" in text
    assert "Bruno" not in text
    annual = annual_rendered(b, DAY.year, DAY).markdown
    assert "Animateur départemental : Anne" in annual and "Bruno" not in annual
    pack = prepare.render_markdown(prepare.prepare_pack(b, b.get(Site, site.id), today=DAY))
    assert "par Anne" in pack and "Bruno" not in pack


async def test_a_visit_finalised_by_b_names_both(laptops):
    _, b, _ = laptops
    _, visit = visit_by_anne(laptops)
    template = ops.template_of(b, visit)
    current = b.get(Visit, visit.id)
    for item in template.required_items():
        kw = {"status": AnswerStatus.CONFORME} if item.kind == "status" else {"value": 2}
        current = ops.set_answer(b, current, item.id, **kw)
    ops.finalise(b, current, template)
    text = await report_markdown(b, visit.id)
    assert "**Animateur départemental :** Anne (finalisée par Bruno)" in text
    annual = annual_rendered(b, DAY.year, DAY).markdown
    assert "Animateurs départementaux : Anne, Bruno" in annual
