"""The call's control bar: mute with a mic level meter, camera, devices, keypad, voice/typing, and the red end button.

It only emits what the user wants; the call screen decides what that means for the call.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop.ui.widgets import theme
from desktop.ui.widgets.icons import icon

METER_SEGMENTS = 8
METER_GAIN = 4.0  # speech RMS rarely passes 0.25; the meter should still reach its top


class LevelMeter(QWidget):
    """A row of segments lit up to the microphone's level; grey while muted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = 0.0
        self._muted = False
        self.setToolTip("Your microphone level")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    @property
    def level(self) -> float:
        return self._level

    def set_level(self, level: float) -> None:
        level = min(1.0, max(0.0, level * METER_GAIN))
        if abs(level - self._level) >= 1 / (2 * METER_SEGMENTS):
            self._level = level
            self.update()

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        unit = self.fontMetrics().height()
        return QSize(int(unit * 3.2), max(6, unit // 3))

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        gap = 2
        seg_w = (self.width() - gap * (METER_SEGMENTS - 1)) / METER_SEGMENTS
        lit = round(self._level * METER_SEGMENTS)
        for i in range(METER_SEGMENTS):
            if self._muted or i >= lit:
                color = QColor(theme.BORDER)
            else:
                color = QColor(theme.SUCCESS if i < METER_SEGMENTS * 0.75 else theme.WARNING)
            painter.setBrush(color)
            painter.drawRoundedRect(int(i * (seg_w + gap)), 0, int(seg_w), self.height(), 2, 2)
        painter.end()


def _button(text: str, icon_name: str, tip: str, *, checkable: bool = False, name: str = "callButton") -> QToolButton:
    button = QToolButton(objectName=name)
    button.setText(text)
    button.setIcon(icon(icon_name, theme.TEXT if name == "callButton" else "white"))
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    unit = button.fontMetrics().height()
    button.setIconSize(QSize(int(unit * 1.6), int(unit * 1.6)))
    button.setMinimumWidth(unit * 5)
    return button


class ControlBar(QFrame):
    mute_toggled = Signal(bool)
    camera_toggled = Signal(bool)
    keypad_toggled = Signal(bool)
    typing_toggled = Signal(bool)
    input_device_chosen = Signal(str)
    output_device_chosen = Signal(str)
    end_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="controlBar")
        layout = QHBoxLayout(self)
        layout.addStretch(1)

        self.mute_button = _button("Mute", "mic", "Mute your microphone (Space)", checkable=True)
        self.mute_button.toggled.connect(self._on_mute)
        self.meter = LevelMeter()
        mute_box = QVBoxLayout()
        mute_box.setSpacing(4)
        mute_box.addWidget(self.mute_button, 0, Qt.AlignmentFlag.AlignHCenter)
        mute_box.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(mute_box)

        self.camera_button = _button("Camera", "camera", "Turn your camera off", checkable=True)
        self.camera_button.setChecked(True)
        self.camera_button.toggled.connect(self._on_camera)
        self.devices_button = _button("Devices", "devices", "Choose your microphone and speaker")
        self.devices_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.devices_menu = QMenu(self.devices_button)
        self.devices_button.setMenu(self.devices_menu)
        self.keypad_button = _button("Keypad", "dialpad", "Show the keypad", checkable=True)
        self.keypad_button.toggled.connect(self.keypad_toggled)
        self.typing_button = _button("Typing", "keyboard", "Type instead of talking (Enter sends)", checkable=True)
        self.typing_button.toggled.connect(self._on_typing)
        for button in (self.camera_button, self.devices_button, self.keypad_button, self.typing_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addSpacing(self.fontMetrics().height())
        self.end_button = _button("End", "hang_up", "End the call (Esc asks first)", name="endCallButton")
        self.end_button.clicked.connect(self.end_requested)
        layout.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        self.set_devices([], [], "", "")

    # --- state from the screen ---------------------------------------------------------------------------------

    def set_voice_available(self, available: bool) -> None:
        """A typed call has no microphone: mute and the meter go, typing is on and stays on."""
        self.mute_button.setEnabled(available)
        self.meter.setVisible(available)
        self.devices_button.setEnabled(available)
        if available:
            self.typing_button.setToolTip("Type instead of talking (Enter sends)")
        else:
            self.typing_button.setChecked(True)
            self.typing_button.setToolTip("This is a typed call; place a voice call to talk")
        self.typing_button.setEnabled(available)

    def set_camera_available(self, available: bool) -> None:
        self.camera_button.setEnabled(available)
        on = self.camera_button.isChecked()
        self.camera_button.setToolTip("Turn your camera " + ("off" if on else "on") if available else "No camera found")

    def set_level(self, level: float) -> None:
        self.meter.set_level(level)

    def set_devices(self, inputs: list[str], outputs: list[str], current_input: str, current_output: str) -> None:
        self.devices_menu.clear()
        self._device_section("Microphone", inputs, current_input, self.input_device_chosen)
        self.devices_menu.addSeparator()
        self._device_section("Speaker", outputs, current_output, self.output_device_chosen)

    def _device_section(self, title: str, names: list[str], current: str, signal) -> None:
        self.devices_menu.addSection(title)
        if not names:
            empty = QAction("System default", self.devices_menu, enabled=False)
            self.devices_menu.addAction(empty)
            return
        group = QActionGroup(self.devices_menu)
        for name in names:
            action = QAction(name, self.devices_menu, checkable=True)
            action.setChecked(name == current or (not current and name == names[0]))
            action.setToolTip(f"Use {name} as your {title.lower()}")
            action.triggered.connect(lambda _=False, n=name: signal.emit(n))
            group.addAction(action)
            self.devices_menu.addAction(action)

    # --- the user's clicks -------------------------------------------------------------------------------------

    def _on_mute(self, muted: bool) -> None:
        self.mute_button.setText("Unmute" if muted else "Mute")
        self.mute_button.setIcon(icon("mic_off" if muted else "mic", theme.DANGER if muted else theme.TEXT))
        self.mute_button.setToolTip(("Unmute" if muted else "Mute") + " your microphone (Space)")
        self.meter.set_muted(muted)
        self.mute_toggled.emit(muted)

    def _on_camera(self, on: bool) -> None:
        self.camera_button.setIcon(icon("camera" if on else "camera_off", theme.TEXT))
        self.camera_button.setToolTip("Turn your camera " + ("off" if on else "on"))
        self.camera_toggled.emit(on)

    def _on_typing(self, typing: bool) -> None:
        self.typing_button.setToolTip(
            "Hide the typing line and talk" if typing else "Type instead of talking (Enter sends)"
        )
        self.typing_toggled.emit(typing)
