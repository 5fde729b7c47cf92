"""Realistic data dirs for the TUI benchmarks, made through the store.

``generate(data_dir, visits=400)`` fills a fresh data dir with 24 sites and N visits spread
over ten years (oldest finalised, the latest one of some sites left as a draft), answers on
most of the default template's items, some comments and follow-ups. ``rounds`` gives each
answered field that many writes (an edit history: 2–3 writes per answered field for the
keypress bench).

Two paths make the same data (tests/store/test_bench_data.py checks it on a small set):

* slow (``fast=False``): everything through ``Store``, ``start_visit``, ``set_answer``,
  ``finalise`` and ``Store.create``, one durable save per visit (``storage.batch()``). Every
  answer is validated on the whole visit and read back as a model: ~11 ms per answer, 3 min for
  2,000 visits; kept as the reference.
* fast (``fast=True``): sites, ``start_visit`` and follow-ups as above (one pydantic model per
  record), but each answer and the finalisation go one level lower, through the store's own
  write-making and merge path (``Store._make_writes`` then ``Store._merge``: the same writes,
  dots, supersedes, authors and clock ticks, the same outbox and summary upkeep) with the fields
  ``visits.set_answer`` / ``visits.finalise`` would write, without validating the visit or
  building its model again; ``BATCH`` visits per durable save and no compaction before the end.

``synced=True`` leaves the data dir as a laptop right after a successful ``fsfield sync``: every
own write acknowledged (``mark_sent``; the fast path acknowledges after every batch, so the outbox
never holds more than one batch) and the storage compacted, so the outbox is empty and the
journal folded. Without it the outbox holds every write ever made (as a laptop that never synced).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsfield.domain.models import Site
    from fsfield.store.repo import Store

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
BATCH = 50  # visits per durable save on the fast path
FAST_COMPACT_BYTES = 64 << 20  # the fast path folds its journal this rarely (and at the end)


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


# -- the two ways of answering a visit ---------------------------------------------------------


class SlowVisit:
    """A draft visit answered through the record modules (validated, read back as a model)."""

    def __init__(self, store: Store, visit: Any) -> None:
        self.store, self.visit = store, visit
        self.id: str = visit.id

    def answer(self, item_id: str) -> Any:
        return self.visit.answer(item_id)

    def set_answer(self, item_id: str, **change: Any) -> None:
        from fsfield.store import visits as ops

        self.visit = ops.set_answer(self.store, self.visit, item_id, **change)

    def finalise(self, template: Any) -> None:
        from fsfield.store import visits as ops

        self.visit = ops.finalise(self.store, self.visit, template)


class FastVisit:
    """A draft visit answered through ``Store._make_writes`` / ``Store._merge``: the fields
    ``visits.set_answer`` (``visits.answer_fields``) and ``visits.finalise`` write, without
    validating the whole visit nor building its model after each answer."""

    def __init__(self, store: Store, visit: Any) -> None:
        self.store = store
        self.id: str = visit.id
        self.answers = {
            k: a.model_copy() for k, a in visit.answers.items()
        }

    def answer(self, item_id: str) -> Any:  # an Answer, kept up to date as fields are written
        from fsfield.domain.models import Answer

        return self.answers.get(item_id) or Answer()

    def _write(self, fields: dict[str, Any]) -> None:
        writes = self.store._make_writes("visit", self.id, fields)
        if writes:
            self.store._merge(writes)

    def set_answer(self, item_id: str, *, status: Any = ..., value: Any = ...,
                   comment: Any = ...) -> None:
        from fsfield.store.visits import answer_fields

        prefix = f"answers.{item_id}."
        fields = answer_fields(self.answer(item_id), prefix, status, value, comment)
        self._write(fields)
        from fsfield.domain.template import AnswerStatus

        after = self.answers.get(item_id) or self.answer(item_id)
        self.answers[item_id] = after
        for name, v in fields.items():
            sub = name[len(prefix):]
            setattr(after, sub, AnswerStatus(v) if sub == "status" and v is not None else v)

    def finalise(self, template: Any) -> None:
        from fsfield.domain.models import VisitStatus
        from fsfield.store import messages as msg
        from fsfield.store import visits as ops

        missing = [item.label for item in template.required_items()
                   if not self.answer(item.id).is_answered or self.answer(item.id).prefilled]
        if missing:
            raise ValueError(msg.VISIT_MISSING_REQUIRED.format(items=" ; ".join(missing)))
        self._write({"status": VisitStatus.FINALISED.value,
                     **ops._event(self.store, None, "finalisee")})  # type: ignore[arg-type]


# -- generation ----------------------------------------------------------------------------------


def generate(
    data_dir: Path,
    *,
    sites: int = 24,
    visits: int = 400,
    rounds: tuple[int, int] = (1, 1),
    answered_share: float = 0.9,
    seed: int = 3,
    today: dt.date | None = None,
    fast: bool = False,
    synced: bool = False,
) -> Generated:
    """Fill ``data_dir`` (must not hold a store yet); returns what was made."""
    import contextlib

    from fsfield.domain.models import FollowUp, FollowUpStatus, Settings, Site, VisitType
    from fsfield.domain.template import AnswerStatus
    from fsfield.store import visits as ops
    from fsfield.store.overview import site_rows
    from fsfield.store.repo import Store
    from fsfield.store.templates import current_template
    from sync.writes import make_dot

    rng = random.Random(seed)
    today = today or dt.date.today()
    statuses = list(AnswerStatus)
    store = Store(data_dir, compact_min_bytes=FAST_COMPACT_BYTES) if fast else Store(data_dir)
    answering = FastVisit if fast else SlowVisit
    per_save = BATCH if fast else 1

    def acknowledge() -> None:  # what a successful sync leaves
        if store._counter > store.meta("acked", 0):
            store.mark_sent([make_dot(store.device_id, store._counter)])

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
        save = contextlib.ExitStack()
        for number, (date, site) in enumerate(plan):
            if number % per_save == 0:
                save.close()  # the previous batch's durable save
                save.enter_context(store.storage.batch())
            visit = answering(store, ops.start_visit(
                store,
                site,
                date=date,
                visit_type=rng.choice(list(VisitType)),
                participants=rng.choice(PARTICIPANTS),
                template=template,
            ))
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
                        visit.set_answer(item.id, status=rng.choices(options, weights=weights)[0])
                    else:
                        pool = range(400) if item.kind == "number" else COMMENTS
                        visit.set_answer(item.id,
                                         value=rng.choice([v for v in pool if v != current.value]))
                if rng.random() < 0.1:
                    visit.set_answer(item.id, comment=rng.choice(COMMENTS))
                status_now = visit.answer(item.id).status
                if status_now in (AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME):
                    findings.append(item)
            is_draft = site.id in draft_sites and date == latest[site.id]
            if is_draft:
                drafts.append(visit.id)
            else:
                visit.finalise(template)
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
            if fast and synced and number % per_save == per_save - 1:
                acknowledge()  # inside the batch: the outbox never holds more than one batch
        save.close()
        # The home screen was drawn at least once on a laptop in use: its figures exist (made
        # from every document the first time, which a generated store would otherwise do on
        # the first start the benchmarks time).
        site_rows(store, today)
        if synced:
            acknowledge()
            # Twice, as a laptop's close after its sync: the second fold finds nothing new and
            # drops the previous journal, so neither journal is left (the backup is kept).
            store.storage.compact()
            store.storage.compact()
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
