"""Scores per mission in the dossier and the annual report (the score itself: domain/score.py).

* the dossier shows a site's last visits side by side, one line per mission, with the trend;
* the annual report gives, per mission, how the département's sites are spread (each site's
  last score of the year) and lists the sites whose score went down at their last visit.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from fsfield.domain.models import Site, Visit, french_date
from fsfield.domain.names import site_sort_key
from fsfield.domain.score import ScoredVisit, Trend, mission_trend, score_history, trend
from fsfield.domain.template import ChecklistTemplate

DOSSIER_VISITS = 3
#: score bands of the annual distribution: (label, lower bound included)
BANDS: tuple[tuple[str, float], ...] = (("moins de 50 %", 0.0), ("50 à 79 %", 0.5),
                                        ("80 % et plus", 0.8))


@dataclass(frozen=True)
class ScoreGrid:
    """A site's last visits side by side: header dates, and per mission its scores and trend."""

    dates: list[dt.date]
    rows: list[tuple[str, list[str], Trend]]


def site_grid(history: list[ScoredVisit], missions: list[tuple[str, str]],
              last: int = DOSSIER_VISITS) -> ScoreGrid:
    """The grid of the ``last`` scored visits; ``missions``: (id, short title) in order."""
    shown = history[-last:]
    rows = []
    for mission_id, short in missions:
        cells = [s.scores[mission_id].percent() if mission_id in s.scores else "—"
                 for s in shown]
        rows.append((short, cells, mission_trend(history, mission_id)))
    return ScoreGrid([s.visit.date for s in shown], rows)


def grid_text(grid: ScoreGrid) -> str:
    """The grid as aligned text lines (for the dossier)."""
    if not grid.dates:
        return "  aucune visite finalisée"
    width = 16
    head = " " * width + "".join(f"{french_date(d):>12}" for d in grid.dates) + "  Tendance"
    lines = [head]
    for short, cells, tr in grid.rows:
        lines.append(f"{short[:width - 1]:<{width}}" + "".join(f"{c:>12}" for c in cells)
                     + f"  {tr.arrow} {tr.label}")
    return "\n".join(lines)


@dataclass(frozen=True)
class MissionDistribution:
    """How the sites scored on one mission (each site's last scored visit of the year)."""

    mission_id: str
    title: str
    sites: int
    bands: tuple[int, ...]
    median: float | None
    #: sites whose last visit of the year left Non vérifié items in this mission
    unchecked_sites: int


@dataclass(frozen=True)
class Worsened:
    """A site whose score went down on some missions at its last scored visit of the year."""

    name: str
    id_fs: str
    date: dt.date
    #: (mission short title, previous score, new score)
    missions: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class AnnualScores:
    """The score part of the annual report."""

    distribution: list[MissionDistribution]
    worsened: list[Worsened]


def annual_scores(
    start: dt.date, end: dt.date, sites: list[Site], visits: list[Visit],
    template_of: Callable[[Visit], ChecklistTemplate | None],
    missions: list[tuple[str, str, str]],
    current: ChecklistTemplate | None = None,
) -> AnnualScores:
    """Score figures of the period; ``missions``: (id, title, short title) in order.

    A site counts in a mission's distribution with the score of its last finalised visit of the
    period that scored the mission; it "worsened" on a mission when that score is down from
    the previous visit (of any year) that scored it (domain/score.py: ``trend``). With
    ``current``, visits of other template versions are compared through its mapping.
    """
    by_site: dict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        if visit.date <= end:
            by_site[visit.site_id].append(visit)
    latest: dict[str, dict[str, tuple[float, int]]] = defaultdict(dict)
    worsened = []
    for site in sorted(sites, key=lambda s: (site_sort_key(s.name), s.id)):
        history = score_history(by_site.get(site.id, []), template_of, current)
        down, last_date = [], None
        for mission_id, _title, short in missions:
            scored = [(s.visit.date, s.scores[mission_id]) for s in history
                      if mission_id in s.scores and s.scores[mission_id].value is not None]
            if not scored or scored[-1][0] < start:
                continue
            date, score = scored[-1]
            value = score.value
            assert value is not None
            latest[mission_id][site.id] = (value, score.unchecked)
            previous = scored[-2][1].value if len(scored) > 1 else None
            if previous is not None and trend(previous, value) is Trend.DOWN:
                down.append((short, percent(previous), percent(value)))
                last_date = max(last_date or date, date)
        if down and last_date is not None:
            worsened.append(Worsened(site.name, site.id_fs, last_date, tuple(down)))
    distribution = []
    for mission_id, title, _short in missions:
        values = [v for v, _ in latest[mission_id].values()]
        bands = tuple(
            sum(1 for v in values if low <= v < (BANDS[i + 1][1] if i + 1 < len(BANDS) else 2))
            for i, (_label, low) in enumerate(BANDS)
        )
        distribution.append(MissionDistribution(
            mission_id, title, len(values), bands,
            statistics.median(values) if values else None,
            sum(1 for _, unchecked in latest[mission_id].values() if unchecked)))
    return AnnualScores(distribution, worsened)


def percent(value: float | None) -> str:
    """``75 %`` or ``—``."""
    return "—" if value is None else f"{round(value * 100)} %"


DISTRIBUTION_HEADER = ["Mission", "Structures", *(label for label, _ in BANDS), "Médiane",
                       "Avec non vérifiés"]
WORSENED_HEADER = ["Structure", "id", "Dernière visite", "Missions en recul"]


def distribution_rows(scores: AnnualScores) -> list[list[object]]:
    """Rows of the distribution table."""
    return [[d.title, d.sites, *d.bands, percent(d.median), d.unchecked_sites]
            for d in scores.distribution]


def worsened_rows(scores: AnnualScores) -> list[list[object]]:
    """Rows of the table of sites that worsened."""
    return [[w.name, w.id_fs or "—", french_date(w.date),
             " ; ".join(f"{short} {old} → {new}" for short, old, new in w.missions)]
            for w in scores.worsened]


SCORE_NOTE = ("Score d'une mission : part des éléments vérifiés conformes (Conforme 1, "
              "À améliorer 0,5, Non conforme 0) ; Sans objet, Non vérifié, nombres, textes et "
              "brouillons exclus ; recul : baisse d'au moins 5 points depuis la visite "
              "précédente.")
