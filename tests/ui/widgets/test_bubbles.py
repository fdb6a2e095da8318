"""One bubble painter for the live call and the review (issue 11, item 5): both views paint their lines through
desktop/ui/widgets/bubbles.py, each in its own style, and the pixels show each style's look where the shared
delegate says the bubble is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractItemView, QStyleOptionViewItem

from desktop.core.live_transcript import LinePartial
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.call.style import call_style
from desktop.ui.call.transcript_view import TranscriptView
from desktop.ui.session.transcript_replay import TranscriptReplay
from desktop.ui.widgets import bubbles, theme
from desktop.ui.widgets.report import soft_accent

LINES = [
    TranscriptLine(1, Speaker.SELLER, "Hello? Who is this?", 0),
    TranscriptLine(2, Speaker.TRAINEE, "Hi Dale, this is Sam from Ridge Land. Do you have a minute?", 2_400),
    TranscriptLine(3, Speaker.COACH, "Good opener: you named yourself and asked for time.", 2_500),
    TranscriptLine(4, Speaker.SELLER, "I suppose. What's this about?", 6_000, interrupted=True),
]


def bubble_pixel(view: QAbstractItemView, image: QImage, row: int) -> tuple[QColor, object]:
    """The colour just inside the left edge of row's bubble, halfway down, as the shared delegate places it."""
    delegate = view.itemDelegate()
    index = view.model().index(row, 0)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    option.widget = view
    rect = delegate.bubble_rect(option, index)
    spot = view.viewport().mapTo(view.window(), QPoint(int(rect.left()) + 4, int(rect.center().y())))
    ratio = image.devicePixelRatio()
    return QColor(image.pixel(int(spot.x() * ratio), int(spot.y() * ratio))), rect


def close(a: QColor, b: QColor, tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_the_live_and_the_review_transcript_paint_through_one_bubble_delegate(qtbot, tmp_path: Path):
    live = TranscriptView()
    live.setStyleSheet(theme.STYLESHEET + call_style())
    qtbot.addWidget(live)
    live.set_names("You", "Dale")
    for line in LINES[:2]:
        live.add_final(line)
    live.add_partial(LinePartial(Speaker.SELLER, "I suppose, what is", 6_000))
    live.resize(560, 420)
    live.show()

    replay = TranscriptReplay()
    qtbot.addWidget(replay)
    replay.set_lines(LINES, "Dale")
    replay.resize(560, 420)
    replay.show()
    replay.set_current(1)
    qtbot.waitExposed(live)
    qtbot.waitExposed(replay)

    live_delegate, replay_delegate = live.list.itemDelegate(), replay.itemDelegate()
    assert type(live_delegate) is bubbles.BubbleDelegate and type(replay_delegate) is bubbles.BubbleDelegate
    assert live_delegate.style is bubbles.LIVE and replay_delegate.style is bubbles.REPLAY

    live_image = live.grab().toImage()
    replay_image = replay.grab().toImage()
    assert live_image.save(str(tmp_path / "bubbles-live.png"))
    assert replay_image.save(str(tmp_path / "bubbles-review.png"))

    # Live: the trainee's bubble is filled with the accent and sits on the right; the seller's is the surface colour.
    trainee, trainee_rect = bubble_pixel(live.list, live_image, 1)
    seller, seller_rect = bubble_pixel(live.list, live_image, 0)
    assert close(trainee, QColor(theme.ACCENT)) and close(seller, QColor(theme.SURFACE))
    assert trainee_rect.right() > seller_rect.right() and trainee_rect.left() > seller_rect.left()
    partial = live.delegate.bubble_of(live.model.index(2))
    assert partial.partial and partial.caption == "Dale \u00b7 speaking\u2026"

    # Review: the trainee's bubble is a soft tint; the coach's hint is centred; the line playing is outlined.
    tinted, trainee_rect = bubble_pixel(replay, replay_image, 1)
    assert close(tinted, QColor(soft_accent()))
    _, coach_rect = bubble_pixel(replay, replay_image, 2)
    viewport_centre = replay.viewport().width() / 2
    assert abs(coach_rect.center().x() - viewport_centre) <= 6
    assert replay_delegate.bubble_of(replay.model().index(1, 0)).current
    assert replay_delegate.bubble_of(replay.model().index(3, 0)).caption == "Dale  00:06  \u00b7 cut off"
