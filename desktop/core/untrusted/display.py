"""Untrusted text (a persona synced from a server, a transcript line) made safe for where it is shown: a terminal,
where escape sequences could rewrite the screen or the title, and Markdown, where `<script>`, `<img src>` or a
`javascript:` link would become live markup in any viewer that renders the export."""

from __future__ import annotations

import re

# ESC-led sequences first (CSI, OSC up to BEL or ST, two-character escapes), then any other C0/C1 control character.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Everything that starts Markdown or inline HTML syntax; escaped with a backslash it is shown as the character.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def printable(text: str) -> str:
    """The text without terminal escape sequences or control characters; a tab or a line break becomes a space, so
    a value stays on its row of a table."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = re.sub(r"[\t\r\n]+", " ", text)
    return _CONTROL.sub("", text)


def escape_markdown(text: str) -> str:
    """The text as literal characters in Markdown: no HTML (`<` and `&` become entities), no links, images, emphasis
    or headings. Line breaks become spaces: one stored line stays one line of the export."""
    text = printable(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
