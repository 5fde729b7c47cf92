"""A real uvicorn server on 127.0.0.1 (a free port), in a thread of the test process or as a
``fsfield-sync serve`` subprocess."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

from sync.server.app import create_app
from sync.server.backend import Backend


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(backend: Backend) -> Iterator[str]:
    """Serve ``backend`` on loopback in a thread; yields the base URL."""
    config = uvicorn.Config(
        create_app(backend, log_access=False), host="127.0.0.1", port=free_port(),
        log_level="warning", access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)  # polling a flag uvicorn sets, not standing in for a result
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc is not None and proc.poll() is not None:
            log = getattr(proc, "log_path", None)
            raise RuntimeError(f"server exited: {log.read_text() if log else ''}")
        if time.monotonic() > deadline:
            raise RuntimeError("server not healthy in time")
        time.sleep(0.05)


def serve_process(store: str | Path, port: int, *extra: str, log: Path | None = None) -> subprocess.Popen:
    """``fsfield-sync serve`` as a subprocess (stopped by the caller). Its standard error (the
    access log) goes to the file ``log``, not a pipe nobody reads (which would block it)."""
    cmd = [sys.executable, "-m", "sync.server.cli", "serve", "--store", str(store), "--port", str(port), *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if log is None:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    with open(log, "ab") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
    proc.log_path = log  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a server process: SIGTERM (graceful), then SIGKILL if it lingers."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
