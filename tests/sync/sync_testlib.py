"""Shared helpers for the sync tests: write strategies, a brute-force oracle, observable state."""

from __future__ import annotations

from hypothesis import strategies as st

from sync.canonical import canonical
from sync.memory import MemoryDevice
from sync.replica import DELETED, Replica
from sync.writes import Write, make_dot

DEVICES = ("dev-a", "dev-b", "dev-c")
RECORDS = ("r1", "r2")
FIELDS = ("name", "city", DELETED)


def oracle_live(writes: list[Write]) -> dict[tuple[str, str], set[str]]:
    """Live dots per (record, field) straight from the definition, no incremental state."""
    unique = {w.dot: w for w in writes}.values()
    superseded = {(w.record, w.field, s) for w in unique for s in w.supersedes}
    live: dict[tuple[str, str], set[str]] = {}
    for w in unique:
        if (w.record, w.field, w.dot) not in superseded:
            live.setdefault((w.record, w.field), set()).add(w.dot)
    return live


def oracle_conflicts(writes: list[Write]) -> set[tuple[str, str, frozenset[str]]]:
    """Conflicts straight from the documented definition."""
    by_dot = {w.dot: w for w in writes}
    live = oracle_live(writes)
    out = set()
    for (rec, fld), dots in live.items():
        if len({canonical(by_dot[d].value) for d in dots}) > 1 and fld != DELETED:
            out.add((rec, fld, frozenset(dots)))
    for rec in {r for r, _ in live}:
        deletes = [by_dot[d] for d in live.get((rec, DELETED), ()) if by_dot[d].value is True]
        unseen = {
            d
            for (r, f), dots in live.items()
            if r == rec and f != DELETED
            for d in dots
            if any(d not in x.supersedes for x in deletes)
        }
        dels = live.get((rec, DELETED), set())
        if unseen or len({canonical(by_dot[d].value) for d in dels}) > 1:
            out.add((rec, DELETED, frozenset(dels | unseen)))
    return out


def observed(r: Replica) -> tuple:
    """Everything a user can see of a replica, in a comparable form."""
    return (
        frozenset(w.dot for w in r),
        tuple(
            (
                rec,
                r.kind_of(rec),
                tuple((f, s.value, s.live) for f, s in sorted(r.fields(rec).items())),
            )
            for rec in r.records()
        ),
        tuple((rec, f, tuple(w.dot for w in ws)) for rec, f, ws in r.conflicts()),
    )


def replica_conflicts(r: Replica) -> set[tuple[str, str, frozenset[str]]]:
    return {(rec, f, frozenset(w.dot for w in ws)) for rec, f, ws in r.conflicts()}


def check_against_oracle(r: Replica) -> None:
    """The incremental replica agrees with the definitions computed from scratch."""
    writes = list(r)
    live = oracle_live(writes)
    for rec in r.records():
        for fld in FIELDS:
            assert {w.dot for w in r.live(rec, fld)} == live.get((rec, fld), set())
    assert replica_conflicts(r) == oracle_conflicts(writes)
    for rec in r.records():
        assert r.has_conflict(rec) == any(c[0] == rec for c in oracle_conflicts(writes))


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["a", "b", "Mairie"]),
    st.lists(st.integers(0, 2), max_size=2),
)


@st.composite
def arbitrary_writes(draw: st.DrawFn, max_size: int = 25) -> list[Write]:
    """Writes with unique dots and arbitrary (even nonsensical) supersedes lists."""
    n = draw(st.integers(0, max_size))
    dots = [make_dot(draw(st.sampled_from(DEVICES)), i + 1) for i in range(n)]
    out = []
    for dot in dots:
        sup = draw(st.lists(st.sampled_from(dots + ["dev-z:9"]), max_size=3, unique=True))
        fld = draw(st.sampled_from(FIELDS))
        val = draw(st.booleans()) if fld == DELETED else draw(values)
        dev = dot.partition(":")[0]
        hlc = (draw(st.integers(0, 5)), draw(st.integers(0, 2)), dev)
        rec = draw(st.sampled_from(RECORDS))
        out.append(Write(dot, rec, "site", fld, val, hlc, tuple(s for s in sup if s != dot), "x"))
    return out


@st.composite
def causal_histories(draw: st.DrawFn, max_steps: int = 25) -> list[Write]:
    """Writes made by devices that edit, delete, restore and exchange at random (realistic)."""
    tick = [0]

    def now() -> int:
        tick[0] += draw(st.integers(0, 3))
        return tick[0]

    devs = [MemoryDevice(d, "87", author=d, now_ms=now) for d in DEVICES]
    every: list[Write] = []
    for _ in range(draw(st.integers(1, max_steps))):
        dev = draw(st.sampled_from(devs))
        op = draw(st.sampled_from(["edit", "edit", "delete", "restore", "learn"]))
        rec = draw(st.sampled_from(RECORDS))
        if op == "learn" and every:
            dev.apply_remote(draw(st.lists(st.sampled_from(every), max_size=len(every))))
        elif op == "delete":
            every.append(dev.delete(rec))
        elif op == "restore":
            every.append(dev.restore(rec))
        else:
            every.append(dev.write(rec, "site", draw(st.sampled_from(FIELDS[:2])), draw(values)))
    return every
