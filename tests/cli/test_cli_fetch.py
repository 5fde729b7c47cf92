"""``fsfield sites fetch``: download the directory (here from a local HTTP server) and import it."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cli_helpers import run_cli, sites_json

HTML_PAGE = b"<!doctype html><html><body><h1>Maintenance</h1></body></html>\n"


@pytest.fixture(scope="module")
def server(hv_csv):
    """A local server: /87.csv, /coupe.csv, /erreur-500, /page-html, /binaire, /vide."""
    full = hv_csv.read_bytes()
    routes = {
        "/87.csv": (200, full),
        # The connection drops after half the file, at the end of a row: a valid, shorter CSV.
        "/coupe.csv": (200, full[: full.index(b"\n", len(full) // 2) + 1]),
        "/erreur-500": (500, b"Internal Server Error"),
        "/page-html": (200, HTML_PAGE),
        "/binaire": (200, bytes(range(256)) * 8),
        "/vide": (200, b""),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            announced = len(full) if self.path == "/coupe.csv" else len(body)
            self.send_header("Content-Length", str(announced))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def fetch(data, url):
    return run_cli(data, "sites", "fetch", "--department", "87", "--url", url)


def test_fetch_downloads_and_imports_the_24_sites(tmp_path, server):
    result = fetch(tmp_path, f"{server}/87.csv")
    assert result.returncode == 0, result.stderr
    assert "24 ajoutées" in result.stdout
    assert len(sites_json(tmp_path)) == 24


def test_fetching_again_updates_nothing_and_duplicates_nothing(loaded, server):
    before = sites_json(loaded)
    result = fetch(loaded, f"{server}/87.csv")
    assert result.returncode == 0, result.stderr
    assert "24 inchangées" in result.stdout
    assert sites_json(loaded) == before


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/erreur-500", "le serveur a répondu 500"),
        ("/absent.csv", "le serveur a répondu 404"),
        ("/page-html", "En-tête introuvable"),
        ("/binaire", "n'est pas encodé en UTF-8"),
        ("/vide", "réponse vide"),
    ],
)
def test_a_bad_answer_from_the_server_changes_nothing(loaded, server, path, expected):
    before = sites_json(loaded)
    result = fetch(loaded, server + path)
    assert result.returncode == 1
    assert result.stderr.startswith("fsfield : ") and expected in result.stderr
    assert "Traceback" not in result.stderr
    assert sites_json(loaded) == before


def test_a_download_cut_short_changes_nothing(loaded, server):
    """Imported, the first half of the list would flag the other sites as gone."""
    before = sites_json(loaded)
    result = fetch(loaded, f"{server}/coupe.csv")
    assert result.returncode == 1
    assert "téléchargement interrompu" in result.stderr and "Rien n'a été modifié" in result.stderr
    assert sites_json(loaded) == before


@pytest.fixture
def not_http():
    """A server that answers anything but HTTP (one connection)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"\x00\x01SSH-2.0-pas du HTTP\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/87.csv"
    thread.join(timeout=10)
    listener.close()


def test_a_server_that_does_not_speak_http_changes_nothing(loaded, not_http):
    before = sites_json(loaded)
    result = fetch(loaded, not_http)
    assert result.returncode == 1
    assert "réponse invalide" in result.stderr and "Traceback" not in result.stderr
    assert sites_json(loaded) == before


def test_no_server_listening_says_offline_and_changes_nothing(loaded):
    before = sites_json(loaded)
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(loaded, f"http://127.0.0.1:{port}/87.csv")
    assert result.returncode == 1
    assert "téléchargement impossible" in result.stderr and "hors ligne" in result.stderr
    assert "Rien n'a été modifié" in result.stderr
    assert "fsfield sites import" in result.stderr, "says how to import a file instead"
    assert sites_json(loaded) == before
