"""Checklist templates: the packaged default, French validation errors, the version archive."""

import re
from pathlib import Path

import pytest

from fsfield.domain.template import (
    AnswerStatus,
    ChecklistTemplate,
    ItemKind,
    PrefillKey,
    TemplateError,
    answer_status_from_key,
    load_partners,
    load_template,
    load_template_source,
    parse_template,
)
from fsfield.store.template_archive import TemplateStore

FIXTURES = Path(__file__).parent / "fixtures_tpl"

OFFICIAL_MISSIONS = [
    "Appuyer le pilotage des préfectures",
    "Accompagner les structures nouvellement labellisées ou en difficulté",
    "Renforcer les relations partenariales",
    "Accompagner et fédérer le réseau France services",
    "Renforcer la visibilité des France services du département",
]

SMALL_TEMPLATE = """\
id = "modele-87"
version = 1
title = "Visite Haute-Vienne"

[[missions]]
id = "m1"
title = "Appuyer le pilotage des préfectures"
short_title = "Pilotage"

[[missions.items]]
id = "m1-demandes"
label = "Nombre de demandes"
kind = "number"
unit = "demandes"
required = true

[[missions.items]]
id = "m1-annuaire"
label = "Données de l'annuaire conformes"
kind = "status"
"""


# --- The packaged default ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def default() -> ChecklistTemplate:
    return load_template()


def test_default_template_loads_with_its_stable_id_and_a_positive_version(default):
    assert default.id == "fs-visite-standard"
    assert isinstance(default.version, int) and default.version >= 1
    assert default.title


def test_default_template_has_the_five_missions_in_official_order(default):
    assert [m.id for m in default.missions] == ["m1", "m2", "m3", "m4", "m5"]
    assert [m.title for m in default.missions] == OFFICIAL_MISSIONS
    assert [m.short_title for m in default.missions] == [
        "Pilotage",
        "Accompagnement",
        "Partenariats",
        "Réseau",
        "Visibilité",
    ]


def test_each_mission_has_five_to_sixteen_items(default):
    # v2 adds the référentiel's checks (consent, satisfaction, complaints, training, Aidants
    # Connect...) to mission 2, where the labelling criteria live: up to 16 items, of which a
    # site of a given format sees at most 15 (the others start Sans objet).
    for mission in default.missions:
        assert 5 <= len(mission.items) <= 16, mission.id


def test_item_ids_are_unique_kebab_case_and_prefixed_by_their_mission(default):
    ids = [item.id for item in default.items()]
    assert len(ids) == len(set(ids))
    for mission in default.missions:
        for item in mission.items:
            assert re.fullmatch(rf"{mission.id}(-[a-z0-9]+)+", item.id), item.id
            assert default.mission_of(item.id) is mission
            assert default.item(item.id) is item


def test_every_item_has_a_french_label_and_help(default):
    for item in default.items():
        assert item.label.strip() and item.help.strip(), item.id


def test_hours_item_is_prefilled_from_the_directory(default):
    hours = default.item("m2-horaires-24h")
    assert hours.label == "Ouverture d'au moins 24 h sur 5 jours"
    assert hours.kind is ItemKind.STATUS
    assert hours.prefill is PrefillKey.HOURS_MINIMUM
    assert hours.required
    directory = [i for i in default.items() if i.prefill is PrefillKey.DIRECTORY_DATA]
    assert [i.id for i in directory] == ["m1-donnees-annuaire"]


def test_default_has_required_items_in_every_mission_and_activity_figures(default):
    required = default.required_items()
    assert required and all(item.required for item in required)
    assert {default.mission_of(i.id).id for i in required} == {"m1", "m2", "m3", "m4", "m5"}
    assert required == [item for item in default.items() if item.required]  # display order
    demandes = default.item("m1-demandes-periode")
    assert demandes.kind is ItemKind.NUMBER and demandes.unit == "demandes" and demandes.required
    assert any(item.kind is ItemKind.TEXT for item in default.items())


def test_all_labelling_criteria_are_required(default):
    # v2: a status item checking a labelling criterion (its ref) must be answered; mission 2
    # also holds optional checks (Aidants Connect, satisfaction, complaints).
    criteria = [i for i in default.items()
                if i.kind is ItemKind.STATUS and (i.ref or "").startswith("critère")]
    assert len(criteria) >= 8
    assert all(item.required for item in criteria), [i.id for i in criteria if not i.required]
    assert {default.mission_of(i.id).id for i in criteria} >= {"m2"}


def test_unknown_item_id_raises_key_error(default):
    with pytest.raises(KeyError):
        default.item("m9-inconnu")
    with pytest.raises(KeyError):
        default.mission_of("m9-inconnu")


def test_template_is_immutable(default):
    with pytest.raises(ValueError):
        default.version = 2


# --- Answer scale ------------------------------------------------------------------------------


def test_answer_scale_labels_keys_and_stored_values():
    assert [(s.value, s.label, s.key) for s in AnswerStatus] == [
        ("conforme", "Conforme", "1"),
        ("a_ameliorer", "À améliorer", "2"),
        ("non_conforme", "Non conforme", "3"),
        ("sans_objet", "Sans objet", "4"),
        ("non_verifie", "Non vérifié", "0"),
    ]


def test_digit_keys_select_answers_and_other_keys_select_nothing():
    for status in AnswerStatus:
        assert answer_status_from_key(status.key) is status
    for key in ["5", "9", "a", "", " 1", "12"]:
        assert answer_status_from_key(key) is None


# --- Bad templates: French errors naming the file, the item and the reason ---------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "syntax_error.toml",
            "syntax_error.toml : élément « m1-demandes », ligne 12, colonne 9 : "
            "syntaxe TOML invalide, valeur invalide",
        ),
        (
            "duplicate_id.toml",
            "duplicate_id.toml : élément « m1-demandes » : identifiant en double "
            "(éléments n° 1 et n° 3 de la mission « m1 »)",
        ),
        (
            "unknown_kind.toml",
            "unknown_kind.toml : élément « m2-horaires » : type inconnu « nombre » "
            "(attendu : status, number, text)",
        ),
        (
            "missing_label.toml",
            "missing_label.toml : élément « m3-back-office » : "
            "champ obligatoire « label » manquant",
        ),
        (
            "bad_version.toml",
            "bad_version.toml : « version » doit être un nombre entier positif",
        ),
        (
            "duplicate_mission.toml",
            "duplicate_mission.toml : mission « m1 » : identifiant en double "
            "(missions n° 1 et n° 2)",
        ),
        (
            "bad_item_id.toml",
            "bad_item_id.toml : élément « m4-Séminaires » : identifiant « m4-Séminaires » invalide",
        ),
        (
            "wrong_prefix.toml",
            "wrong_prefix.toml : élément « m4-portes-ouvertes » : "
            "l'identifiant doit commencer par « m5- »",
        ),
        (
            "unknown_prefill.toml",
            "unknown_prefill.toml : élément « m2-horaires-24h » : clé de pré-remplissage "
            "inconnue « horaires » (attendu : hours_minimum, directory_data)",
        ),
        (
            "mission_without_items.toml",
            "mission_without_items.toml : mission « m1 » : aucun élément",
        ),
        ("no_mission.toml", "no_mission.toml : aucune mission"),
    ],
)
def test_bad_template_is_refused_with_one_precise_french_message(fixture, expected):
    with pytest.raises(TemplateError) as caught:
        load_template(FIXTURES / fixture)
    message = str(caught.value)
    assert message.startswith(expected)
    assert len(caught.value.problems) == 1, message  # no echo of the same fault
    assert caught.value.source == fixture


@pytest.mark.parametrize(
    ("version", "shown"),
    [("0", "0"), ("-3", "-3"), ('"1"', '"1"'), ("1.5", "1.5"), ("true", "true")],
)
def test_version_must_be_a_positive_integer(version, shown):
    text = SMALL_TEMPLATE.replace("version = 1", f"version = {version}")
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "modele.toml")
    assert str(caught.value) == (
        f"modele.toml : « version » doit être un nombre entier positif, sans guillemets "
        f"(reçu : {shown})"
    )


def test_all_problems_of_a_template_are_reported_at_once():
    text = SMALL_TEMPLATE.replace('kind = "number"', 'kind = "nombre"').replace(
        'label = "Données', 'libelle = "Données'
    )
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "modele.toml")
    assert caught.value.problems == [
        "élément « m1-demandes » : type inconnu « nombre » (attendu : status, number, text)",
        "élément « m1-annuaire » : champ obligatoire « label » manquant",
        "élément « m1-annuaire » : champ inconnu « libelle » (champs possibles : id, label, "
        "help, kind, required, unit, prefill, ref, formats)",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("required = true", 'required = "oui"'), "« required » doit valoir true ou false"),
        (('kind = "status"', 'kind = "status"\nunit = "%"'), "« unit » n'est permis que pour"),
        (
            ('kind = "number"', 'kind = "number"\nprefill = "hours_minimum"'),
            "« prefill » n'est permis que pour",
        ),
        (
            ('short_title = "Pilotage"', 'short_title = "Appuyer le pilotage des préfectures"'),
            "« short_title » est trop long (35 caractères, 20 au plus)",
        ),
        (('label = "Nombre de demandes"', 'label = "  "'), "« label » ne doit pas être vide"),
        (('id = "modele-87"', 'id = "Modèle 87"'), "identifiant « Modèle 87 » invalide"),
    ],
)
def test_fields_are_checked_with_a_french_reason(change, expected):
    text = SMALL_TEMPLATE.replace(*change)
    with pytest.raises(TemplateError, match=re.escape(expected)):
        parse_template(text, "modele.toml")


def test_optional_fields_may_be_left_out():
    text = SMALL_TEMPLATE.replace('unit = "demandes"\n', "").replace("required = true\n", "")
    item = parse_template(text).item("m1-demandes")
    assert (item.unit, item.required, item.help, item.prefill) == (None, False, "", None)


def test_item_without_id_is_named_by_its_position():
    text = SMALL_TEMPLATE.replace('id = "m1-annuaire"\n', "")
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "modele.toml")
    assert caught.value.problems == [
        "élément n° 2 de la mission « m1 » : champ obligatoire « id » manquant"
    ]


def test_user_template_may_have_other_missions_than_the_default():
    text = SMALL_TEMPLATE.replace('id = "m1"', 'id = "accueil"').replace('"m1-', '"accueil-')
    template = parse_template(text)
    assert [m.id for m in template.missions] == ["accueil"]


def test_missing_file_and_non_utf8_file_are_reported(tmp_path):
    with pytest.raises(TemplateError, match="absent.toml : fichier introuvable"):
        load_template(tmp_path / "absent.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(SMALL_TEMPLATE.encode("latin-1"))
    with pytest.raises(TemplateError, match="latin1.toml : le fichier n'est pas en UTF-8"):
        load_template(latin1)


def test_template_saved_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL_TEMPLATE.encode())
    assert load_template(path).id == "modele-87"


# --- Archive of the versions in use ------------------------------------------------------------


def test_archive_round_trip_keeps_old_visits_readable(tmp_path):
    store = TemplateStore(tmp_path / "templates")
    template, text = load_template_source()
    path = store.ensure_archived(template, text)
    assert path == tmp_path / "templates" / f"fs-visite-standard@{template.version}.toml"
    assert path.read_text(encoding="utf-8") == text
    assert TemplateStore(tmp_path / "templates").get(template.id, template.version) == template
    assert store.ensure_archived(template, text) == path  # idempotent
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left


def test_unknown_version_is_none(tmp_path):
    store = TemplateStore(tmp_path)
    assert store.get("fs-visite-standard", 7) is None
    assert store.versions("fs-visite-standard") == []


def test_editing_a_template_without_bumping_version_is_refused(tmp_path):
    store = TemplateStore(tmp_path)
    store.ensure_archived(parse_template(SMALL_TEMPLATE), SMALL_TEMPLATE)
    archived = (tmp_path / "modele-87@1.toml").read_bytes()

    edited = SMALL_TEMPLATE.replace("Nombre de demandes", "Nombre de demandes reçues")
    with pytest.raises(TemplateError) as caught:
        store.ensure_archived(parse_template(edited), edited, source_name="modele.toml")
    message = str(caught.value)
    assert message.startswith("modele.toml : le modèle « modele-87 » version 1 a déjà servi")
    assert "éléments modifiés : m1-demandes" in message
    assert "version = 2" in message

    assert (tmp_path / "modele-87@1.toml").read_bytes() == archived
    assert TemplateStore(tmp_path).get("modele-87", 1) == parse_template(SMALL_TEMPLATE)


def test_bumped_version_is_archived_beside_the_old_one(tmp_path):
    store = TemplateStore(tmp_path)
    store.ensure_archived(parse_template(SMALL_TEMPLATE), SMALL_TEMPLATE)
    edited = SMALL_TEMPLATE.replace("version = 1", "version = 2").replace(
        "Nombre de demandes", "Nombre de demandes reçues"
    )
    store.ensure_archived(parse_template(edited), edited)
    assert store.versions("modele-87") == [1, 2]
    assert store.get("modele-87", 1).item("m1-demandes").label == "Nombre de demandes"
    assert store.get("modele-87", 2).item("m1-demandes").label == "Nombre de demandes reçues"


def test_comment_and_layout_changes_need_no_new_version(tmp_path):
    store = TemplateStore(tmp_path)
    path = store.ensure_archived(parse_template(SMALL_TEMPLATE), SMALL_TEMPLATE)
    reworded = "# Modèle de la Haute-Vienne\n\n" + SMALL_TEMPLATE.replace(" = ", "   =   ")
    assert store.ensure_archived(parse_template(reworded), reworded) == path
    assert path.read_text(encoding="utf-8") == SMALL_TEMPLATE


def test_corrupt_archive_is_reported_not_overwritten(tmp_path):
    (tmp_path / "modele-87@1.toml").write_text("version = \n", encoding="utf-8")
    with pytest.raises(TemplateError, match="modele-87@1.toml : ligne 1"):
        TemplateStore(tmp_path).ensure_archived(parse_template(SMALL_TEMPLATE), SMALL_TEMPLATE)
    assert (tmp_path / "modele-87@1.toml").read_text(encoding="utf-8") == "version = \n"


def test_archive_refuses_ids_that_would_escape_its_folder(tmp_path):
    with pytest.raises(TemplateError):
        TemplateStore(tmp_path).get("../secret", 1)


def test_text_must_match_the_template_it_archives(tmp_path):
    other = SMALL_TEMPLATE.replace("Nombre de demandes", "Autre")
    with pytest.raises(ValueError):
        TemplateStore(tmp_path).ensure_archived(parse_template(SMALL_TEMPLATE), other)
    assert list(tmp_path.iterdir()) == []


# --- Partners ----------------------------------------------------------------------------------


def test_partner_list_loads_with_current_operator_names():
    partners = load_partners()
    assert partners.version >= 1
    national = {p.short for p in partners.national_operators()}
    assert national >= {
        "CAF",
        "Assurance retraite",
        "MSA",
        "CPAM",
        "France Titres",
        "France Travail",
        "DGFiP",
        "Justice",
        "La Poste",
        "Chèque énergie",
        "Anah",
        "Agirc-Arrco",
        "Urssaf",
    }
    assert partners.get("france-travail").formerly == "Pôle emploi"
    assert partners.get("france-titres").formerly == "ANTS"
    assert {p.id: p.since for p in partners.partners if p.since} == {
        "cheque-energie": 2024,
        "anah": 2024,
        "agirc-arrco": 2025,
        "urssaf": 2025,
    }
    assert {p.short for p in partners.local_partners()} >= {"France Victimes", "Mission locale"}
    assert all(p.local for p in partners.local_partners())
    assert partners.get("inconnu") is None


def test_bad_partner_list_names_the_partner(tmp_path):
    path = tmp_path / "partenaires.toml"
    path.write_text(
        'version = 1\n[[partners]]\nid = "caf"\nname = "CAF"\nshort = "CAF"\n'
        '[[partners]]\nid = "caf"\nname = "Caisse"\nshort = "CAF"\nsince = 1990\n',
        encoding="utf-8",
    )
    with pytest.raises(TemplateError) as caught:
        load_partners(path)
    assert str(caught.value) == (
        "partenaires.toml : partenaire « caf » : « since » doit être une année entre 2019 et 2100 "
        "(reçu : 1990)"
    )
