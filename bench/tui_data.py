"""Realistic data dirs for the TUI benchmarks, made through the public store API.

``generate(data_dir, visits=400)`` fills a fresh data dir with 24 sites and N visits spread
over ten years (oldest finalised, the latest one of some sites left as a draft), answers on
most of the default template's items, some comments and follow-ups. ``rounds`` gives each
answered field that many writes (an edit history: 2–3 writes per field for the keypress bench).

Everything goes through ``Store``, ``start_visit``, ``set_answer``, ``finalise`` and
``Store.create``; each visit is wrapped in ``storage.batch()`` so generating costs one
fdatasync per visit instead of one per answer (the resulting tables are the same, and
``Store.close`` folds the journal into a snapshot, as after a normal session).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsfield.domain.models import Site

COMMUNES = [
    "Aixe-sur-Vienne", "Ambazac", "Bellac", "Bessines-sur-Gartempe", "Châlus",
    "Châteauneuf-la-Forêt", "Châteauponsac", "Eymoutiers", "Isle", "Le Dorat",
    "Magnac-Laval", "Nantiat", "Nexon", "Oradour-sur-Glane", "Panazol", "Rochechouart",
    "Saint-Junien", "Saint-Léonard-de-Noblat", "Saint-Mathieu", "Saint-Yrieix-la-Perche",
    "Saint-Sulpice-les-Feuilles", "Mézières-sur-Issoire", "Couzeix", "Limoges Beaubreuil",
]
FULL_WEEK = {
    d: "09:00 - 12:00 / 14:00 - 17:00" for d in ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
}
SHORT_WEEK = {"lundi": "09:00 - 12:00", "mercredi": "09:00 - 12:00 / 14:00 - 17:00"}
STATUS_WEIGHTS = (0.6, 0.2, 0.1, 0.07, 0.03)  # conforme, à améliorer, non conforme, s.o., n.v.
PARTICIPANTS = ["Mme Roux", "M. Martin", "Mme Bernard, M. Petit", "Mme Durand", ""]
COMMENTS = ["pas de porte", "à revoir en juin", "affichage incomplet", "RAS", "voir la mairie"]


@dataclass(frozen=True)
class Generated:
    """What a generated data dir holds."""

    data_dir: Path
    sites: int
    visits: int
    followups: int
    writes: int
    #: one draft visit (id) per site that has one; the keypress bench opens the first
    drafts: tuple[str, ...]


def generate(
    data_dir: Path,
    *,
    sites: int = 24,
    visits: int = 400,
    rounds: tuple[int, int] = (1, 1),
    answered_share: float = 0.9,
    seed: int = 3,
    today: dt.date | None = None,
) -> Generated:
    """Fill ``data_dir`` (must not hold a store yet); returns what was made."""
    from fsfield.domain.models import FollowUp, FollowUpStatus, Settings, Site, VisitType
    from fsfield.domain.template import AnswerStatus
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store
    from fsfield.store.templates import current_template

    rng = random.Random(seed)
    today = today or dt.date.today()
    statuses = list(AnswerStatus)
    store = Store(data_dir)
    try:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        template = current_template(store)
        items = template.items()
        made_sites = []
        for n in range(sites):
            commune = COMMUNES[n % len(COMMUNES)] + ("" if n < len(COMMUNES) else f" {n}")
            bus = n % 8 == 7
            made_sites.append(
                store.create(
                    Site(
                        id="",
                        id_fs=str(2800 + n),
                        name=f"{'Bus ' if bus else ''}France services {commune}",
                        commune=commune,
                        department="87",
                        postal_code=f"87{n:03d}",
                        address=f"{n + 1} place de la Mairie",
                        hours={} if bus else (FULL_WEEK if n % 3 else SHORT_WEEK),
                        format_fs="Bus_équivalent" if bus else "Fixe",
                        email=f"fs{n}@example.fr",
                    )
                )
            )
        # Visit dates: spread over ten years, sorted so that each site's latest is last.
        plan = _plan(rng, made_sites, visits, today - dt.timedelta(days=3652))
        latest = {site.id: date for date, site in plan}
        draft_sites = {s.id for i, s in enumerate(made_sites) if i % 3 == 0}
        drafts: list[str] = []
        followups = 0
        for date, site in plan:
            with store.storage.batch():
                visit = ops.start_visit(
                    store,
                    site,
                    date=date,
                    visit_type=rng.choice(list(VisitType)),
                    participants=rng.choice(PARTICIPANTS),
                    template=template,
                )
                findings = []
                for item in items:
                    if not item.required and rng.random() > answered_share:
                        continue
                    for _ in range(rng.randint(*rounds)):
                        # Every round changes the value (a same-value edit writes nothing).
                        current = visit.answer(item.id)
                        if item.kind == "status":
                            options = [s for s in statuses if s is not current.status]
                            weights = [STATUS_WEIGHTS[statuses.index(s)] for s in options]
                            status = rng.choices(options, weights=weights)[0]
                            visit = ops.set_answer(store, visit, item.id, status=status)
                        else:
                            pool = range(400) if item.kind == "number" else COMMENTS
                            value = rng.choice([v for v in pool if v != current.value])
                            visit = ops.set_answer(store, visit, item.id, value=value)
                    if rng.random() < 0.1:
                        visit = ops.set_answer(store, visit, item.id, comment=rng.choice(COMMENTS))
                    status_now = visit.answer(item.id).status
                    if status_now in (AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME):
                        findings.append(item)
                is_draft = site.id in draft_sites and date == latest[site.id]
                if is_draft:
                    drafts.append(visit.id)
                else:
                    ops.finalise(store, visit, template)
                # Some follow-ups on findings; old ones are closed.
                for item in findings[: rng.choice((0, 0, 0, 1, 2))]:
                    closed = date < today - dt.timedelta(days=365)
                    store.create(
                        FollowUp(
                            id="",
                            text=f"Suite : {item.label[:40]}",
                            site_id=site.id,
                            visit_id=visit.id,
                            item_id=item.id,
                            mission_id=item.id.split("-")[0],
                            due=date + dt.timedelta(days=rng.randrange(20, 120)),
                            status=FollowUpStatus.DONE if closed else FollowUpStatus.OPEN,
                            closed_on=date + dt.timedelta(days=60) if closed else None,
                        )
                    )
                    followups += 1
        writes = len(store.replica)
    finally:
        store.close()
    return Generated(Path(data_dir), sites, visits, followups, writes, tuple(drafts))


def _plan(
    rng: random.Random, sites: list[Site], visits: int, start: dt.date
) -> list[tuple[dt.date, Site]]:
    """(date, site) pairs, oldest first, each site visited about as often over ten years."""
    pairs = []
    for i in range(visits):
        site = sites[i % len(sites)]
        pairs.append((start + dt.timedelta(days=rng.randrange(3652)), site))
    pairs.sort(key=lambda p: (p[0], p[1].id))
    return pairs
