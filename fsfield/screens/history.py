"""History (`h`): every value a field has had, who wrote it and when, the conflicts it went
through and its purges; `e` erases its past values (RGPD) after a confirmation."""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fsfield.screens import messages as msg
from fsfield.screens.base import AppAccess
from fsfield.screens.conflicts import display_value
from fsfield.screens.forms import ConfirmDialog
from fsfield.store.history import HistoryEntry, field_history
from fsfield.store.purge import purge_field


def answer_label(field: str) -> str:
    """A checklist item's sub-field as the user knows it (réponse, commentaire, valeur…)."""
    sub = field.rsplit(".", 1)[-1]
    return msg.HISTORY_ANSWER_PARTS.get(sub, sub)


def record_label(field: str) -> str:
    """A record's field by its French name (as the conflicts screen names it)."""
    from fsfield.screens.conflicts import FIELD_LABELS

    return FIELD_LABELS.get(field) or msg.HISTORY_FIELD_LABELS.get(field, field)


class HistoryScreen(AppAccess, ModalScreen[None]):
    """The history of ``field`` of one record (None: the whole record), labelled per field."""

    BINDINGS = [
        Binding("escape,q", "dismiss", msg.HISTORY_CLOSE, id="history.close"),
        Binding("e", "purge", msg.PURGE_BINDING, id="history.purge"),
    ]

    def __init__(self, kind: str, record_id: str, field: str | None, what: str,
                 label: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.kind, self.record_id, self.field, self.what = kind, record_id, field, what
        self._label = label or (lambda name: name)

    def word(self, entry: HistoryEntry) -> str:
        """The value as the app words it."""
        if entry.erased:
            return msg.HISTORY_ERASED
        if entry.value is None or entry.value == "":
            return msg.HISTORY_EMPTY_VALUE
        return display_value(self.kind, entry.field, entry.value)

    def lines(self) -> list[str]:
        """The lines shown (plain text)."""
        out = []
        for e in field_history(self.store, self.record_id, self.field):
            who = e.author or "?"
            if e.purge:
                out.append(msg.HISTORY_PURGE_LINE.format(when=e.when, author=who,
                                                         field=self._label(e.field)))
                continue
            marks = [m for m, on in ((msg.HISTORY_LIVE, e.live), (msg.HISTORY_CONFLICT, e.conflict),
                                     (msg.HISTORY_SETTLED, e.settled)) if on]
            tail = f"  [{', '.join(marks)}]" if marks else ""
            out.append(f"{e.when}  {who} — {self._label(e.field)} : « {self.word(e)} »{tail}")
        return out or [msg.HISTORY_EMPTY]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(f"[b]{escape(msg.HISTORY_TITLE.format(what=self.what))}[/b]")
            yield Static("\n".join(self.lines()), id="history-lines", markup=False)
            yield Static(msg.HISTORY_HINT, classes="hint")

    def action_purge(self) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                n = self.save(lambda: purge_field(self.store, self.kind, self.record_id,
                                                  self.field))
            except ValueError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                return
            self.notify(msg.PURGE_DONE.format(n=n) if n else msg.PURGE_NOTHING)
            self.query_one("#history-lines", Static).update("\n".join(self.lines()))

        self.app.push_screen(ConfirmDialog(msg.PURGE_CONFIRM.format(what=self.what)), answered)
