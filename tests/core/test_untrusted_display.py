"""Untrusted text for a terminal and for Markdown (issue 14, item 14)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from desktop.core.untrusted.display import escape_markdown, printable


def test_terminal_escapes_and_control_characters_are_removed() -> None:
    hostile = "Dale\x1b[2J\x1b]0;pwned\x07 Pruitt\x1b[31m red\x1b[0m\x07\x00\x9b\tthere\nnext"
    assert printable(hostile) == "Dale Pruitt red there next"


def test_ordinary_text_is_kept() -> None:
    assert printable("Señora Núñez · 40 acres, (555) 010-3817") == "Señora Núñez · 40 acres, (555) 010-3817"


def test_markdown_shows_the_characters_and_runs_nothing() -> None:
    hostile = '![x](/local.png) <img src="x.png"> <script>alert(1)</script> [click](javascript:alert(1)) **bold** # h'
    escaped = escape_markdown(hostile)
    assert "<img" not in escaped and "<script" not in escaped and "](" not in escaped
    rendered = QTextDocument()
    rendered.setMarkdown(escaped)
    assert rendered.toPlainText().strip() == hostile
    assert "<img" not in rendered.toHtml().split("<body")[1].replace("&lt;img", "")
