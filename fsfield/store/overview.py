"""Per-site figures shown on the home screen and in reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from fsfield.domain.names import site_sort_key

if TYPE_CHECKING:
    from fsfield.domain.models import Site
    from fsfield.store.repo import Store

#: the replica's values of these (domain/models.py: FollowUpStatus, VisitStatus), compared as
#: text so that the home screen needs no model
DRAFT = "brouillon"
FOLLOWUP_CLOSED = ("fait", "abandonne")


@dataclass(frozen=True)
class SiteFigures:
    """What the home screen shows of a site's visits and follow-ups."""

    last_visit: dt.date | None = None
    open_followups: int = 0
    overdue_followups: int = 0
    #: the site's latest draft visit, to resume with `n`
    draft_id: str | None = None


NO_FIGURES = SiteFigures()


@dataclass(frozen=True)
class SiteRow:
    """One line of the home screen: the site's fields it shows, read without building its model
    (2,845 pydantic sites for one screen were measurable), and its figures."""

    site_id: str
    name: str
    commune: str
    format_fs: str
    in_directory: bool
    conflicted: bool
    last_visit: dt.date | None
    days_since: int | None
    open_followups: int
    overdue_followups: int
    #: the site's latest draft visit, to resume with `n`
    draft_id: str | None
    _store: Store | None = field(default=None, repr=False, compare=False)

    @property
    def site(self) -> Site | None:
        """The site's model, built when an action needs it (None if it is gone meanwhile)."""
        if self._store is None:
            return None
        from fsfield.domain.models import Site

        return self._store.find(Site, self.site_id)

    def matches(self, text: str) -> bool:
        """Filter on name and commune, accent- and case-insensitive."""
        needle = fold(text)
        return needle in fold(self.name) or needle in fold(self.commune)


def fold(text: str) -> str:
    """Lower case without accents, for filtering as you type."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


VISIT_FIGURES = ("site_id", "date", "status", "deleted")
FOLLOWUP_FIGURES = ("site_id", "status", "due", "deleted")


def site_figures(store: Store, today: dt.date) -> dict[str, SiteFigures]:
    """Per site id: last visit, open and overdue follow-ups, latest draft (sites without any
    are left out).

    Read from the store's saved summary of these fields (``Store.figures``: no visit or
    follow-up document is read, no model built; ISO dates compare as text).
    """
    now = today.isoformat()
    last: dict[str, str] = {}
    drafts: dict[str, tuple[str, str]] = {}
    for rec, (site, date, status, deleted) in store.figures("visit", VISIT_FIGURES):
        if deleted is True:
            continue
        date = date or ""
        if date <= now and date > last.get(site, ""):
            last[site] = date
        if (status or DRAFT) == DRAFT:
            drafts[site] = max(drafts.get(site, ("", "")), (date, rec))
    open_count: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for _, (site, status, due, deleted) in store.figures("followup", FOLLOWUP_FIGURES):
        if deleted is True or (status or "ouvert") in FOLLOWUP_CLOSED:
            continue
        open_count[site] = open_count.get(site, 0) + 1
        if due and due < now:
            overdue[site] = overdue.get(site, 0) + 1
    out: dict[str, SiteFigures] = {}
    for site in set(last) | set(drafts) | set(open_count):
        out[site] = SiteFigures(
            last_visit=dt.date.fromisoformat(last[site]) if site in last else None,
            open_followups=open_count.get(site, 0),
            overdue_followups=overdue.get(site, 0),
            draft_id=drafts[site][1] if site in drafts else None,
        )
    return out


#: the French collation of 2,845 names costs more than reading them: kept between refreshes
_sort_key = lru_cache(maxsize=8192)(site_sort_key)

SHOWN = ("deleted", "name", "commune", "format_fs", "in_directory")


def site_rows(store: Store, today: dt.date) -> list[SiteRow]:
    """One row per site, in the order of ``Store.sites`` (short name, French order).

    A site whose name is blank is left out, as ``Store.sites`` leaves out a site its model
    refuses."""
    replica = store.replica
    figures = site_figures(store, today)
    rows = []
    for rec in replica.records("site"):
        deleted, name, commune, format_fs, in_directory = replica.values(rec, SHOWN, kind="site")
        if deleted is True or not isinstance(name, str) or not name.strip():
            continue
        fig = figures.get(rec, NO_FIGURES)
        rows.append(SiteRow(
            site_id=rec,
            name=name.strip(),
            commune=commune or "",
            format_fs=format_fs or "",
            in_directory=in_directory is not False,
            conflicted=replica.has_conflict(rec),
            last_visit=fig.last_visit,
            days_since=(today - fig.last_visit).days if fig.last_visit else None,
            open_followups=fig.open_followups,
            overdue_followups=fig.overdue_followups,
            draft_id=fig.draft_id,
            _store=store,
        ))
    rows.sort(key=lambda r: (_sort_key(r.name), r.site_id))
    return rows


def has_conflicts(store: Store) -> bool:
    """True while something is left to settle (reads no document)."""
    return store.replica.any_conflict()
