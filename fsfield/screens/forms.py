"""Small modal forms: comment, confirmation, visit information."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from fsfield.domain.models import Visit, VisitType, french_date, parse_french_date
from fsfield.screens import messages as msg
from fsfield.screens.base import AppAccess


class CommentForm(ModalScreen[str | None]):
    """Multi-line comment. Closing keeps what was typed: nothing typed is ever thrown away."""

    BINDINGS = [
        Binding("escape", "done", "Fermer (enregistre)", id="comment.done"),
        Binding("ctrl+s", "done", "Enregistrer", id="comment.save"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title, self._text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Commentaire — {self._title}", classes="dialog-title")
            yield TextArea(self._text, id="comment", soft_wrap=True)
            yield Static("Échap ou Ctrl+S : enregistrer et fermer", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_done(self) -> None:
        self.dismiss(self.query_one(TextArea).text.rstrip())


class ConfirmDialog(ModalScreen[bool]):
    """Yes / no question: only `o` says yes; `n`, Échap and Entrée say no (a reflex Entrée
    must not delete anything)."""

    BINDINGS = [
        Binding("o,y", "answer(True)", "Oui", key_display="o", id="confirm.yes"),
        Binding("n,escape,enter", "answer(False)", "Non", key_display="n", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._question, classes="dialog-title")
            yield Static(msg.CONFIRM_HINT, classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FormScreen(AppAccess, ModalScreen[Any]):
    """A modal form: Entrée goes to the next field and submits from the last one (a drop-down
    too: Espace opens it), Ctrl+S submits, Échap cancels."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Valider", id="form.submit"),
        Binding("escape", "cancel", "Annuler", id="form.cancel"),
        # Before the Select's own Entrée, which opened the list although the hint says
        # "champ suivant"; only while a closed drop-down has the focus (see check_action).
        Binding("enter", "next_field", "Champ suivant", show=False, priority=True,
                id="form.next"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            focused = self.focused
            return isinstance(focused, Select) and not focused.expanded
        return True

    def action_next_field(self) -> None:
        fields = [w for w in self.query("Input, Select") if w.display and w.focusable]
        if fields and self.focused is fields[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    def form_inputs(self) -> list[Input]:
        """The inputs Entrée walks through; the last one submits."""
        return list(self.query(Input))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = self.form_inputs()
        if event.input not in inputs:
            return
        fields = [w for w in self.query("Input, Select") if w.display and w.focusable]
        if event.input is inputs[-1] and (not fields or event.input is fields[-1]):
            self.action_submit()
        else:
            self.focus_next()


class VisitInfoForm(FormScreen):
    """Date, type and participants of a visit. An impossible date is refused with the reason."""

    def __init__(self, visit: Visit) -> None:
        super().__init__()
        self._visit = visit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Informations de la visite", classes="dialog-title")
            yield Label("Date (JJ/MM/AAAA)")
            yield Input(french_date(self._visit.date), id="date", compact=True)
            yield Label("Type de visite")
            yield Select(
                [(t.label, t.value) for t in VisitType],
                value=self._visit.visit_type.value,
                allow_blank=False,
                id="type",
                compact=True,
            )
            yield Label("Participants")
            yield Input(self._visit.participants, id="participants", compact=True)
            yield Static("", id="error", classes="error")
            yield Static(msg.FORM_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    def action_submit(self) -> None:
        try:
            date = parse_french_date(self.query_one("#date", Input).value)
        except ValueError as exc:
            self.show_error(f"Date refusée : {exc}")
            self.query_one("#date", Input).focus()
            return
        self.dismiss(
            {
                "date": date,
                "visit_type": VisitType(self.query_one("#type", Select).value),
                "participants": self.query_one("#participants", Input).value.strip(),
            }
        )


class TextPrompt(FormScreen):
    """One line of text; Entrée validates (empty allowed), Échap cancels.

    With ``check``, the text is handed to it first: a ValueError keeps the prompt open, with
    the typed text and the reason; otherwise the prompt closes with the text.
    """

    def __init__(
        self, title: str, value: str = "", check: Callable[[str], object] | None = None
    ) -> None:
        super().__init__()
        self._title, self._value, self._check = title, value, check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Input(self._value, id="text", compact=True)
            yield Static("", id="error", classes="error")
            yield Static("Entrée : valider — Échap : annuler", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def action_submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if self._check is not None:
            try:
                self._check(text)
            except ValueError as exc:
                self.show_error(f"Valeur refusée : {exc}")
                self.query_one("#text", Input).focus()
                return
        self.dismiss(text)
