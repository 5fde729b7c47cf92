"""The visit plan's rules: a TOML data file (``templates/plan.toml``), validated on load.

A file that does not parse or validate raises :class:`PlanRulesError`, whose French message
names the file, the line and the reason.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fsfield.domain.messages import describe_os_error

PLAN_FILE = "plan.toml"
_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_Months = Annotated[int, Field(strict=True, ge=1, le=120)]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RuleKind(StrEnum):
    """What a rule looks at."""

    CYCLE = "cycle"
    NEW_SITE = "new_site"
    OPEN_NON_CONFORME = "open_non_conforme"
    OVERDUE_FOLLOWUPS = "overdue_followups"


_FIELDS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.CYCLE: ("months",),
    RuleKind.NEW_SITE: ("new_for_months", "first_within_months", "then_every_months"),
    RuleKind.OPEN_NON_CONFORME: ("months",),
    RuleKind.OVERDUE_FOLLOWUPS: ("months",),
}


class PlanRule(BaseModel):
    """One rule: when a site should be visited, and why."""

    model_config = _FROZEN

    id: Annotated[str, Field(pattern=_ID)]
    kind: RuleKind
    why: str
    months: _Months | None = None
    new_for_months: _Months | None = None
    first_within_months: _Months | None = None
    then_every_months: _Months | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> PlanRule:
        needed = _FIELDS[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"champ « {missing[0]} » obligatoire pour kind = \"{self.kind}\"")
        extra = [name for names in _FIELDS.values() for name in names
                 if name not in needed and getattr(self, name) is not None]
        if extra:
            raise ValueError(f"champ « {extra[0]} » sans effet pour kind = \"{self.kind}\"")
        if not self.why.strip():
            raise ValueError("« why » est vide : chaque règle dit pourquoi")
        return self


class TripSettings(BaseModel):
    """How visits are grouped into day trips."""

    model_config = _FROZEN

    stops_per_day: Annotated[int, Field(strict=True, ge=1, le=10)] = 3
    advance_days: Annotated[int, Field(strict=True, ge=0, le=365)] = 30


class PlanRules(BaseModel):
    """The whole rules file."""

    model_config = _FROZEN

    version: Annotated[int, Field(strict=True, ge=1)]
    trips: TripSettings = TripSettings()
    rules: Annotated[tuple[PlanRule, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanRules:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"règle « {rule.id} » en double")
            seen.add(rule.id)
        return self


class PlanRulesError(ValueError):
    """A rules file that cannot be used; the message names file, line and reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source, self.line, self.reason = source, line, reason
        where = f"{source}, ligne {line}" if line else source
        super().__init__(f"{where} : {reason}")


def load_plan_rules(path: Path | None = None) -> PlanRules:
    """Load the rules (None: the packaged default). Raises PlanRulesError."""
    if path is None:
        name = PLAN_FILE
        data = resources.files("fsfield").joinpath("templates", PLAN_FILE).read_bytes()
    else:
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PlanRulesError(name, None, f"lecture impossible ({describe_os_error(exc)})") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise PlanRulesError(name, None, f"le fichier n'est pas en UTF-8 (octet {exc.start})") from None
    return parse_plan_rules(text, name)


def parse_plan_rules(text: str, source: str = "règles du plan") -> PlanRules:
    """Validate rules TOML text. Raises PlanRulesError (file, line, reason)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found[1]) if found else text.count("\n") + 1
        detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(exc))
        raise PlanRulesError(source, line, f"syntaxe TOML invalide ({detail})") from None
    try:
        return PlanRules.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        line, reason = _locate(err, raw, text)
        raise PlanRulesError(source, line, reason) from None


def _locate(err: Any, raw: dict[str, Any], text: str) -> tuple[int | None, str]:
    loc = err["loc"]
    lines = text.splitlines()
    start, end, where, in_table = 0, len(lines), "", False
    field = str(loc[-1]) if loc else ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        headers = [n for n, li in enumerate(lines) if li.strip() == "[[rules]]"]
        if loc[1] < len(headers):
            start, in_table = headers[loc[1]], True
            end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("[")),
                       len(lines))
        rule = raw.get("rules", [])[loc[1]] if isinstance(raw.get("rules"), list) else {}
        ident = rule.get("id") if isinstance(rule, dict) else None
        where = f"règle « {ident} » : " if ident else f"règle n° {loc[1] + 1} : "
        field = str(loc[2]) if len(loc) > 2 else ""
    elif loc and loc[0] == "trips":
        start = next((n for n, li in enumerate(lines) if li.strip() == "[trips]"), 0)
        where, in_table = "[trips] : ", True
        field = str(loc[1]) if len(loc) > 1 else ""
        end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("[")),
                   len(lines))
    line = start + 1 if in_table else None
    msg = err["msg"].removeprefix("Value error, ")
    named = re.search(r"« ([a-z_]+) »", msg)
    if not field and named:
        field = named[1]  # a rule-level check names the field it is about
    if field:
        key = re.compile(rf"^\s*{re.escape(field)}\s*=")
        line = next((n + 1 for n in range(start, end) if key.match(lines[n])), line)
    kind = err["type"]
    if kind == "missing":
        reason = f"champ obligatoire « {field} » manquant"
    elif kind == "extra_forbidden":
        reason = f"champ inconnu « {field} »"
    elif kind == "enum":
        reason = (f"sorte de règle inconnue « {err.get('input')} » (attendu : "
                  + ", ".join(k.value for k in RuleKind) + ")")
    elif kind in ("int_type", "greater_than_equal", "less_than_equal", "int_parsing"):
        reason = f"« {field} » doit être un nombre entier dans les bornes ({msg})"
    elif kind == "string_pattern_mismatch":
        reason = f"identifiant « {err.get('input')} » invalide (minuscules, chiffres et tirets)"
    else:
        reason = msg
    return line, where + reason
