"""A year like the seed's (34 visits of 22 sites, monthly visios, two seminars, open days in
October), made through the store API; ``visits=400`` makes a heavy year for the benchmark.

Answers follow a fixed pattern (no randomness): most items Conforme, every fifth À améliorer,
every eleventh Non conforme, some comments with French punctuation; one follow-up every third
visit; the first visits' reports sent and some answered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.models import FollowUp, OwnerKind, Settings, Site, Visit, VisitStatus
from fsfield.domain.reply import Stance
from fsfield.domain.template import AnswerStatus, ItemKind
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

COMMUNES = ["Aixe-sur-Vienne", "Ambazac", "Bellac", "Bessines-sur-Gartempe", "Châlus",
            "Châteauneuf-la-Forêt", "Châteauponsac", "Eymoutiers", "Isle", "Le Dorat",
            "Magnac-Laval", "Nantiat", "Nexon", "Oradour-sur-Glane", "Panazol", "Rochechouart",
            "Saint-Junien", "Saint-Léonard-de-Noblat", "Saint-Mathieu", "Saint-Yrieix-la-Perche",
            "Saint-Sulpice-les-Feuilles", "Mézières-sur-Issoire"]
COMMENTS = ["Affichage des horaires à revoir ; voir avec la mairie.",
            "Bureau partagé : confidentialité insuffisante !",
            "Référent CAF joignable ? À confirmer.", "Œuvre commune avec l'EPN — « très bien »."]


def site_name(n: int) -> str:
    """The name of the n-th site."""
    return f"France services {COMMUNES[n % len(COMMUNES)]}"


def build_year(data_dir: Path, *, year: int = 2022, visits: int = 34, sites: int = 22) -> dict:
    """Fill a fresh ``data_dir``; returns the site names and visit ids made."""
    with Store(data_dir) as store:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        template = current_template(store)
        items = template.items()
        made = [store.create(Site(id="", id_fs=str(2800 + n), name=site_name(n),
                                  commune=COMMUNES[n % len(COMMUNES)], department="87"))
                for n in range(sites)]
        ids = []
        for n in range(visits):
            site = made[n % sites]
            date = dt.date(year, 1 + n % 12, 1 + n % 27)
            answers = {}
            for k, item in enumerate(items):
                if item.kind is not ItemKind.STATUS:
                    continue
                status = (AnswerStatus.NON_CONFORME if (n + k) % 11 == 0
                          else AnswerStatus.A_AMELIORER if (n + k) % 5 == 0
                          else AnswerStatus.CONFORME)
                answers[f"answers.{item.id}.status"] = status.value
                if (n + k) % 9 == 0:
                    answers[f"answers.{item.id}.comment"] = COMMENTS[(n + k) % len(COMMENTS)]
            with store.storage.batch():
                visit = store.create(Visit(id="", site_id=site.id, date=date,
                                           participants="Mme Roux", template_id=template.id,
                                           template_version=template.version,
                                           status=VisitStatus.FINALISED))
                visit = store.set_fields(Visit, visit.id, answers)
                if n % 3 == 0:
                    store.create(FollowUp(id="", text=f"Relancer la mairie ({n})",
                                          site_id=site.id, visit_id=visit.id,
                                          owner_kind=OwnerKind.STRUCTURE,
                                          due=date + dt.timedelta(days=45)))
                if n % 2 == 0:
                    visit = ops.record_sending(store, visit, on=date + dt.timedelta(days=7),
                                               to="Structure et préfecture")
                if n % 4 == 0:
                    finding = next(i for i, a in visit.answers.items()
                                   if a.status is AnswerStatus.A_AMELIORER)
                    ops.record_reply(store, visit, on=date + dt.timedelta(days=20),
                                     text="Nous corrigeons l'affichage.",
                                     stances={finding: Stance.ACCEPTED})
            ids.append(visit.id)
        for month in range(1, 13):
            store.create(Activity(id="", date=dt.date(year, month, 10), title="Visio",
                                  activity_type=ActivityType.VISIO, attendance=20))
        for date, kind, title in [
            (dt.date(year, 3, 15), ActivityType.SEMINAIRE, "Séminaire 1"),
            (dt.date(year, 9, 20), ActivityType.SEMINAIRE, "Séminaire 2"),
            (dt.date(year, 10, 3), ActivityType.PORTES_OUVERTES,
             "Journées portes ouvertes du 03 au 15 octobre"),
        ]:
            store.create(Activity(id="", date=date, activity_type=kind, title=title))
    return {"sites": [site_name(n) for n in range(sites)], "visits": ids}
