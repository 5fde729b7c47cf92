"""DataTable helpers shared by the list screens."""

from __future__ import annotations

from textual.widgets import DataTable

Columns = list[tuple[str, str, int | None]]  # (label, key, fixed width or None for auto)


def reset_rows(table: DataTable, columns: Columns) -> None:
    """Remove every row; rebuild the columns only when the wanted set changed.

    Rebuilding the columns on every refresh left auto-width columns at their label's width
    (a squeezed table at start-up), so the columns are kept while they stay the same.
    """
    current = [(str(c.label), str(c.key.value), None if c.auto_width else c.width)
               for c in table.columns.values()]
    if current == columns:
        table.clear()
        return
    table.clear(columns=True)
    for label, key, width in columns:
        table.add_column(label, key=key, width=width)


def clip(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
