"""What happened to a visit report after the visit: sent (when, to whom, which version) and the
structure's reply (when, what it said, which findings it accepts or contests).

Both are fields of the visit record, so they sync like any answer: each sending is one entry of
the ``sendings`` map (two laptops recording two sendings never conflict) and each stance on an
item is one entry of ``reply_items``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict


class Stance(StrEnum):
    """What the structure says of one finding of the report."""

    ACCEPTED = "accepte"
    CONTESTED = "conteste"

    @property
    def label(self) -> str:
        return "Accepté" if self is Stance.ACCEPTED else "Contesté"


class Sending(BaseModel):
    """The report was sent: on which day, to whom, and the version of the visit it showed."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    on: dt.date
    to: str
    #: :func:`content_version` of the visit when it was sent
    version: str = ""
    by: str = ""


#: visit fields that are not the report's content (sending them does not change the report)
NOT_CONTENT = frozenset({"sendings", "reply_on", "reply_text", "reply_items", "events", "status"})


def content_version(fields: dict[str, Any]) -> str:
    """A short fingerprint of what the visit report shows (answers, notes, date, type…).

    ``fields`` is the visit's flat ``{field: value}`` mapping (``Visit.to_fields()``). Reopening
    and finalising again without a change keeps the version; any change of content moves it.
    """
    # Empty values are left out: a field added to visits later, empty by default, does not
    # make every report sent before look changed.
    content = {
        name: value for name, value in fields.items()
        if name.partition(".")[0] not in NOT_CONTENT and value not in (None, "", False, [], {})
    }
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return digest[:10]
