"""The settings page's sound card: microphone and speaker choice, the microphone test with its level meter, the
speaker test, the echo guard and whether the practice partner speaks aloud."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.ui.settings.fields import FormCard
from desktop.ui.settings.form import SettingsSnapshot
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import FieldError

DEFAULT_DEVICE = ""  # an empty name means "the system's default device"
ECHO_GUARD_HELP = (
    "Turns your microphone down while the seller speaks, so sound from laptop speakers does not interrupt them. "
    "Headphones are advised: with headphones, leave this off."
)
PARTNER_VOICE_HELP = (
    "The built-in practice partner reads its lines aloud when your computer has a speech engine. "
    "Turn this off to read them on screen only. (An ElevenLabs agent always speaks.)"
)


def _row(*widgets: QWidget, stretch_last: bool = False) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if stretch_last and index == len(widgets) - 1 else 0)
    if not stretch_last:
        layout.addStretch(1)
    return holder


class SoundCard(FormCard):
    mic_test_toggled = Signal(bool, str)  # on, input device
    speaker_test_requested = Signal(str)  # output device

    def __init__(self) -> None:
        super().__init__("Sound")
        self.errors: dict[str, FieldError] = {}
        self.input_device = QComboBox()
        self.input_device.setToolTip("The microphone your calls use")
        self.errors["input_device"] = self.add_row("Microphone", self.input_device)
        self.mic_button = QPushButton(" Test microphone", checkable=True)
        self.mic_button.setIcon(icons.icon("mic"))
        self.mic_button.setToolTip("Speak and watch the meter move; click again to stop")
        self.mic_button.toggled.connect(lambda on: self.mic_test_toggled.emit(on, self.input_device.currentData()))
        self.mic_meter = QProgressBar(textVisible=False, maximum=100)
        self.mic_meter.setToolTip("Your microphone's level")
        self.mic_meter.setAccessibleName("Microphone level")
        self.add_row("", _row(self.mic_button, self.mic_meter, stretch_last=True))

        self.output_device = QComboBox()
        self.output_device.setToolTip("The speaker or headphones the seller's voice plays on")
        self.errors["output_device"] = self.add_row("Speaker", self.output_device)
        self.speaker_button = QPushButton(" Play test sound")
        self.speaker_button.setIcon(icons.icon("speaker"))
        self.speaker_button.setToolTip("Play two short notes on the chosen speaker")
        self.speaker_button.clicked.connect(lambda: self.speaker_test_requested.emit(self.output_device.currentData()))
        self.add_row("", _row(self.speaker_button))

        self.echo_guard = QCheckBox("Echo guard (headphones advised)")
        self.echo_guard.setToolTip(ECHO_GUARD_HELP)
        self.add_row("", self.echo_guard)
        self.add_wide(QLabel(ECHO_GUARD_HELP, objectName="muted", wordWrap=True))
        self.add_gap()
        self.partner_voice = QCheckBox("Speaks its lines aloud")
        self.partner_voice.setToolTip(PARTNER_VOICE_HELP)
        self.add_row("Practice partner", self.partner_voice, PARTNER_VOICE_HELP)
        self.audio_message = QLabel(wordWrap=True)
        self.audio_message.hide()
        self.add_wide(self.audio_message)

    def show_devices(self, snapshot: SettingsSnapshot, chosen_input: str, chosen_output: str) -> None:
        _fill(self.input_device, snapshot.inputs, snapshot.default_input, chosen_input)
        _fill(self.output_device, snapshot.outputs, snapshot.default_output, chosen_output)

    def show_mic_level(self, value: float) -> None:
        self.mic_meter.setValue(int(round(value * 100)))

    def set_mic_test_running(self, running: bool) -> None:
        self.mic_button.blockSignals(True)
        self.mic_button.setChecked(running)
        self.mic_button.setText(" Stop test" if running else " Test microphone")
        self.mic_button.blockSignals(False)

    def show_audio_message(self, text: str, kind: str) -> None:
        color = {"ok": theme.SUCCESS, "error": theme.DANGER, "warning": theme.WARNING}.get(kind, theme.MUTED)
        self.audio_message.setStyleSheet(f"color: {color};")
        self.audio_message.setText(text)
        self.audio_message.setVisible(bool(text))

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        if self.mic_button.isChecked():  # leaving the page ends the microphone test
            self.mic_button.setChecked(False)
        super().hideEvent(event)


def _fill(combo: QComboBox, names: list[str], default: str, chosen: str) -> None:
    combo.clear()
    combo.addItem(f"System default ({default})" if default else "System default", DEFAULT_DEVICE)
    for name in names:
        combo.addItem(name, name)
    if chosen and combo.findData(chosen) < 0:
        combo.addItem(f"{chosen} (not connected)", chosen)
    combo.setCurrentIndex(max(0, combo.findData(chosen)))
