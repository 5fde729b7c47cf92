"""Per-site figures shown on the home screen and in reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsfield.domain.models import FollowUpStatus, Site, VisitStatus
from fsfield.store.repo import Store


@dataclass(frozen=True)
class SiteRow:
    site: Site
    last_visit: dt.date | None
    days_since: int | None
    open_followups: int
    overdue_followups: int
    #: the site's latest draft visit, to resume with `n`
    draft_id: str | None

    def matches(self, text: str) -> bool:
        """Filter on name and commune, accent- and case-insensitive."""
        needle = fold(text)
        return needle in fold(self.site.name) or needle in fold(self.site.commune)


def fold(text: str) -> str:
    """Lower case without accents, for filtering as you type."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


VISIT_FIGURES = ("site_id", "date", "status", "deleted")
FOLLOWUP_FIGURES = ("site_id", "status", "due", "deleted")


def site_rows(store: Store, today: dt.date) -> list[SiteRow]:
    """One row per site, in name order.

    Read straight from the replica's live values (ISO dates compare as text): building a
    pydantic model per visit and follow-up made the home screen slow to appear.
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
        if (status or VisitStatus.DRAFT.value) == VisitStatus.DRAFT.value:
            drafts[site] = max(drafts.get(site, ("", "")), (date, rec))
    open_count: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for _, (site, status, due, deleted) in store.figures("followup", FOLLOWUP_FIGURES):
        if deleted is True or (status or "ouvert") in (FollowUpStatus.DONE, FollowUpStatus.ABANDONED):
            continue
        open_count[site] = open_count.get(site, 0) + 1
        if due and due < now:
            overdue[site] = overdue.get(site, 0) + 1
    rows = []
    for site in store.sites():
        last_date = dt.date.fromisoformat(last[site.id]) if site.id in last else None
        rows.append(
            SiteRow(
                site=site,
                last_visit=last_date,
                days_since=(today - last_date).days if last_date else None,
                open_followups=open_count.get(site.id, 0),
                overdue_followups=overdue.get(site.id, 0),
                draft_id=drafts[site.id][1] if site.id in drafts else None,
            )
        )
    return rows
