"""``fsfield-sync`` commands and a real ``fsfield-sync serve`` process on loopback."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from fsfield.cli import main as fsfield_main
from sync.server.cli import main

from .live import free_port, serve_process, wait_healthy


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_add_prints_the_token_on_its_last_line_and_list_and_revoke(tmp_path, capsys):
    store = str(tmp_path / "store")
    code, out, _ = run(capsys, "token", "add", "Anne Martin", "--role", "animator", "--department", "87", "--store", store)
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("fsf_") and len(token) == 4 + 8 + 1 + 43
    stored = (tmp_path / "store" / "tokens.json").read_text()
    assert token not in stored and token.rsplit("_", 1)[1] not in stored, "only a digest is kept"
    code, out, _ = run(capsys, "token", "list", "--store", store)
    assert "Anne Martin" in out and "animator" in out and "87" in out and "actif" in out
    assert token not in out
    assert run(capsys, "token", "add", "Anne Martin", "--role", "animator", "--department", "87", "--store", store)[0] == 1
    code, out, _ = run(capsys, "token", "revoke", "Anne Martin", "--store", store)
    assert code == 0 and "révoqué" in out.lower()
    assert "révoqué" in run(capsys, "token", "list", "--store", store)[1]
    code, _, err = run(capsys, "token", "revoke", "Personne", "--store", store)
    assert code == 1 and "Aucun jeton" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "animator"], "Précisez le département"),
        (["--role", "national", "--department", "87"], "tous les départements"),
        (["--role", "prefecture", "--department", "../x"], "Département invalide"),
    ],
)
def test_token_add_bad_input(tmp_path, capsys, argv, message):
    code, _, err = run(capsys, "token", "add", "X", *argv, "--store", str(tmp_path / "s"))
    assert code == 1 and message in err


def test_serve_refuses_a_public_address_without_tls(tmp_path, capsys):
    code, _, err = run(capsys, "serve", "--store", str(tmp_path / "s"), "--host", "0.0.0.0")
    assert code == 1 and "sans TLS" in err and "--behind-proxy" in err
    code, _, err = run(capsys, "serve", "--store", str(tmp_path / "s"), "--host", "0.0.0.0", "--tls-cert", "c.pem")
    assert code == 1 and "--tls-key" in err


def test_a_second_server_on_the_same_json_store_is_refused(tmp_path, capsys):
    from sync.server.jsonfile import JsonFileBackend

    first = JsonFileBackend(tmp_path / "s")
    try:
        code, _, err = run(capsys, "serve", "--store", str(tmp_path / "s"), "--port", str(free_port()))
        assert code == 1 and "déjà servi" in err
    finally:
        first.close()


def test_fsfield_sync_through_a_real_server_process(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    _, out, _ = run(capsys, "token", "add", "Anne", "--role", "animator", "--department", "87", "--store", str(store))
    token_a = out.strip().splitlines()[-1]
    _, out, _ = run(capsys, "token", "add", "Préf", "--role", "prefecture", "--department", "87", "--store", str(store))
    token_p = out.strip().splitlines()[-1]
    port = free_port()
    proc = serve_process(store, port, log=tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        anne, pref = str(tmp_path / "anne"), str(tmp_path / "pref")
        for data, who in ((anne, "Anne"), (pref, "Préfecture")):
            assert fsfield_main(["--data-dir", data, "config", "--animateur", who, "--departement", "87"]) == 0
        assert fsfield_main(["--data-dir", anne, "config", "--jeton", token_a]) == 0
        from fsfield.domain.models import Site
        from fsfield.store.repo import Store

        with Store(tmp_path / "anne") as s:
            s.create(Site(id="", name="FS Bellac", department="87"))
        capsys.readouterr()
        assert fsfield_main(["--data-dir", anne, "sync", "--central", url, "--json"]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out)["sent"] > 0
        assert token_a not in out + err, "the token is never printed"
        assert "Anne (animator, 87)" in err, "which server and as whom"

        # The préfecture's laptop, its token in the environment: reads 87, may not create a site.
        monkeypatch.setenv("FSFIELD_SYNC_TOKEN", token_p)
        assert fsfield_main(["--data-dir", pref, "sync", "--central", url]) == 0
        with Store(tmp_path / "pref") as s:
            assert [x.name for x in s.sites()] == ["FS Bellac"]
            s.create(Site(id="", name="FS Nouvelle", department="87"))
            pending = len(s.outbox())
        capsys.readouterr()
        assert fsfield_main(["--data-dir", pref, "sync"]) == 0
        out, err = capsys.readouterr()
        assert "Refusés par le serveur : 1" in out
        assert "refusé par le serveur, gardé à envoyer" in err and "suivis" in err
        with Store(tmp_path / "pref") as s:
            assert len(s.outbox()) == pending, "refused writes stay in the outbox"
        assert token_p not in out + err
    finally:
        proc.terminate()
        proc.wait(10)
    log = (tmp_path / "server.log").read_text()
    assert '"path":"/v1/push"' in log, "structured access log"
    assert token_a not in log and token_p not in log, "no token in the log"


def test_fsfield_sync_to_a_server_that_is_down_changes_nothing(tmp_path, capsys):
    data = str(tmp_path / "d")
    fsfield_main(["--data-dir", data, "config", "--animateur", "A", "--departement", "87", "--jeton", "fsf_x"])
    capsys.readouterr()
    url = f"http://127.0.0.1:{free_port()}"
    assert fsfield_main(["--data-dir", data, "sync", "--central", url]) == 1
    err = capsys.readouterr().err
    assert "injoignable" in err and "Rien n'a été perdu" in err


def test_console_script_is_installed():
    r = subprocess.run([sys.executable, "-m", "sync.server.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "serve" in r.stdout
    assert httpx  # the client's dependency is installed with fsfield
