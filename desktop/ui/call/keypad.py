"""The in-call keypad: each key plays its DTMF tone; the digits go to the seller as one typed turn.

Like a phone menu, "#" sends at once; otherwise the digits go after a short pause, so "1 2 3" is one message, not
three turns. The keypad opens over the call page at its own size (see InCallPage), so its keys are never squeezed:
each key is at least as big as its digit and letters need, measured in its own font, at any scaling.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

KEYS = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)
SEND_AFTER_MS = 1500
KEY_WIDTH_IN_LINES = 3.4  # a key about as wide as a phone's: easy to hit, and "WXYZ" fits with room


class KeypadKey(QPushButton):
    """A key whose smallest size is what its text needs (the style's padding and border on top), re-measured when
    its font or style changes, so a layout can never cut its digit or letters."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        metrics = self.fontMetrics()
        lines = self.text().split("\n")
        text = QSize(max(metrics.horizontalAdvance(line) for line in lines), metrics.height() * len(lines))
        # The style's own hint adds its padding and border around the text; keep the larger of the two.
        styled = super().sizeHint()
        width = max(styled.width(), text.width() + metrics.height(), round(metrics.height() * KEY_WIDTH_IN_LINES))
        height = max(styled.height(), text.height() + metrics.height() // 2)
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.sizeHint()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()


class Keypad(QFrame):
    key_pressed = Signal(str)  # for the tone
    digits_entered = Signal(str)  # the typed turn to send

    def __init__(self, parent: QWidget | None = None, *, send_after_ms: int = SEND_AFTER_MS) -> None:
        super().__init__(parent, objectName="keypad")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        shadow = QGraphicsDropShadowEffect(self, blurRadius=24, offset=0, color=QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)  # it floats over the call: a shadow says so
        self._digits = ""
        self._send_timer = QTimer(self, singleShot=True, interval=send_after_ms)
        self._send_timer.timeout.connect(self.send_now)
        layout = QVBoxLayout(self)
        self.display = QLabel(objectName="keypadDisplay", alignment=Qt.AlignmentFlag.AlignCenter)
        self.display.setToolTip("The digits you pressed; they are sent after a short pause, or at once with #")
        layout.addWidget(self.display)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.buttons: dict[str, KeypadKey] = {}
        for i, (key, letters) in enumerate(KEYS):
            button = KeypadKey(f"{key}\n{letters}" if letters else key, objectName="keypadKey")
            button.setToolTip(f"Press {key}" + (" (sends the digits now)" if key == "#" else ""))
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[key] = button
        layout.addLayout(grid, 1)
        self._show()

    @property
    def pending(self) -> str:
        return self._digits

    def press(self, key: str) -> None:
        self.key_pressed.emit(key)
        if key == "#":
            self.send_now()
            return
        self._digits += key
        self._show()
        self._send_timer.start()

    def clear(self) -> None:
        """Forget digits not sent yet (the call ended)."""
        self._send_timer.stop()
        self._digits = ""
        self._show()

    def send_now(self) -> None:
        self._send_timer.stop()
        digits, self._digits = self._digits, ""
        self._show()
        if digits:
            self.digits_entered.emit(digits)

    def _show(self) -> None:
        self.display.setText(self._digits or "Keypad")
        self.display.setProperty("empty", not self._digits)
        self.display.style().unpolish(self.display)
        self.display.style().polish(self.display)
