"""Help (`?`): every key of the screen it was opened from, and the global ones."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from fsfield.screens import messages as msg
from fsfield.screens.textual_fr import describe, key_display, listed_bindings

ANSWER_HELP = msg.HELP_ANSWERS


class HelpScreen(ModalScreen[None]):
    """Lists the active bindings of ``screen`` with their descriptions."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Fermer", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._target = screen

    def help_lines(self) -> list[str]:
        """The lines shown (Rich markup)."""
        bars = self._target.query(".title-bar")
        title = (getattr(bars.first(), "text", "") if bars else "") or self._target.title
        title = title or "fsfield"
        lines = [f"[b]{escape(msg.HELP_TITLE.format(title=title))}[/b]", ""]
        rows = [(key_display(listed.binding), listed.binding)
                for listed in listed_bindings(self._target)
                if listed.binding.action not in {"command_palette", "app.command_palette"}]
        width = max([8, *(len(key) for key, _ in rows)])  # one right-aligned column of keys
        for key, binding in rows:
            tip = f" — {binding.tooltip}" if binding.tooltip else ""
            pad = " " * (width - len(key))
            lines.append(f"  [b]{pad}{escape(key)}[/b]  {escape(describe(binding) + tip)}")
        if getattr(self._target, "SHOWS_ANSWERS", False):
            lines += ["", f"  {ANSWER_HELP}"]
        lines += ["", f"  [b]{'Ctrl+P':>{width}}[/b]  {msg.HELP_PALETTE}", "", msg.HELP_CLOSE]
        return lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static("\n".join(self.help_lines()))
