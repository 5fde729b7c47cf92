"""The Enregistré / NON ENREGISTRÉ indicator, fed by the app's save state."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class SaveStatus(Static):
    """Shows whether every change is on disk. Attribute down: ``saved``."""

    saved: reactive[bool] = reactive(True)

    def on_mount(self) -> None:
        # A screen pushed while a save is pending must not claim "Enregistré".
        self.saved = getattr(self.app, "saved", True)

    def render(self) -> str:
        return "● Enregistré" if self.saved else "▲ NON ENREGISTRÉ — nouvel essai…"

    def watch_saved(self, saved: bool) -> None:
        self.set_class(not saved, "-unsaved")
