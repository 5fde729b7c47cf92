"""First run: the animator's name and département, then the directory of sites."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from fsfield.domain.directory import (
    DirectoryError,
    DirectoryRead,
    normalize_department,
    read_directory,
)
from fsfield.domain.messages import how_many
from fsfield.screens.forms import FormScreen
from fsfield.store.settings import update_settings
from fsfield.store.sites import ImportResult, import_sites
from fsfield.store.storage import StoreError

WELCOME = (
    "Bienvenue dans fsfield, l'outil de terrain de l'animateur départemental France services.\n"
    "Tout fonctionne hors connexion ; les données restent sur cet ordinateur."
)


class FirstRunScreen(FormScreen):
    """Step 1 asks who and where; step 2 offers to fetch, import or add sites by hand."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Valider", id="first.submit"),
        Binding("escape", "later", "Plus tard", id="first.later"),
    ]

    def compose(self) -> ComposeResult:
        settings = self.store.settings
        with Vertical(classes="dialog", id="step1"):
            yield Label("Premier lancement", classes="dialog-title")
            yield Static(WELCOME, classes="hint")
            yield Label("Votre nom (animateur ou animatrice)")
            yield Input(settings.animator, id="animator", placeholder="Prénom Nom", compact=True)
            yield Label("Votre département (code : 87, 2A, 971…)")
            yield Input(settings.department, id="department", placeholder="87", compact=True)
            yield Static("", id="error", classes="error")
            # Escape leaves step 1 only once a name and a département are known.
            yield Static("Entrée : suivant — Échap : plus tard" if settings.configured
                         else "Entrée : suivant (votre nom et votre département d'abord)",
                         classes="hint", id="step1-hint")
        with Vertical(classes="dialog -hidden", id="step2"):
            yield Label("Les structures de votre département", classes="dialog-title")
            yield Static(
                "t : télécharger la liste officielle (data.gouv.fr, connexion nécessaire)\n"
                "i : importer un fichier CSV déjà téléchargé\n"
                "a : ajouter une structure à la main\n"
                "Échap : plus tard (commande : fsfield sites import FICHIER.csv)",
                id="choices",
            )
            yield Input(placeholder="Chemin du fichier CSV puis Entrée", id="path", classes="-hidden", compact=True)
            yield Static("", id="status2", classes="error")

    def on_mount(self) -> None:
        self.query_one("#animator", Input).focus()

    def form_inputs(self) -> list[Input]:
        return list(self.query_one("#step1" if self.step == 1 else "#step2").query(Input))

    @property
    def step(self) -> int:
        return 2 if not self.query_one("#step2").has_class("-hidden") else 1

    def action_submit(self) -> None:
        if self.step == 2:
            self._import_file()
            return
        name = self.query_one("#animator", Input).value.strip()
        dep = normalize_department(self.query_one("#department", Input).value.strip())
        if not name:
            self.show_error("Indiquez votre nom : il signe vos visites et vos suivis.")
            self.query_one("#animator", Input).focus()
            return
        if dep is None:
            self.show_error("Département inconnu : indiquez un code comme 87, 2A ou 971.")
            self.query_one("#department", Input).focus()
            return
        store = self.store
        self.save(lambda: update_settings(store, animator=name, department=dep))
        self.query_one("#step1").add_class("-hidden")
        self.query_one("#step2").remove_class("-hidden")
        self.focus()
        if store.sites():
            self.dismiss(True)

    def on_key(self, event) -> None:  # noqa: ANN001 - textual.events.Key
        if self.step != 2 or isinstance(self.focused, Input):
            return
        if event.key == "t":
            event.stop()
            self._status("Téléchargement en cours…")
            self._fetch()
        elif event.key == "i":
            event.stop()
            box = self.query_one("#path", Input)
            box.remove_class("-hidden")
            box.focus()
        elif event.key == "a":
            event.stop()
            from fsfield.screens.site_form import SiteForm

            self.dismiss(True)
            self.app.push_screen(SiteForm())

    def _status(self, text: str) -> None:
        self.query_one("#status2", Static).update(text)

    def _import_file(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            return
        path = Path(raw).expanduser()
        if not path.is_file():
            self._status(f"Fichier introuvable : {path}")
            return
        store = self.store
        try:
            read = read_directory(path, department=store.settings.department)
        except DirectoryError as exc:
            self._status(f"{exc} Rien n'a été importé.")
            return
        self._apply(read)

    def _apply(self, read: DirectoryRead) -> None:
        store = self.store
        try:
            result: ImportResult | None = self.save(
                lambda: import_sites(store, read.entries, store.settings.department)
            )
        except StoreError as exc:
            self._status(str(exc))
            return
        rejected = len(read.rejected)
        note = f" ({how_many(rejected, 'ligne rejetée', 'lignes rejetées')})" if rejected else ""
        self.notify((result.summary() if result else "Import gardé en mémoire.") + note)
        self.dismiss(True)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _fetch(self) -> None:
        from fsfield.cli import DEFAULT_DIRECTORY_URL
        from fsfield.domain.directory import parse_directory
        from fsfield.domain.fetch import FetchError, download

        department = self.store.settings.department
        try:
            payload = download(DEFAULT_DIRECTORY_URL)
            read = parse_directory(payload, source=DEFAULT_DIRECTORY_URL, department=department)
        except (FetchError, DirectoryError) as exc:
            self.app.call_from_thread(self._status, f"{exc}")
            return
        self.app.call_from_thread(self._apply, read)

    def action_later(self) -> None:
        if self.step == 1 and not self.store.settings.configured:
            self.show_error("Votre nom et votre département sont nécessaires pour commencer.")
            return
        self.dismiss(True)
