"""The annual report's figures agree with their numbers and say what they count."""

from __future__ import annotations

import datetime as dt

from fsfield.domain.activity import Activity, ActivityType
from fsfield.domain.messages import how_many, plural
from fsfield.domain.models import FollowUp, FollowUpStatus
from fsfield.reports.annual import compute_annual
from fsfield.reports.annual_render import key_figures


def test_french_plural_takes_the_singular_for_zero_and_one():
    assert [how_many(n, "visite") for n in (0, 1, 2)] == ["0 visite", "1 visite", "2 visites"]
    assert plural(3, "suivi clos", "suivis clos") == "suivis clos"


def test_one_of_each_is_singular_and_the_still_open_follow_ups_are_counted_apart():
    created = dt.datetime(2025, 4, 2, 10, 0, tzinfo=dt.UTC)
    followups = [
        FollowUp(id="f1", text="Ouvert", site_id="s", created_at=created),
        FollowUp(id="f2", text="Clos", site_id="s", created_at=created,
                 status=FollowUpStatus.DONE, closed_on=dt.date(2025, 5, 1)),
    ]
    seminar = Activity(id="a", activity_type=ActivityType.SEMINAIRE, date=dt.date(2025, 6, 3),
                       title="Séminaire régional", attendance=1)
    fig = compute_annual(2025, sites=[], visits=[], followups=followups, activities=[seminar],
                         template_of=lambda v: None, today=dt.date(2026, 1, 5))
    shown = dict((label, value) for value, label in key_figures(fig))
    assert shown["séminaire"] == "1" and "séminaires" not in shown
    assert shown["visite de structure"] == "0"
    assert shown["participant cumulé aux activités du réseau"] == "1"
    # "2 suivis ouverts" read as two open ones while one was closed: both counts are named
    assert shown["suivis ouverts dans l'année"] == "2"
    assert shown["suivi encore ouvert au 31/12/2025"] == "1"
    assert shown["suivi clos"] == "1"
