"""Home: the département's sites, with what is due, filtered as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from fsfield.domain.dates import french_date
from fsfield.domain.names import short_name
from fsfield.screens import messages as msg
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.store.overview import SiteRow, has_conflicts, site_rows
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip, reset_rows

if TYPE_CHECKING:
    from fsfield.domain.models import Site

#: columns besides name and commune: Visite 10, Jours 5, Suivis 6, Retard 6, each with 2 of
#: cell padding, the name's and commune's padding, and the scroll bar
FIXED_COLUMNS = 10 + 5 + 6 + 6 + 6 * 2 + 2
FORMAT_COLUMN = 8 + 2


def column_widths(width: int, wide: bool, longest_commune: int) -> tuple[int, int]:
    """Name and commune widths: the commune gets up to two fifths of what is left (it was cut
    at 16 characters even at 120 columns), the name the rest."""
    room = max(34, width - FIXED_COLUMNS - (FORMAT_COLUMN if wide else 0))
    commune = min(max(longest_commune, 7), max(14, room * 2 // 5))
    return max(20, room - commune), commune


class SitesScreen(FsScreen):
    """Table of sites; `enter` dossier, `n` visit, `f` follow-ups, `/` filter."""

    TITLE = "Structures"
    BINDINGS = [
        Binding("enter", "open_dossier", "Dossier", id="sites.dossier", tooltip="Ouvrir le dossier de la structure"),
        Binding("n", "new_visit", "Visite", id="sites.visit", tooltip="Commencer (ou reprendre) une visite"),
        Binding("f", "followups", "Suivis", id="sites.followups", tooltip="Tous les suivis"),
        Binding("slash", "filter", "Filtrer", key_display="/", id="sites.filter"),
        Binding("s", "sync", "Synchroniser", id="sites.sync"),
        Binding("a", "add_site", "Ajouter", id="sites.add", tooltip="Ajouter une structure à la main"),
        Binding("m", "edit_site", "Modifier la fiche", show=False, id="sites.card",
                tooltip="Corriger la fiche de la structure (téléphone, courriel, horaires…)"),
        Binding("j", "journal", "Journal", show=False, id="sites.journal", tooltip="Journal d'activité (visios, séminaires…)"),
        Binding("b", "annual", "Bilan annuel", show=False, id="sites.annual", tooltip="Rapport d'activité annuel"),
        Binding("p", "planning", "Planning", show=False, id="sites.planning", tooltip="Structures à visiter et tournées proposées"),
        Binding("c", "conflicts", "Conflits", id="sites.conflicts", tooltip="Régler les modifications faites à deux endroits"),
        Binding("q", "app.quit", "Quitter", id="sites.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[SiteRow] = []
        self._filled_width: int | None = None  # the width the columns were last cut for

    def compose(self) -> ComposeResult:
        # The filter box is mounted the first time `/` is pressed: not composed at start-up.
        yield TitleBar("fsfield — Structures")
        table: DataTable = DataTable(id="sites", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="empty", classes="empty -hidden")
        yield FsFooter()

    def on_mount(self) -> None:
        # The focus below refreshes the bindings (the footer's first keys): not done twice.
        self._load()
        self.query_one("#sites", DataTable).focus()

    def refresh_data(self) -> None:
        self._load()
        self.refresh_bindings()  # `c` shows only while there are conflicts

    def _load(self) -> None:
        animator, department = self.store.setting("animator"), self.store.setting("department")
        who = f" — {animator}" if animator else ""
        dep = f" ({department})" if department else ""
        self.query_one(TitleBar).set_title(f"fsfield — Structures{dep}{who}")
        self._rows = site_rows(self.store, self.today())
        self._fill()

    def _filter_box(self) -> Input | None:
        found = self.query("#filter")
        return found.first(Input) if found else None

    def _fill(self) -> None:
        table = self.query_one("#sites", DataTable)
        box = self._filter_box()
        text = box.value.strip() if box is not None else ""
        current = self._selected_key()
        self._filled_width = self.size.width
        wide = self.size.width >= 100
        reset_rows(table, [
            ("Structure", "name", None), ("Commune", "commune", None),
            *([("Format", "format", None)] if wide else []),
            ("Visite", "last", None), ("Jours", "days", None), ("Suivis", "open", None),
            ("Retard", "overdue", None),
        ])
        shown = [r for r in self._rows if not text or r.matches(text)]
        name_width, commune_width = column_widths(
            self.size.width, wide, max((len(r.commune) for r in shown), default=7))
        for row in shown:
            flags = ("⚠ " if row.conflicted else "", " ✎" if row.draft_id else "",
                     " (hors annuaire)" if not row.in_directory else "")
            room = name_width - sum(len(f) for f in flags)
            name = flags[0] + clip(short_name(row.name), room) + flags[1] + flags[2]
            cells = [name, clip(row.commune, commune_width)]
            if wide:
                cells.append(row.format_fs.split("_")[0])
            cells += [
                french_date(row.last_visit) or "jamais",
                "" if row.days_since is None else str(row.days_since),
                str(row.open_followups or ""),
                f"⚠ {row.overdue_followups}" if row.overdue_followups else "",
            ]
            table.add_row(*cells, key=row.site_id)
        if current is not None and any(r.site_id == current for r in shown):
            table.move_cursor(row=table.get_row_index(current))
        empty = self.query_one("#empty", Static)
        if not self._rows:
            empty.update(msg.NO_SITE)
        elif not shown:
            empty.update(msg.NO_SITE_MATCH.format(text=text))
        empty.set_class(bool(shown), "-hidden")

    def on_resize(self) -> None:
        # The first resize comes right after on_mount filled the table at this very width.
        if self._rows and self.size.width != self._filled_width:
            self._fill()

    def _selected_key(self) -> str | None:
        table = self.query_one("#sites", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _selected_site(self) -> Site | None:
        row = self._selected_row()
        return row.site if row is not None else None

    def _selected_row(self) -> SiteRow | None:
        key = self._selected_key()
        return next((r for r in self._rows if key is not None and r.site_id == key), None)

    # -- filter -------------------------------------------------------------

    async def action_filter(self) -> None:
        box = self._filter_box()
        if box is None:
            box = Input(placeholder=msg.SITES_FILTER_PLACEHOLDER, id="filter")
            await self.mount(box, before=self.query_one("#sites", DataTable))
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#sites", DataTable).focus()

    def key_escape(self) -> None:
        box = self._filter_box()
        if box is not None and (box.value or not box.has_class("-hidden")):
            box.value = ""
            box.add_class("-hidden")
            self.query_one("#sites", DataTable).focus()

    # -- actions ------------------------------------------------------------

    @on(DataTable.RowSelected, "#sites")
    def _row_selected(self) -> None:
        self.action_open_dossier()

    def action_open_dossier(self) -> None:
        site = self._selected_site()
        if site is not None:
            from fsfield.screens.dossier import DossierScreen

            self.app.push_screen(DossierScreen(site.id))

    def action_new_visit(self) -> None:
        row = self._selected_row()
        site = row.site if row is not None else None
        if row is None or site is None:
            self.notify(msg.CHOOSE_SITE_FIRST, severity="warning")
            return
        from fsfield.domain.models import Visit
        from fsfield.screens.visit import open_visit_for_site

        draft = self.store.find(Visit, row.draft_id) if row.draft_id else None
        open_visit_for_site(self, site, draft)

    def action_followups(self) -> None:
        from fsfield.screens.followups import FollowUpsScreen

        self.app.push_screen(FollowUpsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "conflicts":
            return has_conflicts(self.store)
        return True

    def action_conflicts(self) -> None:
        from fsfield.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen())

    def action_sync(self) -> None:
        from fsfield.screens.sync import start_sync

        start_sync(self)

    def action_add_site(self) -> None:
        from fsfield.screens.site_form import SiteForm

        def created(site: Site | None) -> None:
            if site is not None:
                self.refresh_data()
                table = self.query_one("#sites", DataTable)
                table.move_cursor(row=table.get_row_index(site.id))

        self.app.push_screen(SiteForm(), created)

    def action_edit_site(self) -> None:
        site = self._selected_site()
        if site is None:
            self.notify("Choisissez d'abord une structure.", severity="warning")
            return
        from fsfield.screens.site_form import SiteForm

        def done(saved: Site | None) -> None:
            if saved is not None:
                self.refresh_data()

        self.app.push_screen(SiteForm(site), done)

    def action_journal(self) -> None:
        from fsfield.screens.activity import ActivityScreen

        self.app.push_screen(ActivityScreen())

    def action_planning(self) -> None:
        from fsfield.screens.planning import PlanningScreen

        self.app.push_screen(PlanningScreen())

    def action_annual(self) -> None:
        from fsfield.screens.annual import AnnualScreen

        self.app.push_screen(AnnualScreen(self.store, self.today()))
