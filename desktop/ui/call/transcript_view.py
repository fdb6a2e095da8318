"""The live transcript as chat bubbles: partial lines in grey, final lines solid, corrections applied in place.

A list model plus a painting delegate, so a long call costs only the rows on screen. It follows the newest line
until the user scrolls up, then stays put and offers a "Jump to latest" button.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QListView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.core.clock import format_clock
from desktop.core.live_transcript import LinePartial
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.widgets import theme

EntryRole = Qt.ItemDataRole.UserRole + 1
BUBBLE_SHARE = 0.78  # a bubble takes at most this share of the width, like a messaging app
STICK_SLACK_PX = 4


@dataclass
class Entry:
    speaker: Speaker
    text: str
    offset_ms: int = 0
    seq: int | None = None  # None while partial
    interrupted: bool = False
    size_cache: tuple[int, QSize] | None = field(default=None, repr=False)

    @property
    def final(self) -> bool:
        return self.seq is not None


class TranscriptModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._row_of_seq: dict[int, int] = {}
        self._partial_rows: dict[Speaker, int] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == EntryRole:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return entry.text
        return None

    def entry(self, row: int) -> Entry:
        return self._entries[row]

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def set_partial(self, partial: LinePartial) -> None:
        row = self._partial_rows.get(partial.speaker)
        if row is None:
            self._append(Entry(partial.speaker, partial.text, partial.offset_ms))
            self._partial_rows[partial.speaker] = len(self._entries) - 1
        else:
            self._update(row, text=partial.text)

    def add_final(self, line: TranscriptLine) -> None:
        if line.seq in self._row_of_seq:  # already shown (a repeated event): keep the newest text
            self._update(self._row_of_seq[line.seq], text=line.text, interrupted=line.interrupted)
            return
        row = self._partial_rows.pop(line.speaker, None)
        if row is None:
            self._append(Entry(line.speaker, line.text, line.offset_ms, line.seq, line.interrupted))
            row = len(self._entries) - 1
        else:  # the partial becomes the final line where it stands
            self._update(row, text=line.text, seq=line.seq, offset_ms=line.offset_ms, interrupted=line.interrupted)
        self._row_of_seq[line.seq] = row

    def correct(self, line: TranscriptLine) -> bool:
        row = self._row_of_seq.get(line.seq)
        if row is None:
            return False
        self._update(row, text=line.text, interrupted=True)
        return True

    def _append(self, entry: Entry) -> None:
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()

    def _update(self, row: int, **changes) -> None:
        entry = self._entries[row]
        for name, value in changes.items():
            setattr(entry, name, value)
        entry.size_cache = None
        index = self.index(row)
        self.dataChanged.emit(index, index)


class BubbleDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.names = {Speaker.TRAINEE: "You", Speaker.SELLER: "Seller", Speaker.COACH: "Coach"}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        body = QFont(option.font)
        caption = QFont(option.font)
        caption.setPointSizeF(max(6.0, body.pointSizeF() * 0.85))
        return body, caption

    def _geometry(self, option: QStyleOptionViewItem, entry: Entry) -> tuple[int, int, QRect]:
        body, caption = self._fonts(option)
        metrics = QFontMetrics(body)
        pad = metrics.height() // 2
        width = max(metrics.height() * 6, int(option.rect.width() * BUBBLE_SHARE))
        text = self._text(entry)
        bounds = metrics.boundingRect(QRect(0, 0, width - 2 * pad, 1_000_000), Qt.TextFlag.TextWordWrap, text)
        return pad, QFontMetrics(caption).height(), bounds

    def _text(self, entry: Entry) -> str:
        return entry.text + (" \u2014" if entry.interrupted else "") if entry.text else "\u2026"

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        entry: Entry = index.data(EntryRole)
        width = option.rect.width()
        if entry.size_cache is not None and entry.size_cache[0] == width:
            return entry.size_cache[1]
        pad, caption_h, bounds = self._geometry(option, entry)
        size = QSize(width, caption_h + bounds.height() + 2 * pad + pad)
        entry.size_cache = (width, size)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        entry: Entry = index.data(EntryRole)
        pad, caption_h, bounds = self._geometry(option, entry)
        body, caption = self._fonts(option)
        mine = entry.speaker is Speaker.TRAINEE
        rect = option.rect
        bubble_w = bounds.width() + 2 * pad
        x = rect.right() - bubble_w - pad if mine else rect.left() + pad
        bubble = QRectF(x, rect.top() + caption_h, bubble_w, bounds.height() + 2 * pad)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        who = self.names.get(entry.speaker, entry.speaker.value.title())
        when = format_clock(entry.offset_ms / 1000)
        label = f"{who} \u00b7 {when}" + ("  \u00b7 cut off" if entry.interrupted else "")
        if not entry.final:
            label = f"{who} \u00b7 speaking\u2026"
        painter.setFont(caption)
        painter.setPen(QColor(theme.MUTED))
        align = Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft
        caption_rect = QRectF(rect.left() + pad, rect.top(), rect.width() - 2 * pad, caption_h)
        painter.drawText(caption_rect, align | Qt.AlignmentFlag.AlignVCenter, label)

        if not entry.final:
            painter.setPen(QPen(QColor(theme.BORDER), 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(theme.SURFACE))
            text_color = QColor(theme.MUTED)
        elif mine:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.ACCENT))
            text_color = QColor("white")
        else:
            painter.setPen(QPen(QColor(theme.BORDER), 1))
            painter.setBrush(QColor(theme.SURFACE))
            text_color = QColor(theme.TEXT)
        painter.drawRoundedRect(bubble, pad * 1.4, pad * 1.4)
        body.setItalic(not entry.final)
        painter.setFont(body)
        painter.setPen(text_color)
        text_rect = bubble.adjusted(pad, pad, -pad, -pad)
        painter.drawText(text_rect, int(Qt.TextFlag.TextWordWrap), self._text(entry))
        painter.restore()


class TranscriptView(QWidget):
    """`add_partial`, `add_final`, `correct`; `following` is False once the user has scrolled up."""

    following_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel(self)
        self.delegate = BubbleDelegate(self)
        self.list = QListView(objectName="transcript")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setToolTip("What was said. Grey lines are still being heard.")
        self.jump = QPushButton("Jump to latest \u2193", objectName="jumpButton")
        self.jump.setToolTip("Scroll to the newest line and keep following the conversation")
        self.jump.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump.clicked.connect(self.follow)
        self.jump.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.list, 0, 0)
        grid.addWidget(self.jump, 0, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)
        self._following = True
        bar = self.list.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)

    @property
    def following(self) -> bool:
        return self._following

    def set_names(self, trainee: str, seller: str) -> None:
        self.delegate.names.update({Speaker.TRAINEE: trainee, Speaker.SELLER: seller})
        self.list.viewport().update()

    def clear(self) -> None:
        old, self.model = self.model, TranscriptModel(self)
        self.list.setModel(self.model)
        old.deleteLater()
        self.follow()

    def add_partial(self, partial: LinePartial) -> None:
        self.model.set_partial(partial)
        self._new_content()

    def add_final(self, line: TranscriptLine) -> None:
        self.model.add_final(line)
        self._new_content()

    def correct(self, line: TranscriptLine) -> None:
        self.model.correct(line)

    def follow(self) -> None:
        self._set_following(True)
        self.list.scrollToBottom()

    def _new_content(self) -> None:
        if not self._following:
            self.jump.show()

    def _on_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        self._set_following(value >= bar.maximum() - STICK_SLACK_PX)

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self._following:
            self.list.verticalScrollBar().setValue(maximum)

    def _set_following(self, following: bool) -> None:
        if following == self._following:
            return
        self._following = following
        if following:
            self.jump.hide()
        self.following_changed.emit(following)
