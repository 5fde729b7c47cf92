"""Sync from the TUI (`s`): ask for the central folder once, run a round, show what happened."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from fsfield.screens.base import AppAccess, FsScreen
from fsfield.screens.forms import TextPrompt
from fsfield.store.syncing import SyncFailed, SyncReport, central_path, run_sync


def start_sync(screen: FsScreen) -> None:
    """Sync now, asking for the central folder the first time."""
    if screen.store.settings.central:
        _run(screen, None)
        return

    def chosen(path: str | None) -> None:
        if path:
            _run(screen, path)

    screen.app.push_screen(
        TextPrompt("Dossier central (partage, dossier synchronisé, clé USB) ou serveur https://…"),
        chosen,
    )


def _run(screen: FsScreen, override: str | None) -> None:
    screen.notify("Synchronisation…", timeout=2)

    def go() -> None:
        store = screen.store
        try:
            report = run_sync(store, central_path(store, override))
        except SyncFailed as exc:
            screen.notify(str(exc), title="Synchronisation impossible", severity="error", timeout=12)
            return
        screen.app.push_screen(SyncResultScreen(report))

    # Let the "Synchronisation…" toast render before the (blocking, short) round.
    screen.call_after_refresh(go)


class SyncResultScreen(AppAccess, ModalScreen[None]):
    """Sent / received / conflicts, the files skipped, and `c` for the conflicts."""

    BINDINGS = [
        Binding("c", "conflicts", "Conflits", id="syncres.conflicts"),
        Binding("escape,enter", "close", "Fermer", id="syncres.close"),
    ]

    def __init__(self, report: SyncReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        r = self.report
        lines = [
            f"Envoyées : {r.sent} modification(s)",
            f"Reçues : {r.received} modification(s)",
            f"Conflits à régler : {r.conflicts}" + ("  → c pour les voir" if r.conflicts else ""),
        ]
        if r.server:
            lines.insert(0, f"Serveur : {r.server}")
        if r.refused:
            lines.append(f"Refusés par le serveur (gardés à envoyer) : {len(r.refused)}")
            lines += [f"  • {line}" for line in r.refused[:5]]
        if r.future:
            lines.append(f"⚠ {r.future} modification(s) datée(s) dans le futur : horloge déréglée ?")
        if r.problems:
            lines.append(f"Fichiers ignorés dans le dossier central (laissés en place) : {len(r.problems)}")
            lines += [f"  • {p}" for p in r.problems[:5]]
        with Vertical(classes="dialog"):
            yield Label("Synchronisation terminée", classes="dialog-title")
            yield Static("\n".join(lines), markup=False, id="sync-summary")
            yield Static("c : conflits — Entrée / Échap : fermer", classes="hint")

    def action_conflicts(self) -> None:
        from fsfield.screens.conflicts import ConflictsScreen

        self.dismiss(None)
        self.app.push_screen(ConflictsScreen())

    def action_close(self) -> None:
        self.dismiss(None)
        if isinstance(self.app.screen, FsScreen):
            self.app.screen.refresh_data()
