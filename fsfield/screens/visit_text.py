"""The visit screen's text: answer cells, item labels, the header and the detail lines.

Pure functions of the models, so the screen only places them (and tests can read them).
"""

from __future__ import annotations

from rich.markup import escape

from fsfield.domain.models import Answer, Visit, VisitStatus, french_date
from fsfield.domain.template import AnswerStatus, ChecklistItem
from fsfield.store.visits import PastAnswer
from fsfield.widgets.tables import clip

SHORT_STATUS = {
    AnswerStatus.CONFORME: "✓ Conforme",
    AnswerStatus.A_AMELIORER: "~ À améliorer",
    AnswerStatus.NON_CONFORME: "✗ Non conforme",
    AnswerStatus.SANS_OBJET: "– Sans objet",
    AnswerStatus.NON_VERIFIE: "? Non vérifié",
}


ANSWER_WIDTH = 26
PREV_WIDTH = 18
ANSWER_LEGEND = "1 Conforme  2 À améliorer  3 Non conforme  4 Sans objet  0 Non vérifié"


def draft_owner(visit: Visit, me: str) -> str:
    """`` de Anne`` when the visit was started by someone else than ``me``, else ``""``."""
    who = visit.made_by
    return f" de {who}" if who and who != me else ""



def value_text(item: ChecklistItem, answer: Answer) -> str:
    """A number (decimal comma, unit) or a text answer, as typed; "" when there is none."""
    value = answer.value
    if value in (None, ""):
        return ""
    text = f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)
    return f"{text} {item.unit}" if item.unit else text


def answer_cell(item: ChecklistItem, visit: Visit) -> str:
    answer = visit.answer(item.id)
    if item.kind == "status" or answer.value in (None, ""):
        text = SHORT_STATUS[answer.status] if answer.status else "·"
    else:
        text = value_text(item, answer)
        if answer.status is not None:
            text += " " + SHORT_STATUS[answer.status].split(" ", 1)[0]
    if answer.prefilled:
        text += " à confirmer"
    elif answer.automatic:
        text += " (auto)"
    elif answer.comment:
        text += " ✎"  # a comment is there (shown below the list)
    return text



def item_label(item: ChecklistItem, recurring: bool, width: int) -> str:
    """The item's label in ``width`` columns; a required item keeps its ``*`` when cut."""
    label = ("↻ " if recurring else "") + item.label
    return clip(label, width - 2) + " *" if item.required else label


def head_text(visit: Visit, whose: str, width: int) -> str:
    """The header: the state first (never cut off), the participants take what is left."""
    state = "FINALISÉE" if visit.status is VisitStatus.FINALISED else "Brouillon" + whose
    conflict = " · ⚠ conflit à régler" if visit.conflicted else ""
    head = f"{state}{conflict} · {french_date(visit.date)} · {visit.visit_type.label} · Participants : "
    return head + clip(visit.participants or "—", max(width - len(head) - 2, 8))


def detail_lines(mission_title: str, item: ChecklistItem, answer: Answer,
                 previous: PastAnswer | None, recurring: bool) -> list[str]:
    """What is shown under the list for the current item (markup escaped)."""
    lines = [f"[b]{escape(mission_title)}[/b] — {escape(item.help)}"]
    if item.ref:
        lines[0] += f" [dim]({escape(item.ref)})[/dim]"
    if item.kind != "status":
        typed = value_text(item, answer)
        lines.append(f"Réponse : {escape(typed)}" if typed else
                     "[dim]Entrée ou = : saisir la valeur · 4 Sans objet · 0 Non vérifié[/dim]")
    if answer.prefilled:
        lines.append("[i]Pré-rempli depuis les horaires de l'annuaire : à confirmer sur place.[/i]")
    if answer.comment:
        lines.append(f"Commentaire : {escape(answer.comment)}")
    if previous is not None:
        extra = f" — « {previous.answer.comment} »" if previous.answer.comment else ""
        lines.append(escape(previous.label() + extra))
    if recurring:
        lines.append("[b]↻ Constat récurrent[/b] : à améliorer ou non conforme aux deux dernières visites.")
    return lines
