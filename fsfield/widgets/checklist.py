"""The checklist of one mission: one line per item, a cursor, and repaints of only what changed.

One Line-API widget draws the header and every row (``render_line``), so a keypress repaints
the lines that changed and nothing else: answering an item repaints its line, moving the
cursor repaints the two lines it leaves and reaches. No widget per row (each one costs a
render pass on every frame) and no CSS class toggled per move (a class change re-applies
the stylesheet to the node): the cursor is a component style drawn here.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cells = tuple[str, ...]
PADDING = 1  # columns of blank on each side of a line (was ``padding: 0 1`` of each row)


def layout(cells: Cells, widths: tuple[int, ...]) -> str:
    """Cells padded or cut to their column widths (the last one takes what is left)."""
    parts = []
    for text, width in zip(cells, widths, strict=False):
        text = text if len(text) <= width else text[: max(width - 1, 0)] + "…"
        parts.append(text.ljust(width))
    return " ".join(parts).rstrip()


class Checklist(ScrollView, can_focus=True):
    """Rows with a cursor. Messages up: ``Highlighted`` when the cursor moves, ``Selected`` on
    Entrée. API close to DataTable's (``cursor_row``, ``move_cursor``, ``row_count``,
    ``get_row_at``, ``update_cell``) so screens and tests read the same.

    Line 0 is the column header; row ``i`` is line ``i + 1`` (both scroll together)."""

    BINDINGS = [
        Binding("up", "cursor_up", "Élément précédent", show=False),
        Binding("down", "cursor_down", "Élément suivant", show=False),
        Binding("home", "cursor_to(0)", "Premier élément", show=False),
        Binding("end", "cursor_to(-1)", "Dernier élément", show=False),
        Binding("pagedown", "cursor_page(1)", "Page suivante", show=False),
        Binding("pageup", "cursor_page(-1)", "Page précédente", show=False),
        Binding("enter", "select", "Saisir", show=False),
    ]
    COMPONENT_CLASSES = {"checklist--header", "checklist--cursor"}
    DEFAULT_CSS = """
    Checklist { height: 1fr; overflow-x: hidden; overflow-y: auto; }
    Checklist > .checklist--header { text-style: bold; color: $text-muted; }
    Checklist > .checklist--cursor { background: $accent; color: $text; text-style: bold; }
    """

    class Highlighted(Message):
        """The cursor moved."""

    class Selected(Message):
        """Entrée on the current row."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._keys: list[str] = []
        self._cells: list[Cells] = []
        self._texts: list[str] = []  # each row laid out in the column widths
        self._header = ""
        self._widths: tuple[int, ...] = ()
        self._headers: Cells = ()
        self.cursor_row = 0
        self._line_cache: dict[tuple[int, bool, int], Strip] = {}

    # -- content ------------------------------------------------------------

    def set_columns(self, headers: Cells, widths: tuple[int, ...]) -> None:
        """Column titles and widths; rows are laid out again only if they changed."""
        if (headers, widths) == (self._headers, self._widths):
            return
        self._headers, self._widths = headers, widths
        self._header = layout(headers, widths)
        self._texts = [layout(cells, widths) for cells in self._cells]
        self._changed_all()

    def set_rows(self, rows: list[tuple[str, Cells]]) -> None:
        """Show these rows (key, cells); the cursor stays on its index where it can."""
        self._keys = [key for key, _ in rows]
        self._cells = [cells for _, cells in rows]
        self._texts = [layout(cells, self._widths) for cells in self._cells]
        self._changed_all()
        self.move_cursor(row=min(self.cursor_row, max(len(rows) - 1, 0)))

    def update_cell(self, key: str, column: int, text: str) -> None:
        """Change one cell; only that row's line repaints."""
        try:
            index = self._keys.index(key)
        except ValueError:
            return
        cells = list(self._cells[index])
        cells[column] = text
        self._cells[index] = tuple(cells)
        laid_out = layout(self._cells[index], self._widths)
        if laid_out != self._texts[index]:
            self._texts[index] = laid_out
            self._refresh_row(index)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def get_row_at(self, index: int) -> Cells:
        return self._cells[index]

    def row_text(self, index: int) -> str:
        """Row ``index`` as it is drawn (cells laid out in their columns)."""
        return self._texts[index]

    @property
    def header_text(self) -> str:
        return self._header

    def _changed_all(self) -> None:
        self._line_cache.clear()
        self.virtual_size = Size(0, len(self._keys) + 1)
        self.refresh()

    def _refresh_row(self, index: int) -> None:
        self._line_cache = {k: v for k, v in self._line_cache.items() if k[0] != index + 1}
        if self.is_mounted:
            self.refresh_line(index + 1)

    # -- drawing ------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self.scrollable_content_region.width  # without the scroll bar
        cursor = line == self.cursor_row + 1 and bool(self._keys)
        key = (line, cursor, width)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._render(line, cursor, width)
            if len(self._line_cache) > 256:
                self._line_cache.clear()
            self._line_cache[key] = strip
        return strip

    def _render(self, line: int, cursor: bool, width: int) -> Strip:
        base = self.rich_style
        if line == 0:
            text, style = self._header, base + self.get_component_rich_style("checklist--header")
        elif line <= len(self._texts):
            text = self._texts[line - 1]
            style = base + self.get_component_rich_style("checklist--cursor") if cursor else base
        else:
            return Strip.blank(width, base)
        # the blank around the text takes the line's background only (as a padded Static's)
        blank = Style(bgcolor=style.bgcolor)
        inner = max(width - 2 * PADDING, 0)
        text = text if cell_len(text) <= inner else Strip([Segment(text)]).crop(0, inner).text
        fill = inner - cell_len(text)
        segments = [Segment(" " * PADDING, blank), Segment(text, style)]
        segments.append(Segment(" " * (fill + PADDING), blank))
        return Strip(segments).crop(0, width)

    # -- cursor -------------------------------------------------------------

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and tell the screen."""
        if not self._keys:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self._keys) - 1))
        previous, self.cursor_row = self.cursor_row, row
        if previous != row:
            if previous < len(self._keys):
                self._refresh_row(previous)
            self._refresh_row(row)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted())

    def _scroll_to_cursor(self) -> None:
        if self.is_mounted and self._keys:
            row = self.cursor_row
            top = 0 if row == 0 else row + 1  # the first row brings the header back with it
            self.scroll_to_region(Region(0, top, 1, row + 2 - top), animate=False, immediate=True)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # The detail below grew or shrank: the cursor's line stays in view, in the same layout
        # pass (a Resize handler would run a frame later, once the line was drawn out of view).
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if resized:
            self._scroll_to_cursor()
        return resized

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y + self.scroll_offset.y >= 1:
            self.move_cursor(row=offset.y + self.scroll_offset.y - 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_page(self, direction: int) -> None:
        """A page down or up: the cursor moves with it (a key answers the item under it)."""
        page = max(self.scrollable_content_region.height - 2, 1)  # the header line, one kept
        self.move_cursor(row=self.cursor_row + direction * page)

    def action_cursor_to(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self._keys) - 1)

    def action_select(self) -> None:
        if self._keys:
            self.post_message(self.Selected())
