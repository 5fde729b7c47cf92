"""French messages for template errors: TOML syntax and validation problems, located by
mission or item so that an animator editing a copy of the template knows what to fix."""

import re
import tomllib
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from fsfield.domain.template import (
    ChecklistItem,
    ChecklistTemplate,
    ItemKind,
    Mission,
    Partner,
    PrefillKey,
    TemplateProblem,
)

_TOML_MESSAGES = {
    "Invalid value": "valeur invalide (texte entre guillemets, nombre, true ou false attendu)",
    "Expected '=' after a key in a key/value pair": "« = » attendu après le nom du champ",
    "Cannot overwrite a value": "champ défini deux fois",
    "Unterminated string": "texte non terminé (guillemet fermant manquant)",
    "Invalid statement": "ligne incompréhensible",
    "Expected newline or end of document after a statement": "une seule instruction par ligne",
}


def syntax_problem(exc: tomllib.TOMLDecodeError, text: str) -> str:
    # Python 3.11 exposes no line attribute: the position is only in the message.
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        line = int(match[1])
        where = f"ligne {line}, colonne {match[2]}"
        message = message[: match.start()]
    else:
        line = text.count("\n") + 1
        where = "fin du fichier"
        message = message.removesuffix(" (at end of document)")
    table = _enclosing_table(text.splitlines(), line)
    detail = _TOML_MESSAGES.get(message, f"détail : {message}")
    return f"{table + ', ' if table else ''}{where} : syntaxe TOML invalide, {detail}"


_TABLE_NOUNS = {
    "[[missions]]": "mission",
    "[[missions.items]]": "élément",
    "[[partners]]": "partenaire",
}


def _enclosing_table(lines: list[str], line: int) -> str:
    """Name the mission, item or partner whose table holds ``line`` (1-based), if known."""
    start = next(
        (n for n in range(min(line, len(lines)) - 1, -1, -1) if lines[n].startswith("[")), None
    )
    if start is None or lines[start].strip() not in _TABLE_NOUNS:
        return ""
    noun = _TABLE_NOUNS[lines[start].strip()]
    for text in lines[start + 1 :]:
        if text.startswith("["):
            break
        found = re.match(r'\s*id\s*=\s*"([^"]+)"', text)
        if found:
            return f"{noun} « {found[1]} »"
    return ""


_CONTAINERS = {  # list field -> (model of its entries, French noun, "none of them", TOML header)
    "missions": (Mission, "mission", "aucune mission", "[[missions]]"),
    "items": (ChecklistItem, "élément", "aucun élément", "[[missions.items]]"),
    "partners": (Partner, "partenaire", "aucun partenaire", "[[partners]]"),
}
_ID_RULES = {
    ChecklistItem: "minuscules sans accents, chiffres et tirets, ex. « m2-horaires-24h »",
    Mission: "une minuscule puis minuscules ou chiffres, ex. « m2 »",
    ChecklistTemplate: "minuscules sans accents, chiffres et tirets, ex. « fs-visite-standard »",
    Partner: "minuscules sans accents, chiffres et tirets, ex. « france-travail »",
}
_ENUMS: dict[str, tuple[str, type[StrEnum]]] = {
    "kind": ("type inconnu", ItemKind),
    "prefill": ("clé de pré-remplissage inconnue", PrefillKey),
}


def validation_problems(exc: ValidationError, raw: dict[str, Any], model: type[BaseModel]) -> list[str]:
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        where, field, level = _locate(err["loc"], raw, model)
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, TemplateProblem):
            where, reason = cause.where, cause.reason
        else:
            reason = _reason(err, field, level)
            if reason is None:
                continue
        problem = f"{where} : {reason}" if where else reason
        if problem not in problems:
            problems.append(problem)
    return problems


def _locate(
    loc: tuple[int | str, ...], raw: Any, model: type[BaseModel]
) -> tuple[str, str, type[BaseModel]]:
    """Turn a pydantic location into (French "mission « m2 »"-like place, field name, model)."""
    where, node, parent_where, i = "", raw, "", 0
    while i < len(loc):
        part = loc[i]
        if part in _CONTAINERS and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            entry_model, noun, _, _ = _CONTAINERS[str(part)]
            index = int(loc[i + 1])
            entries = node.get(part) if isinstance(node, dict) else None
            node = entries[index] if isinstance(entries, list) and index < len(entries) else None
            ident = node.get("id") if isinstance(node, dict) else None
            parent_where = where
            if isinstance(ident, str) and ident:
                where = f"{noun} « {ident} »"
            else:
                where = f"{noun} n° {index + 1}" + (
                    f" de la {parent_where}" if parent_where else ""
                )
            model, i = entry_model, i + 2
        else:
            return where, str(part), model
    return where, "", model


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "une table"
    if isinstance(value, list):
        return "une liste"
    return str(value)


def _reason(err: Any, field: str, level: type[BaseModel]) -> str | None:
    """French reason for one pydantic error; None when it only echoes another error."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
    got = f" (reçu : {_toml_value(value)})"
    if kind == "missing":
        if field in _CONTAINERS:
            _, _, none, header = _CONTAINERS[field]
            return f"{none} : ajoutez au moins une table {header}"
        return f"champ obligatoire « {field} » manquant"
    if kind == "extra_forbidden":
        allowed = ", ".join(level.model_fields)
        return f"champ inconnu « {field} » (champs possibles : {allowed})"
    if kind == "enum" and field in _ENUMS:
        what, enum = _ENUMS[field]
        expected = ", ".join(member.value for member in enum)
        return f"{what} « {value} » (attendu : {expected})"
    if kind == "string_pattern_mismatch":
        return f"identifiant « {value} » invalide : {_ID_RULES.get(level, 'format incorrect')}"
    if kind == "string_type":
        return f"« {field} » doit être un texte entre guillemets{got}"
    if kind == "string_too_short":
        return f"« {field} » ne doit pas être vide"
    if kind == "string_too_long":
        return f"« {field} » est trop long ({len(value)} caractères, {ctx['max_length']} au plus)"
    if field == "version" and kind in ("int_type", "greater_than"):
        return f"« version » doit être un nombre entier positif, sans guillemets{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"« {field} » doit être un nombre entier{got}"
    if kind == "greater_than" and ctx.get("gt") == 0:
        return f"« {field} » doit être un entier positif{got}"
    if kind in ("greater_than_equal", "less_than_equal") and field == "since":
        return f"« since » doit être une année entre 2019 et 2100{got}"
    if kind == "bool_type":
        return f"« {field} » doit valoir true ou false{got}"
    if kind == "too_short" and field in _CONTAINERS:
        if isinstance(value, list) and value:
            return None  # emptied by invalid entries, which are reported on their own
        _, _, none, header = _CONTAINERS[field]
        return f"{none} : ajoutez au moins une table {header}"
    if kind in ("tuple_type", "list_type") and field in _CONTAINERS:
        return f"« {field} » doit être une liste de tables {_CONTAINERS[field][3]}{got}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"une table TOML est attendue{got}"
    return f"valeur invalide pour « {field} » ({err['msg']})"


