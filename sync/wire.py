"""Validation of writes read from outside (the central store): a fast column-wise path for the
common shape, and pydantic for everything else and for precise error messages."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .lazy import from_schema
from .writes import (
    COUNTER_PATTERN,
    DEVICE_PATTERN,
    DOT_RE,
    InvalidWrite,
    Write,
    _new_write,
    _WriteSlots,
)

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .schema import WireWrite

# --- validation of untrusted writes -------------------------------------------------------------

_LAZY = {"WireWrite": "WireWrite", "_WRITES": "WRITES"}
"""The pydantic schema (``sync.schema``), loaded on first use (PEP 562): plainly valid writes
are checked without it (:func:`writes_from_json`), so a sync that reads only good batches never
imports pydantic."""

__getattr__ = from_schema(__name__, _LAZY, globals())


# Always used with fullmatch (a "$" anchor would accept a trailing newline).
_RECORD_RE = re.compile(r"[!-~]{1,128}")
_KIND_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_FIELD_RE = re.compile(r"[^\x00-\x1f\x7f]{1,256}")
_AUTHOR_RE = re.compile(r"[^\x00-\x1f\x7f]{0,200}")
_MAX_DEPTH = 32


_JSON_INT_MIN, _JSON_INT_MAX = -(2**63), 2**64 - 1
"""Integers JSON (orjson) can write back: the local store and batches could not save others."""


def _is_json(v: Any, depth: int = 0) -> bool:
    t = type(v)
    if t is str or t is bool or v is None:
        return True
    if t is int:
        return _JSON_INT_MIN <= v <= _JSON_INT_MAX
    if t is float:
        return math.isfinite(v)
    if depth >= _MAX_DEPTH:
        return False
    if t is list:
        return all(_is_json(x, depth + 1) for x in v)
    if t is dict:
        return all(type(k) is str and _is_json(x, depth + 1) for k, x in v.items())
    return False


def wire_to_writes(items: list[WireWrite], device: str | None = None) -> list[Write]:
    """Check formats and cross-field rules of pydantic-validated wire writes; return Writes.

    With ``device``, every write must be a write of that device (batch files). Raises
    :class:`InvalidWrite` naming the first bad write and field.
    """
    dot_re = DOT_RE if device is None else re.compile(rf"({re.escape(device)}):({COUNTER_PATTERN})")
    # Hot loop (a département's first sync runs it for every write): unrolled, with per-call
    # caches of the strings already checked.
    records: set[str] = set()
    kinds: set[str] = set()
    fields: set[str] = set()
    authors: set[str] = set()
    dots: set[str] = set()
    out: list[Write] = []
    append = out.append
    new = _new_write
    for i, m in enumerate(items):
        dot = m["dot"]
        match = dot_re.fullmatch(dot)
        if match is None:
            mine = "" if device is None else f" of device {device}"
            raise InvalidWrite(f"write #{i}: dot: {dot!r} is not a valid dot{mine}")
        hlc = m["hlc"]
        if hlc[2] != match.group(1):
            raise InvalidWrite(
                f"write #{i}: hlc: device {hlc[2]!r} differs from dot device {match.group(1)!r}"
            )
        record, kind, field, author = m["record"], m["kind"], m["field"], m["author"]
        if record not in records:
            _check_text(i, "record", record, _RECORD_RE, records)
        if kind not in kinds:
            _check_text(i, "kind", kind, _KIND_RE, kinds)
        if field not in fields:
            _check_text(i, "field", field, _FIELD_RE, fields)
        if author not in authors:
            _check_text(i, "author", author, _AUTHOR_RE, authors)
        sup_list = m["supersedes"]
        sup: tuple[str, ...] = ()
        if sup_list:
            for s in sup_list:
                if s not in dots:
                    _check_text(i, "supersedes", s, DOT_RE, dots)
            if dot in sup_list:
                raise InvalidWrite(f"write #{i}: supersedes: lists its own dot {dot}")
            sup = tuple(sup_list)
            if len(set(sup)) != len(sup):
                raise InvalidWrite(f"write #{i}: supersedes: duplicate dots")
        value = m["value"]
        t = type(value)
        if not (t is str or t is bool or value is None) and not _is_json(value):
            raise InvalidWrite(f"write #{i}: value: not a JSON value (or nested too deep)")
        append(new(dot, record, kind, field, value, hlc, sup, author))
    return out


def _check_text(i: int, name: str, text: str, rx: re.Pattern[str], ok: set[str]) -> None:
    if rx.fullmatch(text) is None:
        raise InvalidWrite(f"write #{i}: {name}: invalid {name} {text[:80]!r}")
    ok.add(text)


def _raise_from(err: ValidationError) -> InvalidWrite:
    first = err.errors(include_url=False)[0]
    loc = first["loc"]
    where = ".".join(str(p) for p in loc[1:]) or "(whole item)"
    return InvalidWrite(f"write #{loc[0]}: {where}: {first['msg']}" if loc else first["msg"])


# --- fast path: plainly valid writes, checked column by column ----------------------------------

_WIRE_KEYS = ("dot", "record", "kind", "field", "value", "hlc", "supersedes", "author")
_ROW = itemgetter(*_WIRE_KEYS)
_MAX_INT = 2**63 - 1
_SCALARS = frozenset({str, int, bool, type(None)})
_ANY_DOTS = re.compile(
    rf"(?:{DEVICE_PATTERN}:(?:{COUNTER_PATTERN})\n)*{DEVICE_PATTERN}:(?:{COUNTER_PATTERN})"
)


@lru_cache(maxsize=1024)
def _dots_of(device: str) -> re.Pattern[str]:
    """Newline-joined dots of ``device`` (use with fullmatch; no dot can contain a newline)."""
    dot = rf"{re.escape(device)}:(?:{COUNTER_PATTERN})"
    return re.compile(rf"(?:{dot}\n)*{dot}")


def _plain_json(v: Any, depth: int = 0) -> bool:
    """Like _is_json, but also False for a float of magnitude 2**63 or more, which orjson may
    have made from a JSON integer too large for 64 bits (pydantic would keep it an int)."""
    t = type(v)
    if t is str or t is bool or v is None:
        return True
    if t is int:
        return _JSON_INT_MIN <= v <= _JSON_INT_MAX
    if t is float:
        return math.isfinite(v) and -_MAX_INT <= v <= _MAX_INT
    if depth >= _MAX_DEPTH:
        return False
    if t is list:
        return all(_plain_json(x, depth + 1) for x in v)
    if t is dict:
        return all(type(k) is str and _plain_json(x, depth + 1) for k, x in v.items())
    return False


# Strings already found to match each pattern, each kept once: batches repeat the same fields,
# kinds and authors (and a record's id across its batches). The writes get these very objects:
# one string per distinct value (not one per write), whose hash is computed once, which is what
# the replica's indexes look up. Bounded; a pure function of the string, so safe to keep.
_KNOWN_TEXTS: dict[re.Pattern[str], dict[str, str]] = {}
_KNOWN_MAX = 8192


def _shared_texts(column: tuple[Any, ...], rx: re.Pattern[str]) -> list[str] | None:
    """``column`` with each string replaced by its shared copy, or None if one does not match
    ``rx`` (raises TypeError for an unhashable value)."""
    known = _KNOWN_TEXTS.setdefault(rx, {})
    distinct = set(column)
    new = distinct.difference(known)
    if not all(type(s) is str and rx.fullmatch(s) is not None for s in new):
        return None
    if len(known) + len(new) > _KNOWN_MAX:
        known.clear()
        new = distinct
    known.update(zip(new, new, strict=True))
    if len(distinct) == 1:
        return list(repeat(known[column[0]], len(column)))
    return list(map(known.__getitem__, column))


def writes_from_json(items: Any, device: str | None = None) -> list[Write] | None:
    """The writes of parsed JSON (``orjson.loads``) if every one is plainly valid, else None.

    The fast path of :func:`validate_writes` and batch decoding: the same rules as the pydantic
    schema plus :func:`wire_to_writes`, checked column by column with builtins that run in C (one
    regex over all the dots joined, each distinct string once, sets of types), instead of an
    object per write and field. It accepts a subset of what the full validation accepts and builds
    the same writes; None means "not plainly valid", and the caller must then run the full
    validation, which accepts or names the first bad write and field. Never raises.
    """
    if type(items) is not list or not items:
        return [] if type(items) is list else None
    try:
        if set(map(type, items)) != {dict} or set(map(len, items)) != {len(_WIRE_KEYS)}:
            return None
        dots, records, kinds, fields, values, hlcs, sups, authors = zip(*map(_ROW, items), strict=True)
        rx = _ANY_DOTS if device is None else _dots_of(device)
        joined = "\n".join(dots)
        if joined.count("\n") != len(dots) - 1 or rx.fullmatch(joined) is None:
            return None
        if set(map(type, hlcs)) != {list}:
            return None
        walls, counters, clock_devices = zip(*hlcs, strict=True)  # ValueError unless all of 3
        if set(map(type, walls)) != {int} or set(map(type, counters)) != {int}:
            return None
        if min(walls) < 0 or min(counters) < 0 or max(walls) > _MAX_INT or max(counters) > _MAX_INT:
            return None
        if device is None:
            if [d.rpartition(":")[0] for d in dots] != list(clock_devices):
                return None
            share: dict[str, str] = {}
            devices = [share.setdefault(d, d) for d in clock_devices]
            stamps = list(zip(walls, counters, devices, strict=True))
        else:
            if set(clock_devices) != {device}:
                return None
            stamps = list(zip(walls, counters, repeat(device)))
        texts = [
            _shared_texts(records, _RECORD_RE),
            _shared_texts(kinds, _KIND_RE),
            _shared_texts(fields, _FIELD_RE),
            _shared_texts(authors, _AUTHOR_RE),
        ]
        if None in texts:
            return None
        records, kinds, fields, authors = texts
        if set(map(type, sups)) != {list}:
            return None
        supersedes: list[tuple[str, ...]] = list(repeat((), len(sups)))
        if any(sups):
            for i, sup in enumerate(sups):
                if sup:
                    if len(sup) > 10_000 or dots[i] in sup or len(set(sup)) != len(sup):
                        return None
                    if not all(type(s) is str and DOT_RE.fullmatch(s) for s in sup):
                        return None
                    supersedes[i] = tuple(sup)
        types = set(map(type, values))
        if not types <= _SCALARS:
            if not all(map(_plain_json, values)):
                return None
        elif int in types and not all(
            _JSON_INT_MIN <= v <= _JSON_INT_MAX for v in values if type(v) is int
        ):
            return None
    except (TypeError, KeyError, ValueError):  # unhashable, missing key, non-string dot...
        return None
    out = list(map(_WriteSlots, dots, records, kinds, fields, values, stamps, supersedes, authors))
    for w in out:
        w.__class__ = Write
    return out  # type: ignore[return-value]


def validate_writes(obj: Any) -> list[Write]:
    """Validate untrusted data (e.g. a parsed central-store file) as a list of writes.

    Raises :class:`InvalidWrite` naming the first bad write (index) and field. Checks: exact keys,
    strict types, formats of dot, record, kind, field and author, hlc device equal to the dot's
    device, ``supersedes`` made of dots, free of the write's own dot and of duplicates, ``value``
    a JSON value (finite numbers, string keys, nesting depth at most 32).
    """
    if not isinstance(obj, list):
        raise InvalidWrite(f"writes: expected a list, got {type(obj).__name__}")
    fast = writes_from_json(obj)
    if fast is not None:
        return fast
    from pydantic import ValidationError

    from .schema import WRITES

    try:
        items = WRITES.validate_python(obj)
    except ValidationError as err:
        raise _raise_from(err) from None
    return wire_to_writes(items)
