"""A site's card: add a structure by hand, or correct one (phone, e-mail, hours…).

Every value goes through the store's card rules (store/sites.py): a refused one keeps what
was typed, says why in French, puts the cursor on it, and saves nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from fsfield.domain.hours import ALL_DAYS
from fsfield.domain.models import Site
from fsfield.domain.site_card import CardError
from fsfield.screens.forms import FormScreen
from fsfield.store.sites import create_site, update_site

FIELDS = [
    ("name", "Nom de la structure *"),
    ("commune", "Commune"),
    ("postal_code", "Code postal (5 chiffres)"),
    ("insee_com", "Code commune INSEE (ex. 87085, 2A004)"),
    ("address", "Adresse"),
    ("address_extra", "Complément d'adresse"),
    ("phone", "Téléphone"),
    ("email", "Courriel"),
    ("format_fs", "Format (Fixe, Bus, Itinérante…)"),
]


def _input_id(field: str) -> str:
    return field.replace(".", "-")


class SiteForm(FormScreen):
    """Dismisses with the saved Site, or None. Without a site, adds one by hand."""

    def __init__(self, site: Site | None = None) -> None:
        super().__init__()
        self._site = site

    def compose(self) -> ComposeResult:
        site = self._site
        with Vertical(classes="dialog"):
            title = f"Fiche — {site.name}" if site else "Ajouter une structure"
            yield Label(title, classes="dialog-title", markup=False)
            with VerticalScroll(classes="form-body"):
                for key, label in FIELDS:
                    yield Label(label)
                    yield Input(str(getattr(site, key, "") or "") if site else "", id=key,
                                compact=True)
                yield Label("Horaires (ex. 09:00 - 12:00 / 14:00 - 17:00 ; vide : fermé)")
                for day in ALL_DAYS:
                    yield Label(day.capitalize())
                    yield Input(site.hours.get(day, "") if site else "", id=_input_id(f"hours.{day}"),
                                compact=True)
            if site is not None and site.in_directory and site.id_fs:
                yield Static("Structure de l'annuaire : un import reprendra ses valeurs publiées.",
                             classes="hint")
            yield Static("", id="error", classes="error")
            yield Static("Entrée : champ suivant / valider — Ctrl+S : valider — Échap : annuler",
                         classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, object]:
        """What the form holds, as the store takes it."""
        out: dict[str, object] = {key: self.query_one(f"#{key}", Input).value.strip()
                                  for key, _ in FIELDS}
        out["hours"] = {
            day: text
            for day in ALL_DAYS
            if (text := self.query_one(f"#{_input_id(f'hours.{day}')}", Input).value.strip())
        }
        return out

    def action_submit(self) -> None:
        values = self.values()
        store = self.store
        try:
            if self._site is None:
                saved = self.save(lambda: create_site(store, **values))
            else:
                site_id = self._site.id
                saved = self.save(lambda: update_site(store, site_id, **values))
        except CardError as exc:
            self.show_error(f"Refusé : {exc}.")
            self.query_one(f"#{_input_id(exc.field)}", Input).focus()
            return
        except ValueError as exc:
            self.show_error(f"Refusé : {exc}.")
            return
        if saved is None:  # kept in memory and retried: find it back
            name = str(values["name"])
            saved = next((s for s in store.sites() if s.name == name), None)
        self.notify(f"Structure ajoutée : {values['name']}" if self._site is None
                    else f"Fiche enregistrée : {values['name']}")
        self.dismiss(saved)
