"""Figures of the annual activity report (the one the préfecture and the ANCT ask for).

Everything is computed here, from lists of models, into :class:`AnnualFigures`; rendering lives
in ``annual_render.py``. The report is a picture "as of" a day: 31/12 of the year, or today if
earlier. Visits, activities and closings dated after that day do not count.

Conventions (also stated in the rendered report):

* a follow-up is opened on the date of the visit it comes from, or on the day it was created
  when it comes from no visit; it is closed on its ``closed_on`` date (its last change if a
  closed follow-up lacks one);
* overdue: still open on the "as of" day with a due date before it;
* a finding is an answer À améliorer or Non conforme, counted by item label.
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from fsfield.domain.activity import Activity, ActivityType, partner_short
from fsfield.domain.models import FollowUp, OwnerKind, Site, Visit, VisitStatus, VisitType
from fsfield.domain.template import AnswerStatus, ChecklistTemplate
from fsfield.reports.annual_replies import ReplyLine, reply_lines
from fsfield.store import visits as ops
from fsfield.store.repo import Store

FINDINGS = (AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME)
TOP_FINDINGS = 10
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


@dataclass(frozen=True)
class SiteVisits:
    """Visits of one site during the year."""

    name: str
    id_fs: str
    in_directory: bool
    count: int
    per_month: tuple[int, ...]
    last_visit: dt.date | None


@dataclass(frozen=True)
class StaleSite:
    """A site of the directory not visited for more than N months as of the report day."""

    name: str
    id_fs: str
    last_visit: dt.date | None
    days_since: int | None


@dataclass(frozen=True)
class FollowUpGroup:
    """Follow-up figures of one owner (or one operator / partner)."""

    label: str
    opened: int
    closed: int
    open_end: int
    overdue: int


@dataclass(frozen=True)
class FindingCount:
    """How often an item was found lacking during the year."""

    label: str
    a_ameliorer: int
    non_conforme: int
    sites: int

    @property
    def total(self) -> int:
        """À améliorer + Non conforme."""
        return self.a_ameliorer + self.non_conforme


@dataclass(frozen=True)
class ActivityTypeFigures:
    """Activities of one type during the year."""

    activity_type: ActivityType
    count: int
    attendance: int
    unknown_attendance: int


@dataclass(frozen=True)
class ActivityLine:
    """One activity of the journal, as listed in the report."""

    date: dt.date
    activity_type: ActivityType
    title: str
    attendance: int | None
    sites: tuple[str, ...]
    partners: tuple[str, ...]


@dataclass(frozen=True)
class MissionSummary:
    """Answers per status for one mission, over the year's visits."""

    title: str
    counts: dict[AnswerStatus, int]

    @property
    def total(self) -> int:
        """Answers of the mission, every status."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class AnnualFigures:
    """Every figure of the annual report."""

    year: int
    as_of: dt.date
    months: int
    visits_total: int
    visits_draft: int
    sites_visited: int
    sites_in_directory: int
    per_month: tuple[int, ...]
    per_site: list[SiteVisits]
    per_type: list[tuple[VisitType, int]]
    stale: list[StaleSite]
    fu_opened: int
    fu_closed: int
    fu_open_end: int
    fu_overdue: int
    median_days_to_close: float | None
    fu_by_owner: list[FollowUpGroup]
    fu_by_partner: list[FollowUpGroup]
    top_findings: list[FindingCount]
    activities_by_type: list[ActivityTypeFigures]
    activities: list[ActivityLine]
    missions: list[MissionSummary]
    #: finalised visits of the year: report sent, reply received
    replies: list[ReplyLine] = field(default_factory=list)

    @property
    def reports_sent(self) -> int:
        """Finalised visits of the year whose report was sent."""
        return sum(1 for r in self.replies if r.sent_on is not None)

    @property
    def replies_received(self) -> int:
        """Finalised visits of the year whose structure replied."""
        return sum(1 for r in self.replies if r.replied)

    @property
    def empty(self) -> bool:
        """True when the year has neither visit nor activity nor follow-up."""
        return not (self.visits_total or self.activities or self.fu_opened or self.fu_closed)

    def activity_count(self, kind: ActivityType) -> int:
        """Number of activities of a type during the year."""
        return next((a.count for a in self.activities_by_type if a.activity_type is kind), 0)

    @property
    def attendance_total(self) -> int:
        """Participants summed over every activity with a known attendance."""
        return sum(a.attendance for a in self.activities_by_type)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_day(year: int, today: dt.date) -> dt.date:
    """The day the report is "as of": 31/12 of the year, or today if earlier."""
    return min(dt.date(year, 12, 31), today)


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone().date() if moment is not None else None


def opened_on(followup: FollowUp, visit_dates: dict[str, dt.date]) -> dt.date | None:
    """The day a follow-up was opened: its visit's date, else the day it was created."""
    if followup.visit_id and followup.visit_id in visit_dates:
        return visit_dates[followup.visit_id]
    return _local_day(followup.created_at)


def closed_day(followup: FollowUp) -> dt.date | None:
    """The day a closed follow-up was closed (None while open)."""
    if not followup.status.is_closed:
        return None
    return followup.closed_on or _local_day(followup.updated_at)


def _followup_figures(
    followups: list[FollowUp], visit_dates: dict[str, dt.date], start: dt.date, end: dt.date
) -> tuple[list[tuple[FollowUp, dict[str, bool]]], list[int]]:
    """Per follow-up active during the period, which counts it falls in; and closing delays."""
    rows = []
    delays = []
    for f in followups:
        opened = opened_on(f, visit_dates)
        closed = closed_day(f)
        if opened is None or opened > end or (closed is not None and closed < start):
            continue
        is_open_end = closed is None or closed > end
        flags = {
            "opened": opened >= start,
            "closed": closed is not None and start <= closed <= end,
            "open_end": is_open_end,
            "overdue": is_open_end and f.due is not None and f.due < end,
        }
        if flags["closed"] and closed is not None:
            delays.append(max(0, (closed - opened).days))
        rows.append((f, flags))
    return rows, delays


def _groups(rows: list[tuple[FollowUp, dict[str, bool]]], key: Callable[[FollowUp], str],
            order: Callable[[str], object]) -> list[FollowUpGroup]:
    acc: dict[str, Counter[str]] = defaultdict(Counter)
    for f, flags in rows:
        acc[key(f)].update(name for name, on in flags.items() if on)
    return [
        FollowUpGroup(label, c["opened"], c["closed"], c["open_end"], c["overdue"])
        for label, c in sorted(acc.items(), key=lambda kv: order(kv[0]))
    ]


def compute_annual(
    year: int,
    *,
    sites: list[Site],
    visits: list[Visit],
    followups: list[FollowUp],
    activities: list[Activity],
    template_of: Callable[[Visit], ChecklistTemplate | None],
    today: dt.date,
    months: int = 12,
) -> AnnualFigures:
    """All the figures of ``year`` (pure: models in, figures out)."""
    start, end = dt.date(year, 1, 1), report_day(year, today)
    in_year = sorted((v for v in visits if start <= v.date <= end), key=lambda v: v.date)
    by_site: dict[str, list[Visit]] = defaultdict(list)
    for visit in in_year:
        by_site[visit.site_id].append(visit)
    last_seen: dict[str, dt.date] = {}
    for visit in visits:
        if visit.date <= end and visit.date > last_seen.get(visit.site_id, dt.date.min):
            last_seen[visit.site_id] = visit.date
    per_site = []
    for site in sorted(sites, key=lambda s: (s.name.casefold(), s.id)):
        mine = by_site.get(site.id, [])
        if not site.in_directory and not mine:
            continue
        month_counts = Counter(v.date.month for v in mine)
        per_site.append(SiteVisits(site.name, site.id_fs, site.in_directory, len(mine),
                                   tuple(month_counts[m] for m in range(1, 13)),
                                   last_seen.get(site.id)))
    cutoff = months_before(end, months)
    stale = [
        StaleSite(s.name, s.id_fs, last_seen.get(s.id),
                  (end - last_seen[s.id]).days if s.id in last_seen else None)
        for s in sorted(sites, key=lambda s: (s.name.casefold(), s.id))
        if s.in_directory and (s.id not in last_seen or last_seen[s.id] < cutoff)
    ]
    month_totals = Counter(v.date.month for v in in_year)
    type_totals = Counter(v.visit_type for v in in_year)

    visit_dates = {v.id: v.date for v in visits}
    rows, delays = _followup_figures(followups, visit_dates, start, end)
    kinds = list(OwnerKind)
    by_owner = _groups(rows, lambda f: f.owner_kind.label,
                       lambda label: next(i for i, k in enumerate(kinds) if k.label == label))
    partner_rows = [(f, flags) for f, flags in rows if f.owner_kind is OwnerKind.PARTNER]
    by_partner = _groups(partner_rows, lambda f: f.owner_name or "(non précisé)",
                         lambda label: label.casefold())

    site_names = {s.id: s.name for s in sites}
    finding_counts: dict[str, Counter[AnswerStatus]] = defaultdict(Counter)
    finding_sites: dict[str, set[str]] = defaultdict(set)
    mission_counts: dict[str, Counter[AnswerStatus]] = defaultdict(Counter)
    mission_titles: dict[str, str] = {}
    for visit in in_year:
        template = template_of(visit)
        for mission in template.missions if template is not None else ():
            mission_titles.setdefault(mission.id, mission.title)
        for item_id, answer in visit.answers.items():
            if answer.status is None:
                continue
            label, mission_id = item_id, "?"
            if template is not None:
                try:
                    label = template.item(item_id).label
                    mission_id = template.mission_of(item_id).id
                except KeyError:
                    pass
            mission_counts[mission_id][answer.status] += 1
            if answer.status in FINDINGS:
                finding_counts[label][answer.status] += 1
                finding_sites[label].add(visit.site_id)
    findings = sorted(
        (FindingCount(label, c[AnswerStatus.A_AMELIORER], c[AnswerStatus.NON_CONFORME],
                      len(finding_sites[label])) for label, c in finding_counts.items()),
        key=lambda f: (-f.total, -f.non_conforme, f.label.casefold()),
    )[:TOP_FINDINGS]
    order = list(mission_titles)
    missions = [
        MissionSummary(mission_titles.get(mid, "Éléments hors de la grille"),
                       {s: mission_counts[mid][s] for s in AnswerStatus})
        for mid in [*order, *(m for m in mission_counts if m not in order)]
    ]

    acts = sorted((a for a in activities if start <= a.date <= end),
                  key=lambda a: (a.date, a.title.casefold()))
    by_type = []
    for kind in ActivityType:
        mine_a = [a for a in acts if a.activity_type is kind]
        by_type.append(ActivityTypeFigures(
            kind, len(mine_a), sum(a.attendance or 0 for a in mine_a),
            sum(1 for a in mine_a if a.attendance is None)))
    lines = [
        ActivityLine(a.date, a.activity_type, a.title, a.attendance,
                     tuple(site_names.get(s, s) for s in a.site_ids),
                     tuple(partner_short(p) for p in a.partners))
        for a in acts
    ]
    return AnnualFigures(
        year=year, as_of=end, months=months,
        visits_total=len(in_year),
        visits_draft=sum(1 for v in in_year if v.status is VisitStatus.DRAFT),
        sites_visited=len(by_site),
        sites_in_directory=sum(1 for s in sites if s.in_directory),
        per_month=tuple(month_totals[m] for m in range(1, 13)),
        per_site=per_site,
        per_type=[(t, type_totals[t]) for t in VisitType],
        stale=stale,
        fu_opened=sum(1 for _, f in rows if f["opened"]),
        fu_closed=sum(1 for _, f in rows if f["closed"]),
        fu_open_end=sum(1 for _, f in rows if f["open_end"]),
        fu_overdue=sum(1 for _, f in rows if f["overdue"]),
        median_days_to_close=statistics.median(delays) if delays else None,
        fu_by_owner=by_owner, fu_by_partner=by_partner,
        top_findings=findings, activities_by_type=by_type, activities=lines,
        missions=missions, replies=reply_lines(in_year, {s.id: s for s in sites}),
    )


def annual_figures(store: Store, year: int, *, months: int = 12,
                   today: dt.date | None = None) -> AnnualFigures:
    """The annual figures read from the store (``today`` defaults to the real day)."""
    cache: dict[tuple[str, int], ChecklistTemplate | None] = {}

    def template_of(visit: Visit) -> ChecklistTemplate | None:
        """The visit's template, read once per version."""
        key = (visit.template_id, visit.template_version)
        if key not in cache:
            cache[key] = ops.template_of(store, visit)
        return cache[key]

    return compute_annual(
        year, sites=store.all(Site), visits=store.all(Visit), followups=store.all(FollowUp),
        activities=store.all(Activity), template_of=template_of,
        today=today or dt.date.today(), months=months,
    )
