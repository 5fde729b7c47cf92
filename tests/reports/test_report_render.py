"""Markdown, HTML and CSV renderings say the right things and escape user text."""

from __future__ import annotations

import datetime as dt
import re

from fsfield.domain.models import Site, Visit
from fsfield.reports import annual_render, prepare, visit_report
from fsfield.reports.annual import annual_figures
from fsfield.reports.markup import md, md_cell

D = dt.date


def _visit_md_html(store, dataset, key="V2"):
    report = visit_report.visit_report(store, store.get(Visit, dataset.visits[key]),
                                       today=D(2025, 3, 11))
    return visit_report.render_markdown(report), visit_report.render_html(report)


def test_visit_markdown_order_and_content(store, dataset):
    text, _ = _visit_md_html(store, dataset)
    assert text.startswith("# Compte rendu de visite — France services Alpha")
    assert "**Date :** 10/03/2025 · **Type :** Suivi" in text
    assert "**Participants :** Mme Conseillère" in text
    attention = text.index("## Points d'attention (2)")
    followups = text.index("## Suivis décidés (1)")
    detail = text.index("## Détail par mission")
    assert attention < followups < detail
    section = text[attention:followups]
    assert section.index("Non conforme") < section.index("À améliorer")
    assert "↻ constat récurrent" in section
    assert "CAF : 3 semaines de délai" in section
    assert "| Relancer le référent CAF | Caisse d'allocations familiales | 30/04/2025 |" in text
    assert "Document provisoire" not in text  # finalised


def test_visit_markdown_and_html_escape_user_text(store, dataset):
    text, page = _visit_md_html(store, dataset)
    assert "<script>" not in text
    assert r"\<script\>" in text
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_visit_html_is_standalone_and_printable(store, dataset):
    _, page = _visit_md_html(store, dataset)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page and '<meta charset="utf-8">' in page
    assert "@media print" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)  # no external asset
    assert "<link" not in page
    assert "Points d&#x27;attention (2)" in page or "Points d'attention (2)" in page
    assert 'class="badge bad">Non conforme' in page


def test_draft_and_out_of_directory_are_flagged(store, dataset):
    text, page = _visit_md_html(store, dataset, key="V6")
    assert "Document provisoire" in text and "Document provisoire" in page
    gamma, _ = _visit_md_html(store, dataset, key="V5")
    assert "ne figure plus dans l'annuaire" in gamma


def test_prepare_markdown(store, dataset):
    pack = prepare.prepare_pack(store, store.get(Site, dataset.sites["B"]), today=D(2025, 12, 31))
    text = prepare.render_markdown(pack)
    assert ("Dernière visite : 05/06/2025 (Accompagnement renforcé, par Camille Test), "
            "il y a 209 jours") in text
    assert "## Suivis en retard (1)" in text and "| 92 j |" in text
    assert "## Constats récurrents (1)" in text
    assert "Un seul conseiller le mardi" in text
    assert "non conforme (≥ 24 h sur 5 jours)" in text
    html_page = prepare.render_html(pack)
    assert "Obtenir un contact MSA" in html_page and "@media print" in html_page


def test_annual_markdown_has_every_figure(store):
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    text = annual_render.render_markdown(fig, "23", "Camille Test")
    assert text.startswith("# Rapport d'activité 2025")
    assert "Période : du 01/01/2025 au 31/12/2025" in text
    assert "- **6** visites de structures (dont 1 en brouillon)" in text
    assert "- **10** visioconférences du réseau" in text
    assert "- **2** séminaires" in text
    assert "- **1** action « journées portes ouvertes »" in text
    assert "- **217** participants cumulés" in text
    assert "- **71 jours** délai médian de clôture" in text
    assert "France services Gamma (hors annuaire)" in text
    assert "| France services Delta | 104 | 01/09/2024 | 486 |" in text
    assert "| Bureau confidentiel pour les rendez-vous individuels | 1 | 2 | 3 | 2 |" in text
    bars = text[text.index("```") + 4:]
    assert bars.splitlines()[2] == "mars      " + "█" * 30 + " 2"
    assert bars.splitlines()[0] == "janvier   " + "█" * 15 + " 1"
    assert bars.splitlines()[1] == "février    0"


def test_annual_html_has_bars_and_escapes(store):
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    page = annual_render.render_html(fig, "23", "<b>Camille</b>")
    assert page.count('class="bar-row"') == 12
    assert 'style="width:100%"' in page and 'style="width:50%"' in page
    assert "&lt;b&gt;Camille&lt;/b&gt;" in page
    assert "Séminaire d&#x27;hiver" in page


def test_annual_csv_for_french_excel(store):
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    data = annual_render.render_csv(fig)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "rubrique;élément;mesure;valeur"
    assert "Visites par mois;mars;visites;2\r\n" in text
    assert "Activités;Visioconférence du réseau;nombre;10\r\n" in text
    assert "Période;2025;au;31/12/2025\r\n" in text


def test_empty_year_says_so(store):
    fig = annual_figures(store, 2019, today=D(2026, 3, 1))
    text = annual_render.render_markdown(fig)
    assert "Aucune visite, aucune activité ni aucun suivi enregistré en 2019" in text
    assert "Aucune réponse enregistrée." in text
    assert "Aucun constat." in text


def test_markdown_escaping_helpers():
    assert md("a*b_c [x](y) <i>") == r"a\*b\_c \[x\](y) \<i\>"
    assert md("un\ndeux", indent=2) == "un  \n  deux"
    assert md_cell("a | b\nc") == r"a \| b c"


def _balanced(page: str) -> bool:
    from html.parser import HTMLParser

    void = {"meta", "br", "link", "img", "input", "hr"}
    stack: list[str] = []
    ok = [True]

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag):
            if not stack or stack.pop() != tag:
                ok[0] = False

    Check().feed(page)
    return ok[0] and not stack


def test_every_html_page_is_well_formed(store, dataset):
    _, visit_page = _visit_md_html(store, dataset)
    pack = prepare.prepare_pack(store, store.get(Site, dataset.sites["B"]), today=D(2025, 12, 31))
    fig = annual_figures(store, 2025, today=D(2026, 3, 1))
    for page in (visit_page, prepare.render_html(pack), annual_render.render_html(fig)):
        assert _balanced(page)
