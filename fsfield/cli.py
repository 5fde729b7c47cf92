"""``fsfield`` entry point: subcommands, or the TUI when none is given."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsfield import purge_command
from fsfield.cli_parser import FrenchArgumentParser
from fsfield.domain.messages import describe_os_error, how_many, plural
from fsfield.reports import commands as report_commands
from fsfield.reports import plan_command

if TYPE_CHECKING:
    from fsfield.domain.directory import DirectoryRead
    from fsfield.store.repo import Store

DEFAULT_DIRECTORY_URL = (
    "https://www.data.gouv.fr/fr/datasets/r/31576dff-fd61-4de9-819f-32c2f880b142"
)


class CommandError(Exception):
    """A command failed for a reason the user can act on (printed, exit 1)."""


class _Unused:
    """Stands for the parser of a subcommand that is not on the command line: whatever is
    added to it (options, subcommands) is dropped."""

    def __getattr__(self, name: str) -> Callable[..., _Unused]:
        return lambda *args, **kwargs: self


class _Subcommands:
    """The subcommands of fsfield's parser, each listed with its help (usage, ``--help``, the
    list of choices of an unknown command), but given its options only if its name is in
    ``wanted``: the options of a dozen subcommands cost more than a ``fsfield sync`` parses."""

    def __init__(self, action: Any, wanted: Collection[str]) -> None:
        self._action = action
        self._wanted = wanted

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if name in self._wanted or any(a in self._wanted for a in kwargs.get("aliases", ())):
            return self._action.add_parser(name, **kwargs)
        keep = {k: v for k, v in kwargs.items() if k in ("help", "aliases")}
        self._action.add_parser(name, **keep)
        return _Unused()


def build_parser(words: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser (French help and errors, see cli_parser; English identifiers).

    ``words``: the command line; then only the subcommands named in it get their options (the
    others are listed, for the usage and the help), which parses ``argv`` exactly as the whole
    parser would. None: the whole parser."""
    parser = FrenchArgumentParser(
        prog="fsfield",
        description="Outil de terrain de l'animateur départemental France services.",
    )
    parser.add_argument(
        "--data-dir",
        help="dossier des données (défaut : dossier utilisateur, ou $FSFIELD_DATA_DIR)",
    )
    action = parser.add_subparsers(dest="command", metavar="COMMANDE")
    commands: Any = action if words is None else _Subcommands(action, frozenset(words))

    config = commands.add_parser("config", help="nom de l'animateur et département")
    config.add_argument("--animateur", dest="animator", help="votre nom (signe visites et suivis)")
    config.add_argument("--departement", "--department", dest="department",
                        help="code du département : 87, 2A, 971…")
    config.add_argument("--modele", "--template", dest="template", help="modèle de grille (TOML)")
    config.add_argument("--bureau", "--office", dest="office", metavar="LAT,LON",
                        help="bureau de l'animateur, départ des tournées (ou l'id_fs d'une structure)")
    config.add_argument("--regles-plan", "--plan-rules", dest="plan_rules", metavar="FICHIER",
                        help="règles du plan de visites (TOML)")
    config.add_argument("--jeton", "--token", dest="token", help="jeton personnel du serveur central")

    sites = commands.add_parser("sites", help="structures France services")
    sites_cmd = sites.add_subparsers(dest="sites_command", metavar="ACTION", required=True)
    imp = sites_cmd.add_parser("import", help="importer la liste officielle (CSV data.gouv.fr)")
    imp.add_argument("file", type=Path, help="le fichier CSV de data.gouv.fr")
    imp.add_argument("--department", "--departement", dest="department",
                     help="département à importer (défaut : celui configuré)")
    imp.add_argument(
        "--skip-rejected", action="store_true", help="importer malgré les lignes rejetées"
    )
    fetch = sites_cmd.add_parser("fetch", help="télécharger et importer la liste officielle")
    fetch.add_argument("--department", "--departement", dest="department",
                       help="département à importer (défaut : celui configuré)")
    fetch.add_argument("--url", default=DEFAULT_DIRECTORY_URL, help="adresse de la liste")
    fetch.add_argument("--skip-rejected", action="store_true",
                       help="importer malgré les lignes rejetées")
    lst = sites_cmd.add_parser("list", help="lister les structures")
    lst.add_argument("--json", action="store_true", help="sortie JSON")

    sync = commands.add_parser("sync", help="synchroniser avec le dossier central")
    sync.add_argument(
        "--central", help="dossier central ou serveur https://… (mémorisé pour la suite)"
    )
    sync.add_argument("--json", action="store_true", help='affiche {"sent", "received", "conflicts"}')

    export = commands.add_parser("export", help="exporter en CSV (Excel) ou JSON")
    export.add_argument("what", choices=["sites", "visits", "followups"],
                        metavar="{sites,visits,followups}",
                        help="structures, visites ou suivis")
    export.add_argument("--format", choices=["json", "csv"], default="csv",
                        help="csv (Excel, défaut) ou json")
    export.add_argument("-o", "--output", type=Path, help="fichier à écrire (défaut : écran)")
    report_commands.add_parsers(commands)
    plan_command.add_parsers(commands)
    purge_command.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run fsfield; returns the process exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    args.process = argv is None and args.command == "sync"
    if args.process:
        gc.disable()  # while its modules load: see _modules_loaded
    # Imported once the arguments are read: `--help` and a usage error need neither.
    from fsfield.store.paths import resolve_data_dir
    from fsfield.store.storage import DataDirLost, SaveFailed, StoreError

    data_dir = resolve_data_dir(args.data_dir)
    if args.command is None:
        gc.disable()  # until first paint: see fsfield.app.run_app
        from fsfield.app import run_app

        return run_app(data_dir)
    handlers: dict[str, Callable[[argparse.Namespace, Path], int]] = {
        "config": _cmd_config,
        "sites": _cmd_sites,
        "export": _cmd_export,
        "sync": _cmd_sync,
        **report_commands.HANDLERS,
        **plan_command.HANDLERS,
        **purge_command.HANDLERS,
    }
    try:
        return handlers[args.command](args, data_dir)
    except DataDirLost as exc:  # another process wrote to the data dir: said as is
        print(f"fsfield : {exc}", file=sys.stderr)
        return 1
    except SaveFailed as exc:
        # Unlike the app, a command ends here: the change is not kept for a retry.
        cause = exc.__cause__
        reason = describe_os_error(cause) if isinstance(cause, OSError) else (cause or exc)
        print(f"fsfield : NON ENREGISTRÉ : écriture impossible dans {data_dir} ({reason}). "
              "Rien n'a été modifié.", file=sys.stderr)
        return 1
    except (CommandError, StoreError) as exc:
        print(f"fsfield : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fsfield : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fsfield sites list | head`
        sys.stderr.close()
        return 0


def _open(data_dir: Path) -> Store:
    from fsfield.store.repo import Store

    store = Store(data_dir)
    for message in store.recovery.messages:
        print(f"fsfield : {message}", file=sys.stderr)
    return store


def _cmd_config(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.domain.directory import valid_department_codes
    from fsfield.store.settings import update_settings

    with _open(data_dir) as store:
        changes: dict[str, object] = {}
        if args.department is not None:
            code = args.department.strip().upper().zfill(2)
            if code not in valid_department_codes():
                raise CommandError(f"département inconnu : « {args.department} ».")
            changes["department"] = code
        if args.animator is not None:
            changes["animator"] = args.animator
        if args.template is not None:
            from fsfield.domain.template import TemplateError, load_template

            path = Path(args.template).expanduser().resolve()
            try:
                grid = load_template(path)
            except TemplateError as exc:
                raise CommandError(str(exc)) from None
            missing = grid.items_without_ref()
            if missing:
                print(f"fsfield : attention : {path.name} : {how_many(len(missing), 'élément')} sans « ref » "
                      f"(ce qu'ils vérifient ne figurera pas dans les rapports) : "
                      f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}", file=sys.stderr)
            changes["template_path"] = str(path)
        if args.office is not None:
            from fsfield.store.plan import office_location

            try:
                changes["office_latitude"], changes["office_longitude"] = office_location(
                    store, args.office)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        if args.plan_rules is not None:
            from fsfield.domain.plan_rules import PlanRulesError, load_plan_rules

            path = Path(args.plan_rules).expanduser().resolve()
            try:
                load_plan_rules(path)
            except PlanRulesError as exc:
                raise CommandError(str(exc)) from None
            changes["plan_rules_path"] = str(path)
        if args.token is not None:
            changes["sync_token"] = args.token.strip() or None
        try:
            settings = update_settings(store, **changes)
        except ValueError as exc:
            raise CommandError(f"{exc}.") from None
        print(
            f"Animateur : {settings.animator or '(non renseigné)'} — "
            f"département : {settings.department or '(non renseigné)'}"
        )
    return 0


def _department(args: argparse.Namespace, store: Store) -> str:
    from fsfield.domain.directory import valid_department_codes

    code = args.department or store.settings.department
    if not code:
        raise CommandError(
            "précisez le département (--department 87) ou configurez-le : "
            "fsfield config --departement 87"
        )
    code = code.strip().upper().zfill(2)
    if code not in valid_department_codes():
        raise CommandError(f"département inconnu : « {code} ».")
    return code


def _import(store: Store, read: DirectoryRead, department: str, skip_rejected: bool) -> int:
    from fsfield.store.sites import import_sites

    for reject in read.rejected:
        print(f"ligne {reject.line} rejetée : {reject.reason}", file=sys.stderr)
    if read.rejected and not skip_rejected:
        raise CommandError(
            f"{how_many(len(read.rejected), 'ligne rejetée', 'lignes rejetées')} : "
            "rien n'a été importé. "
            "Corrigez le fichier ou relancez avec --skip-rejected."
        )
    result = import_sites(store, read.entries, department)
    print(result.summary())
    return 0


def _cmd_sites(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.domain.directory import DirectoryError, parse_directory, read_directory

    if args.sites_command == "list":
        return _list_sites(args, data_dir)
    with _open(data_dir) as store:
        department = _department(args, store)
        try:
            if args.sites_command == "import":
                if not args.file.is_file():
                    raise CommandError(f"fichier introuvable : {args.file}")
                read = read_directory(args.file, department=department)
            else:
                from fsfield.domain.fetch import FetchError, download

                try:
                    payload = download(args.url)
                except FetchError as exc:
                    raise CommandError(str(exc)) from None
                read = parse_directory(payload, source=args.url, department=department)
        except DirectoryError as exc:
            raise CommandError(f"{exc} Rien n'a été importé.") from None
        return _import(store, read, department, args.skip_rejected)


def _list_sites(args: argparse.Namespace, data_dir: Path) -> int:
    import orjson

    from fsfield.domain.hours import parse_week

    with _open(data_dir) as store:
        sites = store.sites()
        if args.json:
            payload = [s.model_dump(mode="json") for s in sites]
            sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        if not sites:
            print("Aucune structure. Importez l'annuaire : fsfield sites import FICHIER.csv")
            return 0
        for site in sites:
            week = parse_week(site.hours)
            flag = "" if site.in_directory else "  [absente de l'annuaire]"
            print(f"{site.id_fs:>8}  {site.name[:48]:<48}  {site.commune[:24]:<24}  "
                  f"{week.summary()}{flag}")
    return 0


MAX_PROBLEM_LINES = 20
"""Files left in the central folder listed one per line, then a count of the rest."""


def _modules_loaded(args: argparse.Namespace) -> None:
    """``fsfield sync`` run as the process (the ``fsfield`` script: ``main()`` without
    arguments) loads its modules with the cyclic collector paused, then freezes what they
    made: ~100k objects that live until exit and none of them garbage, which every collection
    would traverse while they load and twice more at the interpreter's exit (10-20 ms of a
    no-op sync of ~75 ms over the interpreter's start: bench/bench_process.py). A call from
    Python (tests) changes nothing of the collector."""
    if args.process:
        gc.freeze()
        gc.enable()


def _cmd_sync(args: argparse.Namespace, data_dir: Path) -> int:
    import json

    from fsfield.store.syncing import central_path, run_sync

    _modules_loaded(args)
    with _open(data_dir) as store:
        report = run_sync(store, central_path(store, args.central))
    if report.server:
        print(f"Serveur : {report.server}", file=sys.stderr)
    for line in report.refused:
        print(f"fsfield : refusé par le serveur, gardé à envoyer : {line}", file=sys.stderr)
    shown = report.problems[:MAX_PROBLEM_LINES]
    for problem in shown:
        print(f"fsfield : laissé en place : {problem}", file=sys.stderr)
    if len(report.problems) > len(shown):
        rest = len(report.problems) - len(shown)
        print(f"fsfield : … et {rest} {plural(rest, 'autre')}", file=sys.stderr)
    if report.problems_summary:
        print(f"fsfield : {report.problems_summary}", file=sys.stderr)
    if report.notice and args.json:
        print(f"fsfield : {report.notice}", file=sys.stderr)
    if report.future:
        print(f"fsfield : {how_many(report.future, 'modification datée', 'modifications datées')}"
              " dans le futur "
              "(horloge d'un autre ordinateur déréglée ?)", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        if report.notice:
            print(report.notice[0].upper() + report.notice[1:] + ".")
        print(report.summary())
        if report.conflicts:
            print("Des conflits sont à régler : ouvrez fsfield et appuyez sur c (écran des structures).")
    return 0


def _cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    from fsfield.reports.export import ExportError, export

    with _open(data_dir) as store:
        try:
            payload = export(store, args.what, args.format)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
    if args.output is None:
        sys.stdout.buffer.write(payload)
        return 0
    from fsfield.store.files import write_user_file

    try:
        write_user_file(args.output, payload)
    except OSError as exc:
        raise CommandError(
            f"impossible d'écrire {args.output} : {describe_os_error(exc)}. Aucun fichier créé."
        ) from None
    print(f"Exporté : {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
