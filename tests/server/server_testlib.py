"""Helpers for the sync server tests: a backend with tokens, writes made by memory devices."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from sync.memory import MemoryDevice
from sync.server.access import TokenRow, new_token
from sync.server.app import create_app
from sync.server.backend import Backend
from sync.writes import Write


def add_token(backend: Backend, name: str, role: str, department: str | None) -> str:
    token, token_id, digest = new_token()
    backend.add_token(TokenRow(token_id, name, role, department, digest, 0))
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client(backend: Backend) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(backend, log_access=False))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def device(scope: str = "87", author: str = "Anne") -> MemoryDevice:
    return MemoryDevice(f"dev-{uuid.uuid4().hex[:12]}", scope, author)


def new_site(dev: MemoryDevice, department: str, name: str = "FS Bellac") -> str:
    record = str(uuid.uuid4())
    dev.write(record, "site", "name", name)
    dev.write(record, "site", "department", department)
    return record


def new_followup(dev: MemoryDevice, site: str, owner: str = "animateur") -> str:
    record = str(uuid.uuid4())
    dev.write(record, "followup", "text", "Relancer la CAF")
    dev.write(record, "followup", "site_id", site)
    dev.write(record, "followup", "owner_kind", owner)
    dev.write(record, "followup", "status", "ouvert")
    return record


def batch(dev: MemoryDevice, writes: list[Write] | None = None) -> dict[str, object]:
    ws = dev.outbox() if writes is None else writes
    return {"device": dev.device_id, "scope": dev.scope, "writes": [w.to_dict() for w in ws]}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def json_backend(path: Path):  # noqa: ANN201
    from sync.server.jsonfile import JsonFileBackend

    return JsonFileBackend(path)
