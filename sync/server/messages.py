"""Every French word the sync server says: one message per code.

The HTTP layer answers ``{"code": CODE, "message": MESSAGES[CODE]}`` (plus details); the command
line (``fsfield-sync``) prints the CLI messages. Codes are stable (clients may test them); the
wording may change.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # authentication
    "token_missing": "Jeton absent : ajoutez l'en-tête « Authorization: Bearer <jeton> ».",
    "token_invalid": "Jeton inconnu ou révoqué.",
    # access
    "forbidden_records": (
        "Lot refusé en entier : certains enregistrements ne peuvent pas être écrits avec ce "
        "jeton. Rien n'a été enregistré."
    ),
    "forbidden_scope": "Ce jeton ne peut pas écrire pour ce département. Rien n'a été enregistré.",
    "forbidden_read": "Ce jeton ne peut pas lire ce département.",
    # bad input
    "bad_json": "Requête illisible : le corps n'est pas du JSON valide.",
    "bad_request": "Requête invalide.",
    "bad_write": "Modification invalide. Rien n'a été enregistré.",
    "too_large": "Requête trop volumineuse.",
    "bad_idempotency_key": (
        "En-tête Idempotency-Key absent ou invalide (1 à 128 caractères : lettres, chiffres, "
        "« - » et « _ »)."
    ),
    "idempotency_key_reused": (
        "Cette clé Idempotency-Key a déjà servi pour un autre lot. Rien n'a été enregistré."
    ),
    "dot_collision": (
        "Conflit d'identifiants : une modification déjà reçue porte le même identifiant avec un "
        "autre contenu (compteur réutilisé ?). Rien n'a été enregistré."
    ),
    "not_found": "Adresse inconnue.",
    "method_not_allowed": "Méthode non autorisée à cette adresse.",
    # server side
    "unavailable": "Stockage central momentanément indisponible : réessayez plus tard.",
    "internal": "Erreur interne du serveur.",
}

REFUSAL_REASONS: dict[str, str] = {
    "unplaceable": "enregistrement inconnu du serveur, sans structure pour le rattacher",
    "other_department": "enregistrement d'un autre département",
    "moves_site": "changement du département d'une structure",
    "read_only": "ce jeton ne peut que lire",
    "prefecture_kind": "la préfecture ne modifie que des suivis",
    "prefecture_owner": "suivi dont la préfecture n'est pas responsable",
    "prefecture_field": "la préfecture ne modifie que le statut, les notes et l'échéance",
}

CLI: dict[str, str] = {
    "token_added": "Jeton créé pour {name} ({role}{department}). Conservez-le : il ne sera plus affiché.",
    "token_revoked": "Jeton révoqué : {name}.",
    "token_unknown": "Aucun jeton actif nommé « {name} ».",
    "token_exists": "Un jeton actif porte déjà le nom « {name} » : révoquez-le d'abord.",
    "department_needed": "Précisez le département (--department 87) pour ce rôle.",
    "department_unexpected": "Le rôle national couvre tous les départements : pas de --department.",
    "bad_department": "Département invalide : « {department} ».",
    "bad_name": "Nom invalide : 1 à 100 caractères imprimables.",
    "no_tokens": "Aucun jeton.",
    "tls_required": (
        "Refus d'écouter sur {host} sans TLS : donnez --tls-cert et --tls-key, ou --behind-proxy "
        "si un proxy TLS (nginx, Caddy) est devant le serveur."
    ),
    "tls_pair": "Donnez à la fois --tls-cert et --tls-key.",
    "store_unavailable": "Stockage central inaccessible : {reason}",
    "store_locked": "Ce stockage est déjà servi par un autre processus ({path}).",
    "store_corrupt": "Journal des écritures illisible ligne {line} : {reason}. Rien n'a été modifié.",
    "missing_dependency": (
        "Le serveur a besoin de paquets absents ({name}) : pip install 'fsfield[server]'."
    ),
    "imported": "Importé : {stored} écriture(s) nouvelle(s), {known} déjà présente(s).",
    "import_bad_line": "Ligne {line} illisible : {reason}. Import arrêté (ce qui précède est gardé).",
    "serving": "Serveur central fsfield sur {url} (stockage : {store})",
}


def body(code: str, **details: object) -> dict[str, object]:
    """The JSON body of an error answer."""
    return {"code": code, "message": MESSAGES[code], **details}


def refusal_text(reason: str) -> str:
    """French wording of a refusal reason code."""
    return REFUSAL_REASONS.get(reason, reason)
