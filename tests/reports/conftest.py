"""A hand-made year (2025) built through the Store API; tests check figures computed by hand.

Sites: A (Alpha, 101), B (Bêta, 102), C (Gamma, 103, left the directory), D (Delta, 104).
Visits: D 01/09/2024; A 15/01/2025 (labellisation), A 10/03/2025, B 25/03/2025,
B 05/06/2025 (accompagnement renforcé), C 08/10/2025 (portes ouvertes), A 20/10/2025 (draft).
Follow-ups: F1 (V1, structure, closed 14/02/2025), F2 (V2, CAF, closed 20/05/2025),
F3 (V3, MSA, open, due 30/09/2025), F4 (V4, animator, in progress, due 31/01/2026),
F5 (D's 2024 visit, préfecture, abandoned 10/01/2025).
Activities: 10 visios, 2 seminars, 1 partner meeting, 1 open days in 2025; 1 visio in 2024.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.models import (
    Answer,
    FollowUp,
    FollowUpStatus,
    OwnerKind,
    Settings,
    Site,
    Visit,
    VisitStatus,
    VisitType,
)
from fsfield.domain.template import AnswerStatus
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

C, AA, NC = AnswerStatus.CONFORME, AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME
SO, NV = AnswerStatus.SANS_OBJET, AnswerStatus.NON_VERIFIE
D = dt.date
FULL_WEEK = {d: "09:00 - 12:00 / 14:00 - 17:00" for d in ("lundi", "mardi", "mercredi", "jeudi",
                                                            "vendredi")}
SHORT_WEEK = {"lundi": "09:00 - 12:00", "mardi": "09:00 - 12:00", "jeudi": "14:00 - 17:00"}


@dataclass
class Dataset:
    data_dir: Path
    sites: dict[str, str]
    visits: dict[str, str]
    followups: dict[str, str]


def _site(store: Store, name: str, id_fs: str, commune: str, hours: dict[str, str],
          in_directory: bool = True) -> str:
    site = Site(id="", name=name, id_fs=id_fs, commune=commune, hours=hours, department="23",
                address="1 place de la Mairie", phone="05 55 00 00 00", email="fs@example.fr",
                in_directory=in_directory)
    return store.create(site).id


def _visit(store: Store, site_id: str, date: dt.date, kind: VisitType,
           answers: dict[str, AnswerStatus], comments: dict[str, str] | None = None,
           draft: bool = False) -> str:
    template = current_template(store)
    comments = comments or {}
    visit = Visit(
        id="", site_id=site_id, date=date, visit_type=kind, participants="Mme Conseillère",
        template_id=template.id, template_version=template.version,
        status=VisitStatus.DRAFT if draft else VisitStatus.FINALISED,
        answers={k: Answer(status=v, comment=comments.get(k, "")) for k, v in answers.items()},
    )
    return store.create(visit).id


def build(store: Store) -> Dataset:
    """Fill ``store`` with the 2025 dataset."""
    store.save_settings(Settings(animator="Camille Test", department="23"))
    s = {
        "A": _site(store, "France services Alpha", "101", "Aubusson", FULL_WEEK),
        "B": _site(store, "France services Bêta", "102", "Bourganeuf", SHORT_WEEK),
        "C": _site(store, "France services Gamma", "103", "Crocq", FULL_WEEK, in_directory=False),
        "D": _site(store, "France services Delta", "104", "Dun-le-Palestel", FULL_WEEK),
    }
    v = {
        "V0": _visit(store, s["D"], D(2024, 9, 1), VisitType.SUIVI,
                     {"m2-bureau-confidentiel": NC}),
        "V1": _visit(store, s["A"], D(2025, 1, 15), VisitType.LABELLISATION,
                     {"m2-bureau-confidentiel": NC, "m2-poste-numerique": AA,
                      "m4-seminaires": C, "m5-portes-ouvertes": C},
                     {"m2-bureau-confidentiel": "Pas de bureau fermé"}),
        "V2": _visit(store, s["A"], D(2025, 3, 10), VisitType.SUIVI,
                     {"m2-bureau-confidentiel": NC, "m2-poste-numerique": C,
                      "m3-back-office": AA},
                     {"m2-bureau-confidentiel": "Toujours pas de bureau <script>alert(1)</script>",
                      "m3-back-office": "CAF : 3 semaines de délai"}),
        "V3": _visit(store, s["B"], D(2025, 3, 25), VisitType.SUIVI,
                     {"m2-bureau-confidentiel": AA, "m3-back-office": NC, "m4-seminaires": SO}),
        "V4": _visit(store, s["B"], D(2025, 6, 5), VisitType.ACCOMPAGNEMENT,
                     {"m3-back-office": AA, "m2-deux-conseillers": NC},
                     {"m2-deux-conseillers": "Un seul conseiller le mardi"}),
        "V5": _visit(store, s["C"], D(2025, 10, 8), VisitType.PORTES_OUVERTES,
                     {"m5-portes-ouvertes": C, "m5-communication-locale": AA}),
        "V6": _visit(store, s["A"], D(2025, 10, 20), VisitType.SUIVI,
                     {"m2-bureau-confidentiel": C, "m5-carte-nationale": NV}, draft=True),
    }
    fus = {}
    for key, text, visit, owner, name, due, status, closed in [
        ("F1", "Afficher les horaires", "V1", OwnerKind.STRUCTURE, "", D(2025, 3, 1),
         FollowUpStatus.DONE, D(2025, 2, 14)),
        ("F2", "Relancer le référent CAF", "V2", OwnerKind.PARTNER,
         "Caisse d'allocations familiales", D(2025, 4, 30), FollowUpStatus.DONE, D(2025, 5, 20)),
        ("F3", "Obtenir un contact MSA", "V3", OwnerKind.PARTNER, "Mutualité sociale agricole",
         D(2025, 9, 30), FollowUpStatus.OPEN, None),
        ("F4", "Organiser un binôme", "V4", OwnerKind.ANIMATOR, "", D(2026, 1, 31),
         FollowUpStatus.IN_PROGRESS, None),
        ("F5", "Signaler le changement de porteur", "V0", OwnerKind.PREFECTURE, "",
         D(2024, 12, 31), FollowUpStatus.ABANDONED, D(2025, 1, 10)),
    ]:
        site_id = store.get(Visit, v[visit]).site_id
        fus[key] = store.create(FollowUp(
            id="", text=text, site_id=site_id, visit_id=v[visit], owner_kind=owner,
            owner_name=name, due=due, status=status, closed_on=closed,
        )).id
    visio_people = [15, 14, 16, 12, 18, 15, 13, 17, 16, None]
    visio_months = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]
    for month, people in zip(visio_months, visio_people, strict=True):
        store.create(Activity(id="", date=D(2025, month, 12), activity_type=ActivityType.VISIO,
                              title=f"Visio mensuelle {month:02d}/2025", attendance=people))
    for date, kind, title, people, sites, partners in [
        (D(2025, 6, 19), ActivityType.SEMINAIRE, "Séminaire de printemps", 40, [], []),
        (D(2025, 12, 4), ActivityType.SEMINAIRE, "Séminaire d'hiver", 35, [], []),
        (D(2025, 4, 8), ActivityType.REUNION, "Réunion avec la CAF", 6, [s["A"]],
         ["Caisse d'allocations familiales"]),
        (D(2025, 10, 6), ActivityType.PORTES_OUVERTES, "Journées portes ouvertes", None,
         [s["A"], s["B"]], []),
        (D(2024, 12, 12), ActivityType.VISIO, "Visio de décembre 2024", 11, [], []),
    ]:
        store.create(Activity(id="", date=date, activity_type=kind, title=title,
                              attendance=people, site_ids=sites, partners=partners))
    return Dataset(store.data_dir, s, v, fus)


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    """The dataset, built and saved (the store is closed: commands can open it)."""
    with Store(tmp_path / "data") as store:
        return build(store)


@pytest.fixture
def store(dataset: Dataset):
    """The dataset's store, open."""
    with Store(dataset.data_dir) as opened:
        yield opened
