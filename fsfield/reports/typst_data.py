"""The reports' data as JSON-able dicts for the typst templates (``fsfield/reports/typst/``).

The same report objects feed the Markdown and HTML renderers; here they are only flattened to
strings, numbers and lists, dates written the French way. User text (names, comments, replies)
is passed as typed — the templates print it as text, never as markup — while the app's own
phrases get French typography (:func:`typo`: a narrow no-break space before ; : ! ?).

Optional keys a template prints only when present, for data added later (scores per mission,
item references): ``mission.score`` (from ``VisitReport.mission_scores[title]`` or
``MissionSummary.score``) and ``item.ref`` (from ``ItemLine.ref``), when those attributes exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from fsfield.domain.models import french_date
from fsfield.domain.template import AnswerStatus
from fsfield.reports.annual import MONTHS, AnnualFigures
from fsfield.reports.authors import animator_label
from fsfield.reports.prepare import PreparePack
from fsfield.reports.visit_report import FollowThrough, ItemLine, VisitReport

NNBSP = "\u202f"
_BEFORE_PUNCT = re.compile(r"[ \u00a0]([;:!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0]")
STATUS_KEYS = {
    AnswerStatus.CONFORME: "ok",
    AnswerStatus.A_AMELIORER: "warn",
    AnswerStatus.NON_CONFORME: "bad",
    AnswerStatus.SANS_OBJET: "na",
    AnswerStatus.NON_VERIFIE: "nv",
    None: "blank",
}


def typo(text: str) -> str:
    """French typography for the app's own text: a narrow no-break space before ; : ! ? »
    and after «."""
    return _AFTER_GUILLEMET.sub("«" + NNBSP, _BEFORE_PUNCT.sub(NNBSP + r"\1", text))


def app_version() -> str:
    """fsfield's installed version (``dev`` when run from a checkout not installed)."""
    try:
        return metadata.version("fsfield")
    except metadata.PackageNotFoundError:
        return "dev"


def _meta(title: str, department: str, day: str, layout: str, extra: str = "") -> dict[str, Any]:
    return {"title": title, "department": department, "date": day,
            "footer": typo(f"fsfield {app_version()} · modèle de rapport {layout}"
                           + (f" · {extra}" if extra else ""))}


def _item(line: ItemLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mission": line.mission_short, "label": line.label, "status": line.status_label,
        "key": STATUS_KEYS[line.status] if line.answered or line.status else "blank",
        "value": line.value, "comment": line.comment, "recurring": line.recurring,
        "prefilled": line.prefilled, "answered": line.answered,
    }
    ref = getattr(line, "ref", None)
    if ref:
        out["ref"] = ref
    return out


def _follow_through(ft: FollowThrough | None) -> dict[str, Any] | None:
    if ft is None or ft.empty:
        return None
    return {
        "sendings": [{"on": french_date(on), "to": to} for on, to in ft.sendings],
        "changed": ft.changed_since_sent,
        "reply_on": french_date(ft.reply_on),
        "reply_text": ft.reply_text,
        "stances": [{"label": label, "stance": stance} for label, stance in ft.stances],
    }


def visit_data(report: VisitReport) -> dict[str, Any]:
    """The visit report for ``visit.typ``."""
    warnings = []
    if not report.finalised:
        warnings.append("Document provisoire : la visite n'est pas finalisée (brouillon).")
    if not report.in_directory:
        warnings.append("Cette structure ne figure plus dans l'annuaire officiel "
                        "(nom connu lors du dernier import).")
    counts = [{"label": s.label, "key": STATUS_KEYS[s], "n": report.counts[s]}
              for s in AnswerStatus]
    if report.counts[None]:
        counts.append({"label": "Sans réponse", "key": "blank", "n": report.counts[None]})
    missions = []
    scores = getattr(report, "mission_scores", None) or {}
    for title, lines in report.missions:
        mission: dict[str, Any] = {"title": title, "items": [_item(ln) for ln in lines]}
        if scores.get(title) is not None:
            mission["score"] = scores[title]
        missions.append(mission)
    return {
        "meta": _meta(report.title, report.department, french_date(report.generated_on),
                      "visite v1", f"grille {report.template_ref} · version de la visite "
                      f"{report.version}"),
        "site": {"name": report.site_name, "id_fs": report.site_id_fs,
                 "commune": report.commune},
        "date": french_date(report.date), "visit_type": report.visit_type,
        "participants": report.participants, "animator": report.animator,
        "warnings": [typo(w) for w in warnings],
        "counts": counts,
        "attention": [_item(ln) for ln in report.attention],
        "followups": [{"text": f.text, "item": f.item, "owner": f.owner,
                       "due": french_date(f.due) or "—", "priority": f.priority,
                       "status": f.status} for f in report.followups],
        "notes": report.notes.strip(),
        "missions": missions,
        "generated_on": french_date(report.generated_on),
    }


def _pending(items: list[Any]) -> list[dict[str, Any]]:
    return [{"text": p.text, "owner": p.owner, "due": french_date(p.due) or "—",
             "late": f"{p.days_late} j" if p.days_late is not None else p.status,
             "origin": p.origin or "—"} for p in items]


def prepare_data(pack: PreparePack, department: str = "") -> dict[str, Any]:
    """The next-visit pack for ``prepare.typ``."""
    from fsfield.reports.prepare import since_text

    return {
        "meta": _meta(pack.title, department, french_date(pack.today), "préparation v1"),
        "site": {"name": pack.site_name, "id_fs": pack.id_fs, "commune": pack.commune,
                 "address": pack.address, "phone": pack.phone, "email": pack.email},
        "in_directory": pack.in_directory,
        "since": typo(since_text(pack)),
        "overdue": _pending(pack.overdue), "pending": _pending(pack.pending),
        "has_last_visit": pack.last_visit is not None,
        "findings": [_item(ln) for ln in pack.last_findings],
        "recurring": pack.recurring,
        "follow_through": _follow_through(pack.follow_through),
        "follow_through_of": french_date(pack.follow_through_of),
        "hours": [{"day": d, "hours": h} for d, h in pack.hours],
        "hours_summary": pack.hours_summary,
        "checks": [typo(c) for c in pack.checks],
    }


def annual_data(fig: AnnualFigures, department: str = "",
                animator: str | Sequence[str] = "") -> dict[str, Any]:
    """The annual report for ``annual.typ``."""
    from fsfield.reports import annual_render as ar

    top_month = max(fig.per_month, default=0)
    return {
        "meta": _meta(ar.title(fig, department), department, french_date(fig.as_of),
                      "bilan v1"),
        "year": fig.year, "period": ar.period(fig), "animator": animator_label(animator)[1],
        "animator_label": animator_label(animator)[0],
        "empty": fig.empty, "as_of": french_date(fig.as_of), "months": fig.months,
        "key_figures": [{"value": v, "label": typo(label)} for v, label in ar.key_figures(fig)],
        "per_month": [{"label": MONTHS[i], "n": n,
                       "share": n / top_month if top_month else 0}
                      for i, n in enumerate(fig.per_month)],
        "per_site": ar.site_rows(fig),
        "per_type": [[t.label, n] for t, n in fig.per_type],
        "stale": [[s.name, s.id_fs or "—", french_date(s.last_visit) or "jamais",
                   "" if s.days_since is None else s.days_since] for s in fig.stale],
        "followups": typo(ar.followup_line(fig)),
        "fu_by_owner": ar.group_rows(fig.fu_by_owner),
        "fu_by_partner": ar.group_rows(fig.fu_by_partner),
        "findings": [[f.label, f.a_ameliorer, f.non_conforme, f.total, f.sites]
                     for f in fig.top_findings],
        "activities": ar.activity_rows(fig),
        "journal": ar.journal_rows(fig),
        "statuses": [{"label": s.label, "key": STATUS_KEYS[s]} for s in AnswerStatus],
        "missions": [_mission_bar(m.title, [m.counts[s] for s in AnswerStatus], m)
                     for m in fig.missions],
        "replies": ar.replies_data(fig),
        "note": typo(ar.NOTE.format(as_of=french_date(fig.as_of))),
    }


def _mission_bar(title: str, counts: list[int], mission: Any) -> dict[str, Any]:
    total = sum(counts)
    out: dict[str, Any] = {"title": title, "counts": counts, "total": total,
                           "shares": [c / total if total else 0 for c in counts]}
    score = getattr(mission, "score", None)
    if score is not None:
        out["score"] = score
    return out
