"""The review's transcript: chat bubbles with their time in the call (the shared bubble painter, REPLAY style); the
line being played is highlighted, and clicking a line asks to jump there."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from desktop.core.clock import format_clock
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.widgets.bubbles import REPLAY, Bubble, BubbleDelegate

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2


class TranscriptReplay(QListWidget):
    line_clicked = Signal(int)  # index of the line; ReviewScreen seeks to its offset

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.seller_name = "Seller"
        self.coach_name = "Coach hint"  # a hint during a call; in a debrief the coach is the one talking: "Coach"
        self._lines: list[TranscriptLine] = []
        self._starts: list[int] = []
        self._order: list[int] = []
        self._current = -1
        self.delegate = BubbleDelegate(REPLAY, self._bubble, self)
        self.setItemDelegate(self.delegate)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setStyleSheet("QListWidget { border: none; padding: 0; }")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(True)
        self.setToolTip("Click a line to hear that moment")
        self.itemClicked.connect(lambda item: self.line_clicked.emit(self.row(item)))

    def _bubble(self, index) -> Bubble:
        line: TranscriptLine = index.data(LINE_ROLE)
        who = {Speaker.TRAINEE: "You", Speaker.SELLER: self.seller_name, Speaker.COACH: self.coach_name}[line.speaker]
        cut = "  \u00b7 cut off" if line.interrupted else ""
        caption = f"{who}  {format_clock(line.offset_ms / 1000)}{cut}"
        return Bubble(line.speaker, line.text, caption, current=bool(index.data(CURRENT_ROLE)))

    @property
    def lines(self) -> list[TranscriptLine]:
        return list(self._lines)

    @property
    def current_index(self) -> int:
        return self._current

    def set_lines(self, lines: Sequence[TranscriptLine], seller_name: str, coach_name: str = "Coach hint") -> None:
        self.clear()
        self.seller_name = seller_name
        self.coach_name = coach_name
        self._lines = list(lines)
        # Lines are in seq order; their offsets almost always rise with seq, but a late correction need not, so
        # the search for "the line playing at t" runs over offsets sorted once.
        self._order = sorted(range(len(self._lines)), key=lambda i: (self._lines[i].offset_ms, i))
        self._starts = [self._lines[i].offset_ms for i in self._order]
        self._current = -1
        for line in self._lines:
            item = QListWidgetItem()
            item.setData(LINE_ROLE, line)
            item.setData(CURRENT_ROLE, False)
            item.setToolTip(f"Jump to {format_clock(line.offset_ms / 1000)}")
            self.addItem(item)

    def index_at_time(self, position_ms: int) -> int:
        """The line being spoken at position_ms: the last one started by then; -1 before the first."""
        found = bisect_right(self._starts, position_ms) - 1
        return self._order[found] if found >= 0 else -1

    def follow(self, position_ms: int) -> int:
        """Highlights the line playing at position_ms and keeps it in view; returns its index."""
        self.set_current(self.index_at_time(position_ms))
        return self._current

    def set_current(self, index: int) -> None:
        if index == self._current:
            return
        if 0 <= self._current < self.count():
            self.item(self._current).setData(CURRENT_ROLE, False)
        self._current = index
        if 0 <= index < self.count():
            item = self.item(index)
            item.setData(CURRENT_ROLE, True)
            self.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)
