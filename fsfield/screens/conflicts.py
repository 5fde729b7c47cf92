"""Conflicts: each field edited in two places, with every value, author and time.

Picking a value (or typing a new one) writes a new value that supersedes all the
conflicting ones; it syncs like any edit. Nothing is ever settled silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fsfield.domain.models import FollowUp, Site, Visit, french_date
from fsfield.domain.template import AnswerStatus
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import TextPrompt
from fsfield.store.templates import current_template
from fsfield.widgets.footer import FsFooter
from sync.replica import DELETED
from sync.writes import Write

FIELD_LABELS = {
    "name": "nom", "text": "texte", "due": "échéance", "status": "statut", "owner_kind": "responsable",
    "owner_name": "responsable (nom)", "priority": "priorité", "notes": "notes", "date": "date",
    "participants": "participants", "visit_type": "type de visite", DELETED: "suppression",
    "closing_note": "note de clôture", "closed_on": "date de clôture", "phone": "téléphone",
}


def display_value(field: str, value: Any) -> str:
    """A value as the user knows it."""
    if value is None or value == "":
        return "(vide)"
    if field.endswith(".status"):
        try:
            return AnswerStatus(value).label
        except ValueError:
            pass
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def when(write: Write) -> str:
    stamp = dt.datetime.fromtimestamp(write.hlc[0] / 1000).astimezone()
    return stamp.strftime("%d/%m/%Y %H:%M")


class ConflictsScreen(FsScreen):
    """One row per conflicting field. `1`…`9` keep that value, `e` types a new one."""

    BINDINGS = [
        *[Binding(str(n), f"keep({n})", f"Garder la valeur {n}", show=n <= 2,
                  key_display=str(n), id=f"conflicts.keep{n}") for n in range(1, 10)],
        Binding("e", "new_value", "Autre valeur", id="conflicts.new"),
        Binding("escape", "back", "Retour", id="conflicts.back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar("Conflits")
        table: DataTable = DataTable(id="conflicts", cursor_type="row")
        table.add_column("Enregistrement", key="record")
        table.add_column("Champ", key="field")
        table.add_column("Valeurs", key="n")
        yield table
        yield Static(id="conflict-detail", markup=False)
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def refresh_data(self) -> None:
        self._conflicts = self.store.replica.conflicts()
        table = self.query_one(DataTable)
        table.clear()
        for record, field, writes in self._conflicts:
            table.add_row(self.record_label(record), self.field_label(field), str(len(writes)),
                          key=f"{record}|{field}")
        n = len(self._conflicts)
        self.query_one(TitleBar).set_title(f"Conflits — {n} à régler" if n else "Conflits — aucun")
        self._render_detail()

    def record_label(self, record: str) -> str:
        kind = self.store.replica.kind_of(record)
        model = self.store.record(record)
        if isinstance(model, Site):
            return f"Structure {model.name}"
        if isinstance(model, Visit):
            site = self.store.find(Site, model.site_id)
            return f"Visite du {french_date(model.date)} — {site.name if site else '?'}"
        if isinstance(model, FollowUp):
            return f"Suivi « {model.text[:40]} »"
        return f"{kind or 'enregistrement'} {record[:8]}"

    def field_label(self, field: str) -> str:
        if field.startswith("answers."):
            _, item_id, sub = (field.split(".") + ["", ""])[:3]
            try:
                label = current_template(self.store).item(item_id).label
            except KeyError:
                label = item_id
            return f"{label} ({ {'status': 'réponse', 'comment': 'commentaire', 'value': 'valeur'}.get(sub, sub)})"
        return FIELD_LABELS.get(field, field)

    def _current(self) -> tuple[str, str, list[Write]] | None:
        table = self.query_one(DataTable)
        if not self._conflicts or table.row_count == 0:
            return None
        return self._conflicts[min(table.cursor_row, len(self._conflicts) - 1)]

    def options(self, field: str, writes: list[Write]) -> list[tuple[str, Any]]:
        """(label, value to write) for each choice offered."""
        if field == DELETED:
            edits = [w for w in writes if w.field != DELETED]
            who = ", ".join(sorted({w.author or "?" for w in edits}))
            return [("Garder la suppression", True), (f"Restaurer (modifié entre-temps par {who})", False)]
        out = []
        for w in writes:
            out.append((f"{display_value(field, w.value)} — {w.author or '?'}, {when(w)}", w.value))
        return out

    def _render_detail(self) -> None:
        current = self._current()
        detail = self.query_one("#conflict-detail", Static)
        if current is None:
            detail.update("Aucun conflit : toutes les modifications concordent.")
            return
        record, field, writes = current
        lines = [f"{self.record_label(record)} — {self.field_label(field)} : choisissez"]
        for n, (label, _) in enumerate(self.options(field, writes), start=1):
            lines.append(f"  {n}) {label}")
        lines.append("  e) saisir une autre valeur")
        detail.update("\n".join(lines))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._render_detail()

    def _settle(self, record: str, field: str, value: Any) -> None:
        kind = self.store.replica.kind_of(record) or ""
        self.save(lambda: self.store.write_fields(kind, record, {field: value}, force=True))
        self.notify("Conflit réglé ; la décision sera envoyée à la prochaine synchronisation.")
        self.refresh_data()

    def action_keep(self, n: int) -> None:
        current = self._current()
        if current is None:
            return
        record, field, writes = current
        options = self.options(field, writes)
        if n > len(options):
            return
        self._settle(record, field, options[n - 1][1])

    def action_new_value(self) -> None:
        current = self._current()
        if current is None or current[1] == DELETED:
            return
        record, field, writes = current

        def typed(text: str | None) -> None:
            if text is None:
                return
            sample = writes[0].value
            value: Any = text
            if isinstance(sample, int | float) and not isinstance(sample, bool):
                try:
                    value = float(text.replace(",", "."))
                    value = int(value) if value.is_integer() else value
                except ValueError:
                    self.notify(f"« {text} » n'est pas un nombre.", severity="error")
                    return
            self._settle(record, field, value)

        self.app.push_screen(TextPrompt(f"Nouvelle valeur — {self.field_label(field)}",
                                        "" if sample_is_none(writes) else str(writes[0].value)), typed)

    def action_back(self) -> None:
        self.app.pop_screen()


def sample_is_none(writes: list[Write]) -> bool:
    return writes[0].value is None
