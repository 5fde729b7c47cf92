"""Site names as people read and sort them: without the "France services" every site shares,
in French alphabetical order (accents, case and punctuation do not count)."""

from __future__ import annotations

import re
import unicodedata

_PREFIX = re.compile(
    r"^(?P<kind>(?:bus|camion|antenne)\s+)?france\s+services\s+(?:(?:de|du|des)\s+|d['’]\s*)?",
    re.IGNORECASE,
)


def short_name(name: str) -> str:
    """``France services de Bellac`` -> ``Bellac``; ``Bus France services Ambazac`` ->
    ``Bus Ambazac``; a name that is only the prefix is kept."""
    found = _PREFIX.match(name)
    if found is None or found.end() >= len(name.rstrip()):
        return name
    kind = found.group("kind") or ""
    return kind + name[found.end():]


def fold(text: str) -> str:
    """Lower case without accents (``Châlus`` -> ``chalus``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def collation_key(text: str) -> str:
    """French dictionary order: accents and case ignored, hyphens and apostrophes as spaces,
    ``œ``/``æ`` spelled out."""
    text = fold(text).replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def site_sort_key(name: str) -> tuple[str, str]:
    """How sites are listed everywhere: by their short name, in French order."""
    return collation_key(short_name(name)), collation_key(name)
