"""The grid per operator: what a visit records for each national operator and local partner.

One :class:`OperatorFigures` record per visit holds one row per partner: the referent (named,
reachable), the back-office answer delay in days and the number of requests over the period
the figures cover (``period_from`` … ``period_to``, by default since the previous visit).
Numbers, not free text, so that the département's figures add up (reports/operators.py).
Rows are stored one field per value (``rows.<partner key>.<field>``): two people filling two
operators never conflict.

Local partners the animator adds are :class:`LocalPartner` records, synced like the rest (the
national operators and the example local partners come from ``templates/partners.toml``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fsfield.domain.models import Record

_Count = Annotated[int, Field(ge=0, le=1_000_000)]


class OperatorRow(BaseModel):
    """One partner's figures at one visit (every field optional: not asked yet)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    referent: str = ""
    reachable: bool | None = None
    delay_days: _Count | None = None
    requests: _Count | None = None

    @property
    def filled(self) -> bool:
        """True when anything was recorded for this partner."""
        return bool(self.referent.strip()) or any(
            v is not None for v in (self.reachable, self.delay_days, self.requests))


class OperatorFigures(Record):
    """The operator grid of one visit, and the period its numbers cover."""

    kind: ClassVar[str] = "operator_figures"
    maps: ClassVar[tuple[str, ...]] = ("rows",)

    site_id: str
    visit_id: str
    period_from: dt.date
    period_to: dt.date
    rows: dict[str, OperatorRow] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _period_in_order(self) -> OperatorFigures:
        if self.period_from > self.period_to:
            raise ValueError("la période couverte commence après sa fin")
        return self

    def row(self, key: str) -> OperatorRow:
        """The row of a partner (empty if nothing recorded)."""
        return self.rows.get(key) or OperatorRow()


class LocalPartner(Record):
    """A local partner added by the animator (France Victimes, Mission locale…)."""

    kind: ClassVar[str] = "partner"

    name: str
    short: str = ""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("le nom du partenaire est vide")
        return value.strip()
