"""``fsfield-sync``: serve a central store, manage its tokens, export and import it."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import logging
import os
import sys
from collections.abc import Sequence

from sync.hlc import wall_clock_ms

from .access import ROLES, TokenRow, new_token, valid_department, valid_name
from .messages import CLI


class CliError(Exception):
    """A French message for the user (exit 1)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (French help)."""
    p = argparse.ArgumentParser(prog="fsfield-sync", description="Serveur central de synchronisation fsfield.")
    cmds = p.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    store_help = "stockage : dossier (fichier JSON) ou postgresql://… (défaut : $FSFIELD_SYNC_STORE)"

    serve = cmds.add_parser("serve", help="servir le stockage central en HTTP")
    serve.add_argument("--store", default=os.environ.get("FSFIELD_SYNC_STORE"), help=store_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--tls-cert")
    serve.add_argument("--tls-key")
    serve.add_argument("--behind-proxy", action="store_true", help="un proxy TLS (nginx, Caddy) est devant")

    token = cmds.add_parser("token", help="jetons d'accès")
    tcmds = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    add = tcmds.add_parser("add", help="créer un jeton (affiché une seule fois, en dernière ligne)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--department", "--departement", dest="department")
    lst = tcmds.add_parser("list", help="lister les jetons")
    rev = tcmds.add_parser("revoke", help="révoquer un jeton (par nom ou identifiant)")
    rev.add_argument("name")
    for sub in (add, lst, rev):
        sub.add_argument("--store", default=os.environ.get("FSFIELD_SYNC_STORE"), help=store_help)

    exp = cmds.add_parser("export", help="exporter toutes les écritures (JSON lines, sortie standard)")
    exp.add_argument("--store", default=os.environ.get("FSFIELD_SYNC_STORE"), help=store_help)
    imp = cmds.add_parser("import", help="importer un export (JSON lines, fichier ou entrée standard)")
    imp.add_argument("file", nargs="?", default="-")
    imp.add_argument("--store", default=os.environ.get("FSFIELD_SYNC_STORE"), help=store_help)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fsfield-sync``; returns the exit code."""
    args = build_parser().parse_args(argv)
    if not args.store:
        print("fsfield-sync : précisez --store (dossier ou postgresql://…).", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "token":
            return _token(args)
        from .transfer import export_store, import_store

        if args.command == "export":
            return export_store(args.store, sys.stdout.buffer)
        return import_store(args.store, args.file)
    except CliError as exc:
        print(f"fsfield-sync : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open(store: str, *, serve: bool):  # noqa: ANN202 (Backend, imported late)
    from .backend import StoreLocked, Unavailable
    from .jsonfile import CorruptLog
    from .stores import open_backend

    try:
        return open_backend(store, serve=serve)
    except ImportError as exc:  # installed without the [server] extra
        raise CliError(CLI["missing_dependency"].format(name=exc.name)) from None
    except StoreLocked as exc:
        raise CliError(CLI["store_locked"].format(path=exc)) from None
    except CorruptLog as exc:
        raise CliError(CLI["store_corrupt"].format(line=exc.line, reason=exc.reason)) from None
    except (Unavailable, OSError) as exc:
        raise CliError(CLI["store_unavailable"].format(reason=exc)) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError(CLI["tls_pair"])
    if not _loopback(args.host) and not args.tls_cert and not args.behind_proxy:
        raise CliError(CLI["tls_required"].format(host=args.host))
    try:
        import uvicorn

        from .app import create_app
    except ImportError as exc:
        raise CliError(CLI["missing_dependency"].format(name=exc.name)) from None
    backend = _open(args.store, serve=True)
    # What the store loaded lives as long as the process and holds no cycle worth collecting:
    # out of the collector's sight, or every full collection would walk it again.
    gc.collect()
    gc.freeze()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    scheme = "https" if args.tls_cert else "http"
    print(CLI["serving"].format(url=f"{scheme}://{args.host}:{args.port}", store=_shown(args.store)), file=sys.stderr, flush=True)
    try:
        uvicorn.run(
            create_app(backend),
            host=args.host,
            port=args.port,
            ssl_certfile=args.tls_cert,
            ssl_keyfile=args.tls_key,
            proxy_headers=args.behind_proxy,
            access_log=False,  # ours (sync.server.access) is structured and has no token
            log_config=None,
        )
    finally:
        backend.close()
    return 0


def _shown(store: str) -> str:
    """The store without a password (a PostgreSQL URL may hold one)."""
    from .stores import is_postgres

    if is_postgres(store) and "@" in store:
        scheme, _, rest = store.partition("://")
        return f"{scheme}://…@{rest.rpartition('@')[2]}"
    return store


def _token(args: argparse.Namespace) -> int:
    backend = _open(args.store, serve=False)
    try:
        if args.token_command == "add":
            return _token_add(backend, args)
        if args.token_command == "list":
            rows = backend.tokens()
            if not rows:
                print(CLI["no_tokens"])
            for t in rows:
                state = "révoqué" if t.revoked_ms is not None else "actif"
                print(f"{t.token_id}  {t.name:<30}  {t.role:<10}  {t.department or 'tous':<4}  {state}")
            return 0
        hit = backend.revoke_token(args.name, wall_clock_ms())
        if not hit:
            raise CliError(CLI["token_unknown"].format(name=args.name))
        print(CLI["token_revoked"].format(name=args.name))
        return 0
    finally:
        backend.close()


def _token_add(backend, args: argparse.Namespace) -> int:  # noqa: ANN001
    name = args.name.strip()
    if not valid_name(name):
        raise CliError(CLI["bad_name"])
    department = args.department.strip().upper() if args.department else None
    if args.role == "national" and department:
        raise CliError(CLI["department_unexpected"])
    if args.role != "national":
        if not department:
            raise CliError(CLI["department_needed"])
        department = department.zfill(2)
        if not valid_department(department):
            raise CliError(CLI["bad_department"].format(department=args.department))
    if any(t.name == name and t.revoked_ms is None for t in backend.tokens()):
        raise CliError(CLI["token_exists"].format(name=name))
    token, token_id, digest = new_token()
    backend.add_token(TokenRow(token_id, name, args.role, department, digest, wall_clock_ms()))
    shown = f", {department}" if department else ""
    print(CLI["token_added"].format(name=name, role=args.role, department=shown))
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
