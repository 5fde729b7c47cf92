"""Properties of the merge: it is a set union, so order, grouping and repetition never matter."""

from hypothesis import given, settings
from hypothesis import strategies as st
from sync_testlib import (
    DEVICES,
    arbitrary_writes,
    causal_histories,
    check_against_oracle,
    observed,
)

from sync.memory import MemoryDevice
from sync.replica import DELETED, Replica

histories = st.one_of(arbitrary_writes(), causal_histories())


def merged(*parts: list) -> Replica:
    r = Replica()
    for part in parts:
        r.add_all(part)
    return r


@given(histories, st.randoms(use_true_random=False))
def test_live_writes_and_conflicts_match_their_definition_in_any_arrival_order(writes, rnd):
    shuffled = list(writes)
    rnd.shuffle(shuffled)
    one_by_one = Replica()
    for w in shuffled:
        one_by_one.add(w)
    check_against_oracle(one_by_one)
    assert observed(one_by_one) == observed(Replica(writes))


@given(histories, st.data())
def test_merge_is_commutative(writes, data):
    a = data.draw(
        st.lists(st.sampled_from(writes), max_size=len(writes)) if writes else st.just([])
    )
    b = [w for w in writes if w not in a]
    assert observed(merged(a, b)) == observed(merged(b, a))


@given(histories, st.data())
def test_merge_is_associative(writes, data):
    cut1 = data.draw(st.integers(0, len(writes)))
    cut2 = data.draw(st.integers(cut1, len(writes)))
    a, b, c = writes[:cut1], writes[cut1:cut2], writes[cut2:]
    left = merged(list(merged(a, b)), c)
    right = merged(a, list(merged(b, c)))
    assert observed(left) == observed(right)


@given(histories)
def test_merge_is_idempotent(writes):
    r = merged(writes)
    before = observed(r)
    assert r.add_all(writes) == []
    assert all(r.add(w) is False for w in writes)
    assert observed(r) == before
    assert observed(merged(list(r), list(r))) == before


@given(causal_histories(), st.data())
def test_replicas_converge_whatever_the_delivery_order_duplication_or_loss(writes, data):
    """Each replica receives the writes in its own order, with duplicates and losses; the lost
    ones are resent at the end. All end identical."""
    replicas = []
    for _ in DEVICES:
        r = Replica()
        order = data.draw(st.permutations(writes))
        for w in order:
            fate = data.draw(st.sampled_from(["deliver", "twice", "lose"]))
            if fate != "lose":
                r.add(w)
            if fate == "twice":
                r.add(w)
        r.add_all(writes)  # resend everything: the lost writes arrive, the rest is a no-op
        check_against_oracle(r)
        replicas.append(observed(r))
    assert replicas[0] == replicas[1] == replicas[2]


@given(causal_histories())
def test_every_write_is_present_and_either_live_or_superseded_by_a_write_that_saw_it(writes):
    r = Replica(writes)
    for w in writes:
        assert w.dot in r
        if not r.is_live(w.dot):
            assert any(
                w.dot in x.supersedes and (x.record, x.field) == (w.record, w.field) for x in r
            )


@given(causal_histories(max_steps=10), st.sampled_from(["r1", "r2"]), st.data())
def test_concurrent_edits_of_one_field_surface_as_a_conflict(history, rec, data):
    a, b = MemoryDevice("dev-x", "87"), MemoryDevice("dev-y", "87")
    for dev in (a, b):
        dev.apply_remote(history)
    value_a = data.draw(st.text(max_size=3))
    wa = a.write(rec, "site", "name", value_a)
    wb = b.write(rec, "site", "name", data.draw(st.text(max_size=3).filter(lambda v: v != value_a)))
    a.apply_remote([wb])
    b.apply_remote([wa])
    for dev in (a, b):
        state = dev.replica.state(rec, "name")
        assert state is not None and state.conflict and set(state.live) == {wa, wb}
        assert any(c[:2] == (rec, "name") for c in dev.replica.conflicts())
    fix = a.resolve(rec, "name", "agreed")
    b.apply_remote([fix])
    for dev in (a, b):
        assert (
            dev.replica.value(rec, "name") == "agreed"
            and not dev.replica.state(rec, "name").conflict
        )


@given(
    causal_histories(max_steps=10), st.sampled_from(["r1", "r2"]), st.sampled_from(["name", "city"])
)
def test_delete_against_concurrent_edit_surfaces_as_a_conflict(history, rec, field):
    a, b = MemoryDevice("dev-x", "87"), MemoryDevice("dev-y", "87")
    for dev in (a, b):
        dev.apply_remote(history)
    a.write(rec, "site", "city", "seen by both")  # the record surely exists
    b.apply_remote(a.outbox())
    delete = a.delete(rec)
    edit = b.write(rec, "site", field, "edited meanwhile")
    a.apply_remote([edit])
    b.apply_remote([delete])
    for dev in (a, b):
        assert dev.replica.is_deleted(rec)
        assert dev.replica.has_conflict(rec)
        assert edit in dev.replica.delete_conflict(rec)
        entry = [ws for r, f, ws in dev.replica.conflicts() if (r, f) == (rec, DELETED)]
        assert entry and delete in entry[0] and edit in entry[0]
    keep = b.delete(rec)  # resolve by keeping the delete: it now saw the edit
    a.apply_remote([keep])
    for dev in (a, b):
        assert dev.replica.is_deleted(rec) and not dev.replica.delete_conflict(rec)
        assert dev.replica.value(rec, field) == "edited meanwhile"  # tombstone keeps the values


@settings(max_examples=50)
@given(causal_histories(max_steps=10))
def test_restoring_a_deleted_record_brings_its_values_back(history):
    a = MemoryDevice("dev-x", "87")
    a.apply_remote(history)
    a.write("r9", "site", "name", "kept")
    a.delete("r9")
    assert a.replica.is_deleted("r9") and a.replica.value("r9", "name") == "kept"
    a.restore("r9")
    assert not a.replica.is_deleted("r9") and not a.replica.has_conflict("r9")
    assert a.replica.value("r9", "name") == "kept"


@given(causal_histories(max_steps=6), st.text(max_size=3))
def test_the_same_value_written_concurrently_is_no_conflict(history, value):
    a, b = MemoryDevice("dev-x", "87"), MemoryDevice("dev-y", "87")
    for dev in (a, b):
        dev.apply_remote(history)
    wa, wb = a.write("r-new", "site", "name", value), b.write("r-new", "site", "name", value)
    a.apply_remote([wb])
    b.apply_remote([wa])
    for dev in (a, b):
        state = dev.replica.state("r-new", "name")
        assert set(state.live) == {wa, wb} and not state.conflict
        assert not any(c[0] == "r-new" for c in dev.replica.conflicts())
        assert not dev.replica.has_conflict("r-new")
    follow = a.write("r-new", "site", "name", value + "!")
    assert set(follow.supersedes) == {wa.dot, wb.dot}, "the next edit supersedes both"
