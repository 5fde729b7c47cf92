"""Visits and follow-ups are kept in one table per site: opening a site's visits reads that
site's table, not the whole département's; a data dir of the layout before (one visit table)
reads the same and is moved to it once."""

from __future__ import annotations

import datetime as dt

import pytest

from fsfield.domain.models import FollowUp, Settings, Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.store import docfiles, docformat
from fsfield.store.docstorage import DocStorage
from fsfield.store.doctables import UNLOADED
from fsfield.store.followups import create_followup
from fsfield.store.repo import Store
from fsfield.store.visits import set_answer, start_visit

TODAY = dt.date(2026, 12, 2)


def fill(data) -> tuple[list[Site], dict[str, list[str]]]:
    """Three sites with two visits and a follow-up each; returns the sites and visit ids."""
    visits: dict[str, list[str]] = {}
    with Store(data) as store:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        sites = [store.create(Site(id="", id_fs=str(500 + n), name=f"France services {n}",
                                   department="87", commune="Nexon")) for n in range(3)]
        for site in sites:
            for day in (3, 20):
                v = start_visit(store, site, date=dt.date(2026, 11, day))
                v = set_answer(store, v, "m1-01", status=AnswerStatus.CONFORME)
                visits.setdefault(site.id, []).append(v.id)
            create_followup(store, FollowUp(id="", text="Rappeler la CAF", site_id=site.id),
                            TODAY, due=dt.date(2027, 1, 5))
    with Store(data) as store:  # the first snapshot; the home screen's summary made once
        store.visits(sites[0].id), store.followups(sites[0].id)
    return sites, visits


def loaded_doc_tables(store: Store) -> set[str]:
    tables = store.storage.read()
    return {name for name in tables
            if name.startswith("d:") and dict.__getitem__(tables, name) is not UNLOADED}


def shown(store: Store) -> dict[str, object]:
    return {v.id: (v.site_id, v.date, v.answer("m1-01").status) for v in store.visits()} | {
        f.id: (f.site_id, f.text, f.due) for f in store.followups()}


def test_a_sites_visits_are_read_from_that_sites_table_only(tmp_path):
    sites, visits = fill(tmp_path / "data")
    with Store(tmp_path / "data") as store:
        names = {n for n in store.storage.read() if n.startswith("d:")}
        assert names == {"d:site"} | {f"d:{k}@{s.id}" for s in sites for k in ("visit", "followup")}
        one = sites[1]
        mine = store.visits(one.id)
        assert sorted(v.id for v in mine) == sorted(visits[one.id])
        store.get(Visit, visits[one.id][0])
        assert [f.site_id for f in store.followups(one.id)] == [one.id]
        assert loaded_doc_tables(store) <= {"d:site", f"d:visit@{one.id}", f"d:followup@{one.id}"}


def test_a_data_dir_with_one_visit_table_reads_the_same_and_is_placed_once(tmp_path, monkeypatch):
    with monkeypatch.context() as m:  # what the first document store (format 3) wrote
        m.setattr(docformat, "PLACE_BY", {})
        m.setattr(docfiles, "FORMAT", "fsfield-store/3")
        real_put = DocStorage.put
        m.setattr(DocStorage, "put", lambda self, t, k, d, fields=None: real_put(self, t, k, d))
        sites, visits = fill(tmp_path / "data")
        with Store(tmp_path / "data") as store:
            assert {n for n in store.storage.read() if n.startswith("d:")} == {
                "d:site", "d:visit", "d:followup"}
            before = shown(store)
    with Store(tmp_path / "data") as store:
        assert shown(store) == before
        assert not {"d:visit", "d:followup"} & set(store.storage.read())
        v = store.get(Visit, visits[sites[0].id][1])
        set_answer(store, v, "m1-01", status=AnswerStatus.NON_CONFORME)
    with Store(tmp_path / "data") as store:
        assert not {"d:visit", "d:followup"} & set(store.storage.read())  # dropped for good
        store.visits(sites[2].id)
        assert loaded_doc_tables(store) <= {"d:site", f"d:visit@{sites[2].id}"}
        after = shown(store)
        assert after.pop(v.id)[2] is AnswerStatus.NON_CONFORME
        assert after == {k: x for k, x in before.items() if k != v.id}


@pytest.mark.parametrize("kind", ["visit", "followup"])
def test_every_record_of_a_placed_kind_is_in_its_sites_table(tmp_path, kind):
    sites, _ = fill(tmp_path / "data")
    with Store(tmp_path / "data") as store:
        index = store.storage.read()["index"]
        for record, place in index.items():
            if place["v"].startswith(kind):
                doc = store.storage.read()[f"d:{place['v']}"][record]
                assert place["v"] == f"{kind}@{doc['f']['site_id'][0][0]}"


def test_a_record_without_a_site_is_not_read_again_at_every_start(tmp_path):
    fill(tmp_path / "data")
    with Store(tmp_path / "data") as store:
        store.write_fields("visit", "v-nosite", {"date": "2026-12-02"})  # site not known yet
        assert "v-nosite" in store.storage.read()["d:visit"]
    with Store(tmp_path / "data") as store:
        assert "d:visit" not in loaded_doc_tables(store)
