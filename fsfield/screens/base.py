"""What every fsfield screen shares: the store, the save wrapper, the title bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from fsfield.widgets.save_status import SaveStatus

if TYPE_CHECKING:
    from fsfield.app import FsFieldApp
    from fsfield.store.repo import Store

T = TypeVar("T")


class TitleBar(Horizontal):
    """One line: screen title on the left, save indicator on the right."""

    def __init__(self, title: str) -> None:
        super().__init__(classes="title-bar")
        self._title = title
        self.text = title  #: the title shown (the help screen names the screen with it)

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title", markup=False)
        yield SaveStatus()

    def set_title(self, title: str) -> None:
        self.text = title
        self.query_one(".title", Static).update(title)


class AppAccess:
    """Typed access to the fsfield app, its store and its save guard (screens and dialogs)."""

    app: App

    @property
    def fs(self) -> FsFieldApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> Store:
        return self.fs.store

    def today(self) -> dt.date:
        return self.fs.today()

    def save(self, change: Callable[[], T]) -> T | None:
        """Run a store change; on a failed save the app warns and retries (see FsFieldApp.save)."""
        return self.fs.save(change)


class FsScreen(AppAccess, Screen):
    """Base screen; re-reads its data when it comes back to the front."""

    _shown_once = False

    def on_screen_resume(self) -> None:
        # The first resume follows on_mount, which has just read everything.
        if self._shown_once:
            self.refresh_data()
        self._shown_once = True

    def refresh_data(self) -> None:
        """Re-read what the screen shows from the store (override)."""
