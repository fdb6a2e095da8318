"""A wrapped label that, when its panel is too short for all of its text, shows the lines that fit whole and ends the
last one with "…" (the whole text in its tooltip), instead of cutting a line through the middle of its letters."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.ui.widgets.plain_text import tooltip


class WholeLinesLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, **properties) -> None:
        super().__init__(text, parent, **properties)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(tooltip(text))
        # It asks for all its lines and may shrink to one; what does not fit is elided, not cut.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(tooltip(text))
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return False  # a layout would take the wrapped height as the minimum too, and the label could not shrink

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(super().minimumSizeHint().width(), self.fontMetrics().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        width = max(self.width(), self.fontMetrics().averageCharWidth() * 20)
        return QSize(super().sizeHint().width(), self.heightForWidth(width))

    def lines_shown(self) -> int:
        """How many lines of the text are drawn now (for tests): all of them when there is room."""
        return len(self._lines()[0])

    def _lines(self) -> tuple[list[str], bool]:
        """The lines that fit whole in the label's height, and whether some text was left out."""
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        layout = QTextLayout(self.text(), self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        lines: list[str] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            lines.append(self.text()[line.textStart() : line.textStart() + line.textLength()].strip())
        layout.endLayout()
        room = max(1, rect.height() // max(1, metrics.lineSpacing()))
        return lines[:room], len(lines) > room

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        lines, cut = self._lines()
        if cut and lines:
            rest = lines[-1] + " …"
            lines[-1] = self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, self.contentsRect().width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        spacing = self.fontMetrics().lineSpacing()
        top = rect.top() + max(0, (rect.height() - spacing * len(lines)) // 2)
        for index, text in enumerate(lines):
            band = QRectF(QPointF(rect.left(), top + index * spacing), QSize(rect.width(), spacing).toSizeF())
            painter.drawText(band, int(self.alignment() & Qt.AlignmentFlag.AlignHorizontal_Mask), text)
        painter.end()
