"""Finding the visit or site a command names, and writing a report file safely."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from fsfield.domain.activity import fold
from fsfield.domain.messages import describe_os_error, how_many
from fsfield.domain.models import Site, Visit, french_date
from fsfield.store.files import write_user_file
from fsfield.store.repo import Store

T = TypeVar("T")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


class ReportError(Exception):
    """A report cannot be made or written (message in French, for the user)."""


def _pick(tiers: Sequence[list[T]], ref: str, noun: str, describe: Callable[[T], str]) -> T:
    """The only candidate of the first non-empty tier; ReportError when none or several."""
    for candidates in tiers:
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            shown = "\n".join(f"  {describe(c)}" for c in candidates[:10])
            rest = len(candidates) - 10
            more = f"\n  … et {how_many(rest, 'autre')}" if rest > 0 else ""
            raise ReportError(
                f"« {ref} » désigne {len(candidates)} {noun}s ; précisez :\n{shown}{more}"
            )
    raise ReportError(f"aucun(e) {noun} ne correspond à « {ref} ».")


def find_visit(store: Store, ref: str) -> Visit:
    """The visit whose id is ``ref`` or starts with it (unique prefix). ReportError otherwise."""
    ref = ref.strip().lower()
    if not ref:
        raise ReportError("identifiant de visite vide.")
    visits = store.all(Visit)
    sites = {s.id: s for s in store.all(Site)}

    def describe(visit: Visit) -> str:
        site = sites.get(visit.site_id)
        return f"{visit.id}  {french_date(visit.date)}  {site.name if site else visit.site_id}"

    exact = [v for v in visits if v.id == ref]
    prefix = [v for v in visits if v.id.startswith(ref)]
    try:
        return _pick([exact, prefix], ref, "visite", describe)
    except ReportError as exc:
        if exact or prefix:
            raise
        raise ReportError(
            f"aucune visite avec l'identifiant « {ref} » (ni commençant par « {ref} »). "
            "Les identifiants figurent dans : fsfield export visits"
        ) from exc


def find_site(store: Store, ref: str) -> Site:
    """The site named by ``ref``: its directory id (id_fs), its uuid or a unique uuid prefix,
    or a unique part of its name or commune (case and accents ignored). ReportError otherwise."""
    text = ref.strip()
    if not text:
        raise ReportError("structure non précisée.")
    sites = store.sites()
    needle = fold(text)
    by_id_fs = [s for s in sites if s.id_fs and s.id_fs.casefold() == text.casefold()]
    by_id = [s for s in sites if s.id == text.lower()]
    by_prefix = [s for s in sites if len(text) >= 4 and s.id.startswith(text.lower())]
    by_exact_name = [s for s in sites if fold(s.name) == needle]
    by_name = [s for s in sites if needle in fold(s.name)]
    by_commune = [s for s in sites if needle in fold(s.commune)]

    def describe(site: Site) -> str:
        flag = "  (hors annuaire)" if not site.in_directory else ""
        return f"{site.id_fs or site.id[:8]:>10}  {site.name} — {site.commune}{flag}"

    try:
        return _pick(
            [by_id_fs, by_id, by_prefix, by_exact_name, by_name, by_commune],
            text, "structure", describe,
        )
    except ReportError as exc:
        if "désigne" in str(exc):
            raise
        raise ReportError(
            f"aucune structure ne correspond à « {text} » (id_fs, identifiant ou partie du nom). "
            "La liste : fsfield sites list"
        ) from exc


def slug(text: str) -> str:
    """A file-name-safe lower-case form of ``text`` (``Saint-Léonard`` -> ``saint-leonard``)."""
    return _SLUG_RE.sub("-", fold(text)).strip("-")[:60] or "rapport"


def write_report(path: Path, payload: bytes) -> None:
    """Write the file atomically: all of it or nothing. ReportError (French) when impossible."""
    if path.is_dir():
        raise ReportError(f"{path} est un dossier : indiquez un nom de fichier. Aucun fichier créé.")
    try:
        write_user_file(path, payload)
    except OSError as exc:
        reason = describe_os_error(exc)
        if not path.parent.exists():
            reason = f"le dossier {path.parent} n'existe pas"
        raise ReportError(f"impossible d'écrire {path} : {reason}. Aucun fichier créé.") from None


def report_stem(day: dt.date, place: str, ident: str, kind: str) -> str:
    """:func:`report_filename` without the extension."""
    parts = [day.isoformat(), slug(place) if place else "sans-commune"]
    if ident:
        parts.append(slug(ident))
    parts.append(kind)
    return "_".join(parts)


def report_filename(day: dt.date, place: str, ident: str, kind: str, ext: str) -> str:
    """The documented file name of a report: ``AAAA-MM-JJ_<commune>_<id_fs>_<type>.<ext>``
    (``2025-03-10_aubusson_101_compte-rendu.pdf``). Several sites share a commune, hence the
    id; the annual report uses ``departement-<n>`` as place and no id."""
    return f"{report_stem(day, place, ident, kind)}.{ext}"
