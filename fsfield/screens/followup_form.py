"""Create or edit a follow-up: text, owner, due date, priority (and status when editing)."""

from __future__ import annotations

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from fsfield.domain.messages import describe_validation_errors
from fsfield.domain.models import (
    FollowUp,
    FollowUpStatus,
    OwnerKind,
    Priority,
    french_date,
    parse_french_date,
)
from fsfield.domain.template import load_partners
from fsfield.screens import messages as msg
from fsfield.screens.forms import FormScreen
from fsfield.store import followups


def owner_options() -> list[tuple[str, str]]:
    """Owner choices: the animator, the structure, the préfecture, then each operator/partner."""
    options = [(k.label, k.value) for k in OwnerKind if k is not OwnerKind.PARTNER]
    for partner in load_partners().partners:
        label = partner.short if partner.short == partner.name else f"{partner.short} — {partner.name}"
        options.append((label, f"{OwnerKind.PARTNER.value}:{partner.short}"))
    return options


def owner_value(fu: FollowUp) -> str:
    if fu.owner_kind is OwnerKind.PARTNER:
        return f"{OwnerKind.PARTNER.value}:{fu.owner_name}"
    return fu.owner_kind.value


class FollowUpForm(FormScreen):
    """Dismisses with the saved FollowUp, or None when cancelled."""

    def __init__(self, followup: FollowUp, *, origin: str = "", new: bool = False) -> None:
        super().__init__()
        self._fu = followup
        self._origin = origin
        self._new = new

    def compose(self) -> ComposeResult:
        fu = self._fu
        options = owner_options()
        current = owner_value(fu)
        if current not in {v for _, v in options}:
            options.append((fu.owner_label, current))
        with Vertical(classes="dialog"):
            yield Label("Nouveau suivi" if self._new else "Modifier le suivi", classes="dialog-title")
            with VerticalScroll(classes="form-body"):
                if self._origin:
                    yield Static(f"Origine : {self._origin}", classes="hint", markup=False)
                yield Label("Suivi (texte)")
                yield Input("" if self._new else fu.text, id="text", placeholder="Ce qu'il faut faire", compact=True)
                yield Label("Responsable")
                yield Select(options, value=current, allow_blank=False, id="owner", compact=True)
                yield Label("Échéance (JJ/MM/AAAA, facultative)")
                yield Input(french_date(fu.due), id="due", compact=True)
                yield Label("Priorité")
                yield Select([(p.label, p.value) for p in Priority], value=fu.priority.value,
                             allow_blank=False, id="priority", compact=True)
                if not self._new:
                    yield Label("Statut")
                    yield Select([(s.label, s.value) for s in FollowUpStatus],
                                 value=fu.status.value, allow_blank=False, id="status", compact=True)
                    yield Label("Notes")
                    yield Input(fu.notes, id="notes", compact=True)
            yield Static("", id="error", classes="error")
            yield Static(msg.FORM_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def action_submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.show_error("Le texte du suivi est vide : décrivez ce qu'il faut faire.")
            self.query_one("#text", Input).focus()
            return
        due_text = self.query_one("#due", Input).value.strip()
        due = None
        if due_text:
            try:
                due = parse_french_date(due_text)
            except ValueError as exc:
                self.show_error(f"Échéance refusée : {exc}")
                self.query_one("#due", Input).focus()
                return
        owner = str(self.query_one("#owner", Select).value)
        kind, _, name = owner.partition(":")
        changes: dict[str, object] = {
            "text": text,
            "owner_kind": OwnerKind(kind),
            "owner_name": name,
            "due": due,
            "priority": Priority(self.query_one("#priority", Select).value),
        }
        if not self._new:
            status = FollowUpStatus(self.query_one("#status", Select).value)
            changes["status"] = status
            changes["notes"] = self.query_one("#notes", Input).value.strip()
        saved = self._save(changes)
        if saved is None:
            return
        if self._new:  # from an item of a visit, nothing else on screen says it was made
            self.notify(msg.FOLLOWUP_CREATED.format(text=saved.text),
                        title=msg.FOLLOWUP_CREATED_TITLE, markup=False)
        today = self.today()
        if due is not None and due < today and not saved.status.is_closed:
            self.notify(msg.FOLLOWUP_PAST_DUE.format(date=french_date(due)),
                        severity="warning")
        self.dismiss(saved)

    def _save(self, changes: dict[str, object]) -> FollowUp | None:
        store, today = self.store, self.today()
        try:
            if self._new:
                result = self.save(lambda: followups.create_followup(store, self._fu, today, **changes))
                if result is None:  # kept in memory, retried: find it back
                    result = max(store.all(FollowUp), key=lambda f: f.created_at)
                return result
            result = self.save(lambda: followups.update_followup(store, self._fu.id, today, **changes))
            return result or store.get(FollowUp, self._fu.id)
        except ValidationError as exc:
            self.show_error(f"Suivi refusé : {describe_validation_errors(exc.errors())}")
            return None
        except ValueError as exc:  # the store's French reason
            self.show_error(str(exc))
            return None
