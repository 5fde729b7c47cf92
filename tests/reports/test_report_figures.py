"""Figures of the reports on the hand-made 2025 dataset (expected values computed by hand)."""

from __future__ import annotations

import datetime as dt

from fsfield.domain.activity import ActivityType
from fsfield.domain.models import Site, Visit, VisitType
from fsfield.domain.template import AnswerStatus
from fsfield.reports.annual import annual_figures, months_before
from fsfield.reports.prepare import prepare_pack
from fsfield.reports.visit_report import visit_report

D = dt.date
END_2025 = D(2026, 3, 1)  # "today" after the year: the report is as of 31/12/2025


def test_visits_per_month_site_and_type(store):
    fig = annual_figures(store, 2025, today=END_2025)
    assert fig.as_of == D(2025, 12, 31)
    assert fig.visits_total == 6
    assert fig.visits_draft == 1
    assert fig.per_month == (1, 0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 0)
    assert fig.sites_visited == 3
    assert fig.sites_in_directory == 3  # Gamma left the directory
    rows = {s.name: (s.count, s.in_directory, s.last_visit) for s in fig.per_site}
    assert rows == {
        "France services Alpha": (3, True, D(2025, 10, 20)),
        "France services Bêta": (2, True, D(2025, 6, 5)),
        "France services Delta": (0, True, D(2024, 9, 1)),
        "France services Gamma": (1, False, D(2025, 10, 8)),
    }
    alpha = next(s for s in fig.per_site if s.name == "France services Alpha")
    assert alpha.per_month == (1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0)
    assert dict(fig.per_type) == {
        VisitType.SUIVI: 3, VisitType.LABELLISATION: 1, VisitType.ACCOMPAGNEMENT: 1,
        VisitType.PORTES_OUVERTES: 1, VisitType.CONTROLE_QUALITE: 0,
        VisitType.VISITE_MYSTERE: 0, VisitType.AUTRE: 0,
    }


def test_sites_not_visited_for_n_months(store):
    fig = annual_figures(store, 2025, today=END_2025)
    # Cut-off 31/12/2024: only Delta (01/09/2024, 486 days). Gamma left the directory.
    assert [(s.name, s.last_visit, s.days_since) for s in fig.stale] == [
        ("France services Delta", D(2024, 9, 1), 486)]
    six = annual_figures(store, 2025, today=END_2025, months=6)
    # Cut-off 30/06/2025: Bêta (05/06/2025) joins.
    assert [s.name for s in six.stale] == ["France services Bêta", "France services Delta"]


def test_months_before_clamps_the_day():
    assert months_before(D(2025, 12, 31), 12) == D(2024, 12, 31)
    assert months_before(D(2025, 3, 31), 1) == D(2025, 2, 28)
    assert months_before(D(2025, 1, 15), 2) == D(2024, 11, 15)


def test_followups_opened_closed_overdue_and_median(store):
    fig = annual_figures(store, 2025, today=END_2025)
    assert (fig.fu_opened, fig.fu_closed, fig.fu_open_end, fig.fu_overdue) == (4, 3, 2, 1)
    # Delays: F1 30 days, F2 71 days, F5 131 days.
    assert fig.median_days_to_close == 71
    by_owner = {g.label: (g.opened, g.closed, g.open_end, g.overdue) for g in fig.fu_by_owner}
    assert by_owner == {
        "Animateur": (1, 0, 1, 0),
        "Structure": (1, 1, 0, 0),
        "Préfecture": (0, 1, 0, 0),
        "Opérateur / partenaire": (2, 1, 1, 1),
    }
    assert [g.label for g in fig.fu_by_owner] == [
        "Animateur", "Structure", "Préfecture", "Opérateur / partenaire"]
    assert [(g.label, g.opened, g.closed, g.open_end, g.overdue) for g in fig.fu_by_partner] == [
        ("Caisse d'allocations familiales", 1, 1, 0, 0),
        ("Mutualité sociale agricole", 1, 0, 1, 1),
    ]


def test_followups_as_of_an_earlier_day(store):
    # As of 10/05/2025: F2 is still open (closed on 20/05) and overdue (due 30/04); F4 not
    # opened yet (05/06). Closed: F1 (30 days) and F5 (131 days): median 80.5.
    fig = annual_figures(store, 2025, today=D(2025, 5, 10))
    assert fig.as_of == D(2025, 5, 10)
    assert (fig.fu_opened, fig.fu_closed, fig.fu_open_end, fig.fu_overdue) == (3, 2, 2, 1)
    assert fig.median_days_to_close == 80.5
    assert fig.visits_total == 3


def test_most_frequent_findings(store):
    fig = annual_figures(store, 2025, today=END_2025)
    got = [(f.label, f.a_ameliorer, f.non_conforme, f.total, f.sites) for f in fig.top_findings]
    assert got == [
        ("Bureau confidentiel pour les rendez-vous individuels", 1, 2, 3, 2),
        ("Réponses du back-office dans des délais raisonnables", 2, 1, 3, 2),
        ("Deux conseillers présents pendant les heures d'ouverture", 0, 1, 1, 1),
        ("Communication locale (bulletin, presse, réseaux sociaux)", 1, 0, 1, 1),
        ("Poste numérique en libre accès", 1, 0, 1, 1),
    ]


def test_activities_by_type(store):
    fig = annual_figures(store, 2025, today=END_2025)
    by_type = {a.activity_type: (a.count, a.attendance, a.unknown_attendance)
               for a in fig.activities_by_type}
    assert by_type == {
        ActivityType.VISIO: (10, 136, 1),
        ActivityType.SEMINAIRE: (2, 75, 0),
        ActivityType.REUNION: (1, 6, 0),
        ActivityType.PORTES_OUVERTES: (1, 0, 1),
        ActivityType.FORMATION: (0, 0, 0),
        ActivityType.AUTRE: (0, 0, 0),
    }
    assert fig.attendance_total == 217
    assert len(fig.activities) == 14  # the 2024 visio is left out
    open_days = next(a for a in fig.activities if a.activity_type is ActivityType.PORTES_OUVERTES)
    assert open_days.sites == ("France services Alpha", "France services Bêta")
    meeting = next(a for a in fig.activities if a.activity_type is ActivityType.REUNION)
    assert meeting.partners == ("CAF",)


def test_summary_per_mission(store):
    fig = annual_figures(store, 2025, today=END_2025)
    got = {m.title: tuple(m.counts[s] for s in AnswerStatus) for m in fig.missions}
    # Order of the columns: Conforme, À améliorer, Non conforme, Sans objet, Non vérifié.
    assert got == {
        "Appuyer le pilotage des préfectures": (0, 0, 0, 0, 0),
        "Accompagner les structures nouvellement labellisées ou en difficulté": (2, 2, 3, 0, 0),
        "Renforcer les relations partenariales": (0, 2, 1, 0, 0),
        "Accompagner et fédérer le réseau France services": (1, 0, 0, 1, 0),
        "Renforcer la visibilité des France services du département": (2, 1, 0, 0, 1),
    }
    assert [m.title for m in fig.missions][0] == "Appuyer le pilotage des préfectures"


def test_year_without_visits_is_an_honest_empty_report(store):
    fig = annual_figures(store, 2019, today=END_2025)
    assert fig.empty
    assert fig.visits_total == 0 and fig.per_month == (0,) * 12
    assert fig.median_days_to_close is None
    assert fig.missions == [] and fig.top_findings == []
    # Every site of the directory is "not visited" as of 31/12/2019.
    assert [s.last_visit for s in fig.stale] == [None, None, None]


def test_visit_report_puts_findings_first(store, dataset):
    visit = store.get(Visit, dataset.visits["V2"])
    report = visit_report(store, visit, today=D(2025, 3, 11))
    assert report.site_name == "France services Alpha"
    assert [(ln.label, ln.status, ln.recurring) for ln in report.attention] == [
        ("Bureau confidentiel pour les rendez-vous individuels", AnswerStatus.NON_CONFORME, True),
        ("Réponses du back-office dans des délais raisonnables", AnswerStatus.A_AMELIORER, False),
    ]
    assert report.counts[AnswerStatus.CONFORME] == 1
    assert [(f.text, f.owner, f.due) for f in report.followups] == [
        ("Relancer le référent CAF", "Caisse d'allocations familiales", D(2025, 4, 30))]
    assert [title for title, _ in report.missions][0] == "1. Appuyer le pilotage des préfectures"
    assert report.finalised and report.in_directory


def test_visit_report_of_a_site_out_of_the_directory(store, dataset):
    report = visit_report(store, store.get(Visit, dataset.visits["V5"]))
    assert report.site_name == "France services Gamma"
    assert report.in_directory is False


def test_prepare_pack(store, dataset):
    site = store.get(Site, dataset.sites["B"])
    pack = prepare_pack(store, site, today=D(2025, 12, 31))
    assert pack.last_visit == D(2025, 6, 5) and pack.days_since == 209
    assert pack.visits_count == 2
    assert [(p.text, p.days_late) for p in pack.overdue] == [("Obtenir un contact MSA", 92)]
    assert [p.text for p in pack.pending] == ["Organiser un binôme"]
    assert [(ln.label, ln.comment) for ln in pack.last_findings] == [
        ("Deux conseillers présents pendant les heures d'ouverture", "Un seul conseiller le mardi"),
        ("Réponses du back-office dans des délais raisonnables", ""),
    ]
    assert pack.recurring == ["Réponses du back-office dans des délais raisonnables"]
    assert pack.hours_ok is False
    assert any("24 h sur 5 jours" in check for check in pack.checks)


def test_prepare_pack_of_a_site_never_visited(store, dataset):
    site = store.get(Site, dataset.sites["A"])
    pack = prepare_pack(store, site, today=D(2024, 12, 1))
    assert pack.last_visit is None and pack.days_since is None
    assert pack.last_findings == [] and pack.overdue == [] and pack.hours_ok is True


def test_the_seed_year_summary_can_be_read_in_the_report():
    """34 visits, monthly video meetings, two seminars, open days in October (the seed page)."""
    from fsfield.domain.activity import Activity
    from fsfield.domain.models import Site, Visit
    from fsfield.reports.annual import compute_annual
    from fsfield.reports.annual_render import render_markdown

    sites = [Site(id=f"s{n}", name=f"France services {n:02d}", id_fs=str(n)) for n in range(22)]
    visits = [
        Visit(id=f"v{n}", site_id=f"s{n % 22}", date=D(2022, 1 + n % 12, 1 + n % 27),
              template_id="t", template_version=1)
        for n in range(34)
    ]
    acts = [Activity(id=f"a{m}", date=D(2022, m, 10), activity_type=ActivityType.VISIO,
                     title="Visio", attendance=20) for m in range(1, 13)]
    acts += [Activity(id="s1", date=D(2022, 3, 15), activity_type=ActivityType.SEMINAIRE,
                      title="Séminaire 1"),
             Activity(id="s2", date=D(2022, 9, 20), activity_type=ActivityType.SEMINAIRE,
                      title="Séminaire 2"),
             Activity(id="po", date=D(2022, 10, 3), activity_type=ActivityType.PORTES_OUVERTES,
                      title="Journées portes ouvertes du 03 au 15 octobre")]
    fig = compute_annual(2022, sites=sites, visits=visits, followups=[], activities=acts,
                         template_of=lambda v: None, today=D(2023, 3, 24))
    assert (fig.visits_total, fig.sites_visited) == (34, 22)
    assert fig.activity_count(ActivityType.VISIO) == 12
    text = render_markdown(fig, "87")
    for line in ("- **34** visites de structures", "- **22 / 22** structures visitées",
                 "- **12** visioconférences du réseau", "- **2** séminaires",
                 "- **1** action « journées portes ouvertes »",
                 "| 03/10/2022 | Journées portes ouvertes | Journées portes ouvertes du 03 au 15 "
                 "octobre |"):
        assert line in text
