"""``fsfield-sync export`` / ``import``: every write as JSON lines, to move a store between
backends (JSON file -> PostgreSQL) without losing one. Importing twice changes nothing."""

from __future__ import annotations

import sys
from typing import BinaryIO

import orjson

from sync.wire import validate_writes
from sync.writes import InvalidWrite, Write

from .access import valid_department
from .backend import EXPORT_FORMAT, Collision
from .messages import CLI

_CHUNK = 5_000


def export_store(store: str, out: BinaryIO) -> int:
    """Write the export of ``store`` to ``out``; exit code."""
    from .cli import _open

    backend = _open(store, serve=False)
    try:
        out.write(orjson.dumps({"format": EXPORT_FORMAT, "store_id": backend.store_id}) + b"\n")
        for row in backend.export():
            out.write(orjson.dumps({"department": row["department"], "write": row["write"]}) + b"\n")
        out.flush()
    finally:
        backend.close()
    return 0


def import_store(store: str, path: str) -> int:
    """Import an export file (``-``: standard input) into ``store``; exit code."""
    from .cli import CliError, _open

    src = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    backend = _open(store, serve=True)
    stored = known = 0
    try:
        chunk: list[tuple[str, Write]] = []
        for n, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
                if n == 1 and isinstance(doc, dict) and "format" in doc:
                    if doc["format"] != EXPORT_FORMAT:
                        raise ValueError(f"format {doc['format']!r}")
                    continue
                dep = doc["department"]
                if not isinstance(dep, str) or not valid_department(dep):
                    raise ValueError("département invalide")
                [write] = validate_writes([doc["write"]])
            except (ValueError, KeyError, TypeError, InvalidWrite) as exc:
                raise CliError(CLI["import_bad_line"].format(line=n, reason=exc)) from None
            chunk.append((dep, write))
            if len(chunk) >= _CHUNK:
                s, k = backend.import_rows(chunk)
                stored, known, chunk = stored + s, known + k, []
        if chunk:
            s, k = backend.import_rows(chunk)
            stored, known = stored + s, known + k
    except Collision as exc:
        raise CliError(f"{exc}") from None
    finally:
        backend.close()
        if src is not sys.stdin.buffer:
            src.close()
    print(CLI["imported"].format(stored=stored, known=known), file=sys.stderr)
    return 0
