"""PostgreSQL going away mid-request: 503 with a French body, nothing half-stored, the client's
retry completes."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from sync.engine import sync_once
from sync.http import HttpCentralStore
from sync.server.access import Principal
from sync.server.backend import Unavailable

from .conftest import PG_DSN
from .live import serving
from .server_testlib import add_token, client, device, new_site

pytestmark = pytest.mark.skipif(not PG_DSN, reason="no PostgreSQL: set FSFIELD_TEST_PG_DSN (.ci/run starts one)")
ANNE = Principal("t0", "Anne", "animator", "87")


@pytest.fixture
def pg():
    from sync.server.postgres import PostgresBackend, drop_all

    drop_all(PG_DSN)
    backend = PostgresBackend(PG_DSN, max_connections=2)
    yield backend
    backend.close()


def cut_connections() -> int:
    """Terminate every other session on the database, as a restart of PostgreSQL would."""
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def stored(backend) -> int:
    with psycopg.connect(PG_DSN) as conn:  # not through the pool, whose connections were cut
        return conn.execute("SELECT count(*) FROM fsfield_writes").fetchone()[0]


async def test_health_and_push_answer_503_when_the_database_goes_away(pg):
    token = add_token(pg, "Anne", "animator", "87")
    dev = device()
    new_site(dev, "87")
    assert cut_connections() >= 1
    async with client(pg) as c:
        r = await c.get("/v1/health")
        assert r.status_code == 503 and r.json()["code"] == "unavailable" and "réessayez" in r.json()["message"]
        assert (await c.get("/v1/health")).status_code == 200, "a fresh connection next time"
    cut_connections()
    with pytest.raises(Unavailable):
        pg.push(ANNE, uuid.uuid4().hex, dev.device_id, "87", dev.outbox())
    assert stored(pg) == 0, "nothing half-stored"
    assert token


def test_the_client_retries_through_a_database_restart(pg):
    token = add_token(pg, "Anne", "animator", "87")
    dev = device()
    new_site(dev, "87")
    with serving(pg) as url:
        pg.health()
        cut_connections()
        result = sync_once(dev, HttpCentralStore(url, token, sleep=lambda s: None))
    assert len(result.sent) == 2 and dev.outbox() == []
    assert stored(pg) == 2
