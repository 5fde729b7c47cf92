"""Tokens, roles, and which département a write belongs to: pure functions, no I/O.

A token is ``fsf_<id>_<secret>``: ``id`` (8 hex digits) names the token in the store and in logs,
``secret`` is 256 random bits. The store keeps only the SHA-256 digest of the secret, compared in
constant time (random secrets need no slow KDF). See docs/sync-model.md, "The sync server".
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sync.batch import SCOPE_PATTERN
from sync.writes import Write

ROLES = ("animator", "prefecture", "national")
PREFECTURE_FIELDS = frozenset({"status", "notes", "due"})
PREFECTURE_OWNER = "prefecture"
"""Value of a follow-up's ``owner_kind`` when the préfecture owns it."""

_TOKEN_RE = re.compile(r"fsf_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
_SCOPE_RE = re.compile(SCOPE_PATTERN[1:-1])
_NAME_RE = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A token as stored (never the secret itself)."""

    token_id: str
    name: str
    role: str
    department: str | None
    digest: str
    created_ms: int
    revoked_ms: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {
            "token_id": self.token_id,
            "name": self.name,
            "role": self.role,
            "department": self.department,
            "digest": self.digest,
            "created_ms": self.created_ms,
            "revoked_ms": self.revoked_ms,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> TokenRow:
        """Inverse of :meth:`to_dict` (the store's own file)."""
        return cls(**d)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, name, role and département (None for national)."""

    token_id: str
    name: str
    role: str
    department: str | None

    def readable(self) -> frozenset[str] | None:
        """Départements this token may read; None means all."""
        if self.role == "national":
            return None
        return frozenset({self.department or ""})

    def as_json(self) -> dict[str, object]:
        """What the store endpoint tells about the caller."""
        return {"name": self.name, "role": self.role, "department": self.department}


def valid_department(code: str) -> bool:
    """True for a plausible département code ("87", "2A", "974")."""
    return _SCOPE_RE.fullmatch(code) is not None


def valid_name(name: str) -> bool:
    """True for a token name (a person or a service)."""
    return _NAME_RE.fullmatch(name) is not None


def digest(secret: str) -> str:
    """SHA-256 hex digest of a token secret."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def new_token() -> tuple[str, str, str]:
    """A fresh token: (token to hand out, its id, the digest to store)."""
    token_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)  # 32 bytes = 256 bits, 43 characters
    return f"fsf_{token_id}_{secret}", token_id, digest(secret)


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed token, else None."""
    m = _TOKEN_RE.fullmatch(token)
    return (m.group(1), m.group(2)) if m else None


def check_token(token: str, row: TokenRow | None) -> Principal | None:
    """The caller if ``token`` matches ``row`` (active), compared in constant time."""
    parts = split_token(token)
    if parts is None or row is None or row.revoked_ms is not None or row.token_id != parts[0]:
        return None
    if not hmac.compare_digest(digest(parts[1]), row.digest):
        return None
    return Principal(row.token_id, row.name, row.role, row.department)


# --- placing writes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """What the server keeps about a stored record to place and authorise writes."""

    department: str
    kind: str
    owner: str | None = None
    """For follow-ups: the displayed ``owner_kind`` (derived from the current document)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A record of a batch the server refuses, and the reason code (messages.REFUSAL_REASONS)."""

    record: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """JSON-ready, with the French wording."""
        from .messages import refusal_text

        return {"record": self.record, "reason": self.reason, "message": refusal_text(self.reason)}


def referenced(writes: list[Write]) -> set[str]:
    """Record ids a batch needs looked up: its records and the sites they name."""
    ids = {w.record for w in writes}
    for w in writes:
        if w.field == "site_id" and isinstance(w.value, str):
            ids.add(w.value)
        elif w.field == "site_ids" and isinstance(w.value, list):
            ids.update(v for v in w.value if isinstance(v, str))
    return ids


def place(
    writes: list[Write], scope: str, known: Mapping[str, RecordInfo]
) -> tuple[dict[str, str], list[Refusal]]:
    """The département of each record of the batch, and the records that cannot be placed.

    A known record keeps its département. A new site takes its ``department`` write; a new record
    naming a site (``site_id``, or ``site_ids``) takes that site's (known or in the batch); a new
    record naming an empty ``site_ids`` takes the batch's ``scope``. A ``department`` write that
    would move a known site is refused (``moves_site``).
    """
    by_record: dict[str, list[Write]] = {}
    for w in writes:
        by_record.setdefault(w.record, []).append(w)
    placed: dict[str, str] = {}
    refused: dict[str, str] = {}
    for record, ws in by_record.items():
        info = known.get(record)
        if info is None:
            continue
        placed[record] = info.department
        if info.kind == "site":
            for w in ws:
                if w.field == "department" and w.value != info.department:
                    refused[record] = "moves_site"
    # New sites first, then records naming sites (which may be new sites of the same batch).
    for record, ws in by_record.items():
        if record in placed or ws[0].kind != "site":
            continue
        deps = {w.value for w in ws if w.field == "department"}
        dep = deps.pop() if len(deps) == 1 else None
        if isinstance(dep, str) and valid_department(dep):
            placed[record] = dep
        else:
            refused[record] = "unplaceable"
    for record, ws in by_record.items():
        if record in placed or record in refused:
            continue
        dep = _dep_from_sites(ws, scope, {**{r: i.department for r, i in known.items()}, **placed})
        if dep is None:
            refused[record] = "unplaceable"
        else:
            placed[record] = dep
    return placed, [Refusal(r, reason) for r, reason in sorted(refused.items())]


def _dep_from_sites(ws: list[Write], scope: str, placed: Mapping[str, str]) -> str | None:
    for w in ws:
        if w.field == "site_id" and isinstance(w.value, str):
            return placed.get(w.value)
    for w in ws:
        if w.field == "site_ids" and isinstance(w.value, list):
            if not w.value:
                return scope
            deps = {placed.get(v) if isinstance(v, str) else None for v in w.value}
            return deps.pop() if len(deps) == 1 else None
    return None


def authorise(
    principal: Principal,
    writes: list[Write],
    placed: Mapping[str, str],
    known: Mapping[str, RecordInfo],
) -> list[Refusal]:
    """Records of the batch ``principal`` may not write (placed ones only)."""
    refused: dict[str, str] = {}
    for w in writes:
        if w.record in refused or w.record not in placed:
            continue
        reason = _refusal(principal, w, placed[w.record], known.get(w.record))
        if reason is not None:
            refused[w.record] = reason
    return [Refusal(r, reason) for r, reason in sorted(refused.items())]


def _refusal(p: Principal, w: Write, dep: str, info: RecordInfo | None) -> str | None:
    if p.role == "national":
        return "read_only"
    if dep != p.department:
        return "other_department"
    if p.role == "animator":
        return None
    # préfecture: existing follow-ups it owns, three fields
    if w.kind != "followup" or (info is not None and info.kind != "followup"):
        return "prefecture_kind"
    if info is None or info.owner != PREFECTURE_OWNER:
        return "prefecture_owner"
    if w.field not in PREFECTURE_FIELDS:
        return "prefecture_field"
    return None


def check_batch(
    principal: Principal, scope: str, writes: list[Write], known: Mapping[str, RecordInfo]
) -> tuple[dict[str, str], list[Refusal]]:
    """Place and authorise a batch: (record -> département, refused records). Refused whole if
    the second is not empty."""
    placed, refused = place(writes, scope, known)
    refused += authorise(principal, writes, placed, known)
    refused.sort(key=lambda r: r.record)
    return placed, refused
