"""Visits: the only way to start, answer, change, finalise, reopen or discard one; and what
earlier visits said.

Every change is validated on the whole resulting visit before anything is written (a
ValueError with the French reason otherwise), and the visit's rules live here: a finalised
visit is not edited, only a draft is discarded, Sans objet / Non vérifié on a number or text
item drops the figure it would contradict.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fsfield.domain.hours import parse_week
from fsfield.domain.models import (
    Answer,
    FollowUp,
    Site,
    Visit,
    VisitStatus,
    VisitType,
    french_date,
)
from fsfield.domain.reply import Stance
from fsfield.domain.template import AnswerStatus, ChecklistTemplate
from fsfield.domain.visit_start import format_answers
from fsfield.store import messages as msg
from fsfield.store.kinds import validation_error
from fsfield.store.repo import Store, validation_message
from fsfield.store.templates import current_template, template_for

FINDINGS = (AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME)
#: statuses that say the item's figure or text does not apply (or was not checked)
NO_VALUE = (AnswerStatus.SANS_OBJET, AnswerStatus.NON_VERIFIE)


def start_visit(
    store: Store,
    site: Site,
    *,
    date: dt.date | None = None,
    visit_type: VisitType = VisitType.SUIVI,
    participants: str = "",
    template: ChecklistTemplate | None = None,
) -> Visit:
    """Create a draft visit, pre-filling what the directory already tells (to confirm on site)."""
    template = template or current_template(store)
    visit = Visit(
        id=str(uuid.uuid4()),
        site_id=site.id,
        created_by=store.settings.animator,
        created_at=dt.datetime.now(dt.UTC),
        date=date or dt.date.today(),
        visit_type=visit_type,
        participants=participants,
        template_id=template.id,
        template_version=template.version,
    )
    visit.answers.update(format_answers(template, site))
    week = parse_week(site.hours)
    for item in template.items():
        if item.prefill == "hours_minimum" and week.meets_minimum is not None:
            visit.answers[item.id] = Answer(
                status=AnswerStatus.CONFORME if week.meets_minimum else AnswerStatus.NON_CONFORME,
                comment=f"Horaires publiés : {week.summary()}",
                prefilled=True,
            )
    return store.create(visit)


def _draft(store: Store, visit_id: str) -> Visit:
    visit = store.get(Visit, visit_id)
    if visit.status is VisitStatus.FINALISED:
        raise ValueError(msg.VISIT_FINALISED)
    return visit


def set_answer(
    store: Store,
    visit: Visit,
    item_id: str,
    *,
    status: AnswerStatus | None | object = ...,
    value: float | str | None | object = ...,
    comment: str | object = ...,
) -> Visit:
    """Change one answer's status, value or comment (one durable save); returns the visit.

    Any change by the user confirms a pre-filled answer. Sans objet or Non vérifié drops a
    figure or text typed before; typing one drops Sans objet / Non vérifié. A finalised
    visit is refused (ValueError).
    """
    visit = _draft(store, visit.id)
    current = visit.answer(item_id)
    if status is not ... and status is not None and not isinstance(status, AnswerStatus):
        try:
            status = AnswerStatus(status)
        except ValueError:
            raise ValueError(msg.VISIT_UNKNOWN_STATUS.format(status=status)) from None
    prefix = f"answers.{item_id}."
    fields: dict[str, object] = {}
    if status is not ...:
        fields[prefix + "status"] = status.value if isinstance(status, AnswerStatus) else None
        if status in NO_VALUE and current.value not in (None, "") and value is ...:
            fields[prefix + "value"] = None
    if value is not ...:
        fields[prefix + "value"] = value
        if value not in (None, "") and current.status in NO_VALUE and status is ...:
            fields[prefix + "status"] = None
    if comment is not ...:
        fields[prefix + "comment"] = comment
    if current.prefilled:
        fields[prefix + "prefilled"] = False
    if current.automatic:
        fields[prefix + "automatic"] = False
    if not fields:
        return visit  # nothing asked: nothing written
    if not _answers_validated_alone():
        return store.set_fields(Visit, visit.id, fields)  # validated whole
    answer = _validated_answer(current, {name[len(prefix):]: v for name, v in fields.items()})
    result = visit.model_copy(update={"answers": {**visit.answers, item_id: answer}})
    return store.write_validated(Visit, visit.id, fields, result)


def _answers_validated_alone() -> bool:
    """True while a visit's validity after changing one answer is that answer's own: no
    model validator on Visit and no field validator on ``answers`` (then ``set_answer``
    validates the changed answer alone; otherwise the whole visit, as ``Store.set_fields``)."""
    decorators = Visit.__pydantic_decorators__
    return not decorators.model_validators and not any(
        "answers" in d.info.fields for d in decorators.field_validators.values())


def _validated_answer(current: Answer, changes: dict[str, object]) -> Answer:
    """The answer ``current`` with ``changes`` (its sub-fields: status, value…) applied,
    validated as the whole visit's validation would validate it (ValueError, French)."""
    data = current.model_dump()
    data.update(changes)
    try:
        return Answer.model_validate(data)
    except validation_error() as exc:
        raise ValueError(validation_message(exc)) from None


def update_info(
    store: Store,
    visit_id: str,
    *,
    date: dt.date | object = ...,
    visit_type: VisitType | object = ...,
    participants: str | object = ...,
    notes: str | object = ...,
) -> Visit:
    """Change a draft's date, type, participants or notes (validated whole; ValueError)."""
    _draft(store, visit_id)
    changes = {
        name: value
        for name, value in (("date", date), ("visit_type", visit_type),
                            ("participants", participants), ("notes", notes))
        if value is not ...
    }
    if isinstance(changes.get("participants"), str):
        changes["participants"] = str(changes["participants"]).strip()
    return store.update(Visit, visit_id, **changes)


def discard_draft(store: Store, visit_id: str) -> None:
    """Abandon a draft started by mistake: a tombstone that syncs, so every copy goes.

    Its follow-ups stay (they may already be under way). ValueError for a finalised visit.
    """
    visit = store.get(Visit, visit_id)
    if visit.status is not VisitStatus.DRAFT:
        raise ValueError(msg.VISIT_DISCARD_FINALISED)
    store.delete(Visit, visit_id)


def missing_required_ids(visit: Visit, template: ChecklistTemplate) -> list[str]:
    """Required items not answered yet (a pre-filled answer counts once confirmed), in order."""
    return [
        item.id
        for item in template.required_items()
        if not visit.answer(item.id).is_answered or visit.answer(item.id).prefilled
    ]


def missing_required(visit: Visit, template: ChecklistTemplate) -> list[str]:
    """Labels of the required items not answered yet."""
    return [template.item(i).label for i in missing_required_ids(visit, template)]


def _event(store: Store, visit: Visit, what: str) -> dict[str, object]:
    key = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).isoformat()
    return {
        f"events.{key}.what": what,
        f"events.{key}.at": now,
        f"events.{key}.by": store.settings.animator,
    }


def finalise(store: Store, visit: Visit, template: ChecklistTemplate) -> Visit:
    """Finalise a visit; ValueError listing the required items still unanswered."""
    visit = _draft(store, visit.id)
    missing = missing_required(visit, template)
    if missing:
        raise ValueError(msg.VISIT_MISSING_REQUIRED.format(items=" ; ".join(missing)))
    fields = {"status": VisitStatus.FINALISED.value, **_event(store, visit, "finalisee")}
    return store.set_fields(Visit, visit.id, fields)


def reopen(store: Store, visit: Visit) -> Visit:
    """Reopen a finalised visit; the reopening is recorded in its history."""
    fields = {"status": VisitStatus.DRAFT.value, **_event(store, visit, "reouverte")}
    return store.set_fields(Visit, visit.id, fields)


@dataclass(frozen=True)
class PastAnswer:
    """What the previous visit said of one item."""

    date: dt.date
    answer: Answer

    def label(self) -> str:
        status = self.answer.status.label if self.answer.status else str(self.answer.value or "—")
        return f"Dernière visite : {status} — {french_date(self.date)}"


def previous_visits(store: Store, visit: Visit) -> Iterator[Visit]:
    """The site's visits before this one, newest first, each built when reached."""
    key = (visit.date, visit.created_at or visit.date)
    return (v for v in store.visits_newest_first(visit.site_id)
            if v.id != visit.id and (v.date, v.created_at or v.date) < key)


def _last_and_recurring(
    visits: Iterable[Visit], items: Iterable[str]
) -> tuple[dict[str, PastAnswer], set[str]]:
    """From visits newest first: each of ``items``' latest answer, and the recurring findings
    among them. Stops reading visits once every item is settled (its latest answer found, and
    either two findings in a row or an answer that is not one): ten years of visits of a site
    are not all built to show the last one."""
    wanted = set(items)
    last: dict[str, PastAnswer] = {}
    streak: dict[str, int] = {}
    broken: set[str] = set()
    open_items = set(wanted)
    for past in visits:
        for item_id, answer in past.answers.items():
            if item_id not in wanted or not answer.is_answered:
                continue
            last.setdefault(item_id, PastAnswer(past.date, answer))
            if item_id in broken:
                continue
            if answer.status in FINDINGS:
                streak[item_id] = streak.get(item_id, 0) + 1
                if streak[item_id] >= 2:
                    open_items.discard(item_id)
            else:
                broken.add(item_id)
                open_items.discard(item_id)
        if not open_items:
            break
    return last, {item_id for item_id, n in streak.items() if n >= 2}


def history_of(store: Store, visit: Visit) -> tuple[dict[str, PastAnswer], set[str]]:
    """Per item of the visit's template: the last earlier answer, and the items that are
    recurring findings.

    An item is recurring when it was answered À améliorer or Non conforme at the last
    two earlier visits (or more) that answered it.
    """
    from fsfield.domain.compare import as_template

    # earlier visits made with another template version compare through its mapping
    template = template_of(store, visit)
    earlier = (as_template(v, template) for v in previous_visits(store, visit))
    return _last_and_recurring(earlier, (item.id for item in template.items()))


def recurring_findings(store: Store, site_id: str) -> set[str]:
    """Items found lacking at the site's last two visits or more (counting the latest)."""
    from fsfield.domain.compare import as_template

    current = current_template(store)  # visits of other versions compare through its mapping
    visits = (as_template(v, current) for v in store.visits_newest_first(site_id))
    return _last_and_recurring(visits, (item.id for item in current.items()))[1]


def progress(visit: Visit, template: ChecklistTemplate) -> dict[str, tuple[int, int]]:
    """Per mission id: (answered, total)."""
    out = {}
    for mission in template.missions:
        answered = sum(1 for item in mission.items if visit.answer(item.id).is_answered)
        out[mission.id] = (answered, len(mission.items))
    return out


def template_of(store: Store, visit: Visit) -> ChecklistTemplate:
    """The template the visit was made with (kept readable after the template changes)."""
    template = template_for(store, visit.template_id, visit.template_version)
    return template or current_template(store)


def open_followups_of_visit(store: Store, visit: Visit) -> list[FollowUp]:
    """Follow-ups created during this visit."""
    return [f for f in store.followups(visit.site_id) if f.visit_id == visit.id]


# -- the report after the visit: sent, and the structure's reply ----------------------------


def record_sending(store: Store, visit: Visit, *, on: dt.date, to: str) -> Visit:
    """Record that the visit report was sent on ``on`` to ``to`` (the version sent is the
    visit's current content). ValueError (French) on a draft visit or an empty recipient."""
    if visit.status is not VisitStatus.FINALISED:
        raise ValueError("la visite n'est pas finalisée : finalisez-la avant d'envoyer le rapport")
    if not to.strip():
        raise ValueError("destinataire vide : indiquez à qui le rapport a été envoyé")
    key = uuid.uuid4().hex[:12]
    fields = {
        f"sendings.{key}.on": on.isoformat(),
        f"sendings.{key}.to": to.strip(),
        f"sendings.{key}.version": visit.version,
        f"sendings.{key}.by": store.settings.animator,
    }
    return store.set_fields(Visit, visit.id, fields)


def record_reply(
    store: Store,
    visit: Visit,
    *,
    on: dt.date | None,
    text: str,
    stances: dict[str, Stance | None] | None = None,
) -> Visit:
    """Record the structure's reply: its date, its text, and per item ``accepte`` / ``conteste``
    (None withdraws a stance). ValueError (French) on a draft visit, an unknown item, or a
    reply with neither date nor text nor stance. Only changed fields are written."""
    if visit.status is not VisitStatus.FINALISED:
        raise ValueError("la visite n'est pas finalisée : la réponse porte sur un rapport envoyé")
    stances = stances or {}
    template = template_of(store, visit)
    known = {item.id for item in template.items()} | set(visit.answers)
    unknown = sorted(set(stances) - known)
    if unknown:
        raise ValueError(f"élément inconnu de la grille : {', '.join(unknown)}")
    if on is None and not text.strip() and not any(stances.values()) and not visit.has_reply:
        raise ValueError("réponse vide : indiquez au moins sa date ou son texte")
    fields: dict[str, object] = {}
    if on != visit.reply_on:
        fields["reply_on"] = on.isoformat() if on else None
    if text.strip() != visit.reply_text:
        fields["reply_text"] = text.strip()
    for item_id, stance in stances.items():
        if visit.reply_items.get(item_id) != stance:
            fields[f"reply_items.{item_id}"] = Stance(stance).value if stance else None
    if not fields:
        return visit
    return store.set_fields(Visit, visit.id, fields)
