"""The checklist of one mission: one line per item, a cursor, and repaints of only what changed.

A DataTable redraws every visible row whenever one cell changes; answering an item here
repaints that item's line alone, which keeps a keypress within a frame on a large store.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

Cells = tuple[str, ...]


def layout(cells: Cells, widths: tuple[int, ...]) -> str:
    """Cells padded or cut to their column widths (the last one takes what is left)."""
    parts = []
    for text, width in zip(cells, widths, strict=False):
        text = text if len(text) <= width else text[: max(width - 1, 0)] + "…"
        parts.append(text.ljust(width))
    return " ".join(parts).rstrip()


class ChecklistRow(Static):
    """One item's line."""

    DEFAULT_CSS = """
    ChecklistRow { height: 1; padding: 0 1; }
    ChecklistRow.-cursor { background: $accent; color: $text; text-style: bold; }
    """

    def __init__(self, index: int) -> None:
        super().__init__("", markup=False)
        self.index = index
        self.key = ""
        self.cells: Cells = ()

    def on_click(self, event: events.Click) -> None:
        parent = self.parent
        if isinstance(parent, Checklist):
            parent.move_cursor(row=self.index)


class Checklist(VerticalScroll, can_focus=True):
    """Rows with a cursor. Messages up: ``Highlighted`` when the cursor moves, ``Selected`` on
    Entrée. API close to DataTable's (``cursor_row``, ``move_cursor``, ``row_count``,
    ``get_row_at``, ``update_cell``) so screens and tests read the same."""

    BINDINGS = [
        Binding("up", "cursor_up", "Élément précédent", show=False),
        Binding("down", "cursor_down", "Élément suivant", show=False),
        Binding("home", "cursor_to(0)", "Premier élément", show=False),
        Binding("end", "cursor_to(-1)", "Dernier élément", show=False),
        Binding("enter", "select", "Saisir", show=False),
    ]
    DEFAULT_CSS = """
    Checklist { height: 1fr; }
    Checklist > .checklist-header { height: 1; padding: 0 1; text-style: bold; color: $text-muted; }
    """

    class Highlighted(Message):
        """The cursor moved."""

    class Selected(Message):
        """Entrée on the current row."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._rows: list[ChecklistRow] = []
        self._header = Static("", classes="checklist-header", markup=False)
        self._widths: tuple[int, ...] = ()
        self._headers: Cells = ()
        self._count = 0
        self.cursor_row = 0

    def compose(self):  # noqa: ANN201 - ComposeResult
        yield self._header

    # -- content ------------------------------------------------------------

    def set_columns(self, headers: Cells, widths: tuple[int, ...]) -> None:
        """Column titles and widths; rows are laid out again only if they changed."""
        if (headers, widths) == (self._headers, self._widths):
            return
        self._headers, self._widths = headers, widths
        self._header.update(layout(headers, widths))
        for row in self._rows[: self._count]:
            row.update(layout(row.cells, widths))

    def set_rows(self, rows: list[tuple[str, Cells]]) -> None:
        """Show these rows (key, cells); the cursor stays on its index where it can."""
        while len(self._rows) < len(rows):
            row = ChecklistRow(len(self._rows))
            self._rows.append(row)
            self.mount(row)
        for row, (key, cells) in zip(self._rows, rows, strict=False):
            row.key, row.cells = key, cells
            row.update(layout(cells, self._widths))
            row.display = True
        for row in self._rows[len(rows) :]:
            row.display = False
        self._count = len(rows)
        self.move_cursor(row=min(self.cursor_row, max(self._count - 1, 0)))

    def update_cell(self, key: str, column: int, text: str) -> None:
        """Change one cell; only that row repaints."""
        for row in self._rows[: self._count]:
            if row.key == key:
                cells = list(row.cells)
                cells[column] = text
                row.cells = tuple(cells)
                row.update(layout(row.cells, self._widths))
                return

    @property
    def row_count(self) -> int:
        return self._count

    def get_row_at(self, index: int) -> Cells:
        return self._rows[index].cells

    # -- cursor -------------------------------------------------------------

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and tell the screen."""
        if self._count == 0:
            self.cursor_row = 0
            return
        row = max(0, min(row, self._count - 1))
        previous = self._rows[self.cursor_row] if self.cursor_row < len(self._rows) else None
        if previous is not None:
            previous.remove_class("-cursor")
        self.cursor_row = row
        current = self._rows[row]
        current.add_class("-cursor")
        if self.is_mounted:
            current.scroll_visible(animate=False)
        self.post_message(self.Highlighted())

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_to(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else self._count - 1)

    def action_select(self) -> None:
        if self._count:
            self.post_message(self.Selected())
