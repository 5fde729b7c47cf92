"""`fsfield purge`: erase a field's past values (RGPD right to erasure); see store/purge.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fsfield import cli_messages as msg


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add `purge` to the subcommands."""
    purge = commands.add_parser("purge", help=msg.PURGE_HELP, description=msg.PURGE_DESCRIPTION)
    which = purge.add_mutually_exclusive_group(required=True)
    which.add_argument("--site", metavar="ID_FS", help=msg.PURGE_SITE)
    which.add_argument("--suivi", metavar="ID", help=msg.PURGE_FOLLOWUP)
    which.add_argument("--visite", metavar="ID", help=msg.PURGE_VISIT)
    purge.add_argument("--champ", metavar="CHAMP", help=msg.PURGE_FIELD)
    purge.add_argument("--element", metavar="ÉLÉMENT", help=msg.PURGE_ITEM)
    purge.add_argument("--oui", action="store_true", help=msg.PURGE_YES)


def _fail(text: str) -> int:
    print(f"fsfield : {text}", file=sys.stderr)
    return 1


def _target(store: object, args: argparse.Namespace) -> tuple[str, str, str, str]:
    """(kind, record id, field, what the user reads); ValueError (French) on bad input."""
    from fsfield.reports.lookup import ReportError, find_site, find_visit

    if args.element and not args.visite:
        raise ValueError(msg.PURGE_ITEM_ONLY_VISIT)
    try:
        if args.visite:
            if args.champ:
                raise ValueError(msg.PURGE_FIELD_NOT_VISIT)
            if not args.element:
                raise ValueError(msg.PURGE_NEEDS_ITEM)
            visit = find_visit(store, args.visite)  # type: ignore[arg-type]
            return "visit", visit.id, f"answers.{args.element}", args.element
        if not args.champ:
            raise ValueError(msg.PURGE_NEEDS_FIELD)
        if args.site:
            site = find_site(store, args.site)  # type: ignore[arg-type]
            return "site", site.id, args.champ, f"{site.name} — {args.champ}"
    except ReportError as exc:
        raise ValueError(str(exc)) from None
    found = [f for f in store.followups() if f.id.startswith(args.suivi.strip())]  # type: ignore[attr-defined]
    if not args.suivi.strip() or not found:
        raise ValueError(msg.PURGE_UNKNOWN_FOLLOWUP.format(ref=args.suivi))
    if len(found) > 1:
        raise ValueError(msg.PURGE_AMBIGUOUS_FOLLOWUP.format(ref=args.suivi))
    return "followup", found[0].id, args.champ, f"{found[0].text[:40]} — {args.champ}"


def _cmd_purge(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.store.history import erasable, has_writes
    from fsfield.store.purge import purge_field
    from fsfield.store.repo import Store

    with Store(data_dir) as store:
        try:
            kind, record_id, field, what = _target(store, args)
            if not has_writes(store, record_id, field):
                purge_field(store, kind, record_id, field)  # raises the French refusal
        except ValueError as exc:
            return _fail(str(exc))
        n = sum(count for count, _ in erasable(store, record_id, field).values())
        if n == 0:
            print(msg.PURGE_NOTHING)
            return 0
        if not args.oui:
            print(msg.PURGE_ASK.format(n=n, what=what), end="", flush=True)
            try:
                answer = sys.stdin.readline() if sys.stdin is not None else ""
            except (OSError, ValueError):
                answer = ""
            if not answer:
                print()
                return _fail(msg.PURGE_NO_STDIN)
            if answer.strip().casefold() not in ("o", "oui"):
                print(msg.PURGE_CANCELLED)
                return 1
        try:
            done = purge_field(store, kind, record_id, field)
        except ValueError as exc:
            return _fail(str(exc))
    print(msg.PURGE_DONE.format(n=done, what=what))
    return 0


HANDLERS = {"purge": _cmd_purge}
