"""The PostgreSQL backend (psycopg 3 and a connection pool): the national store.

The server holds no state of its own: every answer comes from the database, so any number of
server processes on one database serve the same store. Pushes are serialised under a
transaction advisory lock taken before the sequence numbers are drawn, so numbers commit in
order and a reader that sees number 120 sees 119: a cursor can never pass a write still in
flight. Schema created or migrated at start (under a session advisory lock: two processes
starting together do not race).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from sync.writes import Write

from .access import Principal, RecordInfo, TokenRow, referenced
from .backend import Collision, KeyReused, Page, Unavailable, plan_push, request_digest, write_body
from .documents import current_document, record_info

SCHEMA_VERSION = 1
_PUSH_LOCK = 0x66736677  # "fsfw": serialises pushes of the store
_SCHEMA_LOCK = 0x66736673  # "fsfs": serialises schema creation

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS fsfield_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE SEQUENCE IF NOT EXISTS fsfield_seq",
    """CREATE TABLE IF NOT EXISTS fsfield_writes (
        seq bigint PRIMARY KEY, dot text NOT NULL UNIQUE, record text NOT NULL,
        department text NOT NULL, body text NOT NULL, pushed_by text NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS fsfield_writes_dep_seq ON fsfield_writes (department, seq)",
    "CREATE INDEX IF NOT EXISTS fsfield_writes_record ON fsfield_writes (record)",
    """CREATE TABLE IF NOT EXISTS fsfield_records (
        record text PRIMARY KEY, department text NOT NULL, kind text NOT NULL, owner text,
        doc jsonb NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS fsfield_records_dep ON fsfield_records (department, record)",
    """CREATE TABLE IF NOT EXISTS fsfield_push_keys (
        key text PRIMARY KEY, digest text NOT NULL, answer jsonb NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS fsfield_tokens (
        token_id text PRIMARY KEY, name text NOT NULL, role text NOT NULL, department text,
        digest text NOT NULL, created_ms bigint NOT NULL, revoked_ms bigint)""",
]
_TABLES = ["fsfield_meta", "fsfield_writes", "fsfield_records", "fsfield_push_keys", "fsfield_tokens"]


def drop_all(dsn: str) -> None:
    """Drop the store's tables (tests only)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in _TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("DROP SEQUENCE IF EXISTS fsfield_seq")


class PostgresBackend:
    """The store in the PostgreSQL database ``dsn``."""

    def __init__(self, dsn: str, *, max_connections: int = 10, timeout: float = 10.0) -> None:
        self._timeout = timeout
        try:
            self._pool = ConnectionPool(
                dsn, min_size=1, max_size=max_connections, timeout=timeout, open=True,
                kwargs={"connect_timeout": int(timeout)},
            )
            self._pool.wait(timeout)
            self.store_id = self._migrate()
        except (psycopg.Error, PoolTimeout) as err:
            if hasattr(self, "_pool"):
                self._pool.close()
            raise Unavailable(str(err).splitlines()[0] if str(err) else type(err).__name__) from err

    def _migrate(self) -> str:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for stmt in _SCHEMA:
                conn.execute(stmt)
            conn.execute(
                "INSERT INTO fsfield_meta VALUES ('schema_version', %s), ('store_id', %s) "
                "ON CONFLICT (key) DO NOTHING",
                (str(SCHEMA_VERSION), str(uuid.uuid4())),
            )
            rows = dict(conn.execute("SELECT key, value FROM fsfield_meta").fetchall())
            if int(rows["schema_version"]) > SCHEMA_VERSION:
                raise Unavailable("database schema newer than this server")
            return rows["store_id"]

    def _conn(self):  # noqa: ANN202 (a pool context manager)
        return self._pool.connection(timeout=self._timeout)

    def health(self) -> None:
        try:
            with self._conn() as conn:
                conn.execute("SELECT 1")
        except (psycopg.Error, PoolTimeout) as err:
            raise Unavailable(str(err)) from err

    # --- writes -------------------------------------------------------------------------------

    def push(
        self, principal: Principal, key: str, device: str, scope: str, writes: list[Write]
    ) -> dict[str, int]:
        digest = request_digest(device, scope, writes)
        try:
            with self._conn() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PUSH_LOCK,))
                row = conn.execute(
                    "SELECT digest, answer FROM fsfield_push_keys WHERE key = %s", (key,)
                ).fetchone()
                if row is not None:
                    if row[0] != digest:
                        raise KeyReused(key)
                    return dict(row[1])
                known = self._known(conn, referenced(writes))
                existing = self._existing(conn, [w.dot for w in writes])
                plan = plan_push(principal, scope, writes, known, existing)
                rows = [(dep, body, w) for w, dep, body in plan.rows]
                head = self._insert(conn, rows, principal.token_id)
                answer = {"seq": head, "stored": len(rows), "known": plan.known}
                conn.execute(
                    "INSERT INTO fsfield_push_keys VALUES (%s, %s, %s)", (key, digest, Jsonb(answer))
                )
                return answer
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise Unavailable(str(err)) from err

    @staticmethod
    def _known(conn: psycopg.Connection, ids: Iterable[str]) -> dict[str, RecordInfo]:
        rows = conn.execute(
            "SELECT record, department, kind, owner FROM fsfield_records WHERE record = ANY(%s)",
            (list(ids),),
        ).fetchall()
        return {r: RecordInfo(dep, kind, owner) for r, dep, kind, owner in rows}

    @staticmethod
    def _existing(conn: psycopg.Connection, dots: list[str]) -> dict[str, bytes]:
        rows = conn.execute(
            "SELECT dot, body FROM fsfield_writes WHERE dot = ANY(%s)", (dots,)
        ).fetchall()
        return {dot: body.encode() for dot, body in rows}

    def _insert(
        self, conn: psycopg.Connection, rows: list[tuple[str, bytes, Write]], by: str
    ) -> int:
        """Insert new rows (under the push lock) and refresh their records' documents; return
        the head seq."""
        if rows:
            seqs = sorted(
                s for (s,) in conn.execute(
                    "SELECT nextval('fsfield_seq') FROM generate_series(1, %s)", (len(rows),)
                ).fetchall()
            )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO fsfield_writes (seq, dot, record, department, body, pushed_by) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (dot) DO NOTHING",
                    [
                        (seq, w.dot, w.record, dep, body.decode(), by)
                        for seq, (dep, body, w) in zip(seqs, rows, strict=True)
                    ],
                )
            self._refresh_docs(conn, {w.record for _, _, w in rows})
        (head,) = conn.execute("SELECT coalesce(max(seq), 0) FROM fsfield_writes").fetchone()
        return int(head)

    @staticmethod
    def _refresh_docs(conn: psycopg.Connection, records: set[str]) -> None:
        found: dict[str, tuple[str, list[Write]]] = {}
        for record, dep, body in conn.execute(
            "SELECT record, department, body FROM fsfield_writes WHERE record = ANY(%s) ORDER BY seq",
            (list(records),),
        ):
            entry = found.setdefault(record, (dep, []))
            entry[1].append(Write.from_dict(orjson.loads(body)))
        docs = [current_document(r, dep, ws) for r, (dep, ws) in found.items()]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO fsfield_records VALUES (%s, %s, %s, %s, %s) ON CONFLICT (record) "
                "DO UPDATE SET kind = EXCLUDED.kind, owner = EXCLUDED.owner, doc = EXCLUDED.doc",
                [
                    (d["record"], d["department"], d["kind"], record_info(d).owner, Jsonb(d))
                    for d in docs
                ],
            )

    def pull(self, readable: frozenset[str] | None, after: int, limit: int) -> Page:
        try:
            with self._conn() as conn:
                # Every seq up to the head read now is committed (pushes commit in seq order).
                (head,) = conn.execute("SELECT coalesce(max(seq), 0) FROM fsfield_writes").fetchone()
                if readable is None:
                    rows = conn.execute(
                        "SELECT seq, body FROM fsfield_writes WHERE seq > %s AND seq <= %s "
                        "ORDER BY seq LIMIT %s",
                        (after, head, limit + 1),
                    ).fetchall()
                else:
                    rows = conn.execute(
                        "SELECT seq, body FROM fsfield_writes WHERE department = ANY(%s) "
                        "AND seq > %s AND seq <= %s ORDER BY seq LIMIT %s",
                        (sorted(readable), after, head, limit + 1),
                    ).fetchall()
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise Unavailable(str(err)) from err
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = rows[-1][0] if more else max(int(head), after)
        return Page([body.encode() for _, body in rows], cursor, more)

    def records(
        self, readable: frozenset[str] | None, kind: str | None, limit: int, after: str
    ) -> list[dict[str, Any]]:
        sql = "SELECT doc FROM fsfield_records WHERE record > %s"
        args: list[Any] = [after]
        if readable is not None:
            sql += " AND department = ANY(%s)"
            args.append(sorted(readable))
        if kind is not None:
            sql += " AND kind = %s"
            args.append(kind)
        sql += " ORDER BY record LIMIT %s"
        args.append(limit)
        try:
            with self._conn() as conn:
                return [doc for (doc,) in conn.execute(sql, args).fetchall()]
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise Unavailable(str(err)) from err

    def export(self) -> Iterator[dict[str, Any]]:
        with self._conn() as conn, conn.transaction(), conn.cursor(name="fsfield_export") as cur:
            cur.execute("SELECT seq, department, body FROM fsfield_writes ORDER BY seq")
            for seq, dep, body in cur:
                yield {"seq": seq, "department": dep, "write": orjson.loads(body)}

    def import_rows(self, rows: Iterable[tuple[str, Write]]) -> tuple[int, int]:
        rows = list(rows)
        with self._conn() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PUSH_LOCK,))
            existing = self._existing(conn, [w.dot for _, w in rows])
            new: list[tuple[str, bytes, Write]] = []
            seen: dict[str, bytes] = {}
            collisions, known = [], 0
            for dep, w in rows:
                body = write_body(w)
                old = existing.get(w.dot, seen.get(w.dot))
                if old is None:
                    seen[w.dot] = body
                    new.append((dep, body, w))
                elif old != body:
                    collisions.append(w.dot)
                else:
                    known += 1
            if collisions:
                raise Collision(collisions)
            self._insert(conn, new, "import")
        return len(new), known

    # --- tokens -------------------------------------------------------------------------------

    _TOKEN_COLS = "token_id, name, role, department, digest, created_ms, revoked_ms"

    def find_token(self, token_id: str) -> TokenRow | None:
        try:
            with self._conn() as conn:
                row = conn.execute(
                    f"SELECT {self._TOKEN_COLS} FROM fsfield_tokens WHERE token_id = %s", (token_id,)
                ).fetchone()
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise Unavailable(str(err)) from err
        return TokenRow(*row) if row else None

    def tokens(self) -> list[TokenRow]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {self._TOKEN_COLS} FROM fsfield_tokens ORDER BY name, created_ms"
            ).fetchall()
        return [TokenRow(*r) for r in rows]

    def add_token(self, row: TokenRow) -> None:
        with self._conn() as conn:
            conn.execute(
                f"INSERT INTO fsfield_tokens ({self._TOKEN_COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (row.token_id, row.name, row.role, row.department, row.digest, row.created_ms, row.revoked_ms),
            )

    def revoke_token(self, name: str, now_ms: int) -> list[TokenRow]:
        with self._conn() as conn:
            rows = conn.execute(
                f"UPDATE fsfield_tokens SET revoked_ms = %s WHERE revoked_ms IS NULL "
                f"AND (name = %s OR token_id = %s) RETURNING {self._TOKEN_COLS}",
                (now_ms, name, name),
            ).fetchall()
        return [TokenRow(*r) for r in rows]

    def close(self) -> None:
        self._pool.close()
