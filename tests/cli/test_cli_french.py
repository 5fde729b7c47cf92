"""``fsfield`` speaks French in its help and its usage errors, and exits as the README says."""

from __future__ import annotations

import argparse
import re

import pytest
from cli_helpers import ROOT, run_cli

from fsfield.cli import build_parser, main

#: argparse's own English vocabulary
ENGLISH = re.compile(r"\b(usage|positional|show this help|and exit|error|invalid|choose from|"
                     r"required|unrecognized|expected|ambiguous)\b")


def _subparsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subparsers(sub, (*path, name))


def _readme_usage_exit() -> int:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"Every command exits (\d) with a French message", readme)
    assert found, "README no longer states the exit code of a failed command"
    return int(found.group(1))


def test_every_help_page_is_french(capsys):
    pages = list(_subparsers(build_parser()))
    assert len(pages) >= 12  # fsfield, config, sites ×3, sync, export, report ×3, activity ×2
    for path, _ in pages:
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("utilisation : fsfield"), (path, out)
        assert "afficher cette aide et quitter" in out
        assert not ENGLISH.search(out), (path, ENGLISH.search(out), out)


def test_a_wrong_subcommand_prints_french_and_exits_as_the_readme_says(tmp_path):
    result = run_cli(tmp_path / "data", "rapport")
    assert result.returncode == _readme_usage_exit() == 1
    assert "fsfield : erreur : argument COMMANDE : choix invalide : 'rapport'" in result.stderr
    assert "Aide : fsfield --help" in result.stderr
    assert not ENGLISH.search(result.stderr), result.stderr
    assert not (tmp_path / "data").exists()  # nothing created


@pytest.mark.parametrize("argv, french", [
    (["--bogus"], "argument non reconnu : --bogus"),
    (["--bogus", "--autre"], "arguments non reconnus : --bogus --autre"),
    (["sites"], "argument obligatoire manquant : ACTION"),
    (["export", "visites"], "choix invalide : 'visites'"),
    (["export", "sites", "--format", "xls"], "argument --format : choix invalide : 'xls'"),
    (["--data-dir"], "argument --data-dir : une valeur est attendue"),
    (["report", "annual"], "argument obligatoire manquant : ANNÉE"),
    (["activity", "add"], "arguments obligatoires manquants : --type, --date, --titre"),
])
def test_usage_errors_are_french_and_exit_1(argv, french, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == _readme_usage_exit()
    err = capsys.readouterr().err
    assert french in err and err.startswith("utilisation : fsfield")
    assert not ENGLISH.search(err), err
