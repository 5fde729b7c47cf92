"""French wording of what the store layer reports: the codes of `sync/` (problems met in the
central folder, why it cannot be used) and the sync round's own lines. The one place where they
are worded; the CLI and the screens print these strings."""

from __future__ import annotations

import errno as errno_mod
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sync.folder import Problem, StoreUnavailable

NOTHING_LOST = "Rien n'a été perdu : les modifications restent à envoyer."
NOT_CONFIGURED = (
    "synchronisation non configurée : indiquez le dossier central une première fois, "
    "par exemple : fsfield sync --central /chemin/vers/le/partage"
)
NO_DEPARTMENT = "département non configuré : fsfield config --departement 87"
LOCAL_SAVE_FAILED = (
    "enregistrement local impossible (disque plein ou dossier de données inaccessible) : "
    "la synchronisation s'est arrêtée avant d'envoyer quoi que ce soit. Les modifications "
    "restent en mémoire (NON ENREGISTRÉ) et seront enregistrées dès que possible."
)

_UNAVAILABLE = {
    "missing": "dossier introuvable (clé USB débranchée ou partage non connecté)",
    "not_a_folder": "ce n'est pas un dossier",
    "read_only": "support en lecture seule",
    "denied": "accès refusé (dossier en lecture seule ?)",
    "full": "espace disque insuffisant sur le dossier central",
    "not_a_store": (
        "ce dossier contient d'autres fichiers et n'est pas un dossier central fsfield : "
        "choisissez un dossier vide ou le dossier central existant"
    ),
    "newer_format": (
        "ce dossier central a été créé par une version plus récente de fsfield (format {found}) : "
        "mettez fsfield à jour sur cet ordinateur ; rien n'y a été écrit"
    ),
    "new_store_refused": "le dossier est vide : il deviendrait un nouveau dossier central",
    "link_outside": "un lien mène hors du dossier central : rien n'y a été écrit",
    "other": "erreur d'accès{detail}",
}

_PROBLEM = {
    "foreign_file": "fichier étranger à fsfield",
    "foreign_entry": "élément étranger à fsfield dans devices/",
    "not_a_folder": "devrait être un dossier, c'est un fichier",
    "link_outside": "lien vers l'extérieur du dossier central, non suivi",
    "unreadable": "illisible{detail}",
    "bad_batch": "lot invalide{where}",
    "damaged_batch": "lot abîmé (son contenu ne correspond plus à son nom)",
    "newer_batch_format": "lot d'une version plus récente de fsfield (mettez fsfield à jour)",
    "too_large": "fichier trop gros pour être un lot ({size})",
    "wrong_device": "lot d'un autre ordinateur rangé dans ce dossier",
    "wrong_scope": "lot d'un autre département que ne l'indique son nom",
    "dot_collision": (
        "l'écriture {dot} existe déjà avec un autre contenu : la nouvelle est ignorée"
    ),
}

_SUMMARY = {
    "foreign_file": ("fichier étranger", "fichiers étrangers"),
    "foreign_entry": ("élément étranger", "éléments étrangers"),
    "not_a_folder": ("fichier à la place d'un dossier", "fichiers à la place de dossiers"),
    "link_outside": ("lien non suivi", "liens non suivis"),
    "unreadable": ("fichier illisible", "fichiers illisibles"),
    "dot_collision": ("écriture en double", "écritures en double"),
}
_BAD_BATCH = ("lot invalide", "lots invalides")


def _errno_detail(params: Mapping[str, Any]) -> str:
    code = params.get("errno")
    if not code:
        return ""
    name = errno_mod.errorcode.get(code, str(code))
    return f" ({name})"


def unexpected(exc: BaseException) -> str:
    """A failure nobody planned for (a defect): said plainly, never a traceback on screen."""
    return (
        f"erreur inattendue ({type(exc).__name__}) : la synchronisation s'est arrêtée. "
        f"{NOTHING_LOST}"
    )


def number(n: int) -> str:
    """1234 -> "1 234" (French grouping)."""
    return f"{n:,}".replace(",", " ")


def unavailable(exc: StoreUnavailable) -> str:
    """Why the central store cannot be used, in one French sentence."""
    params = dict(exc.params)
    template = _UNAVAILABLE.get(exc.code, _UNAVAILABLE["other"])
    reason = template.format(found=params.get("found", "?"), detail=_errno_detail(params))
    return f"Stockage central inaccessible : {exc.path} — {reason}"


def problem_reason(p: Problem) -> str:
    """What is wrong with one file, in French."""
    params = dict(p.params)
    template = _PROBLEM.get(p.code, "fichier ignoré")
    where = ""
    if p.code == "bad_batch":
        parts = []
        if params.get("write"):
            parts.append(f"écriture n° {params['write']}")
        if params.get("field"):
            parts.append(f"champ {params['field']}")
        where = f" ({', '.join(parts)})" if parts else ""
    size = params.get("size")
    return template.format(
        where=where,
        detail=_errno_detail(params),
        dot=params.get("dot", "?"),
        size=f"{number(int(size) // (1 << 20))} Mo" if isinstance(size, int) else "?",
    )


def problem_line(p: Problem, root: Path | None = None) -> str:
    """One line per problem: the file (relative to the central folder) and the reason."""
    path = p.path
    if root is not None:
        try:
            path = path.relative_to(root)
        except ValueError:
            pass
    return f"{path} : {problem_reason(p)}"


def problems_summary(problems: Sequence[Problem]) -> str:
    """One line with the counts per kind, e.g. "Laissés en place : 3 fichiers étrangers, ..."."""
    counts: Counter[tuple[str, str]] = Counter()
    for p in problems:
        counts[_SUMMARY.get(p.code, _BAD_BATCH)] += 1
    parts = [f"{number(n)} {one if n == 1 else many}" for (one, many), n in counts.items()]
    return "Laissés en place dans le dossier central : " + ", ".join(parts)


def republished(n: int) -> str:
    """The line telling that the store lacked writes this laptop held."""
    word = "écriture republiée" if n == 1 else "écritures republiées"
    return f"{number(n)} {word}"


def new_store(n: int, again: bool) -> str:
    """A folder that just became a central store; ``again``: some of the ``n`` writes had been
    published elsewhere before (the folder replaces another one)."""
    if again:
        return f"nouveau dossier central : {republished(n)}"
    word = "écriture publiée" if n == 1 else "écritures publiées"
    return f"nouveau dossier central : {number(n)} {word}"


def store_lacked(n: int, gone: int) -> str:
    """A store that lost batches this laptop had seen (restored copy, deleted files)."""
    lots = "lot a disparu" if gone == 1 else "lots ont disparu"
    return (
        f"{number(gone)} {lots} du dossier central (copie restaurée ou fichiers supprimés ?) : "
        f"{republished(n)} depuis cet ordinateur"
    )


def newcomer(n: int) -> str:
    """A store new to this laptop that lacked writes it held."""
    return f"dossier central nouveau pour cet ordinateur : {republished(n)}"
