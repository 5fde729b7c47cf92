"""The app side of sync: the local store as a sync port, and one sync round with a report."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fsfield.store.repo import Store
from fsfield.store.storage import StoreError
from sync.engine import CentralStore, RefusedWrite, sync_once
from sync.folder import FolderStore, StoreUnavailable
from sync.writes import Write, gc_paused


class SyncFailed(StoreError):
    """The round could not be done; nothing was marked sent that the central store lacks."""


CURSOR_TABLE = "central_cursor"
"""Local table (doc 1): the last batch read per device. Not in meta, which is journaled with
every edit, while the cursor (one entry per device of the country) only changes with a sync."""
HINTS_TABLE = "central_hints"
"""Local table (doc 1) of the folder store's listing hints: ``{"root": path, "devices": {...}}``.
Not in meta: meta is saved with every edit, and the hints only change with a sync."""


def _saved_hints(store: Store) -> dict[str, object]:
    return dict(store.db.table(HINTS_TABLE).get(doc_id=1) or {})


class StorePort:
    """Adapts Store to sync.engine.LocalReplicaPort (cursor in a local table, ack in meta).

    With ``folder``, its listing hints are saved with the cursor (see ``FolderStore.pull``).
    """

    def __init__(self, store: Store, folder: FolderStore | None = None) -> None:
        self.store = store
        self.folder = folder

    @property
    def device_id(self) -> str:
        return self.store.device_id

    @property
    def scope(self) -> str:
        return self.store.settings.department

    @property
    def cursor(self) -> dict[str, int]:
        doc = self.store.db.table(CURSOR_TABLE).get(doc_id=1) or {}
        return dict(doc.get("cursor") or {})

    @cursor.setter
    def cursor(self, value: dict[str, int]) -> None:
        # A round with nothing new saves nothing.
        if value != self.cursor:
            table = self.store.db.table(CURSOR_TABLE)
            with self.store.storage.batch():
                table.truncate()
                table.insert({"cursor": dict(value)})
        if self.folder is not None:
            hints = {
                "root": str(self.folder.root),
                "devices": {d: list(h) for d, h in sorted(self.folder.hints.items())},
            }
            if hints != _saved_hints(self.store):
                table = self.store.db.table(HINTS_TABLE)
                table.truncate()
                table.insert(hints)

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

    sent: int = 0
    received: int = 0
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)
    future: int = 0
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
        return Path(override).expanduser().resolve()
    if store.settings.central:
        central = store.settings.central
        return central if is_server_url(central) else Path(central)
    raise SyncFailed(
        "synchronisation non configurée : indiquez le dossier central une première fois, "
        "par exemple : fsfield sync --central /chemin/vers/le/partage"
    )


TOKEN_ENV = "FSFIELD_SYNC_TOKEN"


def is_server_url(central: str) -> bool:
    """True when a ``--central`` value names a sync server, not a folder (sync.http says the
    same; not imported here, so that a folder sync does not load the HTTP client)."""
    return central.startswith(("https://", "http://"))


def open_central(store: Store, central: Path | str) -> CentralStore:
    """The central store ``central`` names: a server (``https://…``, with this person's token
    from ``$FSFIELD_SYNC_TOKEN`` or ``fsfield config --jeton``) or a folder."""
    if isinstance(central, str) and is_server_url(central):
        token = os.environ.get(TOKEN_ENV) or store.settings.sync_token
        if not token:
            raise SyncFailed(
                f"jeton absent pour {central} : fsfield config --jeton VOTRE_JETON "
                f"(ou la variable {TOKEN_ENV}). Rien n'a été perdu."
            )
        from sync.http import HttpCentralStore

        return HttpCentralStore(central, token)
    saved = _saved_hints(store)
    hints = saved.get("devices") if saved.get("root") == str(central) else None
    return FolderStore(Path(central), hints=hints if isinstance(hints, dict) else None)


def _refused_lines(refused: list[RefusedWrite]) -> list[str]:
    """One French line per refused record: which, why, how many writes stay to send."""
    by_record: dict[str, list[RefusedWrite]] = {}
    for r in refused:
        by_record.setdefault(r.record, []).append(r)
    return [
        f"{record} : {rs[0].message} ({len(rs)} modification(s))"
        for record, rs in sorted(by_record.items())
    ]


def run_sync(store: Store, central: Path | str) -> SyncReport:
    """One round: push the outbox durably, then pull and merge what others wrote."""
    # A first sync builds an object per write and field, none in a cycle: the cyclic GC is
    # paused for the round and resumes (visiting them once) after it, as after any bulk load.
    with gc_paused():
        return _sync_round(store, central)


def _sync_round(store: Store, central: Path | str) -> SyncReport:
    if not store.settings.department:
        raise SyncFailed("département non configuré : fsfield config --departement 87")
    if store.unsaved:
        store.retry_save()  # never send what this laptop has not saved itself
    central_store = open_central(store, central)
    folder = central_store if isinstance(central_store, FolderStore) else None
    server = ""
    try:
        # One durable save for the whole round (acks, received writes, cursor): if it is lost,
        # the round is simply redone (pushing or reading a batch twice changes nothing).
        try:
            with store.storage.batch():
                if folder is None:  # a sync server: say which, and as whom
                    who = central_store.info()["token"]  # type: ignore[attr-defined]
                    server = f"{central} — {who['name']} ({who['role']}, {who['department'] or 'tous'})"
                result = sync_once(StorePort(store, folder), central_store)
                settings = store.settings
                if settings.central != str(central):  # remembered once a sync succeeds
                    settings.central = str(central)
                    store.save_settings(settings)
        finally:
            if folder is None:
                central_store.close()  # type: ignore[attr-defined]
            if store.unsaved:
                store.retry_save()  # keep what was acknowledged before a failure
    except StoreUnavailable as exc:
        raise SyncFailed(f"{exc}. Rien n'a été perdu : les modifications restent à envoyer.") from exc
    except OSError as exc:
        raise SyncFailed(
            f"Stockage central inaccessible : {central} ({exc.strerror or exc}). "
            "Rien n'a été perdu : les modifications restent à envoyer."
        ) from exc
    open_conflicts = {record for record, _, _ in store.replica.conflicts()}
    return SyncReport(
        sent=len(result.sent),
        received=len(result.received),
        conflicts=len(open_conflicts),
        problems=[f"{p.path} : {p.reason}" for p in result.problems],
        future=len(result.future),
        refused=_refused_lines(result.refused),
        server=server,
    )
