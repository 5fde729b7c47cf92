"""The report after the visit, in the TUI: `e` on a finalised visit of the dossier opens a form to
record that its report was sent (date, to whom) and the structure's reply (date, text, and per
finding: accepted or contested). Refused on a draft; nothing half-saved."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from fsfield.domain.models import Visit, VisitStatus, french_date, parse_french_date
from fsfield.domain.reply import Stance
from fsfield.screens.forms import FormScreen
from fsfield.store import visits as ops
from fsfield.store.repo import Store

NO_STANCE = "-"


def follow_through_line(visit: Visit) -> str:
    """A short cell for the dossier's visit table: reply received, sent, changed since."""
    if visit.status is not VisitStatus.FINALISED and not visit.sent():
        return ""
    sent = visit.sent()
    if visit.has_reply:
        text = f"réponse {visit.reply_on:%d/%m}" if visit.reply_on else "réponse reçue"
    else:
        text = f"envoyé {sent[-1].on:%d/%m}" if sent else "à envoyer"
    return text + (" ⚠ modifié" if visit.changed_since_sent else "")


def follow_through_text(store: Store, visit: Visit | None) -> str:
    """Below the dossier's visit table: what became of the highlighted visit's report."""
    if visit is None or visit.status is not VisitStatus.FINALISED:
        return ""
    from fsfield.reports.prepare import follow_through_lines
    from fsfield.reports.visit_report import follow_through

    lines = follow_through_lines(follow_through(visit, ops.template_of(store, visit)))
    return f"Rapport de la visite du {french_date(visit.date)} : " + "\n  ".join(lines)


class ReplyForm(FormScreen):
    """Sent on / to, reply on / text, a stance per finding. Dismisses with True once saved."""

    def __init__(self, visit: Visit) -> None:
        super().__init__()
        self._visit = visit

    def compose(self) -> ComposeResult:
        visit = self._visit
        template = ops.template_of(self.store, visit)
        self._findings = [(i.id, i.label) for i in template.items()
                          if visit.answer(i.id).status in ops.FINDINGS]
        sent = visit.sent()
        done = "; ".join(f"le {french_date(s.on)} à {s.to}" for s in sent) or "jamais"
        changed = " — modifiée depuis" if visit.changed_since_sent else ""
        with Vertical(classes="dialog"):
            yield Label(f"Envoi et réponse — visite du {french_date(visit.date)}",
                        classes="dialog-title")
            with VerticalScroll(classes="form-body"):
                yield Static(f"Déjà envoyé : {done}{changed}", classes="hint", markup=False)
                yield Label("Nouvel envoi le (JJ/MM/AAAA, vide : aucun)")
                yield Input("", id="sent-on", compact=True)
                yield Label("Envoyé à")
                yield Input("", id="sent-to", compact=True,
                            placeholder="structure, préfecture, sous-préfecture…")
                yield Label("Réponse de la structure reçue le (JJ/MM/AAAA)")
                yield Input(french_date(visit.reply_on), id="reply-on", compact=True)
                yield Label("Réponse (texte)")
                yield Input(visit.reply_text, id="reply-text", compact=True)
                for n, (item_id, label) in enumerate(self._findings):
                    current = visit.reply_items.get(item_id)
                    yield Label(label)
                    yield Select([("Sans avis", NO_STANCE), ("Accepté", Stance.ACCEPTED.value),
                                  ("Contesté", Stance.CONTESTED.value)],
                                 value=current.value if current else NO_STANCE,
                                 allow_blank=False, id=f"stance-{n}", compact=True)
            yield Static("", id="error", classes="error")
            yield Static("Entrée : champ suivant / valider — Ctrl+S : valider — Échap : annuler",
                         classes="hint")

    def on_mount(self) -> None:
        self.query_one("#sent-on", Input).focus()

    def _date(self, field: str, label: str) -> dt.date | None:
        text = self.query_one(f"#{field}", Input).value.strip()
        if not text:
            return None
        try:
            return parse_french_date(text)
        except ValueError as exc:
            raise ValueError(f"{label} : {exc}") from None

    def action_submit(self) -> None:
        try:
            sent_on = self._date("sent-on", "Date d'envoi")
            reply_on = self._date("reply-on", "Date de réponse")
        except ValueError as exc:
            self.show_error(str(exc))
            return
        sent_to = self.query_one("#sent-to", Input).value.strip()
        if bool(sent_on) != bool(sent_to):
            self.show_error("Un envoi demande sa date et son destinataire.")
            return
        text = self.query_one("#reply-text", Input).value.strip()
        stances: dict[str, Stance | None] = {}
        for n, (item_id, _) in enumerate(self._findings):
            value = str(self.query_one(f"#stance-{n}", Select).value)
            stances[item_id] = None if value == NO_STANCE else Stance(value)
        replying = reply_on or text or any(stances.values()) or self._visit.has_reply
        if not sent_on and not replying:
            self.show_error("Rien à enregistrer : indiquez un envoi ou la réponse.")
            return
        store, visit = self.store, self._visit

        def change() -> Visit:
            current = visit
            if sent_on:
                current = ops.record_sending(store, current, on=sent_on, to=sent_to)
            if replying:
                current = ops.record_reply(store, current, on=reply_on, text=text,
                                           stances=stances)
            return current

        try:
            self.save(change)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(True)
