"""The visit: a keyboard-only checklist by mission; every change is saved as it is made."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from fsfield.domain.messages import how_many, plural
from fsfield.domain.models import FollowUp, Site, Visit, VisitStatus, french_date
from fsfield.domain.parsing import parse_field
from fsfield.domain.template import AnswerStatus, ChecklistItem, answer_status_from_key
from fsfield.screens import messages as msg
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import CommentForm, ConfirmDialog, VisitInfoForm
from fsfield.screens.visit_text import (
    ANSWER_LEGEND,
    ANSWER_WIDTH,
    PREV_WIDTH,
    answer_cell,
    detail_lines,
    draft_owner,
    head_text,
    item_label,
)
from fsfield.store import visits as ops
from fsfield.widgets.checklist import Checklist
from fsfield.widgets.footer import FsFooter
from fsfield.widgets.text import set_text


def open_visit_for_site(screen: FsScreen, site: Site, draft: Visit | None) -> None:
    """Resume the site's draft visit, or start a new one (today, suivi)."""
    if draft is not None:
        whose = draft_owner(draft, screen.store.settings.animator)
        screen.notify(f"Reprise du brouillon{whose} du {french_date(draft.date)}.")
        screen.app.push_screen(VisitScreen(draft.id))
        return
    visit = screen.save(lambda: ops.start_visit(screen.store, site, date=screen.today()))
    if visit is None:  # saved in memory only: find it back
        drafts = [v for v in screen.store.visits(site.id) if v.status is VisitStatus.DRAFT]
        visit = drafts[0] if drafts else None
    if visit is not None:
        screen.app.push_screen(VisitScreen(visit.id))


class VisitScreen(FsScreen):
    """Checklist of one visit."""

    SHOWS_ANSWERS = True
    BINDINGS = [
        Binding("tab", "mission(1)", "Missions", key_display="Tab/Maj+Tab", priority=True,
                id="visit.next", tooltip="Mission suivante (Maj+Tab : précédente)"),
        Binding("shift+tab", "mission(-1)", "Mission précédente", key_display="Maj+Tab",
                priority=True, show=False, id="visit.prev"),
        *[
            Binding(s.key, f"answer('{s.key}')", s.label, show=False, id=f"visit.answer.{s.key}")
            for s in AnswerStatus
        ],
        *[
            Binding(d, f"answer('{d}')", "", show=False, id=f"visit.digit.{d}")
            for d in "56789"
        ],
        Binding("enter", "edit_value", "Saisir", id="visit.value",
                tooltip="Saisir la valeur (nombre ou texte ; Entrée ou =)"),
        Binding("equals_sign", "edit_value", "Saisir la valeur", key_display="=", show=False,
                id="visit.value.equals"),
        Binding("c", "comment", "Commentaire", id="visit.comment"),
        Binding("h", "history", msg.HISTORY_BINDING, show=False, id="visit.history", tooltip=msg.HISTORY_TOOLTIP),
        Binding("a", "add_followup", "Suivi +", id="visit.followup", tooltip="Ajouter un suivi sur cet élément"),
        Binding("i", "edit_info", "Infos", id="visit.info", tooltip="Date, type, participants"),
        Binding("F", "finalise", "Finaliser", key_display="F", id="visit.finalise"),
        Binding("F", "reopen", "Rouvrir", key_display="F", id="visit.reopen"),
        Binding("r", "report", "Rapport", id="visit.report"),
        Binding("D", "discard", "Abandonner le brouillon", key_display="D", show=False,
                id="visit.discard", tooltip="Abandonner ce brouillon (après confirmation)"),
        Binding("o", "operators", "Opérateurs", show=False, id="visit.operators", tooltip="Grille des opérateurs : référents, délais, demandes"),
        Binding("escape", "back", "Retour", id="visit.back"),
    ]

    def __init__(self, visit_id: str) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.mission_index = 0
        self._shown: dict[str, str] = {}
        self._discarded_here = False

    # -- data ---------------------------------------------------------------

    def _load(self) -> None:
        self.visit = self.store.get(Visit, self.visit_id)
        self.whose = draft_owner(self.visit, self.store.settings.animator)
        self.site = self.store.find(Site, self.visit.site_id)
        self.template = ops.template_of(self.store, self.visit)
        self.previous, self.recurring = ops.history_of(self.store, self.visit)

    def compose(self) -> ComposeResult:
        self._load()
        yield TitleBar("")
        yield Static(id="visit-head", markup=False)
        yield Static(id="missions")
        yield Static(ANSWER_LEGEND, id="legend")
        yield Checklist(id="items")
        yield Input(id="inline", classes="-hidden", select_on_focus=False)
        yield Static(id="detail")
        yield FsFooter()

    def on_mount(self) -> None:
        self._render_all()
        self.query_one("#items", Checklist).focus()

    def refresh_data(self) -> None:
        if self.store.find(Visit, self.visit_id) is None:  # discarded elsewhere, then synced
            if not self._discarded_here:  # D already told it
                self.notify("Ce brouillon a été abandonné.", severity="warning")
            self.call_after_refresh(self._leave)
            return
        self._load()
        self._render_all()

    @property
    def mission(self):  # noqa: ANN201 - Mission
        return self.template.missions[self.mission_index]

    def current_item(self) -> ChecklistItem | None:
        table = self.query_one("#items", Checklist)
        items = self.mission.items
        if not items:
            return None
        return items[min(table.cursor_row, len(items) - 1)]

    def _render_all(self) -> None:
        site = self.site.name if self.site else "(structure inconnue)"
        self.query_one(TitleBar).set_title(f"Visite — {site}")
        self._render_head()
        self._render_missions()
        self._render_items()

    def _render_head(self) -> None:
        v = self.visit
        set_text(self.query_one("#visit-head", Static), head_text(v, self.whose, self.size.width),
                 markup=False)

    def _render_missions(self) -> None:
        progress = ops.progress(self.visit, self.template)
        wide = self.size.width >= 110
        parts = []
        for n, mission in enumerate(self.template.missions):
            done, total = progress[mission.id]
            mark = "✓" if done == total else f"{done}/{total}"
            if n == self.mission_index:
                parts.append(f"[reverse b] {n + 1} {mission.short_title} {mark} [/]")
            elif wide:
                parts.append(f" {n + 1} {mission.short_title} {mark} ")
            else:
                parts.append(f" {n + 1}:{mark} ")
        self._update_if_changed("#missions", "│".join(parts))

    def _render_items(self) -> None:
        checklist = self.query_one("#items", Checklist)
        wide = self.size.width >= 100
        # the line's padding (2), the gaps between columns, and room for the scroll bar (2)
        label_width = max(20, self.size.width - ANSWER_WIDTH - (PREV_WIDTH + 1 if wide else 0) - 5)
        if wide:
            checklist.set_columns(("Réponse", "Élément", "Visite précédente"),
                                  (ANSWER_WIDTH, label_width, PREV_WIDTH))
        else:
            checklist.set_columns(("Réponse", "Élément"), (ANSWER_WIDTH, label_width))
        rows = []
        for item in self.mission.items:
            cells = [answer_cell(item, self.visit),
                     item_label(item, item.id in self.recurring, label_width)]
            prev = self.previous.get(item.id)
            a = prev.answer if prev else None
            cells.append("" if a is None else (a.status.label if a.status else str(a.value or "")))
            rows.append((item.id, tuple(cells)))
        checklist.set_rows(rows)
        self._render_detail()

    def on_resize(self) -> None:
        if self.is_mounted and hasattr(self, "visit"):
            self._render_head()
            self._render_missions()
            self._render_items()

    def _render_detail(self) -> None:
        item = self.current_item()
        if item is None:
            self._update_if_changed("#detail", "")
            return
        lines = detail_lines(self.mission.title, item, self.visit.answer(item.id),
                             self.previous.get(item.id), item.id in self.recurring)
        self._update_if_changed("#detail", "\n".join(lines))

    def _update_if_changed(self, selector: str, text: str) -> None:
        # A press repaints what changed only: the same text is not set again, and a new one
        # costs a layout pass only when it changes the widget's height (widgets/text.py).
        if self._shown.get(selector) != text:
            self._shown[selector] = text
            set_text(self.query_one(selector, Static), text)

    @on(Checklist.Highlighted)
    def _highlighted(self) -> None:
        self._render_detail()

    @on(Checklist.Selected)
    def _selected(self) -> None:
        # Entrée on an item means "enter its value" (or its comment for a status item).
        self.action_edit_value()

    # -- editing ------------------------------------------------------------

    def _editable(self) -> bool:
        if self.visit.status is VisitStatus.FINALISED:
            self.notify("Visite finalisée : rouvrez-la (F) pour la modifier.", severity="warning")
            return False
        return True

    def _change(self, item_id: str, *, advance: bool = False, **change: object) -> None:
        try:
            saved = self.save(lambda: ops.set_answer(self.store, self.visit, item_id, **change))
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        # the visit set_answer validated and saved; after a failed save (kept in memory), read
        self.visit = saved if saved is not None else self.store.get(Visit, self.visit_id)
        self._render_missions()
        # Only the changed line repaints (see widgets/checklist.py).
        item = self.template.item(item_id)
        checklist = self.query_one("#items", Checklist)
        checklist.update_cell(item_id, 0, answer_cell(item, self.visit))
        if advance and checklist.cursor_row < checklist.row_count - 1:
            checklist.move_cursor(row=checklist.cursor_row + 1)  # repaints the detail
        else:
            self._render_detail()

    def action_mission(self, step: int) -> None:
        if not self.query_one("#inline", Input).has_class("-hidden"):
            return
        self.mission_index = (self.mission_index + step) % len(self.template.missions)
        self.query_one("#items", Checklist).move_cursor(row=0)
        self._render_missions()
        self._render_items()

    def action_answer(self, key: str) -> None:
        item = self.current_item()
        if item is None or not self._editable():
            return
        status = answer_status_from_key(key)
        if status is None:
            extra = "" if item.kind == "status" else " — Entrée ou = : saisir la valeur"
            self.notify(ANSWER_LEGEND + extra, title="Réponses")
            return
        self._change(item.id, status=status, advance=True)

    def action_edit_value(self) -> None:
        item = self.current_item()
        if item is None or not self._editable():
            return
        if item.kind == "status":
            self.action_comment()
            return
        value = self.visit.answer(item.id).value
        self._start_inline(item, initial="" if value is None else str(value))

    def _start_inline(self, item: ChecklistItem, initial: str) -> None:
        box = self.query_one("#inline", Input)
        kind = "Nombre" if item.kind == "number" else "Texte"
        # the keys first: at 80 columns a long label would push them out of the box
        box.placeholder = f"{kind} — Entrée : valider · Échap : annuler — {item.label}"
        box.value = initial
        box.remove_class("-hidden")
        box.focus()
        box.cursor_position = len(initial)

    @on(Input.Submitted, "#inline")
    def _inline_done(self, event: Input.Submitted) -> None:
        item = self.current_item()
        if item is None:
            return
        try:
            value = parse_field(Visit, f"answers.{item.id}.value", event.value, item_kind=str(item.kind))
        except ValueError as exc:
            self.notify(f"{exc}.", severity="error")
            return
        self._close_inline()
        self._change(item.id, value=value, advance=True)

    def _close_inline(self) -> None:
        box = self.query_one("#inline", Input)
        box.add_class("-hidden")
        self.query_one("#items", Checklist).focus()

    def action_comment(self) -> None:
        item = self.current_item()
        if item is None or not self._editable():
            return

        def done(text: str | None) -> None:
            if text is not None and text != self.visit.answer(item.id).comment:
                self._change(item.id, comment=text)

        self.app.push_screen(CommentForm(item.label, self.visit.answer(item.id).comment), done)

    def action_edit_info(self) -> None:
        if not self._editable():
            return

        def done(changes: dict | None) -> None:
            if changes:
                try:
                    self.save(lambda: ops.update_info(self.store, self.visit_id, **changes))
                except ValueError as exc:
                    self.notify(str(exc), severity="error")
                self.refresh_data()

        self.app.push_screen(VisitInfoForm(self.visit), done)

    def action_add_followup(self) -> None:
        item = self.current_item()
        from fsfield.screens.followup_form import FollowUpForm

        draft = FollowUp(
            id="", text="x", site_id=self.visit.site_id, visit_id=self.visit.id,
            item_id=item.id if item else None, mission_id=self.mission.id,
        )
        origin = f"{self.mission.short_title} — {item.label}" if item else self.mission.title
        # the form itself tells "Suivi créé" (told twice before)
        self.app.push_screen(FollowUpForm(draft, origin=origin, new=True))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "finalise":
            return self.visit.status is VisitStatus.DRAFT
        if action == "reopen":
            return self.visit.status is VisitStatus.FINALISED
        if action == "discard":
            return self.visit.status is VisitStatus.DRAFT
        return True

    def action_finalise(self) -> None:
        missing = ops.missing_required(self.visit, self.template)
        if missing:
            shown = "\n• ".join(missing[:4]) + (f"\n… et {how_many(len(missing) - 4, 'autre')}" if len(missing) > 4 else "")
            self.notify(
                f"{how_many(len(missing), 'élément obligatoire', 'éléments obligatoires')} sans réponse "
                f"(ou {plural(len(missing), 'pré-rempli')} à confirmer) ; le premier est sélectionné :\n• {shown}",
                title="Visite non finalisée", severity="error", timeout=12,
            )
            self._select_item(ops.missing_required_ids(self.visit, self.template)[0])
            return
        self.save(lambda: ops.finalise(self.store, self.visit, self.template))
        self.notify("Visite finalisée.")
        self.refresh_data()
        self.refresh_bindings()

    def _select_item(self, item_id: str) -> None:
        mission = self.template.mission_of(item_id)
        self.mission_index = list(self.template.missions).index(mission)
        self._render_missions()
        self._render_items()
        row = [i.id for i in mission.items].index(item_id)
        self.query_one("#items", Checklist).move_cursor(row=row)

    def action_reopen(self) -> None:
        def done(ok: bool | None) -> None:
            if ok:
                self.save(lambda: ops.reopen(self.store, self.visit))
                self.notify("Visite rouverte (réouverture notée dans l'historique).")
                self.refresh_data()
                self.refresh_bindings()

        self.app.push_screen(ConfirmDialog("Rouvrir cette visite finalisée pour la modifier ?"), done)

    def action_discard(self) -> None:
        def done(ok: bool | None) -> None:
            if not ok:
                return
            try:
                self.save(lambda: ops.discard_draft(self.store, self.visit_id))
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            self._discarded_here = True
            self.notify("Brouillon abandonné ; il disparaîtra des autres ordinateurs à la "
                        "prochaine synchronisation.")
            self.call_after_refresh(self._leave)

        self.app.push_screen(ConfirmDialog(
            f"Abandonner le brouillon{self.whose} du {french_date(self.visit.date)} ? Ses réponses "
            "disparaîtront ici et, à la prochaine synchronisation, chez vos collègues "
            "(les suivis créés sont gardés)."), done)

    def _leave(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_operators(self) -> None:
        from fsfield.screens.operators import OperatorsScreen

        self.app.push_screen(OperatorsScreen(self.visit_id))

    def action_report(self) -> None:
        try:
            from fsfield.screens.report import show_visit_report
        except ImportError:
            self.notify("Les rapports arrivent bientôt.", severity="warning")
            return
        show_visit_report(self, self.visit_id)

    def action_history(self) -> None:
        from fsfield.screens.history import HistoryScreen, answer_label

        item = self.current_item()
        if item is not None:
            self.app.push_screen(HistoryScreen("visit", self.visit.id, f"answers.{item.id}",
                                               item.label, answer_label))

    def action_back(self) -> None:
        box = self.query_one("#inline", Input)
        if not box.has_class("-hidden"):
            self._close_inline()
            return
        if self.visit.status is VisitStatus.DRAFT:
            self.notify("Visite gardée en brouillon.")
        self.app.pop_screen()
