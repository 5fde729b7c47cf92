"""The Activity record: parsing what users type, storing, syncing; follow-up date conventions."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.activity import (
    Activity,
    ActivityType,
    parse_activity_type,
    parse_attendance,
    resolve_partners,
)
from fsfield.domain.models import FollowUp, FollowUpStatus
from fsfield.reports.annual import compute_annual
from fsfield.reports.journal import ActivityInput, add_activity, edit_activity
from fsfield.store.repo import Store

D = dt.date


@pytest.mark.parametrize("text, kind", [
    ("visio", ActivityType.VISIO), ("Séminaire", ActivityType.SEMINAIRE),
    ("reunion", ActivityType.REUNION), ("portes ouvertes", ActivityType.PORTES_OUVERTES),
    ("PORTES-OUVERTES", ActivityType.PORTES_OUVERTES), ("formation", ActivityType.FORMATION),
    ("reunion_partenaires", ActivityType.REUNION), ("Autre", ActivityType.AUTRE),
])
def test_activity_types_as_typed(text, kind):
    assert parse_activity_type(text) is kind


def test_unknown_type_lists_the_accepted_ones():
    with pytest.raises(ValueError, match="attendu : visio, seminaire, reunion, portes-ouvertes"):
        parse_activity_type("pique-nique")


def test_attendance():
    assert parse_attendance("") is None and parse_attendance(" 12 ") == 12
    with pytest.raises(ValueError, match="négatif"):
        parse_attendance("-1")
    with pytest.raises(ValueError, match="invalide"):
        parse_attendance("12,5")


def test_partners_by_short_name_id_or_former_name():
    assert resolve_partners(["caf", "Pôle emploi", "ANTS", "mission-locale", "CAF"]) == [
        "Caisse d'allocations familiales", "France Travail", "France Titres", "Mission locale"]
    with pytest.raises(ValueError, match="inconnu.*Préfecture"):
        resolve_partners(["MSA", "Préfecture"])


def test_activity_is_stored_field_by_field_and_synced(tmp_path):
    with Store(tmp_path / "a") as one, Store(tmp_path / "b") as two:
        created = add_activity(one, ActivityInput("seminaire", "12/06/2026", "Séminaire",
                                                  attendance="40", partners="CAF"))
        fields = {w.field for w in one.outbox() if w.record == created.id}
        assert fields == {"date", "activity_type", "title", "site_ids", "partners", "attendance",
                          "notes"}
        two.apply_remote(one.outbox())
        assert two.get(Activity, created.id) == one.get(Activity, created.id)
        edited = edit_activity(one, created.id, ActivityInput("seminaire", "12/06/2026",
                                                              "Séminaire", attendance="42",
                                                              partners="CAF"))
        assert edited.attendance == 42
        changed = [w.field for w in one.outbox() if w.record == created.id]
        assert changed.count("attendance") == 2 and changed.count("title") == 1


def test_refused_activity_writes_nothing(tmp_path):
    with Store(tmp_path / "a") as store:
        with pytest.raises(ValueError, match="31/02/2026 n'existe pas"):
            add_activity(store, ActivityInput("visio", "31/02/2026", "Visio"))
        assert store.outbox() == [] and store.all(Activity) == []


def test_followup_without_visit_opens_on_its_creation_day():
    created = dt.datetime(2025, 4, 2, 10, 0, tzinfo=dt.UTC)
    changed = dt.datetime(2025, 4, 22, 10, 0, tzinfo=dt.UTC)
    followups = [
        FollowUp(id="f1", text="Sans visite", site_id="s", created_at=created),
        # Closed without a closing day: its last change counts (20 days).
        FollowUp(id="f2", text="Clos", site_id="s", created_at=created, updated_at=changed,
                 status=FollowUpStatus.DONE),
    ]
    fig = compute_annual(2025, sites=[], visits=[], followups=followups, activities=[],
                         template_of=lambda v: None, today=D(2026, 1, 5))
    assert (fig.fu_opened, fig.fu_closed, fig.fu_open_end) == (2, 1, 1)
    assert fig.median_days_to_close == 20
    earlier = compute_annual(2024, sites=[], visits=[], followups=followups, activities=[],
                             template_of=lambda v: None, today=D(2026, 1, 5))
    assert earlier.empty
