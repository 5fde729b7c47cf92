"""What the domain layer says, and the one place system errors are worded in French.

Python words an ``OSError`` in English (``[Errno 28] No space left on device``); every layer
of fsfield that shows one calls :func:`describe_os_error` instead of reading its English text.
"""

from __future__ import annotations

import errno

#: errno -> French reason (POSIX names; Windows maps most of its errors onto these)
ERRNO_REASONS: dict[int, str] = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "ce n'est pas un dossier",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EEXIST: "existe déjà",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "support en lecture seule",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EIO: "erreur de lecture ou d'écriture du disque",
    errno.EBUSY: "fichier ou dossier occupé par un autre programme",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ENOTEMPTY: "dossier non vide",
    errno.EXDEV: "déplacement entre deux disques impossible",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EINVAL: "nom ou valeur invalide",
    errno.ETIMEDOUT: "délai d'attente dépassé",
    errno.ECONNREFUSED: "connexion refusée par le serveur",
    errno.ECONNRESET: "connexion coupée par le serveur",
    errno.ECONNABORTED: "connexion interrompue",
    errno.ENETUNREACH: "réseau inaccessible",
    errno.EHOSTUNREACH: "serveur inaccessible",
    errno.ENETDOWN: "réseau hors service",
}
#: Windows' own codes (``OSError.winerror``) that have no errno equivalent above
WINERROR_REASONS: dict[int, str] = {
    32: "fichier ouvert dans un autre programme",
    33: "fichier verrouillé par un autre programme",
    53: "chemin réseau introuvable",
    67: "nom de partage réseau introuvable",
    112: "plus de place sur le disque",
    1326: "identifiant ou mot de passe réseau refusé",
}
#: socket.getaddrinfo's codes (``[Errno -2] Name or service not known``…), by name
RESOLVER_REASONS: dict[str, str] = {
    "EAI_NONAME": "nom de serveur inconnu (pas de connexion Internet ?)",
    "EAI_NODATA": "nom de serveur inconnu (pas de connexion Internet ?)",
    "EAI_AGAIN": "nom de serveur introuvable pour l'instant (connexion Internet ?)",
    "EAI_FAIL": "résolution du nom de serveur impossible",
}

HTTP_REASONS: dict[int, str] = {
    400: "requête refusée", 401: "authentification demandée", 403: "accès interdit",
    404: "page introuvable", 408: "délai dépassé", 429: "trop de demandes, réessayez plus tard",
    500: "erreur du serveur", 502: "passerelle en erreur", 503: "service indisponible",
    504: "délai dépassé côté serveur",
}


def describe_os_error(exc: BaseException) -> str:
    """A system error in French words, for a French sentence (no ``[Errno …]``)."""
    import socket  # not at import time: start-up does not need them
    import ssl

    reason = getattr(exc, "reason", None)  # urllib.error.URLError wraps the real one
    if isinstance(reason, BaseException):
        return describe_os_error(reason)
    if isinstance(exc, socket.gaierror):
        names = [n for n in RESOLVER_REASONS if getattr(socket, n, None) == exc.errno]
        return RESOLVER_REASONS[names[0]] if names else "nom de serveur introuvable"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificat du serveur refusé (date de l'ordinateur juste ?)"
    if isinstance(exc, ssl.SSLError):
        return "échec de la connexion sécurisée"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "délai d'attente dépassé"
    winerror = getattr(exc, "winerror", None)
    if winerror in WINERROR_REASONS:
        return WINERROR_REASONS[winerror]
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code in ERRNO_REASONS:
        return ERRNO_REASONS[code]
    if isinstance(exc, OSError):
        return f"erreur système n° {code}" if code is not None else "erreur système"
    if isinstance(reason, str) and reason:
        return reason
    return type(exc).__name__


def describe_http_status(code: int) -> str:
    """``404`` -> ``404, page introuvable``."""
    reason = HTTP_REASONS.get(code)
    return f"{code}, {reason}" if reason else str(code)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The form agreeing with ``count``: French takes the singular for 0 and 1."""
    return singular if abs(count) < 2 else (plural_form or singular + "s")


def how_many(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 visite``, ``3 visites``, ``1 ligne rejetée``, ``2 lignes rejetées``."""
    return f"{count} {plural(count, singular, plural_form)}"


# -- validation errors (pydantic words them in English) ------------------------------------

#: model field -> how a form names it
FIELD_LABELS: dict[str, str] = {
    "name": "nom", "id_fs": "identifiant France services", "department": "département",
    "address": "adresse", "address_extra": "complément d'adresse", "postal_code": "code postal",
    "commune": "commune", "insee_com": "code commune", "email": "courriel", "phone": "téléphone",
    "hours": "horaires", "site_id": "structure", "date": "date", "visit_type": "type de visite",
    "participants": "participants", "status": "statut", "text": "texte du suivi",
    "owner_kind": "responsable", "owner_name": "responsable", "due": "échéance",
    "priority": "priorité", "notes": "notes", "closing_note": "note de clôture",
    "closed_on": "date de clôture", "value": "valeur", "comment": "commentaire",
    "animator": "animateur", "title": "titre", "attendance": "participants",
    "activity_type": "type d'activité", "partners": "partenaires", "sites": "structures",
    "central": "dossier central", "created_by": "auteur",
}
#: pydantic error type -> French reason ({…} filled from the error's context)
VALIDATION_REASONS: dict[str, str] = {
    "missing": "obligatoire",
    "string_too_short": "vide ou trop court",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "string_pattern_mismatch": "forme invalide",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu", "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu", "float_type": "nombre attendu",
    "bool_parsing": "oui ou non attendu", "bool_type": "oui ou non attendu",
    "date_parsing": "date attendue (JJ/MM/AAAA)", "date_type": "date attendue (JJ/MM/AAAA)",
    "date_from_datetime_parsing": "date attendue (JJ/MM/AAAA)",
    "datetime_parsing": "date et heure attendues", "datetime_type": "date et heure attendues",
    "enum": "valeur inconnue", "literal_error": "valeur inconnue",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "too_short": "trop peu d'éléments", "too_long": "trop d'éléments",
    "extra_forbidden": "champ inconnu",
    "list_type": "liste attendue", "dict_type": "tableau attendu",
}


def describe_validation_errors(errors: list[dict]) -> str:
    """``ValidationError.errors()`` in French: ``échéance : date attendue (JJ/MM/AAAA)``.
    A reason the model wrote itself (a ``ValueError`` in a validator) is kept as it is."""
    parts = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        where = FIELD_LABELS.get(loc[-1], loc[-1]) if loc else ""
        kind, ctx = err.get("type", ""), err.get("ctx") or {}
        if kind in ("value_error", "assertion_error"):
            reason = str(ctx.get("error", err.get("msg", "")))
        elif kind in VALIDATION_REASONS:
            try:
                reason = VALIDATION_REASONS[kind].format(**ctx)
            except (KeyError, IndexError):
                reason = VALIDATION_REASONS[kind].split(" (")[0]
        else:
            reason = "valeur refusée"
        parts.append(f"{where} : {reason}" if where else reason)
    return " ; ".join(parts)
