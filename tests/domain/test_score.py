"""The score per mission (domain/score.py) against visits whose scores were worked out by hand."""

from __future__ import annotations

import datetime as dt

from fsfield.domain.models import Answer, Visit, VisitStatus
from fsfield.domain.score import (
    Trend,
    mission_scores,
    mission_trend,
    score_history,
    scored_visits,
    trend,
)
from fsfield.domain.template import AnswerStatus, load_template

C, AA, NC = AnswerStatus.CONFORME, AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME
SO, NV = AnswerStatus.SANS_OBJET, AnswerStatus.NON_VERIFIE
TEMPLATE = load_template()


def visit(day: int, answers: dict[str, object], *, draft: bool = False) -> Visit:
    made = {}
    for item, given in answers.items():
        made[item] = Answer(status=given) if isinstance(given, AnswerStatus) else Answer(value=given)
    return Visit(id=f"v{day}", site_id="s", date=dt.date(2025, 1, day), template_id=TEMPLATE.id,
                 template_version=TEMPLATE.version, answers=made,
                 status=VisitStatus.DRAFT if draft else VisitStatus.FINALISED)


def test_scores_by_hand():
    v = visit(1, {
        # m2: C, AA, NC, SO (excluded), NV (apart) -> (1 + 0.5 + 0) / 3 = 0.5
        "m2-horaires-24h": C, "m2-deux-conseillers": AA, "m2-formation-initiale": NC,
        "m2-bureau-confidentiel": SO, "m2-poste-numerique": NV,
        # m1: a number and a text item are not scored; one C -> 1.0
        "m1-demandes-periode": 120, "m1-changements-a-signaler": "nouveau porteur",
        "m1-saisie-demandes": C,
        # m3: only Non vérifié -> no score, not 0
        "m3-referents-operateurs": NV,
        # m5: AA, AA, C, NC -> (0.5 + 0.5 + 1 + 0) / 4 = 0.5
        "m5-portes-ouvertes": AA, "m5-communication-locale": AA,
        "m5-orientation-mairies-partenaires": C, "m5-carte-nationale": NC,
    })
    scores = mission_scores(v, TEMPLATE)
    assert list(scores) == ["m1", "m2", "m3", "m4", "m5"]
    assert (scores["m2"].value, scores["m2"].scored, scores["m2"].unchecked) == (0.5, 3, 1)
    assert scores["m2"].percent() == "50 %"
    assert (scores["m1"].value, scores["m1"].scored) == (1.0, 1)
    assert (scores["m3"].value, scores["m3"].unchecked, scores["m3"].percent()) == (None, 1, "—")
    assert scores["m4"].value is None and scores["m4"].scored == 0
    assert scores["m5"].value == 0.5


def test_answers_outside_the_template_are_ignored():
    v = visit(1, {"m2-ancien-element": NC, "m2-horaires-24h": C})
    assert mission_scores(v, TEMPLATE)["m2"].value == 1.0


def test_drafts_have_no_score_and_history_is_oldest_first():
    draft = visit(9, {"m2-horaires-24h": NC}, draft=True)
    first = visit(2, {"m2-horaires-24h": NC, "m2-deux-conseillers": C})   # 0.5
    second = visit(5, {"m2-horaires-24h": C, "m2-deux-conseillers": C})   # 1.0
    assert [v.id for v in scored_visits([draft, second, first])] == ["v2", "v5"]
    history = score_history([draft, second, first], lambda v: TEMPLATE)
    assert [h.scores["m2"].value for h in history] == [0.5, 1.0]
    assert mission_trend(history, "m2") is Trend.UP
    assert mission_trend(history, "m4") is Trend.NONE  # never scored


def test_trend_skips_visits_that_did_not_score_the_mission():
    a = visit(1, {"m3-back-office": C})                # m3 1.0
    b = visit(2, {"m2-horaires-24h": C})               # m3 not scored
    c = visit(3, {"m3-back-office": AA})               # m3 0.5
    assert mission_trend(score_history([a, b, c], lambda v: TEMPLATE), "m3") is Trend.DOWN


def test_trend_threshold():
    assert trend(0.5, 0.54) is Trend.STABLE
    assert trend(0.5, 0.55) is Trend.UP
    assert trend(0.55, 0.5) is Trend.DOWN
    assert trend(None, 0.5) is Trend.NONE
    assert Trend.UP.arrow == "↗" and Trend.DOWN.arrow == "↘"
