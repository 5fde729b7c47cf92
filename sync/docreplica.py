"""The union of writes kept as one document per record: live writes in the document, superseded
writes in an append-only history that is read only when asked for.

The merge is the one of :mod:`sync.replica` (docs/sync-model.md): a set of writes keyed by dot, a
write live unless a write on the same record and field lists its dot. Only the representation
differs, so that what a store reads to show a record does not grow with the record's past:

* a **document** per record holds, for each field, its live writes (several when the field is in
  conflict), the dots its writes named before they arrived (``p``), its earliest write (the
  record's kind, creation time and author) and its latest clock;
* a write that stops being live (or arrives already superseded) moves to the **history**, with a
  hash of its content;
* a **version vector** (per device: the highest counter up to which every write is known, plus
  the counters known above it) tells a known dot without reading the history, so a resent old
  write never comes back as live; its content is checked against the live write or the hash kept
  with the history (:class:`~sync.writes.DotCollision` otherwise).

Where the documents live is the backend's business (:class:`DocBackend`: in memory here, lazily
loaded tables in the app). Documents are plain JSON: a live write is
``[value, device#, counter, dms, hlc_counter, author#, supersedes, extra]`` with devices and
authors numbered in the document's own lists ``d`` and ``a``, the wall time relative to the
record's earliest write, ``supersedes`` as flat ``device#, counter`` pairs, and ``extra``
(``{"h": device#, "k": kind}``) giving the clock's device when it is not the dot's and the
write's kind when it is not the record's; trailing defaults are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .documents import (
    CONFLICTED,
    DOCS,
    INDEX,
    VV,
    DocBackend,
    Document,
    MemoryBackend,
    content_hash,
    disagree,
    entry_write,
    history_entry,
    split_dot,
)
from .purge import PURGED, is_purge, purge_field_name, purged_field
from .replica import DELETED, FieldState
from .writes import DotCollision, Write

__all__ = ["CONFLICTED", "DOCS", "INDEX", "VV", "DocBackend", "DocReplica", "MemoryBackend",
           "content_hash"]



class DocReplica:
    """The union of writes, as documents (see module docstring). Same reading API as
    :class:`sync.replica.Replica`; every change goes through the backend."""

    def __init__(
        self, backend: DocBackend | None = None, place_by: Mapping[str, str] | None = None
    ) -> None:
        self.backend: DocBackend = backend if backend is not None else MemoryBackend()
        #: kind -> the field whose displayed value places its documents (docs/sync-model.md)
        self.place_by: dict[str, str] = dict(place_by or {})
        self._open: dict[str, Document] | None = None  # documents changed by add_all, unsaved
        self._changed: dict[str, set[str] | None] = {}  # their changed fields (None: all)
        self._hashes: dict[str, str] | None = None  # dot -> hash of the history, on demand
        #: called with each new write once merged (the app keeps its outbox with it)
        self.on_new: Callable[[Write], None] | None = None

    # --- version vector -------------------------------------------------------------------------

    def _known(self, device: str, counter: int) -> bool:
        v = self.backend.get(VV, device)
        return v is not None and (0 < counter <= v[0] or counter in v[1])

    def _note(self, device: str, counter: int) -> None:
        v = self.backend.get(VV, device)
        top, above = (v[0], set(v[1])) if v is not None else (0, set())
        if counter == top + 1:
            top += 1
            while top + 1 in above:
                top += 1
                above.discard(top)
        else:
            above.add(counter)
        self.backend.put(VV, device, [top, sorted(above)])

    # --- documents --------------------------------------------------------------------------

    def _doc(self, record: str, kind: str | None = None) -> Document | None:
        if self._open is not None and record in self._open:
            return self._open[record]
        tried = None
        if kind is not None and kind not in self.place_by:
            raw = self.backend.get(DOCS + kind, record)
            if raw is not None:
                return Document(record, raw, kind)
            tried = kind
        place = self.backend.get(INDEX, record)
        if place is None or place == tried:
            return None
        raw = self.backend.get(DOCS + place, record)
        return None if raw is None else Document(record, raw, place)

    def _place(self, doc: Document) -> str:
        """Where ``doc`` belongs: ``kind@value`` of its placing field, else its kind."""
        kind = doc.raw["k"]
        field = self.place_by.get(kind)
        if field is not None:
            live = doc.raw["f"].get(field)
            if live and type(live[0][0]) is str and live[0][0]:
                return f"{kind}@{live[0][0]}"
        return kind

    def _save(self, doc: Document, fields: set[str] | None = None) -> None:
        """Save ``doc`` in its place; ``fields``: the only fields whose live writes changed,
        if known (the backend may then keep only those, see DocBackend.put)."""
        place = self._place(doc)
        if doc.place != place:
            if doc.place is not None:
                self.backend.put(DOCS + doc.place, doc.record, None)
            self.backend.put(INDEX, doc.record, place)
            doc.place, fields = place, None
        self.backend.put(DOCS + place, doc.record, doc.raw, fields)
        kind = doc.raw["k"]
        flag = kind if self._doc_conflicted(doc) else None
        if self.backend.get(CONFLICTED, doc.record) != flag:
            self.backend.put(CONFLICTED, doc.record, flag)

    def settle_places(self, kind: str) -> int:
        """Move the documents of ``kind`` kept in the kind's own table (a layout from before
        ``place_by`` named it) to their places; returns how many moved."""
        if kind not in self.place_by:
            return 0
        moved = 0
        for record in list(self.backend.keys(DOCS + kind)):
            raw = self.backend.get(DOCS + kind, record)
            doc = Document(record, raw, kind)
            if self._place(doc) != kind:
                self._save(doc)
                moved += 1
        return moved

    # --- merging ----------------------------------------------------------------------------

    def add(self, write: Write) -> bool:
        """Merge one write. True if new, False if this very write was already there.

        Raises :class:`DotCollision` (and changes nothing) if the dot holds another write."""
        return bool(self.add_all([write]))

    def add_all(self, writes: Iterable[Write]) -> list[Write]:
        """Merge many writes; return those that were new, in input order. Every collision (with
        what is known or inside ``writes``) is checked first: a DotCollision changes nothing."""
        fresh: list[Write] = []
        batch: dict[str, Write] = {}
        for w in writes:
            other = batch.get(w.dot)
            if other is not None:
                if other is not w and not other.same_content(w):
                    raise DotCollision(other, w)
                continue
            device, counter = split_dot(w.dot)
            if self._known(device, counter):
                self._check_known(w)
                continue
            batch[w.dot] = w
            fresh.append(w)
        moved: list[list[Any]] = []
        purges: dict[str, set[str]] = {}
        loc = self.backend.locator() if fresh else 0
        self._open, self._changed = {}, {}
        try:
            for w in fresh:
                self._insert(w, moved, loc, purges)
            for rec, doc in self._open.items():  # each document saved once, in its final place
                self._save(doc, self._changed[rec])
        finally:
            self._open, self._changed = None, {}
        if moved:
            self.backend.log(moved)
        for record, fields in purges.items():
            for field in sorted(fields):
                self._purge(record, field)
        if self.on_new is not None:
            for w in fresh:
                self.on_new(w)
        return fresh

    def _check_known(self, w: Write) -> None:
        doc = self._doc(w.record, w.kind)
        if doc is not None:
            for e in doc.live(w.field):
                if doc.dot(e) == w.dot:
                    existing = doc.write(w.field, e)
                    if not existing.same_content(w):
                        raise DotCollision(existing, w)
                    return
        digest = self._history_hashes().get(w.dot)
        if digest != content_hash(w):
            raise DotCollision(self._find(w.dot) or w, w)

    def _history_hashes(self) -> dict[str, str]:
        # Built on first need (a write resent), then kept up to date by _to_history.
        if self._hashes is None:
            self._hashes = {e[4]: e[8] for e in self.backend.history()}
        return self._hashes

    def _insert(
        self, w: Write, moved: list[list[Any]], loc: int, purges: dict[str, set[str]]
    ) -> None:
        rec, fld = w.record, w.field
        doc = self._doc(rec, w.kind)
        changed = self._changed.get(rec, set()) if doc is not None else None
        if doc is None:
            doc = Document.new(rec, w)
        else:
            old_kind = doc.raw["k"]
            if (tuple(w.hlc), w.dot) < doc.first():
                old_ms = doc.raw["fw"][0]
                doc.set_first(w)
                doc.rebase(old_ms)  # every entry's time changes
                changed = None
                if w.kind != old_kind:
                    doc.rekind(w.kind)
            if tuple(w.hlc) > doc.latest():
                doc.set_latest(w.hlc)
        fields = doc.raw["f"]
        pending = doc.raw.get("p")
        for s in w.supersedes:
            if s == w.dot:
                continue
            device, counter = split_dot(s)
            if self._known(device, counter):
                live = fields.get(fld)
                if live:
                    for i, e in enumerate(live):
                        if doc.dot(e) == s:
                            moved.append(self._to_history(doc, fld, live.pop(i), loc))
                            break
            else:
                if pending is None:
                    pending = doc.raw["p"] = {}
                waiting = pending.setdefault(s, [])
                if fld not in waiting:
                    waiting.append(fld)
        waiting = pending.pop(w.dot, None) if pending else None
        if pending is not None and not pending:
            del doc.raw["p"]
        entry = doc.encode(w)
        if waiting is not None and fld in waiting:
            moved.append(self._to_history(doc, fld, entry, loc))  # superseded before it arrived
        else:
            live = fields.setdefault(fld, [])
            live.append(entry)
            if len(live) > 1:
                live.sort(key=doc.key, reverse=True)
        if not fields.get(fld):
            fields.pop(fld, None)
        self._note(*split_dot(w.dot))
        self._open[rec] = doc  # type: ignore[index]
        if changed is not None:
            changed.add(fld)
        self._changed[rec] = changed
        target = purged_field(fld)
        if target is not None and any(doc.dot(e) == w.dot for e in doc.live(fld)):
            purges.setdefault(rec, set()).add(target)

    # --- history and purge ------------------------------------------------------------------

    def _cutoff(self, doc: Document, field: str) -> tuple[Any, ...] | None:
        cuts = [tuple(e[0]) for e in doc.live(purge_field_name(field)) if isinstance(e[0], list)]
        return max(cuts) if cuts else None

    def _to_history(self, doc: Document, field: str, e: list[Any], loc: int) -> list[Any]:
        locs = doc.raw.setdefault("hl", [])
        if not locs or locs[-1] != loc:
            locs.append(loc)  # where this record's history is (history_of reads only there)
        w = doc.write(field, e)
        entry = history_entry(w, content_hash(w))
        if self._hashes is not None:
            self._hashes[w.dot] = entry[8]
        cut = self._cutoff(doc, field)
        if cut is not None and tuple(w.hlc) <= cut:
            entry[3] = PURGED
        return entry

    def _purge(self, record: str, field: str) -> None:
        doc = self._doc(record)
        cut = self._cutoff(doc, field) if doc is not None else None
        if doc is None or cut is None:
            return

        def erase(e: list[Any]) -> list[Any]:
            if e[0] == record and e[2] == field and tuple(e[5]) <= cut and e[3] != PURGED:
                e = list(e)
                e[3] = PURGED
            return e

        where = set(doc.raw.get("hl", ()))
        if any(e[0] == record and e[2] == field and erase(e) is not e
               for e in self.backend.history(where)):
            self.backend.rewrite_history(erase)

    def history_of(self, record: str) -> list[Write]:
        """The superseded writes of ``record`` (read from the history, only where the document
        says they are), oldest first."""
        doc = self._doc(record)
        if doc is None or not doc.raw.get("hl"):
            return []
        where = set(doc.raw["hl"])
        out = [entry_write(e) for e in self.backend.history(where) if e[0] == record]
        return sorted(out, key=lambda w: (w.hlc, w.dot))

    # --- reading ------------------------------------------------------------------------------

    def live(self, record: str, field: str) -> list[Write]:
        """Live writes on ``record.field``, highest HLC first (empty if none)."""
        doc = self._doc(record)
        return [] if doc is None else [doc.write(field, e) for e in doc.live(field)]

    def value(self, record: str, field: str, default: Any = None) -> Any:
        """Displayed value of ``record.field``: the live write with the highest HLC."""
        doc = self._doc(record)
        if doc is None:
            return default
        live = doc.raw["f"].get(field)
        return live[0][0] if live else default

    def values(
        self, record: str, fields: tuple[str, ...], default: Any = None, kind: str | None = None
    ) -> list[Any]:
        """Displayed values of several fields of ``record`` in one lookup (``kind``, when known,
        spares reading the index)."""
        doc = self._doc(record, kind)
        if doc is None:
            return [default] * len(fields)
        f = doc.raw["f"]
        return [f[n][0][0] if f.get(n) else default for n in fields]

    def state(self, record: str, field: str) -> FieldState | None:
        """Value, winner and live writes of ``record.field``; None if it has no live write."""
        live = self.live(record, field)
        return FieldState(live[0].value, live[0], tuple(live)) if live else None

    def fields(self, record: str) -> dict[str, FieldState]:
        """State of every field of ``record`` that has a live write."""
        doc = self._doc(record)
        if doc is None:
            return {}
        out = {}
        for fld, entries in doc.raw["f"].items():
            live = tuple(doc.write(fld, e) for e in entries)
            out[fld] = FieldState(live[0].value, live[0], live)
        return out

    def document(self, record: str, kind: str | None = None) -> dict[str, Any] | None:
        """``{"values": {field: displayed value}, "fw": [hlc, dot, kind, author] of the earliest
        write, "lh": the latest HLC}`` of ``record``: what a model is built from, in one read
        (``kind``, when known, spares reading the index)."""
        doc = self._doc(record, kind)
        if doc is None:
            return None
        hlc, dot = doc.first()
        return {
            "values": {fld: entries[0][0] for fld, entries in doc.raw["f"].items()},
            "fw": [list(hlc), dot, doc.raw["k"], doc.first_author()],
            "lh": list(doc.latest()),
        }

    def records(self, kind: str | None = None) -> list[str]:
        """Ids of known records (deleted ones included), sorted; only ``kind`` if given."""
        if kind is None:
            return sorted(self.backend.keys(INDEX))
        if kind not in self.place_by:
            return sorted(self.backend.keys(DOCS + kind))
        index = self.backend
        return sorted(r for r in index.keys(INDEX) if _kind(index.get(INDEX, r)) == kind)

    def kind_of(self, record: str) -> str | None:
        """Kind of ``record`` (taken from its earliest write), or None if unknown."""
        place = self.backend.get(INDEX, record)
        return None if place is None else _kind(place)

    def writes_of(self, record: str) -> list[Write]:
        """Every write of ``record`` (live and from the history), oldest HLC first."""
        doc = self._doc(record)
        out = self.history_of(record)
        if doc is not None:
            out.extend(doc.write(f, e) for f, entries in doc.raw["f"].items() for e in entries)
        return sorted(out, key=lambda w: (w.hlc, w.dot))

    def is_deleted(self, record: str) -> bool:
        """True if the displayed value of the ``deleted`` field is ``True``."""
        return self.value(record, DELETED) is True

    def supersedes_for(self, record: str, field: str) -> tuple[str, ...]:
        """Dots a new local write on ``record.field`` must list: the field's live writes."""
        doc = self._doc(record)
        return () if doc is None else tuple(sorted(doc.dot(e) for e in doc.live(field)))

    def delete_supersedes(self, record: str) -> tuple[str, ...]:
        """Dots a new ``deleted`` write must list: the live writes of every field."""
        doc = self._doc(record)
        if doc is None:
            return ()
        return tuple(sorted(doc.dot(e) for entries in doc.raw["f"].values() for e in entries))

    @staticmethod
    def _unseen(doc: Document) -> list[tuple[str, list[Any]]]:
        deletes = [e for e in doc.live(DELETED) if e[0] is True]
        if not deletes:
            return []
        seen = [doc.sup_dots(d) for d in deletes]
        return [
            (fld, e)
            for fld, entries in doc.raw["f"].items()
            if fld != DELETED and not is_purge(fld)
            for e in entries
            if any(doc.dot(e) not in s for s in seen)
        ]

    @staticmethod
    def _disputed(doc: Document) -> Iterator[tuple[str, list[list[Any]]]]:
        """The fields whose live writes disagree (a purge field never counts)."""
        for fld, entries in doc.raw["f"].items():
            if len(entries) > 1 and not is_purge(fld) and disagree([e[0] for e in entries]):
                yield fld, entries

    def _doc_conflicted(self, doc: Document) -> bool:
        return next(self._disputed(doc), None) is not None or bool(self._unseen(doc))

    def delete_conflict(self, record: str) -> list[Write]:
        """Live writes on other fields that a live ``deleted = True`` write did not see."""
        doc = self._doc(record)
        if doc is None:
            return []
        unseen = [doc.write(f, e) for f, e in self._unseen(doc)]
        return sorted(unseen, key=lambda w: (w.hlc, w.dot), reverse=True)

    def conflicts(self) -> list[tuple[str, str, list[Write]]]:
        """Every open conflict as ``(record, field, live writes)``, by record and field."""
        out: list[tuple[str, str, list[Write]]] = []
        for rec in sorted(self.backend.keys(CONFLICTED)):
            doc = self._doc(rec, self.backend.get(CONFLICTED, rec))
            if doc is None:
                continue
            found = {fld: [doc.write(fld, e) for e in entries]
                     for fld, entries in self._disputed(doc)}
            unseen = self.delete_conflict(rec)
            if unseen:
                found[DELETED] = self.live(rec, DELETED) + unseen
            out.extend((rec, fld, ws) for fld, ws in sorted(found.items()))
        return out

    def has_conflict(self, record: str) -> bool:
        """True if any field of ``record`` is in conflict, including delete versus edit."""
        return self.backend.get(CONFLICTED, record) is not None

    def any_conflict(self) -> bool:
        """True while ``conflicts()`` is not empty (reads no document)."""
        return bool(self.backend.keys(CONFLICTED))

    def devices(self) -> list[str]:
        """Devices that made at least one known write, sorted."""
        return sorted(self.backend.keys(VV))

    def by_device(self, device: str) -> list[Write]:
        """Writes made by ``device``, by counter (reads everything: rare)."""
        prefix = device + ":"
        return sorted((w for w in self if w.dot.startswith(prefix)), key=lambda w: w.counter)

    def get(self, dot: str) -> Write | None:
        """The write with this dot, or None (reads everything: rare)."""
        return self._find(dot)

    def _find(self, dot: str) -> Write | None:
        device, counter = split_dot(dot)
        if not self._known(device, counter):
            return None
        return next((w for w in self if w.dot == dot), None)

    def is_live(self, dot: str) -> bool:
        """True if the write with this dot is known and not superseded."""
        w = self._find(dot)
        return w is not None and any(x.dot == dot for x in self.live(w.record, w.field))

    def live_writes(self) -> Iterator[Write]:
        """Every live write of every record."""
        backend = self.backend
        for rec in backend.keys(INDEX):
            doc = self._doc(rec)
            if doc is not None:
                for fld, entries in doc.raw["f"].items():
                    for e in entries:
                        yield doc.write(fld, e)

    def __contains__(self, dot: object) -> bool:
        if not isinstance(dot, str) or ":" not in dot:
            return False
        device, _, counter = dot.rpartition(":")
        return counter.isdigit() and self._known(device, int(counter))

    def __len__(self) -> int:
        total = 0
        for device in self.backend.keys(VV):
            top, above = self.backend.get(VV, device)
            total += top + len(above)
        return total

    def __iter__(self) -> Iterator[Write]:
        yield from self.live_writes()
        for e in self.backend.history():
            yield entry_write(e)


def _kind(place: str) -> str:
    """The kind of a document's place (``visit@<site id>`` -> ``visit``)."""
    return place.partition("@")[0]
