"""Answers a new visit starts with, from what the app already knows of the site.

Items that do not apply to the site's format (``formats`` in the template) start as
Sans objet, marked automatic: the animator sees why and may change them.
"""

from __future__ import annotations

from fsfield.domain.formats import SITE_FORMATS, format_code
from fsfield.domain.models import Answer, Site
from fsfield.domain.template import AnswerStatus, ChecklistTemplate


def format_answers(template: ChecklistTemplate, site: Site) -> dict[str, Answer]:
    """Sans objet (automatic) for every item whose ``formats`` exclude the site's format.

    A site whose format is unknown or empty gets nothing: every item applies.
    """
    code = format_code(site.format_fs)
    if code is None:
        return {}
    out = {}
    for item in template.items():
        if item.formats is not None and code not in item.formats:
            wanted = ", ".join(SITE_FORMATS[f] for f in item.formats)
            out[item.id] = Answer(
                status=AnswerStatus.SANS_OBJET, automatic=True,
                comment=f"Sans objet d'office : structure au format {SITE_FORMATS[code]} "
                        f"(élément réservé aux formats : {wanted}).")
    return out
