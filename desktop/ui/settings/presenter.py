"""Connects the settings page to the app: loads and saves settings and keys, tests connections, and runs the
microphone and speaker tests, all off the GUI thread."""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from desktop import settings as app_settings
from desktop.ui.widgets import theme
from desktop.ui.widgets.tasks import run_in_background

if TYPE_CHECKING:
    from desktop.store.local_data import LocalData
    from desktop.ui.settings.connection_checks import ConnectionResult
    from desktop.ui.settings.form import SaveResult, SettingsForm, SettingsSnapshot
    from desktop.ui.settings.page import SettingsPage

log = logging.getLogger(__name__)

_settings_pool: QThreadPool | None = None
METER_FLOOR_DB = -60.0  # the meter's empty end; quiet room noise sits around -60 to -50 dBFS
METER_INTERVAL_MS = 50
APPEARANCE_KEY = "appearance/scheme"


def settings_pool() -> QThreadPool:
    """One thread for every settings-file write, so two saves never race on the file."""
    global _settings_pool
    if _settings_pool is None:
        _settings_pool = QThreadPool()
        _settings_pool.setMaxThreadCount(1)
    return _settings_pool


def save_settings_in_background(settings: app_settings.Settings) -> None:
    copy = dataclasses.replace(settings)

    def done(_result: Any, error: Exception | None) -> None:
        if error is not None:
            log.error("saving settings failed: %r", error)

    run_in_background(lambda: app_settings.save_settings(copy), done, pool=settings_pool())


def stored_color_scheme() -> str:
    """The light/dark choice from the settings page (a look preference, kept with the window layout)."""
    from desktop.ui.shell.main_window import window_settings

    value = window_settings().value(APPEARANCE_KEY, "system")
    return value if value in theme.SCHEMES else "system"


def store_color_scheme(scheme: str) -> None:
    from desktop.ui.shell.main_window import window_settings

    stored = window_settings()
    stored.setValue(APPEARANCE_KEY, scheme)
    stored.sync()


def meter_value(rms: float) -> float:
    """An RMS level (0..1) on the meter's 0..1 scale, in decibels so speech moves it visibly."""
    if rms <= 0:
        return 0.0
    return max(0.0, min(1.0, (20 * math.log10(rms) - METER_FLOOR_DB) / -METER_FLOOR_DB))


def chime_pcm(rate: int = 16000) -> bytes:
    """Two soft notes, like a doorbell: easy to recognise, never harsh."""
    import numpy as np

    notes = []
    for frequency in (660.0, 880.0):
        t = np.arange(int(rate * 0.3)) / rate
        envelope = np.minimum(1.0, np.minimum(t / 0.02, (t[-1] - t) / 0.08))
        notes.append(0.25 * envelope * np.sin(2 * np.pi * frequency * t))
    samples = np.concatenate(notes)
    return (samples * 32767).astype("<i2").tobytes()


class MicTest(QObject):
    """Opens the chosen microphone and reports its level about 20 times a second until stopped."""

    level = Signal(float)  # meter value 0..1
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mic: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(METER_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self.peak = 0.0
        self._opening = False

    @property
    def running(self) -> bool:
        return self._mic is not None

    def start(self, device: str) -> None:
        if self._mic is not None or self._opening:
            return
        self._opening = True

        def open_mic() -> Any:
            from desktop.voice.audio.streams import MicrophoneStream

            mic = MicrophoneStream(lambda _pcm, _at: None, device=device or None)
            mic.start()
            return mic

        run_in_background(open_mic, self._opened)

    def _opened(self, mic: Any, error: Exception | None) -> None:
        wanted, self._opening = self._opening, False
        if error is None and not wanted:  # stopped while the device was opening
            run_in_background(mic.stop, lambda _r, _e: None)
            return
        if error is not None:
            self.failed.emit(getattr(error, "message", None) or f"The microphone could not be opened ({error}).")
            self.running_changed.emit(False)
            return
        self._mic = mic
        self.peak = 0.0
        self._timer.start()
        self.running_changed.emit(True)

    def _poll(self) -> None:
        if self._mic is None:
            return
        value = meter_value(float(self._mic.level))
        self.peak = max(self.peak, value)
        self.level.emit(value)

    def stop(self) -> None:
        self._opening = False
        mic, self._mic = self._mic, None
        self._timer.stop()
        self.level.emit(0.0)
        if mic is not None:
            run_in_background(mic.stop, lambda _r, _e: None)
            self.running_changed.emit(False)


def play_test_sound(device: str) -> str:
    """Blocking: plays the test tone on `device` (or the default) and waits until it has been heard."""
    from desktop.voice.audio.streams import SpeakerStream

    speaker = SpeakerStream(device=device or None)
    speaker.start()
    try:
        speaker.play(chime_pcm(speaker.rate), 1)
        speaker.drain(3.0)
    finally:
        speaker.stop()
    return device or "your default speaker"


class SettingsPresenter(QObject):
    saved = Signal(object)  # the new Settings, after a save
    loaded = Signal(object)  # SettingsSnapshot

    def __init__(self, state: LocalData, page: SettingsPage) -> None:
        super().__init__(page)
        self._state = state
        self._page = page
        self.snapshot: SettingsSnapshot | None = None
        self._pending_result: SaveResult | None = None
        self.mic_test = MicTest(self)
        page.save_requested.connect(self.save)
        page.revert_requested.connect(self.load)
        page.test_requested.connect(self.test_connection)
        page.mic_test_toggled.connect(self._toggle_mic)
        page.speaker_test_requested.connect(self.test_speaker)
        page.appearance_changed.connect(self.set_appearance)
        self.mic_test.level.connect(page.show_mic_level)
        self.mic_test.failed.connect(lambda message: page.show_audio_message(message, "error"))
        self.mic_test.running_changed.connect(page.set_mic_test_running)
        from desktop.ui.settings.speech import SpeechCardController

        self.speech = SpeechCardController(page.speech, app_settings.data_dir, page.input_device.currentData, self)

    def load(self) -> None:
        from desktop.ui.settings.form import load_snapshot

        settings = self._state.settings
        self._page.show_loading()
        self.speech.load()
        self._page.set_appearance(stored_color_scheme())
        queries = self._state.queries

        def contacts() -> list[tuple[str, str]]:
            from desktop.store.catalog import PersonaCatalog

            return [(persona.id, persona.name) for persona in PersonaCatalog(queries).personas()]

        run_in_background(lambda: load_snapshot(settings, contacts), self._loaded)

    def _loaded(self, snapshot: SettingsSnapshot | None, error: Exception | None) -> None:
        if not shiboken6.isValid(self._page):  # the window closed while the settings were read (the app quitting)
            return
        if error is not None or snapshot is None:
            self._page.show_message(f"Your settings could not be read ({error}).", "error")
            return
        self.snapshot = snapshot
        self._page.show_snapshot(snapshot)
        if self._pending_result is not None:
            self._page.show_saved(self._pending_result)
            self._pending_result = None
        self.loaded.emit(snapshot)

    def save(self, form: SettingsForm) -> None:
        from desktop.ui.settings.form import save_form, validate_form

        errors = validate_form(form, self.snapshot)
        if errors:
            self._page.show_errors(errors)
            return
        current = dataclasses.replace(self._state.settings)
        self._page.show_saving()
        run_in_background(lambda: save_form(current, form), self._saved, pool=settings_pool())

    def _saved(self, result: SaveResult | None, error: Exception | None) -> None:
        if error is not None or result is None:
            log.error("saving settings failed: %r", error)
            self._page.show_message(f"Your settings could not be saved ({error}). Check that the data folder is "
                                    "writable, then try again.", "error")  # fmt: skip
            return
        # Update in place: services that kept a reference to the settings object see the new values.
        for spec in dataclasses.fields(app_settings.Settings):
            setattr(self._state.settings, spec.name, getattr(result.settings, spec.name))
        # The page reloads (key sources may have changed) and then shows how the save went, so the reload does
        # not wipe a message about a key the keyring refused.
        self._pending_result = result
        self.saved.emit(self._state.settings)
        self.load()

    def test_connection(self, service: str, form: SettingsForm) -> None:
        """`service`: elevenlabs, openai or backend. A key typed but not saved yet is tested as typed."""
        from desktop.ui.settings import connection_checks as checks

        def key(name: str) -> str:
            from desktop import secrets

            return form.new_secrets.get(name, "").strip() or (secrets.get_secret(name) or "")

        def job() -> ConnectionResult:
            if service == "elevenlabs":
                agent = form.elevenlabs_agent_id.strip()
                return checks.check_elevenlabs(form.elevenlabs_api_url, agent, key("elevenlabs_api_key"))
            if service == "openai":
                return checks.check_openai(form.openai_base_url, form.openai_model.strip(), key("openai_api_key"))
            if service == "backend":
                from desktop.ui.settings.team import with_identity

                checked = checks.check_backend(form.backend_url, key("backend_token"))
                return with_identity(checked, form.backend_url, key("backend_token"))
            raise ValueError(f"unknown service {service!r}")

        self._page.show_test_running(service)
        run_in_background(job, lambda result, error: self._tested(service, result, error))

    def _tested(self, service: str, result: ConnectionResult | None, error: Exception | None) -> None:
        from desktop.ui.settings.connection_checks import ERROR, ConnectionResult

        if error is not None or result is None:
            result = ConnectionResult(ERROR, f"The test could not run ({error}).")
        self._page.show_test_result(service, result)

    def _toggle_mic(self, on: bool, device: str) -> None:
        if on:
            self.mic_test.start(device)
        else:
            self.mic_test.stop()

    def test_speaker(self, device: str) -> None:
        self._page.show_audio_message("Playing a test sound...", "info")

        def done(name: str | None, error: Exception | None) -> None:
            if error is not None:
                message = getattr(error, "message", None) or f"The speaker could not play ({error})."
                self._page.show_audio_message(message, "error")
            else:
                self._page.show_audio_message(f"Played two notes on {name}. If you heard nothing, check the volume "
                                              "or pick another output.", "ok")  # fmt: skip

        run_in_background(lambda: play_test_sound(device), done)

    def set_appearance(self, scheme: str) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, scheme)
        store_color_scheme(scheme)

    def shutdown(self) -> None:
        self.mic_test.stop()
