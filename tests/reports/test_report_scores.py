"""Scores in the annual report, on the hand-made 2025 dataset (conftest.py).

By hand (finalised visits only; V6 is a draft):
V1 A 15/01: m2 (NC, AA) 25 %, m4 100 %, m5 100 %; V2 A 10/03: m2 (NC, C) 50 %, m3 (AA) 50 %;
V3 B 25/03: m2 (AA) 50 %, m3 (NC) 0 %, m4 Sans objet only; V4 B 05/06: m3 (AA) 50 %,
m2 (NC) 0 %; V5 C 08/10: m5 (C, AA) 75 %; V0 D 2024 only.
"""

from __future__ import annotations

import datetime as dt

from fsfield.reports.annual import annual_figures
from fsfield.reports.annual_render import render_csv, render_markdown

END_2025 = dt.date(2026, 3, 1)


def test_distribution_per_mission(store):
    scores = annual_figures(store, 2025, today=END_2025).scores
    got = {d.mission_id: (d.sites, d.bands, d.median) for d in scores.distribution}
    assert got == {
        "m1": (0, (0, 0, 0), None),
        "m2": (2, (1, 1, 0), 0.25),    # A 50 %, B 0 %
        "m3": (2, (0, 2, 0), 0.5),     # A 50 %, B 50 %
        "m4": (1, (0, 0, 1), 1.0),     # A 100 % (V1)
        "m5": (2, (0, 1, 1), 0.875),   # A 100 %, Gamma 75 %
    }


def test_sites_that_worsened(store):
    scores = annual_figures(store, 2025, today=END_2025).scores
    assert [(w.name, w.date, w.missions) for w in scores.worsened] == [
        ("France services Bêta", dt.date(2025, 6, 5), (("Accompagnement", "50 %", "0 %"),))]


def test_scores_are_rendered(store):
    fig = annual_figures(store, 2025, today=END_2025)
    text = render_markdown(fig)
    assert "## Scores par mission" in text
    assert "Accompagnement 50 % → 0 %" in text
    csv = render_csv(fig).decode("utf-8-sig")
    assert "Structures en recul;France services Bêta" in csv


def test_visit_report_gives_the_score_per_mission_once_finalised(store, dataset):
    from fsfield.domain.models import Visit
    from fsfield.reports.visit_report import render_markdown as visit_md
    from fsfield.reports.visit_report import visit_report

    v2 = store.get(Visit, dataset.visits["V2"])  # m2 (NC, C) 50 %, m3 (AA) 50 %
    text = visit_md(visit_report(store, v2))
    assert "Score par mission : Pilotage — · Accompagnement 50 % · Partenariats 50 %" in text
    draft = store.get(Visit, dataset.visits["V6"])
    assert "Score par mission" not in visit_md(visit_report(store, draft))


def test_quality_checks_and_mystery_visits_are_counted_apart(store, dataset):
    from fsfield.domain.models import Visit, VisitType

    site = store.get(Visit, dataset.visits["V1"]).site_id
    for kind, day in ((VisitType.CONTROLE_QUALITE, 12), (VisitType.VISITE_MYSTERE, 13),
                      (VisitType.VISITE_MYSTERE, 14)):
        store.create(Visit(id="", site_id=site, date=dt.date(2025, 11, day), visit_type=kind,
                           template_id="fs-visite-standard", template_version=2))
    fig = annual_figures(store, 2025, today=END_2025)
    kinds = dict(fig.per_type)
    assert (kinds[VisitType.CONTROLE_QUALITE], kinds[VisitType.VISITE_MYSTERE]) == (1, 2)
    assert ("**9** visites de structures (dont 4 en brouillon, 1 contrôle qualité, "
            "2 visites mystère)") in render_markdown(fig)


def test_scores_reach_the_pdf_data(store, dataset):
    from fsfield.domain.models import Visit
    from fsfield.reports.typst_data import annual_data, visit_data
    from fsfield.reports.visit_report import visit_report

    report = visit_report(store, store.get(Visit, dataset.visits["V2"]))
    missions = visit_data(report)["missions"]
    assert [m.get("score") for m in missions][:3] == [None, "50 %", "50 %"]
    assert any("ref" in it for m in missions for it in m["items"])
    bars = annual_data(annual_figures(store, 2025, today=END_2025))["missions"]
    assert [b.get("score") for b in bars] == [None, "25 %", "50 %", "100 %", "88 %"]
