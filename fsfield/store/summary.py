"""The home screen's figures per site, saved: what ``site_rows`` shows of a site's visits and
follow-ups, read at start-up from one small entry per site instead of one per record.

An entry (table ``s:site``, site id -> entry) is kept up to date in the same durable save as
the writes that change it (``DocFormat.merge``), from the records' summarised values before and
after each merge. Its figures depend on the day they are shown for (a visit dated in the future
is not the last visit yet; a follow-up becomes overdue), so an entry keeps what lets them be
computed for any day from a point on:

* ``dates``: the site's most recent visit dates (at most ``TOP_DATES`` distinct ones, with how
  many live visits carry each) and ``more``: whether older dated visits may exist; the last
  visit on day T is the latest kept date <= T, exact while T >= the oldest kept date;
* ``drafts``: every live draft visit ``[date, record]`` (the latest is resumed with `n`);
* ``open``: the number of open follow-ups; ``below`` of them have a due date before ``floor``
  (dates that far in the past are folded into a count), ``dues`` counts the others by due
  date: overdue on day T = ``below`` + the dues before T, exact while T >= ``floor``.

A day outside what an entry can answer (a clock set back by months) is answered from the
records (``figures_from_records``, the same rules: the oracle of the tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: the replica's values of these (domain/models.py: FollowUpStatus, VisitStatus), compared as
#: text so that the home screen needs no model
DRAFT = "brouillon"
OPEN = "ouvert"
FOLLOWUP_CLOSED = ("fait", "abandonne")

TABLE = "s:site"
VERSION = 1
#: distinct visit dates kept per site: the last visit is exact for any day after the oldest
TOP_DATES = 3
#: due dates older than this (before the day of the save) are folded into a count
FOLD_DAYS = 92

VISIT_FIELDS = ("site_id", "date", "status", "deleted")
FOLLOWUP_FIELDS = ("site_id", "status", "due", "deleted")
FIELDS = {"visit": VISIT_FIELDS, "followup": FOLLOWUP_FIELDS}


@dataclass(frozen=True)
class SiteFigures:
    """What the home screen shows of a site's visits and follow-ups."""

    last_visit: dt.date | None = None
    open_followups: int = 0
    overdue_followups: int = 0
    #: the site's latest draft visit, to resume with `n`
    draft_id: str | None = None


NO_FIGURES = SiteFigures()

Contribution = tuple[str, str, Any, Any] | None
"""What one record adds to its site's entry: ``(site, kind, a, b)`` with, for a visit, its date
("" if none) and whether it is a draft; for an open follow-up, its due date ("" if none) and
None; None when the record adds nothing (deleted, closed, no site)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def contribution(kind: str | None, values: list[Any] | None, record: str) -> Contribution:
    """What a record of ``kind`` whose summarised values are ``values`` adds to its site."""
    if values is None or kind not in FIELDS:
        return None
    site = values[0]
    if not isinstance(site, str) or values[3] is True:
        return None
    if kind == "visit":
        return (site, "visit", _text(values[1]), (values[2] or DRAFT) == DRAFT)
    if (values[1] or OPEN) in FOLLOWUP_CLOSED:
        return None
    return (site, "followup", _text(values[2]), None)


def empty(floor: str = "") -> list[Any]:
    """A new entry: ``[dates, more, drafts, open, below, floor, dues]``."""
    return [{}, False, [], 0, 0, floor, {}]


def copy(entry: list[Any]) -> list[Any]:
    """An entry that can be changed without changing ``entry``."""
    dates, more, drafts, open_count, below, floor, dues = entry
    return [dict(dates), more, [list(d) for d in drafts], open_count, below, floor, dict(dues)]


class Rebuild(Exception):
    """The entry cannot follow this change (its kept dates ran out): build it from records."""


def add(entry: list[Any], c: tuple[str, str, Any, Any], record: str) -> None:
    """Count record ``record`` (contribution ``c``) in its site's entry."""
    _, kind, day, draft = c
    if kind == "visit":
        dates: dict[str, int] = entry[0]
        if day:
            if day in dates:
                dates[day] += 1
            elif not dates and not entry[1]:
                dates[day] = 1
            elif (dates and day > min(dates)) or (len(dates) < TOP_DATES and not entry[1]):
                dates[day] = 1
                if len(dates) > TOP_DATES:
                    del dates[min(dates)]
                    entry[1] = True
            else:
                entry[1] = True
        if draft:
            entry[2].append([day, record])
            entry[2].sort()
        return
    entry[3] += 1
    if day:
        if day < entry[5]:
            entry[4] += 1
        else:
            entry[6][day] = entry[6].get(day, 0) + 1


def remove(entry: list[Any], c: tuple[str, str, Any, Any], record: str) -> None:
    """Stop counting record ``record`` (contribution ``c``); Rebuild if the entry cannot."""
    try:
        _remove(entry, c, record)
    except (KeyError, ValueError):  # not counted as it should have been: start again
        raise Rebuild from None
    if entry[3] < 0 or entry[4] < 0:
        raise Rebuild


def _remove(entry: list[Any], c: tuple[str, str, Any, Any], record: str) -> None:
    _, kind, day, draft = c
    if kind == "visit":
        dates: dict[str, int] = entry[0]
        if day in dates:
            dates[day] -= 1
            if not dates[day]:
                del dates[day]
                if not dates and entry[1]:
                    raise Rebuild
        if draft:
            entry[2].remove([day, record])
        return
    entry[3] -= 1
    if day:
        if day < entry[5]:
            entry[4] -= 1
        else:
            entry[6][day] -= 1
            if not entry[6][day]:
                del entry[6][day]


def idle(entry: list[Any]) -> bool:
    """True when the entry counts nothing (the site has no live visit or open follow-up)."""
    return not entry[0] and not entry[1] and not entry[2] and not entry[3]


def fold(entry: list[Any], floor: str) -> None:
    """Count the due dates before ``floor`` as one number (``floor`` only moves forward)."""
    if floor <= entry[5]:
        return
    dues: dict[str, int] = entry[6]
    for day in [d for d in dues if d < floor]:
        entry[4] += dues.pop(day)
    entry[5] = floor


def fold_floor(today: dt.date) -> str:
    """The floor an entry saved on ``today`` folds its due dates up to."""
    return (today - dt.timedelta(days=FOLD_DAYS)).isoformat()


def figures(entry: list[Any], today: str) -> SiteFigures | None:
    """The entry's figures on day ``today`` (ISO), or None if it cannot tell for that day."""
    dates, more, drafts, open_count, below, floor, dues = entry
    seen = [d for d in dates if d <= today]
    if not seen and more:
        return None
    if today < floor:
        return None
    return SiteFigures(
        last_visit=dt.date.fromisoformat(max(seen)) if seen else None,
        open_followups=open_count,
        overdue_followups=below + sum(n for d, n in dues.items() if d < today),
        draft_id=max(map(tuple, drafts))[1] if drafts else None,
    )


def build(
    records: Iterable[tuple[str, str, list[Any]]], floor: str
) -> dict[str, list[Any]]:
    """Entries from ``(kind, record id, summarised values)`` of every visit and follow-up."""
    out: dict[str, list[Any]] = {}
    for kind, record, values in records:
        c = contribution(kind, values, record)
        if c is not None:
            add(out.setdefault(c[0], empty(floor)), c, record)
    return out


def check(table: dict[str, Any]) -> bool:
    """True if every entry of a ``s:site`` table has the shape of one (a few type tests)."""
    for key, doc in table.items():
        if key == Keeper.MARK:
            continue
        e = doc.get("v")
        if not (type(e) is list and len(e) == 7 and type(e[0]) is dict and type(e[1]) is bool
                and type(e[2]) is list and type(e[3]) is int and type(e[4]) is int
                and type(e[5]) is str and type(e[6]) is dict):
            return False
    return True


def figures_from_summaries(
    figures: Callable[[str, tuple[str, ...]], list[tuple[str, list[Any]]]], today: dt.date
) -> dict[str, SiteFigures]:
    """``figures_from_records`` of every visit and follow-up, read through ``figures`` (a
    store's ``figures(kind, fields)``): the fallback when no per-site entry can answer."""
    return figures_from_records(figures("visit", VISIT_FIELDS),
                                figures("followup", FOLLOWUP_FIELDS), today)


def figures_from_records(
    visits: Iterable[tuple[str, list[Any]]], followups: Iterable[tuple[str, list[Any]]],
    today: dt.date,
) -> dict[str, SiteFigures]:
    """Per site id: last visit, open and overdue follow-ups, latest draft (sites without any
    are left out), from ``(record id, values of VISIT_FIELDS / FOLLOWUP_FIELDS)`` of every
    record: what the summary must say, computed the plain way."""
    now = today.isoformat()
    last: dict[str, str] = {}
    drafts: dict[str, tuple[str, str]] = {}
    for rec, values in visits:
        c = contribution("visit", values, rec)
        if c is None:
            continue
        site, _, date, draft = c
        if date and date <= now and date > last.get(site, ""):
            last[site] = date
        if draft:
            drafts[site] = max(drafts.get(site, ("", "")), (date, rec))
    open_count: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for rec, values in followups:
        c = contribution("followup", values, rec)
        if c is None:
            continue
        site, _, due, _ = c
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


class Keeper:
    """The ``s:site`` table of a document store: built once when missing (or of an older
    version), then kept up to date by ``DocFormat.merge`` (``before`` / ``apply``) in the
    merge's own save.

    ``records()`` yields ``(kind, record id, summarised values)`` of every visit and follow-up
    (the per-record summaries): read only to build the table, or one site's entry when its
    kept visit dates ran out."""

    MARK = "~"

    def __init__(
        self, storage: Any,
        records: Callable[[], Iterable[tuple[str, str, list[Any]]]],
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.storage = storage
        self.records = records
        self.today = today

    def kept(self) -> dict[str, Any] | None:
        """The table if it is there and of this version, else None."""
        table = self.storage.read().get(TABLE)
        if table is None or (table.get(self.MARK) or {}).get("v") != [VERSION]:
            return None
        return table

    def table(self) -> dict[str, Any]:
        """The table, built (and saved) first if it is missing or of an older version; a
        save refused by the disk leaves the built table in memory, saved with the next one."""
        table = self.kept()
        if table is not None:
            return table
        from fsfield.store.storage import SaveFailed

        entries = build(self.records(), fold_floor(self.today()))
        try:
            with self.storage.batch():
                for key in list(self.storage.read().get(TABLE) or ()):
                    if key not in entries:
                        self.storage.put(TABLE, key, None)
                for site, entry in entries.items():
                    self.storage.put(TABLE, site, {"v": entry})
                self.storage.put(TABLE, self.MARK, {"v": [VERSION]})
        except SaveFailed:
            pass
        return self.storage.read()[TABLE]

    def apply(self, changes: dict[str, tuple[Contribution, Contribution]]) -> None:
        """Move each record's count from its old contribution to its new one (inside the
        caller's batch); an entry that cannot follow is built again from the records."""
        table = self.storage.read()[TABLE]
        floor = fold_floor(self.today())
        changed: dict[str, list[Any]] = {}
        again: set[str] = set()
        for record, (old, new) in changes.items():
            if old == new:
                continue
            for c, step in ((old, remove), (new, add)):
                if c is None or c[0] in again:
                    continue
                site = c[0]
                entry = changed.get(site)
                if entry is None:
                    doc = table.get(site)
                    entry = changed[site] = copy(doc["v"]) if doc is not None else empty(floor)
                try:
                    step(entry, c, record)
                except Rebuild:
                    again.add(site)
        if again:
            rebuilt = build((r for r in self.records() if r[2] and r[2][0] in again), floor)
            for site in again:
                changed[site] = rebuilt.get(site, empty(floor))
        for site, entry in changed.items():
            fold(entry, floor)
            self.storage.put(TABLE, site, None if idle(entry) else {"v": entry})

    def figures(self, today: dt.date) -> dict[str, SiteFigures] | None:
        """Per site id, its figures on ``today``; None if an entry cannot tell for that day."""
        now = today.isoformat()
        out: dict[str, SiteFigures] = {}
        for site, doc in self.table().items():
            if site == self.MARK:
                continue
            fig = figures(doc["v"], now)
            if fig is None:
                return None
            out[site] = fig
        return out
