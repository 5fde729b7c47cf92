"""Behaviour of the core: writes, validation, the hybrid clock and the replica."""

import pytest

from sync.hlc import MAX_SKEW_MS, HybridClock, is_future
from sync.replica import Replica
from sync.wire import validate_writes
from sync.writes import DotCollision, InvalidWrite, Write, make_dot

A, B = "dev-a", "dev-b"


def w(dev, n, field="name", value="x", sup=(), rec="r1", wall=None, kind="site"):
    return Write(make_dot(dev, n), rec, kind, field, value, (wall or n, 0, dev), tuple(sup), "me")


def test_write_round_trips_through_dict_and_validation():
    x = w(A, 3, value={"a": [1, 2.5, None, True]}, sup=[make_dot(B, 1)])
    assert Write.from_dict(x.to_dict()) == x
    assert validate_writes([x.to_dict()]) == [x]
    assert x.device == A and x.counter == 3
    assert {x: 1}[Write.from_dict(x.to_dict())] == 1  # hashable even with a dict value


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"hlc": [1, 0, B]}, "hlc"),
        ({"hlc": [True, 0, A]}, "hlc.0"),
        ({"hlc": [1.0, 0, A]}, "hlc.0"),
        ({"extra": 1}, "extra"),
        ({"dot": "dev-a:03"}, "dot"),
        ({"dot": "../etc:1"}, "dot"),
        ({"supersedes": ["dev-a:1"]}, "own dot"),
        ({"supersedes": ["dev-b:1", "dev-b:1"]}, "duplicate"),
        ({"value": float("nan")}, "value"),
        ({"value": {1: 2}}, "value"),
        ({"record": 5}, "record"),
    ],
)
def test_validation_rejects_bad_writes_naming_index_and_field(change, reason):
    good = w(A, 1).to_dict()
    with pytest.raises(InvalidWrite, match=rf"write #1: .*{reason}"):
        validate_writes([good, {**good, **change}])


def test_validation_rejects_non_list():
    with pytest.raises(InvalidWrite):
        validate_writes({"dot": "x"})


def test_clock_is_strictly_increasing_even_when_wall_time_goes_back():
    now = [1000]
    clock = HybridClock(A, now_ms=lambda: now[0])
    t1 = clock.tick()
    now[0] = 500
    t2 = clock.tick()
    assert t1 < t2 and t2[2] == A


def test_clock_ticks_after_observed_remote_time():
    clock = HybridClock(A, now_ms=lambda: 1000)
    clock.observe((5000, 7, B))
    assert clock.tick()[:2] == (5000, 8)
    restarted = HybridClock(A, last=clock.last, now_ms=lambda: 10)
    assert restarted.tick() > clock.last


def test_clock_does_not_adopt_remote_time_beyond_skew_bound():
    clock = HybridClock(A, now_ms=lambda: 1000)
    far = (1000 + MAX_SKEW_MS + 1, 0, B)
    clock.observe(far)
    assert clock.tick()[0] == 1000
    assert is_future(far, now_ms=1000) and clock.is_future(far)
    assert not is_future((1000 + MAX_SKEW_MS, 0, B), now_ms=1000)


def test_replica_union_ignores_resends_and_rejects_dot_collisions():
    r = Replica()
    assert r.add(w(A, 1)) is True
    assert r.add(w(A, 1)) is False
    with pytest.raises(DotCollision) as err:
        r.add(w(A, 1, value="other"))
    assert err.value.existing.value == "x"
    with pytest.raises(DotCollision):
        r.add(w(A, 1, value=["x"]))
    assert len(r) == 1


def test_add_all_is_atomic_on_collision():
    r = Replica([w(A, 1)])
    with pytest.raises(DotCollision):
        r.add_all([w(A, 2), w(A, 1, value="y")])
    assert len(r) == 1 and make_dot(A, 2) not in r
    with pytest.raises(DotCollision):
        r.add_all([w(A, 3), w(A, 3, value="z")])
    assert len(r) == 1
    assert r.add_all([w(A, 2), w(A, 2), w(A, 1)]) == [w(A, 2)]


def test_json_equal_values_of_different_types_collide():
    r = Replica([w(A, 1, value=1)])
    with pytest.raises(DotCollision):
        r.add(w(A, 1, value=True))
    with pytest.raises(DotCollision):
        r.add(w(A, 1, value=1.0))


def test_superseding_write_wins_in_any_arrival_order():
    first, second = w(A, 1, value="old"), w(B, 1, value="new", sup=[make_dot(A, 1)])
    for order in ([first, second], [second, first]):
        r = Replica(order)
        assert r.value("r1", "name") == "new"
        assert r.live("r1", "name") == [second]
        assert not r.has_conflict("r1") and r.conflicts() == []
        assert r.supersedes_for("r1", "name") == (second.dot,)
        assert not r.is_live(first.dot) and r.is_live(second.dot)


def test_concurrent_edits_are_a_conflict_showing_highest_hlc():
    base = w(A, 1, value="base")
    a2 = w(A, 2, value="a", sup=[base.dot], wall=10)
    b1 = w(B, 1, value="b", sup=[base.dot], wall=20)
    r = Replica([base, a2, b1])
    st = r.state("r1", "name")
    assert st is not None and st.conflict and st.value == "b" and st.live == (b1, a2)
    assert r.conflicts() == [("r1", "name", [b1, a2])]
    assert r.has_conflict("r1")
    fix = w(A, 3, value="ab", sup=r.supersedes_for("r1", "name"), wall=30)
    r.add(fix)
    assert r.conflicts() == [] and r.value("r1", "name") == "ab"


def test_listing_a_dot_of_another_field_does_not_supersede_it():
    name = w(A, 1, field="name", value="n")
    other = w(B, 1, field="city", value="c", sup=[name.dot])
    r = Replica([other, name])
    assert r.value("r1", "name") == "n" and r.value("r1", "city") == "c"


def test_delete_that_saw_everything_is_not_a_conflict_and_keeps_tombstone():
    r = Replica([w(A, 1, field="name", value="n"), w(A, 2, field="city", value="c")])
    d = w(B, 1, field="deleted", value=True, sup=r.delete_supersedes("r1"))
    r.add(d)
    assert r.is_deleted("r1") and not r.has_conflict("r1") and r.conflicts() == []
    assert r.value("r1", "name") == "n"  # tombstone keeps the values
    r.add(w(A, 3, field="deleted", value=False, sup=r.supersedes_for("r1", "deleted")))
    assert not r.is_deleted("r1") and r.value("r1", "city") == "c"


def test_delete_concurrent_with_edit_of_another_field_is_a_conflict():
    name = w(A, 1, field="name", value="n")
    d = w(B, 1, field="deleted", value=True, sup=[name.dot], wall=5)
    edit = w(A, 2, field="name", value="n2", sup=[name.dot], wall=6)
    for order in ([name, d, edit], [edit, d, name], [d, edit, name]):
        r = Replica(order)
        assert r.is_deleted("r1") and r.has_conflict("r1")
        assert r.delete_conflict("r1") == [edit]
        assert r.conflicts() == [("r1", "deleted", [d, edit])]
    keep = w(B, 2, field="deleted", value=True, sup=r.delete_supersedes("r1"), wall=7)
    r.add(keep)
    assert r.is_deleted("r1") and r.conflicts() == []


def test_records_kinds_devices_and_lookup():
    r = Replica(
        [w(A, 1, rec="s1"), w(B, 1, rec="v1", kind="visit"), w(A, 2, rec="v1", kind="visit")]
    )
    assert r.records() == ["s1", "v1"] and r.records("visit") == ["v1"] and r.records("x") == []
    assert r.kind_of("v1") == "visit" and r.kind_of("zz") is None
    assert [x.dot for x in r.writes_of("v1")] == [make_dot(B, 1), make_dot(A, 2)]
    assert [x.counter for x in r.by_device(A)] == [1, 2]
    assert r.get(make_dot(A, 2)) is not None and r.get("nope:1") is None
    assert make_dot(A, 1) in r and len(r) == 3 and len(list(r)) == 3
    assert r.state("s1", "nothing") is None and r.value("s1", "nothing", 7) == 7
    assert set(r.fields("v1")) == {"name"}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"dot": "dev-a:1\n"}, "dot"),
        ({"kind": "Site"}, "kind"),
        ({"field": "name\x00"}, "field"),
        ({"record": "with space"}, "record"),
        ({"author": "x" * 201}, "author"),
        ({"supersedes": ["not a dot"]}, "supersedes"),
        ({"value": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}, "value"),
        ({"hlc": [1, 0, "dev-a", 4]}, "hlc"),
        ({"hlc": [-1, 0, "dev-a"]}, "hlc.0"),
    ],
)
def test_validation_checks_every_string_format(change, where):
    good = w(A, 1).to_dict()
    with pytest.raises(InvalidWrite, match=rf"write #0: {where}"):
        validate_writes([{**good, **change}])


def test_validation_checks_repeated_strings_in_every_write_not_just_the_first():
    good = w(A, 1).to_dict()
    bad = {**w(A, 2).to_dict(), "kind": "BAD"}
    with pytest.raises(InvalidWrite, match="write #1: kind"):
        validate_writes([good, bad])
