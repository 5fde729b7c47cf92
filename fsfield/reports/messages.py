"""French messages of the reports layer: commands and files, and the labels of the annual
report's key figures in singular and plural."""

from __future__ import annotations

#: activity type -> (singular, plural) label of the key figure; keyed by ActivityType's values
#: (a StrEnum member finds its entry) so that this module, which every command's parser reads,
#: does not import the pydantic models
ACTIVITY_FIGURES: dict[str, tuple[str, str]] = {
    "visio": ("visioconférence du réseau", "visioconférences du réseau"),
    "seminaire": ("séminaire", "séminaires"),
    "reunion_partenaires": ("réunion avec les opérateurs et partenaires",
                            "réunions avec les opérateurs et partenaires"),
    "portes_ouvertes": ("action « journées portes ouvertes »",
                        "actions « journées portes ouvertes »"),
    "formation": ("formation", "formations"),
    "autre": ("autre activité", "autres activités"),
}
VISITS = ("visite de structure", "visites de structures")
SITES_VISITED = ("structure visitée / structures de l'annuaire",
                 "structures visitées / structures de l'annuaire")
STALE = ("structure non visitée depuis plus de {months} mois",
         "structures non visitées depuis plus de {months} mois")
ATTENDANCE = ("participant cumulé aux activités du réseau",
              "participants cumulés aux activités du réseau")
# "suivis ouverts" read as "still open" while it counted those opened during the year,
# closed since or not: each figure now says which it is.
FU_OPENED = ("suivi ouvert dans l'année", "suivis ouverts dans l'année")
FU_CLOSED = ("suivi clos", "suivis clos")
FU_STILL_OPEN = ("suivi encore ouvert au {date}", "suivis encore ouverts au {date}")
FU_OVERDUE = ("suivi en retard au {date}", "suivis en retard au {date}")
DRAFTS = "dont {n} en brouillon"
MEDIAN_DELAY = "délai médian de clôture"
DAYS_SINCE = "il y a {days}"

# -- sent / reply (fsfield report sent|reply) ----------------------------------------------
SENT_DONE = "Envoi enregistré : {what}, envoyé le {on} à {to} (version {version})."
REPLY_DONE = "Réponse enregistrée : {what}, réponse du {on}, {stances}."
STANCES = ("{n} constat accepté ou contesté", "{n} constats acceptés ou contestés")
NOTHING_SAVED = "Rien n'a été enregistré."
ITEM_UNKNOWN = "aucun élément de la grille ne correspond à « {ref} »"
ITEM_AMBIGUOUS = "« {ref} » désigne plusieurs éléments de la grille : précisez (identifiant)"
ITEM_BOTH = "« {ref} » est à la fois accepté et contesté"
FINDINGS_ARE = "Constats de cette visite :"
