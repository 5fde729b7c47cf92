"""Download the official directory when online (stdlib only: one GET, no session)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

from fsfield.domain.messages import describe_http_status, describe_os_error

MAX_BYTES = 64 << 20


class FetchError(Exception):
    """The download failed (offline, bad answer); message in French."""


def download(url: str, timeout: float = 30.0) -> bytes:
    """GET ``url`` and return its body, or raise FetchError with a clear French reason."""
    request = urllib.request.Request(url, headers={"User-Agent": "fsfield"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length", "")
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(
            f"le serveur a répondu {describe_http_status(exc.code)} pour {url}. Rien n'a été modifié."
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(
            f"téléchargement impossible ({describe_os_error(exc)}) : êtes-vous hors ligne ? Rien n'a été modifié. "
            "Vous pouvez importer un fichier déjà téléchargé : fsfield sites import FICHIER.csv"
        ) from None
    except http.client.HTTPException as exc:  # not HTTP at all, or a chunked body cut short
        raise FetchError(
            f"réponse invalide de {url} ({type(exc).__name__}) : téléchargement interrompu ou "
            "serveur inattendu. Rien n'a été modifié."
        ) from None
    if expected.isdigit() and len(body) < int(expected) <= MAX_BYTES:
        raise FetchError(
            f"téléchargement interrompu : {len(body)} octets reçus sur {expected} annoncés."
            " Rien n'a été modifié."
        )
    if len(body) > MAX_BYTES:
        raise FetchError(f"réponse trop volumineuse (> {MAX_BYTES >> 20} Mo) : refusée.")
    if not body.strip():
        raise FetchError("le serveur a renvoyé une réponse vide. Rien n'a été modifié.")
    return body
