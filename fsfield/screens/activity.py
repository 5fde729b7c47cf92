"""The activity journal: visios, seminars, partner meetings, open days… `n` add, `e` edit,
`d` delete."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Select, Static

from fsfield.domain.activity import Activity, ActivityType, partner_short
from fsfield.domain.messages import how_many
from fsfield.domain.models import french_date
from fsfield.domain.template import load_partners
from fsfield.reports import journal
from fsfield.screens import messages as msg
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import ConfirmDialog, FormScreen
from fsfield.store import activities
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.tables import clip


class ActivityForm(FormScreen):
    """Create or edit an activity; dismisses with its id once saved, None when cancelled."""

    def __init__(self, activity: Activity | None = None) -> None:
        super().__init__()
        self._activity = activity

    def compose(self) -> ComposeResult:
        typed = (journal.as_input(self.store, self._activity) if self._activity
                 else journal.ActivityInput("visio", french_date(self.today()), ""))
        shorts = ", ".join(p.short for p in load_partners().partners)
        with Vertical(classes="dialog"):
            yield Label("Modifier l'activité" if self._activity else "Nouvelle activité",
                        classes="dialog-title")
            with VerticalScroll(classes="form-body"):
                yield Label("Type")
                yield Select([(t.label, t.cli_name) for t in ActivityType],
                             value=typed.activity_type, allow_blank=False, id="type", compact=True)
                yield Label("Date (JJ/MM/AAAA)")
                yield Input(typed.date, id="date", compact=True)
                yield Label("Titre")
                yield Input(typed.title, id="title", placeholder="ex. Visio mensuelle du réseau", compact=True)
                yield Label("Nombre de participants (facultatif)")
                yield Input(typed.attendance, id="attendance", compact=True)
                yield Label("Structures concernées (id_fs ou nom, séparés par des virgules)")
                yield Input(typed.sites, id="sites", compact=True)
                yield Label("Opérateurs et partenaires (séparés par des virgules)")
                yield Input(typed.partners, id="partners", compact=True)
                yield Static(f"Connus : {shorts}", classes="hint", markup=False)
                yield Label("Notes")
                yield Input(typed.notes, id="notes", compact=True)
            yield Static("", id="error", classes="error")
            yield Static(msg.FORM_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#title" if not self._activity else "#date", Input).focus()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def action_submit(self) -> None:
        typed = journal.ActivityInput(
            activity_type=str(self.query_one("#type", Select).value),
            date=self._value("date"), title=self._value("title"),
            attendance=self._value("attendance"), sites=self._value("sites"),
            partners=self._value("partners"), notes=self._value("notes"),
        )
        current = self._activity
        try:
            journal.activity_fields(self.store, typed)  # refuse before any write
            if current is None:
                saved = self.save(lambda: journal.add_activity(self.store, typed))
            else:
                saved = self.save(lambda: journal.edit_activity(self.store, current.id, typed))
        except ValueError as exc:
            self.show_error(msg.ACTIVITY_REFUSED.format(reason=exc))
            return
        # None only when the disk refused: the change is kept in memory and retried.
        self.dismiss(saved.id if saved else (current.id if current else ""))


class ActivityScreen(FsScreen):
    """The journal, newest first."""

    BINDINGS = [
        Binding("n", "add", "Ajouter", id="activity.add", tooltip="Nouvelle activité"),
        Binding("e,enter", "edit", "Modifier", key_display="e", id="activity.edit"),
        Binding("d", "delete", "Supprimer", id="activity.delete"),
        Binding("escape", "back", "Retour", id="activity.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._items: list[Activity] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Journal d'activité")
        table: DataTable = DataTable(id="activities", cursor_type="row", zebra_stripes=True)
        for label, key in [("Date", "date"), ("Type", "type"), ("Titre", "title"),
                           ("Part.", "people"), ("Partenaires / structures", "who")]:
            table.add_column(label, key=key)
        yield table
        yield Static(id="activity-empty", classes="empty -hidden")
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#activities", DataTable).focus()

    def refresh_data(self) -> None:
        """Re-read the journal, keeping the highlighted activity."""
        self._items = list(reversed(journal.activities(self.store)))
        year = self.today().year
        this_year = sum(1 for a in self._items if a.date.year == year)
        self.query_one(TitleBar).set_title(
            f"Journal d'activité — {how_many(len(self._items), 'activité')}, "
            f"dont {this_year} en {year}")
        table = self.query_one("#activities", DataTable)
        current = self.current()
        table.clear()
        width = max(16, (self.size.width or 100) - 64)
        for a in self._items:
            who = [partner_short(p) for p in a.partners] + journal.site_names(self.store, a)
            table.add_row(
                french_date(a.date), a.activity_type.short_label, clip(a.title, width),
                "" if a.attendance is None else str(a.attendance), clip(", ".join(who), 30),
                key=a.id,
            )
        if current is not None and any(a.id == current.id for a in self._items):
            table.move_cursor(row=table.get_row_index(current.id))
        empty = self.query_one("#activity-empty", Static)
        empty.update(msg.NO_ACTIVITY)
        empty.set_class(bool(self._items), "-hidden")

    def current(self) -> Activity | None:
        """The highlighted activity."""
        table = self.query_one("#activities", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self._items if a.id == key), None)

    @on(DataTable.RowSelected, "#activities")
    def _selected(self) -> None:
        self.action_edit()

    def _saved(self, activity_id: str | None) -> None:
        if activity_id is None:
            return
        self.refresh_data()
        table = self.query_one("#activities", DataTable)
        if any(a.id == activity_id for a in self._items):
            table.move_cursor(row=table.get_row_index(activity_id))

    def action_add(self) -> None:
        self.app.push_screen(ActivityForm(), self._saved)

    def action_edit(self) -> None:
        activity = self.current()
        if activity is not None:
            self.app.push_screen(ActivityForm(activity), self._saved)

    def action_delete(self) -> None:
        activity = self.current()
        if activity is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.save(lambda: activities.delete_activity(self.store, activity.id))
                self.notify(msg.ACTIVITY_DELETED.format(title=activity.title), markup=False)
                self.refresh_data()

        title = escape(activity.title)
        self.app.push_screen(ConfirmDialog(
            msg.ACTIVITY_DELETE_QUESTION.format(title=title, date=french_date(activity.date))),
            done)

    def action_back(self) -> None:
        self.app.pop_screen()
