"""The layers (docs/architecture.md), read from the source: the UI calls the record modules
of fsfield/store/ and gets models back; nothing below them is reached from a screen, a
command or a report; domain/, store/ and reports/ know nothing of the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "fsfield"
#: the layers that must run without a terminal (commands, reports, the sync port)
HEADLESS = ("domain", "store", "reports")
UI_MODULES = ("fsfield.screens", "fsfield.widgets", "fsfield.app", "fsfield.cli")
#: what calls the record modules: screens, widgets, the app, the commands and the reports
CALLERS = [*sorted((PKG / "screens").rglob("*.py")), *sorted((PKG / "widgets").rglob("*.py")),
           PKG / "app.py", PKG / "cli.py", *sorted((PKG / "reports").rglob("*.py"))]
#: below the record modules: the callers import none of these...
INTERNAL = ("sync", "tinydb", "fsfield.store.lock", "fsfield.store.storage")
#: ...except the errors every caller must be able to catch
PUBLIC_ERRORS = {"SaveFailed", "StoreError", "DataDirLost"}
#: Store attributes that reach the writes, the replica or TinyDB
LOW_LEVEL = {"replica", "db", "storage", "write_fields", "set_fields", "apply_remote", "outbox",
             "mark_sent", "save_settings", "set_meta", "_persist", "_save_writes", "_cache"}
#: Store methods that write a record: only the record modules of fsfield/store/ call them
WRITERS = {"create", "update", "delete"}


def tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names) of every import of the file, relative ones resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            out += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            out.append((module, {alias.name for alias in node.names}))
    return out


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_domain_store_and_reports_import_nothing_of_the_ui():
    bad = []
    for layer in HEADLESS:
        for path in sorted((PKG / layer).rglob("*.py")):
            for module, _ in imports(path):
                if under(module, "textual") or under(module, "rich") or any(
                        under(module, ui) for ui in UI_MODULES):
                    bad.append(f"{path.relative_to(ROOT)}: {module}")
    assert bad == []


def test_screens_commands_and_reports_reach_nothing_below_the_record_modules():
    bad = []
    for path in CALLERS:
        for module, names in imports(path):
            for internal in INTERNAL:
                if under(module, internal) and not (names and names <= PUBLIC_ERRORS):
                    bad.append(f"{path.relative_to(ROOT)}: import {module} {sorted(names)}")
    assert bad == []


def store_calls(path: Path) -> list[tuple[int, str]]:
    """(line, attribute) of every ``store.X`` / ``self.store.X`` / ``screen.store.X``."""
    out = []
    for node in ast.walk(tree(path)):
        if not isinstance(node, ast.Attribute):
            continue
        value = node.value
        if (isinstance(value, ast.Name) and value.id == "store") or (
                isinstance(value, ast.Attribute) and value.attr == "store"):
            out.append((node.lineno, node.attr))
    return out


def test_no_caller_touches_the_replica_the_writes_or_tinydb():
    bad = [f"{path.relative_to(ROOT)}:{line}: store.{attr}"
           for path in CALLERS for line, attr in store_calls(path) if attr in LOW_LEVEL | WRITERS]
    assert bad == []


def test_records_are_written_only_by_the_store_modules():
    outside = [p for p in sorted(PKG.rglob("*.py")) if "store" not in p.relative_to(PKG).parts]
    bad = [f"{path.relative_to(ROOT)}:{line}: store.{attr}"
           for path in outside for line, attr in store_calls(path) if attr in WRITERS | LOW_LEVEL]
    assert bad == []


def test_the_scan_sees_what_it_forbids(tmp_path):
    """The checks above would catch a screen writing a record or reading the replica."""
    sample = tmp_path / "sample.py"
    sample.write_text("from sync.replica import DELETED\n"
                      "def f(self):\n    self.store.replica.conflicts()\n"
                      "    self.store.update(1, 2)\n", encoding="utf-8")
    assert {attr for _, attr in store_calls(sample)} == {"replica", "update"}
    assert [m for m, _ in ast_imports(sample)] == ["sync.replica"]


def ast_imports(path: Path) -> list[tuple[str, set[str]]]:
    return [(n.module or "", {a.name for a in n.names})
            for n in ast.walk(tree(path)) if isinstance(n, ast.ImportFrom)]


def test_importing_the_headless_layers_loads_no_textual():
    code = (
        "import sys, importlib, pkgutil\n"
        "import fsfield.domain, fsfield.store, fsfield.reports\n"
        "for pkg in (fsfield.domain, fsfield.store, fsfield.reports):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'textual'"
        " or n.startswith(('fsfield.screens', 'fsfield.widgets', 'fsfield.app'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
