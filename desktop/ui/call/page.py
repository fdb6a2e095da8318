"""The in-call page's layout: header with the timer, banners, the three panels, the hint strip, the live transcript,
the typing line, and the control bar; the keypad opens over them. Behaviour lives in screen.py."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clock import format_clock
from desktop.core.limits import TimerState
from desktop.ui.call.control_bar import ControlBar
from desktop.ui.call.hint_strip import HintStrip
from desktop.ui.call.keypad import Keypad
from desktop.ui.call.panels import AiPanel, CoachPanel
from desktop.ui.call.self_view import SelfView
from desktop.ui.call.transcript_view import TranscriptView
from desktop.ui.widgets import theme
from desktop.ui.widgets.icons import icon, icon_pixmap
from desktop.ui.widgets.plain_text import plain

URGENT_S = 30  # the countdown turns red for the last half minute
KEYPAD_GAP = 8  # between the open keypad and the row below it


class CallHeader(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="callHeader")
        layout = QHBoxLayout(self)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name = QLabel(objectName="callName")
        self.details = QLabel(objectName="muted")
        plain(self.name, self.details)
        names.addWidget(self.name)
        names.addWidget(self.details)
        layout.addLayout(names, 1)
        self.countdown = QLabel(objectName="countdown")
        self.countdown.setToolTip("Time left before the call ends by itself")
        self.countdown.hide()
        layout.addWidget(self.countdown, 0, Qt.AlignmentFlag.AlignVCenter)
        self.timer = QLabel("00:00", objectName="callTimer")
        self.timer.setToolTip("How long the call has been going")
        layout.addWidget(self.timer, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_call(self, name: str, details: str) -> None:
        self.name.setText(name)
        self.details.setText(details)
        self.timer.setText("00:00")
        self.countdown.hide()

    def show_time(self, state: TimerState) -> None:
        self.timer.setText(format_clock(state.elapsed_s))
        if state.show_countdown and state.remaining_s is not None:
            self.countdown.setText(f"{format_clock(state.remaining_s, round_up=True)} left")
            urgent = state.remaining_s <= URGENT_S
            if self.countdown.property("urgent") != urgent:
                self.countdown.setProperty("urgent", urgent)
                self.countdown.style().unpolish(self.countdown)
                self.countdown.style().polish(self.countdown)
            self.countdown.show()
        else:
            self.countdown.hide()


class CallNotice(QFrame):
    """A one-line notice with an icon and a close button: the time warning, or a problem the call survived."""

    def __init__(self, name: str, icon_name: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName=name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        picture = QLabel()
        picture.setPixmap(icon_pixmap(icon_name, color, self.fontMetrics().height()))
        layout.addWidget(picture)
        self.text = QLabel(wordWrap=True)
        layout.addWidget(self.text, 1)
        close = QToolButton(text="\u2715", toolTip="Hide this notice", autoRaise=True)
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.show()


class ConfirmBar(QFrame):
    """ "End this call?" inline, so the conversation stays in view and nothing modal blocks the call's updates."""

    confirmed = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="confirmBar")
        layout = QHBoxLayout(self)
        layout.addWidget(QLabel("<b>End this call?</b> Your call is saved and graded.", objectName="confirmText"), 1)
        self.keep = QPushButton("Keep talking", toolTip="Go back to the call (Esc)")
        self.end = QPushButton("End call", objectName="confirmEnd", toolTip="Hang up now (Enter)")
        for button in (self.keep, self.end):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            layout.addWidget(button)
        self.keep.clicked.connect(self.cancelled)
        self.end.clicked.connect(self.confirmed)
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.confirmed)
        self.hide()


class TypingRow(QWidget):
    send_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.input = QLineEdit(objectName="typeInput", placeholderText="Type what you would say, then press Enter")
        self.input.setToolTip("Your next line to the seller. Enter sends it.")
        self.input.setClearButtonEnabled(True)
        self.send = QPushButton(" Send", objectName="sendButton", toolTip="Send this line (Enter)")
        self.send.setIcon(icon("send", "white"))
        self.send.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.send)
        self.input.returnPressed.connect(self._send)
        self.send.clicked.connect(self._send)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self.input, context=Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self._send)

    def _send(self) -> None:
        text = self.input.text().strip()
        if text and self.input.isEnabled():
            self.input.clear()
            self.send_requested.emit(text)


class InCallPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.header = CallHeader()
        layout.addWidget(self.header)
        self.time_banner = CallNotice("timeBanner", "warning", theme.WARNING)
        self.problem_banner = CallNotice("problemBanner", "warning", theme.DANGER)
        self.info_banner = CallNotice("infoBanner", "keyboard", theme.ACCENT)
        self.confirm = ConfirmBar()
        for widget in (self.info_banner, self.time_banner, self.problem_banner, self.confirm):
            layout.addWidget(widget)

        # The panels and the conversation share the height through a splitter the trainee can drag (remembered).
        self.splitter = QSplitter(Qt.Orientation.Vertical, childrenCollapsible=False)
        self.splitter.setHandleWidth(10)
        top = QWidget()
        panels = QHBoxLayout(top)
        panels.setContentsMargins(0, 0, 0, 0)
        panels.setSpacing(10)
        self.self_view = SelfView()
        self.ai_panel = AiPanel()
        self.coach_panel = CoachPanel()
        panels.addWidget(self.self_view, 4)
        panels.addWidget(self.ai_panel, 5)
        panels.addWidget(self.coach_panel, 2)
        self.splitter.addWidget(top)

        bottom = QWidget()
        conversation = QVBoxLayout(bottom)
        conversation.setContentsMargins(0, 0, 0, 0)
        conversation.setSpacing(10)
        self.hints = HintStrip()
        conversation.addWidget(self.hints)
        self.transcript = TranscriptView()
        conversation.addWidget(self.transcript, 1)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 8)
        layout.addWidget(self.splitter, 1)

        self.typing = TypingRow()
        self.typing.hide()
        layout.addWidget(self.typing)
        self.controls = ControlBar()
        layout.addWidget(self.controls)

        # The keypad floats over the page at its own size, above its button, like a phone's. In the layout beside
        # the transcript it had to share what a small window (or 200 % scaling) leaves, and its keys were cut.
        self.keypad = Keypad(self)
        self.keypad.hide()
        for widget in (self.controls, self.typing):
            widget.installEventFilter(self)

    def set_keypad_open(self, open_: bool) -> None:
        self.keypad.setVisible(open_)
        if open_:
            self.place_keypad()
            self.keypad.raise_()

    def place_keypad(self) -> None:
        """Above the row below it (the typing line or the control bar), centred on its button, inside the page.
        When the page is shorter than the keypad (it is not, at the smallest window), the keypad's top stays in
        view and the bottom goes behind the controls rather than off the page."""
        keypad = self.keypad
        size = keypad.sizeHint().boundedTo(self.size())
        below = self.typing if self.typing.isVisible() else self.controls
        bottom = below.geometry().top() - KEYPAD_GAP
        button = self.controls.keypad_button
        centre = button.mapTo(self, button.rect().center()).x()
        left = min(max(0, centre - size.width() // 2), self.width() - size.width())
        top = max(0, bottom - size.height())
        keypad.setGeometry(QRect(left, top, size.width(), size.height()))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.keypad.isVisible():
            self.place_keypad()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # The rows under the keypad moved, appeared or went (typing turned on, the window resized): follow them.
        moved = (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide)
        if event.type() in moved and self.keypad.isVisible():
            self.place_keypad()
        return False
