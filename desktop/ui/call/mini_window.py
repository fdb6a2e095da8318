"""The small always-on-top window a call lives in when the trainee closes the main window mid-call and chooses to
keep talking: who is on the line, for how long, mute, back to the full window, and the red end button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop.core.clock import format_clock
from desktop.core.limits import TimerState
from desktop.settings import APP_NAME
from desktop.ui.call.style import call_style
from desktop.ui.widgets import theme
from desktop.ui.widgets.controls import Avatar
from desktop.ui.widgets.icons import icon
from desktop.ui.widgets.plain_text import plain

EDGE_MARGIN = 24  # from the screen's corner, clear of a taskbar's rounded edge


def _button(text: str, icon_name: str, color: str, tip: str, name: str) -> QToolButton:
    button = QToolButton(objectName=name, text=text, toolTip=tip)
    button.setIcon(icon(icon_name, color))
    unit = button.fontMetrics().height()
    button.setIconSize(QSize(unit, unit))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class MiniCallWindow(QWidget):
    """Mirrors the call screen it is made for; its buttons press the call screen's own (so both stay in step)."""

    open_requested = Signal()  # back to the full window

    def __init__(self, screen) -> None:  # a desktop.ui.call.screen.CallScreen (not imported: it imports us)
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("miniCall")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(call_style() + f"QWidget#miniCall {{ background: {theme.SURFACE}; }}")
        self.setWindowTitle(f"Call \u00b7 {APP_NAME}")
        self._screen = screen
        controls = screen.page.controls

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        who = QHBoxLayout()
        who.setSpacing(10)
        self.avatar = Avatar(self.fontMetrics().height() * 2 + 4)
        who.addWidget(self.avatar)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name = QLabel(objectName="miniName")
        self.name.setStyleSheet("font-weight: 600;")
        self.timer = QLabel("00:00", objectName="callTimer")
        self.timer.setToolTip("How long the call has been going")
        plain(self.name)
        names.addWidget(self.name)
        names.addWidget(QLabel("In a call", objectName="muted"))
        who.addLayout(names, 1)
        who.addWidget(self.timer, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(who)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.mute = _button("Mute", "mic", theme.TEXT, "Mute your microphone", "callButton")
        self.mute.setCheckable(True)
        self.open = _button("Open", "window", theme.TEXT, f"Back to the full {APP_NAME} window", "callButton")
        self.end = _button("End", "hang_up", "white", "End the call now; it is saved and graded", "endCallButton")
        for button in (self.mute, self.open):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.end)
        layout.addLayout(buttons)

        # The call screen's mute button is the one truth: ours presses it and follows it.
        self.mute.clicked.connect(lambda: controls.mute_button.toggle())
        controls.mute_button.toggled.connect(self._show_muted)
        self.open.clicked.connect(self.open_requested)
        self.end.clicked.connect(screen.hang_up)
        screen.adapter.timer_tick.connect(self._on_tick)

    def show_for_call(self) -> None:
        """Shows the call as it is now, in the bottom right corner of the screen."""
        screen, controls = self._screen, self._screen.page.controls
        plan = screen.plan
        if plan is not None:
            self.name.setText(plan.persona.name)
            self.avatar.set_person(plan.persona.name, plan.persona.avatar_color)
            self.setWindowTitle(f"Call with {plan.persona.name} \u00b7 {APP_NAME}")
        self.timer.setText(screen.page.header.timer.text())
        self.mute.setEnabled(controls.mute_button.isEnabled())
        self.mute.setVisible(not (plan is not None and plan.typed))
        self._show_muted(controls.mute_button.isChecked())
        self.adjustSize()
        display = QGuiApplication.primaryScreen()
        if display is not None:
            area = display.availableGeometry()
            self.move(area.right() - self.width() - EDGE_MARGIN, area.bottom() - self.height() - EDGE_MARGIN)
        self.show()
        self.raise_()

    def _show_muted(self, muted: bool) -> None:
        self.mute.setChecked(muted)
        self.mute.setText("Unmute" if muted else "Mute")
        self.mute.setIcon(icon("mic_off" if muted else "mic", theme.DANGER if muted else theme.TEXT))

    def _on_tick(self, state: TimerState) -> None:
        self.timer.setText(format_clock(state.elapsed_s))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        # The trainee closing this window must not lose the call out of sight: it goes back to the full window.
        # A close the app sends itself (quitting) is not spontaneous and just closes.
        if event.spontaneous():
            self.open_requested.emit()
        event.accept()
