"""French messages of the reports layer (commands and files)."""

from __future__ import annotations

# -- sent / reply (fsfield report sent|reply) ----------------------------------------------
SENT_DONE = "Envoi enregistré : {what}, envoyé le {on} à {to} (version {version})."
REPLY_DONE = "Réponse enregistrée : {what}, réponse du {on}, {stances}."
STANCES = ("{n} constat accepté ou contesté", "{n} constats acceptés ou contestés")
NOTHING_SAVED = "Rien n'a été enregistré."
ITEM_UNKNOWN = "aucun élément de la grille ne correspond à « {ref} »"
ITEM_AMBIGUOUS = "« {ref} » désigne plusieurs éléments de la grille : précisez (identifiant)"
ITEM_BOTH = "« {ref} » est à la fois accepté et contesté"
FINDINGS_ARE = "Constats de cette visite :"
