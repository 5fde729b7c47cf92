"""Reports in the TUI: a scrollable Markdown view, and `s` to save it (PDF, Markdown, HTML…).

``show_visit_report`` (visit screen, `r`) and ``show_prepare_pack`` (dossier, `p`) open it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_documents_dir
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, Label, Markdown, Select, Static

from fsfield.domain.models import Site, Visit
from fsfield.reports.documents import Document
from fsfield.reports.lookup import ReportError, write_report
from fsfield.screens.base import FsScreen, TitleBar
from fsfield.screens.forms import FormScreen
from fsfield.store.repo import Store
from fsfield.store.storage import StoreError

FORMAT_LABELS = {"pdf": "PDF A4 à envoyer ou classer (.pdf)", "md": "Markdown (.md)",
                 "html": "Page HTML imprimable (.html)", "csv": "Tableau CSV pour Excel (.csv)"}
EXPORTS_DIR = "exports"


@dataclass(frozen=True)
class RenderedReport:
    """A report ready to show and save: its title, Markdown, and the bytes of each format."""

    title: str
    markdown: str
    basename: str
    files: dict[str, Callable[[], bytes]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Document) -> RenderedReport:
        """A document shown as its Markdown, saved in any of its formats (PDF first)."""
        order = sorted(doc.formats, key=lambda ext: (ext != "pdf", doc.formats.index(ext)))
        return cls(doc.title, doc.render("md").decode("utf-8"), doc.stem,
                   {ext: doc.renderers[ext] for ext in order})


def default_folder(store: Store) -> Path:
    """Where reports are saved by default: the user's Documents, else ``<data dir>/exports``."""
    documents = Path(user_documents_dir())
    return documents if documents.is_dir() else store.data_dir / EXPORTS_DIR


class SaveReportForm(FormScreen):
    """Folder, format and file name; dismisses with the path written, or None."""

    def __init__(self, report: RenderedReport, folder: Path) -> None:
        super().__init__()
        self._report = report
        self._folder = folder
        self._busy = False

    def compose(self) -> ComposeResult:
        formats = [(FORMAT_LABELS.get(ext, ext), ext) for ext in self._report.files]
        with Vertical(classes="dialog"):
            yield Label("Enregistrer le rapport", classes="dialog-title")
            yield Label("Format")
            yield Select(formats, value=formats[0][1], allow_blank=False, id="format", compact=True)
            yield Label("Dossier")
            yield Input(str(self._folder), id="folder", compact=True)
            yield Label("Nom du fichier (sans extension)")
            yield Input(self._report.basename, id="name", compact=True)
            yield Static("", id="error", classes="error")
            yield Static("Entrée : champ suivant / enregistrer — Échap : annuler", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    def action_submit(self) -> None:
        if self._busy:
            return
        ext = str(self.query_one("#format", Select).value)
        folder_text = self.query_one("#folder", Input).value.strip()
        name = self.query_one("#name", Input).value.strip().removesuffix(f".{ext}")
        if not folder_text or not name or "/" in name or "\\" in name:
            self.show_error("Indiquez un dossier et un nom de fichier (sans « / »).")
            return
        folder = Path(folder_text).expanduser()
        try:
            if folder == self.store.data_dir / EXPORTS_DIR:
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.show_error(f"Impossible de créer {folder} : {exc.strerror or exc}.")
            return
        if not folder.is_dir():
            self.show_error(f"Le dossier {folder} n'existe pas. Aucun fichier créé.")
            return
        self._busy = True
        self.show_error("Composition du PDF…" if ext == "pdf" else "Enregistrement…")
        self._write(folder / f"{name}.{ext}", self._report.files[ext])

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _write(self, target: Path, render: Callable[[], bytes]) -> None:
        """Render and write off the UI thread (a PDF takes a moment); all or nothing."""
        try:
            write_report(target, render())
        except ReportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - never leave the dialog waiting forever
            self.app.call_from_thread(self._failed, f"Rapport impossible : {exc}. Aucun fichier "
                                      "créé.")
            return
        self.app.call_from_thread(self.dismiss, target)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.show_error(message)


class ReportScreen(FsScreen):
    """A report shown as Markdown, scrollable; `s` saves it."""

    BINDINGS = [
        Binding("s", "save_report", "Enregistrer", id="report.save",
                tooltip="Enregistrer le rapport (PDF, Markdown, HTML…) dans un dossier"),
        Binding("escape", "back", "Retour", id="report.back"),
    ]

    def __init__(self, build: Callable[[], RenderedReport]) -> None:
        super().__init__()
        self._build = build
        self.rendered = build()
        self.saved_to: Path | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(self.rendered.title)
        with VerticalScroll(id="report-body"):
            yield Markdown(self.rendered.markdown, id="report-md", open_links=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-body", VerticalScroll).focus()

    def show(self, rendered: RenderedReport) -> None:
        """Replace the report shown."""
        self.rendered = rendered
        self.query_one(TitleBar).set_title(rendered.title)
        self.query_one("#report-md", Markdown).update(rendered.markdown)
        self.query_one("#report-body", VerticalScroll).scroll_home(animate=False)

    def action_save_report(self) -> None:
        def done(path: Path | None) -> None:
            if path is not None:
                self.saved_to = path
                self.notify(f"Rapport enregistré : {path}", title="Enregistré")

        self.app.push_screen(SaveReportForm(self.rendered, default_folder(self.store)), done)

    def action_back(self) -> None:
        self.app.pop_screen()


def visit_rendered(store: Store, visit_id: str, today: dt.date) -> RenderedReport:
    """The visit report, rendered."""
    from fsfield.reports.documents import visit_document

    return RenderedReport.of(visit_document(store, store.get(Visit, visit_id), today=today))


def prepare_rendered(store: Store, site_id: str, today: dt.date) -> RenderedReport:
    """The next-visit pack, rendered."""
    from fsfield.reports.documents import prepare_document

    return RenderedReport.of(prepare_document(store, store.get(Site, site_id), today=today))


def _open_report(screen: FsScreen, build: Callable[[], RenderedReport]) -> None:
    try:
        report = ReportScreen(build)
    except (StoreError, ValueError) as exc:  # record gone (sync), unreadable template
        screen.notify(f"Rapport impossible : {exc}", severity="error", timeout=10)
        return
    screen.app.push_screen(report)


def show_visit_report(screen: FsScreen, visit_id: str) -> None:
    """Open the report of a visit (from the visit screen, key `r`)."""
    today = screen.today()
    _open_report(screen, lambda: visit_rendered(screen.store, visit_id, today))


def show_prepare_pack(screen: FsScreen, site_id: str) -> None:
    """Open the next-visit pack of a site (from the dossier, key `p`)."""
    today = screen.today()
    _open_report(screen, lambda: prepare_rendered(screen.store, site_id, today))
