"""The seller's avatar with a ring that grows and glows with the agent's voice level."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.ui.widgets.controls import initials

SPEAKING_FLOOR = 0.3  # a speaking agent with no level meter (typed calls) still shows a ring
LEVEL_GAIN = 3.0  # speech RMS sits around 0.05-0.3; this spreads it over the ring's range


class VoiceRing(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = ""
        self._color = QColor("#5B7083")
        self._level = 0.0
        self._speaking = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("The seller. The ring moves with their voice.")
        self._describe()

    def set_persona(self, name: str, color: str) -> None:
        self._name = name
        self._color = QColor(color)
        self._describe()
        self.update()

    def set_level(self, level: float) -> None:
        level = min(1.0, max(0.0, level * LEVEL_GAIN))
        if abs(level - self._level) >= 0.01:
            self._level = level
            self.update()

    def set_speaking(self, speaking: bool) -> None:
        if speaking != self._speaking:
            self._speaking = speaking
            self._describe()
            self.update()

    def _describe(self) -> None:
        """The ring's text equivalent: who the seller is and whether they are speaking (not every level change)."""
        self.setAccessibleName(f"{self._name}, the seller" if self._name else "The seller")
        self.setAccessibleDescription("Speaking" if self._speaking else "Silent")

    @property
    def shown_level(self) -> float:
        return max(self._level, SPEAKING_FLOOR if self._speaking else 0.0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        side = self.fontMetrics().height() * 8
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        side = self.fontMetrics().height() * 4
        return QSize(side, side)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        centre = QPointF(self.width() / 2, self.height() / 2)
        radius = side * 0.30
        level = self.shown_level
        if level > 0:
            # Two soft halos whose size follows the voice: the outer one wide and faint, the inner one close and firm.
            for reach, alpha in ((0.55, 60), (0.28, 120)):
                glow = QColor(self._color)
                glow.setAlpha(int(alpha * min(1.0, 0.5 + level)))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(glow)
                r = radius * (1 + reach * min(1.0, level))
                painter.drawEllipse(centre, r, r)
        ring = QColor(self._color).lighter(135) if level > 0 else QColor(self._color).lighter(160)
        painter.setPen(QPen(ring, max(2.0, side * 0.015)))
        painter.setBrush(self._color)
        painter.drawEllipse(centre, radius, radius)
        font = QFont(self.font())
        font.setPixelSize(max(8, int(radius * 0.7)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, initials(self._name))
        painter.end()
