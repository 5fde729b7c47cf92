"""What the plan reads from the store: which visits reset the due date, findings, follow-ups."""

from __future__ import annotations

import datetime as dt

from fsfield.domain.models import Answer, FollowUp, Site, Visit, VisitStatus, VisitType
from fsfield.domain.template import AnswerStatus
from fsfield.store.plan import build_plan, site_facts
from fsfield.store.repo import Store

D = dt.date
TODAY = D(2026, 12, 1)


def _visit(store, site, day, kind=VisitType.SUIVI, answers=None, final=True):
    return store.create(Visit(
        id="", site_id=site.id, date=day, visit_type=kind, template_id="fs-visite-standard",
        template_version=1, status=VisitStatus.FINALISED if final else VisitStatus.DRAFT,
        answers={k: Answer(status=v) for k, v in (answers or {}).items()}))


def test_mystery_visit_does_not_reset_but_quality_check_does(tmp_path):
    with Store(tmp_path / "d") as store:
        a = store.create(Site(id="", name="A", labelled_on=D(2020, 1, 1)))
        b = store.create(Site(id="", name="B", labelled_on=D(2020, 1, 1)))
        gone = store.create(Site(id="", name="Partie", in_directory=False))
        _visit(store, a, D(2025, 5, 1))
        _visit(store, a, D(2026, 5, 1), VisitType.VISITE_MYSTERE)
        _visit(store, b, D(2025, 5, 1))
        _visit(store, b, D(2026, 5, 1), VisitType.CONTROLE_QUALITE, final=False)
        _visit(store, b, D(2027, 1, 1))  # in the future: not a visit yet
        facts = {f.name: f for f in site_facts(store, TODAY)}
        assert set(facts) == {"A", "B"} and gone.name not in facts
        assert facts["A"].last_visit == D(2025, 5, 1)
        assert facts["B"].last_visit == D(2026, 5, 1)
        due = {e.site.name: e.due for e in build_plan(store, TODAY).entries}
        assert due == {"A": D(2026, 5, 1), "B": D(2027, 5, 1)}


def test_non_conforme_of_the_last_finalised_visit_and_overdue_followups(tmp_path):
    with Store(tmp_path / "d") as store:
        a = store.create(Site(id="", name="A"))
        b = store.create(Site(id="", name="B"))
        NC, C = AnswerStatus.NON_CONFORME, AnswerStatus.CONFORME
        _visit(store, a, D(2026, 2, 1), answers={"m2-horaires-24h": C})
        _visit(store, a, D(2026, 6, 1), answers={"m2-horaires-24h": NC,
                                                 "m2-bureau-confidentiel": NC})
        _visit(store, a, D(2026, 7, 1), answers={"m2-horaires-24h": C}, final=False)  # draft
        _visit(store, b, D(2026, 9, 1))
        store.create(FollowUp(id="", text="Relancer", site_id=b.id, due=D(2026, 10, 1)))
        store.create(FollowUp(id="", text="Plus tard", site_id=b.id, due=D(2027, 1, 1)))
        facts = {f.name: f for f in site_facts(store, TODAY)}
        assert (facts["A"].open_non_conforme, facts["A"].last_visit) == (True, D(2026, 7, 1))
        assert facts["B"].overdue_followups == 1
        entries = {e.site.name: e for e in build_plan(store, TODAY).entries}
        assert (entries["A"].rule_id, entries["A"].due) == ("non-conforme", D(2026, 10, 1))
        assert (entries["B"].rule_id, entries["B"].due) == ("suivis-en-retard", D(2026, 11, 1))
