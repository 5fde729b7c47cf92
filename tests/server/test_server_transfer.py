"""``fsfield-sync export`` / ``import``: a store moves between backends without losing a write."""

from __future__ import annotations

import uuid

import pytest

from sync.server.access import Principal
from sync.server.cli import main
from sync.server.jsonfile import JsonFileBackend

from .conftest import PG_DSN
from .server_testlib import device, new_followup, new_site

ANNE = Principal("t0", "Anne", "animator", "87")
CHLOE = Principal("t1", "Chloé", "animator", "23")


def _fill(backend) -> set[str]:
    dots: set[str] = set()
    for who, dep in ((ANNE, "87"), (CHLOE, "23")):
        dev = device(dep)
        site = new_site(dev, dep)
        new_followup(dev, site)
        backend.push(who, uuid.uuid4().hex, dev.device_id, dep, dev.outbox())
        dots |= {w.dot for w in dev.outbox()}
    return dots


def _target(kind: str, tmp_path) -> str:
    if kind == "json":
        return str(tmp_path / "target")
    if not PG_DSN:
        pytest.skip("no PostgreSQL: set FSFIELD_TEST_PG_DSN (.ci/run starts one)")
    from sync.server.postgres import drop_all

    drop_all(PG_DSN)
    return PG_DSN


@pytest.mark.parametrize("kind", ["json", "postgres"])
def test_export_then_import_moves_every_write_and_twice_changes_nothing(tmp_path, capsysbinary, kind):
    source = JsonFileBackend(tmp_path / "source")
    dots = _fill(source)
    source.close()
    assert main(["export", "--store", str(tmp_path / "source")]) == 0
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(capsysbinary.readouterr().out)
    target = _target(kind, tmp_path)
    assert main(["import", str(dump), "--store", target]) == 0
    assert f"{len(dots)} écriture(s) nouvelle(s)".encode() in capsysbinary.readouterr().err
    assert main(["import", str(dump), "--store", target]) == 0
    assert f"0 écriture(s) nouvelle(s), {len(dots)} déjà".encode() in capsysbinary.readouterr().err
    from sync.server.stores import open_backend

    backend = open_backend(target)
    try:
        rows = list(backend.export())
        assert {r["write"]["dot"] for r in rows} == dots and len(rows) == len(dots)
        assert {r["department"] for r in rows} == {"87", "23"}, "départements kept"
        page = backend.pull(frozenset({"23"}), 0, 100)
        assert len(page.bodies) == len(dots) // 2
        [doc] = backend.records(frozenset({"87"}), "followup", 10, "")
        assert doc["fields"]["text"] == "Relancer la CAF", "current documents rebuilt"
    finally:
        backend.close()


def test_import_stops_at_a_bad_line_with_its_number(tmp_path, capsys):
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"format": "fsfield-export/1", "store_id": "x"}\n{"department": "87", "write": {"dot": "bad"}}\n')
    assert main(["import", str(dump), "--store", str(tmp_path / "t")]) == 1
    assert "Ligne 2 illisible" in capsys.readouterr().err
