"""``fsfield plan [--weeks 8] [--json] [--ics FICHIER] [--regles FICHIER]``.

Hooked into ``fsfield/cli.py`` with :func:`add_parsers` and :data:`HANDLERS`. Errors print a
French message and return 1; nothing is written then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from fsfield.domain.messages import describe_os_error, how_many

MAX_WEEKS = 52


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the ``plan`` subcommand to fsfield's parser."""
    plan = commands.add_parser("plan", help="plan de visites : échéances et tournées")
    plan.add_argument("--weeks", "--semaines", dest="weeks", default="8",
                      help="tournées proposées sur N semaines (défaut 8)")
    plan.add_argument("--stops", "--visites-par-jour", dest="stops", default=None,
                      help="au plus N visites par jour (défaut : celui des règles, 3)")
    plan.add_argument("--json", action="store_true", help="sortie JSON")
    plan.add_argument("--ics", type=Path, metavar="FICHIER",
                      help="écrire les visites proposées en iCalendar (Thunderbird, Outlook)")
    plan.add_argument("--regles", "--rules", dest="rules", type=Path, metavar="FICHIER",
                      help="fichier de règles (défaut : celui configuré, ou le modèle fourni)")
    plan.add_argument("--today", "--aujourdhui", dest="today", help=argparse.SUPPRESS)


def _int(text: str | None, what: str, low: int, high: int) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{what} invalide « {text} » (nombre entier de {low} à {high}).")
    return int(text)


def _cmd_plan(args: argparse.Namespace, data_dir: Path) -> int:
    import orjson

    from fsfield.domain.models import parse_french_date
    from fsfield.domain.plan_rules import PlanRulesError, load_plan_rules
    from fsfield.reports.plan import render_ics, render_json, render_text
    from fsfield.store.files import write_user_file
    from fsfield.store.plan import build_plan
    from fsfield.store.repo import Store

    try:
        weeks = _int(args.weeks, "nombre de semaines", 1, MAX_WEEKS)
        stops = _int(args.stops, "nombre de visites par jour", 1, 10)
        today = parse_french_date(args.today) if args.today else dt.date.today()
    except ValueError as exc:
        print(f"fsfield : {exc}", file=sys.stderr)
        return 1
    with Store(data_dir) as store:
        try:
            rules = load_plan_rules(args.rules) if args.rules else None
            plan = build_plan(store, today, weeks=weeks or 8, rules=rules, stops_per_day=stops)
        except PlanRulesError as exc:
            print(f"fsfield : {exc}", file=sys.stderr)
            return 1
    if args.ics is not None:
        try:
            write_user_file(args.ics, render_ics(plan))
        except OSError as exc:
            print(f"fsfield : impossible d'écrire {args.ics} : {describe_os_error(exc)}. "
                  "Aucun fichier créé.", file=sys.stderr)
            return 1
        visits = sum(len(t.stops) for t in plan.trips)
        print(f"Calendrier écrit : {args.ics} ({how_many(visits, 'visite proposée', 'visites proposées')})", file=sys.stderr)
    if args.json:
        sys.stdout.write(orjson.dumps(render_json(plan), option=orjson.OPT_INDENT_2).decode()
                         + "\n")
    elif args.ics is None:
        sys.stdout.write(render_text(plan))
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Path], int]] = {"plan": _cmd_plan}
