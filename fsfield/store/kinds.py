"""The record kinds and their pydantic models, imported when a model is first needed: the home
screen and ``fsfield sync`` never build one, so they do not pay for pydantic's import."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

    from fsfield.domain.models import Record


class _Kinds(Mapping[str, "type[Record]"]):
    """kind -> model class, filled on first use."""

    def __init__(self) -> None:
        self._map: dict[str, type[Record]] | None = None

    def _load(self) -> dict[str, type[Record]]:
        if self._map is None:
            from fsfield.domain.activity import Activity
            from fsfield.domain.models import FollowUp, Site, Visit
            from fsfield.domain.operators import LocalPartner, OperatorFigures

            self._map = {"site": Site, "visit": Visit, "followup": FollowUp,
                         "activity": Activity, "operator_figures": OperatorFigures,
                         "partner": LocalPartner}
        return self._map

    def __getitem__(self, kind: str) -> type[Record]:
        return self._load()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


KINDS: Mapping[str, type[Record]] = _Kinds()


def validation_error() -> type[ValidationError]:
    """pydantic's ValidationError, for an ``except`` clause (evaluated only when something is
    raised, i.e. once a model was built and pydantic is loaded anyway)."""
    from pydantic import ValidationError

    return ValidationError
