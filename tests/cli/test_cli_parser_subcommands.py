"""``main`` builds the options of the subcommands named on its command line only: every command
line parses, errs and helps exactly as with the whole parser."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from fsfield.cli import build_parser


def _outcome(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parser.parse_args(argv))
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


def _every_command_line() -> list[list[str]]:
    lines: list[list[str]] = [[], ["--help"], ["--bogus"], ["rapport"], ["--data-dir", "x"]]

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        lines.extend([[*path, "--help"], [*path, "--bogus"], path])
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(build_parser(), [])
    return lines


@pytest.mark.parametrize("argv", _every_command_line(), ids=" ".join)
def test_a_command_line_parses_as_with_the_whole_parser(argv: list[str]) -> None:
    assert _outcome(build_parser(argv), argv) == _outcome(build_parser(), argv)


@pytest.mark.parametrize("argv", [
    ["--data-dir", "d", "sync"],
    ["--data-dir", "d", "sync", "--central", "/srv/c", "--json"],
    ["--data-dir", "report", "sync", "--json"],  # a command's name as an option's value
    ["export", "visits", "--format", "json", "-o", "v.json"],
    ["report", "annual", "2026", "--format", "csv"],
    ["sync", "--centrale", "x"],
    ["config", "--animateur", "A", "--departement", "87"],
])
def test_options_of_the_named_command_parse_as_with_the_whole_parser(argv: list[str]) -> None:
    assert _outcome(build_parser(argv), argv) == _outcome(build_parser(), argv)
