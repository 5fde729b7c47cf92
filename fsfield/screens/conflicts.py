"""Conflicts: each field edited in two places, with every value, author and time.

Picking a value (or typing a new one) writes a new value that supersedes all the
conflicting ones; it syncs like any edit. Nothing is ever settled silently.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fsfield.domain.models import FollowUp, Site, Visit, french_date
from fsfield.domain.parsing import format_field
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import TextPrompt
from fsfield.store import conflicts as settle
from fsfield.store.conflicts import DELETE_FIELD, Conflict, ConflictValue
from fsfield.store.repo import KINDS
from fsfield.store.templates import current_template
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip

FIELD_LABELS = {
    "name": "nom", "text": "texte", "due": "échéance", "status": "statut", "owner_kind": "responsable",
    "owner_name": "responsable (nom)", "priority": "priorité", "notes": "notes", "date": "date",
    "participants": "participants", "visit_type": "type de visite", DELETE_FIELD: "suppression",
    "closing_note": "note de clôture", "closed_on": "date de clôture", "phone": "téléphone",
    "email": "courriel", "postal_code": "code postal", "insee_com": "code commune",
    "address": "adresse", "address_extra": "complément d'adresse", "commune": "commune",
    "hours": "horaires", "title": "titre", "activity_type": "type d'activité",
    "attendance": "participants (nombre)", "site_ids": "structures", "partners": "partenaires",
}


def display_value(kind: str, field: str, value: Any) -> str:
    """A value as the user knows it (dates JJ/MM/AAAA, choices by their label)."""
    cls = KINDS.get(kind)
    return format_field(cls, field, value) if cls is not None else str(value)


def when(value: ConflictValue) -> str:
    return value.at.astimezone().strftime("%d/%m/%Y %H:%M")


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
        yield DataTable(id="conflicts", cursor_type="row")
        yield Static(id="conflict-detail", markup=False)
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def refresh_data(self) -> None:
        self._conflicts = settle.conflicts(self.store)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # The record's label takes what the other two columns leave.
        record_width = max(16, self.size.width - 26 - 14 - 6)
        table.add_column("Enregistrement", key="record", width=record_width)
        table.add_column("Champ", key="field", width=26)
        table.add_column("Valeurs", key="n", width=12)
        for c in self._conflicts:
            table.add_row(clip(self.record_label(c.record), record_width),
                          clip(self.field_label(c.field), 26), f"{len(c.values)} valeurs",
                          key=f"{c.record}|{c.field}")
        n = len(self._conflicts)
        self.query_one(TitleBar).set_title(f"Conflits — {n} à régler" if n else "Conflits — aucun")
        self._render_detail()
        self.refresh_bindings()  # no key to offer once everything is settled

    def on_resize(self) -> None:
        if self.is_mounted and hasattr(self, "_conflicts"):
            self.refresh_data()

    def record_label(self, record: str) -> str:
        model = self.store.record(record)
        if isinstance(model, Site):
            return f"Structure {model.name}"
        if isinstance(model, Visit):
            site = self.store.find(Site, model.site_id)
            return f"Visite du {french_date(model.date)} — {site.name if site else '?'}"
        if isinstance(model, FollowUp):
            return f"Suivi « {model.text[:40]} »"
        return f"Enregistrement {record[:8]}"

    def field_label(self, field: str) -> str:
        if field.startswith("answers."):
            _, item_id, sub = (field.split(".") + ["", ""])[:3]
            try:
                label = current_template(self.store).item(item_id).label
            except KeyError:
                label = item_id
            return f"{label} ({ {'status': 'réponse', 'comment': 'commentaire', 'value': 'valeur'}.get(sub, sub)})"
        return FIELD_LABELS.get(field, field)

    def _current(self) -> Conflict | None:
        table = self.query_one(DataTable)
        if not self._conflicts or table.row_count == 0:
            return None
        return self._conflicts[min(table.cursor_row, len(self._conflicts) - 1)]

    def options(self, conflict: Conflict) -> list[tuple[str, Any]]:
        """(label, value to write) for each choice offered."""
        if conflict.is_delete:
            who = ", ".join(sorted({v.author or "?" for v in conflict.edits}))
            return [("Garder la suppression", True), (f"Restaurer (modifié entre-temps par {who})", False)]
        return [
            (f"{display_value(conflict.kind, conflict.field, v.value)} — {v.author or '?'}, {when(v)}",
             v.value)
            for v in conflict.values
        ]

    def _render_detail(self) -> None:
        current = self._current()
        detail = self.query_one("#conflict-detail", Static)
        if current is None:
            detail.update("Aucun conflit : toutes les modifications concordent.")
            return
        lines = [f"{self.record_label(current.record)} — {self.field_label(current.field)} : choisissez"]
        for n, (label, _) in enumerate(self.options(current), start=1):
            lines.append(f"  {n}) {label}")
        if not current.is_delete:
            lines.append("  e) saisir une autre valeur")
        detail.update("\n".join(lines))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._render_detail()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("keep", "new_value"):
            current = self._current() if self.is_mounted and hasattr(self, "_conflicts") else None
            if current is None:
                return False
            if action == "keep":
                n = parameters[0] if parameters else 1
                return isinstance(n, int) and n <= len(self.options(current))
            return not current.is_delete
        return True

    def _settled(self) -> None:
        self.notify("Conflit réglé ; la décision sera envoyée à la prochaine synchronisation.")
        self.refresh_data()

    def action_keep(self, n: int) -> None:
        current = self._current()
        if current is None:
            return
        options = self.options(current)
        if n > len(options):
            return
        try:
            self.save(lambda: settle.keep(self.store, current, options[n - 1][1]))
        except ValueError as exc:
            self.notify(f"Valeur refusée : {exc}", severity="error", timeout=10)
            return
        self._settled()

    def action_new_value(self) -> None:
        current = self._current()
        if current is None or current.is_delete:
            return
        first = current.values[0].value
        shown = "" if first in (None, "") else display_value(current.kind, current.field, first)

        def check(text: str) -> None:
            self.save(lambda: settle.settle_typed(self.store, current, text))

        def typed(text: str | None) -> None:
            if text is not None:
                self._settled()

        self.app.push_screen(
            TextPrompt(f"Nouvelle valeur — {self.field_label(current.field)}", shown, check), typed
        )

    def action_back(self) -> None:
        self.app.pop_screen()
