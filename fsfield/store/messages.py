"""User-facing French strings of the store layer (one messages module per layer)."""

from __future__ import annotations

from pathlib import Path

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
