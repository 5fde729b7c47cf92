"""The annual activity report in the TUI: figures, text bars, `-` / `+` to change year."""

from __future__ import annotations

import datetime as dt

from textual.binding import Binding

from fsfield.reports.documents import annual_document
from fsfield.screens.report import RenderedReport, ReportScreen
from fsfield.store.repo import Store


def annual_rendered(store: Store, year: int, today: dt.date) -> RenderedReport:
    """The annual report of ``year``, rendered (as of 31/12 or ``today`` if earlier)."""
    return RenderedReport.of(annual_document(store, year, today=today))


class AnnualScreen(ReportScreen):
    """Annual report of one year; opens on the current year."""

    BINDINGS = [
        Binding("minus", "year(-1)", "Année préc.", key_display="-", id="annual.prev"),
        Binding("plus,equals_sign", "year(1)", "Année suiv.", key_display="+", id="annual.next"),
    ]

    def __init__(self, store: Store, today: dt.date, year: int | None = None) -> None:
        self.year = year or today.year
        self._store, self._today = store, today
        super().__init__(lambda: annual_rendered(self._store, self.year, self._today))

    def action_year(self, step: int) -> None:
        if self.year + step > self._today.year:
            self.notify("L'année suivante n'a pas commencé.", severity="warning")
            return
        self.year += step
        self.show(self._build())
