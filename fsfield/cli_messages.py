"""What the ``fsfield`` command says: argparse's words in French, and the commands' messages."""

from __future__ import annotations

USAGE_PREFIX = "utilisation : "
POSITIONALS_TITLE = "arguments"
OPTIONALS_TITLE = "options"
HELP_OPTION = "afficher cette aide et quitter"
ERROR_LINE = "{prog} : erreur : {message}"
ERROR_HINT = "Aide : {prog} --help"

#: default metavars (argparse would show the English ``dest`` in capitals)
METAVARS = {
    "data_dir": "DOSSIER", "animator": "NOM", "department": "DÉPARTEMENT",
    "template": "GRILLE.TOML", "file": "FICHIER.CSV", "url": "URL", "central": "DOSSIER",
    "output": "FICHIER", "format": "FORMAT", "what": "QUOI", "year": "ANNÉE",
    "months": "N", "date": "JJ/MM/AAAA", "notes": "TEXTE",
}

#: argparse's error messages (Python 3.11–3.13) -> French. ``inner`` is translated again; a
#: (singular, plural) pair agrees with the number of names in ``args``.
ERRORS: list[tuple[str, str | tuple[str, str]]] = [
    (r"argument (?P<arg>.+?): (?P<inner>.+)", "argument {arg} : {inner}"),
    (r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     "choix invalide : {value} (possibles : {choices})"),
    (r"the following arguments are required: (?P<args>.+)",
     ("argument obligatoire manquant : {args}", "arguments obligatoires manquants : {args}")),
    (r"unrecognized arguments: (?P<args>.+)",
     ("argument non reconnu : {args}", "arguments non reconnus : {args}")),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected at most one argument", "au plus une valeur est attendue"),
    (r"expected (?P<n>\d+) arguments?", ("{n} valeur attendue", "{n} valeurs attendues")),
    (r"invalid (?P<type>\S+) value: (?P<value>.+)", "valeur invalide : {value}"),
    (r"ambiguous option: (?P<option>.+?) could match (?P<matches>.+)",
     "option ambiguë : {option} (possibles : {matches})"),
    (r"not allowed with argument (?P<other>.+)", "incompatible avec l'argument {other}"),
    (r"one of the arguments (?P<args>.+) is required", "un des arguments {args} est nécessaire"),
    (r"ignored explicit argument (?P<value>.+)", "valeur en trop ignorée : {value}"),
    (r"unexpected option string: (?P<option>.+)", "option inattendue : {option}"),
    (r"can't open '(?P<name>.+?)': (?P<error>.+)", "impossible d'ouvrir « {name} » : {error}"),
]
