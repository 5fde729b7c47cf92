"""The app side of sync: the local store as a sync port, and one sync round with a report."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsfield.store import messages
from fsfield.store.repo import Store
from fsfield.store.storage import StoreError
from sync.engine import CentralState, CentralStore, CursorStore, LocalStep, Progress, sync_once
from sync.folder import FolderStore, StoreUnavailable
from sync.writes import Write, gc_paused


class SyncFailed(StoreError):
    """The round could not be done; nothing was marked sent that the central store lacks.

    ``code`` is the central store's reason when it was unavailable (e.g. ``new_store_refused``:
    the folder is empty and the caller did not allow making it a store)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


CENTRAL_TABLE = "central_state"
"""Local table: one document per central store (``{"store": id, "state": {...}}``), what this
laptop knows of it (``sync.engine.CentralState``). Not in meta, which is journaled with every
edit, while this only changes with a sync."""


class StorePort:
    """Adapts Store to sync.engine.LocalReplicaPort."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def device_id(self) -> str:
        return self.store.device_id

    @property
    def scope(self) -> str:
        return _setting(self.store, "department")

    def _doc(self, store_id: str) -> tuple[int | None, dict[str, Any]]:
        for doc in self.store.db.table(CENTRAL_TABLE).all():
            if doc.get("store") == store_id:
                return doc.doc_id, dict(doc)
        return None, {}

    def central_state(self, store_id: str) -> CentralState | None:
        return CentralState.from_json(self._doc(store_id)[1].get("state"))

    def save_central_state(self, store_id: str, state: CentralState) -> None:
        doc_id, doc = self._doc(store_id)
        new = state.to_json()
        if doc.get("state") == new:
            return  # a round with nothing new saves nothing
        table = self.store.db.table(CENTRAL_TABLE)
        if doc_id is None:
            table.insert({"store": store_id, "state": new})
        else:
            table.update({"state": new}, doc_ids=[doc_id])

    def own_writes_after(self, counter: int) -> list[Write]:
        return self.store.own_writes_after(counter)

    def held(self) -> Iterable[Write]:
        return iter(self.store.replica)

    def outbox(self) -> list[Write]:
        return self.store.outbox()

    def mark_sent(self, dots: Iterable[str]) -> None:
        self.store.mark_sent(dots)

    def apply_remote(self, writes: list[Write]) -> list[Write]:
        return self.store.apply_remote(writes)

    def has_conflict(self, record: str) -> bool:
        return self.store.replica.has_conflict(record)


@dataclass
class SyncReport:
    """What a round did, in numbers and French lines for the user."""

    central: Path | str = field(default_factory=Path)
    sent: int = 0
    received: int = 0
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)
    """One French line per file left in place (a foreign file, a bad batch...)."""
    problems_summary: str = ""
    future: int = 0
    republished: int = 0
    notice: str = ""
    """What happened to the store, when something did (new store, lost batches)."""
    refused: list[str] = field(default_factory=list)
    """French lines, one per record whose writes the server refused (they stay to send)."""
    server: str = ""
    """For a server store: its address and as whom (``https://… — Anne (animator, 87)``)."""

    def summary(self) -> str:
        """One French line."""
        line = f"Envoyées : {self.sent} · Reçues : {self.received} · Conflits : {self.conflicts}"
        if self.refused:
            line += f" · Refusés par le serveur : {len(self.refused)}"
        if self.problems:
            line += f" · Fichiers ignorés : {len(self.problems)}"
        return line

    def as_json(self) -> dict[str, int]:
        return {"sent": self.sent, "received": self.received, "conflicts": self.conflicts}


def central_path(store: Store, override: str | Path | None = None) -> Path | str:
    """The central store: ``override`` (remembered once a sync succeeds) or the last one; a
    folder (a Path) or a server's address (``https://…``, kept as a str)."""
    if override:
        if is_server_url(str(override)):
            return str(override)
        return Path(override).expanduser().absolute()
    central = _setting(store, "central")
    if central:
        return central if is_server_url(central) else Path(central)
    raise SyncFailed(messages.NOT_CONFIGURED)


def _setting(store: Store, name: str) -> str:
    """A saved setting as text, read without building the settings model: a sync needs only
    the département, the central store and the token, and the model would import pydantic."""
    value = store.setting(name, None)
    return value if isinstance(value, str) else ""


TOKEN_ENV = "FSFIELD_SYNC_TOKEN"


def is_server_url(central: str) -> bool:
    """True when a ``--central`` value names a sync server, not a folder (sync.http says the
    same; not imported here, so that a folder sync does not load the HTTP client)."""
    return central.startswith(("https://", "http://"))


def open_central(store: Store, central: Path | str) -> CentralStore | CursorStore:
    """The central store ``central`` names: a server (``https://…``, with this person's token
    from ``$FSFIELD_SYNC_TOKEN`` or ``fsfield config --jeton``) or a folder."""
    if isinstance(central, str) and is_server_url(central):
        token = os.environ.get(TOKEN_ENV) or _setting(store, "sync_token")
        if not token:
            raise SyncFailed(messages.no_token(central, TOKEN_ENV))
        from sync.http import HttpCentralStore

        return HttpCentralStore(central, token)
    return FolderStore(Path(central))


def _in_batch(store: Store) -> LocalStep:
    def step(fn: Callable[[], Any]) -> Any:
        with store.storage.batch():  # one durable save per step
            return fn()

    return step


def run_sync(
    store: Store,
    central: Path | str,
    *,
    create: bool = True,
    progress: Progress | None = None,
    local_step: LocalStep | None = None,
) -> SyncReport:
    """One round: read what others wrote, merge it, publish what the central store lacks.

    ``create``: an empty folder may become a new central store (else ``SyncFailed`` with code
    ``new_store_refused``). ``local_step`` runs the parts that read or change the local store
    (default: here, each in one durable save); a ``SaveFailed`` from it stops the round before
    anything more is pushed, the change kept in memory.
    """
    # A first sync builds an object per write and field, none in a cycle: the cyclic GC is
    # paused for the round and resumes (visiting them once) after it, as after any bulk load.
    with gc_paused():
        return _sync_round(store, central, create, progress, local_step or _in_batch(store))


def _sync_round(
    store: Store,
    central: Path | str,
    create: bool,
    progress: Progress | None,
    local_step: LocalStep,
) -> SyncReport:
    if not _setting(store, "department"):
        raise SyncFailed(messages.NO_DEPARTMENT)
    if store.unsaved:
        local_step(store.retry_save)  # never send what this laptop has not saved itself
    central_store = open_central(store, central)
    folder = central_store if isinstance(central_store, FolderStore) else None
    server = ""
    try:
        try:
            if folder is None:  # a sync server: say which, and as whom
                who = central_store.info()["token"]  # type: ignore[union-attr]
                server = messages.server_as(str(central), who)
            result = sync_once(
                StorePort(store), central_store, create=create, progress=progress,
                local_step=local_step,
            )
        finally:
            if folder is None:
                central_store.close()  # type: ignore[union-attr]
    except StoreUnavailable as exc:
        text = messages.unavailable(exc)
        raise SyncFailed(f"{text}. {messages.NOTHING_LOST}", exc.code) from exc
    except OSError as exc:  # pragma: no cover - FolderStore turns OSError into StoreUnavailable
        unavailable = StoreUnavailable(Path(central), "other", errno=exc.errno or 0)
        text = messages.unavailable(unavailable)
        raise SyncFailed(f"{text}. {messages.NOTHING_LOST}") from exc

    def remember() -> None:
        if _setting(store, "central") != str(central):  # remembered once a sync succeeds
            settings = store.settings
            settings.central = str(central)
            store.save_settings(settings)

    local_step(remember)
    open_conflicts = local_step(lambda: {r for r, _, _ in store.replica.conflicts()})
    if result.created:
        notice = messages.new_store(len(result.sent), result.republished > 0)
    elif result.gone and result.republished:
        notice = messages.store_lacked(result.republished, result.gone)
    elif result.full and result.republished:
        if folder is None:
            notice = messages.server_newcomer(result.republished)
        else:
            notice = messages.newcomer(result.republished)
    else:
        notice = ""
    root = folder.root if folder is not None else None
    return SyncReport(
        central=central,
        sent=len(result.sent),
        received=len(result.received),
        conflicts=len(open_conflicts),
        problems=[messages.problem_line(p, root) for p in result.problems],
        problems_summary=messages.problems_summary(result.problems) if result.problems else "",
        future=len(result.future),
        republished=result.republished,
        notice=notice,
        refused=messages.refused_lines(result.refused),
        server=server,
    )
