"""Comparing visits made with different template versions (the template's [[mapping]]).

A visit's answers are re-keyed to the item ids of another template: an id found in both is
kept, a renamed item follows the mapping, an item that no longer exists is dropped. Trends and
"what the last visit said" compare visits this way, where items match.
"""

from __future__ import annotations

from fsfield.domain.models import Answer, Visit
from fsfield.domain.template import ChecklistTemplate


def answers_in(visit: Visit, template: ChecklistTemplate) -> dict[str, Answer]:
    """The visit's answers keyed by ``template``'s item ids (unmatched items dropped)."""
    out: dict[str, Answer] = {}
    for item_id, answer in visit.answers.items():
        target = template.translate(visit.template_id, visit.template_version, item_id)
        if target is not None:
            out[target] = answer
    return out


def as_template(visit: Visit, template: ChecklistTemplate) -> Visit:
    """A copy of the visit as if made with ``template`` (same answers where items match)."""
    if (visit.template_id, visit.template_version) == (template.id, template.version):
        return visit
    return visit.model_copy(update={"answers": answers_in(visit, template),
                                    "template_id": template.id,
                                    "template_version": template.version})
