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

# -- fsfield purge (RGPD) ------------------------------------------------------
PURGE_HELP = "effacer les anciennes valeurs d'un champ (RGPD), sur tous les ordinateurs"
PURGE_DESCRIPTION = (
    "Remplace les anciennes valeurs d'un champ par « valeur effacée (RGPD) » ; la valeur "
    "actuelle est gardée. L'effacement est noté (qui, quand) et envoyé à la prochaine "
    "synchronisation."
)
PURGE_SITE = "structure (id_fs, début de l'identifiant ou partie du nom)"
PURGE_FOLLOWUP = "suivi (début de son identifiant)"
PURGE_VISIT = "visite (début de son identifiant)"
PURGE_FIELD = "champ à effacer (ex. phone, email, text, notes)"
PURGE_ITEM = "élément de la grille (ex. m1-horaires), avec --visite"
PURGE_YES = "ne pas demander de confirmation"
PURGE_NEEDS_FIELD = "indiquez le champ avec --champ (ex. --champ phone)"
PURGE_NEEDS_ITEM = "indiquez l'élément de la grille avec --element (ex. --element m1-horaires)"
PURGE_ITEM_ONLY_VISIT = "--element ne va qu'avec --visite"
PURGE_FIELD_NOT_VISIT = "avec --visite, indiquez l'élément (--element), pas --champ"
PURGE_NOTHING = "Aucune ancienne valeur à effacer : rien n'a été écrit."
PURGE_ASK = "{n} ancienne(s) valeur(s) de « {what} » seront effacées sur tous les ordinateurs. Confirmer ? [o/N] "
PURGE_NO_STDIN = "confirmation impossible (pas de saisie) : relancez avec --oui. Rien n'a été effacé."
PURGE_CANCELLED = "Annulé : rien n'a été effacé."
PURGE_DONE = "{n} ancienne(s) valeur(s) effacée(s) de « {what} » ; l'effacement sera envoyé à la prochaine synchronisation."
PURGE_UNKNOWN_FOLLOWUP = "aucun suivi ne commence par « {ref} »"
PURGE_AMBIGUOUS_FOLLOWUP = "plusieurs suivis commencent par « {ref} » : donnez plus de caractères"
