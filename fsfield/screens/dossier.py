"""Site dossier: directory data, hours verdict, visit history, open follow-ups, recurring findings."""

from __future__ import annotations

from collections import Counter

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from fsfield.domain.hours import ALL_DAYS, parse_week
from fsfield.domain.models import Site, Visit, VisitStatus, french_date
from fsfield.domain.template import AnswerStatus
from fsfield.screens import messages as msg
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.reply_form import follow_through_line, follow_through_text
from fsfield.store import visits as ops
from fsfield.store.templates import current_template
from fsfield.widgets.footer import FsFooter


class DossierScreen(FsScreen):
    """Everything known about one site. `n` starts a visit, `enter` opens a past visit."""

    BINDINGS = [
        Binding("n", "new_visit", "Visite", id="dossier.visit", tooltip="Commencer (ou reprendre) une visite"),
        Binding("enter", "open_visit", "Ouvrir la visite", id="dossier.open"),
        Binding("f", "followups", "Suivis", id="dossier.followups", tooltip="Suivis de cette structure"),
        Binding("p", "prepare", "Préparer", id="dossier.prepare", tooltip="Fiche de préparation de la prochaine visite"),
        Binding("e", "reply", "Envoi/réponse", id="dossier.reply",
                tooltip="Noter l'envoi du compte rendu et la réponse de la structure (visite finalisée)"),
        Binding("m", "edit_card", "Modifier la fiche", id="dossier.card",
                tooltip="Corriger téléphone, courriel, adresse, horaires…"),
        Binding("h", "history", msg.HISTORY_BINDING, show=False, id="dossier.history", tooltip=msg.HISTORY_TOOLTIP),
        Binding("escape", "back", "Retour", id="dossier.back"),
    ]

    def __init__(self, site_id: str) -> None:
        super().__init__()
        self.site_id = site_id

    def compose(self) -> ComposeResult:
        yield TitleBar("Dossier")
        with VerticalScroll(id="dossier-body"):
            yield Static(id="directory")
            yield Static("[b]Visites[/b]  (Entrée pour ouvrir)", classes="section")
            table: DataTable = DataTable(id="visits", cursor_type="row")
            for label, key in [("Date", "date"), ("Type", "type"), ("Statut", "status"),
                               ("Conf.", "c"), ("Amél.", "a"), ("Non conf.", "nc"), ("Autres", "o"),
                               ("Rapport", "report")]:
                table.add_column(label, key=key)
            yield table
            yield Static(id="follow-through", markup=False)
            yield Static(id="scores")
            yield Static(id="open-followups")
            yield Static(id="recurring")
        yield FsFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#visits", DataTable).focus()

    def refresh_data(self) -> None:
        site = self.store.find(Site, self.site_id)
        if site is None:
            self.app.pop_screen()
            return
        self.site = site
        flag = "" if site.in_directory else "  (ne figure plus dans l'annuaire)"
        self.query_one(TitleBar).set_title(f"Dossier — {site.name}{flag}")
        self.query_one("#directory", Static).update(self._directory_text(site))
        self._fill_visits()
        self._fill_scores()
        self._fill_followups()

    def _directory_text(self, site: Site) -> str:
        week = parse_week(site.hours)
        lines = [
            f"[b]{site.name}[/b] — {site.format_fs.replace('_', ' ') or 'format inconnu'} — "
            f"id {site.id_fs or '—'}",
            ", ".join(part for part in (f"{site.address} {site.address_extra}".strip(),
                                        f"{site.postal_code} {site.commune}".strip()) if part),
            f"Tél. {site.phone or '—'} · {site.email or '—'}"
            + (" · sur rendez-vous" if site.appointment else ""),
            "",
            "[b]Horaires publiés[/b]",
        ]
        for day in ALL_DAYS:
            if day in week.days:
                lines.append(f"  {day.capitalize():<9} {week.days[day]}")
        lines.append(f"  → {week.summary()}")
        if site.labelled_on:
            lines.append(f"Labellisée le {french_date(site.labelled_on)}")
        return "\n".join(lines)

    def _fill_visits(self) -> None:
        table = self.query_one("#visits", DataTable)
        table.clear()
        self._visits = self.store.visits(self.site_id)
        me = self.store.settings.animator
        for visit in self._visits:
            counts = Counter(a.status for a in visit.answers.values() if a.status)
            others = sum(counts.values()) - counts[AnswerStatus.CONFORME] - counts[
                AnswerStatus.A_AMELIORER] - counts[AnswerStatus.NON_CONFORME]
            status = visit.status.label
            if visit.status is VisitStatus.DRAFT:  # whose draft, when it is a colleague's
                status += (f" de {visit.made_by}" if visit.made_by and visit.made_by != me else "") + " ✎"
            if visit.conflicted:
                status = "⚠ " + status  # a field edited in two places: settle it under s → c
            table.add_row(
                french_date(visit.date), visit.visit_type.label, status,
                str(counts[AnswerStatus.CONFORME]), str(counts[AnswerStatus.A_AMELIORER]),
                str(counts[AnswerStatus.NON_CONFORME]), str(others),
                follow_through_line(visit), key=visit.id,
            )
        if not self._visits:
            table.add_row("aucune visite", "", "", "", "", "", "", "", key="none")

    def _fill_scores(self) -> None:
        from fsfield.domain.score import score_history
        from fsfield.reports.scores import grid_text, site_grid

        current = current_template(self.store)
        history = score_history(self._visits, lambda v: ops.template_of(self.store, v), current)
        missions = [(m.id, m.short_title) for m in current.missions]
        text = "[b]Score par mission[/b] (part des éléments vérifiés conformes)\n"
        self.query_one("#scores", Static).update(
            text + escape(grid_text(site_grid(history, missions))))

    def _fill_followups(self) -> None:
        today = self.today()
        open_fus = [f for f in self.store.followups(self.site_id) if not f.status.is_closed]
        lines = [f"[b]Suivis ouverts ({len(open_fus)})[/b]"]
        for f in open_fus:
            due = french_date(f.due) or "sans échéance"
            late = " [b red]⚠ en retard[/]" if f.is_overdue(today) else ""
            lines.append(f"  • {f.text} — {f.owner_label} — {due}{late}")
        self.query_one("#open-followups", Static).update("\n".join(lines))
        recurring = ops.recurring_findings(self.store, self.site_id)
        template = current_template(self.store)
        labels = []
        for item_id in sorted(recurring):
            try:
                labels.append(template.item(item_id).label)
            except KeyError:
                labels.append(item_id)
        text = "[b]Constats récurrents[/b] (à améliorer / non conforme aux 2 dernières visites ou plus)\n"
        text += "\n".join(f"  ↻ {label}" for label in labels) if labels else "  aucun"
        self.query_one("#recurring", Static).update(text)

    def _selected_visit_id(self) -> str | None:
        table = self.query_one("#visits", DataTable)
        if not self._visits or table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowHighlighted, "#visits")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        visit = self.store.find(Visit, str(event.row_key.value)) if self._visits else None
        self.query_one("#follow-through", Static).update(follow_through_text(self.store, visit))

    @on(DataTable.RowSelected, "#visits")
    def _selected(self) -> None:
        self.action_open_visit()

    def action_open_visit(self) -> None:
        visit_id = self._selected_visit_id()
        if visit_id:
            from fsfield.screens.visit import VisitScreen

            self.app.push_screen(VisitScreen(visit_id))

    def action_new_visit(self) -> None:
        from fsfield.screens.visit import open_visit_for_site

        drafts = [v for v in self.store.visits(self.site_id) if v.status is VisitStatus.DRAFT]
        open_visit_for_site(self, self.site, drafts[0] if drafts else None)

    def action_followups(self) -> None:
        from fsfield.screens.followups import FollowUpsScreen

        self.app.push_screen(FollowUpsScreen(site_id=self.site_id))

    def action_edit_card(self) -> None:
        from fsfield.screens.site_form import SiteForm

        def done(site: Site | None) -> None:
            if site is not None:
                self.refresh_data()

        self.app.push_screen(SiteForm(self.site), done)

    def action_prepare(self) -> None:
        try:
            from fsfield.screens.report import show_prepare_pack
        except ImportError:
            self.notify("La fiche de préparation arrive bientôt.", severity="warning")
            return
        show_prepare_pack(self, self.site_id)

    def action_reply(self) -> None:
        visit_id = self._selected_visit_id()
        visit = self.store.find(Visit, visit_id) if visit_id else None
        if visit is None:
            return
        if visit.status is not VisitStatus.FINALISED:
            self.notify("Finalisez la visite (F) avant de noter l'envoi de son compte rendu.",
                        severity="warning")
            return
        from fsfield.screens.reply_form import ReplyForm

        def done(saved: bool | None) -> None:
            if saved:
                self.refresh_data()
                self.notify("Envoi / réponse enregistrés.", title="Enregistré")

        self.app.push_screen(ReplyForm(visit), done)

    def action_history(self) -> None:
        from fsfield.screens.history import HistoryScreen, record_label

        self.app.push_screen(HistoryScreen("site", self.site_id, None, self.site.name, record_label))

    def action_back(self) -> None:
        self.app.pop_screen()
