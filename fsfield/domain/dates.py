"""Dates as the app reads and writes them (dd/mm/yyyy), without any model: the first screen
uses these and must not pay for pydantic's import."""

from __future__ import annotations

import datetime as dt


def parse_french_date(text: str) -> dt.date:
    """Parse ``26/11/2026`` (or ISO ``2026-11-26``); ValueError with a French reason."""
    text = text.strip()
    if not text:
        raise ValueError("date vide")
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        reason = str(exc)
        if "day is out of range" in reason:
            raise ValueError(f"{text} n'existe pas (jour hors du mois)") from None
        if "month must be" in reason:
            raise ValueError(f"{text} : mois invalide") from None
        raise ValueError(f"{text} : date invalide, attendu JJ/MM/AAAA") from None


def french_date(value: dt.date | None) -> str:
    """``26/11/2026``, or an empty string."""
    return value.strftime("%d/%m/%Y") if value else ""
