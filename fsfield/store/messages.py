"""French messages of the store layer, for a translator to find in one place.

Each section belongs to one part of the store; add yours in a section of its own.
"""

from __future__ import annotations

# -- records: store/visits, followups, sites, activities, settings, conflicts -------------

NOT_FOUND = "Aucun enregistrement {kind} avec l'identifiant {id}."
REFUSED = "{what} refusé(e) : {reason}. Rien n'a été enregistré."

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

KIND_LABELS = {
    "visit": "Visite",
    "followup": "Suivi",
    "site": "Structure",
    "activity": "Activité",
}
