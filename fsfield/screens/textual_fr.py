"""Textual's own words, in French: key names, built-in binding descriptions, the palette.

Textual has no translation hook for these, so:

- key names go through ``App.get_key_display`` (a public hook) -> :func:`key_display`;
- built-in binding descriptions ("Focus Next", "Cursor down"…) are translated wherever fsfield
  lists bindings (help screen, palette) by :func:`describe`, keyed on Textual's English text: a
  Textual upgrade that rewords one brings English back, and tests/tui/test_french.py fails;
- the command palette's placeholder is a constructor argument; its "No matches found" line is
  hard-coded, so :class:`FrenchCommandPalette` overrides the one method that writes it.

Textual's minor version is pinned in pyproject.toml for that last override.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.align import Align
from rich.text import Text
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.screen import Screen
from textual.widgets.option_list import Option

from fsfield.screens import messages as msg

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode

#: Textual's English binding descriptions (8.2) -> French.
DESCRIPTIONS: dict[str, str] = {
    "Bottom": "Aller en bas", "Top": "Aller en haut", "Home": "Début", "End": "Fin",
    "Copy": "Copier", "Copy selected text": "Copier le texte sélectionné",
    "Cut": "Couper", "Cut selected text": "Couper le texte sélectionné",
    "Paste": "Coller", "Paste text from the clipboard": "Coller le presse-papiers",
    "Undo": "Annuler la frappe", "Redo": "Rétablir la frappe",
    "Cursor down": "Ligne suivante", "Cursor up": "Ligne précédente",
    "Cursor left": "Colonne précédente", "Cursor right": "Colonne suivante",
    "Cursor down select": "Sélectionner vers le bas",
    "Cursor up select": "Sélectionner vers le haut",
    "Cursor left select": "Sélectionner à gauche",
    "Cursor right select": "Sélectionner à droite",
    "Cursor left word select": "Sélectionner le mot à gauche",
    "Cursor right word select": "Sélectionner le mot à droite",
    "Cursor word left": "Mot précédent", "Cursor word right": "Mot suivant",
    "Cursor line end": "Fin de ligne", "Cursor line start": "Début de ligne",
    "Cursor line end select": "Sélectionner jusqu'à la fin de ligne",
    "Cursor line start select": "Sélectionner jusqu'au début de ligne",
    "Cursor page down": "Page suivante", "Cursor page up": "Page précédente",
    "Delete all to the left": "Effacer tout à gauche",
    "Delete all to the right": "Effacer tout à droite",
    "Delete character left": "Effacer le caractère à gauche",
    "Delete character right": "Effacer le caractère à droite",
    "Delete left to start of word": "Effacer le mot à gauche",
    "Delete right to start of word": "Effacer le mot à droite",
    "Delete line": "Effacer la ligne", "Delete to line end": "Effacer jusqu'à la fin de ligne",
    "Delete to line start": "Effacer jusqu'au début de ligne",
    "Dismiss menu": "Fermer la liste", "Show menu": "Ouvrir la liste",
    "Down": "Suivant", "Up": "Précédent", "First": "Premier", "Last": "Dernier",
    "Exit the command palette": "Fermer la palette",
    "Focus Next": "Champ suivant", "Focus Previous": "Champ précédent",
    "Go to bottom": "Aller en bas", "Go to top": "Aller en haut",
    "Go to end": "Fin du texte", "Go to start": "Début du texte",
    "Move cursor left": "Caractère précédent", "Move cursor left a word": "Mot précédent",
    "Move cursor left a word and select": "Sélectionner le mot précédent",
    "Move cursor left and select": "Sélectionner à gauche",
    "Move cursor right a word": "Mot suivant",
    "Move cursor right a word and select": "Sélectionner le mot suivant",
    "Move cursor right and select": "Sélectionner à droite",
    "Move cursor right or accept the completion suggestion": "Caractère suivant",
    "Next command": "Commande suivante", "Previous command": "Commande précédente",
    "Next page": "Page suivante", "Previous page": "Page précédente",
    "Page Down": "Page suivante", "Page Up": "Page précédente",
    "Page down": "Page suivante", "Page up": "Page précédente",
    "Page Left": "Page à gauche", "Page Right": "Page à droite",
    "Press button": "Appuyer", "Quit": "Quitter",
    "Scroll Down": "Défiler vers le bas", "Scroll Up": "Défiler vers le haut",
    "Scroll Left": "Défiler à gauche", "Scroll Right": "Défiler à droite",
    "Scroll End": "Défiler à la fin", "Scroll Home": "Défiler au début",
    "Select": "Choisir", "Select all": "Tout sélectionner", "Select line": "Sélectionner la ligne",
    "Select line end": "Sélectionner jusqu'à la fin", "Select line start": "Sélectionner jusqu'au début",
    "Submit": "Valider", "Toggle": "Basculer", "palette": "Palette",
}

KEY_NAMES: dict[str, str] = {
    "escape": "Échap", "enter": "Entrée", "tab": "Tab", "space": "Espace",
    "backspace": "Retour arr.", "delete": "Suppr", "insert": "Inser",
    "home": "Début", "end": "Fin", "pageup": "Page↑", "pagedown": "Page↓",
    "up": "↑", "down": "↓", "left": "←", "right": "→",
    "question_mark": "?", "slash": "/", "minus": "-", "plus": "+", "equals_sign": "=",
}
MODIFIERS = {"ctrl": "Ctrl", "shift": "Maj", "alt": "Alt", "super": "Cmd", "meta": "Méta"}


def key_name(key: str) -> str:
    """``shift+tab`` -> ``Maj+Tab``, ``ctrl+p`` -> ``Ctrl+P``, ``escape`` -> ``Échap``."""
    *mods, base = key.split("+")
    shown = KEY_NAMES.get(base, base.upper() if mods and len(base) == 1 else base)
    return "+".join([*(MODIFIERS.get(m, m) for m in mods), shown])


def key_display(binding: Binding) -> str:
    """How a binding's key is shown (footer, help, palette)."""
    return binding.key_display or key_name(binding.key)


def describe(binding: Binding) -> str:
    """A binding's description in French (fsfield's own are French already)."""
    return DESCRIPTIONS.get(binding.description, binding.description)


class Listed(NamedTuple):
    key: str
    binding: Binding
    node: DOMNode


def listed_bindings(screen: Screen) -> list[Listed]:
    """The keys worth listing in help and palette: those of the screen and the app, then those
    of fsfield's own widgets on the focus path (the checklist's moves), then Textual's generic
    ones (Tab, Ctrl+C); enabled ones only, each action and each key-and-description once.
    Textual widgets' keys (arrows, editing) are the usual ones and are left out; a screen key a
    focused widget shadows (Entrée on a table) is listed, since the widget passes it on."""
    app = screen.app
    screen_keys: list[Listed] = []
    widget_keys: list[Listed] = []
    generic: list[Listed] = []
    seen: set[str] = set()
    seen_keys: set[tuple[str, str]] = set()
    chain = screen._modal_binding_chain  # noqa: SLF001 - see the module doc
    chain = sorted(chain, key=lambda link: not isinstance(link[0], Screen | App))  # stable
    for node, bindings in chain:
        on_screen = isinstance(node, Screen | App)
        if not on_screen and not type(node).__module__.startswith("fsfield"):
            continue
        for key, binding in bindings:
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            if not binding.description or action in seen:
                continue
            if app._check_action_state(binding.action, node) is False:  # noqa: SLF001
                continue
            seen.add(action)
            if (key, describe(binding)) in seen_keys:
                continue
            seen_keys.add((key, describe(binding)))
            listed = Listed(key, binding, node)
            if binding.description in DESCRIPTIONS:
                generic.append(listed)
            else:
                (screen_keys if on_screen else widget_keys).append(listed)
    return screen_keys + widget_keys + generic


class FrenchCommandPalette(CommandPalette):
    """The command palette, in French (placeholder and "no matches")."""

    def __init__(self) -> None:
        super().__init__(placeholder=msg.PALETTE_PLACEHOLDER, id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8.2's method, with the French line (the English one is hard-coded there).
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(msg.PALETTE_NO_MATCH, style="not bold")),
                    disabled=True, id=self._NO_MATCHES,
                ))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
