"""Updating a Static's text without a layout pass when its size cannot change.

``Static.update`` lays the whole screen out again by default (widgets may move when one
grows). A line of fixed height does not grow, and an auto-height block whose new text takes as
many lines as the old one does not either: for them a repaint of the widget is enough.
"""

from __future__ import annotations

from textual.widgets import Static


def set_text(widget: Static, text: str) -> None:
    """Show ``text`` in ``widget``; a layout pass only if its height may change."""
    height = widget.styles.height
    if height is not None and not height.is_auto:
        widget.update(text, layout=False)  # fixed height: the text cannot move anything
        return
    before = widget.size
    widget.update(text, layout=False)
    if not widget.is_mounted or not before.width:
        widget.refresh(layout=True)
        return
    needed = widget.get_content_height(widget.size, widget.app.size, before.width)
    if needed != before.height:
        widget.refresh(layout=True)
