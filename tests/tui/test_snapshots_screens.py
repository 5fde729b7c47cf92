"""Snapshots at 80x24 of every screen and dialog besides the visit, conflicts, sync screens
and the site form (regenerate: pytest --snapshot-update tests/tui/test_snapshots_screens.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

import pytest

from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.models import FollowUp, Settings
from fsfield.domain.template import AnswerStatus
from fsfield.screens.activity import ActivityForm, ActivityScreen
from fsfield.screens.annual import AnnualScreen
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.followup_form import FollowUpForm
from fsfield.screens.followups import FollowUpsScreen
from fsfield.screens.forms import CommentForm, ConfirmDialog, TextPrompt, VisitInfoForm
from fsfield.screens.report import ReportScreen, SaveReportForm, visit_rendered
from fsfield.store import visits as ops
from fsfield.store.repo import Store

from .conftest import TODAY

SIZE = (80, 24)


def _world(store):
    """A visit with answers, two follow-ups (one closed), an activity."""
    site = next(s for s in store.sites() if "Aixe" in s.name)
    visit = ops.start_visit(store, site, date=TODAY - dt.timedelta(days=3))
    visit = ops.set_answer(store, visit, "m1-saisie-demandes", status=AnswerStatus.A_AMELIORER,
                           comment="Saisie en retard de deux semaines")
    ops.set_answer(store, visit, "m2-bureau-confidentiel", status=AnswerStatus.NON_CONFORME)
    store.create(FollowUp(id="", text="Former la nouvelle conseillère", site_id=site.id,
                          visit_id=visit.id, item_id="m1-saisie-demandes", mission_id="m1",
                          due=TODAY.replace(day=1)))
    store.create(Activity(id="", activity_type=ActivityType.SEMINAIRE, date=TODAY.replace(day=3),
                          title="Séminaire départemental", attendance=18, partners=["CAF"]))
    return site, visit


SCREENS = {
    "dossier": lambda store, site, visit: DossierScreen(site.id),
    "suivis": lambda store, site, visit: FollowUpsScreen(),
    "journal": lambda store, site, visit: ActivityScreen(),
    "rapport_visite": lambda store, site, visit: ReportScreen(
        lambda: visit_rendered(store, visit.id, TODAY)),
    "bilan_annuel": lambda store, site, visit: AnnualScreen(store, TODAY),
}
DIALOGS = {
    "formulaire_suivi": lambda store, site, visit: FollowUpForm(
        store.followups()[0], origin="Visite du 23/11/2026 — Saisie des demandes"),
    "nouveau_suivi": lambda store, site, visit: FollowUpForm(
        FollowUp(id="", text="(nouveau)", site_id=site.id), new=True),
    "formulaire_activite": lambda store, site, visit: ActivityForm(),
    "confirmation": lambda store, site, visit: ConfirmDialog(
        "Supprimer l'activité « Séminaire départemental » du 03/11/2026 ?"),
    "texte": lambda store, site, visit: TextPrompt("Note de clôture (facultative)"),
    "commentaire": lambda store, site, visit: CommentForm("Saisie des demandes", "À revoir"),
    "infos_visite": lambda store, site, visit: VisitInfoForm(visit),
    "enregistrer_rapport": lambda store, site, visit: SaveReportForm(
        visit_rendered(store, visit.id, TODAY), PurePosixPath("/home/animatrice/Documents")),
}


@pytest.mark.parametrize("name", [*SCREENS, *DIALOGS])
def test_screen(name, store, make_app, snap_compare):
    site, visit = _world(store)
    build = {**SCREENS, **DIALOGS}[name]

    async def show(pilot):
        pilot.app.push_screen(build(store, site, visit))
        await pilot.pause()

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=show)


def test_help_of_the_home_screen(store, make_app, snap_compare):
    _world(store)

    async def show(pilot):
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=show)


def test_palette_of_the_home_screen(store, make_app, snap_compare):
    _world(store)
    assert snap_compare(make_app(store), terminal_size=SIZE, press=["ctrl+p", "s", "y"])


def test_first_run(tmp_path, make_app, snap_compare):
    store = Store(tmp_path / "fresh")
    try:
        assert snap_compare(make_app(store), terminal_size=SIZE)
    finally:
        store.close()


def test_home_at_120_columns(store, make_app, snap_compare):
    _world(store)
    store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
    assert snap_compare(make_app(store), terminal_size=(120, 40))


