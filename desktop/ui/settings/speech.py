"""Settings -> Speech: which speech model the practice partner hears with, the larger models to download (size,
expected speed, progress, cancel; a download resumes where it stopped), and a "say something" test that records a few
seconds from the chosen microphone and shows what the recogniser heard and how fast.

The card is a view (`SpeechCard`); `SpeechCardController` does the work off the GUI thread (loading the model,
recording, downloading) and reports back through queued signals. The chosen model is kept in the data folder
(`speech.models.choose_model`), not in settings.json, and applies from the next call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.speech import models
from desktop.ui.settings.fields import FormCard
from desktop.ui.widgets import theme
from desktop.ui.widgets.tasks import run_in_background

log = logging.getLogger(__name__)

TEST_SECONDS = 4.0
MB = 1_000_000
SPEECH_HELP = (
    "The built-in practice partner recognises your words on this computer: nothing is sent anywhere. The built-in "
    "model is fast; a larger one hears better and is slower. Changes apply from your next call."
)


def speed_words(model: models.SpeechModel) -> str:
    """The catalog's measured or scaled real-time factor, in words."""
    if not model.realtime_factor:
        return ""
    return f"about {1 / model.realtime_factor:.0f}x faster than speech"


class SpeechCard(FormCard):
    model_chosen = Signal(str)
    download_requested = Signal(str)
    cancel_requested = Signal()
    test_requested = Signal()

    def __init__(self) -> None:
        super().__init__("Speech", SPEECH_HELP)
        self.model = QComboBox()
        self.model.setAccessibleName("Speech model")
        self.model.setToolTip("The model the practice partner hears you with")
        self.model.activated.connect(lambda _i: self.model_chosen.emit(self.model.currentData() or ""))
        self.add_row("Model", self.model, "The model the practice partner hears you with")
        self.downloads: dict[str, QPushButton] = {}
        self._download_rows = QWidget()
        self._download_layout = QHBoxLayout(self._download_rows)
        self._download_layout.setContentsMargins(0, 0, 0, 0)
        self.add_row("Download", self._download_rows)
        self.progress = QProgressBar(maximum=1000)
        self.progress.setAccessibleName("Download progress")
        self.progress.setToolTip("How much of the model has arrived")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the download; starting it again resumes where it stopped")
        self.cancel_button.clicked.connect(self.cancel_requested)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self._progress_row = holder
        holder.hide()
        self.add_row("", holder)
        self.test_button = QPushButton(" Say something")
        self.test_button.setToolTip(f"Records {TEST_SECONDS:.0f} seconds from your microphone and shows what was heard")
        self.test_button.clicked.connect(self.test_requested)
        self.add_row("Test", self.test_button)
        self.heard = QLabel(wordWrap=True)
        self.heard.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heard.setTextFormat(Qt.TextFormat.PlainText)  # the recogniser's words are data, never markup
        self.heard.hide()
        self.add_wide(self.heard)

    def show_models(self, installed: list[str], chosen: str, catalog: tuple[models.SpeechModel, ...]) -> None:
        self.model.clear()
        for entry in catalog:
            if entry.shipped or entry.name in installed:
                self.model.addItem(f"{entry.title} - {speed_words(entry)}", entry.name)
        self.model.setCurrentIndex(max(0, self.model.findData(chosen)))
        for button in self.downloads.values():
            button.deleteLater()
        self.downloads.clear()
        for entry in catalog:
            if entry.shipped or entry.name in installed:
                continue
            button = QPushButton(f"{entry.name} ({entry.size / MB:.0f} MB)")
            button.setToolTip(f"{entry.title}: {speed_words(entry)}; published WER {entry.published_wer or 'n/a'}")
            button.clicked.connect(lambda _c=False, name=entry.name: self.download_requested.emit(name))
            self.downloads[entry.name] = button
            self._download_layout.addWidget(button)
        self._download_rows.setVisible(bool(self.downloads))

    def show_progress(self, fraction: float | None) -> None:
        """None hides the bar (no download running)."""
        self._progress_row.setVisible(fraction is not None)
        for button in self.downloads.values():
            button.setEnabled(fraction is None)
        if fraction is not None:
            self.progress.setValue(int(fraction * 1000))

    def show_testing(self, running: bool) -> None:
        self.test_button.setEnabled(not running)
        self.test_button.setText(" Listening..." if running else " Say something")

    def show_message(self, text: str, kind: str = "info") -> None:
        color = {"ok": theme.SUCCESS, "error": theme.DANGER, "warning": theme.WARNING}.get(kind, theme.MUTED)
        self.heard.setStyleSheet(f"color: {color};")
        self.heard.setText(text)
        self.heard.setVisible(bool(text))


class SpeechCardController(QObject):
    """Loads the card, records and recognises for the test, runs one download at a time."""

    _progress = Signal(float)

    def __init__(
        self,
        card: SpeechCard,
        data_home: Callable[[], Path],
        mic_device: Callable[[], str],
        parent: QObject | None = None,
        catalog: tuple[models.SpeechModel, ...] = models.CATALOG,
    ) -> None:
        super().__init__(parent)
        self.card = card
        self._data_home = data_home
        self._mic_device = mic_device
        self._catalog = catalog
        self._download: Any = None
        self._progress.connect(card.show_progress, Qt.ConnectionType.QueuedConnection)
        card.model_chosen.connect(self.choose)
        card.download_requested.connect(self.download)
        card.cancel_requested.connect(self.cancel)
        card.test_requested.connect(self.test)

    def load(self) -> None:
        home = self._data_home()
        run_in_background(
            lambda: (models.installed_models(home), models.chosen_model(home)),
            lambda result, error: self._loaded(result, error),
        )

    def _loaded(self, result: tuple[list[str], str] | None, error: Exception | None) -> None:
        if error is not None or result is None:
            self.card.show_message(f"The speech models could not be listed ({error}).", "error")
            return
        installed, chosen = result
        self.card.show_models(installed, chosen, self._catalog)

    def choose(self, name: str) -> None:
        home = self._data_home()

        def done(_r: object, error: Exception | None) -> None:
            if error is not None:
                self.card.show_message(f"The choice could not be saved ({error}).", "error")
            else:
                self.card.show_message(f"The partner will hear you with {name} from your next call.", "ok")

        run_in_background(lambda: models.choose_model(home, name), done)

    # --- the "say something" test ------------------------------------------------------------------------------------

    def test(self) -> None:
        device = self._mic_device()
        model_dir = models.chosen_model_dir(self._data_home())
        self.card.show_testing(True)
        self.card.show_message(f"Listening for {TEST_SECONDS:.0f} seconds: say a sentence.", "info")
        run_in_background(lambda: record_and_recognise(device, model_dir), self._tested)

    def _tested(self, result: Any, error: Exception | None) -> None:
        self.card.show_testing(False)
        if error is not None:
            message = getattr(error, "message", None) or f"The test could not run ({error})."
            self.card.show_message(message, "error")
            return
        if not result.ok:
            self.card.show_message(result.problem, "error")
        elif not result.heard:
            self.card.show_message("Nothing was heard. Check the microphone in Sound above, and speak up.", "warning")
        else:
            self.card.show_message(
                f"Heard: \u201c{result.heard}\u201d ({result.model}, {result.audio_s:.0f} s of audio recognised "
                f"in {result.decode_s:.1f} s)",
                "ok",
            )

    # --- downloads ---------------------------------------------------------------------------------------------------

    def download(self, name: str) -> None:
        if self._download is not None:
            return
        from desktop.speech.downloads import ModelDownload

        entry = models.catalog_entry(name, self._catalog)
        job = ModelDownload(entry, self._data_home(), on_progress=lambda p: self._progress.emit(p.fraction))
        self._download = job
        self.card.show_progress(0.0)
        self.card.show_message(f"Downloading {entry.title} ({entry.size / MB:.0f} MB)...", "info")
        run_in_background(job.run, lambda folder, error: self._downloaded(name, folder, error))

    def cancel(self) -> None:
        if self._download is not None:
            self._download.cancel()

    def _downloaded(self, name: str, folder: Path | None, error: Exception | None) -> None:
        self._download = None
        self.card.show_progress(None)
        if error is not None:
            from desktop.speech.downloads import DownloadCancelled

            cancelled = isinstance(error, DownloadCancelled)
            text = "Download cancelled; it resumes where it stopped." if cancelled else f"Download failed: {error}"
            self.card.show_message(text, "warning" if cancelled else "error")
            return
        self.card.show_message(f"{name} is installed. Choose it above to use it.", "ok")
        self.load()


def record_and_recognise(device: str, model_dir: Path | None, seconds: float = TEST_SECONDS) -> Any:
    """Blocking: records from the microphone (16 kHz, as the partner hears it) and runs the recogniser check on it."""
    from desktop.speech.self_test import check_recogniser
    from desktop.voice.audio.streams import MicrophoneStream

    chunks: list[bytes] = []
    enough = threading.Event()
    wanted = int(seconds * 32000)

    def collect(pcm: bytes, _at: float) -> None:
        chunks.append(pcm)
        if sum(map(len, chunks)) >= wanted:
            enough.set()

    mic = MicrophoneStream(collect, device=device or None)
    mic.start()
    try:
        enough.wait(seconds + 3.0)
    finally:
        mic.stop()
    return check_recogniser(model_dir, b"".join(chunks)[:wanted])
