"""The app side of sync: the local store as a sync port, and one sync round with a report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fsfield.store.repo import Store
from fsfield.store.storage import StoreError
from sync.engine import sync_once
from sync.folder import FolderStore, StoreUnavailable
from sync.writes import Write


class SyncFailed(StoreError):
    """The round could not be done; nothing was marked sent that the central store lacks."""


class StorePort:
    """Adapts Store to sync.engine.LocalReplicaPort (cursor and ack kept in local meta)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def device_id(self) -> str:
        return self.store.device_id

    @property
    def scope(self) -> str:
        return self.store.settings.department

    @property
    def cursor(self) -> dict[str, int]:
        return dict(self.store.meta("cursor") or {})

    @cursor.setter
    def cursor(self, value: dict[str, int]) -> None:
        self.store.set_meta(cursor=dict(value))

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

    def summary(self) -> str:
        """One French line."""
        line = f"Envoyées : {self.sent} · Reçues : {self.received} · Conflits : {self.conflicts}"
        if self.problems:
            line += f" · Fichiers ignorés : {len(self.problems)}"
        return line

    def as_json(self) -> dict[str, int]:
        return {"sent": self.sent, "received": self.received, "conflicts": self.conflicts}


def central_path(store: Store, override: str | Path | None = None) -> Path:
    """The central store folder: ``override`` (remembered once a sync succeeds) or the last one."""
    if override:
        return Path(override).expanduser().resolve()
    if store.settings.central:
        return Path(store.settings.central)
    raise SyncFailed(
        "synchronisation non configurée : indiquez le dossier central une première fois, "
        "par exemple : fsfield sync --central /chemin/vers/le/partage"
    )


def run_sync(store: Store, central: Path) -> SyncReport:
    """One round: push the outbox durably, then pull and merge what others wrote."""
    if not store.settings.department:
        raise SyncFailed("département non configuré : fsfield config --departement 87")
    if store.unsaved:
        store.retry_save()  # never send what this laptop has not saved itself
    try:
        result = sync_once(StorePort(store), FolderStore(central))
    except StoreUnavailable as exc:
        raise SyncFailed(f"{exc}. Rien n'a été perdu : les modifications restent à envoyer.") from exc
    except OSError as exc:
        raise SyncFailed(
            f"Stockage central inaccessible : {central} ({exc.strerror or exc}). "
            "Rien n'a été perdu : les modifications restent à envoyer."
        ) from exc
    settings = store.settings
    if settings.central != str(central):
        settings.central = str(central)
        store.save_settings(settings)
    open_conflicts = {record for record, _, _ in store.replica.conflicts()}
    return SyncReport(
        sent=len(result.sent),
        received=len(result.received),
        conflicts=len(open_conflicts),
        problems=[f"{p.path} : {p.reason}" for p in result.problems],
        future=len(result.future),
    )
