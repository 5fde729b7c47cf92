"""Who a report names: the animators who made the visits, never whoever reads it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fsfield.domain.activity import Activity
from fsfield.domain.models import Visit
from fsfield.store.repo import Store


def visit_authors(visit: Visit) -> str:
    """``Anne``, or ``Anne (finalisée par Bruno)`` when someone else finalised it."""
    made, done = visit.made_by, visit.finalised_by
    if done and made and done != made:
        return f"{made} (finalisée par {done})"
    return made or done


def animators(visits: Iterable[Visit]) -> list[str]:
    """Everyone who started or finalised one of the visits, in alphabetical order."""
    names = {name for v in visits for name in (v.made_by, v.finalised_by) if name}
    return sorted(names, key=str.casefold)


def animator_label(names: str | Sequence[str]) -> tuple[str, str]:
    """(``Animateur départemental``, ``Anne``) or the plural with ``Anne, Bruno``."""
    listed = [names] if isinstance(names, str) else list(names)
    listed = [n for n in listed if n]
    label = "Animateur départemental" if len(listed) <= 1 else "Animateurs départementaux"
    return label, ", ".join(listed)


def animator_line(names: str | Sequence[str]) -> str:
    """``Animateur départemental : Anne`` / ``Animateurs départementaux : Anne, Bruno``."""
    label, text = animator_label(names)
    return f"{label} : {text}" if text else ""


def year_animators(store: Store, year: int) -> list[str]:
    """Who did the year's work: authors of its visits and journal entries (else the reader)."""
    names = set(animators(v for v in store.all(Visit) if v.date.year == year))
    names |= {a.author for a in store.all(Activity) if a.date.year == year and a.author}
    if not names and store.settings.animator:
        names.add(store.settings.animator)
    return sorted(names, key=str.casefold)
