"""The sync screen's lines for writes a server refused: their count agrees, no "(s)"."""

from __future__ import annotations

from fsfield.store.messages import refused_lines
from sync.engine import RefusedWrite


def test_refused_lines_agree_the_count_of_kept_writes():
    one = RefusedWrite(dot="a:1", record="site:1", reason="x", message="refusée")
    two = [RefusedWrite(dot=f"a:{n}", record="visit:2", reason="x", message="refusée")
           for n in (2, 3)]
    lines = refused_lines([one, *two])
    assert lines == ["site:1 : refusée (1 modification)", "visit:2 : refusée (2 modifications)"]
