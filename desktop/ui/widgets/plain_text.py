"""Data shown as the characters typed. A persona synced from a team server, or a transcript line, may hold HTML;
Qt guesses rich text from a leading tag in a label or a tooltip, and would then render bold, links, even an image
read from a local path. Labels that show data are set to plain text; where a label or tooltip needs markup of its
own, the data inside it is escaped."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain(*labels: QLabel) -> None:
    """These labels show their text as typed, whatever it looks like."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def escape(text: str) -> str:
    """Data to put inside markup of our own."""
    return html.escape(text, quote=True)


def tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: escaped, line breaks kept, and marked as rich text so Qt renders the
    escapes instead of showing them."""
    return "<qt>" + escape(text).replace("\n", "<br>") + "</qt>"
