"""The default checklist v2 (référentiel 2025): refs, formats, the v1 mapping, bad templates."""

from __future__ import annotations

import pytest

from fsfield.domain.formats import format_code
from fsfield.domain.models import Answer, Site, Visit
from fsfield.domain.template import ItemKind, TemplateError, load_template
from fsfield.domain.visit_start import format_answers
from fsfield.store.templates import packaged_archive

V2 = load_template()

MINIMAL = """id = "grille-test"
version = 1
title = "Test"

[references]
"réf. I" = "Laïcité"

[[missions]]
id = "m1"
title = "Pilotage"
short_title = "Pilotage"

[[missions.items]]
id = "m1-a"
label = "A"
kind = "status"
ref = "réf. I"
"""


def test_v2_is_the_default_and_every_item_says_what_it_checks():
    assert (V2.id, V2.version) == ("fs-visite-standard", 2)
    assert V2.items_without_ref() == []
    assert all(item.ref in V2.references for item in V2.items())
    assert V2.reference("m2-laicite-neutralite").startswith("réf. I — ")
    ids = {item.id for item in V2.items()}
    # what v1 missed: consent, satisfaction and complaints, FTE and turnover, training, Aidants Connect
    assert {"m2-donnees-consentement", "m2-satisfaction-usagers", "m2-reclamations",
            "m1-etp-conseillers", "m1-departs-conseillers", "m2-formation-continue",
            "m2-aidants-connect"} <= ids
    assert V2.item("m1-etp-conseillers").kind is ItemKind.NUMBER


def test_v1_is_shipped_archived_and_maps_into_v2():
    v1 = packaged_archive("fs-visite-standard", 1)
    assert v1 is not None and v1.version == 1 and len(v1.items()) == 31
    assert V2.translate(v1.id, 1, "m2-conseillers-formes") == "m2-formation-initiale"
    assert V2.translate(v1.id, 1, "m2-bureau-confidentiel") == "m2-bureau-confidentiel"
    assert all(V2.translate(v1.id, 1, i.id) is not None for i in v1.items())
    assert V2.translate(v1.id, 1, "m9-inconnu") is None


def _load(tmp_path, text):
    path = tmp_path / "ma-grille.toml"
    path.write_text(text, encoding="utf-8")
    return load_template(path)


def test_ref_pointing_nowhere_names_file_and_item(tmp_path):
    with pytest.raises(TemplateError) as caught:
        _load(tmp_path, MINIMAL.replace('ref = "réf. I"', 'ref = "réf. IX"'))
    assert str(caught.value).startswith(
        "ma-grille.toml : élément « m1-a » : ref « réf. IX » ne renvoie à aucune entrée")


def test_unknown_format_names_file_and_item(tmp_path):
    with pytest.raises(TemplateError) as caught:
        _load(tmp_path, MINIMAL + 'formats = ["bateau"]\n')
    assert str(caught.value).startswith(
        "ma-grille.toml : élément « m1-a » : format inconnu « bateau » (attendu : fixe,")


def test_mapping_to_a_missing_item_is_refused(tmp_path):
    text = MINIMAL + ('\n[[mapping]]\nfrom_id = "grille-test"\nfrom_version = 0\n' )
    with pytest.raises(TemplateError):
        _load(tmp_path, text)
    text = MINIMAL + ('\n[[mapping]]\nfrom_id = "grille-test"\nfrom_version = 1\n'
                      '[mapping.items]\n"m1-vieux" = "m1-nulle-part"\n')
    with pytest.raises(TemplateError, match="ma-grille.toml : correspondance grille-test@1 "
                                            "« m1-vieux » : l'élément « m1-nulle-part »"):
        _load(tmp_path, text)


def test_a_custom_grid_without_refs_loads(tmp_path):
    grid = _load(tmp_path, MINIMAL.replace('ref = "réf. I"\n', ""))
    assert grid.items_without_ref() == ["m1-a"]


@pytest.mark.parametrize("label, code", [("Fixe", "fixe"), ("Bus_équivalent", "bus"),
                                         ("Itinérante", "itinerante"), ("Multisites", "multisites"),
                                         ("Fixe_antenne(s)", "antenne"), ("", None),
                                         ("Péniche", None)])
def test_directory_formats(label, code):
    assert format_code(label) == code


def test_format_items_start_sans_objet_automatic():
    bus = format_answers(V2, Site(id="b", name="Bus", format_fs="Bus_équivalent"))
    fixed = format_answers(V2, Site(id="f", name="Fixe", format_fs="Fixe"))
    unknown = format_answers(V2, Site(id="u", name="?", format_fs=""))
    assert set(bus) == {"m2-signaletique-accessibilite"}
    assert set(fixed) == {"m1-tournee-publiee", "m2-arrets-accueil"}
    assert unknown == {}
    answer = fixed["m1-tournee-publiee"]
    assert answer.status == "sans_objet" and answer.automatic
    assert "format site fixe" in answer.comment


def test_a_v1_visit_compares_where_items_match():
    from fsfield.domain.compare import as_template

    v1 = Visit(id="v", site_id="s", date="2025-01-01", template_id="fs-visite-standard",
               template_version=1, answers={"m2-conseillers-formes": Answer(status="conforme"),
                                            "m2-horaires-24h": Answer(status="non_conforme")})
    moved = as_template(v1, V2)
    assert set(moved.answers) == {"m2-formation-initiale", "m2-horaires-24h"}
    assert (moved.template_version, v1.template_version) == (2, 1)
