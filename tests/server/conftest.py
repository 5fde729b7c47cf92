from __future__ import annotations

import os

import pytest

from .server_testlib import add_token, json_backend

PG_DSN = os.environ.get("FSFIELD_TEST_PG_DSN")
"""DSN of a PostgreSQL the tests may use (``.ci/run`` starts one); its tests skip without it."""


def _pg_backend(request):
    if not PG_DSN:
        pytest.skip("no PostgreSQL: set FSFIELD_TEST_PG_DSN (.ci/run starts one on loopback)")
    from sync.server.postgres import PostgresBackend, drop_all

    drop_all(PG_DSN)
    backend = PostgresBackend(PG_DSN)
    request.addfinalizer(backend.close)
    return backend


@pytest.fixture(params=["json", "postgres"])
def backend(request, tmp_path):
    if request.param == "json":
        b = json_backend(tmp_path / "store")
        yield b
        b.close()
    else:
        yield _pg_backend(request)


@pytest.fixture
def tokens(backend):
    return {
        "a87": add_token(backend, "Anne", "animator", "87"),
        "b87": add_token(backend, "Bruno", "animator", "87"),
        "a23": add_token(backend, "Chloé", "animator", "23"),
        "p87": add_token(backend, "Préfecture 87", "prefecture", "87"),
        "nat": add_token(backend, "ANCT", "national", None),
    }
