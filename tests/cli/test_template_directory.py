"""Checklist v2 against the real Haute-Vienne directory: buses get the bus items."""

from __future__ import annotations

from fsfield.domain.template import AnswerStatus
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

BUS_ITEMS = {"m1-tournee-publiee", "m2-arrets-accueil"}
FIXED_ITEMS = {"m2-signaletique-accessibilite"}


def test_every_site_of_87_starts_a_v2_visit_fitting_its_format(loaded):
    with Store(loaded) as store:
        template = current_template(store)
        sites = store.sites()
        assert len(sites) == 24
        formats = {s.format_fs for s in sites}
        assert formats == {"Fixe", "Bus_équivalent"}
        for site in sites:
            visit = ops.start_visit(store, site)
            automatic = {i for i, a in visit.answers.items() if a.automatic}
            assert all(visit.answer(i).status is AnswerStatus.SANS_OBJET for i in automatic)
            if site.format_fs == "Bus_équivalent":
                assert automatic == FIXED_ITEMS, site.name
                assert all(not visit.answer(i).is_answered for i in BUS_ITEMS)
            else:
                assert automatic == BUS_ITEMS, site.name
            assert (visit.template_id, visit.template_version) == (template.id, 2)


def test_a_custom_grid_without_refs_is_accepted_with_a_warning(loaded, tmp_path):
    from cli_helpers import run_cli

    grid = tmp_path / "ma-grille.toml"
    grid.write_text('id = "ma-grille"\nversion = 1\ntitle = "Grille"\n\n[[missions]]\nid = "m1"\n'
                    'title = "Pilotage"\nshort_title = "Pilotage"\n\n[[missions.items]]\n'
                    'id = "m1-a"\nlabel = "A"\nkind = "status"\n', encoding="utf-8")
    result = run_cli(loaded, "config", "--modele", grid)
    assert result.returncode == 0, result.stderr
    assert "ma-grille.toml : 1 élément sans « ref »" in result.stderr and "m1-a" in result.stderr
    bad = tmp_path / "mauvaise.toml"
    bad.write_text(grid.read_text(encoding="utf-8") + 'ref = "réf. XX"\n', encoding="utf-8")
    refused = run_cli(loaded, "config", "--modele", bad)
    assert refused.returncode == 1
    assert "mauvaise.toml : élément « m1-a » : ref « réf. XX » ne renvoie à aucune entrée" in refused.stderr
