"""Replica.values: several displayed values of a record in one call, as value() gives them."""

from __future__ import annotations

from sync.replica import Replica
from sync.writes import Write


def _w(counter, field, value, supersedes=()):
    return Write(dot=f"d:{counter}", record="r", kind="visit", field=field, value=value,
                 hlc=(counter, 0, "d"), supersedes=tuple(supersedes), author="a")


def test_values_match_value_for_each_field():
    rep = Replica([_w(1, "date", "2026-01-01"), _w(2, "status", "brouillon"),
                   _w(3, "status", "finalisee", supersedes=["d:2"])])
    fields = ("date", "status", "missing")
    assert rep.values("r", fields) == [rep.value("r", f) for f in fields]
    assert rep.values("r", fields) == ["2026-01-01", "finalisee", None]
    assert rep.values("unknown", ("date",), default="?") == ["?"]
