"""What each table of the local store must hold, checked when it is read from disk.

A checksum catches a changed byte; this catches an entry that is well formed JSON but not a
valid one (an older file without checksums edited by hand, or a bug): the table is then treated
as damaged, like an unreadable snapshot (opening.py), instead of failing later with a KeyError.
Cheap on purpose: a few key and type tests per document, no model built (opening a national
store checks a million writes).
"""

from __future__ import annotations

from typing import Any

from fsfield.store import messages

META_TABLE = "meta"
RECORD_PREFIX = "r:"

_WRITE_KEYS = ("dot", "record", "kind", "field", "value", "hlc", "supersedes", "author")
_WRITE_KEYSET = frozenset(_WRITE_KEYS)


def _write_problem(doc_id: str, doc: dict[str, Any]) -> str | None:
    missing = next((k for k in _WRITE_KEYS if k not in doc), None)
    if missing is not None:
        return messages.bad_write(doc_id, missing)
    hlc = doc["hlc"]
    if type(hlc) not in (list, tuple) or len(hlc) != 3 or type(hlc[0]) is not int:
        return messages.bad_write(doc_id, "hlc")
    for key in ("dot", "record", "kind", "field"):
        if type(doc[key]) is not str:
            return messages.bad_write(doc_id, key)
    if type(doc["supersedes"]) not in (list, tuple):
        return messages.bad_write(doc_id, "supersedes")
    return None


def check_table(name: str, table: dict[str, Any]) -> str | None:
    """None if ``table`` is sound, else a French reason (documents are dicts: checked before)."""
    if name.startswith(RECORD_PREFIX):
        keyset = _WRITE_KEYSET
        for doc_id, doc in table.items():
            hlc = doc.get("hlc")
            # The fast test: every key there and a three-part HLC; the slow one says what is wrong.
            if (
                keyset <= doc.keys()
                and type(hlc) is list
                and len(hlc) == 3
                and type(doc["dot"]) is str
                and type(doc["supersedes"]) is list
            ):
                continue
            problem = _write_problem(doc_id, doc)
            if problem is not None:
                return problem
    elif name == META_TABLE:
        doc = table.get("1")
        if doc is not None:
            if type(doc.get("device")) is not str or not doc["device"]:
                return messages.bad_write("1", "device")
            hlc = doc.get("hlc")
            if hlc is not None and (type(hlc) is not list or len(hlc) != 3):
                return messages.bad_write("1", "hlc")
            if type(doc.get("counter", 0)) is not int:
                return messages.bad_write("1", "counter")
    return None
