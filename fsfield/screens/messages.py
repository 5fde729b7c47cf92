"""What the screens say: the user-facing French strings of the TUI, in one place for a
translator (the screens import them; the store's and the reports' own live in their layer)."""

from __future__ import annotations

# -- command palette, help, quitting ------------------------------------------
PALETTE_PLACEHOLDER = "Rechercher une commande…"
PALETTE_NO_MATCH = "Aucune commande ne correspond"
PALETTE_BINDING = "Palette"
PALETTE_TOOLTIP = "Toutes les actions de l'écran, à chercher en tapant"
PALETTE_QUIT = "Quitter"
PALETTE_QUIT_HELP = "Fermer fsfield (tout est déjà enregistré)"
KEY_HINT = "Touche {key}"
HELP_TITLE = "Aide — {title}"
HELP_ANSWERS = (
    "Réponses : 1 Conforme · 2 À améliorer · 3 Non conforme · 4 Sans objet · 0 Non vérifié"
)
HELP_PALETTE = "Palette de commandes (toutes les actions)"
HELP_CLOSE = "Échap pour fermer."
QUIT_HOW_TITLE = "Quitter fsfield ?"
QUIT_HOW = "Appuyez sur [b]{key}[/b] pour quitter (Ctrl+C copie le texte sélectionné)."
QUIT_REFUSED_TITLE = "NON ENREGISTRÉ"
QUIT_REFUSED = (
    "Des modifications ne sont pas encore enregistrées (disque plein ou dossier "
    "inaccessible). Libérez de la place puis quittez à nouveau."
)
RESTORED_TITLE = "Données restaurées"
SAVED_TITLE = "Enregistré"
ALL_SAVED = "Toutes les modifications sont enregistrées."
UNSAVED_TITLE = "NON ENREGISTRÉ"

# -- dialogs ------------------------------------------------------------------
CONFIRM_HINT = "o : oui — n, Échap ou Entrée : non"
FORM_HINT = "Entrée champ suivant · Espace liste · Ctrl+S valider · Échap annuler"
FOLLOWUP_CREATED = "Suivi créé : {text}"
FOLLOWUP_CREATED_TITLE = "Suivi"

# -- follow-ups -----------------------------------------------------------------
NO_FOLLOWUP = ("Aucun suivi pour l'instant. Dans une visite, la touche a crée un suivi sur "
               "l'élément choisi.")
NO_FOLLOWUP_SHOWN = "Aucun suivi ne correspond aux filtres (o : afficher aussi les suivis clos)."
# filter drop-downs, blank choice (20 columns each at 80: "Responsable : tous" was cut)
FILTER_ANY_SITE = "Toute structure"
FILTER_ANY_MISSION = "Toute mission"
FILTER_ANY_OWNER = "Tout responsable"
FILTER_ANY_STATUS = "Tout statut"

# -- home (structures) ------------------------------------------------------------
NO_SITE = (
    "Aucune structure pour l'instant.\n\n"
    "Importez l'annuaire officiel en ligne de commande :\n"
    "  fsfield sites import liste-france-services.csv --department 87\n"
    "ou téléchargez-le : fsfield sites fetch --department 87\n"
    "ou ajoutez une structure à la main avec la touche a."
)
NO_SITE_MATCH = "Aucune structure ne correspond à « {text} »."
CHOOSE_SITE_FIRST = "Choisissez d'abord une structure."
SITES_FILTER_PLACEHOLDER = "Filtrer (nom, commune)…"

# -- activity journal -------------------------------------------------------------
NO_ACTIVITY = ("Aucune activité. Touche n pour ajouter une visio, un séminaire, une réunion, "
               "les journées portes ouvertes…")
ACTIVITY_DELETED = "Activité supprimée : {title}"
ACTIVITY_DELETE_QUESTION = "Supprimer l'activité « {title} » du {date} ?"
ACTIVITY_REFUSED = "Activité refusée : {reason}"

# -- follow-ups ---------------------------------------------------------------------
FOLLOWUP_DONE = "Suivi marqué fait : {text}"
FOLLOWUP_ALREADY_CLOSED = "Ce suivi est déjà clos."
FOLLOWUP_CLOSING_NOTE = "Note de clôture (facultative)"
FOLLOWUP_PAST_DUE = "Attention : l'échéance {date} est déjà passée."

# -- reports ----------------------------------------------------------------------
REPORT_SAVED = "Rapport enregistré : {path}"
REPORT_IMPOSSIBLE = "Rapport impossible : {reason}"
REPORT_FOLDER_REFUSED = "Impossible de créer {folder} : {reason}."
REPORT_NAME_NEEDED = "Indiquez un dossier et un nom de fichier (sans « / »)."
NEXT_YEAR_NOT_STARTED = "L'année suivante n'a pas commencé."

# -- field history and RGPD purge (screens/history.py) ------------------------
HISTORY_BINDING = "Historique"
HISTORY_TOOLTIP = "Qui a changé quoi et quand, chaque valeur et les conflits"
HISTORY_TITLE = "Historique — {what}"
HISTORY_EMPTY = "Aucune modification enregistrée."
HISTORY_ERASED = "valeur effacée (RGPD)"
HISTORY_EMPTY_VALUE = "(vide)"
HISTORY_LIVE = "valeur actuelle"
HISTORY_CONFLICT = "conflit"
HISTORY_SETTLED = "règle un conflit"
HISTORY_PURGE_LINE = "{when}  {author} a effacé les anciennes valeurs — {field}"
HISTORY_HINT = "Échap : fermer — e : effacer les anciennes valeurs (RGPD)"
HISTORY_CLOSE = "Fermer"
PURGE_BINDING = "Effacer les anciennes valeurs"
PURGE_CONFIRM = (
    "Effacer les anciennes valeurs de « {what} » sur tous les ordinateurs (RGPD) ? "
    "La valeur actuelle est gardée ; l'effacement est noté (qui, quand)."
)
PURGE_DONE = "{n} ancienne(s) valeur(s) effacée(s) ; l'effacement sera envoyé à la prochaine synchronisation."
PURGE_NOTHING = "Aucune ancienne valeur à effacer."
#: field names the conflicts screen does not list (see screens/conflicts.FIELD_LABELS)
HISTORY_ANSWER_PARTS = {
    "status": "réponse", "comment": "commentaire", "value": "valeur",
    "prefilled": "pré-remplie d'après l'annuaire", "automatic": "remplie par l'application",
}
"""A checklist answer's sub-fields as the history names them (every field of ``Answer``)."""
HISTORY_FIELD_LABELS = {
    "id_fs": "identifiant France services", "department": "département", "latitude": "latitude",
    "longitude": "longitude", "appointment": "sur rendez-vous", "comment": "commentaire",
    "type_fs": "type", "format_fs": "format", "group_fs": "groupe", "labelled_on": "labellisée le",
    "labellisation_raw": "labellisation (texte)", "in_directory": "dans l'annuaire",
    "source": "origine", "site_id": "structure", "visit_id": "visite", "item_id": "élément",
    "mission": "mission",
}
