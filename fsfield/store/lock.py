"""One process per data dir: an OS-level lock released when the process dies."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from fsfield.domain.messages import describe_os_error
from fsfield.store.storage import StoreError

LOCK_NAME = "fsfield.lock"


class StoreLocked(StoreError):
    """Another fsfield process holds this data dir."""


class DataDirLock:
    """Exclusive lock on a data dir (flock on POSIX, msvcrt on Windows, via filelock)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        # is_singleton=False: a second open in the same process must fail like a second process.
        self._lock = FileLock(self.path, timeout=0, is_singleton=False, thread_local=False)

    def acquire(self) -> None:
        """Take the lock or raise StoreLocked with a message for the user."""
        try:
            self._lock.acquire()
        except Timeout:
            raise StoreLocked(
                f"fsfield est déjà ouvert sur ce dossier de données ({self.path.parent}). "
                "Fermez l'autre fenêtre fsfield, ou choisissez un autre dossier avec --data-dir."
            ) from None
        except OSError as exc:
            raise StoreError(
                f"Impossible d'utiliser le dossier de données {self.path.parent} : "
                f"{describe_os_error(exc)}. Vérifiez qu'il existe et qu'il est accessible en écriture."
            ) from exc

    def release(self) -> None:
        """Release the lock (idempotent)."""
        self._lock.release()
