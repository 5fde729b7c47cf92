"""Answering an item validates the changed answer only: it refuses exactly what validating the
whole visit refused, with the same reason, writes nothing then, and returns the visit a re-read
gives."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsfield.domain.models import Settings, Visit
from fsfield.domain.template import AnswerStatus, load_template
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from tests.tui.conftest import TODAY, make_sites

ITEMS = [item.id for item in load_template().items()]
NOT_GIVEN = ...
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
)
json_value = st.one_of(json_scalar, st.lists(json_scalar, max_size=2),
                       st.dictionaries(st.text(max_size=3), json_scalar, max_size=2))
statuses = st.one_of(st.just(NOT_GIVEN), st.none(), st.sampled_from(list(AnswerStatus)),
                     st.sampled_from([s.value for s in AnswerStatus]), st.sampled_from(["bogus", 3, ""]))
changes = st.fixed_dictionaries({}, optional={
    "status": statuses, "value": json_value, "comment": json_value,
}).filter(bool)


def _open(path) -> tuple[Store, Visit]:
    store = Store(path)
    store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
    site = make_sites(store)[0]
    return store, ops.start_visit(store, site, date=TODAY)


def _content(visit: Visit) -> dict:
    """The visit's fields but those that differ between two stores (its site's id, when)."""
    return {k: v for k, v in visit.to_fields().items() if k not in ("site_id", "created_at")}


def _answer(store: Store, visit: Visit, item: str, change: dict) -> tuple[str, Visit | str]:
    try:
        return "ok", ops.set_answer(store, visit, item, **change)
    except ValueError as exc:
        return "refused", str(exc)


def test_the_fast_path_is_the_one_taken():
    # Visit has no model validator and none on ``answers``: an answer is valid on its own.
    assert ops._answers_validated_alone()


def test_an_answer_is_refused_exactly_when_the_whole_visit_would_be(tmp_path):
    fast, fast_visit = _open(tmp_path / "fast")
    whole, whole_visit = _open(tmp_path / "whole")
    outcomes = {"ok": 0, "refused": 0}
    try:

        @settings(max_examples=250, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(item=st.sampled_from(ITEMS), change=changes)
        def check(item: str, change: dict) -> None:
            nonlocal fast_visit, whole_visit
            saves = fast.storage._seq
            got = _answer(fast, fast_visit, item, change)
            with mock.patch.object(ops, "_answers_validated_alone", return_value=False):
                oracle = _answer(whole, whole_visit, item, change)  # Store.set_fields: the whole visit
            assert got[0] == oracle[0], (got, oracle)
            outcomes[got[0]] += 1
            if got[0] == "refused":
                assert got[1] == oracle[1]  # the same French reason
                assert fast.storage._seq == saves, "nothing written"
                return
            fast_visit, whole_visit = got[1], oracle[1]
            assert _content(fast_visit) == _content(whole_visit)
            assert fast_visit.conflicted == whole_visit.conflicted
            fast._cache.pop(fast_visit.id)  # what a re-read builds from the documents
            assert fast.get(Visit, fast_visit.id) == fast_visit

        check()
        assert min(outcomes.values()) >= 25, outcomes  # both sides of the rule were tried
    finally:
        fast.close()
        whole.close()
    reopened = Store(tmp_path / "fast")
    try:
        assert reopened.get(Visit, fast_visit.id).to_fields() == fast_visit.to_fields()
    finally:
        reopened.close()
