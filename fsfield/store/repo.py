"""The local store: records as views of their field-level writes, kept in TinyDB.

Screens and commands call these functions and get pydantic models back; nothing
else touches TinyDB. Each record's writes live in a TinyDB table of their own
(``r:<uuid>``), so a save journals only that record (see storage.py). Every edit
becomes immutable writes (sync/writes.py) saved in the same atomic save as the
counter and clock that produced them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from tinydb import TinyDB

from fsfield.domain.messages import describe_os_error, describe_validation_errors
from fsfield.store import messages
from fsfield.store.docformat import DocFormat
from fsfield.store.kinds import KINDS, validation_error
from fsfield.store.legacy import LegacyFormat
from fsfield.store.lock import DataDirLock
from fsfield.store.schema import META_TABLE
from fsfield.store.storage import Recovery, SaveFailed, StoreError
from sync.canonical import same_value
from sync.hlc import HybridClock
from sync.purge import PURGE_PREFIX
from sync.replica import DELETED
from sync.writes import Write, counters_of, make_dot

if TYPE_CHECKING:
    from pydantic import ValidationError

    from fsfield.domain.models import FollowUp, Record, Settings, Site, Visit
    from fsfield.store.summary import SiteFigures

R = TypeVar("R", bound="Record")
P = ParamSpec("P")
T = TypeVar("T")


class RecordNotFound(StoreError):
    """No record with that id (message in French)."""


def validation_message(exc: ValidationError) -> str:
    """A short French reason from a pydantic error (see domain/messages.py)."""
    return describe_validation_errors(exc.errors())


def _exclusive(method: Callable[P, T]) -> Callable[P, T]:
    """Run a Store method holding the store lock (see ``Store.exclusive``)."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> T:
        with args[0].storage.lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return locked


def _wall(hlc: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(hlc[0] / 1000, tz=dt.UTC)


class Store:
    """One animator's data dir, opened by one process at a time."""

    def __init__(self, data_dir: Path, *, compact_min_bytes: int = 1 << 20) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Impossible de créer le dossier de données {self.data_dir} : {describe_os_error(exc)}."
            ) from exc
        self._lock: DataDirLock | None = DataDirLock(self.data_dir)
        self._lock.acquire()
        self.notices: list[str] = []
        try:
            self._fmt = open_format(self.data_dir, compact_min_bytes, self._lock.verify,
                                    self.notices)
        except OSError as exc:
            self._lock.release()
            raise StoreError(messages.open_failed(self.data_dir, describe_os_error(exc))) from exc
        except BaseException:
            self._lock.release()
            raise
        self.storage = self._fmt.storage
        self.replica = self._fmt.replica
        self.db = TinyDB(storage=lambda: self.storage)
        self._cache: dict[str, Record | None] = {}
        #: per-open memo for derived data of other modules (templates, indexes)
        self.memo: dict[str, Any] = {}
        self.problems: list[str] = []
        meta = self._meta_doc()
        self.device_id: str = meta["device"]
        # The counter is saved with the writes it numbered; never go below what exists.
        self._counter: int = max(meta.get("counter", 0), self._fmt.own_top(self.device_id))
        self.clock = HybridClock(self.device_id, last=tuple(meta["hlc"]) if meta.get("hlc") else None)

    # -- lifecycle ----------------------------------------------------------

    @property
    def recovery(self) -> Recovery:
        """What opening repaired or converted, for the user to be told (French)."""
        recovery = self.storage.recovery
        for notice in self.notices:
            if notice not in recovery.messages:
                recovery.messages.append(notice)
        self._told = len(recovery.messages)
        return recovery

    @property
    def legacy(self) -> bool:
        """True while this data dir is still in the old format (its conversion failed)."""
        return self._fmt.legacy

    def close(self) -> list[str]:
        """Save what is pending and release the data dir.

        Raises SaveFailed only if a pending change cannot be saved; never an OSError (what was
        saved is durable). Returns, in French, what could not be tidied (also on stderr when
        used as a context manager)."""
        if self._lock is None:
            return []  # already closed (idempotent)
        try:
            with self.storage.lock:
                return self.storage.close()
        finally:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        late = self.storage.recovery.messages[getattr(self, "_told", 0):]
        for notice in [*late, *self.close()]:
            print(f"fsfield : {notice}", file=sys.stderr)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store lock: no other thread changes the store (or saves) meanwhile.

        Every public mutator takes it; so does ``storage.batch()``, for its whole duration. A job
        in a worker thread wraps its local changes in ``exclusive()`` (or a batch): an edit the
        UI makes meanwhile waits for the job's save, then is saved on its own. Re-entrant.
        Hold it only around local changes (not while reading a network folder: the UI waits),
        and never wait for the UI thread while holding it (``call_from_thread``): deadlock.
        """
        with self.storage.lock:
            yield

    @property
    def unsaved(self) -> bool:
        """True while a change is held in memory only (the last save failed)."""
        return self.storage.unsaved

    @property
    def lost(self) -> bool:
        """True once this process no longer owns its data dir: it will not save again."""
        return self.storage.lost

    @_exclusive
    def retry_save(self) -> None:
        """Try again to make pending changes durable; raises SaveFailed if it still fails."""
        self.storage.flush()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make every change inside one durable save (all or nothing on disk)."""
        with self.storage.batch():
            yield

    # -- meta and settings --------------------------------------------------

    def _meta_doc(self) -> dict[str, Any]:
        table = self.db.table(META_TABLE)
        doc = table.get(doc_id=1)
        if doc is None:
            fresh = {"device": str(uuid.uuid4()), "counter": 0, "hlc": None, "settings": {}}
            table.insert(fresh)
            return fresh
        return dict(doc)

    @_exclusive
    def _update_meta(self, **changes: Any) -> None:
        self.db.table(META_TABLE).update(changes, doc_ids=[1])

    def meta(self, key: str, default: Any = None) -> Any:
        """A local (not synced) value of the meta document."""
        doc = self.db.table(META_TABLE).get(doc_id=1) or {}
        return doc.get(key, default)

    @_exclusive
    def set_meta(self, **values: Any) -> None:
        """Save local (not synced) values durably."""
        self._update_meta(**values)

    @property
    def settings(self) -> Settings:
        from fsfield.domain.models import Settings

        return Settings.model_validate(self.meta("settings") or {})

    @property
    def configured(self) -> bool:
        """True once the animator's name and département are set (read without a model)."""
        return bool(str(self.setting("animator")).strip() and
                    str(self.setting("department")).strip())

    def setting(self, name: str, default: Any = "") -> Any:
        """One saved setting as stored (no model built: for the first screen)."""
        return (self.meta("settings") or {}).get(name, default)

    @_exclusive
    def save_settings(self, settings: Settings) -> None:
        """Save the animator's settings (this laptop only)."""
        self._update_meta(settings=settings.model_dump(mode="json"))

    # -- writing --------------------------------------------------------------

    def _make_writes(
        self, kind: str, record: str, changes: dict[str, Any], *, force: bool = False
    ) -> list[Write]:
        author = self.settings.animator
        writes = []
        for name, value in changes.items():
            state = self.replica.state(record, name)
            if not force and state is not None and not state.conflict and same_value(state.value, value):
                continue  # no-op edit: nothing to sync
            self._counter += 1
            writes.append(
                Write(
                    dot=make_dot(self.device_id, self._counter),
                    record=record,
                    kind=kind,
                    field=name,
                    value=value,
                    hlc=self.clock.tick(),
                    # A delete lists every live write it saw, so an edit it did not see
                    # surfaces as a delete-versus-edit conflict (sync/replica.py).
                    supersedes=self.replica.delete_supersedes(record)
                    if name == DELETED and value is True
                    else self.replica.supersedes_for(record, name),
                    author=author,
                )
            )
        return writes

    def _merge(self, writes: list[Write]) -> list[Write]:
        """Merge writes and save them with the counter and clock in one durable save; returns
        the ones that were new. The record's cached model is dropped."""
        with self.storage.batch():
            new = self._fmt.merge(writes, self.device_id)
            for write in new:
                self._cache.pop(write.record, None)
            if new:
                self._update_meta(counter=self._counter, hlc=list(self.clock.last))
        return new

    @_exclusive
    def write_fields(
        self, kind: str, record: str, changes: dict[str, Any], *, force: bool = False
    ) -> list[Write]:
        """Record an edit of some fields of a record: one durable save, one write per changed field.

        ``force`` writes even unchanged values (settling a conflict by keeping a value).
        Raises SaveFailed when the disk refuses: the change is then kept in memory
        (shown, and saved by ``retry_save``).
        """
        writes = self._make_writes(kind, record, changes, force=force)
        if writes:
            self._merge(writes)
        return writes

    @_exclusive
    def create(self, model: R) -> R:
        """Save a new record (its id is made here if empty); returns the stored model."""
        record_id = model.id or str(uuid.uuid4())
        fields = model.to_fields()
        fields.pop("deleted", None)
        self.write_fields(model.kind, record_id, fields)
        return self.get(type(model), record_id)

    @_exclusive
    def update(self, cls: type[R], record_id: str, **changes: Any) -> R:
        """Change fields of a record after validating the result; returns the new model.

        Raises ValueError (French reason) when the result would be invalid: nothing is written.
        """
        current = self.get(cls, record_id)
        candidate = current.model_dump()
        candidate.update(changes)
        try:
            validated = cls.model_validate(candidate)
        except validation_error() as exc:
            raise ValueError(validation_message(exc)) from None
        new_fields = validated.to_fields()
        old_fields = current.to_fields()
        diff = {
            k: v
            for k, v in new_fields.items()
            if k not in old_fields or not same_value(old_fields[k], v)  # canonical JSON
        }
        self.write_fields(cls.kind, record_id, diff)
        return self.get(cls, record_id)

    @_exclusive
    def set_fields(self, cls: type[R], record_id: str, fields: dict[str, Any]) -> R:
        """Write raw dotted fields (e.g. ``answers.m1-x.status``) after validating the result."""
        current = self.replica.fields(record_id)
        merged = {name: st.value for name, st in current.items()}
        merged.update(fields)
        try:
            cls.from_fields(record_id, merged)
        except validation_error() as exc:
            raise ValueError(validation_message(exc)) from None
        self.write_fields(cls.kind, record_id, fields)
        return self.get(cls, record_id)

    @_exclusive
    def write_validated(self, cls: type[R], record_id: str, fields: dict[str, Any], result: R) -> R:
        """Write raw dotted fields whose resulting model the caller has already validated:
        ``result`` is the record's current model with ``fields`` applied (a record module that
        knows which part of the model the fields touch validates that part only; see
        ``visits.set_answer``). Returns ``result`` with the metadata a re-read would give it
        (``updated_at``, ``conflicted``), kept as the record's model: no fold of every field,
        no second model built."""
        self.write_fields(cls.kind, record_id, fields)
        doc = self.replica.document(record_id, cls.kind)
        if doc is None:  # cannot happen for a record that has a model; read it the usual way
            return self.get(cls, record_id)
        model = result.model_copy(update={
            "updated_at": _wall(doc["lh"]),
            "conflicted": self.replica.has_conflict(record_id),
        })
        self._cache[record_id] = model
        return model

    @_exclusive
    def delete(self, cls: type[R], record_id: str) -> None:
        """Delete a record (a tombstone write; a concurrent edit elsewhere shows as a conflict)."""
        self.get(cls, record_id)
        self.write_fields(cls.kind, record_id, {"deleted": True})

    # -- reading --------------------------------------------------------------

    def _materialise(self, record_id: str, kind: str | None = None) -> Record | None:
        if record_id in self._cache:
            return self._cache[record_id]
        doc = self.replica.document(record_id, kind)
        cls = KINDS.get(doc["fw"][2]) if doc is not None else None
        model: Record | None = None
        if cls is not None and doc is not None:
            fw = doc["fw"]
            values = {k: v for k, v in doc["values"].items() if not k.startswith(PURGE_PREFIX)}
            try:
                model = cls.from_fields(
                    record_id,
                    values,
                    created_at=_wall(fw[0]),
                    updated_at=_wall(doc["lh"]),
                    author=fw[3],
                    conflicted=self.replica.has_conflict(record_id),
                )
            except validation_error() as exc:
                self.problems.append(
                    f"Enregistrement {record_id} ({fw[2]}) illisible : {validation_message(exc)}"
                )
        self._cache[record_id] = model
        return model

    def record(self, record_id: str) -> Record | None:
        """Any record by id, deleted ones included (None if unknown or unreadable)."""
        return self._materialise(record_id)

    def get(self, cls: type[R], record_id: str) -> R:
        """The record, or RecordNotFound."""
        model = self._materialise(record_id, cls.kind)
        if not isinstance(model, cls) or model.deleted:
            raise RecordNotFound(f"Aucun enregistrement {cls.kind} avec l'identifiant {record_id}.")
        return model

    def find(self, cls: type[R], record_id: str) -> R | None:
        """The record or None."""
        try:
            return self.get(cls, record_id)
        except RecordNotFound:
            return None

    def all(self, cls: type[R], *, include_deleted: bool = False) -> list[R]:
        """Every record of a kind."""
        out = []
        for record_id in self.replica.records(cls.kind):
            model = self._materialise(record_id, cls.kind)
            if isinstance(model, cls) and (include_deleted or not model.deleted):
                out.append(model)
        return out

    def sites(self) -> list[Site]:
        """Sites in French order of their short name (see domain/names.py)."""
        from fsfield.domain.models import Site
        from fsfield.domain.names import site_sort_key

        return sorted(self.all(Site), key=lambda s: (site_sort_key(s.name), s.id))

    def visits(self, site_id: str | None = None) -> list[Visit]:
        """Visits, newest first."""
        from fsfield.domain.models import Visit

        if site_id is not None:
            return list(self.visits_newest_first(site_id))
        return sorted(self.all(Visit), key=lambda v: (v.date, v.created_at or v.date),
                      reverse=True)

    def visits_newest_first(self, site_id: str) -> Iterator[Visit]:
        """The site's visits newest first (a day's by creation time), each built only when the
        caller reaches it: ordered by the summary's date."""
        from fsfield.domain.models import Visit

        rows = sorted(((values[1] or "", record_id)
                       for record_id, values in self._site_rows("visit", site_id)), reverse=True)
        for _, day in itertools.groupby(rows, key=lambda row: row[0]):
            shown = self._built(Visit, site_id, [record_id for _, record_id in day])
            yield from sorted(shown, key=lambda v: (v.date, v.created_at or v.date), reverse=True)

    def _site_rows(self, kind: str, site_id: str) -> list[tuple[str, list[Any]]]:
        """The summary's rows of one site's records of ``kind`` (no document read)."""
        from fsfield.store.docformat import SUMMARY

        return [(r, values) for r, values in self.figures(kind, SUMMARY[kind])
                if values[0] == site_id]

    def _built(self, cls: type[R], site_id: str, record_ids: Iterable[str]) -> list[R]:
        """The models of ``record_ids`` that are live ``cls`` records of the site."""
        out = []
        for record_id in record_ids:
            model = self._materialise(record_id, cls.kind)
            if isinstance(model, cls) and not model.deleted and model.site_id == site_id:
                out.append(model)
        return out

    def followups(self, site_id: str | None = None) -> list[FollowUp]:
        """Follow-ups, open first, then by due date."""
        from fsfield.domain.models import FollowUp

        items = self.all(FollowUp) if site_id is None else self._built(
            FollowUp, site_id, (r for r, _ in self._site_rows("followup", site_id)))
        return sorted(
            items,
            key=lambda f: (f.status.is_closed, f.due or dt.date.max, f.created_at or dt.date.min),
        )

    def figures(self, kind: str, fields: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
        """``(record id, displayed values of fields)`` for every record of ``kind`` (deleted ones
        included), without building models. The home screen's fields of visits and follow-ups
        come from a saved summary (docformat.SUMMARY): no visit document is read to draw it."""
        return self._fmt.figures(kind, fields)

    def site_figures(self, today: dt.date) -> dict[str, SiteFigures]:
        """Per site id: last visit, open and overdue follow-ups, latest draft on ``today``
        (sites without any may be left out). Read from the saved per-site summary (one entry
        per site, store/summary.py); the old format folds them from every record."""
        from fsfield.store import summary

        if isinstance(self._fmt, DocFormat):
            return self._fmt.site_figures(today)
        return summary.figures_from_summaries(self.figures, today)

    def site_by_id_fs(self) -> dict[str, Site]:
        """Sites keyed by their directory id."""
        from fsfield.domain.models import Site

        return {s.id_fs: s for s in self.all(Site) if s.id_fs}

    # -- sync port ------------------------------------------------------------

    def outbox(self) -> list[Write]:
        """Own writes not yet acknowledged by the central store, in counter order."""
        return self._fmt.own_writes(self.device_id, self.meta("acked", 0), self._counter)

    def own_writes_after(self, counter: int) -> list[Write]:
        """Own writes above ``counter``, in counter order (a republish reads them all)."""
        return self._fmt.own_writes(self.device_id, counter, self._counter)

    @_exclusive
    def mark_sent(self, dots: Iterable[str]) -> None:
        """Acknowledge own writes once the central store holds them durably."""
        counters = [int(d.rsplit(":", 1)[1]) for d in dots if d.startswith(self.device_id + ":")]
        if counters:
            acked = max(max(counters), self.meta("acked", 0))
            with self.storage.batch():
                self.set_meta(acked=acked)
                self._fmt.sent(self.device_id, acked)

    @_exclusive
    def apply_remote(self, writes: Iterable[Write]) -> list[Write]:
        """Merge writes from elsewhere (union by dot); returns the ones that were new.

        Raises DotCollision (nothing changed) when a dot is known with other content.
        """
        writes = list(writes)
        with self.storage.batch():
            new = self._merge(writes)  # checks every collision before adding anything
            if not new:
                return []
            self.clock.observe_all([w.hlc for w in new])
            mine = counters_of(new, self.device_id)
            if mine:
                # Our own writes coming back (this data dir was restored from an old copy):
                # number new writes after them so no dot is ever reused.
                self._counter = max(self._counter, *mine)
            self._update_meta(counter=self._counter, hlc=list(self.clock.last))
        return new


def open_format(
    data_dir: Path, compact_min_bytes: int, owner: Callable[[], None], notices: list[str]
) -> DocFormat | LegacyFormat:
    """The data dir's store: format 3, converted first if it holds format 2 (see migrate.py);
    the old format kept in use, and the user told, if the conversion cannot be done."""
    from fsfield.store import migrate

    try:
        notice = migrate.migrate_if_needed(data_dir)
    except migrate.MigrationFailed as exc:
        notices.append(str(exc))
        return LegacyFormat(data_dir, compact_min_bytes, owner)
    if notice:
        notices.append(notice)
    return DocFormat(data_dir, compact_min_bytes, owner)


def open_store(data_dir: Path) -> Store:
    """Open (and lock) the store of a data dir."""
    return Store(data_dir)


__all__ = ["Store", "StoreError", "SaveFailed", "RecordNotFound", "open_store", "KINDS"]
