"""argparse in French: help, usage and errors, with the exit code the README states.

argparse words its help and errors in English (through ``gettext`` with no French catalogue
shipped). :class:`FrenchArgumentParser` gives French section titles, ``-h`` help, usage
prefix and metavars, and rewords every error argparse raises; a wrong subcommand or option
exits 1 (README: "every command exits 1 with a French message"), ``--help`` exits 0.
Subparsers are of the same class, so a subcommand added anywhere is French too.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from fsfield import cli_messages as msg

USAGE_EXIT = 1


class FrenchHelpFormatter(argparse.HelpFormatter):
    """``utilisation :`` and French default metavars."""

    def add_usage(self, usage: str | None, actions, groups, prefix: str | None = None) -> None:  # noqa: ANN001
        super().add_usage(usage, actions, groups, msg.USAGE_PREFIX if prefix is None else prefix)

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return msg.METAVARS.get(action.dest, action.dest.upper())

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return msg.METAVARS.get(action.dest, action.dest)


def translate_error(message: str) -> str:
    """argparse's English error -> French (unknown shapes are kept, after a French lead)."""
    for pattern, french in msg.ERRORS:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found:
            parts = {k: translate_error(v) if k == "inner" else v
                     for k, v in found.groupdict().items()}
            if isinstance(french, tuple):
                many = len(parts.get("args", "").split()) > 1 or int(parts.get("n", 1)) > 1
                french = french[1] if many else french[0]
            return french.format(**parts)
    return message


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks French and exits :data:`USAGE_EXIT` on bad usage."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - argparse's own
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = msg.POSITIONALS_TITLE
        self._optionals.title = msg.OPTIONALS_TITLE
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=msg.HELP_OPTION)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        text = msg.ERROR_LINE.format(prog=self.prog, message=translate_error(message))
        self.exit(USAGE_EXIT, text + "\n" + msg.ERROR_HINT.format(prog=self.prog) + "\n")
