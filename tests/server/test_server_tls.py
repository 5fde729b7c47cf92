"""``fsfield-sync serve --tls-cert --tls-key``: the laptop syncs over HTTPS, trusting the
certificate given in SSL_CERT_FILE (how a préfecture's own certificate authority is trusted)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sync.engine import sync_once
from sync.http import HttpCentralStore
from sync.server.jsonfile import JsonFileBackend

from .live import free_port, serve_process, stop
from .server_testlib import add_token, device, new_site

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def test_sync_over_https_with_the_servers_certificate(tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    backend = JsonFileBackend(tmp_path / "s", serve=False)
    token = add_token(backend, "Anne", "animator", "87")
    backend.close()
    port = free_port()
    proc = serve_process(tmp_path / "s", port, "--tls-cert", str(cert), "--tls-key", str(key))
    url = f"https://127.0.0.1:{port}"
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    try:
        import httpx

        deadline_ok = False
        for _ in range(200):  # the server takes a moment to listen
            try:
                httpx.get(f"{url}/v1/health", timeout=2)  # trusts SSL_CERT_FILE
                deadline_ok = True
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    break
                import time

                time.sleep(0.05)
        assert deadline_ok, "the TLS server answers"
        dev = device()
        new_site(dev, "87")
        central = HttpCentralStore(url, token)
        assert len(sync_once(dev, central).sent) == 2
        central.close()
        with pytest.raises(httpx.TransportError):  # no plain HTTP on a TLS server
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
    finally:
        stop(proc)
