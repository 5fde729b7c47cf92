"""When each site should next be visited, and why (the rules: domain/plan_rules.py).

Pure: facts about each site in (:class:`SiteFacts`), one :class:`PlanEntry` per site out,
every site listed (none dropped, with or without coordinates), overdue first.

* The *last visit* is the site's latest visit dated on or before today, of any type but
  ``visite_mystere`` (a mystery visit does not reset the due date; a ``controle_qualite``
  does). Draft visits count: the visit took place even if its report is not finalised.
* Each rule that applies gives a date; the earliest wins, and its ``why`` is the reason.
  A site never visited counts its cycle from its labelling date (today when unknown).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from fsfield.domain.plan_rules import PlanRule, PlanRules, RuleKind


@dataclass(frozen=True)
class SiteFacts:
    """What the plan needs to know of one site."""

    site_id: str
    name: str
    id_fs: str = ""
    commune: str = ""
    address: str = ""
    format_fs: str = ""
    latitude: float | None = None
    longitude: float | None = None
    labelled_on: dt.date | None = None
    #: latest visit that resets the due date (not a visite_mystere), None if never visited
    last_visit: dt.date | None = None
    #: the latest finalised visit (mystery visits included) found something Non conforme
    open_non_conforme: bool = False
    #: open follow-ups past their due date
    overdue_followups: int = 0

    @property
    def has_coordinates(self) -> bool:
        """True when the site can be placed on a map."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class PlanEntry:
    """A site, when it should be visited, and why."""

    site: SiteFacts
    due: dt.date
    rule_id: str
    reason: str
    #: every rule that applies, earliest first: (rule id, date, why)
    applies: tuple[tuple[str, dt.date, str], ...] = field(default=())

    def overdue_days(self, today: dt.date) -> int:
        """Days past the due date (0 when not yet due)."""
        return max(0, (today - self.due).days)

    @property
    def flags(self) -> list[str]:
        """Short French flags shown beside the site."""
        return [] if self.site.has_coordinates else ["sans coordonnées"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule_date(rule: PlanRule, site: SiteFacts, today: dt.date) -> dt.date | None:
    """The date this rule asks the site to be visited by, or None when it does not apply."""
    last = site.last_visit
    if rule.kind is RuleKind.CYCLE:
        assert rule.months is not None
        since = last or site.labelled_on  # never visited: counted from the labelling
        return add_months(since, rule.months) if since else today
    if rule.kind is RuleKind.NEW_SITE:
        assert rule.new_for_months and rule.first_within_months and rule.then_every_months
        labelled = site.labelled_on
        if labelled is None or add_months(labelled, rule.new_for_months) <= today:
            return None
        if last is None or last < labelled:
            return add_months(labelled, rule.first_within_months)
        return add_months(last, rule.then_every_months)
    if rule.kind is RuleKind.OPEN_NON_CONFORME:
        assert rule.months is not None
        if not site.open_non_conforme:
            return None
        return add_months(last, rule.months) if last else today
    if rule.kind is RuleKind.OVERDUE_FOLLOWUPS:
        assert rule.months is not None
        if not site.overdue_followups:
            return None
        return add_months(last, rule.months) if last else today
    raise AssertionError(rule.kind)


def plan_entry(site: SiteFacts, rules: PlanRules, today: dt.date) -> PlanEntry:
    """The site's entry: the earliest date any rule gives (every site gets one)."""
    found = []
    for order, rule in enumerate(rules.rules):
        day = rule_date(rule, site, today)
        if day is not None:
            found.append((day, order, rule))
    found.sort(key=lambda f: (f[0], f[1]))
    if not found:  # no rule applies (e.g. a file with only a new-site rule)
        return PlanEntry(site, dt.date.max, "", "Aucune règle ne s'applique.")
    day, _, rule = found[0]
    reason = rule.why
    if site.last_visit is None and rule.kind is not RuleKind.NEW_SITE:
        reason = f"Jamais visitée. {reason}"
    return PlanEntry(site, day, rule.id, reason,
                     tuple((r.id, d, r.why) for d, _, r in found))


def compute_plan(sites: list[SiteFacts], rules: PlanRules, today: dt.date) -> list[PlanEntry]:
    """Every site's entry, the most overdue first, then by due date and name."""
    entries = [plan_entry(site, rules, today) for site in sites]
    entries.sort(key=lambda e: (e.due, e.site.name.casefold(), e.site.site_id))
    return entries
