"""Reports in the TUI: `r` on a visit, `p` in a dossier, the activity journal, the annual report."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Markdown, Select, Static

from fsfield.app import FsFieldApp
from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.models import (
    Answer,
    FollowUp,
    OwnerKind,
    Settings,
    Site,
    Visit,
    VisitStatus,
)
from fsfield.domain.template import AnswerStatus
from fsfield.screens.activity import ActivityForm, ActivityScreen
from fsfield.screens.annual import AnnualScreen
from fsfield.screens.base import TitleBar
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.report import ReportScreen, SaveReportForm
from fsfield.screens.visit import VisitScreen
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

TODAY = dt.date(2026, 11, 26)
SIZE = (100, 32)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data") as opened:
        opened.save_settings(Settings(animator="Camille", department="23"))
        site = opened.create(Site(
            id="", name="France services Alpha", id_fs="101", commune="Aubusson",
            hours={d: "09:00 - 12:00" for d in ("lundi", "mardi", "mercredi")},
        ))
        template = current_template(opened)
        visit = opened.create(Visit(
            id="", site_id=site.id, date=dt.date(2026, 3, 10), template_id=template.id,
            template_version=template.version, status=VisitStatus.FINALISED,
            answers={"m2-bureau-confidentiel": Answer(
                status=AnswerStatus.NON_CONFORME, comment="Pas de bureau <script>x</script>")},
        ))
        opened.create(FollowUp(id="", text="Aménager un bureau", site_id=site.id,
                               visit_id=visit.id, owner_kind=OwnerKind.STRUCTURE,
                               due=dt.date(2026, 5, 1)))
        opened.create(Activity(id="", date=dt.date(2026, 1, 15), title="Visio de janvier",
                               activity_type=ActivityType.VISIO, attendance=12))
        yield opened


def markdown_of(app: FsFieldApp) -> str:
    assert isinstance(app.screen, ReportScreen)
    return app.screen.query_one("#report-md", Markdown).source


async def test_visit_report_with_r_then_save_as_html(store, tmp_path):
    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # dossier
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("enter")  # the visit
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        await pilot.press("r")
        await pilot.pause()
        text = markdown_of(app)
        assert text.startswith("# Compte rendu de visite — France services Alpha")
        assert "## Points d'attention (1)" in text and "Aménager un bureau" in text
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SaveReportForm)
        form.query_one("#format", Select).value = "html"
        form.query_one("#folder", Input).value = str(tmp_path / "nowhere")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "n'existe pas" in str(form.query_one("#error", Static).render())
        assert not (tmp_path / "nowhere").exists()
        form.query_one("#folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        saved = tmp_path / "2026-03-10_aubusson_101_compte-rendu.html"
        assert app.screen.saved_to == saved
        page = saved.read_text(encoding="utf-8")
        assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script" not in page
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)


async def test_prepare_pack_with_p_in_the_dossier(store):
    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        text = markdown_of(app)
        assert text.startswith("# Préparation de visite — France services Alpha")
        assert "Dernière visite : 10/03/2026" in text and "il y a 261 jours" in text
        assert "## Suivis en retard (1)" in text
        assert "9 h sur 3 jours — non conforme" in text


async def test_activity_journal_add_edit_delete(store):
    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        assert screen.query_one("#activities").row_count == 1
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#type", Select).value = "seminaire"
        form.query_one("#title", Input).value = "Séminaire d'automne"
        form.query_one("#date", Input).value = "31/02/2026"
        form.query_one("#attendance", Input).value = "38"
        form.query_one("#sites", Input).value = "101"
        form.query_one("#partners", Input).value = "CAF, France Travail"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "31/02/2026 n'existe pas" in str(form.query_one("#error", Static).render())
        assert len(store.all(Activity)) == 1  # refused: nothing written
        form.query_one("#date", Input).value = "20/11/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        added = next(a for a in store.all(Activity) if a.title == "Séminaire d'automne")
        assert added.activity_type is ActivityType.SEMINAIRE
        assert added.date == dt.date(2026, 11, 20) and added.attendance == 38
        assert added.partners == ["Caisse d'allocations familiales", "France Travail"]
        assert added.site_ids == [store.sites()[0].id]
        assert screen.query_one("#activities").row_count == 2
        assert screen.current().id == added.id  # newest first
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#attendance", Input).value = "41"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.get(Activity, added.id).attendance == 41
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert [a.title for a in store.all(Activity)] == ["Visio de janvier"]
        assert screen.query_one("#activities").row_count == 1


async def test_annual_report_screen(store):
    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")  # the keys are listed in the help
        await pilot.pause()
        help_text = str(app.screen.query_one(Static).render())
        assert "Journal" in help_text and "Bilan annuel" in help_text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, AnnualScreen)
        text = markdown_of(app)
        assert text.startswith("# Rapport d'activité 2026")
        assert "Période : du 01/01/2026 au 26/11/2026" in text
        assert "- **1** visite de structure" in text and "1 visites" not in text
        assert "- **1** visioconférence du réseau" in text
        assert "mars      " + "█" * 30 + " 1" in text
        await pilot.press("plus")
        await pilot.pause()
        assert app.screen.year == 2026  # next year has not started
        await pilot.press("minus")
        await pilot.pause()
        assert app.screen.year == 2025
        assert "Aucune visite, aucune activité ni aucun suivi enregistré en 2025" in markdown_of(app)


async def test_save_the_visit_report_as_pdf_from_the_dialog(store, tmp_path):
    import pypdf

    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter", "r")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SaveReportForm)
        assert form.query_one("#format", Select).value == "pdf", "PDF is offered first"
        assert form.query_one("#name", Input).value == "2026-03-10_aubusson_101_compte-rendu"
        form.query_one("#folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = tmp_path / "2026-03-10_aubusson_101_compte-rendu.pdf"
        assert isinstance(app.screen, ReportScreen) and app.screen.saved_to == saved
        text = "".join(p.extract_text() for p in pypdf.PdfReader(saved).pages)
        assert "Compte rendu de visite — France services Alpha" in text
        assert "Pas de bureau <script>x</script>" in text


async def test_record_sending_and_reply_from_the_dossier(store):
    from fsfield.domain.reply import Stance
    from fsfield.screens.reply_form import ReplyForm

    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        dossier = app.screen
        assert isinstance(dossier, DossierScreen)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ReplyForm)
        form.query_one("#sent-on", Input).value = "12/03/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "date et son destinataire" in str(form.query_one("#error", Static).render())
        form.query_one("#sent-to", Input).value = "Mairie d'Aubusson"
        form.query_one("#reply-on", Input).value = "31/04/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Date de réponse : 31/04/2026 n'existe pas" in str(
            form.query_one("#error", Static).render())
        [visit] = store.visits()
        assert not visit.sent() and not visit.has_reply, "refused: nothing written"
        form.query_one("#reply-on", Input).value = "30/04/2026"
        form.query_one("#reply-text", Input).value = "Bureau prévu ; travaux en juin !"
        form.query_one("#stance-0", Select).value = "conteste"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dossier
        [visit] = store.visits()
        assert [(s.on, s.to) for s in visit.sent()] == [(dt.date(2026, 3, 12), "Mairie d'Aubusson")]
        assert visit.reply_text == "Bureau prévu ; travaux en juin !"
        assert visit.reply_items == {"m2-bureau-confidentiel": Stance.CONTESTED}
        row = dossier.query_one("#visits").get_row(visit.id)
        assert row[-1] == "réponse 30/04"
        shown = str(dossier.query_one("#follow-through", Static).render())
        assert "Rapport de la visite du 10/03/2026 : Envoyé le 12/03/2026 à Mairie d'Aubusson" in shown
        assert "Réponse de la structure le 30/04/2026 : Bureau prévu ; travaux en juin !" in shown
        await pilot.press("p")
        await pilot.pause()
        text = markdown_of(app)
        assert "## Suites du rapport de la visite du 10/03/2026" in text
        assert "Contesté : Bureau confidentiel pour les rendez-vous individuels" in text


async def test_a_title_too_long_for_80_columns_ends_with_an_ellipsis(store):
    """The report's title wrapped in its one-line bar: the date was silently lost."""
    app = FsFieldApp(store, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        bar = app.screen.query_one(TitleBar)
        bar.set_title("Compte rendu de visite — France services Alpha — " + "x" * 60)
        await pilot.pause()
        title = bar.query_one(".title", Static)
        shown = "".join(seg.text for seg in title.render_line(0)).rstrip()
        assert shown.endswith("…"), shown
