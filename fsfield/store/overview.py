"""Per-site figures shown on the home screen and in reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from fsfield.domain.names import site_sort_key
from fsfield.store import summary

if TYPE_CHECKING:
    from fsfield.domain.models import Site
    from fsfield.store.repo import Store

#: the replica's values of these (domain/models.py: FollowUpStatus, VisitStatus), compared as
#: text so that the home screen needs no model
DRAFT = summary.DRAFT
FOLLOWUP_CLOSED = summary.FOLLOWUP_CLOSED
SiteFigures = summary.SiteFigures
NO_FIGURES = summary.NO_FIGURES


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


VISIT_FIGURES = summary.VISIT_FIELDS
FOLLOWUP_FIGURES = summary.FOLLOWUP_FIELDS


def site_figures(store: Store, today: dt.date) -> dict[str, SiteFigures]:
    """Per site id: last visit, open and overdue follow-ups, latest draft (a site without
    any may be left out): from the store's saved per-site summary (``Store.site_figures``: no
    visit or follow-up document is read, no model built, nothing proportional to them)."""
    return store.site_figures(today)


def site_figures_from_records(store: Store, today: dt.date) -> dict[str, SiteFigures]:
    """The same figures folded from every visit and follow-up (what the summary must say)."""
    return summary.figures_from_summaries(store.figures, today)


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
