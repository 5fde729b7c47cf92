"""Tests for fsfield.domain.hours (free-text opening hours of the official directory)."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsfield.domain.hours import (
    Interval,
    format_minutes,
    parse_day,
    parse_week,
)

STD = "09:00 - 12:00 / 13:30 - 17:00"  # 6 h 30


def week(*days: str) -> dict[str, str]:
    names = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    return dict(zip(names, days, strict=False))


# --- parse_day -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00 - 12:00 / 13:30 - 17:00", [(540, 720), (810, 1020)]),  # the official shape
        ("13:30 - 17:00", [(810, 1020)]),
        ("08:45 - 10:15 / 10:30 - 11:30 / 13:30 - 14:30", [(525, 615), (630, 690), (810, 870)]),
        ("08h30-12h00", [(510, 720)]),
        ("8h30-12h / 13h30-17h", [(510, 720), (810, 1020)]),
        ("9 h à 12 h et 14 h – 17 h", [(540, 720), (840, 1020)]),
        ("09H00 - 12H00, 14H00 - 16H00", [(540, 720), (840, 960)]),
        ("9-12", [(540, 720)]),
        ("09.30 - 12.00", [(570, 720)]),
        ("  09:00 - 12:00  ", [(540, 720)]),
        ("08:00 - 24:00", [(480, 1440)]),
    ],
)
def test_parse_day_open(text, expected):
    day = parse_day(text)
    assert day.status == "open"
    assert day.raw == text
    assert [(i.start_min, i.end_min) for i in day.intervals] == expected
    assert day.notes == ()


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_day_is_closed_and_not_published(text):
    day = parse_day(text)
    assert (day.status, day.published, day.minutes) == ("closed", False, 0)
    assert str(day) == "non renseigné"


@pytest.mark.parametrize("text", ["Fermé", "FERME", "fermée", "-", "Néant"])
def test_explicitly_closed_day_is_published(text):
    day = parse_day(text)
    assert (day.status, day.published) == ("closed", True)
    assert str(day) == "fermé"


def test_placeholder_alone_means_nothing_published():
    day = parse_day("00:00 - 00:00")
    assert (day.status, day.published, day.intervals) == ("closed", False, ())
    assert day.notes == ("plage vide « 00:00 - 00:00 » ignorée (valeur par défaut)",)


def test_placeholder_mixed_with_real_ranges_is_dropped():
    # Real data: "00:00 - 00:00 / 09:00 - 12:00" (Le Dorat, Wednesday and Saturday).
    day = parse_day("00:00 - 00:00 / 00:00 - 00:00 / 08:30 - 16:00")
    assert day.status == "open"
    assert day.intervals == (Interval(510, 960),)
    assert len(day.notes) == 1


@pytest.mark.parametrize("text", ["17:00 - 09:00", "09:00 - 12:00 / 17:00 - 14:00"])
def test_reversed_range_is_unparsed_with_reason(text):
    day = parse_day(text)
    assert day.status == "unparsed"
    assert day.raw == text
    assert day.intervals == ()
    assert day.notes[0].startswith("plage inversée")
    assert str(day) == f"illisible : « {text} »"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("sur rendez-vous", "horaires non reconnus"),
        ("09:00 - 12:00 sur RDV", "texte non reconnu : « sur rdv »"),
        ("25:00 - 26:00", "heure invalide"),
        ("09:75 - 12:00", "heure invalide"),
        ("1er lundi du mois 9h-12h", "texte non reconnu"),
        ("09:00 - 12:00 / 14:00", "texte non reconnu"),
    ],
)
def test_unreadable_text_is_kept_raw(text, reason):
    day = parse_day(text)
    assert day.status == "unparsed"
    assert day.raw == text
    assert reason in day.notes[0]


@pytest.mark.parametrize(
    ("text", "merged", "noted"),
    [
        # Shapes found in the 2024-08-01 list (79 overlapping cells, 46 with duplicates).
        ("09:00 - 12:00 / 09:00 - 16:30 / 14:00 - 16:30", [(540, 990)], True),
        ("08:30 - 17:30 / 08:30 - 12:30", [(510, 1050)], True),
        ("13:30 - 16:00 / 13:30 - 16:00", [(810, 960)], True),
        ("09:00 - 14:00 / 11:00 - 12:30", [(540, 840)], True),
        # Touching ranges are merged without a note: nothing to check.
        ("09:00 - 11:00 / 11:00 - 12:00 / 13:30 - 17:00", [(540, 720), (810, 1020)], False),
        # Unsorted, disjoint: sorted, no note.
        ("14:00 - 17:00 / 09:00 - 12:00", [(540, 720), (840, 1020)], False),
    ],
)
def test_overlaps_are_merged(text, merged, noted):
    day = parse_day(text)
    assert day.status == "open"
    assert [(i.start_min, i.end_min) for i in day.intervals] == merged
    assert ("plages qui se chevauchent, fusionnées" in day.notes) is noted


@given(st.lists(st.tuples(st.integers(0, 24 * 60), st.integers(0, 24 * 60)), min_size=1))
def test_merged_minutes_equal_union_length(pairs):
    ranges = [(min(a, b), max(a, b)) for a, b in pairs]
    text = " / ".join(f"{s // 60:02d}:{s % 60:02d} - {e // 60:02d}:{e % 60:02d}" for s, e in ranges)
    covered = set().union(*(range(s, e) for s, e in ranges))
    day = parse_day(text)
    assert day.minutes == len(covered)
    assert day.status == ("open" if covered else "closed")
    assert all(a.end_min < b.start_min for a, b in pairwise(day.intervals))


# --- format_minutes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"), [(1590, "26 h 30"), (1440, "24 h"), (45, "0 h 45"), (0, "0 h"),
                          (1505, "25 h 05")]
)
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text


def test_format_minutes_rejects_negative():
    with pytest.raises(ValueError):
        format_minutes(-1)


# --- parse_week ----------------------------------------------------------------------------


def test_week_totals_and_summary():
    hours = parse_week(week(STD, STD, STD, STD, "09:00 - 12:00 / 13:30 - 17:00", ""))
    assert list(hours.days) == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
    assert hours.weekly_minutes == 5 * 390
    assert hours.weekly_hours == 32.5
    assert hours.days_open == 5
    assert hours.meets_minimum is True
    assert hours.summary() == "32 h 30 sur 5 jours — conforme (≥ 24 h sur 5 jours)"


def test_keys_are_matched_loosely_and_missing_days_are_empty():
    hours = parse_week({"h_lundi": STD, "Mardi": STD, "MERCREDI": STD})
    assert list(hours.days) == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
    assert hours.days["jeudi"].published is False
    assert hours.days_open == 3


def test_sunday_is_accepted_when_given():
    hours = parse_week(week("", "", "", "", "", "", "10:00 - 12:00"))
    assert list(hours.days)[-1] == "dimanche"
    assert hours.weekly_minutes == 120


def test_unknown_day_key_raises():
    with pytest.raises(ValueError, match="jour inconnu"):
        parse_week({"lundy": STD})


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (("09:00 - 13:48",) * 5, True),  # exactly 24 h over 5 days
        (("09:00 - 13:47",) * 5, False),  # 23 h 55
        (("08:00 - 18:00",) * 4, False),  # 40 h but only 4 days
        (("09:00 - 13:00",) * 6, True),  # 24 h over 6 days
        (("Fermé",) * 6, False),  # explicitly closed all week: published, not compliant
    ],
)
def test_labelling_rule_boundaries(days, expected):
    assert parse_week(week(*days)).meets_minimum is expected


def test_non_compliant_summary():
    hours = parse_week(week("08:00 - 18:00", "08:00 - 18:00", "", "08:00 - 18:00", "08:00 - 18:00"))
    assert hours.summary() == "40 h sur 4 jours — non conforme (≥ 24 h sur 5 jours)"


def test_nothing_published_is_unknown():
    # A bus: all cells empty. "Not published" is not "closed": meets_minimum is None.
    for days in [("",) * 6, ("00:00 - 00:00",) * 6, ()]:
        hours = parse_week(week(*days))
        assert hours.published is False
        assert hours.meets_minimum is None
        assert hours.summary() == "horaires non publiés"


def test_unparsed_day_makes_verdict_unknown():
    hours = parse_week(week("17:00 - 09:00", STD, STD, STD, STD))
    assert hours.unparsed_days == ("lundi",)
    assert hours.meets_minimum is None
    assert hours.weekly_minutes == 4 * 390  # what could be read
    assert hours.summary() == "26 h sur 4 jours — à vérifier (horaires illisibles : lundi)"


def test_single_day_summary_is_singular():
    assert parse_week(week("09:00 - 12:00")).summary().startswith("3 h sur 1 jour —")
