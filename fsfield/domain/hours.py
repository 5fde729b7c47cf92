"""Opening hours of a France services, parsed from the free text of the official directory.

The national list publishes one free-text cell per weekday (``h_lundi`` … ``h_samedi``), e.g.
``09:00 - 12:00 / 13:30 - 17:00``. In the 2024-08-01 release every non-empty cell has the shape
``HH:MM - HH:MM`` joined by `` / `` (1 to 5 ranges), but cells also hold:

* nothing at all (buses, itinerant services, days off);
* the placeholder ``00:00 - 00:00``, alone or mixed with real ranges;
* duplicated, overlapping or unsorted ranges (``08:30 - 17:30 / 08:30 - 12:30``).

The parser also accepts the variants people type by hand (``8h30-12h``, ``9 h à 12 h``,
``Fermé``) so that a re-saved or hand-edited file still reads. Anything else is kept as
``unparsed`` with its raw text: the weekly verdict then becomes "unknown" rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DayStatus = Literal["open", "closed", "unparsed"]

WEEKDAYS: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
ALL_DAYS: tuple[str, ...] = (*WEEKDAYS, "dimanche")

#: Labelling rule: open at least 24 hours a week over at least 5 days.
MIN_WEEKLY_MINUTES = 24 * 60
MIN_DAYS_OPEN = 5

_TIME = r"(\d{1,2})\s*(?:[:hH.]\s*(\d{2})?)?"
# Matched against folded text, where "à" has become "a".
_RANGE_RE = re.compile(_TIME + r"\s*(?:-|–|—|\ba\b|\bto\b)\s*" + _TIME)
_SEPARATORS_RE = re.compile(r"^(?:[\s/,;+&|]|\bet\b)*$")
_CLOSED_WORDS = frozenset(
    {"ferme", "fermee", "fermeture", "closed", "neant", "aucun", "-", "--", "—", "/", "x"}
)


@dataclass(frozen=True, order=True)
class Interval:
    """An opening range within one day, in minutes since midnight (end exclusive)."""

    start_min: int
    end_min: int

    @property
    def minutes(self) -> int:
        """Length of the range in minutes."""
        return self.end_min - self.start_min

    def __str__(self) -> str:
        return f"{_clock(self.start_min)} - {_clock(self.end_min)}"


@dataclass(frozen=True)
class DayHours:
    """Parsed opening hours of one day.

    ``status`` is ``open`` (at least one range), ``closed`` (empty cell, placeholder only, or an
    explicit "Fermé") or ``unparsed`` (text not understood, or a reversed range; ``raw`` keeps the
    text and ``notes`` says why). ``published`` is False when the cell says nothing (empty or
    placeholder only). ``intervals`` are sorted and merged. ``notes`` are French remarks.
    """

    raw: str
    status: DayStatus
    intervals: tuple[Interval, ...] = ()
    notes: tuple[str, ...] = ()
    published: bool = True

    @property
    def minutes(self) -> int:
        """Minutes open that day (0 unless the day is open)."""
        return sum(i.minutes for i in self.intervals)

    def __str__(self) -> str:
        if self.status == "open":
            return " / ".join(str(i) for i in self.intervals)
        if self.status == "closed":
            return "fermé" if self.published else "non renseigné"
        return f"illisible : « {self.raw.strip()} »"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_minutes(minutes: int) -> str:
    """Format a duration the French way: 1590 -> ``"26 h 30"``, 1440 -> ``"24 h"``."""
    if minutes < 0:
        raise ValueError(f"durée négative : {minutes}")
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces (for keyword matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _to_minutes(hour: str, minute: str | None) -> int | None:
    h, m = int(hour), int(minute or 0)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def _unparsed(raw: str, reason: str) -> DayHours:
    return DayHours(raw=raw, status="unparsed", notes=(reason,))


def _merge(intervals: list[Interval]) -> tuple[list[Interval], bool]:
    """Sort and merge ranges; also report whether some of them really overlapped."""
    merged: list[Interval] = []
    overlapped = False
    for iv in sorted(intervals):
        if merged and iv.start_min <= merged[-1].end_min:
            last = merged[-1]
            overlapped = overlapped or iv.start_min < last.end_min
            merged[-1] = Interval(last.start_min, max(last.end_min, iv.end_min))
        else:
            merged.append(iv)
    return merged, overlapped


def parse_day(text: str | None) -> DayHours:
    """Parse the free text of one day (``"09:00 - 12:00 / 13:30 - 17:00"``) into a DayHours.

    Never raises: text that cannot be read gives ``status="unparsed"`` with a French reason.
    """
    raw = text or ""
    folded = _fold(raw)
    if not folded:
        return DayHours(raw=raw, status="closed", published=False)
    if folded in _CLOSED_WORDS:
        return DayHours(raw=raw, status="closed")

    found: list[Interval] = []
    leftover: list[str] = []
    pos = 0
    for match in _RANGE_RE.finditer(folded):
        leftover.append(folded[pos : match.start()])
        pos = match.end()
        start = _to_minutes(match.group(1), match.group(2))
        end = _to_minutes(match.group(3), match.group(4))
        if start is None or end is None:
            return _unparsed(raw, f"heure invalide : « {match.group(0)} »")
        if start > end:
            return _unparsed(raw, f"plage inversée : « {match.group(0)} »")
        found.append(Interval(start, end))
    leftover.append(folded[pos:])
    rest = "".join(leftover)
    if not found:
        return _unparsed(raw, f"horaires non reconnus : « {raw.strip()} »")
    if not _SEPARATORS_RE.match(rest):
        return _unparsed(raw, f"texte non reconnu : « {' '.join(rest.split())} »")

    notes: list[str] = []
    real = [iv for iv in found if iv.minutes > 0]
    for empty in sorted({iv for iv in found if not iv.minutes}):
        notes.append(f"plage vide « {empty} » ignorée (valeur par défaut)")
    if not real:
        return DayHours(raw=raw, status="closed", notes=tuple(notes), published=False)
    merged, overlapped = _merge(real)
    if overlapped:
        notes.append("plages qui se chevauchent, fusionnées")
    return DayHours(raw=raw, status="open", intervals=tuple(merged), notes=tuple(notes))


def _day_key(key: str) -> str:
    day = _fold(key).replace(" ", "_")
    day = day.removeprefix("h_").removeprefix("horaires_")
    if day not in ALL_DAYS:
        raise ValueError(f"jour inconnu : « {key} » (attendu : {', '.join(ALL_DAYS)})")
    return day


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours of a whole week, in weekday order (lundi … samedi, dimanche if given)."""

    days: Mapping[str, DayHours] = field(hash=False)

    @property
    def weekly_minutes(self) -> int:
        """Total minutes open over the week (unparsed days count for nothing)."""
        return sum(d.minutes for d in self.days.values())

    @property
    def weekly_hours(self) -> float:
        """Total hours open over the week, as a float (26.5 for 26 h 30)."""
        return self.weekly_minutes / 60

    @property
    def days_open(self) -> int:
        """Number of days with at least one opening range."""
        return sum(1 for d in self.days.values() if d.status == "open")

    @property
    def unparsed_days(self) -> tuple[str, ...]:
        """Names of the days whose text could not be read."""
        return tuple(name for name, d in self.days.items() if d.status == "unparsed")

    @property
    def published(self) -> bool:
        """False when no day says anything (all cells empty or placeholders, e.g. buses)."""
        return any(d.published for d in self.days.values())

    @property
    def meets_minimum(self) -> bool | None:
        """Labelling rule (≥ 24 h over ≥ 5 days); None when unknown (unparsed or unpublished)."""
        if self.unparsed_days or not self.published:
            return None
        return self.weekly_minutes >= MIN_WEEKLY_MINUTES and self.days_open >= MIN_DAYS_OPEN

    def summary(self) -> str:
        """One French line, e.g. ``"26 h 30 sur 5 jours — conforme (≥ 24 h sur 5 jours)"``."""
        if not self.published:
            return "horaires non publiés"
        n = self.days_open
        total = f"{format_minutes(self.weekly_minutes)} sur {n} jour{'s' if n > 1 else ''}"
        rule = f"≥ {MIN_WEEKLY_MINUTES // 60} h sur {MIN_DAYS_OPEN} jours"
        if self.unparsed_days:
            return f"{total} — à vérifier (horaires illisibles : {', '.join(self.unparsed_days)})"
        verdict = "conforme" if self.meets_minimum else "non conforme"
        return f"{total} — {verdict} ({rule})"


def parse_week(mapping: Mapping[str, str | None]) -> WeeklyHours:
    """Build WeeklyHours from day texts keyed ``lundi`` … ``samedi`` (``dimanche`` optional).

    Keys are matched without case or accents and may keep the ``h_`` prefix of the CSV columns.
    A missing weekday counts as an empty cell. An unknown key raises ValueError.
    """
    texts = {_day_key(key): value for key, value in mapping.items()}
    order = ALL_DAYS if "dimanche" in texts else WEEKDAYS
    return WeeklyHours(days={day: parse_day(texts.get(day)) for day in order})
