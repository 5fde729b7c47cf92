"""A field's history (who, when, every value, conflicts) and the RGPD purge of past values."""

from __future__ import annotations

import pytest

from fsfield.domain.models import Site
from fsfield.domain.template import AnswerStatus
from fsfield.store import visits
from fsfield.store.conflicts import conflicts, has_conflicts
from fsfield.store.history import field_history
from fsfield.store.purge import purge_field
from fsfield.store.sites import create_site, update_site
from fsfield.store.templates import current_template
from sync import PURGED
from tests.records.conftest import DAY, sync


def _phones(store, site_id):
    return [(e.value, e.live, e.erased) for e in field_history(store, site_id, "phone") if not e.purge]


def test_history_lists_every_value_oldest_first_with_who_and_when(laptops):
    a, _, _ = laptops
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    update_site(a, site.id, phone="05 55 00 00 02")
    update_site(a, site.id, phone="05 55 00 00 03")
    history = field_history(a, site.id, "phone")
    assert [e.value for e in history] == ["05 55 00 00 01", "05 55 00 00 02", "05 55 00 00 03"] or \
        [e.value for e in history] == ["05 55 00 00 01", "05 55 00 00 02", "05 55 00 00 03"]
    assert [e.live for e in history] == [False, False, True]
    assert {e.author for e in history} == {"Anne"}
    assert all(len(e.when) == 16 and e.when[2] == "/" for e in history)
    assert not any(e.conflict or e.settled or e.erased for e in history)


def test_conflict_and_its_settling_show_in_the_history(laptops):
    a, b, central = laptops
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    sync(a, central)
    sync(b, central)
    update_site(a, site.id, phone="05 55 00 00 02")
    update_site(b, site.id, phone="05 55 00 00 03")
    sync(a, central)
    sync(b, central)
    sync(a, central)
    history = field_history(a, site.id, "phone")
    # the two concurrent edits are ordered by their clocks, which may fall in the same ms
    assert (history[0].value, history[0].conflict) == ("05 55 00 00 01", False)
    assert {(e.value, e.conflict) for e in history[1:]} == {
        ("05 55 00 00 02", True), ("05 55 00 00 03", True)}
    from fsfield.store.conflicts import keep
    keep(a, conflicts(a)[0], "05 55 00 00 03")
    last = field_history(a, site.id, "phone")[-1]
    assert last.settled and last.live and not last.conflict


def test_purge_erases_only_past_values_never_the_live_one(laptops):
    a, _, _ = laptops
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    update_site(a, site.id, phone="05 55 00 00 02")
    update_site(a, site.id, phone="05 55 00 00 03")
    assert purge_field(a, "site", site.id, "phone") == 2
    assert _phones(a, site.id) == [(None, False, True), (None, False, True), ("05 55 00 00 03", True, False)]
    purge = [e for e in field_history(a, site.id, "phone") if e.purge]
    assert [(p.author, p.field) for p in purge] == [("Anne", "phone")]
    assert a.get(Site, site.id).phone == "05 55 00 00 03", "the card keeps its value"
    assert purge_field(a, "site", site.id, "phone") == 0, "nothing left: nothing written"
    update_site(a, site.id, phone="05 55 00 00 04")
    # 03 was the newest value the purge saw (its cutoff): once replaced, it is a past value
    # under the cutoff, erased by the same rule; 04 is newer and stays.
    assert _phones(a, site.id)[2:] == [(None, False, True), ("05 55 00 00 04", True, False)]
    assert purge_field(a, "site", site.id, "phone") == 0
    assert not has_conflicts(a)


def test_bad_record_or_field_is_refused_in_french_and_writes_nothing(laptops):
    a, _, _ = laptops
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    before = len(a.replica.writes_of(site.id))
    with pytest.raises(ValueError, match="Aucun enregistrement"):
        purge_field(a, "site", "nope", "phone")
    with pytest.raises(ValueError, match="Aucun enregistrement"):
        purge_field(a, "followup", site.id, "phone")
    with pytest.raises(ValueError, match="Champ inconnu"):
        purge_field(a, "site", site.id, "telephone")
    with pytest.raises(ValueError, match="Champ inconnu"):
        purge_field(a, "site", site.id, "purge:phone")
    assert len(a.replica.writes_of(site.id)) == before


def _known_to_both(a, b, central) -> Site:
    """A site whose phone A changed once, synced to both laptops."""
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    update_site(a, site.id, phone="05 55 00 00 02")
    sync(a, central)
    sync(b, central)
    return site


def test_purge_travels_to_the_other_laptop_and_concurrent_purges_do_not_conflict(laptops):
    a, b, central = laptops
    site = _known_to_both(a, b, central)
    update_site(b, site.id, phone="05 55 00 00 03")
    sync(b, central)
    sync(a, central)
    # both purge without seeing each other's purge; B saw one value more
    assert purge_field(a, "site", site.id, "phone") == 2
    assert purge_field(b, "site", site.id, "phone") == 2
    for _ in range(2):
        sync(a, central)
        sync(b, central)
    for laptop in (a, b):
        assert _phones(laptop, site.id) == [
            (None, False, True), (None, False, True), ("05 55 00 00 03", True, False)]
        assert {e.author for e in field_history(laptop, site.id, "phone") if e.purge} == {"Anne", "Bruno"}
        assert not has_conflicts(laptop), "two purges are no conflict for the user"
        assert laptop.get(Site, site.id).phone == "05 55 00 00 03"


def test_a_value_written_concurrently_with_the_purge_is_not_erased(laptops):
    a, b, central = laptops
    site = _known_to_both(a, b, central)
    update_site(b, site.id, phone="05 55 00 00 09")  # B's newer value, unseen by A's purge
    assert purge_field(a, "site", site.id, "phone") == 1
    update_site(b, site.id, phone="05 55 00 00 10")  # B's own 09 becomes a past value
    sync(a, central)
    sync(b, central)
    sync(a, central)
    values = [(e.value, e.erased) for e in field_history(a, site.id, "phone") if not e.purge]
    assert ("05 55 00 00 09", False) in values, "newer than the cutoff the purger saw"
    assert values[0] == (None, True)


def test_physically_erased_values_read_as_erased(laptops):
    a, _, _ = laptops
    site = create_site(a, name="France services Nexon", phone="05 55 00 00 01")
    update_site(a, site.id, phone="05 55 00 00 02")

    def erase(e: list) -> list:  # as the store rewrites the history when a purge arrives
        return [*e[:3], PURGED, *e[4:]] if (e[0], e[2]) == (site.id, "phone") else e

    a.storage.rewrite_history(erase)
    assert _phones(a, site.id)[0] == (None, False, True)
    assert _phones(a, site.id)[1] == ("05 55 00 00 02", True, False)


def test_a_checklist_item_merges_its_sub_fields_and_purges_them_together(laptops):
    a, _, _ = laptops
    site = create_site(a, name="France services Nexon")
    visit = visits.start_visit(a, site, date=DAY)
    item = current_template(a).missions[0].items[0].id
    visit = visits.set_answer(a, visit, item, status=AnswerStatus.NON_CONFORME)
    visit = visits.set_answer(a, visit, item, comment="porte fermée")
    visit = visits.set_answer(a, visit, item, status=AnswerStatus.CONFORME)
    visit = visits.set_answer(a, visit, item, comment="")
    history = field_history(a, visit.id, f"answers.{item}")
    subs = [e.field.rsplit(".", 1)[1] for e in history]
    assert subs[-4:] == ["status", "comment", "status", "comment"]
    assert all(e.field.startswith(f"answers.{item}.") for e in history)
    erased = purge_field(a, "visit", visit.id, f"answers.{item}")
    assert erased >= 2
    after = [e for e in field_history(a, visit.id, f"answers.{item}") if not e.purge]
    assert [e.value for e in after if e.live] == [AnswerStatus.CONFORME.value, ""] or \
        {e.value for e in after if e.live} == {AnswerStatus.CONFORME.value, ""}
    assert "porte fermée" not in [e.value for e in after]
    assert a.get(type(visit), visit.id).answer(item).status is AnswerStatus.CONFORME


def test_a_purged_value_is_in_no_file_of_either_laptop_after_sync(laptops):
    """The erasure is physical: the old value is in no file of the data dir (snapshot, backup,
    journals, history) on the laptop that purged nor on the one that received the purge."""
    a, b, central = laptops
    secret = "06 12 34 56 78"
    site = create_site(a, name="France services Nexon", phone=secret)
    sync(a, central)
    sync(b, central)
    update_site(a, site.id, phone="05 55 00 00 02")
    for store in (a, b):
        store.storage.compact()  # the old value is now in every kind of file: history, backup
    sync(a, central)
    sync(b, central)
    assert purge_field(a, "site", site.id, "phone") == 1
    sync(a, central)
    sync(b, central)
    for store in (a, b):
        assert store.find(Site, site.id).phone == "05 55 00 00 02"
        files = [p for p in store.data_dir.rglob("*") if p.is_file()]
        holding = [p.name for p in files if secret.encode() in p.read_bytes()]
        assert holding == []
