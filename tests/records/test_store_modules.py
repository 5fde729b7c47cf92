"""The record modules: each change validated whole, the rules screens used to hold, and
nothing written on a refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.models import FollowUp, FollowUpStatus, Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.store import activities, conflicts, followups, settings, visits
from fsfield.store.sites import create_site
from tests.records.conftest import DAY, sync


@pytest.fixture
def one(laptops):
    a, _, _ = laptops
    site = a.create(Site(id="", name="FS Bellac", department="87"))
    return a, site


def count(store, record_id: str) -> int:
    return len(store.replica.writes_of(record_id))


def test_closing_a_follow_up_dates_it_and_reopening_clears_the_date(one):
    a, site = one
    fu = followups.create_followup(a, FollowUp(id="", text="x", site_id=site.id), DAY,
                                   text="Relancer la CAF")
    closed = followups.update_followup(a, fu.id, DAY, status=FollowUpStatus.ABANDONED)
    assert closed.closed_on == DAY
    later = followups.update_followup(a, fu.id, DAY + dt.timedelta(days=3), status=FollowUpStatus.DONE)
    assert later.closed_on == DAY, "already closed: the first closing date stays"
    reopened = followups.update_followup(a, fu.id, DAY, status=FollowUpStatus.IN_PROGRESS)
    assert reopened.closed_on is None
    done = followups.close_followup(a, fu.id, DAY, "  fait sur place ")
    assert (done.status, done.closed_on, done.closing_note) == (FollowUpStatus.DONE, DAY, "fait sur place")


def test_a_refused_change_writes_nothing(one):
    a, site = one
    fu = followups.create_followup(a, FollowUp(id="", text="Relancer", site_id=site.id), DAY)
    before = count(a, fu.id)
    with pytest.raises(ValueError, match="texte du suivi est vide"):
        followups.update_followup(a, fu.id, DAY, text="   ", due=DAY)
    with pytest.raises(ValueError):
        followups.update_followup(a, fu.id, DAY, due="15/12/2026", priority="haute")
    assert count(a, fu.id) == before
    assert a.get(FollowUp, fu.id).due is None


def test_a_finalised_visit_is_not_edited_and_a_figure_gives_way_to_sans_objet(one):
    a, site = one
    visit = visits.start_visit(a, site, date=DAY)
    assert visit.created_by == "Anne" and visit.created_at is not None
    visit = visits.set_answer(a, visit, "m1-demandes-periode", value=12)
    visit = visits.set_answer(a, visit, "m1-demandes-periode", status=AnswerStatus.SANS_OBJET)
    assert visit.answer("m1-demandes-periode").value is None
    visit = visits.set_answer(a, visit, "m1-demandes-periode", value=7)
    assert visit.answer("m1-demandes-periode").status is None
    template = visits.template_of(a, visit)
    for item in template.required_items():
        kw = {"status": AnswerStatus.CONFORME} if item.kind == "status" else {"value": 1}
        visit = visits.set_answer(a, visit, item.id, **kw)
    visits.finalise(a, visit, template)
    before = count(a, visit.id)
    with pytest.raises(ValueError, match="finalisée"):
        visits.set_answer(a, a.get(Visit, visit.id), "m1-demandes-periode", value=3)
    with pytest.raises(ValueError, match="finalisée"):
        visits.update_info(a, visit.id, participants="Mme Roux")
    assert count(a, visit.id) == before


def test_a_value_that_would_make_the_record_unreadable_cannot_be_kept(laptops):
    a, b, central = laptops
    site = a.create(Site(id="", name="FS Bellac", department="87"))
    fu = a.create(FollowUp(id="", text="Relancer", site_id=site.id))
    sync(a, central)
    sync(b, central)
    a.write_fields("followup", fu.id, {"due": "15/12/2026"})  # what the old prompt wrote
    b.update(FollowUp, fu.id, due=dt.date(2027, 1, 15))
    sync(a, central)
    sync(b, central)
    [conflict] = conflicts.conflicts(b)
    bad = next(v for v in conflict.values if v.value == "15/12/2026")
    with pytest.raises(ValueError, match="due"):
        conflicts.keep(b, conflict, bad.value)
    assert conflicts.has_conflicts(b)
    assert conflicts.settle_typed(b, conflict, "15/12/2026") == "2026-12-15"
    assert b.get(FollowUp, fu.id).due == dt.date(2026, 12, 15)
    assert not conflicts.has_conflicts(b)
    with pytest.raises(ValueError, match="déjà été réglé"):
        conflicts.keep(b, conflict, "2027-01-15")


def test_settings_activities_and_sites_refuse_with_a_french_reason(one):
    a, _ = one
    with pytest.raises(ValueError, match="département inconnu"):
        settings.update_settings(a, department="99")
    with pytest.raises(ValueError, match="nom de l'animateur est vide"):
        settings.update_settings(a, animator="  ")
    assert a.settings.department == "87" and a.settings.animator == "Anne"
    assert settings.update_settings(a, department="2a").department == "2A"
    with pytest.raises(ValueError, match="titre"):
        activities.create_activity(a, activity_type="visio", date=DAY, title=" ")
    sites_before = len(a.sites())
    with pytest.raises(ValueError, match="code postal « 8700 »"):
        create_site(a, name="FS Nexon", postal_code="8700")
    assert len(a.sites()) == sites_before
