"""Every command that writes a file the user names (export, report, plan --ics) writes it the
same way: a regular file atomically, a device or a pipe (``-o /dev/null``) *into* it, never
replacing it by a regular file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from cli_helpers import run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX-only")


def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as f:
            into.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


@pytest.mark.parametrize(
    "args",
    [
        ("export", "sites", "--format", "csv", "-o"),
        ("plan", "--ics"),
    ],
    ids=["export", "plan-ics"],
)
def test_output_into_a_pipe_is_written_through_and_the_pipe_stays(tmp_path, args) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "config", "--animateur", "Anne", "--departement", "87").returncode == 0
    fifo = tmp_path / "sortie"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _drain(fifo, got)
    result = run_cli(data, *args, fifo)
    if reader.is_alive():  # the command never opened the pipe: unblock the reader
        with open(fifo, "wb"):
            pass
    reader.join(10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced by a regular file"
    assert got and got[0], "nothing was written into the pipe"
