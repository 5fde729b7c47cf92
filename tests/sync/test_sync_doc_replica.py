"""The document store of writes (sync/docreplica.py) against the in-memory union (the oracle):
same writes in any order, with repetitions, and through a JSON round trip of its documents, give
the same observable state; known dots are recognised without the history in memory."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sync_testlib import arbitrary_writes, causal_histories, check_against_oracle, observed

from sync.docreplica import DOCS, INDEX, DocReplica, MemoryBackend
from sync.purge import PURGE_PREFIX, PURGED
from sync.replica import Replica
from sync.writes import DotCollision, Write

histories = st.one_of(arbitrary_writes(), causal_histories())


PLACED = {"site": "city"}


def reloaded(r: DocReplica, place_by: dict[str, str] | None = None) -> DocReplica:
    """The same replica after its documents and history went through JSON (as on disk); with
    ``place_by`` if given, else as it was."""
    backend = r.backend
    assert isinstance(backend, MemoryBackend)
    fresh = MemoryBackend()
    fresh.tables = orjson.loads(orjson.dumps(backend.tables))
    fresh.hist = orjson.loads(orjson.dumps(backend.hist))
    fresh.batches = list(backend.batches)
    return DocReplica(fresh, r.place_by if place_by is None else place_by)


@pytest.mark.parametrize("before, after", [({}, {}), (PLACED, PLACED), ({}, PLACED)],
                         ids=["by kind", "placed by a field", "layout changed at the restart"])
@given(writes=histories, rnd=st.randoms(use_true_random=False), data=st.data())
def test_documents_show_what_the_union_shows_in_any_order_with_repeats(
    before, after, writes, rnd, data
):
    order = list(writes) + data.draw(st.lists(st.sampled_from(writes), max_size=5) if writes
                                     else st.just([]))
    rnd.shuffle(order)
    cut = data.draw(st.integers(0, len(order)))
    docs = DocReplica(place_by=before)
    for w in order[:cut]:
        docs.add(w)
    docs = reloaded(docs, after)  # the rest arrives after a restart
    docs.add_all(order[cut:])
    check_against_oracle(docs)
    assert observed(docs) == observed(Replica(writes))
    assert len(docs) == len({w.dot for w in writes})
    for rec in docs.records():
        assert docs.writes_of(rec) == Replica(writes).writes_of(rec)
    known = {w.dot for w in order[:cut]}
    fresh = {w for w in order[cut:] if w.dot not in known}
    check_placement(docs, moved_since=fresh if before != after else None)


def check_placement(docs: DocReplica, moved_since: set[Write] | None) -> None:
    """Each document is in one table, the one the index names: the table of its displayed city
    when placed (for every document saved since the layout changed, if it did), else its kind."""
    tables = docs.backend.tables  # type: ignore[attr-defined]
    for rec in docs.records():
        holding = [name for name, t in tables.items() if name.startswith(DOCS) and rec in t]
        assert holding == [DOCS + tables[INDEX][rec]], (rec, holding)
        city = docs.value(rec, "city")
        saved = moved_since is None or any(w.record == rec for w in moved_since)
        if saved:
            kind = docs.kind_of(rec)
            placed = kind in docs.place_by and isinstance(city, str) and city
            assert holding == [f"{DOCS}{kind}@{city}" if placed else f"{DOCS}{kind}"]


@given(histories)
def test_a_resent_write_is_known_without_reading_the_history(writes):
    docs = DocReplica()
    docs.add_all(writes)
    before = observed(docs)
    docs.backend.history = lambda: pytest.fail("history read")  # type: ignore[method-assign]
    for w in writes:  # a live write is checked against its document alone
        if any(x.dot == w.dot for x in docs.live(w.record, w.field)):
            assert docs.add(w) is False
    docs.backend.history = MemoryBackend.history.__get__(docs.backend)  # type: ignore
    assert docs.add_all(writes) == []
    assert observed(docs) == before


def _w(dot: str, field: str, value: object, ms: int, sup: tuple[str, ...] = ()) -> Write:
    return Write(dot, "r1", "site", field, value, (ms, 0, dot.split(":")[0]), sup, "Anne")


def test_a_collision_with_a_superseded_write_is_caught_by_its_hash():
    docs = DocReplica()
    docs.add_all([_w("a:1", "name", "x", 1), _w("a:2", "name", "y", 2, ("a:1",))])
    with pytest.raises(DotCollision):
        docs.add(_w("a:1", "name", "tampered", 1))
    with pytest.raises(DotCollision):
        docs.add(_w("a:2", "city", "y", 2, ("a:1",)))
    assert docs.value("r1", "name") == "y" and len(docs) == 2


def test_a_superseding_write_arriving_first_leaves_the_same_state():
    first, second = _w("a:1", "name", "x", 1), _w("b:1", "name", "y", 2, ("a:1",))
    one, two = DocReplica(), DocReplica()
    one.add_all([first, second])
    two.add(second)
    two.add(first)
    assert observed(one) == observed(two)
    assert one.document("r1") == two.document("r1")
    assert one.writes_of("r1") == two.writes_of("r1")
    assert [e[4] for e in one.backend.hist] == [e[4] for e in two.backend.hist] == ["a:1"]


def test_a_purge_erases_past_values_only_everywhere_and_on_late_arrivals():
    a1 = _w("a:1", "phone", "06 11", 1)
    a2 = _w("a:2", "phone", "06 22", 2, ("a:1",))
    a3 = _w("a:3", "phone", "06 33", 3, ("a:2",))
    purge = _w("b:1", PURGE_PREFIX + "phone", [3, 0, "a"], 4)
    docs = DocReplica()
    docs.add_all([a1, a3, purge])  # a2 arrives after the purge
    docs.add(a2)
    values = {w.dot: w.value for w in docs.writes_of("r1") if w.field == "phone"}
    assert values == {"a:1": PURGED, "a:2": PURGED, "a:3": "06 33"}
    assert "06 11" not in orjson.dumps(docs.backend.hist).decode()
    assert docs.add(a1) is False  # the original, resent, is recognised (its hash is kept)


@given(histories)
def test_any_conflict_says_whether_there_is_something_to_settle(writes):
    for r in (Replica(writes), DocReplica()):
        r.add_all(writes)
        assert r.any_conflict() == bool(r.conflicts())
