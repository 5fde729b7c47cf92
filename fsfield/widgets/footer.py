"""The key footer of every screen: whole keys only, never one drawn over another.

Textual's footer docks the palette key on the right, over the last keys when they do not fit
(`r R▏^p paletteR` at 80 columns), and lets the rest run off the edge. This one shows the keys
that fit, in order, always keeping `Échap` (back) and `?` (help, which lists every key and
Ctrl+P); the palette key is left to the help screen.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KEPT = {"escape", "question_mark"}


def key_width(key: FooterKey) -> int:
    """Columns a compact footer key takes, its right margin included."""
    description = f" {key.description}" if key.description else ""
    return cell_len(key.key_display + description) + 1


def fitting(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """The keys to show in ``width`` columns: the kept ones, then the others in order. When
    they do not all fit, a key shown as alternatives (``Tab/Maj+Tab``) shows its first one."""
    if sum(key_width(k) for k in keys) > width:
        for key in keys:
            if "/" in key.key_display.strip("/"):
                key.key_display = key.key_display.split("/")[0]
    room = width - sum(key_width(k) for k in keys if k.key in KEPT)
    shown = []
    for key in keys:
        if key.key in KEPT:
            shown.append(key)
        elif key_width(key) <= room:
            room -= key_width(key)
            shown.append(key)
        else:
            room = 0  # keep the order: nothing after a key that did not fit
    return shown


class FsFooter(Footer):
    """Compact footer that fits its width (see the module doc)."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._width = 0

    def compose(self) -> ComposeResult:
        keys = list(super().compose())  # fsfield uses no binding groups: plain FooterKeys
        self._width = self.size.width or self.app.size.width
        if all(isinstance(k, FooterKey) for k in keys):
            keys = fitting(keys, self._width)  # type: ignore[arg-type]
        for key in keys:
            # Born compact: otherwise each key's first compact watcher adds the class after
            # mount and restyles the key (a CSS pass per key at every start-up).
            key.set_class(True, "-compact", update=False)
        yield from keys

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width and self._bindings_ready:
            self.call_after_refresh(self.recompose)
