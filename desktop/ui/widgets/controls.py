"""Small building blocks the shell's screens share: a segmented choice, chips, round avatars, field error labels."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop.ui.widgets import theme


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


def paint_avatar(painter: QPainter, rect: QRectF, name: str, color: str) -> None:
    """A filled circle in the persona's colour with their initials, sized to `rect`."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(rect)
    font = QFont(painter.font())
    font.setPixelSize(max(6, int(rect.height() * 0.38)))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.restore()


def avatar_icon(name: str, color: str, size: int = 64) -> QIcon:
    """The avatar as an icon (for list rows); drawn large so it stays sharp when scaled down."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_avatar(painter, QRectF(0, 0, size, size), name, color)
    painter.end()
    return QIcon(pixmap)


class Avatar(QWidget):
    """A persona's round avatar; the size is in logical pixels, so it scales with the screen like the text."""

    def __init__(self, diameter: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = ""
        self._color = theme.MUTED
        self.setFixedSize(diameter, diameter)

    def set_person(self, name: str, color: str) -> None:
        self._name, self._color = name, color
        self.setAccessibleName(f"Avatar of {name}")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        paint_avatar(painter, QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self._name, self._color)


class Chip(QLabel):
    def __init__(self, text: str = "", tooltip: str = "") -> None:
        super().__init__(text, objectName="chip")
        self.setTextFormat(Qt.TextFormat.PlainText)  # chips show data (a persona's traits)
        if tooltip:
            self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)


class Banner(QFrame):
    """A coloured message box (kind info, warning or error). A frame around a plain label, because a word-wrapped
    label with stylesheet padding gets its height wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel(wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.set_message("", "info")

    def set_message(self, text: str, kind: str = "info") -> None:
        self.label.setText(text)
        self.setProperty("kind", kind)
        for widget in (self, self.label):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def text(self) -> str:
        return self.label.text()


class FieldError(QLabel):
    """The message shown right under a form field; hidden while the field is fine."""

    def __init__(self) -> None:
        super().__init__(objectName="fieldError", wordWrap=True)
        self.hide()

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Red border through the global stylesheet's [invalid="true"] rule."""
    if widget.property("invalid") == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class SegmentedControl(QWidget):
    """A row of joined, mutually exclusive buttons (like iOS's segmented control)."""

    changed = Signal(str)

    def __init__(self, options: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """`options`: (value, label, tooltip) in order."""
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for value, label, tooltip in options:
            button = QPushButton(label, objectName="segment", checkable=True)
            button.setToolTip(tooltip)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, v=value: self.changed.emit(v))
            self._group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        buttons = list(self.buttons.values())
        for index, button in enumerate(buttons):
            last = len(buttons) - 1
            button.setProperty("position", "first" if index == 0 else "last" if index == last else "middle")
        if buttons:
            buttons[0].setChecked(True)

    def value(self) -> str:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return ""

    def set_value(self, value: str) -> None:
        """Selects `value` without emitting `changed` (that is for the user's clicks)."""
        button = self.buttons.get(value)
        if button is not None:
            button.setChecked(True)

    def set_color(self, value: str, color: str) -> None:
        """A coloured marker for one option (difficulty levels have their own colours)."""
        fill = theme.fill_for_white(color)  # dark mode's light level colours are made for text, not under it
        self.buttons[value].setStyleSheet(
            f"QPushButton:checked {{ background: {fill}; border-color: {fill}; color: white; }}"
        )
