"""The score of a visit per mission, and its trend from one visit to the next.

This is the one definition of the score; the dossier, the reports and the plan use it.

*Score of a mission at a visit*: the mean, over the mission's applicable **status** items
that were checked, of Conforme = 1, À améliorer = 0.5, Non conforme = 0.

* Sans objet: the item does not apply; excluded (neither counted nor scored).
* Non vérifié: excluded from the score and counted apart (``unchecked``): a mission
  whose items were all left unchecked has no score (None), not 0.
* Number and text items are excluded (they carry figures and notes, not a verdict).
* Unanswered items are excluded (a visit may not cover every item).
* Draft visits have no score: only finalised visits are scored (:func:`scored_visits`).

A visit is scored with its own template; to compare visits made with different versions
(trends, the dossier, the annual report), each is first re-keyed to the current template with
its [[mapping]] (domain/compare.py) and scored with it, so only matching items compare.

*Trend*: the latest scored visit against the previous one that scored the same mission.
A change of less than :data:`TREND_THRESHOLD` is "stable".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from fsfield.domain.models import Answer, Visit, VisitStatus
from fsfield.domain.template import AnswerStatus, ChecklistTemplate, ItemKind

#: weight of each answer that counts in the score
WEIGHTS: dict[AnswerStatus, float] = {
    AnswerStatus.CONFORME: 1.0,
    AnswerStatus.A_AMELIORER: 0.5,
    AnswerStatus.NON_CONFORME: 0.0,
}
#: smallest change of score (out of 1) that counts as better or worse
TREND_THRESHOLD = 0.05


@dataclass(frozen=True)
class MissionScore:
    """The score of one mission at one visit."""

    mission_id: str
    conforme: int = 0
    a_ameliorer: int = 0
    non_conforme: int = 0
    #: items answered Non vérifié (excluded from the score)
    unchecked: int = 0

    @property
    def scored(self) -> int:
        """Items that count in the score."""
        return self.conforme + self.a_ameliorer + self.non_conforme

    @property
    def value(self) -> float | None:
        """Score between 0 and 1, or None when no item counts."""
        if not self.scored:
            return None
        return (self.conforme + 0.5 * self.a_ameliorer) / self.scored

    def percent(self) -> str:
        """``75 %`` (French spacing), or ``—`` without a score."""
        value = self.value
        return "—" if value is None else f"{round(value * 100)} %"


def mission_scores(visit: Visit, template: ChecklistTemplate) -> dict[str, MissionScore]:
    """Per mission id of ``template`` (in its order): the visit's score.

    Answers to items the template does not have are ignored.
    """
    out: dict[str, MissionScore] = {}
    for mission in template.missions:
        counts = dict.fromkeys(AnswerStatus, 0)
        for item in mission.items:
            if item.kind is not ItemKind.STATUS:
                continue
            status = _status(visit.answers.get(item.id))
            if status is not None:
                counts[status] += 1
        out[mission.id] = MissionScore(
            mission.id,
            conforme=counts[AnswerStatus.CONFORME],
            a_ameliorer=counts[AnswerStatus.A_AMELIORER],
            non_conforme=counts[AnswerStatus.NON_CONFORME],
            unchecked=counts[AnswerStatus.NON_VERIFIE],
        )
    return out


def _status(answer: Answer | None) -> AnswerStatus | None:
    return answer.status if answer is not None else None


def scored_visits(visits: Iterable[Visit]) -> list[Visit]:
    """The visits that have a score (finalised, not deleted), oldest first."""
    kept = [v for v in visits if v.status is VisitStatus.FINALISED and not v.deleted]
    return sorted(kept, key=lambda v: (v.date, v.created_at or v.date))


class Trend(StrEnum):
    """How a mission's score moved from one scored visit to the next."""

    UP = "hausse"
    DOWN = "baisse"
    STABLE = "stable"
    NONE = "aucune"

    @property
    def arrow(self) -> str:
        """The arrow shown beside the score."""
        return _ARROWS[self]

    @property
    def label(self) -> str:
        """French word for the trend."""
        return _TREND_LABELS[self]


_ARROWS = {Trend.UP: "↗", Trend.DOWN: "↘", Trend.STABLE: "→", Trend.NONE: ""}
_TREND_LABELS = {Trend.UP: "en progrès", Trend.DOWN: "en recul", Trend.STABLE: "stable",
                 Trend.NONE: "pas de comparaison"}


def trend(previous: float | None, latest: float | None) -> Trend:
    """Trend between two scores (NONE when either is missing)."""
    if previous is None or latest is None:
        return Trend.NONE
    if latest - previous >= TREND_THRESHOLD:
        return Trend.UP
    if previous - latest >= TREND_THRESHOLD:
        return Trend.DOWN
    return Trend.STABLE


@dataclass(frozen=True)
class ScoredVisit:
    """A finalised visit and its scores per mission."""

    visit: Visit
    scores: dict[str, MissionScore]


def score_history(
    visits: Iterable[Visit], template_of: Callable[[Visit], ChecklistTemplate | None],
    current: ChecklistTemplate | None = None,
) -> list[ScoredVisit]:
    """The site's finalised visits, oldest first, scored to be compared.

    With ``current``, every visit is re-keyed to it (v1 → v2 mapping) and scored with it;
    without, each is scored with its own template (``template_of``).
    """
    from fsfield.domain.compare import as_template

    out = []
    for visit in scored_visits(visits):
        if current is not None:
            out.append(ScoredVisit(visit, mission_scores(as_template(visit, current), current)))
            continue
        template = template_of(visit)
        if template is not None:
            out.append(ScoredVisit(visit, mission_scores(visit, template)))
    return out


def mission_trend(history: list[ScoredVisit], mission_id: str) -> Trend:
    """Trend of a mission: its latest score against the previous visit that scored it."""
    values = [
        value
        for scored in history
        if mission_id in scored.scores
        and (value := scored.scores[mission_id].value) is not None
    ]
    if len(values) < 2:
        return Trend.NONE
    return trend(values[-2], values[-1])
