"""Sent and the structure's reply: recorded on a finalised visit, versioned, synced."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.models import Settings, Site, Visit, VisitStatus
from fsfield.domain.reply import Stance
from fsfield.domain.template import AnswerStatus
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.sites import site_record_id
from fsfield.store.syncing import central_path, run_sync

D = dt.date


def refinalise(store: Store, visit: Visit) -> Visit:
    """Finalise again (the dataset's visits do not answer every required item)."""
    return store.set_fields(Visit, visit.id, {"status": VisitStatus.FINALISED.value})


def test_sending_records_date_recipient_and_the_version_sent(store, dataset):
    visit = store.get(Visit, dataset.visits["V2"])
    sent = ops.record_sending(store, visit, on=D(2025, 3, 20), to="Mairie d'Aubusson")
    [sending] = sent.sent()
    assert (sending.on, sending.to, sending.by) == (D(2025, 3, 20), "Mairie d'Aubusson",
                                                    "Camille Test")
    assert sending.version == visit.version and not sent.changed_since_sent


def test_a_visit_changed_after_sending_shows_it_and_reopening_alone_does_not(store, dataset):
    visit = ops.record_sending(store, store.get(Visit, dataset.visits["V2"]), on=D(2025, 3, 20),
                               to="Préfecture")
    visit = refinalise(store, ops.reopen(store, visit))
    assert not visit.changed_since_sent, "reopened and finalised again, nothing changed"
    visit = ops.set_answer(store, ops.reopen(store, visit), "m2-poste-numerique",
                           status=AnswerStatus.A_AMELIORER)
    assert visit.changed_since_sent
    visit = refinalise(store, visit)
    visit = ops.record_sending(store, visit, on=D(2025, 4, 2), to="Préfecture")
    assert not visit.changed_since_sent and len(visit.sent()) == 2


def test_sending_or_reply_on_a_draft_is_refused_and_nothing_is_written(store, dataset):
    draft = store.get(Visit, dataset.visits["V6"])
    assert draft.status is VisitStatus.DRAFT
    writes = len(store.replica.fields(draft.id))
    with pytest.raises(ValueError, match="pas finalisée"):
        ops.record_sending(store, draft, on=D(2025, 11, 1), to="Préfecture")
    with pytest.raises(ValueError, match="pas finalisée"):
        ops.record_reply(store, draft, on=D(2025, 11, 1), text="ok")
    assert len(store.replica.fields(draft.id)) == writes


def test_reply_with_stances_unknown_item_and_empty_reply(store, dataset):
    visit = store.get(Visit, dataset.visits["V2"])
    with pytest.raises(ValueError, match="élément inconnu de la grille : m9-nope"):
        ops.record_reply(store, visit, on=D(2025, 4, 1), text="", stances={"m9-nope":
                                                                          Stance.ACCEPTED})
    with pytest.raises(ValueError, match="réponse vide"):
        ops.record_reply(store, visit, on=None, text="  ")
    visit = ops.record_reply(store, visit, on=D(2025, 4, 1), text="Nous aménageons un bureau.",
                             stances={"m2-bureau-confidentiel": Stance.ACCEPTED,
                                      "m3-back-office": Stance.CONTESTED})
    assert visit.has_reply and visit.reply_on == D(2025, 4, 1)
    assert visit.reply_items == {"m2-bureau-confidentiel": Stance.ACCEPTED,
                                 "m3-back-office": Stance.CONTESTED}
    visit = ops.record_reply(store, visit, on=D(2025, 4, 1), text="Nous aménageons un bureau.",
                             stances={"m3-back-office": None})
    assert visit.reply_items == {"m2-bureau-confidentiel": Stance.ACCEPTED}
    assert not visit.changed_since_sent, "a reply is not a change of the report"


def test_sending_and_reply_sync_between_two_laptops(tmp_path):
    central = tmp_path / "central"
    central.mkdir()
    with Store(tmp_path / "a") as a, Store(tmp_path / "b") as b:
        a.save_settings(Settings(animator="Anne", department="87"))
        b.save_settings(Settings(animator="Bruno", department="87"))
        site = a.create(Site(id=site_record_id("2844"), id_fs="2844", name="FS Aixe"))
        visit = ops.start_visit(a, site, date=D(2026, 11, 26))
        visit = ops.set_answer(a, visit, "m2-bureau-confidentiel",
                               status=AnswerStatus.NON_CONFORME)
        visit = refinalise(a, visit)
        ops.record_sending(a, visit, on=D(2026, 11, 27), to="Structure et préfecture")
        run_sync(a, central_path(a, central))
        run_sync(b, central_path(b, central))
        seen = b.get(Visit, visit.id)
        assert [(s.on, s.to, s.by) for s in seen.sent()] == [
            (D(2026, 11, 27), "Structure et préfecture", "Anne")]
        assert not seen.changed_since_sent, "the version sent is the same on both laptops"
        # Bruno records the reply and a second sending; Anne records another sending meanwhile.
        seen = ops.record_reply(b, seen, on=D(2026, 12, 5), text="Bureau prévu en janvier.",
                                stances={"m2-bureau-confidentiel": Stance.CONTESTED})
        ops.record_sending(b, seen, on=D(2026, 12, 6), to="Préfecture")
        ops.record_sending(a, a.get(Visit, visit.id), on=D(2026, 12, 6), to="Sous-préfecture")
        run_sync(b, central_path(b, central))
        report = run_sync(a, central_path(a, central))
        assert report.conflicts == 0
        run_sync(b, central_path(b, central))
        for store in (a, b):
            got = store.get(Visit, visit.id)
            assert (got.reply_on, got.reply_text) == (D(2026, 12, 5), "Bureau prévu en janvier.")
            assert got.reply_items == {"m2-bureau-confidentiel": Stance.CONTESTED}
            assert sorted(s.to for s in got.sent()) == [
                "Préfecture", "Sous-préfecture", "Structure et préfecture"]
            assert not got.conflicted


def test_annual_report_counts_reports_sent_replies_and_changes(store, dataset):
    from fsfield.reports.annual import annual_figures
    from fsfield.reports.annual_render import render_markdown

    v1 = ops.record_sending(store, store.get(Visit, dataset.visits["V1"]), on=D(2025, 1, 20),
                            to="Préfecture")
    ops.record_reply(store, v1, on=D(2025, 2, 1), text="Reçu.",
                     stances={"m2-poste-numerique": Stance.ACCEPTED})
    v3 = ops.record_sending(store, store.get(Visit, dataset.visits["V3"]), on=D(2025, 4, 1),
                            to="Mairie de Bourganeuf")
    # A change after sending (in the app: reopen, edit, finalise; the data set's V3 lacks
    # required answers, so it is written below the record modules, which would refuse it).
    store.set_fields(Visit, v3.id, {"answers.m4-seminaires.comment": "Corrigé après envoi"})
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    # Finalised visits of 2025: V1, V2, V3, V4, V5 (V6 is a draft).
    assert (len(fig.replies), fig.reports_sent, fig.replies_received) == (5, 2, 1)
    rows = {(r.site_name, r.visit_date): r for r in fig.replies}
    alpha = rows[("France services Alpha", D(2025, 1, 15))]
    assert (alpha.sent_on, alpha.reply_on, alpha.accepted, alpha.contested) == (
        D(2025, 1, 20), D(2025, 2, 1), 1, 0)
    assert rows[("France services Bêta", D(2025, 3, 25))].changed_since_sent
    text = render_markdown(fig)
    assert ("2 rapports envoyés sur 5 visites finalisées · 1 réponse reçue · "
            "1 modifié après envoi") in text
    assert "| France services Bêta | 25/03/2025 | 01/04/2025 (modifié après envoi) |" in text
