"""Each report as a document: its title, its file name, and one renderer per format.

Shared by ``fsfield report …`` and the TUI's save dialog, so both write the same bytes under the
same documented name (``AAAA-MM-JJ_<commune>_<id_fs>_<type>.<ext>``). Every format renders
from the same report object (see ``typst_data.py`` for the PDF's JSON); the renderers are
called only when that format is asked for, so the PDF engine loads only for a PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from fsfield.domain.models import Site, Visit, french_date
from fsfield.reports.lookup import report_filename, report_stem
from fsfield.store.repo import Store

KIND_VISIT, KIND_PREPARE, KIND_ANNUAL = "compte-rendu", "preparation", "bilan"


@dataclass(frozen=True)
class Document:
    """A report ready to show and save."""

    title: str
    day: dt.date
    place: str
    ident: str
    kind: str
    renderers: dict[str, Callable[[], bytes]] = field(default_factory=dict)

    @property
    def formats(self) -> list[str]:
        """The formats this report can be saved in (``md`` first)."""
        return list(self.renderers)

    @property
    def stem(self) -> str:
        """The documented file name without extension."""
        return report_stem(self.day, self.place, self.ident, self.kind)

    def filename(self, ext: str) -> str:
        """The documented file name for ``ext``."""
        return report_filename(self.day, self.place, self.ident, self.kind, ext)

    def render(self, ext: str) -> bytes:
        """The report in format ``ext`` (ReportError from the PDF engine)."""
        return self.renderers[ext]()


def visit_document(store: Store, visit: Visit, today: dt.date | None = None) -> Document:
    """The visit report (file name dated by the visit)."""
    from fsfield.reports import visit_report as vr

    report = vr.visit_report(store, visit, today=today)

    def pdf() -> bytes:
        from fsfield.reports.pdf import render_pdf
        from fsfield.reports.typst_data import visit_data

        return render_pdf("visit", visit_data(report))

    return Document(
        report.title, report.date, report.commune, report.site_id_fs or visit.site_id[:8],
        KIND_VISIT,
        {"md": lambda: vr.render_markdown(report).encode("utf-8"),
         "html": lambda: vr.render_html(report).encode("utf-8"), "pdf": pdf},
    )


def prepare_document(store: Store, site: Site, today: dt.date | None = None) -> Document:
    """The next-visit pack (file name dated by the day it is prepared)."""
    from fsfield.reports import prepare

    pack = prepare.prepare_pack(store, site, today=today)
    department = store.settings.department

    def pdf() -> bytes:
        from fsfield.reports.pdf import render_pdf
        from fsfield.reports.typst_data import prepare_data

        return render_pdf("prepare", prepare_data(pack, department))

    return Document(
        f"{pack.title} — {french_date(pack.today)}", pack.today, site.commune,
        site.id_fs or site.id[:8], KIND_PREPARE,
        {"md": lambda: prepare.render_markdown(pack).encode("utf-8"),
         "html": lambda: prepare.render_html(pack).encode("utf-8"), "pdf": pdf},
    )


def annual_document(store: Store, year: int, *, months: int = 12,
                    today: dt.date | None = None) -> Document:
    """The annual report of ``year`` (file name dated by its "as of" day)."""
    from fsfield.reports import annual_render as ar
    from fsfield.reports.annual import annual_figures

    fig = annual_figures(store, year, months=months, today=today)
    from fsfield.reports.authors import year_animators

    dep, animator = store.settings.department, year_animators(store, year)

    def pdf() -> bytes:
        from fsfield.reports.pdf import render_pdf
        from fsfield.reports.typst_data import annual_data

        return render_pdf("annual", annual_data(fig, dep, animator))

    return Document(
        f"Rapport d'activité {year} (au {french_date(fig.as_of)})", fig.as_of,
        f"departement-{dep}" if dep else "departement", "", f"{KIND_ANNUAL}-{year}",
        {"md": lambda: ar.render_markdown(fig, dep, animator).encode("utf-8"),
         "html": lambda: ar.render_html(fig, dep, animator).encode("utf-8"),
         "pdf": pdf, "csv": lambda: ar.render_csv(fig)},
    )
