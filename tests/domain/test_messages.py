"""System errors are worded in French, in one place (fsfield.domain.messages)."""

from __future__ import annotations

import errno
import re
import socket
import urllib.error
from pathlib import Path

import pytest

from fsfield.domain.messages import describe_http_status, describe_os_error

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = re.compile(r"Errno|No such|not known|denied|No space|Read-only|Permission|"
                     r"Temporary failure|timed out|refused|Is a directory|File exists")


@pytest.mark.parametrize("exc, french", [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "nom de serveur inconnu"),
    (urllib.error.URLError(socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name "
                                           "resolution")), "nom de serveur introuvable"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory"), "introuvable"),
    (OSError(errno.ENOSPC, "No space left on device"), "plus de place sur le disque"),
    (PermissionError(errno.EACCES, "Permission denied"), "permission refusée"),
    (OSError(errno.EROFS, "Read-only file system"), "lecture seule"),
    (IsADirectoryError(errno.EISDIR, "Is a directory"), "c'est un dossier"),
    (TimeoutError("timed out"), "délai d'attente dépassé"),
    (urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")),
     "connexion refusée"),
    (OSError(4242, "Something odd"), "erreur système n° 4242"),
])
def test_system_errors_are_french(exc, french):
    text = describe_os_error(exc)
    assert french in text and not ENGLISH.search(text)


def test_http_status_is_french():
    assert describe_http_status(404) == "404, page introuvable"


def test_no_layer_shows_an_english_strerror():
    """``exc.strerror`` is Python's English: only domain/messages may read it (it does not)."""
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "fsfield").rglob("*.py")
             if ".strerror" in p.read_text(encoding="utf-8")]
    assert users == []


def test_validation_errors_are_french_with_the_field_named():
    import datetime as dt

    from pydantic import ValidationError

    from fsfield.domain.messages import describe_validation_errors
    from fsfield.domain.models import FollowUp

    with pytest.raises(ValidationError) as caught:
        FollowUp(id="", text="x", site_id="s", due="15/12/2026x", priority="urgentissime")
    text = describe_validation_errors(caught.value.errors())
    assert "échéance : date attendue (JJ/MM/AAAA)" in text and "priorité : valeur inconnue" in text
    assert not re.search(r"Input should|valid|String", text), text
    assert FollowUp(id="", text="x", site_id="s", due=dt.date(2026, 12, 15)).due.day == 15
