"""``fsfield report sent ID …`` and ``fsfield report reply ID …``: what became of a report.

A sending records the day, the recipient and the version of the visit sent; a reply records its
day, its text and, per finding, whether the structure accepts or contests it. Items are named by
their id (``m2-bureau-confidentiel``) or a unique part of their label. French errors, exit 1,
nothing written when refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fsfield.reports import messages as msg

if TYPE_CHECKING:  # the parsers are built on every command: the rest loads when run
    from fsfield.domain.models import Visit
    from fsfield.domain.reply import Stance
    from fsfield.domain.template import ChecklistTemplate
    from fsfield.store.repo import Store


def add_reply_parsers(kinds: argparse._SubParsersAction) -> None:
    """``sent`` and ``reply`` under ``fsfield report``."""
    sent = kinds.add_parser("sent", help="noter l'envoi du compte rendu d'une visite finalisée")
    sent.add_argument("visit_id", metavar="ID", help="identifiant de la visite (ou son début)")
    sent.add_argument("--date", required=True, help="date d'envoi JJ/MM/AAAA")
    sent.add_argument("--to", "--a", dest="to", required=True, metavar="DESTINATAIRE",
                      help="à qui (structure, préfecture…)")
    reply = kinds.add_parser("reply", help="noter la réponse de la structure à un compte rendu")
    reply.add_argument("visit_id", metavar="ID", help="identifiant de la visite (ou son début)")
    reply.add_argument("--date", default="", help="date de la réponse JJ/MM/AAAA")
    reply.add_argument("--texte", "--text", dest="text", default=None, metavar="TEXTE")
    reply.add_argument("--accepte", "--accepted", dest="accepted", default="", metavar="ÉLÉMENTS",
                       help="constats acceptés : identifiants ou parties du libellé, séparés "
                            "par des virgules")
    reply.add_argument("--conteste", "--contested", dest="contested", default="",
                       metavar="ÉLÉMENTS", help="constats contestés (même forme)")


def _item_id(ref: str, visit: Visit, template: ChecklistTemplate) -> str:
    from fsfield.domain.activity import fold
    from fsfield.reports.lookup import ReportError
    from fsfield.store import visits as ops

    items = [(i.id, i.label) for i in template.items()]
    exact = [i for i, _ in items if i == ref.strip()]
    if exact:
        return exact[0]
    needle = fold(ref)
    found = [i for i, label in items if needle and needle in fold(label)]
    if len(found) == 1:
        return found[0]
    findings = [f"  {i} — {label}" for i, label in items
                if visit.answer(i).status in ops.FINDINGS]
    why = msg.ITEM_AMBIGUOUS if found else msg.ITEM_UNKNOWN
    raise ReportError(why.format(ref=ref) + ("\n" + msg.FINDINGS_ARE + "\n" + "\n".join(findings)
                                             if findings else ""))


def _stances(args: argparse.Namespace, visit: Visit, template: ChecklistTemplate
             ) -> dict[str, Stance | None]:
    from fsfield.domain.reply import Stance
    from fsfield.reports.lookup import ReportError

    out: dict[str, Stance | None] = {}
    for text, stance in ((args.accepted, Stance.ACCEPTED), (args.contested, Stance.CONTESTED)):
        for ref in (part for part in text.replace(";", ",").split(",") if part.strip()):
            item_id = _item_id(ref, visit, template)
            if out.get(item_id, stance) is not stance:
                raise ReportError(msg.ITEM_BOTH.format(ref=ref))
            out[item_id] = stance
    return out


def _describe(store: Store, visit: Visit) -> str:
    from fsfield.domain.models import Site, french_date

    site = store.find(Site, visit.site_id)
    return f"visite du {french_date(visit.date)} — {site.name if site else visit.site_id}"


def run_reply_command(args: argparse.Namespace, data_dir: Path) -> int:
    """Run ``report sent`` or ``report reply``; 0, or 1 with a French message."""
    from fsfield.domain.models import french_date, parse_french_date
    from fsfield.reports.lookup import ReportError, find_visit
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store

    try:
        with Store(data_dir) as store:
            visit = find_visit(store, args.visit_id)
            if args.report_command == "sent":
                visit = ops.record_sending(store, visit, on=parse_french_date(args.date),
                                           to=args.to)
                last = visit.sent()[-1]
                print(msg.SENT_DONE.format(what=_describe(store, visit), on=french_date(last.on),
                                           to=last.to, version=last.version))
                return 0
            template = ops.template_of(store, visit)
            on = parse_french_date(args.date) if args.date.strip() else visit.reply_on
            text = visit.reply_text if args.text is None else args.text
            visit = ops.record_reply(store, visit, on=on, text=text,
                                     stances=_stances(args, visit, template))
            print(msg.REPLY_DONE.format(what=_describe(store, visit),
                                        on=french_date(visit.reply_on) or "—",
                                        stances=msg.STANCES[len(visit.reply_items) > 1].format(
                                            n=len(visit.reply_items))))
            return 0
    except (ReportError, ValueError) as exc:
        print(f"fsfield : {exc}\n{msg.NOTHING_SAVED}", file=sys.stderr)
        return 1
