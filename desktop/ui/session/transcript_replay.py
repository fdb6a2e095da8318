"""The review's transcript: chat bubbles with their time in the call; the line being played is highlighted, and
clicking a line asks to jump there."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QStyledItemDelegate

from desktop.core.clock import format_clock
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import scaled_font, soft_accent

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2


class BubbleDelegate(QStyledItemDelegate):
    """Paints a line as a bubble: the trainee's on the right, the seller's on the left, coach hints centred."""

    def __init__(self, view: TranscriptReplay) -> None:
        super().__init__(view)
        self._view = view

    def _geometry(self, width: int, line: TranscriptLine) -> tuple[int, int, int]:
        """(bubble width, text height, padding) for a line in a view `width` wide."""
        metrics = self._view.fontMetrics()
        pad = max(6, metrics.height() // 2)
        bubble_w = max(metrics.height() * 8, int(width * 0.78))
        text = QFontMetrics(self._view.font()).boundingRect(
            QRect(0, 0, bubble_w - 2 * pad, 1_000_000), int(Qt.TextFlag.TextWordWrap), line.text
        )
        needed = text.width() + 2 * pad
        header_w = metrics.horizontalAdvance(self._header(line)) + 2 * pad
        return min(bubble_w, max(needed, header_w)), text.height(), pad

    def _header(self, line: TranscriptLine) -> str:
        who = {Speaker.TRAINEE: "You", Speaker.SELLER: self._view.seller_name, Speaker.COACH: "Coach hint"}[
            line.speaker
        ]
        cut = "  · cut off" if line.interrupted else ""
        return f"{who}  {format_clock(line.offset_ms / 1000)}{cut}"

    def sizeHint(self, option, index: QModelIndex) -> QSize:
        line: TranscriptLine = index.data(LINE_ROLE)
        width = self._view.viewport().width() - 8
        _, text_h, pad = self._geometry(width, line)
        header_h = self._view.fontMetrics().height()
        return QSize(width, header_h + text_h + 2 * pad + pad)

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        line: TranscriptLine = index.data(LINE_ROLE)
        current = bool(index.data(CURRENT_ROLE))
        rect = option.rect.adjusted(4, 0, -4, 0)
        bubble_w, text_h, pad = self._geometry(rect.width(), line)
        header_h = self._view.fontMetrics().height()
        height = header_h + text_h + 2 * pad
        if line.speaker == Speaker.TRAINEE:
            left = rect.right() - bubble_w
        elif line.speaker == Speaker.COACH:
            left = rect.left() + (rect.width() - bubble_w) // 2
        else:
            left = rect.left()
        bubble = QRectF(left, rect.top() + pad / 2, bubble_w, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = {Speaker.TRAINEE: soft_accent(), Speaker.SELLER: theme.SURFACE, Speaker.COACH: theme.BACKGROUND}
        border = QPen(QColor(theme.ACCENT), 2.5) if current else QPen(QColor(theme.BORDER), 1)
        painter.setPen(border)
        painter.setBrush(QColor(fill[line.speaker]))
        painter.drawRoundedRect(bubble, pad * 1.5, pad * 1.5)
        inner = bubble.adjusted(pad, pad * 0.6, -pad, -pad)
        painter.setPen(QColor(theme.ACCENT if current else theme.MUTED))
        painter.setFont(scaled_font(self._view.font(), 0.9, bold=current))
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), header_h), Qt.AlignmentFlag.AlignLeft, self._header(line)
        )
        painter.setFont(self._view.font())
        painter.setPen(QColor(theme.MUTED if line.speaker == Speaker.COACH else theme.TEXT))
        text_rect = QRectF(inner.left(), inner.top() + header_h, inner.width(), text_h + pad)
        painter.drawText(text_rect, int(Qt.TextFlag.TextWordWrap), line.text)
        painter.restore()


class TranscriptReplay(QListWidget):
    line_clicked = Signal(int)  # index of the line; ReviewScreen seeks to its offset

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.seller_name = "Seller"
        self._lines: list[TranscriptLine] = []
        self._starts: list[int] = []
        self._order: list[int] = []
        self._current = -1
        self.setItemDelegate(BubbleDelegate(self))
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

    @property
    def lines(self) -> list[TranscriptLine]:
        return list(self._lines)

    @property
    def current_index(self) -> int:
        return self._current

    def set_lines(self, lines: Sequence[TranscriptLine], seller_name: str) -> None:
        self.clear()
        self.seller_name = seller_name
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
