"""The grid per operator of a visit: `o` on the visit screen.

One row per national operator and local partner: referent (named, reachable), back-office
answer delay in days, requests over the period. `enter` edits a row, `p` the period, `n` adds
a local partner (a synced record, seen by every laptop).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from fsfield.domain.messages import how_many
from fsfield.domain.models import Visit, french_date, parse_french_date
from fsfield.domain.operators import OperatorFigures, OperatorRow
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import FormScreen, TextPrompt
from fsfield.store import operators as grid
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip

_REACHABLE = [("Oui", "oui"), ("Non", "non"), ("Non renseigné", "")]


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("oui" if value else "non")


def _num(value: int | None) -> str:
    return "—" if value is None else str(value)


class OperatorsScreen(FsScreen):
    """The operator grid of one visit."""

    BINDINGS = [
        Binding("enter", "edit", "Modifier", id="operators.edit"),
        Binding("p", "period", "Période", id="operators.period",
                tooltip="Période couverte par les chiffres"),
        Binding("n", "add_partner", "Partenaire local", id="operators.add",
                tooltip="Ajouter un partenaire local à la grille"),
        Binding("escape", "back", "Retour", id="operators.back"),
    ]

    def __init__(self, visit_id: str) -> None:
        super().__init__()
        self.visit_id = visit_id

    def compose(self) -> ComposeResult:
        yield TitleBar("Grille des opérateurs")
        yield Static(id="operators-period", markup=False)
        table: DataTable = DataTable(id="operators", cursor_type="row", zebra_stripes=True)
        for label, key in [("Opérateur / partenaire", "name"), ("Référent", "referent"),
                           ("Joignable", "reachable"), ("Délai (j)", "delay"),
                           ("Demandes", "requests")]:
            table.add_column(label, key=key)
        yield table
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#operators", DataTable).focus()

    def refresh_data(self) -> None:
        visit = self.store.get(Visit, self.visit_id)
        figures = self.save(lambda: grid.start_figures(self.store, visit))
        if figures is None:
            return
        self.figures: OperatorFigures = figures
        self.partners = grid.grid_partners(self.store)
        total = sum(figures.row(p.key).requests or 0 for p in self.partners)
        self.query_one("#operators-period", Static).update(
            f"Chiffres du {french_date(figures.period_from)} au {french_date(figures.period_to)}"
            f" — {how_many(total, 'demande')} — p : changer la période")
        table = self.query_one("#operators", DataTable)
        row_index = table.cursor_row
        table.clear()
        for p in self.partners:
            row = figures.row(p.key)
            name = p.short + (" (local)" if p.local else "")
            table.add_row(clip(name, 30), clip(row.referent or "—", 24), _yes_no(row.reachable),
                          _num(row.delay_days), _num(row.requests), key=p.key)
        if table.row_count:
            table.move_cursor(row=min(row_index, table.row_count - 1))

    def _selected(self) -> grid.GridPartner | None:
        table = self.query_one("#operators", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self.partners if p.key == key), None)

    @on(DataTable.RowSelected, "#operators")
    def _row_selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        partner = self._selected()
        if partner is None:
            return

        def done(values: dict[str, object] | None) -> None:
            if values is not None:
                self.save(lambda: grid.set_row(self.store, self.figures, partner.key, **values))
                self.refresh_data()

        self.app.push_screen(OperatorRowForm(partner.name, self.figures.row(partner.key)), done)

    def action_period(self) -> None:
        def done(text: str | None) -> None:
            if not text:
                return
            try:
                start_text, _, end_text = text.partition("-")
                start, end = parse_french_date(start_text), parse_french_date(end_text)
                self.save(lambda: grid.set_period(self.store, self.figures, start, end))
            except ValueError as exc:
                self.notify(f"Période refusée : {exc}", severity="error")
                return
            self.refresh_data()

        current = f"{french_date(self.figures.period_from)} - {french_date(self.figures.period_to)}"
        self.app.push_screen(TextPrompt("Période couverte (JJ/MM/AAAA - JJ/MM/AAAA)", current),
                             done)

    def action_add_partner(self) -> None:
        def done(name: str | None) -> None:
            if not name:
                return
            try:
                self.save(lambda: grid.add_local_partner(self.store, name))
            except ValueError as exc:
                self.notify(f"Partenaire refusé : {exc}", severity="error")
                return
            self.refresh_data()

        self.app.push_screen(TextPrompt("Nom du partenaire local (ex. Mission locale)"), done)

    def action_back(self) -> None:
        self.app.pop_screen()


class OperatorRowForm(FormScreen):
    """Referent, reachable, delay and requests of one partner. Numbers are checked."""

    def __init__(self, name: str, row: OperatorRow) -> None:
        super().__init__()
        self._name, self._row = name, row

    def compose(self) -> ComposeResult:
        row = self._row
        with Vertical(classes="dialog"):
            yield Label(self._name, classes="dialog-title")
            yield Label("Référent (nom)")
            yield Input(row.referent, id="referent", compact=True)
            yield Label("Référent joignable")
            yield Select(_REACHABLE, value=_yes_no(row.reachable).replace("—", ""),
                         allow_blank=False, id="reachable", compact=True)
            yield Label("Délai de réponse du back-office (jours)")
            yield Input("" if row.delay_days is None else str(row.delay_days), id="delay",
                        compact=True)
            yield Label("Demandes sur la période")
            yield Input("" if row.requests is None else str(row.requests), id="requests",
                        compact=True)
            yield Static("", id="error", classes="error")
            yield Static("Entrée / Ctrl+S : valider — Échap : annuler", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#referent", Input).focus()

    def _count(self, selector: str, what: str) -> int | None:
        text = self.query_one(selector, Input).value.strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"{what} : nombre entier attendu (reçu « {text} »)")
        return int(text)

    def action_submit(self) -> None:
        try:
            delay = self._count("#delay", "délai")
            requests = self._count("#requests", "demandes")
        except ValueError as exc:
            self.show_error(str(exc))
            return
        reachable = self.query_one("#reachable", Select).value
        self.dismiss({
            "referent": self.query_one("#referent", Input).value.strip(),
            "reachable": None if reachable == "" else reachable == "oui",
            "delay_days": delay,
            "requests": requests,
        })
