"""User-facing French strings of the store layer (one messages module per layer): the local
store's own (lock, saves, damage found at open) and the wording of the codes `sync/` returns
(problems met in the central folder, why it cannot be used) and of the sync round's lines. The
CLI and the screens print these strings."""

from __future__ import annotations

import errno as errno_mod
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsfield.domain.messages import ERRNO_REASONS, how_many

if TYPE_CHECKING:  # names only: importing sync.engine here would load it on every start
    from sync.engine import RefusedWrite
    from sync.folder import Problem, StoreUnavailable

# --- local store: lock, saves, damage found at open (branch store-edges) ------------------------


def saves(n: int) -> str:
    """« 1 enregistrement », « 3 enregistrements » (a durable save is an « enregistrement »)."""
    return f"{n} enregistrement{'s' if n > 1 else ''}"


def locked(directory: Path) -> str:
    return (
        f"fsfield est déjà ouvert sur ce dossier de données ({directory}). "
        "Fermez l'autre fenêtre fsfield, ou choisissez un autre dossier avec --data-dir."
    )


def dir_unusable(directory: Path, reason: str) -> str:
    return (
        f"Impossible d'utiliser le dossier de données {directory} : {reason}. "
        "Vérifiez qu'il existe et qu'il est accessible en écriture."
    )


_STOP_WRITING = (
    " Pour ne rien écraser, fsfield n'y écrit plus : fermez toutes les fenêtres fsfield puis"
    " relancez-le. Cette modification n'est pas enregistrée."
)


def lost_dir_replaced(directory: Path) -> str:
    return (
        f"NON ENREGISTRÉ : le dossier de données {directory} a été déplacé, supprimé ou remplacé"
        " depuis l'ouverture de fsfield." + _STOP_WRITING
    )


def lost_lock_taken(directory: Path) -> str:
    return (
        f"NON ENREGISTRÉ : le verrou du dossier de données {directory} a été supprimé et un autre"
        " programme l'a repris (une autre fenêtre fsfield ?)." + _STOP_WRITING
    )


def lost_other_writer(directory: Path) -> str:
    return (
        f"NON ENREGISTRÉ : un autre programme a écrit dans le dossier de données {directory}"
        " depuis l'ouverture de fsfield (une autre fenêtre fsfield ?)." + _STOP_WRITING
    )


def closed(directory: Path) -> str:
    return f"NON ENREGISTRÉ : les données de {directory} sont déjà fermées."


def save_failed(directory: Path, reason: str) -> str:
    return (
        f"NON ENREGISTRÉ : écriture impossible dans {directory} ({reason})."
        " La modification est gardée et sera réessayée."
    )


def close_untidy(reason: str) -> str:
    return (
        "le journal des modifications n'a pas pu être regroupé dans le fichier de données"
        f" ({reason}) : rien n'est perdu, ce sera refait à la prochaine ouverture."
    )


def repair_failed(directory: Path, reason: str) -> str:
    return (
        f"Les données de {directory} doivent être réparées, mais l'écriture a échoué ({reason})."
        " Rien n'a été modifié ni perdu : libérez de la place puis relancez fsfield."
    )


def open_failed(directory: Path, reason: str) -> str:
    return f"Impossible d'ouvrir les données de {directory} : {reason}."


# Why an entry is refused at open (the reason in the messages below).
BAD_CHECKSUM = "somme de contrôle fausse"
BAD_STRUCTURE = "structure invalide"
UNKNOWN_FORMAT = "format inconnu"
TRUNCATED = "fichier tronqué"


def bad_table(name: str, reason: str) -> str:
    return f"table {name} : {reason}"


def bad_write(doc_id: str, key: str) -> str:
    return f"document n° {doc_id} sans « {key} » valide"


def snapshot_damaged(reason: str, aside: Path) -> str:
    return (
        f"Le fichier de données était illisible ou endommagé ({reason}) : il a été mis de côté"
        f" sous {aside.name} et les données ont été restaurées depuis la sauvegarde."
    )


def backup_damaged(reason: str, aside: Path) -> str:
    return (
        f"La sauvegarde était illisible elle aussi ({reason}) : mise de côté sous {aside.name} ;"
        " les données ont été restaurées depuis les journaux seuls."
    )


def journal_damaged(name: str, lines: list[int], aside: Path) -> str:
    where = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
    at = f"aux lignes {where}" if len(lines) > 1 else f"à la ligne {where}"
    return (
        f"Le journal {name} est endommagé {at} (somme de contrôle fausse) : il est gardé"
        f" sous {aside.name}. Les enregistrements lisibles ont été relus."
    )


def journal_cut(name: str, after: int, aside: Path) -> str:
    return (
        f"Le journal {name} est coupé au milieu d'un enregistrement, après l'enregistrement"
        f" n° {after} : il est gardé tel quel sous {aside.name}. Si fsfield a été arrêté"
        " brutalement (coupure de courant), c'était une modification en cours, jamais"
        " confirmée ; sinon, ce qui suivait est perdu et son nombre ne peut pas être connu."
    )


def duplicates(n: int) -> str:
    return (
        f"{saves(n)} en double dans le journal (écrits par un second fsfield ouvert en même"
        " temps ?) n'ont pas pu être relus."
    )


def summary(up_to: int, lost: list[tuple[int, int]], unknown_after: int | None) -> str:
    """What opening recovered and dropped: numbers and counts, never silence."""
    line = f"Bilan : données restaurées jusqu'à l'enregistrement n° {up_to}"
    count = sum(b - a + 1 for a, b in lost)
    if count:
        ranges = ", ".join(f"n° {a}" if a == b else f"n° {a} à {b}" for a, b in lost[:5])
        line += f" ; {saves(count)} perdu{'s' if count > 1 else ''} ({ranges}"
        line += " …)" if len(lost) > 5 else ")"
        line += " (les copies endommagées sont gardées)"
    elif unknown_after is None:
        line += " ; aucune modification perdue"
    if unknown_after is not None:
        line += f" ; ce qui suivait l'enregistrement n° {unknown_after} n'a pas pu être compté"
    return line + "."


# --- sync: codes of sync/ and the round's lines (branch sync-edges) ----------------------------

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
    # a sync server (sync/http.py)
    "unreachable": "serveur injoignable",
    "timeout": "le serveur ne répond pas à temps",
    "token_missing": "jeton absent : fsfield config --jeton …, ou FSFIELD_SYNC_TOKEN",
    "token_invalid": "jeton refusé (inconnu ou révoqué)",
    "not_a_server": "cette adresse ne répond pas comme un serveur central fsfield",
    "server_error": "erreur du serveur (HTTP {status})",
    "server_unavailable": "serveur momentanément indisponible",
}
_SERVER_NEWER = (
    "le serveur central utilise un format plus récent ({found}) : mettez à jour fsfield avant de "
    "synchroniser (rien n'a été envoyé)"
)

_REFUSED = {
    "unplaceable": "enregistrement inconnu du serveur, sans structure pour le rattacher",
    "other_department": "enregistrement d'un autre département",
    "moves_site": "changement du département d'une structure",
    "read_only": "ce jeton ne peut que lire",
    "prefecture_kind": "la préfecture ne modifie que des suivis",
    "prefecture_owner": "suivi dont la préfecture n'est pas responsable",
    "prefecture_field": "la préfecture ne modifie que le statut, les notes et l'échéance",
    "dot_collision": "identifiant déjà reçu par le serveur avec un autre contenu",
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
    "bad_page": "réponse du serveur illisible : relue à la prochaine synchronisation",
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
    reason = ERRNO_REASONS.get(code)  # the French wording of domain/messages.py
    return f" ({reason or errno_mod.errorcode.get(code, str(code))})"


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
    url = getattr(exc, "url", None)  # a sync server (sync.http.ServerUnavailable)
    template = _UNAVAILABLE.get(exc.code, _UNAVAILABLE["other"])
    if url is not None and exc.code == "newer_format":
        template = _SERVER_NEWER
    reason = template.format(
        found=params.get("found", "?"),
        detail=_errno_detail(params),
        status=params.get("status", "?"),
    )
    if url is not None:
        return f"Serveur central inaccessible : {url} — {reason}"
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


# --- sync server (branch sync-server) -----------------------------------------------------------


def no_token(url: str, env: str) -> str:
    return (
        f"jeton absent pour {url} : fsfield config --jeton VOTRE_JETON "
        f"(ou la variable {env}). Rien n'a été perdu."
    )


def server_as(url: str, who: Mapping[str, Any]) -> str:
    """Which server and as whom: ``https://… — Anne (animator, 87)``."""
    department = who.get("department") or "tous"
    return f"{url} — {who.get('name', '?')} ({who.get('role', '?')}, {department})"


def server_newcomer(n: int) -> str:
    """A server new to this laptop (or reset: a new identity) that lacked writes it held."""
    return f"serveur central nouveau pour cet ordinateur (ou réinitialisé) : {republished(n)}"


def refused_reason(r: RefusedWrite) -> str:
    """Why the server refused a write, in French (its own wording for a code unknown here)."""
    return _REFUSED.get(r.reason) or r.message or r.reason


def refused_lines(refused: Sequence[RefusedWrite]) -> list[str]:
    """One French line per refused record: which, why, how many writes stay to send."""
    by_record: dict[str, list[RefusedWrite]] = {}
    for r in refused:
        by_record.setdefault(r.record, []).append(r)
    return [
        f"{record} : {refused_reason(rs[0])} ({how_many(len(rs), 'modification')})"
        for record, rs in sorted(by_record.items())
    ]


# --- records: visits, follow-ups, sites, activities, settings, conflicts (branch records-api) ---

VISIT_FINALISED = "Visite finalisée : rouvrez-la pour la modifier."
VISIT_MISSING_REQUIRED = "Éléments obligatoires sans réponse : {items}"
VISIT_DISCARD_FINALISED = (
    "Seul un brouillon peut être abandonné : cette visite est finalisée (rouvrez-la d'abord)."
)
VISIT_UNKNOWN_STATUS = "réponse inconnue « {status} » (conforme, a_ameliorer, non_conforme, sans_objet, non_verifie)"

FOLLOWUP_EMPTY = "le texte du suivi est vide : décrivez ce qu'il faut faire"

SITE_NAME_EMPTY = "le nom de la structure est obligatoire"

ACTIVITY_TITLE_EMPTY = "le titre de l'activité est vide"

SETTINGS_ANIMATOR_EMPTY = "le nom de l'animateur est vide"
SETTINGS_DEPARTMENT_UNKNOWN = "département inconnu : « {code} » (ex. 87, 2A, 971)"

CONFLICT_GONE = "Ce conflit a déjà été réglé (peut-être sur un autre ordinateur)."
CONFLICT_DELETE_TYPED = "Une suppression se règle en gardant ou en annulant la suppression."

# --- field history and RGPD purge (branch history) ---


def purge_unknown_record(record_id: str) -> str:
    return f"Aucun enregistrement « {record_id} » de ce type : rien n'a été effacé."


def purge_unknown_field(field: str) -> str:
    return f"Champ inconnu pour cet enregistrement : « {field} » (rien n'a été effacé)."


# --- local store, format fsfield-store/3: documents and history (branch storage3) ---------------


def newer_format(found: str) -> str:
    return (
        f"Ces données ont été créées par une version plus récente de fsfield : mettez à jour"
        f" fsfield sur cet ordinateur (format {found}). Rien n'a été modifié."
    )


def table_rebuilt(name: str, reason: str) -> str:
    return (
        f"La table {name} du fichier de données était endommagée ({reason}) : elle a été"
        " reconstruite depuis la sauvegarde et les journaux, sans perte. Le fichier endommagé"
        " sera mis de côté à la prochaine réorganisation."
    )


def table_lost(name: str, reason: str) -> str:
    return (
        f"La table {name} du fichier de données est endommagée ({reason}) et la sauvegarde ne"
        " permet pas de la reconstruire : ces données ne peuvent pas être lues. Les fichiers"
        " sont gardés tels quels ; ne supprimez rien et demandez de l'aide."
    )


def snapshot_set_aside(aside: Path) -> str:
    return (
        f"Le fichier de données endommagé a été mis de côté sous {aside.name} ; un fichier"
        " propre l'a remplacé."
    )


def history_shorter(kept: int) -> str:
    return (
        "L'historique des modifications (history.log) est plus court qu'attendu : les valeurs"
        f" anciennes au-delà de l'enregistrement n° {kept} sont perdues. Les données actuelles"
        " ne sont pas touchées."
    )


def history_bad_records(n: int) -> str:
    return (
        f"{n} bloc{'s' if n > 1 else ''} de l'historique des modifications"
        f" {'sont endommagés' if n > 1 else 'est endommagé'} (somme de contrôle fausse) :"
        f" {'ils ont été ignorés' if n > 1 else 'il a été ignoré'}. Les données actuelles ne"
        " sont pas touchées."
    )


def history_garbage(aside: Path) -> str:
    return (
        "La fin de l'historique des modifications (history.log) était illisible : une copie"
        f" du fichier est gardée sous {aside.name}, la partie illisible a été retirée."
    )
# -- conversion to the document store (migrate.py) -------------------------------------------

MIGRATION_FINISHED = (
    "Conversion des données au nouveau format terminée (elle avait été interrompue) ; "
    "les anciens fichiers sont conservés dans le dossier « format-2 »."
)


def migration_done(
    records: int, writes: int, history: int, aside: Path, damage: list[str], skipped: list[str]
) -> str:
    from fsfield.domain.messages import how_many

    text = (
        f"Données converties au nouveau format : {how_many(records, 'enregistrement')}, "
        f"{how_many(writes, 'modification')} dont {history} dans l'historique, "
        f"vérifiées identiques à l'ancien format. Anciens fichiers conservés dans {aside}."
    )
    if damage:
        text += " Lecture de l'ancien format : " + " ".join(damage)
    if skipped:
        text += (
            f" Non converti{'s' if len(skipped) > 1 else ''}, ses modifications se contredisant "
            f"(même numéro, contenus différents) : {', '.join(skipped[:5])}."
        )
    return text


def migration_failed(reason: str) -> str:
    return (
        f"Conversion des données au nouveau format impossible ({reason}). Vos données restent "
        "dans l'ancien format, intactes et utilisables ; la conversion sera retentée au "
        "prochain démarrage (libérez de la place sur le disque si elle manque)."
    )


def migration_differs(count: int) -> str:
    from fsfield.domain.messages import how_many

    return f"le nouveau format diffère de l'ancien pour {how_many(count, 'enregistrement')}"
