"""The JSON file backend: the embedded default, one process.

Layout of ``--store DIR``::

    DIR/store.json     {"format", "store_id", "created_ms"}: made once, never rewritten
    DIR/writes.jsonl   one line per push, appended and fsynced before the answer
    DIR/tokens.json    the tokens (digests only), replaced atomically under tokens.lock
    DIR/server.lock    held by the serving process (a second one is refused)

A log line: ``{"key", "digest", "by", "answer", "rows": [[seq, département, write], ...]}``.
Seqs are contiguous (one writer). A torn last line (a crash mid-push, whose client got no
answer and retries) is cut off at start. Everything else is an index in memory, rebuilt at start:
current documents included (derived data).
"""

from __future__ import annotations

import heapq
import os
import threading
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout

from sync.durable import append_durably, atomic_replace, create_new
from sync.hlc import wall_clock_ms
from sync.writes import Write

from .access import Principal, RecordInfo, TokenRow, referenced
from .backend import (
    Collision,
    KeyReused,
    Page,
    StoreLocked,
    Unavailable,
    plan_push,
    request_digest,
    write_body,
)
from .documents import current_document, record_info

STORE_FILE_FORMAT = "fsfield-central-file/1"
TOKENS_FORMAT = "fsfield-tokens/1"


class CorruptLog(Exception):
    """A line of writes.jsonl other than the last one is unreadable: the store is not served."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class JsonFileBackend:
    """The store in folder ``root`` (created if missing). ``serve=False`` opens it for token
    commands and exports beside a running server: no lock, the log read only when needed."""

    def __init__(self, root: Path, *, serve: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._serve = serve
        self._lock = threading.Lock()
        self._server_lock: FileLock | None = None
        if serve:
            self._server_lock = FileLock(self.root / "server.lock")
            try:
                self._server_lock.acquire(timeout=0)
            except Timeout:
                raise StoreLocked(str(self.root / "server.lock")) from None
        meta = orjson.dumps(
            {"format": STORE_FILE_FORMAT, "store_id": str(uuid.uuid4()), "created_ms": wall_clock_ms()}
        )
        create_new(self.root / "store.json", meta)
        self.store_id: str = orjson.loads((self.root / "store.json").read_bytes())["store_id"]
        self._tokens_path = self.root / "tokens.json"
        self._tokens_lock = FileLock(self.root / "tokens.lock")
        self._tokens: dict[str, TokenRow] = {}
        self._tokens_stamp: tuple[int, int] | None = None
        self._log_path = self.root / "writes.jsonl"
        self._log: Any = None
        self._loaded = False
        self._bodies: list[bytes] = []  # seq n at index n - 1
        self._deps: list[str] = []
        self._by_dep: dict[str, list[int]] = {}
        self._dots: dict[str, int] = {}
        self._record_seqs: dict[str, list[int]] = {}
        self._docs: dict[str, dict[str, Any]] = {}
        self._info: dict[str, RecordInfo] = {}
        self._keys: dict[str, tuple[str, dict[str, int]]] = {}
        if serve:
            self._load()

    # --- the log ------------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        data = self._log_path.read_bytes() if self._log_path.exists() else b""
        good_end = 0
        touched: set[str] = set()
        pos, line_no = 0, 0
        while pos < len(data):
            nl = data.find(b"\n", pos)
            line_no += 1
            last = nl < 0 or nl == len(data) - 1
            chunk = data[pos:] if nl < 0 else data[pos:nl]
            try:
                if nl < 0:
                    raise ValueError("no end of line")
                entry = orjson.loads(chunk)
                self._index(entry, touched)
            except (ValueError, KeyError, TypeError, IndexError) as err:
                if last:
                    break  # torn by a crash mid-push: that push was never answered
                raise CorruptLog(line_no, str(err)) from None
            good_end = nl + 1
            pos = nl + 1
        self._refresh_docs(touched)
        if self._serve:
            if good_end < len(data):
                with open(self._log_path, "r+b") as f:
                    f.truncate(good_end)
                    os.fsync(f.fileno())
            self._log = open(self._log_path, "ab")  # noqa: SIM115 (kept open while serving)
        self._loaded = True

    def _index(self, entry: dict[str, Any], touched: set[str]) -> None:
        rows = entry["rows"]
        for seq, dep, wd in rows:
            if seq != len(self._bodies) + 1:
                raise ValueError(f"seq {seq} out of order")
            w = Write.from_dict(wd)
            self._bodies.append(write_body(w))
            self._deps.append(dep)
            self._by_dep.setdefault(dep, []).append(seq)
            self._dots[w.dot] = seq
            self._record_seqs.setdefault(w.record, []).append(seq)
            touched.add(w.record)
        if entry.get("key"):
            self._keys[entry["key"]] = (entry["digest"], entry["answer"])

    def _write_of(self, seq: int) -> Write:
        return Write.from_dict(orjson.loads(self._bodies[seq - 1]))

    def _refresh_docs(self, records: Iterable[str]) -> None:
        for record in records:
            seqs = self._record_seqs[record]
            doc = current_document(record, self._deps[seqs[0] - 1], [self._write_of(s) for s in seqs])
            self._docs[record] = doc
            self._info[record] = record_info(doc)

    # --- API ----------------------------------------------------------------------------------

    def health(self) -> None:
        """The log is open and the folder still there."""
        if not self.root.is_dir():
            raise Unavailable("store folder gone")

    def push(
        self, principal: Principal, key: str, device: str, scope: str, writes: list[Write]
    ) -> dict[str, int]:
        digest = request_digest(device, scope, writes)
        with self._lock:
            self._load()
            seen = self._keys.get(key)
            if seen is not None:
                if seen[0] != digest:
                    raise KeyReused(key)
                return dict(seen[1])
            ids = referenced(writes)
            known = {r: self._info[r] for r in ids if r in self._info}
            existing = {
                w.dot: self._bodies[self._dots[w.dot] - 1] for w in writes if w.dot in self._dots
            }
            plan = plan_push(principal, scope, writes, known, existing)
            head = len(self._bodies)
            rows = [(head + i + 1, dep, body) for i, (_, dep, body) in enumerate(plan.rows)]
            answer = {"seq": head + len(rows), "stored": len(rows), "known": plan.known}
            self._append(key, digest, principal.token_id, answer, rows)
            self._keys[key] = (digest, answer)
            return dict(answer)

    def _append(
        self,
        key: str | None,
        digest: str | None,
        by: str,
        answer: dict[str, int],
        rows: list[tuple[int, str, bytes]],
    ) -> None:
        head = {"key": key, "digest": digest, "by": by, "answer": answer}
        line = orjson.dumps(head)[:-1] + b',"rows":[%s]}\n' % b",".join(
            b'[%d,%s,%s]' % (seq, orjson.dumps(dep), body) for seq, dep, body in rows
        )
        try:
            append_durably(self._log, line)
        except OSError as err:
            raise Unavailable(err.strerror or str(err)) from err
        touched = set()
        for seq, dep, body in rows:
            w = Write.from_dict(orjson.loads(body))
            self._bodies.append(body)
            self._deps.append(dep)
            self._by_dep.setdefault(dep, []).append(seq)
            self._dots[w.dot] = seq
            self._record_seqs.setdefault(w.record, []).append(seq)
            touched.add(w.record)
        self._refresh_docs(touched)

    def pull(self, readable: frozenset[str] | None, after: int, limit: int) -> Page:
        with self._lock:
            self._load()
            head = len(self._bodies)
            if readable is None:
                seqs: list[int] = list(range(after + 1, min(head, after + limit + 1) + 1))
            else:
                # Slices, not islice: islice would walk the list up to the cursor.
                lists = [self._by_dep.get(dep, []) for dep in sorted(readable)]
                parts = [lst[(i := bisect_right(lst, after)) : i + limit + 1] for lst in lists]
                seqs = parts[0] if len(parts) == 1 else list(islice(heapq.merge(*parts), limit + 1))
            more = len(seqs) > limit
            seqs = seqs[:limit]
            cursor = seqs[-1] if more else max(head, after)
            return Page([self._bodies[s - 1] for s in seqs], cursor, more)

    def records(
        self, readable: frozenset[str] | None, kind: str | None, limit: int, after: str
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._load()
            out = []
            for record in sorted(r for r in self._docs if r > after):
                doc = self._docs[record]
                if readable is not None and doc["department"] not in readable:
                    continue
                if kind is not None and doc["kind"] != kind:
                    continue
                out.append(doc)
                if len(out) >= limit:
                    break
            return out

    def export(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            self._load()
            bodies, deps = list(self._bodies), list(self._deps)
        for i, (body, dep) in enumerate(zip(bodies, deps, strict=True)):
            yield {"seq": i + 1, "department": dep, "write": orjson.loads(body)}

    def import_rows(self, rows: Iterable[tuple[str, Write]]) -> tuple[int, int]:
        with self._lock:
            self._load()
            new: list[tuple[str, bytes]] = []
            known = 0
            seen: dict[str, bytes] = {}
            collisions = []
            for dep, w in rows:
                body = write_body(w)
                seq = self._dots.get(w.dot)
                old = self._bodies[seq - 1] if seq else seen.get(w.dot)
                if old is None:
                    seen[w.dot] = body
                    new.append((dep, body))
                elif old != body:
                    collisions.append(w.dot)
                else:
                    known += 1
            if collisions:
                raise Collision(collisions)
            head = len(self._bodies)
            stamped = [(head + i + 1, dep, body) for i, (dep, body) in enumerate(new)]
            answer = {"seq": head + len(new), "stored": len(new), "known": known}
            if stamped:
                self._append(None, None, "import", answer, stamped)
            return len(new), known

    # --- tokens -------------------------------------------------------------------------------

    def _read_tokens(self) -> dict[str, TokenRow]:
        try:
            st = self._tokens_path.stat()
        except FileNotFoundError:
            self._tokens, self._tokens_stamp = {}, None
            return self._tokens
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._tokens_stamp:
            doc = orjson.loads(self._tokens_path.read_bytes())
            self._tokens = {d["token_id"]: TokenRow.from_dict(d) for d in doc["tokens"]}
            self._tokens_stamp = stamp
        return self._tokens

    def find_token(self, token_id: str) -> TokenRow | None:
        return self._read_tokens().get(token_id)

    def tokens(self) -> list[TokenRow]:
        return sorted(self._read_tokens().values(), key=lambda t: (t.name, t.created_ms))

    def _save_tokens(self, rows: Iterable[TokenRow]) -> None:
        doc = {"format": TOKENS_FORMAT, "tokens": [t.to_dict() for t in rows]}
        atomic_replace(self._tokens_path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        self._tokens_stamp = None

    def add_token(self, row: TokenRow) -> None:
        with self._tokens_lock:
            self._tokens_stamp = None
            rows = list(self._read_tokens().values())
            self._save_tokens([*rows, row])

    def revoke_token(self, name: str, now_ms: int) -> list[TokenRow]:
        with self._tokens_lock:
            self._tokens_stamp = None
            rows = list(self._read_tokens().values())
            hit = [t for t in rows if t.revoked_ms is None and name in (t.name, t.token_id)]
            if hit:
                ids = {t.token_id for t in hit}
                self._save_tokens(
                    TokenRow(**{**t.to_dict(), "revoked_ms": now_ms}) if t.token_id in ids else t  # type: ignore[arg-type]
                    for t in rows
                )
            return hit

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._server_lock is not None:
            self._server_lock.release()
            self._server_lock = None
