"""A wrapped label in a panel too short for it shows whole lines and an ellipsis, never half a line."""

from __future__ import annotations

from desktop.ui.widgets.whole_lines import WholeLinesLabel

TEXT = "Plug one in to watch your own delivery. The call works fine without one."


def test_a_short_label_shows_the_lines_that_fit_and_keeps_the_text_in_its_tooltip(qtbot) -> None:
    label = WholeLinesLabel(TEXT)
    qtbot.addWidget(label)
    line = label.fontMetrics().lineSpacing()
    label.resize(label.fontMetrics().horizontalAdvance("Plug one in to watch"), int(line * 1.6))
    label.show()
    assert label.lines_shown() == 1
    assert TEXT in label.toolTip()
    assert label.minimumSizeHint().height() <= line  # a layout may shrink it to one line

    label.resize(label.width(), line * 10)
    assert label.lines_shown() >= 3  # all of it, wrapped, when there is room
    assert label.sizeHint().height() >= line * label.lines_shown()
