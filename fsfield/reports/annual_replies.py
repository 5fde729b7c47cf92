"""Annual report: "Rapports envoyés / réponses reçues" — what became of the year's reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsfield.domain.models import Site, Visit, VisitStatus
from fsfield.domain.reply import Stance


@dataclass(frozen=True)
class ReplyLine:
    """One finalised visit of the year: its report's sendings and the structure's reply."""

    site_name: str
    visit_date: dt.date
    sent_on: dt.date | None
    sent_to: str
    changed_since_sent: bool
    reply_on: dt.date | None
    replied: bool
    accepted: int
    contested: int


def reply_lines(visits: list[Visit], sites: dict[str, Site]) -> list[ReplyLine]:
    """One line per finalised visit among ``visits`` (the year's), by date."""
    out = []
    for visit in sorted(visits, key=lambda v: (v.date, v.id)):
        if visit.status is not VisitStatus.FINALISED:
            continue
        sent = visit.sent()
        site = sites.get(visit.site_id)
        stances = list(visit.reply_items.values())
        out.append(ReplyLine(
            site_name=site.name if site else visit.site_id, visit_date=visit.date,
            sent_on=sent[0].on if sent else None,
            sent_to=", ".join(dict.fromkeys(s.to for s in sent)),
            changed_since_sent=visit.changed_since_sent,
            reply_on=visit.reply_on, replied=visit.has_reply,
            accepted=stances.count(Stance.ACCEPTED), contested=stances.count(Stance.CONTESTED),
        ))
    return out
