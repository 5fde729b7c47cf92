"""``fsfield report …`` and ``fsfield activity …`` subcommands.

``fsfield/cli.py`` hooks them with :func:`add_parsers` and :data:`HANDLERS`. Handlers print
their own French error and return 1 (nothing written); store errors go up to cli.py.
Heavy modules are imported inside the handlers so that ``fsfield --help`` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsfield.store.repo import Store

OUTPUT_HELP = ("fichier ou dossier à écrire (dossier : nom AAAA-MM-JJ_commune_id_type ; défaut : "
               "écran, ou ce nom dans le dossier courant pour un PDF)")


class _Refused(Exception):
    """The command cannot proceed (French message, exit 1)."""


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the ``report`` and ``activity`` subcommands to fsfield's parser."""
    report = commands.add_parser("report", help="rapports : visite, préparation, bilan annuel")
    kinds = report.add_subparsers(dest="report_command", metavar="RAPPORT", required=True)
    visit = kinds.add_parser("visit", help="compte rendu d'une visite")
    visit.add_argument("visit_id", metavar="ID", help="identifiant de la visite (ou son début)")
    visit.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    visit.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    prepare = kinds.add_parser("prepare", help="fiche de préparation de la prochaine visite")
    prepare.add_argument("site", metavar="STRUCTURE", help="id_fs, identifiant ou partie du nom")
    prepare.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    prepare.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    annual = kinds.add_parser("annual", help="rapport d'activité annuel")
    annual.add_argument("year", metavar="ANNÉE")
    annual.add_argument("--format", choices=["md", "html", "csv", "pdf"], default="md")
    annual.add_argument("--months", "--mois", dest="months", default="12",
                        help="structures non visitées depuis plus de N mois (défaut 12)")
    annual.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    from fsfield.reports.reply_commands import add_reply_parsers

    add_reply_parsers(kinds)

    activity = commands.add_parser("activity", help="journal d'activité (visios, séminaires…)")
    acts = activity.add_subparsers(dest="activity_command", metavar="ACTION", required=True)
    add = acts.add_parser("add", help="ajouter une activité")
    add.add_argument("--type", dest="activity_type", required=True, metavar="TYPE",
                     help="visio, seminaire, reunion, portes-ouvertes, formation, autre")
    add.add_argument("--date", required=True, help="JJ/MM/AAAA")
    add.add_argument("--titre", "--title", dest="title", required=True, metavar="TITRE")
    add.add_argument("--participants", default="", metavar="N", help="nombre de participants")
    add.add_argument("--sites", "--structures", dest="sites", default="", metavar="ID,ID",
                     help="structures concernées : id_fs séparés par des virgules")
    add.add_argument("--partenaires", "--partners", dest="partners", default="", metavar="NOMS",
                     help="opérateurs ou partenaires, ex. CAF,MSA")
    add.add_argument("--notes", default="")
    lst = acts.add_parser("list", help="lister les activités")
    lst.add_argument("--year", "--annee", dest="year")
    lst.add_argument("--json", action="store_true")


def _open(data_dir: Path) -> Store:
    from fsfield.store.repo import Store

    store = Store(data_dir)
    for message in store.recovery.messages:
        print(f"fsfield : {message}", file=sys.stderr)
    return store


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2999:
        raise _Refused(f"année invalide « {text} » (attendu : 4 chiffres, ex. 2026).")
    return int(text)


def _target(output: Path | None, fmt: str, filename: str) -> Path | None:
    """Where to write: None for stdout (text formats without -o), a folder gets the documented
    name, and a PDF without -o goes to the current folder under that name."""
    if output is None:
        return Path.cwd() / filename if fmt == "pdf" else None
    return output / filename if output.is_dir() else output


def _report(args: argparse.Namespace, data_dir: Path) -> None:
    from fsfield.reports import documents
    from fsfield.reports.lookup import find_site, find_visit, write_report

    with _open(data_dir) as store:
        if args.report_command == "visit":
            doc = documents.visit_document(store, find_visit(store, args.visit_id))
        elif args.report_command == "prepare":
            doc = documents.prepare_document(store, find_site(store, args.site))
        else:
            year = _year(args.year)
            if not str(args.months).isdigit() or int(args.months) < 1:
                raise _Refused(f"--months : nombre de mois invalide « {args.months} » (entier ≥ 1).")
            doc = documents.annual_document(store, year, months=int(args.months))
            if year > dt.date.today().year:
                print(f"fsfield : l'année {year} n'a pas commencé : rapport vide.", file=sys.stderr)
        target = _target(args.output, args.format, doc.filename(args.format))
        if target is not None and not target.parent.is_dir():
            raise _Refused(f"impossible d'écrire {target} : le dossier {target.parent} n'existe "
                           "pas. Aucun fichier créé.")
        payload = doc.render(args.format)
    if target is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    write_report(target, payload)
    print(f"Rapport écrit : {target}", file=sys.stderr)


def _cmd_report(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.domain.template import TemplateError
    from fsfield.reports.lookup import ReportError

    if args.report_command in ("sent", "reply"):
        from fsfield.reports.reply_commands import run_reply_command

        return run_reply_command(args, data_dir)
    try:
        _report(args, data_dir)
    except (ReportError, _Refused, TemplateError) as exc:
        print(f"fsfield : {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_activity(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.reports import journal

    with _open(data_dir) as store:
        if args.activity_command == "add":
            typed = journal.ActivityInput(
                activity_type=args.activity_type, date=args.date, title=args.title,
                attendance=args.participants, sites=args.sites, partners=args.partners,
                notes=args.notes,
            )
            try:
                activity = journal.add_activity(store, typed)
            except ValueError as exc:
                print(f"fsfield : activité refusée : {exc}. Rien n'a été enregistré.",
                      file=sys.stderr)
                return 1
            print(f"Activité enregistrée : {journal.summary_line(store, activity)}")
            return 0
        try:
            year = _year(args.year) if args.year else None
        except _Refused as exc:
            print(f"fsfield : {exc}", file=sys.stderr)
            return 1
        items = journal.activities(store, year)
        if args.json:
            import orjson

            payload = [a.model_dump(mode="json") for a in items]
            sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        if not items:
            when = f" en {year}" if year else ""
            print(f"Aucune activité enregistrée{when}. Ajoutez-en : fsfield activity add --type "
                  "visio --date JJ/MM/AAAA --titre \"…\"")
            return 0
        for activity in items:
            print(journal.summary_line(store, activity))
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "report": _cmd_report,
    "activity": _cmd_activity,
}
