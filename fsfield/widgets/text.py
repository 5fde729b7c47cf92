"""Updating a Static's text without a layout pass when its size cannot change.

``Static.update`` lays the whole screen out again by default (widgets may move when one
grows). A line of fixed height does not grow, and an auto-height block whose new text takes as
many lines as the old one does not either: for them a repaint of the widget is enough.
"""

from __future__ import annotations

from functools import lru_cache

from textual.content import Content
from textual.widgets import Static


@lru_cache(maxsize=256)
def _parsed(markup: str) -> Content:
    # A Content also keeps its last wrapped height: shown again (the cursor back on an item),
    # neither the markup nor the height is worked out twice.
    return Content.from_markup(markup)


def set_text(widget: Static, text: str, *, markup: bool = True) -> None:
    """Show ``text`` (Textual markup unless ``markup`` is False: say as the widget was made)
    in ``widget``; a layout pass only if its height may change."""
    content = _parsed(text) if markup else Content(text)
    width, height = widget.styles.width, widget.styles.height
    if width is not None and width.is_auto:
        widget.update(content)  # as wide as its text: the others may move
        return
    if height is not None and not height.is_auto:
        widget.update(content, layout=False)  # fixed height: the text cannot move anything
        return
    before = widget.size
    widget.update(content, layout=False)
    if not widget.is_mounted or not before.width:
        widget.refresh(layout=True)
        return
    needed = widget.get_content_height(widget.size, widget.app.size, before.width)
    if needed != before.height:
        widget.refresh(layout=True)
