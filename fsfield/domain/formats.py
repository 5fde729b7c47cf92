"""Site formats (``format_fs`` of the directory) as the short codes checklist items name.

A checklist item may apply only to some formats (``formats = ["bus", "itinerante"]``); the
directory's labels map to these codes. An unknown or empty ``format_fs`` maps to None: every
item applies then (nothing is set Sans objet on a guess).
"""

from __future__ import annotations

import unicodedata

#: code -> French label
SITE_FORMATS: dict[str, str] = {
    "fixe": "site fixe",
    "multisites": "multisites",
    "antenne": "antenne",
    "bus": "bus",
    "itinerante": "itinérante",
}

_DIRECTORY_LABELS = {  # directory format_fs, folded -> code
    "fixe": "fixe",
    "multisites": "multisites",
    "multi-sites": "multisites",
    "fixe_antenne(s)": "antenne",
    "antenne": "antenne",
    "bus_equivalent": "bus",
    "bus": "bus",
    "itinerante": "itinerante",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def format_code(format_fs: str) -> str | None:
    """The code of a directory ``format_fs`` (``Bus_équivalent`` → ``bus``), None if unknown."""
    return _DIRECTORY_LABELS.get(_fold(format_fs))
