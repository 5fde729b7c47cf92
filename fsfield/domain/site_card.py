"""Rules for a site's contact card typed by hand: postal code, commune code, phone, e-mail, hours.

The directory import keeps what the official list says; these rules apply to what the
animator types (a site added by hand, a corrected phone). Each check returns the normalised
value or raises ValueError with a French reason naming the field.
"""

from __future__ import annotations

import re

from fsfield.domain.hours import parse_day

POSTAL_RE = re.compile(r"\d{5}")
INSEE_RE = re.compile(r"(\d{5}|2[AB]\d{3})")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: labels of the card's fields, as the form shows them
LABELS = {
    "name": "nom",
    "postal_code": "code postal",
    "insee_com": "code commune (INSEE)",
    "phone": "téléphone",
    "email": "courriel",
}


class CardError(ValueError):
    """A card value refused; ``field`` names it (``postal_code``, ``hours.lundi``…)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def postal_prefix(department: str) -> str:
    """The start every postal code of the département has (Corsica: 20; overseas: 97x)."""
    if department in ("2A", "2B"):
        return "20"
    return department if len(department) == 3 else department[:2]


def check_postal_code(text: str, department: str = "") -> str:
    """Five digits, starting as the département's do (when known)."""
    value = text.strip().replace(" ", "")
    if not value:
        return ""
    if not POSTAL_RE.fullmatch(value):
        raise ValueError(f"code postal « {text.strip()} » : 5 chiffres attendus (ex. 87000)")
    prefix = postal_prefix(department) if department else ""
    if prefix and not value.startswith(prefix):
        raise ValueError(
            f"code postal « {value} » : ne correspond pas au département {department} "
            f"(il commence par {prefix})"
        )
    return value


def check_commune_code(text: str, department: str = "") -> str:
    """The INSEE commune code: 5 characters, digits (2A/2B then 3 digits in Corsica)."""
    value = text.strip().replace(" ", "").upper()
    if not value:
        return ""
    if not INSEE_RE.fullmatch(value):
        raise ValueError(
            f"code commune « {text.strip()} » : 5 caractères attendus (ex. 87085, 2A004)"
        )
    if department and not value.startswith(department):
        raise ValueError(
            f"code commune « {value} » : ne correspond pas au département {department}"
        )
    return value


def check_phone(text: str) -> str:
    """A French number: 10 digits starting with 0, or +33 / +262… then 9 digits."""
    value = " ".join(text.split())
    if not value:
        return ""
    digits = re.sub(r"[\s.\-()]", "", value)
    if re.fullmatch(r"0\d{9}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+\d{11,12}", digits):
        return value
    raise ValueError(f"téléphone « {value} » : 10 chiffres attendus (ex. 05 55 12 34 56)")


def check_email(text: str) -> str:
    """One address: something@domain.tld."""
    value = text.strip()
    if value and not EMAIL_RE.fullmatch(value):
        raise ValueError(f"courriel « {value} » : adresse invalide (ex. accueil@mairie.fr)")
    return value


def check_hours(day: str, text: str) -> str:
    """One day's opening hours, as the directory writes them (``09:00 - 12:00 / 14:00 - 17:00``)."""
    value = " ".join(text.split())
    if not value:
        return ""
    parsed = parse_day(value)
    if parsed.status == "unparsed":
        reason = parsed.notes[0] if parsed.notes else "horaires non reconnus"
        raise ValueError(f"horaires du {day} : {reason} (ex. 09:00 - 12:00 / 14:00 - 17:00)")
    return value


def check_card(values: dict[str, str], department: str) -> dict[str, str]:
    """Normalised card values; ValueError naming the first field refused."""
    out = dict(values)
    checks = {
        "postal_code": lambda v: check_postal_code(v, department),
        "insee_com": lambda v: check_commune_code(v, department),
        "phone": check_phone,
        "email": check_email,
    }
    for name, check in checks.items():
        if name in out:
            try:
                out[name] = check(out[name])
            except ValueError as exc:
                raise CardError(name, str(exc)) from None
    return out
