"""The in-call keypad: each key plays its DTMF tone; the digits go to the seller as one typed turn.

Like a phone menu, "#" sends at once; otherwise the digits go after a short pause, so "1 2 3" is one message, not
three turns.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

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


class Keypad(QFrame):
    key_pressed = Signal(str)  # for the tone
    digits_entered = Signal(str)  # the typed turn to send

    def __init__(self, parent: QWidget | None = None, *, send_after_ms: int = SEND_AFTER_MS) -> None:
        super().__init__(parent, objectName="keypad")
        self._digits = ""
        self._send_timer = QTimer(self, singleShot=True, interval=send_after_ms)
        self._send_timer.timeout.connect(self.send_now)
        layout = QVBoxLayout(self)
        self.display = QLabel(objectName="keypadDisplay", alignment=Qt.AlignmentFlag.AlignCenter)
        self.display.setToolTip("The digits you pressed; they are sent after a short pause, or at once with #")
        layout.addWidget(self.display)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, letters) in enumerate(KEYS):
            button = QPushButton(f"{key}\n{letters}" if letters else key, objectName="keypadKey")
            button.setToolTip(f"Press {key}" + (" (sends the digits now)" if key == "#" else ""))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
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
