"""The pydantic schemas of what is read from a central store: a write on the wire and a batch
file. Imported only when something is not plainly valid (``sync.wire`` and ``sync.batch`` check
plainly valid input without pydantic), and by the sync server, which validates its requests with
them: a ``fsfield sync`` that reads only good batches never loads pydantic."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Strict, TypeAdapter, with_config
from typing_extensions import TypedDict

from .batch import SCOPE_PATTERN
from .writes import DEVICE_PATTERN

_StrictInt = Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)]
_StrictStr = Annotated[str, Strict()]


@with_config(ConfigDict(extra="forbid", strict=True))
class WireWrite(TypedDict):
    """Wire shape of a write: exact keys and strict types, checked by pydantic.

    String formats and cross-field rules are checked by :func:`sync.wire.wire_to_writes`, in
    Python, because a batch repeats the same few kinds, fields, authors and records: checking
    each distinct string once per batch made reading a département's store about twice as fast
    as per-string patterns in the schema. A TypedDict (plain dicts) is also ~2.5x faster to
    validate than a BaseModel.
    """

    dot: str
    record: str
    kind: str
    field: str
    value: Any
    # JSON has no tuples: accept a list here, but keep the items strict.
    hlc: Annotated[tuple[_StrictInt, _StrictInt, _StrictStr], Strict(False)]
    supersedes: Annotated[list[str], Field(max_length=10_000)]
    author: str


WRITES: TypeAdapter[list[WireWrite]] = TypeAdapter(list[WireWrite])

_Device = Annotated[str, Field(pattern=rf"^{DEVICE_PATTERN}$")]
_Scope = Annotated[str, Field(pattern=SCOPE_PATTERN)]


@with_config(ConfigDict(extra="forbid", strict=True))
class BatchModel(TypedDict):
    """A batch file (``sync.batch``)."""

    format: Literal["fsfield-batch/2"]
    device: _Device
    scope: _Scope
    created_ms: _StrictInt
    writes: list[WireWrite]


BATCH: TypeAdapter[BatchModel] = TypeAdapter(BatchModel)
