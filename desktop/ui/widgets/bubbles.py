"""Transcript lines as chat bubbles: one painter for the live call and the review.

The trainee's lines sit on the right, the other side's on the left. A view says what each row shows (a `Bubble`:
speaker, text, caption, whether it is still being heard or is the line playing) and how its bubbles look (a
`BubbleStyle`): the live call captions each bubble above it ("Dale · 00:12") and fills the trainee's in the accent
colour; the review heads each bubble with its caption, outlines the line being played and centres coach hints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.transcript import Speaker
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import scaled_font, soft_accent

BUBBLE_SHARE = 0.78  # a bubble takes at most this share of the width, like a messaging app
EDGE_PX = 4  # between a bubble and the side of the view
CACHE_LIMIT = 4096  # measured bubbles kept; a long call's rows are re-measured only when the width changes

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Bubble:
    """One transcript line as its bubble shows it."""

    speaker: Speaker
    text: str
    caption: str  # who and when, in the view's own words
    partial: bool = False  # still being heard: dashed outline, italic, muted
    current: bool = False  # the line playing in the review: accent outline, bold caption


@dataclass(frozen=True)
class BubbleStyle:
    caption_inside: bool  # the caption heads the bubble (review) rather than sitting above it (live)
    trainee_filled: bool  # the trainee's bubble is solid accent with white text (live), not a soft tint (review)
    coach_as_hint: bool  # coach lines are centred, quiet hints (review) rather than a party to the call (debrief)
    caption_scale: float


LIVE = BubbleStyle(caption_inside=False, trainee_filled=True, coach_as_hint=False, caption_scale=0.85)
REPLAY = BubbleStyle(caption_inside=True, trainee_filled=False, coach_as_hint=True, caption_scale=0.9)


@dataclass(frozen=True)
class _Measure:
    bubble_w: int
    text_h: int
    caption_h: int
    pad: int

    @property
    def height(self) -> int:
        """The row's height: caption, the text between paddings, and a padding's gap to the next row."""
        return self.caption_h + self.text_h + 3 * self.pad


class BubbleDelegate(QStyledItemDelegate):
    """`bubble_of(index)` tells what a row shows; the delegate measures and paints it in `style`."""

    def __init__(self, style: BubbleStyle, bubble_of: Callable[[Index], Bubble], parent=None) -> None:
        super().__init__(parent)
        self.style = style
        self.bubble_of = bubble_of
        self._measured: dict[tuple[Bubble, int, str], _Measure] = {}

    # --- measuring -------------------------------------------------------------------------------------------------

    def _fonts(self, base: QFont, bubble: Bubble) -> tuple[QFont, QFont]:
        body = QFont(base)
        body.setItalic(bubble.partial)
        return body, scaled_font(base, self.style.caption_scale, bold=bubble.current)

    def _measure(self, base: QFont, width: int, bubble: Bubble) -> _Measure:
        key = (bubble, width, base.key())
        found = self._measured.get(key)
        if found is not None:
            return found
        body, caption = self._fonts(base, bubble)
        metrics = QFontMetrics(body)
        pad = max(6, metrics.height() // 2)
        widest = max(metrics.height() * 7, int(width * BUBBLE_SHARE))
        text = metrics.boundingRect(QRect(0, 0, widest - 2 * pad, 1_000_000), Qt.TextFlag.TextWordWrap, bubble.text)
        needed = text.width()
        if self.style.caption_inside:  # the bubble holds its caption too
            needed = max(needed, QFontMetrics(caption).horizontalAdvance(bubble.caption))
        measure = _Measure(min(widest, needed + 2 * pad), text.height(), QFontMetrics(caption).height(), pad)
        if len(self._measured) >= CACHE_LIMIT:
            self._measured.clear()
        self._measured[key] = measure
        return measure

    @staticmethod
    def _width(option: QStyleOptionViewItem) -> int:
        view = option.widget
        width = view.viewport().width() if isinstance(view, QAbstractItemView) else option.rect.width()
        return max(1, width - 2 * EDGE_PX)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802 (Qt's name)
        width = self._width(option)
        return QSize(width, self._measure(option.font, width, self.bubble_of(index)).height)

    def bubble_rect(self, option: QStyleOptionViewItem, index: Index) -> QRectF:
        """Where the row's bubble is painted, in the view's coordinates (for tests and hit areas)."""
        return self._bubble_rect(option, self.bubble_of(index))[0]

    def _bubble_rect(self, option: QStyleOptionViewItem, bubble: Bubble) -> tuple[QRectF, QRect, _Measure]:
        # Measured at the width sizeHint used, so a row is painted exactly as tall as it was laid out.
        width = self._width(option)
        rect = QRect(option.rect.left() + EDGE_PX, option.rect.top(), width, option.rect.height())
        measure = self._measure(option.font, width, bubble)
        if bubble.speaker is Speaker.TRAINEE:
            left = rect.right() - measure.bubble_w
        elif bubble.speaker is Speaker.COACH and self.style.coach_as_hint:
            left = rect.left() + (rect.width() - measure.bubble_w) // 2
        else:
            left = rect.left()
        inner_h = measure.text_h + 2 * measure.pad
        if self.style.caption_inside:
            top = rect.top() + measure.pad / 2
            return QRectF(left, top, measure.bubble_w, inner_h + measure.caption_h), rect, measure
        return QRectF(left, rect.top() + measure.caption_h, measure.bubble_w, inner_h), rect, measure

    # --- painting --------------------------------------------------------------------------------------------------

    def _colours(self, bubble: Bubble) -> tuple[QPen | Qt.PenStyle, str, str]:
        """Outline, fill and text colour."""
        if bubble.partial:
            return QPen(QColor(theme.BORDER), 1.5, Qt.PenStyle.DashLine), theme.SURFACE, theme.MUTED
        outline: QPen | Qt.PenStyle = QPen(QColor(theme.BORDER), 1)
        if bubble.current:
            outline = QPen(QColor(theme.ACCENT), 2.5)
        if bubble.speaker is Speaker.TRAINEE:
            if self.style.trainee_filled:
                return (outline if bubble.current else Qt.PenStyle.NoPen), theme.ACCENT, "white"
            return outline, soft_accent(), theme.TEXT
        if bubble.speaker is Speaker.COACH and self.style.coach_as_hint:
            return outline, theme.BACKGROUND, theme.MUTED
        return outline, theme.SURFACE, theme.TEXT

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        bubble = self.bubble_of(index)
        shape, rect, measure = self._bubble_rect(option, bubble)
        pad = measure.pad
        body, caption = self._fonts(option.font, bubble)
        outline, fill, text_colour = self._colours(bubble)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(outline)
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(shape, pad * 1.4, pad * 1.4)

        painter.setFont(caption)
        painter.setPen(QColor(theme.ACCENT if bubble.current else theme.MUTED))
        if self.style.caption_inside:
            caption_rect = QRectF(
                shape.left() + pad, shape.top() + pad * 0.6, shape.width() - 2 * pad, measure.caption_h
            )
            painter.drawText(caption_rect, Qt.AlignmentFlag.AlignLeft, bubble.caption)
            text_top = caption_rect.bottom()
        else:
            mine = bubble.speaker is Speaker.TRAINEE
            side = Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft
            caption_rect = QRectF(rect.left(), rect.top(), rect.width(), measure.caption_h)
            painter.drawText(caption_rect, side | Qt.AlignmentFlag.AlignVCenter, bubble.caption)
            text_top = shape.top() + pad

        painter.setFont(body)
        painter.setPen(QColor(text_colour))
        text_rect = QRectF(shape.left() + pad, text_top, shape.width() - 2 * pad, measure.text_h + pad)
        painter.drawText(text_rect, int(Qt.TextFlag.TextWordWrap), bubble.text)
        painter.restore()
