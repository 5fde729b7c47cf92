"""The next-visit pack: one page of what to check at a site before going there.

Open and overdue follow-ups, the last visit's findings with their comments, recurring findings,
days since the last visit, and the directory data to check on site (hours against the
24 h / 5 days rule). :func:`prepare_pack` computes; the render functions only render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsfield.domain.hours import ALL_DAYS, parse_week
from fsfield.domain.messages import how_many
from fsfield.domain.models import FollowUp, Site, Visit, VisitStatus, french_date
from fsfield.domain.template import ChecklistTemplate
from fsfield.reports.authors import visit_authors
from fsfield.reports.markup import esc, html_table, md, md_table, page
from fsfield.reports.visit_report import (
    FollowThrough,
    ItemLine,
    build_visit_report,
    follow_through,
)
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.templates import current_template


@dataclass(frozen=True)
class PendingFollowUp:
    """An open follow-up of the site."""

    text: str
    owner: str
    due: dt.date | None
    status: str
    days_late: int | None
    origin: str


@dataclass(frozen=True)
class PreparePack:
    """Everything the next-visit pack shows."""

    site_name: str
    id_fs: str
    commune: str
    address: str
    phone: str
    email: str
    in_directory: bool
    today: dt.date
    visits_count: int
    last_visit: dt.date | None
    last_visit_type: str
    last_visit_draft: bool
    days_since: int | None
    overdue: list[PendingFollowUp]
    pending: list[PendingFollowUp]
    last_findings: list[ItemLine]
    recurring: list[str]
    hours: list[tuple[str, str]]
    hours_summary: str
    hours_ok: bool | None
    checks: list[str]
    #: the last finalised visit's report: sent, and the structure's reply (None: no such visit)
    follow_through: FollowThrough | None = None
    follow_through_of: dt.date | None = None
    #: who made the last visit (and finalised it, when someone else did)
    last_visit_by: str = ""

    @property
    def title(self) -> str:
        """Title of the document."""
        return f"Préparation de visite — {self.site_name}"


def _checks(site: Site, hours_ok: bool | None, unparsed: tuple[str, ...]) -> list[str]:
    """Directory data to confirm on site."""
    out = []
    if not site.in_directory:
        out.append("La structure ne figure plus dans l'annuaire officiel : vérifier sa situation.")
    if hours_ok is False:
        out.append("Horaires publiés en dessous de la règle (24 h sur 5 jours) : vérifier.")
    elif hours_ok is None:
        why = f"illisibles ({', '.join(unparsed)})" if unparsed else "non publiés"
        out.append(f"Horaires {why} : relever les horaires réels.")
    for label, value in (("Téléphone", site.phone), ("Courriel", site.email),
                         ("Adresse", site.address)):
        if not value.strip():
            out.append(f"{label} absent de l'annuaire : le relever.")
    out.append("Confirmer adresse, horaires et contacts publiés (fiche de la carte nationale).")
    return out


def build_prepare_pack(
    site: Site,
    visits: list[Visit],
    followups: list[FollowUp],
    template: ChecklistTemplate | None,
    recurring: set[str],
    today: dt.date,
) -> PreparePack:
    """The pack's content from the models (pure). ``visits`` are the site's, any order."""
    done = sorted((v for v in visits if v.date <= today), key=lambda v: v.date, reverse=True)
    last = done[0] if done else None
    dates = {v.id: v.date for v in visits}
    pending: list[PendingFollowUp] = []
    for f in followups:
        if f.status.is_closed:
            continue
        late = (today - f.due).days if f.is_overdue(today) and f.due else None
        origin = f"visite du {french_date(dates[f.visit_id])}" if f.visit_id in dates else ""
        pending.append(PendingFollowUp(f.text, f.owner_label, f.due, f.status.label, late,
                                       origin))
    pending.sort(key=lambda p: (p.due or dt.date.max, p.text))
    findings: list[ItemLine] = []
    if last is not None and template is not None:
        report = build_visit_report(last, site, template, [], recurring, today=today)
        findings = report.attention
    labels = []
    for item_id in sorted(recurring):
        try:
            labels.append(template.item(item_id).label if template else item_id)
        except KeyError:
            labels.append(item_id)
    finalised = [v for v in done if v.status is VisitStatus.FINALISED]
    last_final = finalised[0] if finalised else None
    week = parse_week(site.hours)
    hours = [(day.capitalize(), str(week.days[day])) for day in ALL_DAYS if day in week.days]
    return PreparePack(
        site_name=site.name, id_fs=site.id_fs, commune=site.commune,
        address=" ".join(p for p in (site.address, site.address_extra, site.postal_code,
                                     site.commune) if p),
        phone=site.phone, email=site.email, in_directory=site.in_directory, today=today,
        visits_count=len(done), last_visit=last.date if last else None,
        last_visit_type=last.visit_type.label if last else "",
        last_visit_draft=bool(last and last.status is VisitStatus.DRAFT),
        days_since=(today - last.date).days if last else None,
        overdue=[p for p in pending if p.days_late is not None],
        pending=[p for p in pending if p.days_late is None],
        last_findings=findings, recurring=labels, hours=hours,
        hours_summary=week.summary(), hours_ok=week.meets_minimum,
        checks=_checks(site, week.meets_minimum, week.unparsed_days),
        follow_through=follow_through(last_final, template) if last_final else None,
        follow_through_of=last_final.date if last_final else None,
        last_visit_by=visit_authors(last) if last else "",
    )


def prepare_pack(store: Store, site: Site, today: dt.date | None = None) -> PreparePack:
    """The next-visit pack of a site, read from the store."""
    today = today or dt.date.today()
    visits = store.visits(site.id)
    done = [v for v in visits if v.date <= today]
    template = ops.template_of(store, done[0]) if done else current_template(store)
    return build_prepare_pack(site, visits, store.followups(site.id), template,
                              ops.recurring_findings(store, site.id), today)


# -- rendering ----------------------------------------------------------------------------


def since_text(pack: PreparePack) -> str:
    if pack.last_visit is None:
        return "Aucune visite enregistrée pour cette structure."
    draft = " (brouillon non finalisé)" if pack.last_visit_draft else ""
    by = f", par {pack.last_visit_by}" if pack.last_visit_by else ""
    return (f"Dernière visite : {french_date(pack.last_visit)} ({pack.last_visit_type}{by}){draft}, "
            f"{_ago(pack.days_since)} — {how_many(pack.visits_count, 'visite')} au total.")


def _ago(days: int | None) -> str:
    if not days:
        return "aujourd'hui"
    return f"il y a {how_many(days, 'jour')}"


def _fu_rows(items: list[PendingFollowUp]) -> list[list[str]]:
    return [[p.text, p.owner, french_date(p.due) or "—",
             f"{p.days_late} j" if p.days_late is not None else p.status, p.origin or "—"]
            for p in items]


_FU_HEADER = ["Suivi", "Responsable", "Échéance", "Retard / statut", "Origine"]


def follow_through_lines(ft: FollowThrough | None) -> list[str]:
    """The sendings and the reply as plain lines (user text as typed)."""
    if ft is None or ft.empty:
        return ["Rapport non envoyé, aucune réponse enregistrée."]
    out = [f"Envoyé le {french_date(on)} à {to}" for on, to in ft.sendings] or [
        "Rapport non envoyé."]
    if ft.changed_since_sent:
        out.append("⚠ Visite modifiée après envoi : le rapport envoyé n'est plus à jour.")
    if ft.reply_on or ft.reply_text or ft.stances:
        when = f" le {french_date(ft.reply_on)}" if ft.reply_on else ""
        out.append(f"Réponse de la structure{when} : {ft.reply_text or '—'}")
        out += [f"{stance} : {label}" for label, stance in ft.stances]
    else:
        out.append("Aucune réponse de la structure enregistrée.")
    return out


def follow_through_markdown(ft: FollowThrough | None, of: dt.date | None) -> list[str]:
    """Section "Suites du dernier rapport" (Markdown)."""
    if of is None:
        return []
    title = f"## Suites du rapport de la visite du {french_date(of)}"
    return [title, "", *(f"- {md(line)}" for line in follow_through_lines(ft))]


def follow_through_html(ft: FollowThrough | None, of: dt.date | None) -> list[str]:
    """Section "Suites du dernier rapport" (HTML)."""
    if of is None:
        return []
    items = "".join(f"<li>{esc(line)}</li>" for line in follow_through_lines(ft))
    return [f"<h2>Suites du rapport de la visite du {french_date(of)}</h2>", f"<ul>{items}</ul>"]


def render_markdown(pack: PreparePack) -> str:
    """The pack as Markdown."""
    out = [f"# Préparation de visite — {md(pack.site_name)}", ""]
    ident = f" (id {md(pack.id_fs)})" if pack.id_fs else ""
    out += [f"**Structure :** {md(pack.site_name)}{ident} — {md(pack.address) or '—'}  ",
            f"**Préparé le :** {french_date(pack.today)}  ", "", since_text(pack), ""]
    if not pack.in_directory:
        out += ["> ⚠ Cette structure ne figure plus dans l'annuaire officiel "
                "(nom connu lors du dernier import).", ""]
    out += [f"## Suivis en retard ({len(pack.overdue)})", ""]
    out.append(md_table(_FU_HEADER, _fu_rows(pack.overdue)) if pack.overdue else "Aucun.")
    out += ["", f"## Autres suivis ouverts ({len(pack.pending)})", ""]
    out.append(md_table(_FU_HEADER, _fu_rows(pack.pending)) if pack.pending else "Aucun.")
    out += ["", f"## Constats de la dernière visite ({len(pack.last_findings)})", ""]
    for line in pack.last_findings:
        item = f"- **{line.status_label}** — {md(line.mission_short)} — {md(line.label)}"
        if line.comment:
            item += f"  \n  _Commentaire :_ {md(line.comment, indent=2)}"
        out.append(item)
    if not pack.last_findings:
        out.append("Aucun élément à améliorer ni non conforme." if pack.last_visit else "—")
    out += ["", f"## Constats récurrents ({len(pack.recurring)})", ""]
    out += [f"- ↻ {md(label)}" for label in pack.recurring] or [
        "Aucun (à améliorer ou non conforme aux deux dernières visites)."]
    out += ["", *follow_through_markdown(pack.follow_through, pack.follow_through_of)]
    out += ["", "## Données de l'annuaire à vérifier", "",
            f"Téléphone : {md(pack.phone) or '—'} · Courriel : {md(pack.email) or '—'}", ""]
    out.append(md_table(["Jour", "Horaires publiés"], pack.hours))
    out += ["", f"**Règle 24 h sur 5 jours :** {md(pack.hours_summary)}", ""]
    out += [f"- [ ] {md(check)}" for check in pack.checks]
    return "\n".join(out) + "\n"


def render_html(pack: PreparePack) -> str:
    """The pack as a standalone printable HTML page."""
    ident = f" (id {esc(pack.id_fs)})" if pack.id_fs else ""
    body = ["<header>", f"<h1>Préparation de visite — {esc(pack.site_name)}</h1>",
            f'<p class="meta"><b>Structure :</b> {esc(pack.site_name)}{ident} — '
            f"{esc(pack.address) or '—'}</p>",
            f'<p class="meta"><b>Préparé le :</b> {french_date(pack.today)}</p>', "</header>",
            f"<p>{esc(since_text(pack))}</p>"]
    if not pack.in_directory:
        body.append('<p class="draft">⚠ Cette structure ne figure plus dans l\'annuaire officiel '
                    "(nom connu lors du dernier import).</p>")
    for title, items in ((f"Suivis en retard ({len(pack.overdue)})", pack.overdue),
                         (f"Autres suivis ouverts ({len(pack.pending)})", pack.pending)):
        body.append(f"<h2>{esc(title)}</h2>")
        body.append(html_table(_FU_HEADER, _fu_rows(items)) if items else "<p>Aucun.</p>")
    body.append(f"<h2>Constats de la dernière visite ({len(pack.last_findings)})</h2>")
    if pack.last_findings:
        rows = [[ln.status_label, ln.mission_short, ln.label, ln.comment]
                for ln in pack.last_findings]
        body.append(html_table(["Réponse", "Mission", "Élément", "Commentaire"], rows))
    else:
        body.append("<p>Aucun élément à améliorer ni non conforme.</p>")
    body.append(f"<h2>Constats récurrents ({len(pack.recurring)})</h2>")
    if pack.recurring:
        body.append("<ul>" + "".join(f"<li>↻ {esc(x)}</li>" for x in pack.recurring) + "</ul>")
    else:
        body.append("<p>Aucun.</p>")
    body += follow_through_html(pack.follow_through, pack.follow_through_of)
    body += ["<h2>Données de l'annuaire à vérifier</h2>",
             f"<p>Téléphone : {esc(pack.phone) or '—'} · Courriel : {esc(pack.email) or '—'}</p>",
             html_table(["Jour", "Horaires publiés"], pack.hours),
             f"<p><b>Règle 24 h sur 5 jours :</b> {esc(pack.hours_summary)}</p>",
             "<ul>" + "".join(f"<li>☐ {esc(c)}</li>" for c in pack.checks) + "</ul>"]
    return page(pack.title, "\n".join(body), footer=f"Préparé le {french_date(pack.today)}.")
