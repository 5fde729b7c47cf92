"""Every follow-up: open first, overdue highlighted, by due date; filters and quick closing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from fsfield.domain.messages import how_many
from fsfield.domain.models import FollowUp, FollowUpStatus, Site, Visit, french_date
from fsfield.domain.names import short_name, site_sort_key
from fsfield.screens import messages as msg
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import TextPrompt
from fsfield.store import followups
from fsfield.store.overview import fold
from fsfield.store.templates import template_for
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip, reset_rows

ALL = "*"


class FollowUpsScreen(FsScreen):
    """Follow-ups list. `d` done, `e` edit, `o` show closed, `/` filter."""

    BINDINGS = [
        Binding("d", "done", "Fait", id="fu.done", tooltip="Marquer fait (note de clôture facultative)"),
        Binding("e,enter", "edit", "Modifier", key_display="e", id="fu.edit"),
        Binding("h", "history", msg.HISTORY_BINDING, show=False, id="fu.history", tooltip=msg.HISTORY_TOOLTIP),
        Binding("o", "toggle_closed", "Clos on/off", id="fu.closed", tooltip="Afficher ou masquer les suivis clos"),
        Binding("slash", "filter", "Filtrer", key_display="/", id="fu.filter"),
        Binding("escape", "back", "Retour", id="fu.back"),
    ]

    def __init__(self, site_id: str | None = None) -> None:
        super().__init__()
        self.show_closed = False
        self._initial_site = site_id
        self._followups: list[FollowUp] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Suivis")
        with Horizontal(id="fu-filters"):
            yield Select([], prompt=msg.FILTER_ANY_SITE, id="f-site", compact=True)
            yield Select([], prompt=msg.FILTER_ANY_MISSION, id="f-mission", compact=True)
            yield Select([], prompt=msg.FILTER_ANY_OWNER, id="f-owner", compact=True)
            yield Select([(s.label, s.value) for s in FollowUpStatus], prompt=msg.FILTER_ANY_STATUS,
                         id="f-status", compact=True)
        yield Input(placeholder="Filtrer (texte, structure)…", id="filter", classes="-hidden")
        yield DataTable(id="followups", cursor_type="row", zebra_stripes=True)
        yield Static(id="fu-detail", markup=False)
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#followups", DataTable).focus()

    def refresh_data(self) -> None:
        self.sites = {s.id: s for s in self.store.all(Site)}
        self.visits = {v.id: v for v in self.store.all(Visit)}
        self._followups = self.store.followups()
        self._fill_filters()
        self._fill()

    def _fill_filters(self) -> None:
        used_sites = sorted({f.site_id for f in self._followups},
                            key=lambda i: site_sort_key(self.sites[i].name if i in self.sites else i))
        site_select = self.query_one("#f-site", Select)
        value = site_select.value if site_select.value != Select.NULL else self._initial_site
        site_select.set_options([(self.sites[i].name if i in self.sites else i, i) for i in used_sites])
        if value in used_sites:
            site_select.value = value
        missions = sorted({f.mission_id for f in self._followups if f.mission_id})
        self._keep(self.query_one("#f-mission", Select), [(m.upper(), m) for m in missions])
        owners = sorted({f.owner_label for f in self._followups})
        self._keep(self.query_one("#f-owner", Select), [(o, o) for o in owners])

    @staticmethod
    def _keep(select: Select, options: list[tuple[str, str]]) -> None:
        value = select.value
        select.set_options(options)
        if value in {v for _, v in options}:
            select.value = value

    def _visible(self) -> list[FollowUp]:
        def chosen(select_id: str) -> str | None:
            value = self.query_one(select_id, Select).value
            return None if value == Select.NULL else str(value)

        site, mission = chosen("#f-site"), chosen("#f-mission")
        owner, status = chosen("#f-owner"), chosen("#f-status")
        text = fold(self.query_one("#filter", Input).value.strip())
        out = []
        for f in self._followups:
            if status is None and f.status.is_closed and not self.show_closed:
                continue
            if site and f.site_id != site or mission and f.mission_id != mission:
                continue
            if owner and f.owner_label != owner or status and f.status.value != status:
                continue
            site_name = self.sites[f.site_id].name if f.site_id in self.sites else ""
            if text and text not in fold(f.text) and text not in fold(site_name):
                continue
            out.append(f)
        return out

    def origin(self, f: FollowUp) -> str:
        visit = self.visits.get(f.visit_id or "")
        if visit is None:
            return ""
        label = f.item_id or ""
        template = template_for(self.store, visit.template_id, visit.template_version)
        if template is not None and f.item_id:
            try:
                label = template.item(f.item_id).label
            except KeyError:
                pass
        return f"Visite {french_date(visit.date)}" + (f" — {label}" if label else "")

    def _fill(self) -> None:
        table = self.query_one("#followups", DataTable)
        keep = self._current()
        wide = self.size.width >= 120
        columns = [("Échéance", "due"), ("Suivi", "text"), ("Structure", "site"),
                   ("Responsable", "owner"), ("Statut", "status")]
        columns += [("Origine", "origin")] if wide else []
        reset_rows(table, [(label, key, None) for label, key in columns])
        text_width = max(20, self.size.width - (90 if wide else 62))
        today = self.today()
        shown = self._visible()
        for f in shown:
            overdue = f.is_overdue(today)
            due = french_date(f.due) or "—"
            site = self.sites.get(f.site_id)
            site_name = clip(short_name(site.name), 22) if site else "(structure inconnue)"
            marker = "⚠ " if f.conflicted else ""
            cells = [
                f"[b red]{due} ⚠[/]" if overdue else due,
                clip(marker + f.text, text_width), site_name, clip(f.owner_label, 14),
                f.status.label,
            ]
            if wide:
                cells.append(self.origin(f))
            table.add_row(*cells, key=f.id)
        if keep is not None and any(f.id == keep.id for f in shown):
            table.move_cursor(row=table.get_row_index(keep.id))
        closed = "affichés" if self.show_closed else "masqués (o pour les voir)"
        shown_text = how_many(len(shown), "affiché")
        self.query_one(TitleBar).set_title(f"Suivis — {shown_text}, clos {closed}")
        self._render_detail()

    def _current(self) -> FollowUp | None:
        table = self.query_one("#followups", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((f for f in self._followups if f.id == key), None)

    def _render_detail(self) -> None:
        f = self._current()
        text = ""
        if f is not None:
            parts = [f.text, f"Priorité {f.priority.label.lower()} · {f.status.label}"]
            if self.origin(f):
                parts.append(self.origin(f))
            if f.notes:
                parts.append(f"Notes : {f.notes}")
            if f.closing_note:
                parts.append(f"Clôture : {f.closing_note} ({french_date(f.closed_on)})")
            text = " — ".join(parts)
        elif not self._followups:
            text = msg.NO_FOLLOWUP
        else:
            text = msg.NO_FOLLOWUP_SHOWN
        self.query_one("#fu-detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#followups")
    def _highlighted(self) -> None:
        self._render_detail()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Changed, "#filter")
    def _text_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _text_done(self) -> None:
        self.query_one("#followups", DataTable).focus()

    def on_resize(self) -> None:
        if self.is_mounted and self._followups:
            self._fill()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-hidden")
        box.focus()

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self._fill()

    def action_done(self) -> None:
        f = self._current()
        if f is None:
            return
        if f.status.is_closed:
            self.notify(msg.FOLLOWUP_ALREADY_CLOSED)
            return

        def closed(note: str | None) -> None:
            if note is None:
                return
            self.save(lambda: followups.close_followup(self.store, f.id, self.today(), note))
            self.notify(msg.FOLLOWUP_DONE.format(text=f.text), markup=False)
            self.refresh_data()

        self.app.push_screen(TextPrompt(msg.FOLLOWUP_CLOSING_NOTE, ""), closed)

    def action_edit(self) -> None:
        f = self._current()
        if f is None:
            return
        from fsfield.screens.followup_form import FollowUpForm

        def edited(result: FollowUp | None) -> None:
            if result is not None:
                self.refresh_data()

        self.app.push_screen(FollowUpForm(f, origin=self.origin(f)), edited)

    def action_history(self) -> None:
        from fsfield.screens.history import HistoryScreen, record_label

        f = self._current()
        if f is not None:
            self.app.push_screen(HistoryScreen("followup", f.id, None, f.text[:40], record_label))

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus or box.value:
            box.value = ""
            box.add_class("-hidden")
            self.query_one("#followups", DataTable).focus()
            return
        self.app.pop_screen()
