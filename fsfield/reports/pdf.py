"""PDF rendering with typst: one template per report (``typst/<name>.typ``) fed with the report's
data as JSON through ``sys.inputs`` (no markup is built from user text, so none needs escaping).

The engine (the ``typst`` package, a compiled wheel) is imported here, only when a PDF is made:
``fsfield`` and its TUI start without loading it. Output is PDF/A-2b (for filing), A4, with the
fonts typst embeds (Libertinus Serif, which covers French: œ, ’, « », €, narrow no-break space);
system fonts are ignored so that every laptop makes the same document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from fsfield.reports.lookup import ReportError

TEMPLATES = Path(__file__).resolve().parent / "typst"
INSTALL_HINT = "pip install typst"


def render_pdf(template: str, data: dict[str, Any]) -> bytes:
    """Compile ``typst/<template>.typ`` with ``data``; ReportError (French) when impossible."""
    source = TEMPLATES / f"{template}.typ"
    if not source.is_file():
        raise ReportError(f"modèle de rapport PDF introuvable : {source}.")
    try:
        import typst
    except ImportError:
        raise ReportError(
            f"le moteur PDF (typst) n'est pas installé : {INSTALL_HINT}, puis recommencez."
        ) from None
    try:
        pdf = typst.compile(
            str(source), root=str(TEMPLATES), format="pdf",
            sys_inputs={"data": orjson.dumps(data).decode("utf-8")},
            pdf_standards="a-2b", ignore_system_fonts=True,
        )
    except typst.TypstError as exc:
        where = exc.diagnostic.strip().splitlines()[1:2]
        raise ReportError(f"le PDF n'a pas pu être composé ({exc.message}"
                          f"{' ' + where[0].strip() if where else ''}). Aucun fichier créé.") from None
    if not isinstance(pdf, bytes):
        raise ReportError("le moteur PDF n'a rien produit. Aucun fichier créé.")
    return pdf
