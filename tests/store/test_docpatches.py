"""A save journals only the fields of a document that changed (a patch), and every way of
reading the journal back (replay at open, a table read later, a table rebuilt from the backup,
compaction) gives the documents as they were saved; a format-3 data dir is rewritten as format
4 when opened, before anything is journaled."""

from __future__ import annotations

import copy
import datetime as dt

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from fsfield.domain.models import Settings, Site, Visit
from fsfield.domain.template import AnswerStatus
from fsfield.store import docfiles, docformat
from fsfield.store.docopening import read_header
from fsfield.store.docstorage import JOURNAL, SNAPSHOT, DocStorage
from fsfield.store.repo import Store
from fsfield.store.templates import current_template
from fsfield.store.visits import set_answer, start_visit

KEYS = ["a", "b", "c"]
FIELDS = ["x", "y", "z"]

ops = st.lists(st.one_of(
    st.tuples(st.just("new"), st.sampled_from(KEYS), st.integers(0, 9)),
    st.tuples(st.just("set"), st.sampled_from(KEYS), st.sampled_from(FIELDS), st.integers(0, 9)),
    st.tuples(st.just("unset"), st.sampled_from(KEYS), st.sampled_from(FIELDS)),
    st.tuples(st.just("top"), st.sampled_from(KEYS), st.integers(0, 9)),
    st.tuples(st.just("drop"), st.sampled_from(KEYS)),
    st.tuples(st.just("batch"), st.sampled_from(KEYS), st.sampled_from(FIELDS), st.integers(0, 9)),
    st.just(("compact",)), st.just(("reopen",)), st.just(("read",)),
), max_size=30)


def _open(path) -> DocStorage:
    return DocStorage(path, compact_min_bytes=1 << 30)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_patched_documents_read_back_as_saved_through_replay_compaction_and_reopen(tmp_path_factory,
                                                                                   steps):
    path = tmp_path_factory.mktemp("patches")
    st_ = _open(path)
    st_.put("other", "o", {"v": 0})
    st_.compact()  # a snapshot, so that later tables are read lazily
    model: dict[str, dict] = {}
    for step in steps:
        op, *args = step
        docs = st_.read().get("d") if op in ("set", "unset", "top", "batch") else None
        if op == "new":
            key, n = args
            model[key] = {"k": "site", "n": n, "f": {"x": [[n]]}}
            st_.put("d", key, copy.deepcopy(model[key]))
        elif op in ("set", "unset", "batch") and docs and args[0] in docs:
            key, field = args[0], args[1]
            doc = docs[key]
            with st_.batch():
                if op == "unset":
                    doc["f"].pop(field, None)
                else:
                    doc["f"][field] = [[args[2]], [args[2] + 1]]
                st_.put("d", key, doc, {field})
                if op == "batch":  # a second change of the same document in the same save
                    doc["f"]["x"] = [[args[2] * 10]]
                    doc["seen"] = args[2]
                    st_.put("d", key, doc, {"x"})
            model[key] = copy.deepcopy(doc)
        elif op == "top" and docs and args[0] in docs:
            doc = docs[args[0]]
            doc["n"] = args[1]
            doc.pop("seen", None)
            st_.put("d", args[0], doc, set())
            model[args[0]] = copy.deepcopy(doc)
        elif op == "drop":
            st_.put("d", args[0], None)
            model.pop(args[0], None)
        elif op == "compact":
            st_.compact()
        elif op == "reopen":  # no close: the process could die here
            st_ = _open(path)
        elif op == "read":
            st_.read().get("d")
        assert dict(st_.read().get("d") or {}) == model
    for reopen in (lambda: _open(path), lambda: (st_.close(), _open(path))[1]):
        again = reopen()
        assert dict(again.read().get("d") or {}) == model
        assert again.recovery.messages == [] and again.problems == []


def test_an_answer_journals_the_answer_not_the_whole_visit(tmp_path):
    """The line of a press does not grow with what the visit already holds."""
    with Store(tmp_path / "data") as store:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        site = store.create(Site(id="", id_fs="515", name="France services Nexon",
                                 department="87", commune="Nexon"))
        visit = start_visit(store, site, date=dt.date(2026, 12, 2))
        items = [i.id for i in current_template(store).items() if i.kind == "status"][:40]
        journal = tmp_path / "data" / JOURNAL
        lines = []
        for answered in (items[:4], items[4:]):
            for item in answered:
                visit = set_answer(store, visit, item, status=AnswerStatus.CONFORME)
            before = journal.stat().st_size
            visit = set_answer(store, visit, answered[1], status=AnswerStatus.NON_CONFORME)
            lines.append(journal.read_bytes()[before:])
        doc = orjson.dumps(store.storage.read()[f"d:visit@{site.id}"][visit.id])
        assert all(b'"~p"' in line for line in lines)
        assert len(lines[1]) - len(lines[0]) < 64 < len(doc) - 1000, (lines, len(doc))
    with Store(tmp_path / "data") as store:
        assert store.get(Visit, visit.id).answer(items[5]).status is AnswerStatus.NON_CONFORME
        assert store.get(Visit, visit.id).answer(items[-1]).status is AnswerStatus.CONFORME


def test_a_format_3_data_dir_is_rewritten_as_format_4_when_opened(tmp_path, monkeypatch):
    data = tmp_path / "data"
    with monkeypatch.context() as m:  # what the first document store wrote
        m.setattr(docfiles, "FORMAT", "fsfield-store/3")
        m.setattr(docformat, "PLACE_BY", {})
        real_put = DocStorage.put
        m.setattr(DocStorage, "put", lambda self, t, k, d, fields=None: real_put(self, t, k, d))
        with Store(data) as store:
            store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
            site = store.create(Site(id="", id_fs="515", name="France services Nexon",
                                     department="87", commune="Nexon"))
            visit = start_visit(store, site, date=dt.date(2026, 12, 2))
            visit = set_answer(store, visit, "m1-01", status=AnswerStatus.A_AMELIORER)
        Store(data).close()
        assert read_header(data / SNAPSHOT)[0].format == "fsfield-store/3"
        assert b'"~p"' not in (data / SNAPSHOT).read_bytes()
    with Store(data) as store:
        assert read_header(data / SNAPSHOT)[0].format == "fsfield-store/4"
        assert store.get(Visit, visit.id).answer("m1-01").status is AnswerStatus.A_AMELIORER
        set_answer(store, store.get(Visit, visit.id), "m1-01", status=AnswerStatus.CONFORME)
    with Store(data) as store:
        assert store.get(Visit, visit.id).answer("m1-01").status is AnswerStatus.CONFORME
        assert store.get(Site, site.id).name == "France services Nexon"
