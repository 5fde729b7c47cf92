"""The visit report handed to the structure and the préfecture.

Layout (what a préfecture reader wants first): the header, a one-line summary of the answers,
then "Points d'attention" (every Non conforme, then every À améliorer, across missions, with
comments and a mark on recurring findings), then the follow-ups decided, then the full grid
mission by mission. :func:`visit_report` computes, :func:`render_markdown` and
:func:`render_html` only render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fsfield.domain.models import Answer, FollowUp, Site, Visit, VisitStatus, french_date
from fsfield.domain.template import AnswerStatus, ChecklistTemplate, ItemKind
from fsfield.reports.authors import visit_authors
from fsfield.reports.markup import esc, html_table, md, md_table, page, status_badge
from fsfield.store import visits as ops
from fsfield.store.repo import Store

STATUS_ORDER = (*AnswerStatus, None)


@dataclass(frozen=True)
class ItemLine:
    """One answered (or unanswered) item of the visit."""

    mission_short: str
    label: str
    status: AnswerStatus | None
    value: str
    comment: str
    prefilled: bool = False
    recurring: bool = False
    item_id: str = ""
    #: what the item checks (the template's ``ref``), e.g. ``réf. II``
    ref: str = ""
    #: set by the app at visit start (Sans objet for another site format)
    automatic: bool = False

    @property
    def answered(self) -> bool:
        """True when the item has a status or a value."""
        return self.status is not None or bool(self.value)

    @property
    def status_label(self) -> str:
        """The status in French ("Sans réponse" when unanswered, "" for a bare value)."""
        if self.status is not None:
            return self.status.label
        return "Sans réponse" if not self.value else ""


@dataclass(frozen=True)
class FollowUpLine:
    """A follow-up decided during the visit."""

    text: str
    owner: str
    due: dt.date | None
    priority: str
    status: str
    item: str


@dataclass(frozen=True)
class VisitReport:
    """Everything the visit report shows."""

    visit_id: str
    site_name: str
    site_id_fs: str
    commune: str
    in_directory: bool
    date: dt.date
    visit_type: str
    participants: str
    finalised: bool
    notes: str
    animator: str
    department: str
    counts: dict[AnswerStatus | None, int]
    attention: list[ItemLine]
    missions: list[tuple[str, list[ItemLine]]]
    followups: list[FollowUpLine]
    generated_on: dt.date = field(default_factory=dt.date.today)
    #: the checklist the visit was made with (``default`` v1) and the visit's content version
    template_ref: str = ""
    version: str = ""
    #: what happened to the report: sent (when, to whom) and the structure's reply
    follow_through: FollowThrough | None = None
    #: per mission (short title, score as shown) of a finalised visit (domain/score.py)
    scores: list[tuple[str, str]] = field(default_factory=list)

    @property
    def mission_scores(self) -> dict[str, str]:
        """Score shown per mission heading (``report.missions`` titles), for the PDF."""
        return {title: score for (title, _), (_, score) in
                zip(self.missions, self.scores, strict=False) if score != "—"}

    @property
    def title(self) -> str:
        """Title of the document."""
        return f"Compte rendu de visite — {self.site_name} — {french_date(self.date)}"


@dataclass(frozen=True)
class FollowThrough:
    """The report after the visit: its sendings, whether the visit changed since, the reply."""

    sendings: list[tuple[dt.date, str]]
    changed_since_sent: bool
    reply_on: dt.date | None
    reply_text: str
    #: (item label, stance label) for each finding the structure accepts or contests
    stances: list[tuple[str, str]]

    @property
    def empty(self) -> bool:
        """True when nothing was sent nor answered."""
        return not (self.sendings or self.reply_on or self.reply_text or self.stances)


def follow_through(visit: Visit, template: ChecklistTemplate | None) -> FollowThrough:
    """The sendings and the reply of a visit, items named by their label."""
    labels = {i.id: i.label for i in template.items()} if template else {}
    stances = [(labels.get(item_id, item_id), stance.label)
               for item_id, stance in sorted(visit.reply_items.items(),
                                             key=lambda kv: labels.get(kv[0], kv[0]))]
    return FollowThrough(
        sendings=[(s.on, s.to) for s in visit.sent()],
        changed_since_sent=visit.changed_since_sent,
        reply_on=visit.reply_on, reply_text=visit.reply_text, stances=stances,
    )


def format_value(value: object, unit: str | None = None) -> str:
    """A number or text answer as shown in reports (French decimal comma, unit appended)."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        text = f"{value:g}".replace(".", ",")
    else:
        text = str(value)
    return f"{text} {unit}" if unit and isinstance(value, int | float) else text


def _line(mission_short: str, label: str, answer: Answer, unit: str | None,
          recurring: bool, item_id: str = "", ref: str = "") -> ItemLine:
    return ItemLine(
        mission_short=mission_short, label=label, status=answer.status,
        value=format_value(answer.value, unit), comment=answer.comment.strip(),
        prefilled=answer.prefilled, recurring=recurring, item_id=item_id, ref=ref,
        automatic=answer.automatic,
    )


def build_visit_report(
    visit: Visit,
    site: Site | None,
    template: ChecklistTemplate,
    followups: list[FollowUp],
    recurring: set[str],
    *,
    animator: str = "",
    department: str = "",
    today: dt.date | None = None,
) -> VisitReport:
    """The report's figures from the models (pure: no store access)."""
    missions: list[tuple[str, list[ItemLine]]] = []
    known: set[str] = set()
    for n, mission in enumerate(template.missions, start=1):
        lines = []
        for item in mission.items:
            known.add(item.id)
            recurring_here = item.id in recurring and visit.answer(item.id).status in ops.FINDINGS
            lines.append(_line(mission.short_title, item.label, visit.answer(item.id), item.unit,
                               recurring_here, item.id, item.ref or ""))
        missions.append((f"{n}. {mission.title}", lines))
    orphans = [
        _line("Autres", item_id, answer, None, False, item_id)
        for item_id, answer in sorted(visit.answers.items())
        if item_id not in known and answer.is_answered
    ]
    if orphans:
        missions.append(("Éléments hors de la grille", orphans))
    every = [line for _, lines in missions for line in lines]
    counts: dict[AnswerStatus | None, int] = {status: 0 for status in STATUS_ORDER}
    status_items = {i.label for i in template.items() if i.kind is ItemKind.STATUS}
    for line in every:
        if line.status is not None:
            counts[line.status] += 1
        elif line.label in status_items:
            counts[None] += 1
    attention = [ln for ln in every if ln.status is AnswerStatus.NON_CONFORME]
    attention += [ln for ln in every if ln.status is AnswerStatus.A_AMELIORER]
    item_labels = {i.id: i.label for i in template.items()}
    fu_lines = [
        FollowUpLine(
            text=f.text, owner=f.owner_label, due=f.due, priority=f.priority.label,
            status=f.status.label, item=item_labels.get(f.item_id or "", f.item_id or ""),
        )
        for f in sorted(followups, key=lambda f: (f.due or dt.date.max, f.text))
    ]
    return VisitReport(
        visit_id=visit.id,
        site_name=site.name if site else f"(structure inconnue {visit.site_id})",
        site_id_fs=site.id_fs if site else "",
        commune=site.commune if site else "",
        in_directory=site.in_directory if site else True,
        date=visit.date, visit_type=visit.visit_type.label, participants=visit.participants,
        finalised=visit.status is VisitStatus.FINALISED, notes=visit.notes,
        animator=animator, department=department, counts=counts, attention=attention,
        missions=missions, followups=fu_lines, generated_on=today or dt.date.today(),
        template_ref=f"{visit.template_id} v{visit.template_version}", version=visit.version,
        follow_through=follow_through(visit, template),
        scores=_scores(visit, template),
    )


def _scores(visit: Visit, template: ChecklistTemplate) -> list[tuple[str, str]]:
    """Score per mission, only once the visit is finalised (drafts have no score)."""
    from fsfield.domain.score import mission_scores

    if visit.status is not VisitStatus.FINALISED:
        return []
    scores = mission_scores(visit, template)
    return [(m.short_title, scores[m.id].percent()) for m in template.missions]


def visit_report(store: Store, visit: Visit, today: dt.date | None = None) -> VisitReport:
    """The report of one visit, read from the store."""
    template = ops.template_of(store, visit)
    previous, _ = ops.history_of(store, visit)
    # Recurring at this visit: lacking now and at the previous visit that answered the item.
    recurring = {
        item_id for item_id, past in previous.items()
        if past.answer.status in ops.FINDINGS and visit.answer(item_id).status in ops.FINDINGS
    }
    settings = store.settings
    return build_visit_report(
        visit, store.find(Site, visit.site_id), template,
        ops.open_followups_of_visit(store, visit), recurring,
        animator=visit_authors(visit), department=settings.department, today=today,
    )


# -- rendering ----------------------------------------------------------------------------


def _summary(report: VisitReport) -> str:
    parts = [f"{status.label} : {report.counts[status]}" for status in AnswerStatus]
    if report.counts[None]:
        parts.append(f"sans réponse : {report.counts[None]}")
    text = " · ".join(parts)
    if report.scores:
        text += "  \nScore par mission : " + " · ".join(f"{m} {v}" for m, v in report.scores)
    return text


def _warnings(report: VisitReport) -> list[str]:
    out = []
    if not report.finalised:
        out.append("Document provisoire : la visite n'est pas finalisée (brouillon).")
    if not report.in_directory:
        out.append("Cette structure ne figure plus dans l'annuaire officiel "
                   "(nom connu lors du dernier import).")
    return out


def footer_text(report: VisitReport) -> str:
    """When and with what the document was made: app, checklist and visit versions."""
    from fsfield.reports.typst_data import app_version

    grid = f" · grille {report.template_ref}" if report.template_ref else ""
    version = f" · version de la visite {report.version}" if report.version else ""
    return (f"Document établi le {french_date(report.generated_on)} avec fsfield "
            f"{app_version()}{grid}{version}.")


def _md_item(line: ItemLine, *, with_mission: bool) -> str:
    head = f"**{line.status_label}**" if line.status_label and line.answered else ""
    where = f"{md(line.mission_short)} — " if with_mission else ""
    text = f"- {head + ' — ' if head else ''}{where}{md(line.label)}"
    if line.ref:
        text += f" ({md(line.ref)})"
    if line.automatic:
        text += " _(d'office)_"
    if not line.answered:
        text += " — _sans réponse_"
    if line.value:
        text += f" : {md(line.value, indent=2)}"
    if line.recurring:
        text += " — ↻ constat récurrent"
    if line.prefilled:
        text += " _(pré-rempli, à confirmer)_"
    if line.comment:
        text += f"  \n  _Commentaire :_ {md(line.comment, indent=2)}"
    return text


def render_markdown(report: VisitReport) -> str:
    """The report as Markdown (shown in the TUI, saved as .md)."""
    out = [f"# Compte rendu de visite — {md(report.site_name)}", ""]
    ident = f" (id {md(report.site_id_fs)})" if report.site_id_fs else ""
    out.append(f"**Structure :** {md(report.site_name)}{ident}"
               + (f" — {md(report.commune)}" if report.commune else "") + "  ")
    out.append(f"**Date :** {french_date(report.date)} · **Type :** {md(report.visit_type)}  ")
    out.append(f"**Participants :** {md(report.participants) or '—'}  ")
    if report.animator:
        dep = f" (département {md(report.department)})" if report.department else ""
        out.append(f"**Animateur départemental :** {md(report.animator)}{dep}  ")
    out.append("")
    out += [f"> ⚠ {w}\n" for w in _warnings(report)]
    out += ["## Synthèse", "", _summary(report), ""]
    out += [f"## Points d'attention ({len(report.attention)})", ""]
    out += [_md_item(ln, with_mission=True) for ln in report.attention] or [
        "Aucun élément à améliorer ni non conforme."]
    out += ["", f"## Suivis décidés ({len(report.followups)})", ""]
    if report.followups:
        out.append(md_table(
            ["Suivi", "Responsable", "Échéance", "Priorité", "Statut"],
            [[f.text, f.owner, french_date(f.due) or "—", f.priority, f.status]
             for f in report.followups],
        ))
    else:
        out.append("Aucun suivi créé lors de cette visite.")
    if report.notes.strip():
        out += ["", "## Notes", "", md(report.notes)]
    out += ["", "## Détail par mission", ""]
    for title, lines in report.missions:
        out += [f"### {md(title)}", ""]
        out += [_md_item(ln, with_mission=False) for ln in lines]
        out.append("")
    out.append(f"_{md(footer_text(report))}_")
    return "\n".join(out) + "\n"


def _html_item(line: ItemLine, *, with_mission: bool) -> str:
    badge = status_badge(line.status) if line.status or not line.value else ""
    where = f"<b>{esc(line.mission_short)}</b> — " if with_mission else ""
    value = f" : <b>{esc(line.value)}</b>" if line.value else ""
    extra = f' <span class="ref">({esc(line.ref)})</span>' if line.ref else ""
    if line.automatic:
        extra += " <i>(d'office)</i>"
    if line.recurring:
        extra += ' <span class="flag">↻ constat récurrent</span>'
    if line.prefilled:
        extra += " <i>(pré-rempli, à confirmer)</i>"
    comment = f'<div class="comment">{esc(line.comment)}</div>' if line.comment else ""
    return f"<li>{badge}{where}{esc(line.label)}{value}{extra}{comment}</li>"


def render_html(report: VisitReport) -> str:
    """The report as a standalone printable HTML page."""
    ident = f" (id {esc(report.site_id_fs)})" if report.site_id_fs else ""
    commune = f" — {esc(report.commune)}" if report.commune else ""
    body = ["<header>", f"<h1>Compte rendu de visite — {esc(report.site_name)}</h1>",
            f'<p class="meta"><b>Structure :</b> {esc(report.site_name)}{ident}{commune}</p>',
            f'<p class="meta"><b>Date :</b> {french_date(report.date)} · <b>Type :</b> '
            f"{esc(report.visit_type)} · <b>Participants :</b> {esc(report.participants) or '—'}</p>"]
    if report.animator:
        dep = f" (département {esc(report.department)})" if report.department else ""
        body.append(f'<p class="meta"><b>Animateur départemental :</b> {esc(report.animator)}'
                    f"{dep}</p>")
    body.append("</header>")
    body += [f'<p class="draft">⚠ {esc(w)}</p>' for w in _warnings(report)]
    body += ["<h2>Synthèse</h2>", f"<p>{esc(_summary(report))}</p>",
             f"<h2>Points d'attention ({len(report.attention)})</h2>"]
    if report.attention:
        items = "".join(_html_item(ln, with_mission=True) for ln in report.attention)
        body.append(f'<ul class="items">{items}</ul>')
    else:
        body.append("<p>Aucun élément à améliorer ni non conforme.</p>")
    body.append(f"<h2>Suivis décidés ({len(report.followups)})</h2>")
    if report.followups:
        body.append(html_table(
            ["Suivi", "Élément", "Responsable", "Échéance", "Priorité", "Statut"],
            [[f.text, f.item or "—", f.owner, french_date(f.due) or "—", f.priority, f.status]
             for f in report.followups],
        ))
    else:
        body.append("<p>Aucun suivi créé lors de cette visite.</p>")
    if report.notes.strip():
        body += ["<h2>Notes</h2>", f"<p>{esc(report.notes)}</p>"]
    body.append("<h2>Détail par mission</h2>")
    for title, lines in report.missions:
        items = "".join(_html_item(ln, with_mission=False) for ln in lines)
        body += [f"<h3>{esc(title)}</h3>", f'<ul class="items">{items}</ul>']
    return page(report.title, "\n".join(body), footer=footer_text(report))
