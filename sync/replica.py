"""An in-memory union of writes, with the live writes of every field kept up to date.

Rules (see docs/sync-model.md):

* Merge is the union of writes keyed by dot. The same dot with other content is a
  :class:`~sync.writes.DotCollision`, never merged.
* A write W is *live* unless a write on the same record and field lists W's dot in its
  ``supersedes``. The rule only looks at which writes are present, never at arrival order, so a
  superseding write may arrive before the write it supersedes.
* The displayed value of a field is its live write with the highest HLC; two or more live writes
  on one field with different values are a conflict (the same value written concurrently on two
  devices agrees, and the next write supersedes both).
* Deletion is the field ``deleted`` set to ``True``. A delete write lists in ``supersedes`` the
  live writes of the ``deleted`` field (which it supersedes, like any write) *and* the live writes
  of every other field of the record that it saw (:meth:`Replica.delete_supersedes`). Dots of other
  fields do not supersede anything (they record what the delete saw); the record keeps its values
  as a tombstone, so restoring it (``deleted = False``) brings them back unchanged.
* Delete-versus-edit conflict: a record is in conflict when a live write ``deleted = True`` exists
  and some live write on another field of that record is not listed in that delete's
  ``supersedes``: an edit the delete did not see (concurrent, or made on an already deleted
  record). It is reported by :meth:`Replica.conflicts` under the field ``deleted`` together with the
  live delete writes, and resolved by a new ``deleted`` write listing all of them (keep deleted:
  :meth:`Replica.delete_supersedes`) or by ``deleted = False`` (restore).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .canonical import same_value
from .writes import _DOT, BULK, DotCollision, Write, gc_paused

DELETED = "deleted"
"""Field holding the tombstone flag of a record."""


def _order(w: Write) -> tuple[Any, str]:
    # HLC first; the dot only breaks ties between malformed writes that share an HLC.
    return (w.hlc, w.dot)


def _disagree(live: Iterable[Write]) -> bool:
    """Two or more live writes with different values. Concurrent writes of the same value
    (two laptops importing the same directory row) agree: nothing for a person to settle."""
    it = iter(live)
    first = next(it, None)
    if first is None:
        return False
    v = first.value
    # Canonical JSON (RFC 8785), not Python's ==: 1 and 1.0 agree, 1 and true, [1] and [true]
    # do not.
    return any(not same_value(w.value, v) for w in it)


@dataclass(frozen=True, slots=True)
class FieldState:
    """Current state of one field: the displayed ``value`` (from ``winner``) and all live writes,
    highest HLC first."""

    value: Any
    winner: Write
    live: tuple[Write, ...]

    @property
    def conflict(self) -> bool:
        """True when two or more live writes on this field hold different values."""
        return _disagree(self.live)


class Replica:
    """The union of all known writes, indexed for the local store (O(1)-ish per added write)."""

    def __init__(self, writes: Iterable[Write] = ()) -> None:
        self._writes: dict[str, Write] = {}
        # Dots superseded by a write on the same record and field.
        self._dead: set[str] = set()
        # Dots listed in supersedes before the write they name arrived: dot -> [(record, field)].
        self._pending: dict[str, list[tuple[str, str]]] = {}
        self._live: dict[str, dict[str, list[Write]]] = {}
        self._by_record: dict[str, list[Write]] = {}
        # Built on first use of by_device()/devices(), then kept up to date.
        self._by_device: dict[str, list[Write]] | None = None
        # record -> (hlc, dot, kind) of its earliest write: the record's kind, order independent.
        self._kind: dict[str, tuple[Any, str, str]] = {}
        self._by_kind: dict[str, set[str]] = {}
        self._conflicted: set[tuple[str, str]] = set()  # fields with 2+ live writes
        self._conflicts_per_record: dict[str, int] = {}
        self._deleted_live: set[str] = set()  # records with a live `deleted = True` write
        if writes:
            self.add_all(writes)

    # --- merging ----------------------------------------------------------------------------

    def add(self, write: Write) -> bool:
        """Merge one write. True if it was new, False if this very write was already there.

        Raises :class:`DotCollision` (and changes nothing) if the dot holds a different write.
        """
        existing = self._writes.get(write.dot)
        if existing is not None:
            if existing is write or existing.same_content(write):
                return False
            raise DotCollision(existing, write)
        self._insert(write)
        return True

    def add_all(self, writes: Iterable[Write]) -> list[Write]:
        """Merge many writes; return those that were new, in input order.

        All collisions (with the replica or inside ``writes``) are checked first, so a
        :class:`DotCollision` leaves the replica unchanged.
        """
        known = self._writes
        ws = list(writes)
        dots = list(map(_DOT, ws))
        if len(set(dots)) == len(dots) and known.keys().isdisjoint(dots):
            # Fast path (set operations in C): all new and distinct, nothing can collide.
            with gc_paused(len(ws) > BULK):
                self._insert_many(ws)
            return ws
        batch: dict[str, Write] = {}
        fresh: list[Write] = []
        for w in ws:
            dot = w.dot
            other = known.get(dot)
            if other is None:
                other = batch.get(dot)
                if other is None:
                    batch[dot] = w
                    fresh.append(w)
                    continue
            if other is not w and not other.same_content(w):
                raise DotCollision(other, w)
        with gc_paused(len(fresh) > BULK):
            self._insert_many(fresh)
        return fresh

    @classmethod
    def load(cls, dicts: Iterable[dict[str, Any]]) -> Replica:
        """Build a replica from :meth:`Write.to_dict` dicts of our OWN local file (trusted: no
        validation). The fast way to open a data dir; raises :class:`DotCollision` like add_all."""
        with gc_paused():
            replica = cls()
            replica.add_all([Write.from_dict(d) for d in dicts])
        return replica

    def _insert(self, w: Write) -> None:
        self._insert_many((w,))

    def _insert_many(self, ws: Iterable[Write]) -> None:
        # Hot path (a whole data dir or département goes through here): attributes bound to
        # locals once, no helper call in the common case (a write superseding the single live
        # write of its field, or a first write on a field).
        writes, by_record, kinds, live = self._writes, self._by_record, self._kind, self._live
        dead, pending, by_device = self._dead, self._pending, self._by_device
        for w in ws:
            dot, rec, fld = w.dot, w.record, w.field
            writes[dot] = w
            by_rec = by_record.get(rec)
            if by_rec is None:
                by_record[rec] = [w]
                self._set_kind(rec, w)
                fields = live[rec] = {}
            else:
                by_rec.append(w)
                cur = kinds[rec]
                if w.hlc <= cur[0] and (w.hlc, dot) < (cur[0], cur[1]):
                    self._set_kind(rec, w)
                fields = live[rec]
            if by_device is not None:
                by_device.setdefault(w.device, []).append(w)
            for s in w.supersedes:
                target = writes.get(s)
                if target is None:
                    pending.setdefault(s, []).append((rec, fld))
                elif target.field == fld and target.record == rec and s != dot and s not in dead:
                    dead.add(s)
                    self._unlive(fields, target)
            if pending:
                waiting = pending.pop(dot, None)
                if waiting is not None and (rec, fld) in waiting:
                    dead.add(dot)
                    continue
            lst = fields.get(fld)
            if not lst:
                fields[fld] = [w]
                if fld == DELETED and w.value is True:
                    self._deleted_live.add(rec)
                continue
            lst.append(w)
            key = (rec, fld)
            if key not in self._conflicted and _disagree(lst):
                self._conflicted.add(key)
                self._conflicts_per_record[rec] = self._conflicts_per_record.get(rec, 0) + 1
            if fld == DELETED:
                self._refresh_deleted(rec, lst)

    def _unlive(self, fields: dict[str, list[Write]], target: Write) -> None:
        fld = target.field
        old = fields.get(fld)
        if old is None:
            return
        if len(old) == 1:
            # Usual case: the field's only live write is replaced. Leave an empty list (readers
            # skip those); the superseding write is normally appended right after.
            if old[0] is target:
                old.clear()
                if fld == DELETED:
                    self._deleted_live.discard(target.record)
            return
        lst = [x for x in old if x is not target]
        fields[fld] = lst
        if not _disagree(lst):
            key = (target.record, fld)
            if key in self._conflicted:
                self._conflicted.remove(key)
                self._conflicts_per_record[target.record] -= 1
        if fld == DELETED:
            self._refresh_deleted(target.record, lst)

    def _refresh_deleted(self, rec: str, live: list[Write]) -> None:
        if any(x.value is True for x in live):
            self._deleted_live.add(rec)
        else:
            self._deleted_live.discard(rec)

    def _set_kind(self, rec: str, w: Write) -> None:
        old = self._kind.get(rec)
        self._kind[rec] = (w.hlc, w.dot, w.kind)
        if old is not None and old[2] != w.kind:
            self._by_kind[old[2]].discard(rec)
        self._by_kind.setdefault(w.kind, set()).add(rec)

    # --- reading ------------------------------------------------------------------------------

    def live(self, record: str, field: str) -> list[Write]:
        """Live writes on ``record.field``, highest HLC first (empty if none)."""
        lst = self._live.get(record, {}).get(field)
        if not lst:
            return []
        return sorted(lst, key=_order, reverse=True)

    def value(self, record: str, field: str, default: Any = None) -> Any:
        """Displayed value of ``record.field``: the live write with the highest HLC."""
        lst = self._live.get(record, {}).get(field)
        if not lst:
            return default
        return (lst[0] if len(lst) == 1 else max(lst, key=_order)).value

    def values(
        self, record: str, fields: tuple[str, ...], default: Any = None, kind: str | None = None
    ) -> list[Any]:
        """Displayed values of several fields of ``record`` (``default`` for a field without a
        live write): ``value`` for each, in one lookup of the record (bulk reads). ``kind`` is
        a hint the document store uses."""
        live = self._live.get(record)
        if live is None:
            return [default] * len(fields)
        out = []
        for fld in fields:
            lst = live.get(fld)
            if not lst:
                out.append(default)
            else:
                out.append((lst[0] if len(lst) == 1 else max(lst, key=_order)).value)
        return out

    def state(self, record: str, field: str) -> FieldState | None:
        """Value, winner and live writes of ``record.field``; None if it has no live write."""
        live = self.live(record, field)
        if not live:
            return None
        return FieldState(live[0].value, live[0], tuple(live))

    def fields(self, record: str) -> dict[str, FieldState]:
        """State of every field of ``record`` that has a live write."""
        out: dict[str, FieldState] = {}
        for fld, lst in self._live.get(record, {}).items():
            if not lst:
                continue
            live = sorted(lst, key=_order, reverse=True)
            out[fld] = FieldState(live[0].value, live[0], tuple(live))
        return out

    def document(self, record: str, kind: str | None = None) -> dict[str, Any] | None:
        """``{"values": {field: displayed value}, "fw": [hlc, dot, kind, author] of the earliest
        write, "lh": the latest HLC}`` of ``record`` (None if unknown): what a model is built
        from. ``kind`` is a hint, unused here (the document store uses it)."""
        writes = self._by_record.get(record)
        if not writes:
            return None
        first = min(writes, key=_order)
        return {
            "values": {f: st.value for f, st in self.fields(record).items()},
            "fw": [list(first.hlc), first.dot, first.kind, first.author],
            "lh": list(max(w.hlc for w in writes)),
        }

    def records(self, kind: str | None = None) -> list[str]:
        """Ids of known records (deleted ones included), sorted; only ``kind`` if given."""
        if kind is None:
            return sorted(self._by_record)
        return sorted(self._by_kind.get(kind, ()))

    def kind_of(self, record: str) -> str | None:
        """Kind of ``record`` (taken from its earliest write), or None if unknown."""
        cur = self._kind.get(record)
        return None if cur is None else cur[2]

    def writes_of(self, record: str) -> list[Write]:
        """Every write of ``record`` (live, superseded and tombstones), oldest HLC first."""
        return sorted(self._by_record.get(record, ()), key=_order)

    def is_deleted(self, record: str) -> bool:
        """True if the displayed value of the ``deleted`` field is ``True``."""
        return self.value(record, DELETED) is True

    def supersedes_for(self, record: str, field: str) -> tuple[str, ...]:
        """Dots a new local write on ``record.field`` must list: the field's live writes."""
        lst = self._live.get(record, {}).get(field)
        return tuple(sorted(w.dot for w in lst)) if lst else ()

    def delete_supersedes(self, record: str) -> tuple[str, ...]:
        """Dots a new ``deleted`` write must list: the live writes of every field of the record.

        Used both to delete and to resolve a delete-versus-edit conflict by keeping the delete.
        """
        return tuple(sorted(w.dot for lst in self._live.get(record, {}).values() for w in lst))

    def delete_conflict(self, record: str) -> list[Write]:
        """Live writes on fields other than ``deleted`` that a live ``deleted = True`` write did
        not see (highest HLC first); empty when the record has no delete-versus-edit conflict."""
        if record not in self._deleted_live:
            return []
        fields = self._live.get(record, {})
        deletes = [w for w in fields.get(DELETED, ()) if w.value is True]
        seen = [set(d.supersedes) for d in deletes]
        unseen = [
            w
            for fld, lst in fields.items()
            if fld != DELETED
            for w in lst
            if any(w.dot not in s for s in seen)
        ]
        return sorted(unseen, key=_order, reverse=True)

    def conflicts(self) -> list[tuple[str, str, list[Write]]]:
        """Every open conflict as ``(record, field, live writes)``, sorted by record and field.

        A delete-versus-edit conflict is reported under the field ``deleted``, its writes being the
        live ``deleted`` writes followed by the unseen edits.
        """
        out: dict[tuple[str, str], list[Write]] = {key: self.live(*key) for key in self._conflicted}
        for rec in self._deleted_live:
            unseen = self.delete_conflict(rec)
            if unseen:
                out[(rec, DELETED)] = self.live(rec, DELETED) + unseen
        return [(rec, fld, ws) for (rec, fld), ws in sorted(out.items())]

    def any_conflict(self) -> bool:
        """True while ``conflicts()`` is not empty."""
        return bool(self._conflicted) or any(self.delete_conflict(r) for r in self._deleted_live)

    def has_conflict(self, record: str) -> bool:
        """True if any field of ``record`` is in conflict, including delete versus edit."""
        if self._conflicts_per_record.get(record):
            return True
        return bool(self.delete_conflict(record))

    def _devices_index(self) -> dict[str, list[Write]]:
        if self._by_device is None:
            index: dict[str, list[Write]] = {}
            for w in self._writes.values():
                index.setdefault(w.device, []).append(w)
            self._by_device = index
        return self._by_device

    def by_device(self, device: str) -> list[Write]:
        """Writes made by ``device``, by counter."""
        return sorted(self._devices_index().get(device, ()), key=lambda w: w.counter)

    def devices(self) -> list[str]:
        """Devices that made at least one known write, sorted."""
        return sorted(self._devices_index())

    def get(self, dot: str) -> Write | None:
        """The write with this dot, or None."""
        return self._writes.get(dot)

    def is_live(self, dot: str) -> bool:
        """True if the write with this dot is known and not superseded."""
        w = self._writes.get(dot)
        return w is not None and any(x is w for x in self._live[w.record].get(w.field, ()))

    def __contains__(self, dot: object) -> bool:
        return dot in self._writes

    def __len__(self) -> int:
        return len(self._writes)

    def __iter__(self) -> Iterator[Write]:
        return iter(self._writes.values())
