"""Sync from the TUI (`s`)."""

from __future__ import annotations

from fsfield.screens.base import FsScreen


def start_sync(screen: FsScreen) -> None:
    """Sync with the central store, or say how to configure it."""
    screen.notify(
        "Synchronisation pas encore configurée : vos modifications sont gardées et seront "
        "envoyées à la première synchronisation.",
        title="Synchronisation",
        severity="warning",
    )
