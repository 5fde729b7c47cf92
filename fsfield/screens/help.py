"""Help (`?`): every key of the screen it was opened from, and the global ones."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

ANSWER_HELP = (
    "Réponses : 1 Conforme · 2 À améliorer · 3 Non conforme · 4 Sans objet · 0 Non vérifié"
)


def key_label(key: str) -> str:
    names = {"question_mark": "?", "slash": "/", "escape": "Échap", "enter": "Entrée",
             "shift+tab": "Maj+Tab", "tab": "Tab", "ctrl+p": "Ctrl+P", "up": "↑", "down": "↓",
             "ctrl+s": "Ctrl+S", "delete": "Suppr"}
    return names.get(key, key)


class HelpScreen(ModalScreen[None]):
    """Lists the active bindings of ``screen`` with their descriptions."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Fermer", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._target = screen

    def compose(self) -> ComposeResult:
        lines = [f"[b]Aide — {self._target.sub_title or self._target.title or 'fsfield'}[/b]", ""]
        seen = set()
        for key, active in self._target.active_bindings.items():
            binding = active.binding
            if not isinstance(active.node, (Screen, App)):
                continue  # a widget's own keys (cursor moves…) are standard
            if not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            shown = binding.key_display or key_label(key)
            tip = f" — {binding.tooltip}" if binding.tooltip else ""
            lines.append(f"  [b]{shown:>8}[/b]  {binding.description}{tip}")
        lines += ["", f"  {ANSWER_HELP}" if getattr(self._target, "SHOWS_ANSWERS", False) else "",
                  "  [b]  Ctrl+P[/b]  palette de commandes (toutes les actions)",
                  "", "Échap pour fermer."]
        with VerticalScroll(id="help-body"):
            yield Static("\n".join(lines))
