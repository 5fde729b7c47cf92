"""Add a site by hand (a structure not yet in the official directory)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from fsfield.domain.models import Site
from fsfield.screens.forms import FormScreen

FIELDS = [
    ("name", "Nom de la structure *"),
    ("commune", "Commune"),
    ("postal_code", "Code postal"),
    ("address", "Adresse"),
    ("phone", "Téléphone"),
    ("email", "Courriel"),
    ("format_fs", "Format (Fixe, Bus, Itinérante…)"),
]


class SiteForm(FormScreen):
    """Dismisses with the new Site, or None."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Ajouter une structure", classes="dialog-title")
            with VerticalScroll(classes="form-body"):
                for key, label in FIELDS:
                    yield Label(label)
                    yield Input(id=key, compact=True)
            yield Static("", id="error", classes="error")
            yield Static("Entrée : champ suivant / valider — Échap : annuler", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def action_submit(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _ in FIELDS}
        if not values["name"]:
            self.show_error("Le nom de la structure est obligatoire.")
            self.query_one("#name", Input).focus()
            return
        site = Site(id="", department=self.store.settings.department, source="manuel", **values)
        created = self.save(lambda: self.store.create(site))
        if created is None:
            created = next(s for s in self.store.sites() if s.name == site.name)
        self.notify(f"Structure ajoutée : {created.name}")
        self.dismiss(created)
