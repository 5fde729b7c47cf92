"""Per-site figures shown on the home screen and in reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsfield.domain.models import FollowUp, Site, Visit, VisitStatus
from fsfield.store.repo import Store


@dataclass(frozen=True)
class SiteRow:
    site: Site
    last_visit: dt.date | None
    days_since: int | None
    open_followups: int
    overdue_followups: int
    draft: Visit | None

    def matches(self, text: str) -> bool:
        """Filter on name and commune, accent- and case-insensitive."""
        needle = fold(text)
        return needle in fold(self.site.name) or needle in fold(self.site.commune)


def fold(text: str) -> str:
    """Lower case without accents, for filtering as you type."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def site_rows(store: Store, today: dt.date) -> list[SiteRow]:
    """One row per site, in name order."""
    visits: dict[str, list[Visit]] = {}
    for visit in store.all(Visit):
        visits.setdefault(visit.site_id, []).append(visit)
    followups: dict[str, list[FollowUp]] = {}
    for fu in store.all(FollowUp):
        followups.setdefault(fu.site_id, []).append(fu)
    rows = []
    for site in store.sites():
        site_visits = visits.get(site.id, [])
        done = [v.date for v in site_visits if v.date <= today]
        last = max(done) if done else None
        drafts = [v for v in site_visits if v.status is VisitStatus.DRAFT]
        fus = followups.get(site.id, [])
        rows.append(
            SiteRow(
                site=site,
                last_visit=last,
                days_since=(today - last).days if last else None,
                open_followups=sum(1 for f in fus if not f.status.is_closed),
                overdue_followups=sum(1 for f in fus if f.is_overdue(today)),
                draft=max(drafts, key=lambda v: v.date) if drafts else None,
            )
        )
    return rows
