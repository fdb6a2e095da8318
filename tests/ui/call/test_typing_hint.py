"""Issue 15, item 7: the typing box's hint names the key that sends (Enter), and pressing that key sends."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.call.control_bar import ControlBar
from desktop.ui.call.page import TypingRow


def test_the_hint_names_the_key_that_sends(qtbot) -> None:
    row = TypingRow()
    qtbot.addWidget(row)
    for text in (row.input.placeholderText(), row.send.toolTip()):
        assert "Enter" in text
        assert "Ctrl+Enter" not in text, f"the hint says Ctrl+Enter, but Enter sends: {text!r}"
    bar = ControlBar()
    qtbot.addWidget(bar)
    assert "Ctrl+Enter" not in bar.typing_button.toolTip()
    assert "Enter" in bar.typing_button.toolTip()

    row.show()
    row.input.setFocus()
    qtbot.keyClicks(row.input, "Hello there")
    with qtbot.waitSignal(row.send_requested, timeout=1000) as sent:
        qtbot.keyClick(row.input, Qt.Key.Key_Return)
    assert sent.args == ["Hello there"]
    assert row.input.text() == ""
