"""Open the backend a ``--store`` value names: a folder (JSON file) or a PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

from .backend import Backend


def is_postgres(store: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return store.startswith(("postgresql://", "postgres://"))


def open_backend(store: str, *, serve: bool = True) -> Backend:
    """The backend of ``store``; ``serve=False`` for commands beside a running server."""
    if is_postgres(store):
        from .postgres import PostgresBackend

        return PostgresBackend(store)
    from .jsonfile import JsonFileBackend

    return JsonFileBackend(Path(store).expanduser(), serve=serve)
