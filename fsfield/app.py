"""The Textual app: global keys, command palette, screen routing, the save guard."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from fsfield.screens import messages as msg
from fsfield.screens import textual_fr
from fsfield.store.repo import Store
from fsfield.store.storage import SaveFailed, StoreError
from fsfield.widgets.save_status import SaveStatus

T = TypeVar("T")
RETRY_SECONDS = 2.0


class FsFieldApp(App[int]):
    """fsfield's TUI. Screens read and change data only through ``self.store``."""

    CSS_PATH = "app.tcss"
    TITLE = "fsfield"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Aide", id="app.help", tooltip="Liste des touches"),
        Binding("ctrl+q", "quit", "Quitter", show=False, id="app.quit", priority=True),
        # Replaces Textual's own (English) palette binding.
        Binding("ctrl+p", "command_palette", msg.PALETTE_BINDING, show=False, priority=True,
                id="app.palette", tooltip=msg.PALETTE_TOOLTIP),
    ]

    saved: reactive[bool] = reactive(True)

    def __init__(self, store: Store, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__()
        self.store = store
        self.today = today
        self._retry: Timer | None = None

    def on_mount(self) -> None:
        for message in self.store.recovery.messages:
            self.notify(message, title=msg.RESTORED_TITLE, severity="warning", timeout=30)
        from fsfield.screens.sites import SitesScreen

        self.push_screen(SitesScreen())
        self.call_after_refresh(_collect_from_now_on)
        if not self.store.configured:
            from fsfield.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())

    # -- saving -------------------------------------------------------------

    def save(self, change: Callable[[], T]) -> T | None:
        """Run a store change. If the disk refuses it, the change stays in memory and on
        screen, the indicator turns red, and saving is retried until it succeeds."""
        try:
            result = change()
        except SaveFailed as exc:
            self._failed(str(exc))
            return None
        if self.store.unsaved:
            # An earlier failed save is still pending: this change rides on it.
            self._schedule_retry()
        else:
            self.saved = True
        return result

    def _failed(self, message: str) -> None:
        if self.saved:
            self.notify(message, title=msg.UNSAVED_TITLE, severity="error", timeout=10)
        self.saved = False
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry is None:
            self._retry = self.set_interval(RETRY_SECONDS, self.retry_save)

    def retry_save(self) -> bool:
        """Try to save what is pending; returns True once everything is on disk."""
        try:
            self.store.retry_save()
        except SaveFailed:
            self.saved = False
            return False
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        if not self.saved:
            self.notify(msg.ALL_SAVED, title=msg.SAVED_TITLE)
        self.saved = True
        return True

    def watch_saved(self, saved: bool) -> None:
        for indicator in self.screen.query(SaveStatus):
            indicator.saved = saved

    def on_screen_resume(self) -> None:
        self.watch_saved(self.saved)

    # -- global actions -----------------------------------------------------

    def action_help(self) -> None:
        from fsfield.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_key_display(self, binding: Binding) -> str:
        """Key names in French (footer, help, palette): Échap, Entrée, Maj+Tab…"""
        return textual_fr.key_display(binding)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not textual_fr.FrenchCommandPalette.is_open(self):
            self.push_screen(textual_fr.FrenchCommandPalette())

    def action_help_quit(self) -> None:
        """Ctrl+C (Textual tells how to quit, in English otherwise)."""
        self.notify(msg.QUIT_HOW.format(key="Ctrl+Q"), title=msg.QUIT_HOW_TITLE)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette command (the same list as help)."""
        for listed in textual_fr.listed_bindings(screen):
            binding = listed.binding
            if binding.action in {"command_palette", "app.command_palette", "quit", "app.quit"}:
                continue
            yield SystemCommand(
                textual_fr.describe(binding),
                binding.tooltip or msg.KEY_HINT.format(key=textual_fr.key_display(binding)),
                partial(self._run_on, listed.node, binding.action),
            )
        yield SystemCommand(msg.PALETTE_QUIT, msg.PALETTE_QUIT_HELP, self.action_quit)

    def _run_on(self, node: object, action: str) -> None:
        self.call_later(self.run_action, action, node)

    async def action_quit(self) -> None:
        # A data dir lost to another process is never saved to again: quitting is the way out.
        if self.store.unsaved and not self.store.lost and not self.retry_save():
            self.notify(
                msg.QUIT_REFUSED,
                title=msg.QUIT_REFUSED_TITLE,
                severity="error",
                timeout=15,
            )
            return
        self.exit(0)


def _collect_from_now_on() -> None:
    gc.freeze()  # what start-up built lives as long as the app
    gc.enable()


def run_app(data_dir: Path) -> int:
    """Open the store (locked) and run the TUI; returns the exit code."""
    # Start-up allocates many long-lived objects (writes, models, widgets): collecting them
    # over and over is wasted time. The collector comes back, with them frozen, at first paint.
    gc.disable()
    try:
        store = Store(data_dir)
    except StoreError as exc:
        print(f"fsfield : {exc}", file=sys.stderr)
        return 1
    try:
        result = FsFieldApp(store).run()
    finally:
        try:
            notices = store.close()
        except SaveFailed as exc:  # only a data dir lost to another process gets here
            notices = [str(exc)]
        for notice in notices:
            print(f"fsfield : {notice}", file=sys.stderr)
    return result or 0
