"""sync/ is a pure library: it imports nothing from fsfield and nothing from textual."""

import ast
import subprocess
import sys
from pathlib import Path

SYNC_DIR = Path(__file__).resolve().parents[2] / "sync"
FORBIDDEN = {"fsfield", "textual"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                roots.add("<relative import leaving sync/>")
            elif node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            roots.add("<dynamic __import__>")
    return roots


def test_no_file_in_sync_imports_fsfield_or_textual():
    files = sorted(SYNC_DIR.rglob("*.py"))
    assert len(files) >= 5
    bad = {
        f"{f.relative_to(SYNC_DIR)}: {root}"
        for f in files
        for root in imported_roots(f)
        if root in FORBIDDEN or root.startswith("<")
    }
    assert not bad


def test_importing_sync_loads_neither_fsfield_nor_textual():
    code = (
        "import sys, importlib, pkgutil, sync\n"
        "for m in pkgutil.iter_modules(sync.__path__): importlib.import_module('sync.' + m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in {'fsfield', 'textual'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SYNC_DIR.parent,
    )
    assert out.stdout.strip() == "[]"
