"""Planning: every site with its due date and reason, overdue first, and the proposed day trips.

Opened with `p` from the home screen. The plan is computed in a worker thread (it reads the
whole store) and posted back, so the screen appears at once and the app never waits for it.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from fsfield.domain.messages import how_many
from fsfield.domain.models import french_date
from fsfield.domain.plan_rules import PlanRulesError
from fsfield.reports.plan import due_text, home_text
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.store.plan import Plan, build_plan
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip

WEEKS_STEPS = (2, 4, 8, 12, 26)


class PlanningScreen(FsScreen):
    """The visit plan. `enter` opens the site's dossier, `-` / `+` change the horizon."""

    BINDINGS = [
        Binding("enter", "open_dossier", "Dossier", id="planning.dossier"),
        Binding("minus", "weeks(-1)", "Moins de semaines", key_display="-", id="planning.less"),
        Binding("plus,equals_sign", "weeks(1)", "Plus de semaines", key_display="+",
                id="planning.more"),
        Binding("escape", "back", "Retour", id="planning.back"),
    ]

    class Ready(Message):
        """The plan computed by the worker (or the French reason it could not be)."""

        def __init__(self, plan: Plan | None, error: str = "") -> None:
            super().__init__()
            self.plan, self.error = plan, error

    def __init__(self, weeks: int = 8) -> None:
        super().__init__()
        self.weeks = weeks
        self.plan: Plan | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("Planning des visites")
        with VerticalScroll(id="planning-body"):
            yield Static("Calcul du plan…", id="plan-status", markup=False)
            table: DataTable = DataTable(id="plan-entries", cursor_type="row", zebra_stripes=True)
            for label, key in [("Échéance", "due"), ("Structure", "name"),
                               ("Commune", "commune"), ("Raison", "reason")]:
                table.add_column(label, key=key)
            yield table
            yield Static(id="plan-trips", markup=False)
        yield FsFooter()

    def on_mount(self) -> None:
        self.query_one("#plan-entries", DataTable).focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        self.query_one("#plan-status", Static).update("Calcul du plan…")
        self._compute(self.weeks)

    @work(thread=True, exclusive=True, group="plan")
    def _compute(self, weeks: int) -> None:
        try:
            plan = build_plan(self.store, self.today(), weeks=weeks)
        except PlanRulesError as exc:
            self.post_message(self.Ready(None, str(exc)))
            return
        self.post_message(self.Ready(plan))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        status = self.query_one("#plan-status", Static)
        if message.plan is None:
            status.update(f"Plan impossible : {message.error}")
            return
        self.plan = plan = message.plan
        late = sum(1 for e in plan.entries if e.overdue_days(plan.today))
        status.update(f"{how_many(len(plan.entries), 'structure')}, dont {late} en retard — "
                      f"au {french_date(plan.today)}")
        table = self.query_one("#plan-entries", DataTable)
        table.clear()
        rows = []
        for e in plan.entries:
            flag = " ⌖ sans coordonnées" if not e.site.has_coordinates else ""
            rows.append((due_text(e, plan.today), clip(e.site.name, 34) + flag,
                         clip(e.site.commune, 16), e))
        # the reason takes what the other columns leave (2 of padding a column, 2 of scroll bar)
        used = sum(max((len(r[i]) for r in rows), default=0) + 2 for i in range(3)) + 2 + 2
        width = max(20, self.size.width - used)
        for due, name, commune, e in rows:
            table.add_row(due, name, commune, clip(e.reason, width), key=e.site.site_id)
        self.query_one("#plan-trips", Static).update(self._trips_text(plan))

    def _trips_text(self, plan: Plan) -> str:
        lines = [f"Tournées des {plan.weeks} prochaines semaines (au plus "
                 f"{how_many(plan.stops_per_day, 'visite')} par jour, jours ouvrés)", home_text(plan)]
        if not plan.trips:
            lines.append("Aucune visite à proposer sur la période.")
        for trip in plan.trips:
            km = f"{trip.distance_km:.0f} km" if trip.distance_km is not None else "sans coordonnées"
            names = " → ".join(s.site.commune or s.site.name for s in trip.stops)
            lines.append(f"  {french_date(trip.date)}  {km:>8}  {names}")
        if plan.left_over:
            lines.append(f"{how_many(len(plan.left_over), 'structure')} à voir sans place dans les tournées.")
        return "\n".join(lines)

    def action_weeks(self, step: int) -> None:
        index = min(range(len(WEEKS_STEPS)), key=lambda i: abs(WEEKS_STEPS[i] - self.weeks))
        self.weeks = WEEKS_STEPS[max(0, min(len(WEEKS_STEPS) - 1, index + step))]
        self.refresh_data()

    def action_open_dossier(self) -> None:
        table = self.query_one("#plan-entries", DataTable)
        if self.plan is None or table.row_count == 0:
            return
        from fsfield.screens.dossier import DossierScreen

        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            self.app.push_screen(DossierScreen(key))

    @on(DataTable.RowSelected, "#plan-entries")
    def _selected(self) -> None:
        self.action_open_dossier()

    def action_back(self) -> None:
        self.app.pop_screen()
