"""The recording player of the review: play/pause, a seek bar, the time, and the playback speed.

QMediaPlayer decodes and plays on its own threads; this widget only forwards the user's choices and shows where
playback is. Without a recording it stays visible but disabled, with a line saying why there is no audio.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout

from desktop.core.clock import format_clock
from desktop.ui.widgets import icons

SPEEDS = (0.75, 1.0, 1.25, 1.5, 2.0)
SEEK_STEP_MS = 5000
# Painted in the theme's accent (looked up at paint time): the style's stock media icons are dark grey, nearly
# invisible on the dark theme.
PLAY_ICON_COLOR = "ACCENT"


class RecordingPlayer(QFrame):
    position_changed = Signal(int)  # milliseconds into the recording
    playing_changed = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self._duration_ms = 0
        self._has_media = False

        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.play_button = QToolButton()
        self.play_button.setToolTip("Play or pause the recording (Space)")
        self.play_button.setAutoRaise(False)
        self.play_button.setIcon(icons.icon("play", PLAY_ICON_COLOR))
        self.play_button.setIconSize(QSize(20, 20))
        self.play_button.setAccessibleName("Play")
        self.play_button.clicked.connect(self.toggle)
        row.addWidget(self.play_button)
        self.elapsed = QLabel("0:00")
        self.elapsed.setToolTip("Where playback is")
        row.addWidget(self.elapsed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Drag to move through the call (Left / Right arrows: 5 seconds)")
        self.slider.setRange(0, 0)
        self.slider.sliderMoved.connect(self.seek)
        self.slider.sliderReleased.connect(lambda: self.seek(self.slider.value()))
        row.addWidget(self.slider, 1)
        self.length = QLabel("0:00")
        self.length.setObjectName("muted")
        self.length.setToolTip("Length of the recording")
        row.addWidget(self.length)
        self.speed = QComboBox()
        self.speed.setToolTip("Playback speed")
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(lambda _i: self.player.setPlaybackRate(self.speed.currentData()))
        row.addWidget(self.speed)
        layout.addLayout(row)
        self.note = QLabel("")
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)

        self.player.positionChanged.connect(self._position_changed)
        self.player.durationChanged.connect(self._duration_changed)
        self.player.playbackStateChanged.connect(self._state_changed)
        self.player.errorOccurred.connect(self._error)
        self._set_enabled(False)

    # -- API -------------------------------------------------------------------------------------------------------

    @property
    def has_media(self) -> bool:
        return self._has_media

    @property
    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    @property
    def position(self) -> int:
        return self.player.position()

    def load(self, path: Path | None, reason: str = "", length_ms: int = 0) -> None:
        """Plays `path` when given; otherwise shows `reason`. length_ms: the call's length until the file's is known."""
        self.player.stop()
        self._duration_changed(length_ms)
        self._position_changed(0)
        if path is None:
            self._has_media = False
            self.player.setSource(QUrl())
            self._set_enabled(False)
            self.note.setText(reason)
            self.note.setVisible(bool(reason))
            return
        self._has_media = True
        self.note.hide()
        self._set_enabled(True)
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    def unload(self) -> None:
        self.load(None)

    def play(self) -> None:
        if self._has_media:
            self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def toggle(self) -> None:
        self.pause() if self.is_playing else self.play()

    def seek(self, position_ms: int) -> None:
        if self._has_media:
            self.player.setPosition(max(0, int(position_ms)))

    def step(self, delta_ms: int) -> None:
        self.seek(self.player.position() + delta_ms)

    def set_speed(self, rate: float) -> None:
        index = self.speed.findData(rate)
        if index >= 0:
            self.speed.setCurrentIndex(index)

    # -- internals -------------------------------------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.slider, self.speed):
            widget.setEnabled(enabled)

    def _position_changed(self, position: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(position)
        self.elapsed.setText(format_clock(position / 1000))
        self.position_changed.emit(position)

    def _duration_changed(self, duration: int) -> None:
        if duration <= 0 and self._duration_ms and self._has_media:
            return
        self._duration_ms = max(0, duration)
        self.slider.setRange(0, self._duration_ms)
        self.length.setText(format_clock(self._duration_ms / 1000))

    def _state_changed(self, _state) -> None:
        self.play_button.setIcon(icons.icon("pause" if self.is_playing else "play", PLAY_ICON_COLOR))
        self.play_button.setAccessibleName("Pause" if self.is_playing else "Play")
        self.playing_changed.emit(self.is_playing)

    def _error(self, _error, message: str) -> None:
        self._has_media = False
        self._set_enabled(False)
        self.note.setText(f"The recording could not be played ({message}). The transcript is all here.")
        self.note.show()
