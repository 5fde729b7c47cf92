"""The commands load only what they use: no Textual (nor rich) outside the TUI, and ``--help``
none of the store's models or the sync engine (issue #10: start-up does only start-up work).

Each command runs in a fresh interpreter, through ``fsfield.cli.main`` as the ``fsfield``
script does, and the modules it imported are then read from ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEVER_OUTSIDE_TUI = ("textual", "rich")

PROBE = """
import json, sys
from fsfield.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + " " + json.dumps(code) + "\\n")
"""


def loaded_by(*argv: str | Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``fsfield ARGV``; asserts exit 0."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, argv)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("MODULES "), proc.stderr
    modules, code = line.removeprefix("MODULES ").rsplit(" ", 1)
    assert json.loads(code) in (0, None), proc.stderr
    return set(json.loads(modules))


def under(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or m in packages)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A configured data dir with one site, one visit and a folder central store."""
    from fsfield.cli import main
    from fsfield.domain.models import Site
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store

    base = tmp_path_factory.mktemp("imports")
    data = base / "data"
    assert main(["--data-dir", str(data), "config", "--animateur", "A", "--departement", "87"]) == 0
    with Store(data) as store:
        site = store.create(Site(id="", id_fs="1", name="France services Nexon", commune="Nexon",
                                 hours={}, format_fs="Fixe", department="87"))
        ops.start_visit(store, site)
    (base / "central").mkdir()
    assert main(["--data-dir", str(data), "sync", "--central", str(base / "central")]) == 0
    return data


def test_help_loads_neither_textual_nor_the_models_nor_the_sync_engine() -> None:
    modules = loaded_by("--help")
    assert under(modules, *NEVER_OUTSIDE_TUI, "pydantic", "tinydb") == []
    assert under(modules, "sync.engine", "sync.folder", "sync.batch", "sync.wire") == []


def test_sync_with_a_folder_central_store_loads_no_textual(data_dir: Path) -> None:
    modules = loaded_by("--data-dir", data_dir, "sync")
    assert "sync.folder" in modules  # the probe did run a sync
    assert under(modules, *NEVER_OUTSIDE_TUI) == []


def test_sync_of_good_batches_loads_neither_pydantic_nor_the_models(data_dir: Path) -> None:
    """A sync that sends a new write and receives another laptop's validates the batch without
    pydantic, and reads its settings without building the settings model."""
    from fsfield.cli import main
    from fsfield.store import visits as ops
    from fsfield.store.repo import Store

    central = data_dir.parent / "central"
    other = data_dir.parent / "other"
    assert main(["--data-dir", str(other), "config", "--animateur", "B", "--departement", "87"]) == 0
    assert main(["--data-dir", str(other), "sync", "--central", str(central)]) == 0
    with Store(other) as store:  # something to receive
        ops.start_visit(store, store.sites()[0])
    assert main(["--data-dir", str(other), "sync"]) == 0
    with Store(data_dir) as store:  # something to send: the round pushes a batch
        ops.start_visit(store, store.sites()[0])
    modules = loaded_by("--data-dir", data_dir, "sync")
    assert "sync.folder" in modules
    with Store(data_dir) as store:
        assert len(store.visits()) == 3  # the probe did receive the other laptop's visit
    assert under(modules, "pydantic", "pydantic_core", "httpx") == []
    assert under(modules, "fsfield.domain.models", "sync.schema") == []


@pytest.mark.parametrize("what", ["visits", "sites", "followups"])
def test_export_loads_no_textual(data_dir: Path, what: str) -> None:
    modules = loaded_by("--data-dir", data_dir, "export", what, "--format", "json")
    assert under(modules, *NEVER_OUTSIDE_TUI) == []
    assert under(modules, "sync.engine", "sync.folder") == []


def test_sites_list_and_config_load_no_textual(data_dir: Path) -> None:
    assert under(loaded_by("--data-dir", data_dir, "sites", "list"), *NEVER_OUTSIDE_TUI) == []
    assert under(loaded_by("--data-dir", data_dir, "config"), *NEVER_OUTSIDE_TUI) == []
