"""Sync from the TUI (`s`): the central folder shown (and changeable), a round run in a worker
with its progress, then what happened.

The round runs in a thread; every part of it that reads or changes the local store runs on the
main thread through the app's save guard (`FsFieldApp.save`), so that a failed save is shown as
NON ENREGISTRÉ and retried like any edit, and the round stops before pushing anything more.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from fsfield.domain.messages import how_many
from fsfield.screens.base import AppAccess, FsScreen
from fsfield.screens.forms import ConfirmDialog, TextPrompt
from fsfield.store import messages
from fsfield.store.storage import SaveFailed
from fsfield.store.syncing import SyncFailed, SyncReport, central_path, run_sync

PROMPT = "Dossier central (partage, dossier synchronisé, clé USB) ou serveur https://…"
MAX_PROBLEM_LINES = 5


def start_sync(screen: FsScreen) -> None:
    """Open the sync screen; it syncs right away when the central folder is known."""
    screen.app.push_screen(SyncScreen())


class SyncScreen(AppAccess, ModalScreen[None]):
    """The central folder, the round's progress and its result."""

    BINDINGS = [
        Binding("d", "change_folder", "Changer de dossier central", id="sync.folder"),
        Binding("r", "again", "Relancer", id="sync.again"),
        Binding("c", "conflicts", "Conflits", id="sync.conflicts"),
        Binding("escape,enter", "close", "Fermer", id="sync.close"),
    ]

    class Progress(Message):
        """Batches read so far in the running round."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        """The round ended: a report, or the French reason it could not be done."""

        def __init__(self, report: SyncReport | None, error: str = "", code: str = "") -> None:
            super().__init__()
            self.report, self.error, self.code = report, error, code

    def __init__(self) -> None:
        super().__init__()
        self.central: Path | str | None = None
        self.running = False
        self.report: SyncReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Synchronisation", classes="dialog-title")
            yield Static("", id="sync-central", markup=False)
            yield Static("", id="sync-summary", markup=False)
            yield Static(
                "d : autre dossier — r : relancer — c : conflits — Échap : fermer",
                classes="hint",
            )

    def on_mount(self) -> None:
        store = self.store
        if store.settings.central:
            self.central = central_path(store)
            self._start(create=False)
        else:
            self._show_central()
            self._status("Aucun dossier central choisi.")
            self.action_change_folder()

    # -- running ------------------------------------------------------------

    def _show_central(self) -> None:
        if isinstance(self.central, str):  # a sync server's address
            text = f"Serveur central : {self.central}"
        else:
            text = f"Dossier central : {self.central}" if self.central else "Dossier central : —"
        self.query_one("#sync-central", Static).update(text)

    def _status(self, text: str) -> None:
        self.query_one("#sync-summary", Static).update(text)

    def _start(self, create: bool) -> None:
        if self.central is None or self.running:
            return
        self.running = True
        self.report = None
        self._show_central()
        self._status("Synchronisation en cours…")
        self._round(self.central, create)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def _round(self, central: Path | str, create: bool) -> None:
        app = self.app
        last = [-1]

        def progress(done: int, total: int) -> None:
            step = max(1, total // 50)
            if done == total or done - last[0] >= step:
                last[0] = done
                self.post_message(self.Progress(done, total))

        def local_step(fn: Callable[[], Any]) -> Any:
            return app.call_from_thread(self._guarded, fn)

        try:
            report = run_sync(
                self.store, central, create=create, progress=progress, local_step=local_step
            )
        except SyncFailed as exc:
            self.post_message(self.Finished(None, str(exc), exc.code))
        except SaveFailed:
            self.post_message(self.Finished(None, messages.LOCAL_SAVE_FAILED, "local_save"))
        except Exception as exc:  # never a crash, never a screen left waiting
            self.post_message(self.Finished(None, messages.unexpected(exc), "unexpected"))
        else:
            self.post_message(self.Finished(report))

    def _guarded(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` through the save guard, as one durable save; raise SaveFailed (the change
        kept in memory, NON ENREGISTRÉ shown and retried) so that the round stops there."""
        store = self.store
        out: list[Any] = []

        def change() -> None:
            with store.batch():
                out.append(fn())

        self.app.save(change)  # type: ignore[attr-defined]
        if store.unsaved:
            raise SaveFailed(messages.LOCAL_SAVE_FAILED)
        return out[0] if out else None

    def on_sync_screen_progress(self, event: SyncScreen.Progress) -> None:
        self._status(f"Synchronisation en cours… lots lus : {event.done} / {event.total}")

    def on_sync_screen_finished(self, event: SyncScreen.Finished) -> None:
        self.running = False
        if event.report is None:
            if event.code == "new_store_refused":
                self._ask_new_store()
                return
            self._status(f"Synchronisation impossible.\n{event.error}")
            return
        self.report = event.report
        self._status("\n".join(_lines(event.report)))

    def _ask_new_store(self) -> None:
        self._status("Ce dossier est vide.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(create=True)
            else:
                self._status("Rien n'a été fait. d : choisir un autre dossier.")

        self.app.push_screen(
            ConfirmDialog(
                f"{self.central} est vide. En faire le nouveau dossier central et y republier "
                "toutes les écritures de cet ordinateur ?"
            ),
            answered,
        )

    # -- actions ------------------------------------------------------------

    def action_change_folder(self) -> None:
        if self.running:
            self.notify("Synchronisation en cours : attendez sa fin.", timeout=3)
            return

        def chosen(path: str | None) -> None:
            if path:
                self.central = central_path(self.store, path)
                self._start(create=False)

        self.app.push_screen(TextPrompt(PROMPT, str(self.central or "")), chosen)

    def action_again(self) -> None:
        self._start(create=False)

    def action_conflicts(self) -> None:
        if self.running:
            return
        from fsfield.screens.conflicts import ConflictsScreen

        self.dismiss(None)
        self.app.push_screen(ConflictsScreen())

    def action_close(self) -> None:
        if self.running:
            self.notify("Synchronisation en cours : attendez sa fin.", timeout=3)
            return
        self.dismiss(None)
        if isinstance(self.app.screen, FsScreen):
            self.app.screen.refresh_data()


def _lines(r: SyncReport) -> list[str]:
    lines = ["Synchronisation terminée."]
    if r.server:
        lines.append(f"Serveur : {r.server}")
    if r.notice:
        lines.append(r.notice[0].upper() + r.notice[1:] + ".")
    lines += [
        f"Envoyées : {how_many(r.sent, 'modification')}",
        f"Reçues : {how_many(r.received, 'modification')}",
        f"Conflits à régler : {r.conflicts}" + ("  → c pour les voir" if r.conflicts else ""),
    ]
    if r.refused:
        lines.append(f"Refusés par le serveur (gardés à envoyer) : {len(r.refused)}")
        lines += [f"  • {line}" for line in r.refused[:MAX_PROBLEM_LINES]]
    if r.future:
        lines.append(f"⚠ {how_many(r.future, 'modification datée', 'modifications datées')} "
                     "dans le futur : horloge déréglée ?")
    if r.problems:
        lines.append(r.problems_summary)
        lines += [f"  • {p}" for p in r.problems[:MAX_PROBLEM_LINES]]
        if len(r.problems) > MAX_PROBLEM_LINES:
            lines.append(f"  … et {how_many(len(r.problems) - MAX_PROBLEM_LINES, 'autre')}")
    return lines
