"""What the user types, turned into stored values: one parser per kind of field.

Every form and the conflicts prompt use these, so a value typed anywhere means the same
thing: a date is ``JJ/MM/AAAA`` (stored ISO), a number takes a decimal comma, a choice is
its French label or its code. Each raises ValueError with a French reason.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
import unicodedata
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from fsfield.domain.models import parse_french_date

E = TypeVar("E", bound=Enum)


def parse_number(text: str) -> int | float | None:
    """``12``, ``2,5``, ``1 200`` -> a number (an integer when whole); empty -> None."""
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text.replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise ValueError(f"« {text} » n'est pas un nombre") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"« {text} » n'est pas un nombre")
    return int(number) if number.is_integer() else number


def parse_optional_date(text: str) -> dt.date | None:
    """A date typed ``JJ/MM/AAAA`` (or ISO); empty -> None."""
    return parse_french_date(text) if text.strip() else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_choice(enum: type[E], text: str) -> E:
    """A choice by its French label or its code, accents and case ignored."""
    wanted = _fold(text)
    for member in enum:
        label = getattr(member, "label", str(member.value))
        if wanted in (_fold(str(member.value)), _fold(label)):
            return member
    choices = ", ".join(getattr(m, "label", str(m.value)) for m in enum)
    raise ValueError(f"« {text.strip()} » n'est pas un choix possible ({choices})")


def parse_yes_no(text: str) -> bool:
    """``oui`` / ``non``."""
    folded = _fold(text)
    if folded in ("oui", "o", "vrai"):
        return True
    if folded in ("non", "n", "faux"):
        return False
    raise ValueError(f"« {text.strip()} » : répondez oui ou non")


def _parse_as(annotation: Any, text: str) -> Any:
    """Parse ``text`` for a field declared with ``annotation``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if not text.strip() and len(args) < len(typing.get_args(annotation)):
            return None
        if len(args) == 1:
            return _parse_as(args[0], text)
        if int in args or float in args:
            return parse_number(text)
        return text.strip()
    if origin in (dict, list, tuple, set) or annotation in (dict, list):
        raise ValueError("cette valeur ne se saisit pas ici : gardez l'une des valeurs proposées")
    if annotation is dt.date:
        return parse_french_date(text)
    if annotation is bool:
        return parse_yes_no(text)
    if annotation in (int, float):
        value = parse_number(text)
        if value is None:
            raise ValueError("nombre attendu")
        return value
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return parse_choice(annotation, text)
    return text.strip()


def parse_field(model: type[BaseModel], field: str, text: str, *, item_kind: str | None = None) -> Any:
    """The JSON value a form of ``model`` would store for ``field`` given ``text``.

    ``field`` is a write's field name: ``due``, ``answers.<item>.value``… For an answer's
    value, ``item_kind`` (the checklist item's kind) says whether it is a number.
    """
    from fsfield.domain.models import Answer, VisitEvent
    from fsfield.domain.template import AnswerStatus

    head, _, rest = field.partition(".")
    if rest:
        sub = rest.rpartition(".")[2]
        if head == "answers":
            if sub == "value":
                return parse_number(text) if item_kind == "number" else (text.strip() or None)
            if sub == "status":
                return None if not text.strip() else parse_choice(AnswerStatus, text).value
            target: type[BaseModel] = Answer
        elif head == "events":
            target = VisitEvent
        else:
            return text.strip()
        info = target.model_fields.get(sub)
        value = _parse_as(info.annotation, text) if info else text.strip()
    else:
        info = model.model_fields.get(field)
        value = _parse_as(info.annotation, text) if info else text.strip()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def format_field(model: type[BaseModel], field: str, value: Any) -> str:
    """A stored value as the forms show it: dates ``JJ/MM/AAAA``, choices by label, oui/non."""
    from fsfield.domain.models import french_date
    from fsfield.domain.template import AnswerStatus

    if value is None or value == "":
        return "(vide)"
    if isinstance(value, bool):
        return "oui" if value else "non"
    head, _, rest = field.partition(".")
    annotation: Any = None
    if head == "answers" and rest.endswith(".status"):
        annotation = AnswerStatus
    elif not rest:
        info = model.model_fields.get(field)
        annotation = info.annotation if info else None
    candidates = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    for kind in candidates:
        if kind is dt.date and isinstance(value, str):
            try:
                return french_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if isinstance(kind, type) and issubclass(kind, Enum):
            try:
                member = kind(value)
            except ValueError:
                continue
            return str(getattr(member, "label", member.value))
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(vide)"
    if isinstance(value, dict):
        return " ; ".join(f"{k} {v}" for k, v in value.items()) or "(vide)"
    return str(value)
