"""Rendering of the annual activity report: Markdown (with text bars), HTML, CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fsfield.domain.activity import ActivityType
from fsfield.domain.messages import how_many, plural
from fsfield.domain.models import VisitType, french_date
from fsfield.domain.template import AnswerStatus
from fsfield.reports import messages as msg
from fsfield.reports.annual import MONTHS, AnnualFigures, FollowUpGroup
from fsfield.reports.authors import animator_line
from fsfield.reports.export import french_csv
from fsfield.reports.markup import esc, html_table, md, md_table, page
from fsfield.reports.operators import HEADER as OPERATORS_HEADER
from fsfield.reports.operators import NOTE as OPERATORS_NOTE
from fsfield.reports.operators import percent as share_text
from fsfield.reports.operators import table_rows as operator_rows
from fsfield.reports.scores import (
    DISTRIBUTION_HEADER,
    SCORE_NOTE,
    WORSENED_HEADER,
    distribution_rows,
    worsened_rows,
)

BAR_WIDTH = 30
NOTE = ("Un suivi est ouvert à la date de sa visite ; « en retard » : encore ouvert au {as_of} "
        "avec une échéance dépassée.")
REPLY_HEADER = ["Structure", "Visite", "Envoyé le", "À", "Réponse le", "Acceptés", "Contestés"]
_FU_HEADER = ["Responsable", "Ouverts dans l'année", "Clos", "En cours fin de période", "En retard"]
_MEETING_TYPES = (ActivityType.VISIO, ActivityType.SEMINAIRE, ActivityType.REUNION)
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")


def days_text(value: float | None) -> str:
    """``12,5 jours`` (French decimal comma), or ``—``."""
    if value is None:
        return "—"
    text = f"{value:g}".replace(".", ",")
    return f"{text} jour{'s' if value >= 2 else ''}"


def title(fig: AnnualFigures, department: str = "") -> str:
    """The report's title."""
    dep = f" — département {department}" if department else ""
    return f"Rapport d'activité {fig.year} — animation départementale France services{dep}"


def period(fig: AnnualFigures) -> str:
    """``du 01/01/2025 au 31/12/2025``."""
    return f"du {french_date(dt.date(fig.year, 1, 1))} au {french_date(fig.as_of)}"


def key_figures(fig: AnnualFigures) -> list[tuple[str, str]]:
    """The headline figures, as (value, label) pairs; each label agrees with its value."""
    kinds = dict(fig.per_type)
    apart = [how_many(kinds[t], *label) for t, label in (
        (VisitType.CONTROLE_QUALITE, ("contrôle qualité", "contrôles qualité")),
        (VisitType.VISITE_MYSTERE, ("visite mystère", "visites mystère"))) if kinds.get(t)]
    if fig.visits_draft:
        apart.insert(0, f"{fig.visits_draft} en brouillon")
    draft = f" (dont {', '.join(apart)})" if apart else ""
    as_of = french_date(fig.as_of)
    out = [
        (str(fig.visits_total), plural(fig.visits_total, *msg.VISITS) + draft),
        (f"{fig.sites_visited} / {fig.sites_in_directory}",
         plural(fig.sites_visited, *msg.SITES_VISITED)),
        (str(len(fig.stale)), plural(len(fig.stale), *msg.STALE).format(months=fig.months)),
    ]
    for kind in ActivityType:
        count = fig.activity_count(kind)
        if count or kind in _MEETING_TYPES or kind is ActivityType.PORTES_OUVERTES:
            out.append((str(count), plural(count, *msg.ACTIVITY_FIGURES[kind])))
    out += [
        (str(fig.attendance_total), plural(fig.attendance_total, *msg.ATTENDANCE)),
        (str(fig.fu_opened), plural(fig.fu_opened, *msg.FU_OPENED)),
        (str(fig.fu_closed), plural(fig.fu_closed, *msg.FU_CLOSED)),
        (str(fig.fu_open_end), plural(fig.fu_open_end, *msg.FU_STILL_OPEN).format(date=as_of)),
        (str(fig.fu_overdue), plural(fig.fu_overdue, *msg.FU_OVERDUE).format(date=as_of)),
        (days_text(fig.median_days_to_close), msg.MEDIAN_DELAY),
    ]
    return out


def text_bars(values: tuple[int, ...], labels: tuple[str, ...] = MONTHS,
              width: int = BAR_WIDTH) -> str:
    """A bar chart in text, one line per label (``mars       ████ 4``)."""
    top = max(values, default=0)
    pad = max(len(label) for label in labels)
    lines = []
    for label, value in zip(labels, values, strict=True):
        size = round(value / top * width) if top else 0
        bar = "█" * max(size, 1 if value else 0)
        lines.append(f"{label:<{pad}} {bar} {value}".rstrip())
    return "\n".join(lines)


def _months_text(per_month: tuple[int, ...]) -> str:
    parts = [SHORT_MONTHS[i] + (f" ×{n}" if n > 1 else "")
             for i, n in enumerate(per_month) if n]
    return ", ".join(parts) or "—"


def site_rows(fig: AnnualFigures) -> list[list[Any]]:
    return [[s.name + ("" if s.in_directory else " (hors annuaire)"), s.id_fs or "—", s.count,
             _months_text(s.per_month), french_date(s.last_visit) or "jamais"]
            for s in fig.per_site]


def group_rows(groups: list[FollowUpGroup]) -> list[list[Any]]:
    return [[g.label, g.opened, g.closed, g.open_end, g.overdue] for g in groups]


def activity_rows(fig: AnnualFigures) -> list[list[Any]]:
    return [[a.activity_type.label, a.count,
             a.attendance if a.count else "—",
             a.unknown_attendance or ""] for a in fig.activities_by_type]


def journal_rows(fig: AnnualFigures) -> list[list[Any]]:
    return [[french_date(a.date), a.activity_type.label, a.title,
             "" if a.attendance is None else a.attendance,
             ", ".join(a.partners + a.sites) or "—"] for a in fig.activities]


def mission_rows(fig: AnnualFigures) -> list[list[Any]]:
    return [[m.title, *(m.counts[s] for s in AnswerStatus), m.total] for m in fig.missions]




def followup_line(fig: AnnualFigures) -> str:
    """The follow-up figures in one sentence."""
    return (f"Ouverts : {fig.fu_opened} · clos : {fig.fu_closed} · en cours au "
            f"{french_date(fig.as_of)} : {fig.fu_open_end} · en retard : {fig.fu_overdue} · "
            f"délai médian de clôture : {days_text(fig.median_days_to_close)}")


def count(n: int, singular: str, plural: str) -> str:
    """``1 rapport envoyé``, ``0 rapport envoyé``, ``3 rapports envoyés`` (French: 0 and 1 are
    singular)."""
    return f"{n} {singular if n < 2 else plural}"


def replies_summary(fig: AnnualFigures) -> str:
    """``12 rapports envoyés sur 14 visites finalisées · 5 réponses reçues``."""
    changed = sum(1 for r in fig.replies if r.changed_since_sent)
    text = (f"{count(fig.reports_sent, 'rapport envoyé', 'rapports envoyés')} sur "
            f"{count(len(fig.replies), 'visite finalisée', 'visites finalisées')} · "
            f"{count(fig.replies_received, 'réponse reçue', 'réponses reçues')}")
    if changed:
        text += f" · {count(changed, 'modifié', 'modifiés')} après envoi"
    return text


def reply_rows(fig: AnnualFigures) -> list[list[Any]]:
    """One row per finalised visit of the year."""
    return [[r.site_name, french_date(r.visit_date),
             (french_date(r.sent_on) or "non envoyé")
             + (" (modifié après envoi)" if r.changed_since_sent else ""),
             r.sent_to or "—", french_date(r.reply_on) or ("reçue" if r.replied else "—"),
             r.accepted, r.contested] for r in fig.replies]


def replies_data(fig: AnnualFigures) -> dict[str, Any]:
    """The section "Rapports envoyés / réponses reçues" for the PDF template."""
    return {"summary": replies_summary(fig), "header": REPLY_HEADER, "rows": reply_rows(fig)}


def render_markdown(fig: AnnualFigures, department: str = "",
                    animator: str | Sequence[str] = "") -> str:
    """The annual report as Markdown (text bars in a code block)."""
    out = [f"# {md(title(fig, department))}", "", f"Période : {period(fig)}  "]
    if animator_line(animator):
        out.append(f"{md(animator_line(animator))}  ")
    out.append("")
    if fig.empty:
        out += [f"> Aucune visite, aucune activité ni aucun suivi enregistré en {fig.year} "
                f"(jusqu'au {french_date(fig.as_of)}).", ""]
    out += ["## Chiffres clés", ""]
    out += [f"- **{value}** {md(label)}" for value, label in key_figures(fig)]
    out += ["", "## Visites par mois", "", "```", text_bars(fig.per_month), "```", ""]
    out += ["## Visites par structure", "",
            md_table(["Structure", "id", "Visites", "Mois", "Dernière visite"],
                     site_rows(fig), "llrll"), ""]
    out += ["## Visites par type", "",
            md_table(["Type", "Visites"], [[t.label, n] for t, n in fig.per_type], "lr"), ""]
    out += [f"## Structures non visitées depuis plus de {fig.months} mois "
            f"(au {french_date(fig.as_of)})", ""]
    if fig.stale:
        out.append(md_table(
            ["Structure", "id", "Dernière visite", "Jours"],
            [[s.name, s.id_fs or "—", french_date(s.last_visit) or "jamais",
              "" if s.days_since is None else s.days_since] for s in fig.stale], "lllr"))
    else:
        out.append("Aucune.")
    out += ["", "## Suivis", "", followup_line(fig), ""]
    if fig.fu_by_owner:
        out += ["### Par responsable", "",
                md_table(_FU_HEADER, group_rows(fig.fu_by_owner), "lrrrr"), ""]
    if fig.fu_by_partner:
        out += ["### Par opérateur ou partenaire", "",
                md_table(["Opérateur / partenaire", *_FU_HEADER[1:]],
                         group_rows(fig.fu_by_partner), "lrrrr"), ""]
    out += ["## Constats les plus fréquents (À améliorer + Non conforme)", ""]
    if fig.top_findings:
        out.append(md_table(
            ["Élément", "À améliorer", "Non conforme", "Total", "Structures"],
            [[f.label, f.a_ameliorer, f.non_conforme, f.total, f.sites]
             for f in fig.top_findings], "lrrrr"))
    else:
        out.append("Aucun constat.")
    out += ["", "## Animation du réseau (journal d'activité)", "",
            md_table(["Type", "Nombre", "Participants", "Participation non notée"],
                     activity_rows(fig), "lrrr"), ""]
    if fig.activities:
        out += ["### Détail", "",
                md_table(["Date", "Type", "Titre", "Participants", "Partenaires et structures"],
                         journal_rows(fig), "lllrl"), ""]
    out += ["## Synthèse par mission (réponses de l'année)", ""]
    if fig.missions:
        out.append(md_table(["Mission", *(s.label for s in AnswerStatus), "Total"],
                            mission_rows(fig), "lrrrrrr"))
    else:
        out.append("Aucune réponse enregistrée.")
    if fig.scores is not None and fig.scores.distribution:
        out += ["", "## Scores par mission (dernière visite finalisée de l'année)", "",
                md_table(DISTRIBUTION_HEADER, distribution_rows(fig.scores), "lrrrrrr"), "",
                "### Structures en recul", ""]
        out.append(md_table(WORSENED_HEADER, worsened_rows(fig.scores), "llll")
                   if fig.scores.worsened else "Aucune.")
        out += ["", f"_{md(SCORE_NOTE)}_"]
    if fig.operators is not None and fig.operators.rows:
        ops = fig.operators
        out += ["", "## Demandes par opérateur (grilles des visites)", "",
                f"{how_many(round(ops.total), 'demande')} sur {how_many(ops.grids, 'grille')}, du "
                f"{french_date(ops.covered_from)} au {french_date(ops.covered_to)} ; "
                f"part des cinq premiers opérateurs : {share_text(ops.top_share)}", "",
                md_table(OPERATORS_HEADER, operator_rows(ops), "lrrrrr"), "",
                f"_{md(OPERATORS_NOTE)}_"]
    out += ["", "## Rapports envoyés / réponses reçues", "", replies_summary(fig), ""]
    if fig.replies:
        out.append(md_table(REPLY_HEADER, reply_rows(fig), "lllllrr"))
    out += ["", f"_{NOTE.format(as_of=french_date(fig.as_of))}_"]
    return "\n".join(out) + "\n"


def _html_bars(values: tuple[int, ...]) -> str:
    top = max(values, default=0)
    rows = []
    for label, value in zip(MONTHS, values, strict=True):
        pct = round(value / top * 100) if top else 0
        rows.append(
            f'<div class="bar-row"><span class="bar-label">{esc(label)}</span>'
            f'<span class="bar-track"><span class="bar" style="width:{pct}%"></span></span>'
            f'<span class="bar-value">{value}</span></div>'
        )
    return '<div class="bars" role="img" aria-label="Visites par mois">' + "".join(rows) + "</div>"


def render_html(fig: AnnualFigures, department: str = "",
                animator: str | Sequence[str] = "") -> str:
    """The annual report as a standalone printable HTML page (bars in inline CSS)."""
    body = ["<header>", f"<h1>{esc(title(fig, department))}</h1>",
            f'<p class="meta">Période : {esc(period(fig))}</p>']
    if animator_line(animator):
        body.append(f'<p class="meta">{esc(animator_line(animator))}</p>')
    body.append("</header>")
    if fig.empty:
        body.append(f'<p class="draft">Aucune visite, aucune activité ni aucun suivi enregistré '
                    f"en {fig.year} (jusqu'au {french_date(fig.as_of)}).</p>")
    body += ["<h2>Chiffres clés</h2>", '<ul class="figures">'
             + "".join(f"<li><b>{esc(v)}</b>{esc(label)}</li>" for v, label in key_figures(fig))
             + "</ul>", "<h2>Visites par mois</h2>", _html_bars(fig.per_month),
             "<h2>Visites par structure</h2>",
             html_table(["Structure", "id", "Visites", "Mois", "Dernière visite"],
                        site_rows(fig), "llrll"),
             "<h2>Visites par type</h2>",
             html_table(["Type", "Visites"], [[t.label, n] for t, n in fig.per_type], "lr"),
             f"<h2>Structures non visitées depuis plus de {fig.months} mois "
             f"(au {french_date(fig.as_of)})</h2>"]
    body.append(html_table(
        ["Structure", "id", "Dernière visite", "Jours"],
        [[s.name, s.id_fs or "—", french_date(s.last_visit) or "jamais",
          "" if s.days_since is None else s.days_since] for s in fig.stale], "lllr")
        if fig.stale else "<p>Aucune.</p>")
    body += ["<h2>Suivis</h2>", f"<p>{esc(followup_line(fig))}</p>"]
    if fig.fu_by_owner:
        body += ["<h3>Par responsable</h3>",
                 html_table(_FU_HEADER, group_rows(fig.fu_by_owner), "lrrrr")]
    if fig.fu_by_partner:
        body += ["<h3>Par opérateur ou partenaire</h3>",
                 html_table(["Opérateur / partenaire", *_FU_HEADER[1:]],
                            group_rows(fig.fu_by_partner), "lrrrr")]
    body.append("<h2>Constats les plus fréquents (À améliorer + Non conforme)</h2>")
    body.append(html_table(
        ["Élément", "À améliorer", "Non conforme", "Total", "Structures"],
        [[f.label, f.a_ameliorer, f.non_conforme, f.total, f.sites] for f in fig.top_findings],
        "lrrrr") if fig.top_findings else "<p>Aucun constat.</p>")
    body += ["<h2>Animation du réseau (journal d'activité)</h2>",
             html_table(["Type", "Nombre", "Participants", "Participation non notée"],
                        activity_rows(fig), "lrrr")]
    if fig.activities:
        body += ["<h3>Détail</h3>",
                 html_table(["Date", "Type", "Titre", "Participants", "Partenaires et structures"],
                            journal_rows(fig), "lllrl")]
    body.append("<h2>Synthèse par mission (réponses de l'année)</h2>")
    body.append(html_table(["Mission", *(s.label for s in AnswerStatus), "Total"],
                           mission_rows(fig), "lrrrrrr")
                if fig.missions else "<p>Aucune réponse enregistrée.</p>")
    if fig.scores is not None and fig.scores.distribution:
        body += ["<h2>Scores par mission (dernière visite finalisée de l'année)</h2>",
                 html_table(DISTRIBUTION_HEADER, distribution_rows(fig.scores), "lrrrrrr"),
                 "<h3>Structures en recul</h3>",
                 html_table(WORSENED_HEADER, worsened_rows(fig.scores), "llll")
                 if fig.scores.worsened else "<p>Aucune.</p>",
                 f'<p class="meta">{esc(SCORE_NOTE)}</p>']
    if fig.operators is not None and fig.operators.rows:
        ops = fig.operators
        body += ["<h2>Demandes par opérateur (grilles des visites)</h2>",
                 f"<p>{how_many(round(ops.total), 'demande')} sur {how_many(ops.grids, 'grille')}, du "
                 f"{french_date(ops.covered_from)} au {french_date(ops.covered_to)} ; part des "
                 f"cinq premiers opérateurs : {esc(share_text(ops.top_share))}</p>",
                 html_table(OPERATORS_HEADER, operator_rows(ops), "lrrrrr"),
                 f'<p class="meta">{esc(OPERATORS_NOTE)}</p>']
    body += ["<h2>Rapports envoyés / réponses reçues</h2>", f"<p>{esc(replies_summary(fig))}</p>"]
    if fig.replies:
        body.append(html_table(REPLY_HEADER, reply_rows(fig), "lllllrr"))
    footer = NOTE.format(as_of=french_date(fig.as_of))
    return page(title(fig, department), "\n".join(body), footer=footer)


def render_csv(fig: AnnualFigures) -> bytes:
    """The figures as one long table for French Excel: rubrique ; élément ; mesure ; valeur."""
    rows: list[list[Any]] = [["Période", f"{fig.year}", "au", fig.as_of]]
    rows += [["Chiffres clés", label, "valeur", value] for value, label in key_figures(fig)]
    rows += [["Visites par mois", MONTHS[i], "visites", n] for i, n in enumerate(fig.per_month)]
    for s in fig.per_site:
        name = s.name + ("" if s.in_directory else " (hors annuaire)")
        rows.append(["Visites par structure", name, "visites", s.count])
        rows.append(["Visites par structure", name, "dernière visite", s.last_visit])
    rows += [["Visites par type", t.label, "visites", n] for t, n in fig.per_type]
    rows += [["Structures non visitées", s.name, "dernière visite",
              french_date(s.last_visit) or "jamais"] for s in fig.stale]
    for section, groups in (("Suivis par responsable", fig.fu_by_owner),
                            ("Suivis par opérateur ou partenaire", fig.fu_by_partner)):
        for g in groups:
            rows += [[section, g.label, measure, value] for measure, value in
                     (("ouverts dans l'année", g.opened), ("clos", g.closed),
                      ("en cours fin de période", g.open_end), ("en retard", g.overdue))]
    for f in fig.top_findings:
        rows += [["Constats", f.label, "à améliorer", f.a_ameliorer],
                 ["Constats", f.label, "non conforme", f.non_conforme],
                 ["Constats", f.label, "structures", f.sites]]
    for a in fig.activities_by_type:
        rows += [["Activités", a.activity_type.label, "nombre", a.count],
                 ["Activités", a.activity_type.label, "participants", a.attendance]]
    for m in fig.missions:
        rows += [["Missions", m.title, s.label, m.counts[s]] for s in AnswerStatus]
    if fig.scores is not None:
        for row in distribution_rows(fig.scores):
            rows += [["Scores par mission", row[0], measure, value]
                     for measure, value in zip(DISTRIBUTION_HEADER[1:], row[1:], strict=True)]
        rows += [["Structures en recul", row[0], "missions en recul", row[3]]
                 for row in worsened_rows(fig.scores)]
    if fig.operators is not None:
        for row in operator_rows(fig.operators):
            rows += [["Demandes par opérateur", row[0], measure, value]
                     for measure, value in zip(OPERATORS_HEADER[1:], row[1:], strict=True)]
        rows.append(["Demandes par opérateur", "cinq premiers opérateurs", "part",
                     share_text(fig.operators.top_share)])
    return french_csv(["rubrique", "élément", "mesure", "valeur"], rows)
